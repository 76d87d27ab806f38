// SPDX-License-Identifier: GPL-2.0
/* gate_lsm: the gate's BPF LSM (docs/LSM.md). In enforce mode no program
 * reaches the kernel unless the gate daemon loads it, or (digest mode) its
 * instructions are those of a program the gate approved; nobody but the gate
 * may open its programs, maps or links or trace its process. Every attempt in
 * scope goes to the daemon through a ring buffer; lost events are counted.
 *
 * Gate identity: the daemon's thread-group leader carries an entry in the
 * task-storage map gate_task, written by the daemon through a pidfd of
 * itself. Task storage lives and dies with that task_struct, so neither a
 * reused pid nor a child (fork does not copy it) passes as the gate, and only
 * a holder of the map's fd (the daemon; everybody else is refused an fd to
 * it below) can write it.
 *
 * Kernel 6.1 hooks: lsm/bpf (command + the kernel's copy of the attributes),
 * lsm/bpf_prog (an fd for a program is made: at the end of BPF_PROG_LOAD,
 * after the verifier, and on GET_FD_BY_ID/OBJ_GET), lsm/bpf_map (an fd for a
 * map), lsm/ptrace_access_check. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "gate_lsm.h"

#define EPERM 1

/* Set before load; .rodata is frozen, so nobody changes them afterwards. */
const volatile __u32 gate_mode = GATE_LSM_MODE_ENFORCE;
const volatile __u32 digest_admission = 0;
const volatile __u32 scope_count = 0; /* 0: the whole host */

struct {
  __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, int);
  __type(value, __u64);
} gate_task SEC(".maps");

/* Per thread: was this thread's last bpf() command BPF_PROG_LOAD? */
struct {
  __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, int);
  __type(value, __u32);
} last_cmd SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, struct gate_object_key);
  __type(value, __u8);
} protected_objects SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4096);
  __type(key, __u64); /* the 8-byte tag */
  __type(value, struct gate_approval);
} approved SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
  __uint(max_entries, GATE_LSM_MAX_SCOPES);
  __type(key, __u32);
  __type(value, __u32);
} scopes SEC(".maps");

/* persist: the pinned links (and the bpffs holding them, ino 0). */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, struct gate_inode_key);
  __type(value, __u8);
} protected_inodes SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} lost_events SEC(".maps");

static bool is_gate(void) {
  struct task_struct *task = bpf_get_current_task_btf();
  return bpf_task_storage_get(&gate_task, task->group_leader, 0, 0) != NULL;
}

static bool in_scope(void) {
  if (scope_count == 0) return true;
  for (__u32 i = 0; i < GATE_LSM_MAX_SCOPES; i++) {
    if (i >= scope_count) break;
    if (bpf_current_task_under_cgroup(&scopes, i) == 1) return true;
  }
  return false;
}

static bool protected_object(__u32 kind, __u32 id) {
  struct gate_object_key key = {.kind = kind, .id = id};
  return id != 0 && bpf_map_lookup_elem(&protected_objects, &key) != NULL;
}

/* Events are built on the stack and copied into the ring buffer
 * (bpf_ringbuf_output): no reserved record whose every path the verifier must
 * see released. A full ring buffer counts the loss. */
static void fill_event(struct gate_event *e, __u32 hook, __u32 verdict, __u32 cmd) {
  __builtin_memset(e, 0, sizeof(*e));
  __u64 id = bpf_get_current_pid_tgid();
  __u64 ugid = bpf_get_current_uid_gid();
  e->pid = id >> 32;
  e->tid = (__u32)id;
  e->uid = (__u32)ugid;
  e->gid = ugid >> 32;
  e->cgroup_id = bpf_get_current_cgroup_id();
  e->hook = hook;
  e->verdict = verdict;
  e->cmd = cmd;
  bpf_get_current_comm(e->comm, sizeof(e->comm));
}

static void send_event(struct gate_event *e) {
  if (bpf_ringbuf_output(&events, e, sizeof(*e), 0) != 0) {
    __u32 zero = 0;
    __u64 *lost = bpf_map_lookup_elem(&lost_events, &zero);
    if (lost) __sync_fetch_and_add(lost, 1);
  }
}

/* A refusal of something that touches the gate's own objects. */
static int protect(__u32 hook, __u32 cmd, __u32 id) {
  bool enforce = gate_mode == GATE_LSM_MODE_ENFORCE;
  struct gate_event e;
  fill_event(&e, hook, enforce ? GATE_DENY_PROTECT : GATE_AUDIT_PROTECT, cmd);
  e.object_id = id;
  send_event(&e);
  return enforce ? -EPERM : 0;
}

SEC("lsm/bpf")
int BPF_PROG(gate_bpf, int cmd, union bpf_attr *attr, unsigned int size) {
  if (is_gate()) {
    if (cmd == BPF_PROG_LOAD) {
      struct gate_event e;
      fill_event(&e, GATE_HOOK_BPF, GATE_ALLOW_GATE, cmd);
      e.prog_type = attr->prog_type;
      e.insn_cnt = attr->insn_cnt;
      bpf_probe_read_kernel(e.name, sizeof(e.name), &attr->prog_name);
      send_event(&e);
    }
    return 0;
  }
  /* Remember per thread whether the fd lsm/bpf_prog sees next comes from a load. */
  __u32 *last = bpf_task_storage_get(&last_cmd, bpf_get_current_task_btf(), 0,
                                     BPF_LOCAL_STORAGE_GET_F_CREATE);
  if (last) *last = cmd;

  /* Self-protection does not depend on scope: the gate's objects by id. */
  if (cmd == BPF_PROG_GET_FD_BY_ID && protected_object(GATE_OBJ_PROG, attr->prog_id))
    return protect(GATE_HOOK_BPF, cmd, attr->prog_id);
  if (cmd == BPF_MAP_GET_FD_BY_ID && protected_object(GATE_OBJ_MAP, attr->map_id))
    return protect(GATE_HOOK_BPF, cmd, attr->map_id);
  if (cmd == BPF_LINK_GET_FD_BY_ID && protected_object(GATE_OBJ_LINK, attr->link_id))
    return protect(GATE_HOOK_BPF, cmd, attr->link_id);

  if (cmd != BPF_PROG_LOAD || !in_scope()) return 0;
  __u32 verdict;
  int ret = 0;
  if (gate_mode != GATE_LSM_MODE_ENFORCE) {
    verdict = GATE_ALLOW_AUDIT;
  } else if (digest_admission) {
    verdict = GATE_PENDING_DIGEST; /* judged on the kernel's copy, at lsm/bpf_prog */
  } else {
    verdict = GATE_DENY;
    ret = -EPERM;
  }
  struct gate_event e;
  fill_event(&e, GATE_HOOK_BPF, verdict, cmd);
  e.prog_type = attr->prog_type;
  e.insn_cnt = attr->insn_cnt;
  bpf_probe_read_kernel(e.name, sizeof(e.name), &attr->prog_name);
  send_event(&e);
  return ret;
}

/* libbpf refuses to load anything when its first probe, "r0 = 0; exit" as a
 * socket filter (else a tracepoint program), fails. Such a program can only
 * return a constant and, of these two types, attaches only to the caller's
 * own socket or a perf event, so digest mode admits it: at most 4
 * instructions, each an ALU operation on r0 with an immediate, then exit. */
#define GATE_MAX_INERT 4
/* Instruction classes (uapi linux/bpf_common.h; vmlinux.h has no #defines). */
#define GATE_BPF_ALU 0x04
#define GATE_BPF_JMP 0x05
#define GATE_BPF_ALU64 0x07
#define GATE_BPF_X 0x08
#define GATE_BPF_EXIT 0x90
static bool inert_probe(struct bpf_prog *prog, __u32 type, __u32 len) {
  if (type != BPF_PROG_TYPE_SOCKET_FILTER && type != BPF_PROG_TYPE_TRACEPOINT) return false;
  if (len == 0 || len > GATE_MAX_INERT) return false;
  for (__u32 i = 0; i < GATE_MAX_INERT; i++) {
    if (i >= len) break;
    struct bpf_insn insn;
    if (bpf_probe_read_kernel(&insn, sizeof(insn), &prog->insnsi[i]) != 0) return false;
    if (i == len - 1) return insn.code == (GATE_BPF_JMP | GATE_BPF_EXIT);
    __u8 cls = insn.code & 0x07;
    if ((cls != GATE_BPF_ALU && cls != GATE_BPF_ALU64) || (insn.code & GATE_BPF_X) || insn.dst_reg != 0) return false;
  }
  return false;
}

SEC("lsm/bpf_prog")
int BPF_PROG(gate_bpf_prog, struct bpf_prog *prog) {
  if (is_gate()) return 0;
  __u32 id = prog->aux->id;
  if (protected_object(GATE_OBJ_PROG, id)) return protect(GATE_HOOK_PROG, 0, id);

  __u32 *last = bpf_task_storage_get(&last_cmd, bpf_get_current_task_btf(), 0, 0);
  if (!last || *last != BPF_PROG_LOAD) return 0; /* an fd for an existing program */
  *last = 0;
  if (gate_mode != GATE_LSM_MODE_ENFORCE || !digest_admission || !in_scope()) return 0;

  /* The end of a load in digest mode: the verifier accepted the program; its
   * tag was computed over the instructions the kernel copied (so nothing the
   * caller changes afterwards counts), map descriptors zeroed. */
  __u64 tag = 0;
  bpf_probe_read_kernel(&tag, sizeof(tag), &prog->tag);
  __u32 type = prog->type;
  __u32 len = prog->len;
  struct gate_approval *ok = bpf_map_lookup_elem(&approved, &tag);
  bool admitted = ok && ok->prog_type == type && ok->xlated_len == len;
  bool inert = !admitted && inert_probe(prog, type, len);
  struct gate_event e;
  fill_event(&e, GATE_HOOK_PROG,
             admitted ? GATE_ALLOW_DIGEST : (inert ? GATE_ALLOW_INERT : GATE_DENY_DIGEST), BPF_PROG_LOAD);
  e.prog_type = type;
  e.insn_cnt = len;
  e.object_id = id;
  __builtin_memcpy(e.tag, &tag, sizeof(tag));
  bpf_probe_read_kernel(e.name, sizeof(e.name), &prog->aux->name);
  send_event(&e);
  return admitted || inert ? 0 : -EPERM;
}

SEC("lsm/bpf_map")
int BPF_PROG(gate_bpf_map, struct bpf_map *map, fmode_t fmode) {
  if (is_gate()) return 0;
  __u32 id = map->id;
  if (protected_object(GATE_OBJ_MAP, id)) return protect(GATE_HOOK_MAP, 0, id);
  return 0;
}

/* Nobody traces the gate or takes its descriptors (pidfd_getfd, /proc/<pid>/fd). */
SEC("lsm/ptrace_access_check")
int BPF_PROG(gate_ptrace, struct task_struct *child, unsigned int mode) {
  if (!bpf_task_storage_get(&gate_task, child->group_leader, 0, 0)) return 0;
  if (is_gate()) return 0;
  return protect(GATE_HOOK_PTRACE, 0, child->tgid);
}

/* persist: nobody unpins (unlink, rename over or away) the LSM's links or
 * unmounts the bpffs holding them; that would end enforcement after the
 * gate exits. */
static bool protected_inode(struct inode *inode) {
  if (!inode) return false;
  struct gate_inode_key key = {.dev = inode->i_sb->s_dev, .ino = inode->i_ino};
  return bpf_map_lookup_elem(&protected_inodes, &key) != NULL;
}

SEC("lsm/inode_unlink")
int BPF_PROG(gate_unlink, struct inode *dir, struct dentry *dentry) {
  struct inode *inode = dentry->d_inode;
  if (!protected_inode(inode) || is_gate()) return 0;
  return protect(GATE_HOOK_INODE, 0, (__u32)inode->i_ino);
}

/* BPF_OBJ_GET on a pin checks the pinned inode's permission: refusing it
 * keeps everyone else from a descriptor of the pinned links (there is no
 * link hook in 6.1). Only bpffs inodes are looked up (the magic first), as
 * this hook runs on every permission check of the host. */
#define GATE_BPF_FS_MAGIC 0xcafe4a11
SEC("lsm/inode_permission")
int BPF_PROG(gate_inode_permission, struct inode *inode, int mask) {
  if (!inode || inode->i_sb->s_magic != GATE_BPF_FS_MAGIC) return 0;
  if (!protected_inode(inode) || is_gate()) return 0;
  return protect(GATE_HOOK_INODE, 0, (__u32)inode->i_ino);
}

SEC("lsm/inode_rename")
int BPF_PROG(gate_rename, struct inode *old_dir, struct dentry *old_dentry, struct inode *new_dir,
             struct dentry *new_dentry) {
  struct inode *moved = old_dentry->d_inode;
  struct inode *replaced = new_dentry->d_inode;
  if (!protected_inode(moved) && !protected_inode(replaced)) return 0;
  if (is_gate()) return 0;
  return protect(GATE_HOOK_INODE, 0, 0);
}

SEC("lsm/sb_umount")
int BPF_PROG(gate_umount, struct vfsmount *mnt, int flags) {
  struct gate_inode_key key = {.dev = mnt->mnt_sb->s_dev, .ino = 0};
  if (!bpf_map_lookup_elem(&protected_inodes, &key) || is_gate()) return 0;
  return protect(GATE_HOOK_UMOUNT, 0, 0);
}

char LICENSE[] SEC("license") = "GPL";

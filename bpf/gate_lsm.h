/* gate_lsm.h: what the gate's BPF LSM (bpf/gate_lsm.bpf.c) and the daemon
 * (src/lsm/) share: the event sent through the ring buffer, the verdicts, the
 * keys of the protected-object and approved-program maps. Plain C types only,
 * so both clang -target bpf (with vmlinux.h) and C++ include it. */
#ifndef PQBPF_GATE_LSM_H
#define PQBPF_GATE_LSM_H

#define GATE_LSM_MODE_AUDIT 1
#define GATE_LSM_MODE_ENFORCE 2
#define GATE_LSM_MAX_SCOPES 16
#define GATE_LSM_TAG_SIZE 8
#define GATE_LSM_NAME_SIZE 16

/* What happened to one attempt (gate_event.verdict). */
enum gate_verdict {
  GATE_ALLOW_GATE = 1,     /* the gate daemon itself */
  GATE_ALLOW_AUDIT = 2,    /* audit mode: would have been denied */
  GATE_DENY = 3,           /* enforce: direct BPF_PROG_LOAD refused */
  GATE_PENDING_DIGEST = 4, /* digest mode: let through to the verifier, judged at lsm/bpf_prog */
  GATE_ALLOW_DIGEST = 5,   /* its tag, type and length match a program the gate approved */
  GATE_DENY_DIGEST = 6,    /* no approved program matches */
  GATE_DENY_PROTECT = 7,   /* touches the gate's own programs, maps, links or task */
  GATE_AUDIT_PROTECT = 8,  /* audit mode: would have been denied as such */
  GATE_ALLOW_INERT = 9,    /* digest mode: a constant-returning loader probe (docs/LSM.md) */
};

/* Which hook saw it (gate_event.hook). */
enum gate_hook {
  GATE_HOOK_BPF = 1,      /* lsm/bpf: the command and its attributes */
  GATE_HOOK_PROG = 2,     /* lsm/bpf_prog: an fd for a program is about to be made */
  GATE_HOOK_MAP = 3,      /* lsm/bpf_map: an fd for a map is about to be made */
  GATE_HOOK_PTRACE = 4,   /* lsm/ptrace_access_check on the gate's process */
  GATE_HOOK_INODE = 5,    /* lsm/inode_unlink, inode_rename: the persistent pins */
  GATE_HOOK_UMOUNT = 6,   /* lsm/sb_umount: the bpffs holding the pins */
};

/* Kinds of protected kernel objects (gate_object_key.kind). */
enum gate_object_kind { GATE_OBJ_PROG = 1, GATE_OBJ_MAP = 2, GATE_OBJ_LINK = 3 };

struct gate_object_key {
  unsigned int kind;
  unsigned int id;
};

/* An approved program: the kernel's tag (a SHA-1 prefix the kernel computes
 * over the instructions it copied, map descriptors zeroed) is the key. */
/* A pinned file of the LSM (persist): the kernel's s_dev and inode number. */
struct gate_inode_key {
  unsigned int dev;
  unsigned int pad;
  unsigned long long ino;
};

struct gate_approval {
  unsigned int prog_type;
  unsigned int xlated_len; /* instruction count after the verifier's rewrite */
};

struct gate_event {
  unsigned long long cgroup_id;
  unsigned int pid;  /* thread group id */
  unsigned int tid;
  unsigned int uid;
  unsigned int gid;
  unsigned int cmd;       /* bpf() command */
  unsigned int prog_type; /* BPF_PROG_LOAD: attr->prog_type / prog->type */
  unsigned int insn_cnt;  /* BPF_PROG_LOAD: attr->insn_cnt; lsm/bpf_prog: prog->len */
  unsigned int verdict;   /* enum gate_verdict */
  unsigned int hook;      /* enum gate_hook */
  unsigned int object_id; /* the program/map/link id concerned, or 0 */
  unsigned char tag[GATE_LSM_TAG_SIZE];
  char comm[16];
  char name[GATE_LSM_NAME_SIZE];
};

#endif

// Test object for the capability reader (issue 17): one program per kind of
// power, a helper reached only through a global subprogram, a kfunc, and a
// read-only global (.rodata, libbpf's internal "object.rodata" map).
// Compiled, never loaded.
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 4096);
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_DEVMAP);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u32);
} ports SEC(".maps");

const volatile __u32 target_pid = 0;

// A kfunc (kernel function called directly), resolved through BTF at load.
extern void bpf_rcu_read_lock(void) __ksym;

// Global subprogram: the helper it calls belongs to every program calling it.
__attribute__((noinline)) int send_word(__u64 word) {
  return bpf_ringbuf_output(&events, &word, sizeof(word), 0);
}

SEC("kprobe/vfs_read")
int read_kernel(void *ctx) {
  __u64 word = 0;
  bpf_probe_read_kernel(&word, sizeof(word), ctx);
  if ((bpf_get_current_pid_tgid() >> 32) == target_pid) return 0;
  return send_word(word);
}

SEC("kprobe/do_sys_openat2")
int write_user(void *ctx) {
  __u64 word = 7;
  bpf_probe_write_user((void *)0x1000, &word, sizeof(word));
  return 0;
}

SEC("kprobe/security_file_open")
int kill_caller(void *ctx) {
  bpf_send_signal(9);
  return 0;
}

SEC("kprobe/should_fail_bio")
int override(void *ctx) {
  bpf_override_return(ctx, -5);
  return 0;
}

SEC("tp/sched/sched_switch")
int use_kfunc(void *ctx) {
  bpf_rcu_read_lock();
  return 0;
}

SEC("xdp")
int rewrite_and_redirect(struct xdp_md *ctx) {
  if (bpf_xdp_adjust_head(ctx, 4) != 0) return XDP_DROP;
  return bpf_redirect_map(&ports, 0, XDP_PASS);
}

SEC("xdp")
int only_count(struct xdp_md *ctx) {
  return bpf_ktime_get_ns() & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";

// mixed_kprobe_lsm: one object, two program types (a kprobe and an LSM
// hook). Signing it as "kprobe" must be refused and a kprobe-only policy
// must deny it, naming the LSM program.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} opens SEC(".maps");

SEC("kprobe/do_sys_openat2")
int count_openat(void *ctx) {
  __u32 key = 0;
  __u64 *count = bpf_map_lookup_elem(&opens, &key);
  if (count)
    __sync_fetch_and_add(count, 1);
  return 0;
}

SEC("lsm/file_open")
int BPF_PROG(watch_file_open, void *file) {
  return 0;
}

char LICENSE[] SEC("license") = "GPL";

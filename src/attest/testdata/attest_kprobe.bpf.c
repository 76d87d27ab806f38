// Test object for the attest tests: one kprobe program and one map, GPL.
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, __u32);
  __type(value, __u64);
} open_counts SEC(".maps");

SEC("kprobe/do_sys_openat2")
int count_openat(void *ctx) {
  __u32 key = 0;
  __u64 one = 1;
  __u64 *value = bpf_map_lookup_elem(&open_counts, &key);
  if (value)
    __sync_fetch_and_add(value, 1);
  else
    bpf_map_update_elem(&open_counts, &key, &one, BPF_ANY);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";

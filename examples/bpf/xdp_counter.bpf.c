// xdp_counter: counts packets per protocol class in a hash map and the total
// in an array, through a subprogram the entry function calls (BPF-to-BPF
// call). The transparent gate's sample: two maps and a subprogram, so a
// loader must fill in map fds and lay out the subprogram (docs/TRANSPARENT_GATE.md).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#ifndef PQBPF_COUNTS_MAP_TYPE
#define PQBPF_COUNTS_MAP_TYPE BPF_MAP_TYPE_HASH
#endif
#ifndef PQBPF_VERDICT
#define PQBPF_VERDICT XDP_PASS
#endif

struct {
  __uint(type, PQBPF_COUNTS_MAP_TYPE);
  __uint(max_entries, 16);
  __type(key, __u32);   // protocol class
  __type(value, __u64); // packets
} class_counts SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} total SEC(".maps");

// Read-only configuration (.rodata): a skeleton may set it before the load,
// and the verifier then treats it as a constant, so the gate binds it.
const volatile __u32 class_shift = 8;

// A real subprogram (not inlined): the loader appends it after the entry
// function and fixes the call's offset.
static __attribute__((noinline)) int bump(__u32 class) {
  __u64 one = 1;
  __u64 *count = bpf_map_lookup_elem(&class_counts, &class);
  if (count)
    __sync_fetch_and_add(count, 1);
  else
    bpf_map_update_elem(&class_counts, &class, &one, BPF_NOEXIST);
  return 0;
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx) {
  __u32 key = 0;
  __u64 *all = bpf_map_lookup_elem(&total, &key);
  if (all)
    __sync_fetch_and_add(all, 1);
  bump((__u32)(ctx->data_end - ctx->data) >> class_shift);
  return PQBPF_VERDICT;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";

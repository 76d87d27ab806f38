// loader_pinned_map: an xdp program whose map carries libbpf's pinning
// attribute, which the loader refuses (libbpf would pin or reuse the map
// under /sys/fs/bpf, outside the gate's pin root).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} pqbpf_pinned_by_name SEC(".maps");

SEC("xdp")
int xdp_pinned_map(struct xdp_md *ctx) {
  __u32 key = 0;
  __u64 *count = bpf_map_lookup_elem(&pqbpf_pinned_by_name, &key);
  if (count) __sync_fetch_and_add(count, 1);
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";

// Seed source for the elf fuzz target: a small BPF object with two program
// types, a subprogram, a map and BTF, compiled by fuzz/seeds/make_elf_seeds.sh
// into fuzz/corpus/elf/ (the compiled seeds are committed as fuzz inputs).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, __u32);
  __type(value, __u64);
} counts SEC(".maps");

static __attribute__((noinline)) int bump(__u32 key) {
  __u64 one = 1, *v = bpf_map_lookup_elem(&counts, &key);
  if (v) {
    __sync_fetch_and_add(v, 1);
    return 0;
  }
  return bpf_map_update_elem(&counts, &key, &one, BPF_ANY);
}

SEC("kprobe/do_sys_openat2")
int trace_open(void *ctx) { return bump(1); }

SEC("xdp")
int pass_all(struct xdp_md *ctx) { return bump(2) ? XDP_PASS : XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";

// Test object for reachable instruction counts (issue 11.6): small entry
// functions whose real size is in the subprograms they call. libbpf appends
// every reachable .text subprogram to a program at load, so a policy's
// max_insns must count them. Three ways in: a global function (call with a
// relocation), a static function called from .text (call without one), and
// a bpf_loop callback (ld_imm64 BPF_PSEUDO_FUNC).
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

// Static subprogram, called from the other .text functions.
static __attribute__((noinline)) __u64 mix(__u64 x) {
  x ^= x >> 31;
  x *= 0x7fb5d329728ea185ULL;
  x ^= x >> 27;
  return x;
}

// Global subprogram: large, so the entry that calls it is small but what is
// loaded is not.
__attribute__((noinline)) int heavy(__u32 seed) {
  __u64 acc = seed;
#pragma unroll
  for (int i = 0; i < 48; i++) {
    acc = acc * 31 + (acc >> 7);
    acc ^= (__u64)i << (i & 15);
  }
  return (int)(mix(acc) & 1);
}

struct loop_state {
  __u64 acc;
};

// bpf_loop callback: referenced, not called.
static long step(__u32 index, void *data) {
  struct loop_state *s = data;
  s->acc = mix(s->acc + index);
  return 0;
}

SEC("xdp")
int small_entry(struct xdp_md *ctx) {
  return heavy(ctx->ingress_ifindex) ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int loop_entry(struct xdp_md *ctx) {
  struct loop_state s = {.acc = ctx->rx_queue_index};
  bpf_loop(8, step, &s, 0);
  return s.acc & 1 ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int no_calls(struct xdp_md *ctx) {
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

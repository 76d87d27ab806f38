// A signed multi-buffer XDP program (SEC("xdp.frags")), for the transparent
// gate's tests: libbpf adds BPF_F_XDP_HAS_FRAGS to its load, so the gate must
// expect that flag (src/sandbox/expected_program.cc).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp.frags")
int xdp_frags_pass(struct xdp_md *ctx) {
  return ctx->data_end > ctx->data ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";

// A signed program that calls a kernel function (kfunc), for the transparent
// gate's tests: the loader fills in the function's BTF id, which the gate
// binds to libbpf's own resolution on this kernel
// (src/sandbox/kernel_values.cc).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

SEC("xdp")
int xdp_kfunc(struct xdp_md *ctx) {
  void *kern = bpf_cast_to_kern_ctx(ctx);
  return kern ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";

// Test object for the attest tests: a kprobe and an lsm program in one
// object (the "smuggled program" case of issue 4).
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("kprobe/do_sys_openat2")
int probe_openat(void *ctx) { return 0; }

SEC("lsm/bpf")
int deny_bpf(void *ctx) { return 0; }

char LICENSE[] SEC("license") = "GPL";

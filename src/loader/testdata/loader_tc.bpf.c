// loader_tc: a tc (sched_cls) program that lets every packet through; the
// loader's tcx attach test.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int tc_pass(struct __sk_buff *skb) {
  return 0; /* TC_ACT_OK */
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";

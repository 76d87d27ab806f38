// cgroup_skb_pass: a cgroup_skb program that passes every packet; where it
// attaches is the signed attach_point (tests/cli/attach_targets_test.sh).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup_skb/egress")
int pass_egress(struct __sk_buff *skb) {
  return 1;
}

char LICENSE[] SEC("license") = "GPL";

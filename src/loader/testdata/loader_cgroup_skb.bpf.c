// loader_cgroup_skb: a cgroup_skb ingress program that allows every packet;
// the loader's cgroup attach test.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup_skb/ingress")
int cgroup_allow(struct __sk_buff *skb) {
  return 1;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";

// socket_filter: accepts every packet on a socket (returns the full length).
// Loads unprivileged-style socket filters; no maps.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int accept_all(struct __sk_buff *skb) {
  return skb->len;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

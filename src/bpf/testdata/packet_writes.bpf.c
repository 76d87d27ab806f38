// Test object for the direct packet write reader (packet_writes.cc): packet
// programs that rewrite bytes with plain stores through their context's
// packet pointers (no helper), ones that only read, and a tracing program
// that stores to its stack and a map only. Compiled, never loaded.
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} counts SEC(".maps");

// Swaps source and destination MAC: the classic XDP_TX reflector.
SEC("xdp")
int xdp_swap_mac(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > data_end) return XDP_PASS;
  unsigned char tmp[ETH_ALEN];
  __builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
  __builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
  __builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
  return XDP_TX;
}

// Reads the EtherType and counts IPv4 frames: loads from the packet only.
SEC("xdp")
int xdp_read_only(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > data_end) return XDP_PASS;
  if (eth->h_proto != __builtin_bswap16(ETH_P_IP)) return XDP_PASS;
  __u32 key = 0;
  __u64 *n = bpf_map_lookup_elem(&counts, &key);
  if (n) __sync_fetch_and_add(n, 1);
  return XDP_PASS;
}

// tc: clears the first byte of the frame through skb->data.
SEC("tc")
int tc_clear_first_byte(struct __sk_buff *skb) {
  void *data = (void *)(long)skb->data;
  void *data_end = (void *)(long)skb->data_end;
  unsigned char *p = data;
  if ((void *)(p + 1) > data_end) return TC_ACT_OK;
  *p = 0;
  return TC_ACT_OK;
}

// The write happens in a subprogram the packet pointer is passed to.
static __attribute__((noinline)) int set_ttl(unsigned char *ttl, void *data_end) {
  if ((void *)(ttl + 1) > data_end) return 0;
  *ttl = 64;
  return 1;
}

SEC("xdp")
int xdp_write_in_subprog(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  set_ttl((unsigned char *)data + sizeof(struct ethhdr) + 8, data_end);
  return XDP_PASS;
}

// The same subprogram shape, but only reading: no write anywhere.
static __attribute__((noinline)) int get_ttl(unsigned char *ttl, void *data_end) {
  if ((void *)(ttl + 1) > data_end) return 0;
  return *ttl;
}

SEC("xdp")
int xdp_read_in_subprog(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  return get_ttl((unsigned char *)data + sizeof(struct ethhdr) + 8, data_end) > 1 ? XDP_PASS : XDP_DROP;
}

// The packet pointer goes through the stack: a volatile local forces a
// spill and a reload before the store.
SEC("xdp")
int xdp_write_after_spill(struct xdp_md *ctx) {
  void *volatile saved = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  unsigned char *p = saved;
  if ((void *)(p + 1) > data_end) return XDP_PASS;
  *p = 0xff;
  return XDP_PASS;
}

// The context goes into a subprogram, which returns the packet pointer.
static __attribute__((noinline)) unsigned char *packet_start(struct xdp_md *ctx) {
  return (unsigned char *)(long)ctx->data;
}

SEC("xdp")
int xdp_write_returned_pointer(struct xdp_md *ctx) {
  unsigned char *p = packet_start(ctx);
  if ((void *)(p + 1) > (void *)(long)ctx->data_end) return XDP_PASS;
  *p = 1;
  return XDP_PASS;
}

// A subprogram stores the packet pointer into its caller's stack (an out
// parameter); the caller reloads it from there and writes.
static __attribute__((noinline)) void stash_packet(void **slot, struct xdp_md *ctx) {
  *slot = (void *)(long)ctx->data;
}

SEC("xdp")
int xdp_write_via_out_param(struct xdp_md *ctx) {
  void *p = 0;
  stash_packet(&p, ctx);
  if (p + 1 > (void *)(long)ctx->data_end) return XDP_PASS;
  *(unsigned char *)p = 2;
  return XDP_PASS;
}

// Stores to its stack and to a map value only: never packet_write.
SEC("tracepoint/syscalls/sys_enter_read")
int trace_stack_and_map(void *ctx) {
  volatile __u64 local[4] = {1, 2, 3, 4};
  __u32 key = 0;
  __u64 *n = bpf_map_lookup_elem(&counts, &key);
  if (n) *n = local[1] + local[3];
  return 0;
}

char LICENSE[] SEC("license") = "GPL";

// trace_read: counts read() calls per process, entering and returning.
//
// The README demo object: a kprobe and a kretprobe on ksys_read sharing one
// hash map. The programs only count, so they need no pt_regs layout.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, __u32);   // tgid
  __type(value, __u64); // calls
} read_calls SEC(".maps");

static __always_inline void bump(__u32 slot_bias) {
  __u32 tgid = (__u32)(bpf_get_current_pid_tgid() >> 32) ^ slot_bias;
  __u64 one = 1;
  __u64 *count = bpf_map_lookup_elem(&read_calls, &tgid);
  if (count)
    __sync_fetch_and_add(count, 1);
  else
    bpf_map_update_elem(&read_calls, &tgid, &one, BPF_NOEXIST);
}

SEC("kprobe/ksys_read")
int trace_read_entry(void *ctx) {
  bump(0);
  return 0;
}

SEC("kretprobe/ksys_read")
int trace_read_return(void *ctx) {
  bump(0x80000000u);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";

// lsm_bpf: an LSM hook on the bpf() syscall that allows every command.
// Stands for the gate's kernel side in tests; needs BPF LSM to attach.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("lsm/bpf")
int BPF_PROG(check_bpf, int cmd, union bpf_attr *attr, unsigned int size) {
  return 0;
}

char LICENSE[] SEC("license") = "GPL";

// kprobe_multi_glob: a kprobe.multi program whose target is a glob, which
// libbpf expands to every matching kernel function (vfs_read, vfs_readv,
// vfs_readlink, ...): tests/cli/attach_targets_test.sh.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("kprobe.multi/vfs_rea*")
int count_reads(void *ctx) {
  return 0;
}

char LICENSE[] SEC("license") = "GPL";

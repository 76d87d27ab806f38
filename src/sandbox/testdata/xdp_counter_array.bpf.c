// The transparent gate sample with class_counts an array instead of a hash:
// the same instructions, a map of another shape (map_mismatch).
#define PQBPF_COUNTS_MAP_TYPE BPF_MAP_TYPE_ARRAY
#include "../../../examples/bpf/xdp_counter.bpf.c"

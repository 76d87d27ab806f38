// The transparent gate sample with one instruction changed (XDP_DROP for
// XDP_PASS): loads of it must match no signed program.
#define PQBPF_VERDICT XDP_DROP
#include "../../../examples/bpf/xdp_counter.bpf.c"

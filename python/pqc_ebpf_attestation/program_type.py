"""BPFProgramType: the kernel's program types plus the seed's refined names."""

from __future__ import annotations

import enum

__all__ = ["BPFProgramType"]


class BPFProgramType(str, enum.Enum):
    """A program type by the name bpftool and libbpf print (``.value``).

    Kernel types come first; KRETPROBE, UPROBE, URETPROBE (kernel type kprobe)
    and FENTRY, FEXIT (kernel type tracing) are the seed's finer names. UNSPEC
    in metadata means "infer the type from the object" when signing.
    """

    UNSPEC = "unspec"
    SOCKET_FILTER = "socket_filter"
    KPROBE = "kprobe"
    SCHED_CLS = "sched_cls"
    SCHED_ACT = "sched_act"
    TRACEPOINT = "tracepoint"
    XDP = "xdp"
    PERF_EVENT = "perf_event"
    CGROUP_SKB = "cgroup_skb"
    CGROUP_SOCK = "cgroup_sock"
    LWT_IN = "lwt_in"
    LWT_OUT = "lwt_out"
    LWT_XMIT = "lwt_xmit"
    SOCK_OPS = "sock_ops"
    SK_SKB = "sk_skb"
    CGROUP_DEVICE = "cgroup_device"
    SK_MSG = "sk_msg"
    RAW_TRACEPOINT = "raw_tracepoint"
    CGROUP_SOCK_ADDR = "cgroup_sock_addr"
    LWT_SEG6LOCAL = "lwt_seg6local"
    LIRC_MODE2 = "lirc_mode2"
    SK_REUSEPORT = "sk_reuseport"
    FLOW_DISSECTOR = "flow_dissector"
    CGROUP_SYSCTL = "cgroup_sysctl"
    RAW_TRACEPOINT_WRITABLE = "raw_tracepoint_writable"
    CGROUP_SOCKOPT = "cgroup_sockopt"
    TRACING = "tracing"
    STRUCT_OPS = "struct_ops"
    EXT = "ext"
    LSM = "lsm"
    SK_LOOKUP = "sk_lookup"
    SYSCALL = "syscall"
    NETFILTER = "netfilter"
    KRETPROBE = "kretprobe"
    UPROBE = "uprobe"
    URETPROBE = "uretprobe"
    FENTRY = "fentry"
    FEXIT = "fexit"

    def __str__(self) -> str:
        return self.value

// The OCI / Kubernetes seccomp profile that denies bpf() to a container:
// every other syscall is allowed (defaultAction SCMP_ACT_ALLOW) and bpf
// fails with EPERM. For pods that must not load BPF at all; it has no
// supervisor, so nothing is recorded (docs/SANDBOX.md).
#pragma once

#include <string>

namespace pqbpf::sandbox {

// Pretty-printed JSON, newline-terminated.
std::string oci_seccomp_profile();

}  // namespace pqbpf::sandbox

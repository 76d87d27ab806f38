// The OCI seccomp profile that denies bpf() (see seccomp_profile.h).
//
// Shape (runtime-spec config-linux.md, "seccomp"; Kubernetes
// securityContext.seccompProfile type Localhost reads the same file):
// defaultAction, architectures, syscalls[{names, action, errnoRet}].
#include "pqbpf/sandbox/seccomp_profile.h"

#include <cerrno>

#include <nlohmann/json.hpp>

namespace pqbpf::sandbox {

std::string oci_seccomp_profile() {
  nlohmann::ordered_json profile;
  profile["defaultAction"] = "SCMP_ACT_ALLOW";
  // The native architectures and their compat ABIs, so a 32-bit binary in
  // the pod cannot reach bpf() by another syscall number.
  profile["architectures"] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
                              "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"};
  profile["syscalls"] = nlohmann::ordered_json::array(
      {{{"names", {"bpf"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", EPERM}}});
  return profile.dump(2) + "\n";
}

}  // namespace pqbpf::sandbox

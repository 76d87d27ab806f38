// Is the BPF LSM there? The kernel lists its active LSMs in
// /sys/kernel/security/lsm ("lockdown,capability,landlock,bpf"); "bpf" must be
// among them (boot parameter lsm=...,bpf or CONFIG_LSM) for lsm programs to
// attach. Active is not enough: a locked-down kernel, or a process without
// CAP_BPF/CAP_SYS_ADMIN, is still refused, which only an attach attempt shows
// (GateLsm::start reports that as its error).
#pragma once

#include <string>
#include <string_view>

namespace pqbpf::lsm {

struct Availability {
  bool active = false;   // "bpf" is in the kernel's LSM list
  std::string lsm_list;  // the list as read ("" when unreadable)
  std::string detail;    // why not active, in one line
};

// Reads /sys/kernel/security/lsm (or `path`, for tests).
Availability detect(const std::string& path = "/sys/kernel/security/lsm");
// The parsing part: whether the comma-separated list names "bpf".
bool lsm_list_has_bpf(std::string_view list);

}  // namespace pqbpf::lsm

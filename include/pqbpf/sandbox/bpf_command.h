// The bpf(2) commands by name, for the sandbox's allow-list
// (`pqc-bpf run --allow-bpf-cmd map_create`) and for its records.
//
// The numbers are the kernel's `enum bpf_cmd` (a stable ABI). Commands this
// table does not know (newer kernels add some) can never be allowed: an
// unknown command might load code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pqbpf::sandbox {

// "map_create", "BPF_MAP_CREATE" and "bpf_map_create" all name command 0.
std::optional<std::uint32_t> bpf_command_by_name(std::string_view name);
// "map_create"; "cmd_<n>" for a number the table does not know.
std::string bpf_command_name(std::uint32_t cmd);
// Every command the table knows, lowest first (for usage text).
std::vector<std::string> known_bpf_command_names();

// True for BPF_PROG_LOAD: the one command whose effect depends on memory the
// caller can change after the supervisor has read it (the instructions), so
// it may never be answered with SECCOMP_USER_NOTIF_FLAG_CONTINUE.
bool bpf_command_loads_code(std::uint32_t cmd);

// Whether `cmd` may be put on the allow-list (answered with CONTINUE): a known
// command that cannot load code. Not BPF_PROG_TEST_RUN: it runs a program the
// caller names, and a BPF_PROG_TYPE_SYSCALL program run that way can load
// any instructions its context holds (bpf_sys_bpf), past every check here.
bool bpf_command_may_continue(std::uint32_t cmd);

// Why `cmd` can never be allowed (one line), or "" when it may be.
std::string why_never_allowed(std::uint32_t cmd);

}  // namespace pqbpf::sandbox

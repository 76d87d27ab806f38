// bpf(2) command names (see bpf_command.h).
#include "pqbpf/sandbox/bpf_command.h"

#include <linux/bpf.h>

#include <array>
#include <cctype>

namespace pqbpf::sandbox {
namespace {

// Index = the kernel's enum bpf_cmd value.
constexpr std::array<std::string_view, 37> kNames = {
    "map_create",         "map_lookup_elem",      "map_update_elem",
    "map_delete_elem",    "map_get_next_key",     "prog_load",
    "obj_pin",            "obj_get",              "prog_attach",
    "prog_detach",        "prog_test_run",        "prog_get_next_id",
    "map_get_next_id",    "prog_get_fd_by_id",    "map_get_fd_by_id",
    "obj_get_info_by_fd", "prog_query",           "raw_tracepoint_open",
    "btf_load",           "btf_get_fd_by_id",     "task_fd_query",
    "map_lookup_and_delete_elem", "map_freeze",   "btf_get_next_id",
    "map_lookup_batch",   "map_lookup_and_delete_batch", "map_update_batch",
    "map_delete_batch",   "link_create",          "link_update",
    "link_get_fd_by_id",  "link_get_next_id",     "enable_stats",
    "iter_create",        "link_detach",          "prog_bind_map",
    "token_create",
};
// The table follows the uapi header where the header has the command.
static_assert(BPF_MAP_CREATE == 0 && BPF_PROG_LOAD == 5 && BPF_BTF_LOAD == 18 &&
              BPF_LINK_CREATE == 28 && BPF_PROG_BIND_MAP == 35);

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<std::uint32_t> bpf_command_by_name(std::string_view name) {
  std::string n = lower(name);
  if (n.starts_with("bpf_")) n.erase(0, 4);
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == n) return static_cast<std::uint32_t>(i);
  }
  return std::nullopt;
}

std::string bpf_command_name(std::uint32_t cmd) {
  if (cmd < kNames.size()) return std::string(kNames[cmd]);
  return "cmd_" + std::to_string(cmd);
}

std::vector<std::string> known_bpf_command_names() {
  return {kNames.begin(), kNames.end()};
}

bool bpf_command_loads_code(std::uint32_t cmd) { return cmd == BPF_PROG_LOAD; }

bool bpf_command_may_continue(std::uint32_t cmd) { return why_never_allowed(cmd).empty(); }

std::string why_never_allowed(std::uint32_t cmd) {
  if (cmd >= kNames.size()) return "this build does not know it, and a newer kernel's command might load code";
  if (bpf_command_loads_code(cmd)) return "it loads code";
  if (cmd == BPF_PROG_TEST_RUN) {
    return "it runs programs, and a syscall program run with it can load unsigned code (bpf_sys_bpf)";
  }
  return "";
}

}  // namespace pqbpf::sandbox

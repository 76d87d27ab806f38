// Reading a small /proc file of another task (sandbox-internal).
#pragma once

#include <optional>
#include <string>

namespace pqbpf::sandbox::internal {

// The first 16 KiB of `path` (opened O_NOFOLLOW), or nullopt when it cannot
// be opened or read. /proc files of the workload are small; the bound keeps
// a hostile one from costing more.
std::optional<std::string> read_proc_file(const std::string& path);

}  // namespace pqbpf::sandbox::internal

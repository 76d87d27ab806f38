// Runs libbpf calls with its print hook redirected (internal).
//
// libbpf prints warnings to stderr through one process-wide hook. Every
// libbpf call of this module goes through with_libbpf_quiet(), which installs
// a hook that collects the calling thread's warning lines (the first of
// concurrent calls installs it, the last restores the previous hook), runs
// the call, and returns what was collected: a refused object then yields one
// clear error line instead of stderr noise. Calls on different threads run
// in parallel (libbpf is thread-safe for distinct objects).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace pqbpf::bpf::internal {

// Warning lines libbpf printed during `fn`, without the "libbpf: " prefix
// and trailing newline.
std::vector<std::string> with_libbpf_quiet(const std::function<void()>& fn);

}  // namespace pqbpf::bpf::internal

// Loaded probe programs kept for reuse (sandbox-internal).
//
// libbpf loads a trivial program before every object it loads (and its
// feature probes once per process); under the transparent gate each such
// probe used to be a kernel load, verification and JIT by the supervisor,
// then a free. A probe without a map has nothing of the caller in it: the
// same request always gives the same program. So the first load of each
// exact request is kept, and later probes get a new descriptor of it
// (F_DUPFD_CLOEXEC), which is what the caller would get from a fresh load
// of the same bytes. The kept programs are freed with the cache (when
// `pqc-bpf run` ends, or the daemon drops its envelope store).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "own_load.h"

namespace pqbpf::sandbox::internal {

class ProbeCache {
 public:
  // A descriptor of the program `request` loads: from the cache, or loaded
  // now (and kept when the kernel accepted it and there is room).
  OwnLoadResult load(const OwnLoadRequest& request);

 private:
  static constexpr std::size_t kMaxEntries = 16;
  struct Entry {
    UniqueFd fd;
    log::KernelProgram info;
  };
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;  // key: every field the kernel is given
};

}  // namespace pqbpf::sandbox::internal

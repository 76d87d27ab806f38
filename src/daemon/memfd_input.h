// Reading a client's memfd once (internal to the daemon).
//
// The descriptor must be a memfd (F_GET_SEALS works) sealed with at least
// F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW, so its bytes cannot change
// after the check: neither through write(2) nor a shared mapping (the kernel
// refuses F_SEAL_WRITE while a writable mapping exists). Only then is it
// read, once, with pread into memory; the gate judges and loads that copy.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pqbpf/result.h"

namespace pqbpf::daemon::internal {

Result<std::vector<std::uint8_t>> read_sealed_memfd(int fd, std::uint64_t max_size, const std::string& label);

}  // namespace pqbpf::daemon::internal

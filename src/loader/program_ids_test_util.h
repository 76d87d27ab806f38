// Tests: the kernel's program ids once the programs a test closed are gone.
#pragma once

#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "pqbpf/loader/loader.h"

namespace pqbpf::loader::test_util {

// The kernel frees a program some time after its last descriptor closes (an
// RCU grace period; the daemon also hands client descriptors to a closer
// thread), and later still on a busy machine. Waits up to 2 s for the ids to
// be `expected` again and returns what it last read: a program still listed
// then was left loaded.
inline std::vector<std::uint32_t> program_ids_settled_to(const std::vector<std::uint32_t>& expected) {
  std::vector<std::uint32_t> ids = kernel_program_ids();
  for (int i = 0; i < 100 && ids != expected; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ids = kernel_program_ids();
  }
  return ids;
}

}  // namespace pqbpf::loader::test_util

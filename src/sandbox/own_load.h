// The supervisor's own BPF_PROG_LOAD of instructions it copied and matched
// (sandbox-internal). The attribute is built here from checked values only:
// nothing of the workload's attribute is passed through unchecked, and no
// pointer into the workload is used.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "pqbpf/core/unique_fd.h"
#include "pqbpf/log/record.h"

namespace pqbpf::sandbox::internal {

struct OwnLoadRequest {
  std::uint32_t prog_type = 0;
  std::uint32_t expected_attach_type = 0;
  std::uint32_t prog_flags = 0;
  std::uint32_t kern_version = 0;
  std::string name;     // truncated to 15 bytes, characters the kernel refuses dropped
  std::string license;
  std::span<const std::uint8_t> insns;  // 8 bytes each
};

struct OwnLoadResult {
  UniqueFd fd;             // valid when loaded
  int error = 0;           // the kernel's errno otherwise
  log::KernelProgram info; // name, id and tag of the loaded program
};

OwnLoadResult load_program(const OwnLoadRequest& request);

}  // namespace pqbpf::sandbox::internal

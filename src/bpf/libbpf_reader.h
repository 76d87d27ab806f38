// Opening an object with the linked libbpf, never loading it (internal).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "pqbpf/bpf/object_info.h"

namespace pqbpf::bpf::internal {

struct LibbpfProgram {
  std::string name;
  std::string section;
  int kernel_type = 0;         // enum bpf_prog_type
  int expected_attach = 0;     // enum bpf_attach_type
  std::uint64_t insn_count = 0;  // bpf_program__insn_cnt() before load
};

struct LibbpfObject {
  bool opened = false;
  std::string failure;  // libbpf's reason when !opened
  std::vector<LibbpfProgram> programs;
  std::vector<MapInfo> maps;
};

// bpf_object__open_mem() on a private copy of `bytes`; no bpf() syscall is
// made. `name` becomes libbpf's object name (used in its messages).
LibbpfObject open_with_libbpf(std::span<const std::uint8_t> bytes, const std::string& name);

// "1.1" for the libbpf this binary runs with.
std::string linked_libbpf_version();

}  // namespace pqbpf::bpf::internal

// What each program calls and references (internal): helpers, kfuncs, maps.
//
// Scans the program's own instructions and those of every .text subprogram
// it reaches (the ranges count_reachable_insns found), in the file's bytes
// and byte order, with the relocations the ELF checks validated:
//   call, src_reg 0, no relocation            -> helper `imm`
//   call relocated against an undefined symbol -> kfunc (the symbol's name)
//   call, src_reg 2 (BPF_PSEUDO_KFUNC_CALL), no relocation -> a kfunc by BTF
//       id, named "btf_id#<imm>" (no name to judge, so no allow-list admits it)
//   ld_imm64 relocated against a symbol in a map section (.maps, maps,
//       maps/*) -> that map; in a data section (.data*, .rodata*, .bss*,
//       .kconfig) -> libbpf's internal map for it
// docs/INSPECT.md describes the result; docs/CAPABILITIES.md the classes.
#pragma once

#include <string>
#include <vector>

#include "elf_image.h"
#include "pqbpf/bpf/object_info.h"
#include "reachable_insns.h"

namespace pqbpf::bpf::internal {

// The object name libbpf is given when we open an object: its internal maps
// are then called "object.rodata", "object.bss", ... whatever the file's
// name, in `inspect` and in manifests alike.
constexpr const char* kLibbpfObjectName = "object";

// Facts of one stretch of code (a function), for tests and the reader.
struct CallFacts {
  std::vector<std::int32_t> helper_ids;  // sorted, unique
  std::vector<std::string> kfuncs;       // sorted, unique
  std::vector<MapReference> map_refs;    // sorted by name, unique
};
CallFacts scan_calls(const ElfImage& image, const ElfSection& section, std::uint64_t offset,
                     std::uint64_t size, const std::vector<MapInfo>& maps);

// Fills helper_ids, kfuncs, map_refs and calls_known of every program.
// `reached[i]` are the .text ranges program i reaches (from
// count_reachable_insns); a program whose reachable_insns is unknown gets
// its own function's facts and calls_known false.
void collect_program_calls(const ElfImage& image, const std::vector<MapInfo>& maps,
                           const std::vector<std::vector<TextRange>>& reached,
                           std::vector<ProgramInfo>& programs);

}  // namespace pqbpf::bpf::internal

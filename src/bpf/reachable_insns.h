// How many instructions a loader hands the kernel for each program (internal).
//
// A program's own function is only part of what gets loaded: libbpf 1.1
// (bpf_object__reloc_code) appends every .text subprogram the program
// reaches, through BPF-to-BPF calls (`call` with src_reg BPF_PSEUDO_CALL) and
// callback references (`ld_imm64` with src_reg BPF_PSEUDO_FUNC, e.g. for
// bpf_loop), transitively, each once. This file follows the same rules over
// the file's bytes and relocations, so a policy's max_insns can judge the
// whole program rather than its entry function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bpf_insn.h"
#include "elf_image.h"
#include "pqbpf/bpf/object_info.h"

namespace pqbpf::bpf::internal {

// Work cap for one object: call edges followed, summed over all programs
// (each program walks its own call graph). Far above any real object; past
// it the remaining programs' counts are unknown (docs/LIMITS.md).
constexpr std::uint64_t kMaxCallGraphSteps = 1u << 22;

// Sets ProgramInfo::reachable_insns of every program in `programs`: its own
// instruction count plus that of each reachable subprogram, counted once.
// Leaves it nullopt, and says why in `unknown`, when a call or callback
// cannot be resolved to a .text function (libbpf would refuse to load the
// object) or past kMaxCallGraphSteps.
//
// `reached`, when given, receives per program (same order) the .text
// functions it reaches, as byte ranges [offset, offset + size) of .text;
// empty for a program whose count is unknown. The capability reader
// (program_calls.cc) scans exactly these, so both agree on what is loaded.
struct TextRange {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};
void count_reachable_insns(const ElfImage& image, std::vector<ProgramInfo>& programs,
                           std::vector<std::string>& unknown,
                           std::vector<std::vector<TextRange>>* reached = nullptr);

// Where the instruction at byte `at` of `section` enters .text, by libbpf
// 1.1's rules (see reachable_insns.cc): a BPF-to-BPF call or a callback
// reference (an ld_imm64 of a .text function). `reloc` is the symbol of
// its relocation, nullptr when it has none. Neither text_insn nor failure
// set: the instruction enters no subprogram (a helper, a kfunc, a map).
struct SubprogTarget {
  std::optional<std::uint64_t> text_insn;  // .text instruction index
  bool callback = false;  // an address taken (bpf_loop & co.), not a call
  std::string failure;    // "" unless the target cannot be resolved
};
SubprogTarget resolve_subprog_target(const ElfImage& image, const ElfSection* text,
                                     const ElfSection& section, std::uint64_t at, const Insn& insn,
                                     const ElfSymbol* reloc);

}  // namespace pqbpf::bpf::internal

// One BPF instruction as stored in an object file, and what the readers of
// code (reachable_insns, program_calls, packet_writes) share to decode it
// (internal). Decoding follows the object's byte order: the two register
// nibbles and the offset swap with it, as in the kernel's struct bpf_insn.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>

#include "elf_image.h"

namespace pqbpf::bpf::internal {

constexpr std::uint64_t kInsnSize = 8;
constexpr std::uint8_t kOpCall = 0x85;     // BPF_JMP | BPF_CALL | BPF_K
constexpr std::uint8_t kOpLdImm64 = 0x18;  // BPF_LD | BPF_IMM | BPF_DW
constexpr std::uint8_t kPseudoCall = 1;        // call src_reg: BPF_PSEUDO_CALL
constexpr std::uint8_t kPseudoKfuncCall = 2;   // call src_reg: BPF_PSEUDO_KFUNC_CALL
constexpr std::uint8_t kPseudoFunc = 4;        // ld_imm64 src_reg: BPF_PSEUDO_FUNC

struct Insn {
  std::uint8_t code = 0;
  std::uint8_t dst = 0;
  std::uint8_t src = 0;
  std::int16_t off = 0;
  std::int32_t imm = 0;
};

// The instruction at byte `at` of `b`; the caller keeps at + 8 inside `b`.
inline Insn decode_insn(const ElfImage& image, std::span<const std::uint8_t> b, std::uint64_t at) {
  const bool big = image.endianness == Endianness::kBig;
  Insn insn;
  insn.code = b[at];
  const std::uint8_t regs = b[at + 1];
  insn.dst = big ? regs >> 4 : regs & 0x0f;
  insn.src = big ? regs & 0x0f : regs >> 4;
  const unsigned off = big ? (b[at + 2] << 8) | b[at + 3] : (b[at + 3] << 8) | b[at + 2];
  insn.off = static_cast<std::int16_t>(off);
  insn.imm = static_cast<std::int32_t>(image.read_u32(b, at + 4));
  return insn;
}

// libbpf's insn_is_subprog_call and insn_is_pseudo_func.
inline bool is_subprog_call(const Insn& i) {
  return i.code == kOpCall && i.src == kPseudoCall && i.dst == 0 && i.off == 0;
}
inline bool is_pseudo_func(const Insn& i) { return i.code == kOpLdImm64 && i.src == kPseudoFunc; }

// A section's relocations by byte offset -> symbol index (parse_elf_image
// checked that each points at a whole instruction and names a symbol).
inline std::unordered_map<std::uint64_t, std::uint32_t> relocations_by_offset(const ElfSection& section) {
  std::unordered_map<std::uint64_t, std::uint32_t> out;
  for (const auto& r : section.relocations) out.emplace(r.offset, r.symbol);
  return out;
}

}  // namespace pqbpf::bpf::internal

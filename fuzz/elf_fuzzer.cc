// Fuzz target: inspect_object (ELF / .bpf.o inspection via libbpf and the
// libelf fallback).
//
// Objects come from anyone who can hand the gate a file. Besides not
// crashing, the facts reported must be self-consistent: every program's
// hashed byte range is insn_count * 8 bytes, hashes are 64 hex digits, and
// the reader is one of the two documented ones.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "fuzz_check.h"
#include "pqbpf/bpf/object_info.h"

namespace {
bool is_hex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto info = pqbpf::bpf::inspect_object(std::span<const std::uint8_t>(data, size), "fuzz.bpf.o");
  if (!info.ok()) {
    FUZZ_CHECK(!info.error().message.empty(), "errors carry a message");
    return 0;
  }
  FUZZ_CHECK(info->reader == "libbpf" || info->reader == "elf", "known reader");
  for (const auto& program : info->programs) {
    FUZZ_CHECK(program.size == program.insn_count * 8, "program size is insn_count * 8");
    FUZZ_CHECK(program.section_offset <= size && program.size <= size, "program bytes lie in the file");
    FUZZ_CHECK(is_hex64(program.insn_sha3_256), "program hash is lowercase hex");
    FUZZ_CHECK(!program.reachable_insns || *program.reachable_insns >= program.insn_count,
               "a program's reachable instructions include its own");
    FUZZ_CHECK(pqbpf::bpf::find_program(*info, program.name) != nullptr, "find_program finds it");
    (void)pqbpf::bpf::program_type_label(program);
  }
  for (const auto& section : info->code_sections) {
    FUZZ_CHECK(section.size <= size, "code section lies in the file");
    FUZZ_CHECK(is_hex64(section.sha3_256), "section hash is lowercase hex");
  }
  return 0;
}

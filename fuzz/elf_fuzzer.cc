// Fuzz target: inspect_object (ELF / .bpf.o inspection via libbpf and the
// libelf fallback).
//
// Objects come from anyone who can hand the gate a file. Besides not
// crashing, the facts reported must be self-consistent: every program's
// hashed byte range is insn_count * 8 bytes, hashes are 64 hex digits, and
// the reader is one of the two documented ones; each program's helper,
// kfunc and map lists are sorted and unique, complete only when its
// subprograms resolved, a direct packet writer has a known type, and the
// JSON form (inspect --json) serialises.
#include <cstddef>
#include <cstdint>
#include <span>
#include <algorithm>
#include <string>

#include "fuzz_check.h"
#include "pqbpf/bpf/object_format.h"
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
    FUZZ_CHECK(std::adjacent_find(program.helper_ids.begin(), program.helper_ids.end(),
                                  [](auto a, auto b) { return a >= b; }) == program.helper_ids.end(),
               "helper ids are sorted and unique");
    FUZZ_CHECK(std::adjacent_find(program.kfuncs.begin(), program.kfuncs.end(),
                                  [](const auto& a, const auto& b) { return a >= b; }) == program.kfuncs.end(),
               "kfuncs are sorted and unique");
    FUZZ_CHECK(std::adjacent_find(program.map_refs.begin(), program.map_refs.end(),
                                  [](const auto& a, const auto& b) { return a.name >= b.name; }) ==
                   program.map_refs.end(),
               "map references are sorted by name and unique");
    FUZZ_CHECK(!program.calls_known || program.reachable_insns.has_value(),
               "calls are known only when the subprograms resolved");
    // The direct packet write analysis runs on hostile code too: it must end
    // (its step cap) and only judge programs of a known (packet) type.
    FUZZ_CHECK(!program.writes_packet_directly || program.type.has_value(),
               "only a program of known type writes packets directly");
  }
  // Every string is printable, so the JSON form never throws.
  FUZZ_CHECK(!pqbpf::bpf::object_info_to_json(*info).dump().empty(), "inspect --json serialises");
  FUZZ_CHECK(!pqbpf::bpf::format_object_info_text(*info).empty(), "inspect's table renders");
  for (const auto& section : info->code_sections) {
    FUZZ_CHECK(section.size <= size, "code section lies in the file");
    FUZZ_CHECK(is_hex64(section.sha3_256), "section hash is lowercase hex");
  }
  return 0;
}

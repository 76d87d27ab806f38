// What a .bpf.o object holds, read from its bytes (never loaded).
//
// Produced by inspect_object() (libbpf's bpf_object__open_mem, with a
// libelf-level fallback for objects libbpf 1.1 refuses). Consumed by the
// signer (manifest format 2), the verifier (program_mismatch) and the policy.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pqbpf/core/program_type.h"
#include "pqbpf/result.h"

namespace pqbpf::bpf {

struct ProgramInfo {
  std::string name;           // function symbol name
  std::string section;        // ELF section, e.g. "kprobe/do_sys_openat2"
  std::optional<BPFProgramType> type;  // nullopt when it cannot be known
  std::string expected_attach_type;    // libbpf's name, "" when none/unknown
  std::string attach_target;  // from the section name ("do_sys_openat2"), "" if none
  std::uint64_t insn_count = 0;
  std::string insn_sha3_256;  // lowercase hex of the program's instruction bytes
};

struct MapInfo {
  std::string name;
  std::string type;  // libbpf map type name ("hash", "array", ...), "unknown" if not known
  std::uint32_t key_size = 0;
  std::uint32_t value_size = 0;
  std::uint32_t max_entries = 0;
};

enum class Endianness { kLittle, kBig };

struct ObjectInfo {
  std::vector<ProgramInfo> programs;  // in ELF section order, then symbol order
  std::vector<MapInfo> maps;
  std::string license;  // "" when the object has no license section
  bool has_btf = false;
  bool has_btf_ext = false;
  Endianness endianness = Endianness::kLittle;
  // "libbpf" when libbpf opened the object, "elf" for the fallback reader.
  std::string reader;
  // Parts the fallback could not determine, e.g. "program types", "maps".
  std::vector<std::string> unknown;
  std::string libbpf_version;  // e.g. "1.1"
};

// Reads the object from memory. `label` names it in error messages (a path).
// Corrupt or non-BPF input gives kParse with one clear line.
Result<ObjectInfo> inspect_object(std::span<const std::uint8_t> bytes, const std::string& label);

}  // namespace pqbpf::bpf

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
#include <string_view>
#include <vector>

#include "pqbpf/core/program_type.h"
#include "pqbpf/result.h"

namespace pqbpf::bpf {

// A map a program references (a 64-bit load relocated against a map
// definition or a data section), with the map's type.
struct MapReference {
  std::string name;  // as in ObjectInfo::maps ("object.rodata" for .rodata)
  std::string type;  // libbpf's map type name, "unknown" when not known
  friend bool operator==(const MapReference&, const MapReference&) = default;
};

struct ProgramInfo {
  std::string name;           // function symbol name
  std::string section;        // ELF section, e.g. "kprobe/do_sys_openat2"
  // The kernel program type (enum bpf_prog_type): kprobe for kretprobe/
  // uprobe sections, tracing for fentry/fexit. nullopt when libbpf 1.1 does
  // not recognise the section name (it would say "unspec").
  std::optional<BPFProgramType> type;
  // The seed's finer name when the section says more than the kernel type:
  // kretprobe, uprobe, uretprobe (type kprobe), fentry, fexit (type tracing).
  // nullopt otherwise. docs/INSPECT.md lists the section prefixes.
  std::optional<BPFProgramType> refined_type;
  std::string expected_attach_type;    // libbpf's name, "" when none/unknown
  std::string attach_target;  // from the section name ("do_sys_openat2"), "" if none
  std::uint64_t insn_count = 0;  // the entry function's own instructions (what format 2 signs)
  // What a loader hands the kernel: insn_count plus every .text subprogram
  // reachable through BPF-to-BPF calls and callback references (bpf_loop
  // and the like), transitively, each counted once, as libbpf 1.1 appends
  // them at load. Policies judge max_insns on this. nullopt when a call
  // cannot be resolved (libbpf would refuse the object) or past the walk's
  // cap; `ObjectInfo::unknown` then says why. docs/INSPECT.md.
  std::optional<std::uint64_t> reachable_insns;
  std::string insn_sha3_256;  // lowercase hex of the program's instruction bytes
  // Where those bytes are: offset of the function in its section and length
  // (insn_count * 8). The hashed bytes are section[offset, offset+size) as
  // stored in the file (no relocation applied, file byte order).
  std::uint64_t section_offset = 0;
  std::uint64_t size = 0;
  // What the program can do (docs/CAPABILITIES.md), over its own code and
  // every .text subprogram it reaches (the same walk as reachable_insns):
  // helper ids from `call` instructions with src_reg 0 (sorted, unique;
  // names and classes in pqbpf/bpf/capabilities.h), kfunc names from calls
  // relocated against undefined symbols (sorted, unique), and the maps its
  // 64-bit loads reference (sorted by name, unique).
  std::vector<std::int32_t> helper_ids;
  std::vector<std::string> kfuncs;
  std::vector<MapReference> map_refs;
  // false when the subprograms could not be resolved (reachable_insns is
  // nullopt): the three lists then cover the program's own function only,
  // and a policy with capability rules denies it.
  bool calls_known = false;
  // true when the program may store into packet bytes with plain stores
  // through the packet pointers of its context (no helper), over the same
  // code as helper_ids; only types the kernel lets write packets directly
  // (xdp, tc, lwt_xmit, sk_skb, sk_msg, cgroup_sockopt). Over-approximated:
  // true, with a line in ObjectInfo::unknown, when the reader cannot tell.
  // Gives the program class packet_write (docs/CAPABILITIES.md).
  bool writes_packet_directly = false;
};

// A non-empty executable (SHF_EXECINSTR) section: programs and subprograms
// (.text) alike, so code that no listed program covers is still visible.
struct CodeSectionInfo {
  std::string name;
  std::uint64_t size = 0;
  std::string sha3_256;  // lowercase hex of the section's bytes in the file
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
  std::vector<CodeSectionInfo> code_sections;  // section table order
  std::string license;  // "" when the object has no license section
  bool has_btf = false;
  bool has_btf_ext = false;
  Endianness endianness = Endianness::kLittle;
  // "libbpf" when libbpf opened the object, "elf" for the fallback reader.
  std::string reader;
  // Parts the fallback could not determine, e.g. "program types", "maps".
  std::vector<std::string> unknown;
  std::string libbpf_version;  // e.g. "1.1"
  // Why libbpf could not be used when reader == "elf" (libbpf's own message,
  // e.g. "Endian mismatch"); "" when reader == "libbpf".
  std::string fallback_reason;
};

// Reads the object from memory. `label` names it in error messages (a path).
// Corrupt or non-BPF input gives kParse with one clear line.
// Thread-safe (libbpf's global print hook is taken under a mutex).
Result<ObjectInfo> inspect_object(std::span<const std::uint8_t> bytes, const std::string& label);

// read_file(path, kMaxObjectFileSize) then inspect_object(bytes, path).
Result<ObjectInfo> inspect_object_file(const std::string& path);

// The program of `info` named `name`, or nullptr.
const ProgramInfo* find_program(const ObjectInfo& info, std::string_view name);

// "kprobe", or "kretprobe" when refined_type is set, "unknown" when type is
// nullopt: the most specific type name for display and policy matching.
std::string_view program_type_label(const ProgramInfo& program);

}  // namespace pqbpf::bpf

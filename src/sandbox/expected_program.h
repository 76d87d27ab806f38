// What a loader hands the kernel for each program of a verified object, and
// which fields of it the loader fills in (sandbox-internal).
//
// derive_expected_programs() asks libbpf itself (the library the loaders we
// admit are built on) to relocate the verified object bytes, in its
// gen_loader mode: bpf_object__load() then lays out every program exactly as
// for a real load (subprograms appended, call offsets fixed, map references
// resolved) but records the bpf() calls instead of making them, and leaves a
// map reference as BPF_PSEUDO_MAP_IDX / BPF_PSEUDO_MAP_IDX_VALUE with the
// map's index in the object. Those two kinds of ld_imm64 are the only fields
// a loader fills in that the match masks (kMapFd / kMapValue slots); every
// other byte must equal the signed one, except CO-RE-relocated fields, which
// kernel_values.h sets to what libbpf computes for the running kernel.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pqbpf/result.h"

namespace pqbpf::sandbox::internal {

// A map of the object as libbpf would create it.
struct ExpectedMap {
  std::string name;           // libbpf's name ("counts", "xdp_coun.rodata")
  bool internal = false;      // .data/.rodata/.bss/.kconfig
  // For an internal map, the part of the name after the loader-chosen object
  // prefix (".rodata"); the kernel's name must end with it.
  std::string internal_suffix;
  std::uint32_t type = 0;     // enum bpf_map_type
  std::uint32_t key_size = 0;
  std::uint32_t value_size = 0;
  // For .rodata maps: the signed contents (the object's section bytes, as
  // libbpf would fill the map), which the kernel map must hold; for .kconfig:
  // the values libbpf reads from this kernel's configuration
  // (kernel_values.h). Other maps' contents are not bound
  // (docs/TRANSPARENT_GATE.md).
  bool bind_contents = false;
  std::vector<std::uint8_t> contents;
};

// A loader-filled field: the ld_imm64 at instruction `insn` takes a map fd
// (and, for kMapValue, an offset into its value in the second half, which is
// not masked).
struct MapSlot {
  enum class Kind { kMapFd, kMapValue };
  std::uint32_t insn = 0;
  Kind kind = Kind::kMapFd;
  std::uint32_t map = 0;  // index into ExpectedObject::maps
};

struct ExpectedProgram {
  std::string name;
  std::string section;
  std::uint32_t prog_type = 0;             // enum bpf_prog_type
  std::uint32_t expected_attach_type = 0;  // enum bpf_attach_type
  std::uint32_t prog_flags = 0;            // BPF_F_* libbpf passes
  // The instructions as loaded, 8 bytes each, little-endian; the slot fields
  // hold libbpf's placeholders (src_reg 5/6, imm = map index).
  std::vector<std::uint8_t> insns;
  std::vector<MapSlot> slots;
  // SHA3-256 (hex) of `insns` with each slot's src_reg and first imm zeroed:
  // the digest of what is bound exactly.
  std::string masked_sha3_256;
  // CO-RE-relocated instructions (core_relocs.h): indexes inside the entry
  // function, and how many relocations the appended subprograms may hold.
  std::uint64_t entry_insns = 0;
  std::vector<std::uint32_t> core_insns;
  std::size_t core_in_subprograms = 0;
  // How many instructions hold the CO-RE values libbpf computes for the
  // running kernel (kernel_values.h) instead of the compiled ones; when it is
  // false the CO-RE fields bind the signed values.
  bool core_from_kernel = false;
  std::size_t core_fields_relocated = 0;
  // Whether it reads the .kconfig map (first at kconfig_insn), whose bound
  // contents kernel_values.h sets.
  bool reads_kconfig = false;
  std::uint32_t kconfig_insn = 0;
  // Calls of kernel functions (kfuncs); while kfuncs_pending, `unmatchable`
  // says so for them alone, until kernel_values.h sets their BTF ids.
  std::vector<std::uint32_t> kfunc_insns;
  bool kfuncs_pending = false;
  // "" when a loader's load of this program can be matched; otherwise why
  // not (a kfunc, a kernel variable, a callback needing BTF func_info, ...).
  std::string unmatchable;
};

struct ExpectedObject {
  std::vector<ExpectedMap> maps;
  std::vector<ExpectedProgram> programs;
};

// SHA3-256 (hex) of p.insns with each of p.slots masked (masked_sha3_256).
std::string masked_digest(const ExpectedProgram& p);

// The BPF_F_* flags libbpf adds to a program's load from its section name
// (sleepable `.s` kinds and `syscall`; BPF_F_XDP_HAS_FRAGS for `xdp.frags`).
std::uint32_t flags_libbpf_adds(std::string_view section, std::uint32_t prog_type);

// Relocates `object` (verified bytes) with libbpf's gen_loader. kParse with
// one line naming `label` when libbpf refuses the object.
Result<ExpectedObject> derive_expected_programs(std::span<const std::uint8_t> object,
                                                const std::string& label);

}  // namespace pqbpf::sandbox::internal

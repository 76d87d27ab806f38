// Where a verified object's CO-RE relocations are (sandbox-internal).
//
// libbpf rewrites a CO-RE-relocated field (a field offset, size, existence
// or type id) for the running kernel before the load. These positions say
// which instructions kernel_values.h may set to this kernel's values (and let
// a refusal name such a field; docs/TRANSPARENT_GATE.md). Read from .BTF.ext's
// core_relo records (the BTF.ext layout of linux/include/linux/btf.h:
// header, then per section: name offset into .BTF's strings, count,
// records of {insn_off, type_id, access_str_off, kind}).
#pragma once

#include <span>

#include "expected_program.h"
#include "pqbpf/bpf/object_info.h"

namespace pqbpf::sandbox::internal {

// Sets core_insns / core_in_subprograms / entry_insns of every program in
// `expected` from `object` (verified bytes) and the reader's `info`
// (section and offset of each entry function). An object without BTF.ext,
// or one whose BTF.ext cannot be read, gets no positions.
void annotate_core_relocs(ExpectedObject& expected, std::span<const std::uint8_t> object,
                          const bpf::ObjectInfo& info);

}  // namespace pqbpf::sandbox::internal

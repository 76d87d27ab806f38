// CO-RE values for the running kernel (sandbox-internal).
//
// libbpf's gen_loader mode, which derive_expected_programs() uses, leaves
// CO-RE-relocated fields at their compiled values (a light skeleton lets the
// kernel relocate them). A loader built on plain libbpf rewrites them for the
// running kernel's BTF before its load. apply_kernel_core_values() asks
// libbpf for those values too: it relocates the verified bytes again in
// libbpf's normal mode, against this kernel, without loading anything
// (every map is the same placeholder map, every program's load is made to
// fail in the kernel's first check), and copies the relocated fields into
// the expected programs. Only fields at CO-RE-relocated instructions
// (core_relocs.h) may change; any other difference leaves the program as it
// was (its CO-RE fields then bind the signed values).
#pragma once

#include <span>
#include <string>

#include "expected_program.h"

namespace pqbpf::sandbox::internal {

// Updates the programs of `expected` that have CO-RE relocations
// (core_insns / core_in_subprograms set by annotate_core_relocs) and sets
// their core_from_kernel. Returns "" or, when libbpf could not relocate the
// object for this kernel, one sentence saying why (the programs are then
// left unchanged).
std::string apply_kernel_core_values(ExpectedObject& expected, std::span<const std::uint8_t> object);

}  // namespace pqbpf::sandbox::internal

// Values a loader computes for the running kernel (sandbox-internal): CO-RE
// fields, kfunc BTF ids and .kconfig contents.
//
// libbpf's gen_loader mode, which derive_expected_programs() uses, leaves
// CO-RE-relocated fields at their compiled values and .kconfig unread (a
// light skeleton lets the kernel relocate and its loader program read the
// config). A loader built on plain libbpf rewrites the fields for the running
// kernel's BTF and fills the .kconfig map from this kernel's configuration
// before its load. apply_kernel_values() asks libbpf for those values too: it
// relocates the verified bytes again in libbpf's normal mode, against this
// kernel, without loading any program (every map but .kconfig is the same
// placeholder map; every program's type is cleared, so libbpf stops before
// its first program load), copies the relocated fields and the BTF ids of
// called kernel functions (not a module's: those need an fd_array the gate
// does not pass) into the expected programs and the .kconfig values into the
// expected map, whose contents the map check then binds like .rodata's. Only
// fields at CO-RE-relocated instructions (core_relocs.h) may change; any
// other difference leaves the program as it was (its CO-RE fields then bind
// the signed values). A program reading .kconfig whose values libbpf could
// not read here, or calling a kfunc that cannot be bound, is unmatchable.
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
std::string apply_kernel_values(ExpectedObject& expected, std::span<const std::uint8_t> object);

}  // namespace pqbpf::sandbox::internal

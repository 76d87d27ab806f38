// BTF-defined maps (the ".maps" section) read from BTF alone (internal).
//
// The ELF fallback uses this for objects libbpf cannot open, notably
// big-endian ones: libbpf's btf__new() parses BTF of either byte order, and
// the map attributes are encoded in types, as libbpf's __uint()/__type()
// macros write them: __uint(name, N) is a pointer to an array of N elements,
// __type(name, T) is a pointer to T.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "pqbpf/bpf/object_info.h"

namespace pqbpf::bpf::internal {

// Maps of the ".maps" DATASEC; nullopt when the BTF cannot be parsed or a
// definition is not in the expected shape. Call check_btf() first.
std::optional<std::vector<MapInfo>> btf_defined_maps(std::span<const std::uint8_t> btf_bytes);

}  // namespace pqbpf::bpf::internal

// Structural check of an object's .BTF before libbpf 1.1 opens it (internal).
//
// libbpf 1.1's btf__new() checks sizes and kinds but not that type ids and
// name offsets point inside the BTF, nor that modifier/typedef chains end;
// bpf_object__open then follows those references and can crash or loop on a
// damaged object. This check refuses such BTF with one line first.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "pqbpf/result.h"

namespace pqbpf::bpf::internal {

// Longest chain of non-pointer references (const, typedef, array element,
// var, func -> proto, tags) accepted; real BTF stays in single digits.
constexpr int kMaxBtfChain = 64;

// `btf_bytes` is the .BTF section in host byte order. kParse on failure.
Status check_btf(std::span<const std::uint8_t> btf_bytes, const std::string& label);

}  // namespace pqbpf::bpf::internal

// Fresh randomness from the kernel (getrandom(2)), for key seeds and hedged
// signing. There is no fallback: if the kernel cannot give randomness, the
// caller gets an error rather than weak bytes.
#pragma once

#include <cstdint>
#include <span>

#include "pqbpf/result.h"

namespace pqbpf::crypto {

Status random_bytes(std::span<std::uint8_t> out);

}  // namespace pqbpf::crypto

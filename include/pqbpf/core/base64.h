// Standard base64 (RFC 4648, with padding), strict: no whitespace, no missing
// padding, no non-zero trailing bits, so every byte string has exactly one
// accepted encoding. Encoding by libsodium, decoding by OpenSSL (base64.cc).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pqbpf/result.h"

namespace pqbpf {

std::string base64_encode(std::span<const std::uint8_t> data);
Result<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace pqbpf

// base64 via libsodium's constant-time codec (ORIGINAL variant, padded).
#include "pqbpf/core/base64.h"

#include <sodium.h>

namespace pqbpf {

std::string base64_encode(std::span<const std::uint8_t> data) {
  constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_ENCODED_LEN(data.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), data.data(), data.size(), kVariant);
  out.resize(out.size() - 1);  // drop the NUL terminator sodium writes
  return out;
}

Result<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return make_error(ErrorCode::kParse, "invalid base64: length is not a multiple of 4");
  }
  std::vector<std::uint8_t> out(text.size() / 4 * 3);
  std::size_t out_len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &out_len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return make_error(ErrorCode::kParse, "invalid base64");
  }
  out.resize(out_len);
  return out;
}

}  // namespace pqbpf

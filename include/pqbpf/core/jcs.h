// RFC 8785 JSON Canonicalization Scheme (JCS): the one byte string a JSON
// value is signed as. Manifests are signed over these bytes, so any two
// implementations that agree on the value agree on the signed message.
//
// Choices (see docs/FORMAT.md):
// - Object members are sorted by the UTF-16 code units of their names
//   (RFC 8785 section 3.2.3), arrays keep their order.
// - Strings use the minimal RFC 8785 escaping: \" \\ \b \f \n \r \t, other
//   controls as \u00xx (lowercase hex), everything else as raw UTF-8.
//   Invalid UTF-8 in a string is an error.
// - Numbers: only integers with |n| <= 2^53 - 1 (exactly representable as an
//   IEEE 754 double, so ES6 formatting is plain decimal). Non-integer numbers
//   are refused (kUnsupported): manifests never contain them, and refusing is
//   safer than a second float formatter that might disagree with ES6.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "pqbpf/core/json_strict.h"
#include "pqbpf/result.h"

namespace pqbpf {

constexpr std::int64_t kJcsMaxSafeInteger = (std::int64_t{1} << 53) - 1;

// Canonical serialisation of an in-memory value.
Result<std::string> jcs_serialize(const nlohmann::json& value);

// Strict parse (parse_json_strict: duplicate keys, depth, size) then JCS.
// canonicalize(canonicalize(x)) == canonicalize(x) for every accepted x.
Result<std::string> canonicalize(std::string_view json_text, const std::string& label = "json",
                                 const JsonLimits& limits = {});

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view text);

}  // namespace pqbpf

// Strict JSON parsing for every JSON document the gate reads (envelopes, key
// files, .pub files, JSON policies, log records).
//
// On top of RFC 8259 (which nlohmann already enforces, UTF-8 included) this
// refuses duplicate object keys (two parsers could otherwise disagree on which
// value counts), nesting past a depth limit, and input past a size limit.
// Errors name the line and column where the parser stopped.
//
// A document that holds secrets (a private key file) is parsed with
// JsonEcho::kNeverShowInput: its errors then never quote the input (no
// token, no key name, no value), so a truncated or corrupted key file cannot
// put its seed on a terminal or into a --json report (issue 11.5).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "pqbpf/result.h"

namespace pqbpf {

struct JsonLimits {
  std::size_t max_bytes = 1u << 20;
  std::size_t max_depth = 32;
};

enum class JsonEcho {
  kShowInput,       // errors may quote the offending token or key (bounded)
  kNeverShowInput,  // errors name only the line, column and kind of problem
};

// `label` (usually a path) prefixes error messages: "<label>: line 3, column 7: ...".
// A leading UTF-8 byte order mark and a NUL byte anywhere are refused
// ("<label>: byte N: ..."): the parser would skip the one and stop at the other.
Result<nlohmann::json> parse_json_strict(std::string_view text, const std::string& label,
                                         const JsonLimits& limits = {},
                                         JsonEcho echo = JsonEcho::kShowInput);

// Checks that `object` is a JSON object whose keys are exactly `required` plus
// any subset of `optional`; names the first missing key, and the first
// unknown key unless `echo` is kNeverShowInput.
Status check_json_keys(const nlohmann::json& object, std::initializer_list<std::string_view> required,
                       std::initializer_list<std::string_view> optional, const std::string& label,
                       JsonEcho echo = JsonEcho::kShowInput);

}  // namespace pqbpf

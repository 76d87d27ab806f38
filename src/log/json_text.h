// Internal: the log's own compact JSON writer. Records are hashed byte for
// byte, so the writer (not a generic library) fixes the key order and the
// escaping; invalid UTF-8 becomes U+FFFD so any input can be recorded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pqbpf::log::internal {

// Appends `text` as a JSON string literal (quotes included), truncated to
// `max_bytes` of input at a character boundary.
void append_json_string(std::string& out, std::string_view text, std::size_t max_bytes);
void append_json_optional(std::string& out, const std::optional<std::string>& text,
                          std::size_t max_bytes);
void append_key(std::string& out, std::string_view key, bool first = false);

}  // namespace pqbpf::log::internal

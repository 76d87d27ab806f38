// Attach-target glob patterns: '*' matches any run of characters (also
// empty), '?' exactly one; every other character matches itself. No classes
// and no escapes, so every string is a valid pattern. Linear-time matching
// (no backtracking blow-up on hostile patterns).
#pragma once

#include <string_view>

namespace pqbpf::policy {

bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace pqbpf::policy

// Attach-target glob patterns: '*' matches any run of characters (also
// empty), '?' exactly one; every other character matches itself. No classes
// and no escapes, so every string is a valid pattern. Linear-time matching
// (no backtracking blow-up on hostile patterns).
#pragma once

#include <string_view>

namespace pqbpf::policy {

bool glob_match(std::string_view pattern, std::string_view text);

// True when `text` holds a character some glob reader treats as special
// ('*', '?', '['): libbpf expands kprobe.multi and uprobe.multi targets
// written this way to every matching symbol.
bool has_glob_metacharacters(std::string_view text);

// True only when every name the glob `target` can match is matched by
// `pattern`, so admitting the target admits nothing the pattern would not.
// The target is read as libbpf reads it ('*', '?') except that from its
// first '[' on it is taken to match anything (a reader with character
// classes would widen it there). Never true when some name escapes; on
// every pair of short globs the tests try, exactly the inclusion.
bool glob_covers(std::string_view pattern, std::string_view target);

}  // namespace pqbpf::policy

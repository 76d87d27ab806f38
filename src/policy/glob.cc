// Glob matching with one remembered star: on a mismatch, retry from the last
// '*' with one more character consumed. O(|pattern| * |text|) worst case.
#include "glob.h"

#include <cstddef>

namespace pqbpf::policy {

bool glob_match(std::string_view pattern, std::string_view text) {
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;  // position after the last '*'
  std::size_t star_text = 0;                  // text position that star resumes from
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = ++p;
      star_text = t;
      continue;
    }
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
      continue;
    }
    if (star == std::string_view::npos) return false;
    p = star;
    t = ++star_text;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace pqbpf::policy

// Glob matching with one remembered star: on a mismatch, retry from the last
// '*' with one more symbol consumed. O(|pattern| * |text|) worst case.
//
// The same walk decides coverage of one glob by another: it matches the
// pattern against the target's symbols, where a pattern '*' may swallow any
// run of them (wildcards included), a pattern '?' one literal or '?' (never
// a '*', which may stand for no character or many), and a literal only the
// same literal. Any such match carries over to every name the target
// matches, which is what makes the answer sound.
#include "glob.h"

#include <cstddef>
#include <string>

namespace pqbpf::policy {
namespace {

// `matches_one(pattern_char, text_index)`: whether a non-star pattern
// character consumes text[text_index].
template <typename MatchesOne>
bool star_walk(std::string_view pattern, std::string_view text, MatchesOne matches_one) {
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
    if (p < pattern.size() && matches_one(pattern[p], t)) {
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

// Within every run of wildcards, the '?'s first and at most one '*' after
// them: "*?*" and "?*" match the same names, and the walk above only
// recognises the latter shape as covering the former.
std::string canonical_wildcards(std::string_view glob) {
  std::string out;
  out.reserve(glob.size());
  std::size_t i = 0;
  while (i < glob.size()) {
    if (glob[i] != '*' && glob[i] != '?') {
      out += glob[i++];
      continue;
    }
    bool star = false;
    for (; i < glob.size() && (glob[i] == '*' || glob[i] == '?'); ++i) {
      if (glob[i] == '*') {
        star = true;
      } else {
        out += '?';
      }
    }
    if (star) out += '*';
  }
  return out;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  return star_walk(pattern, text,
                   [&](char c, std::size_t t) { return c == '?' || c == text[t]; });
}

bool has_glob_metacharacters(std::string_view text) {
  return text.find_first_of("*?[") != std::string_view::npos;
}

bool glob_covers(std::string_view pattern, std::string_view target) {
  std::string widened(target.substr(0, target.find('[')));
  if (widened.size() < target.size()) widened += '*';
  const std::string symbols = canonical_wildcards(widened);
  const std::string canonical_pattern = canonical_wildcards(pattern);
  return star_walk(canonical_pattern, symbols, [&](char c, std::size_t t) {
    // c is never '*' here: the walk handles the pattern's stars itself.
    return c == '?' ? symbols[t] != '*' : symbols[t] == c;
  });
}

}  // namespace pqbpf::policy

// Glob matching with one remembered star: on a mismatch, retry from the last
// '*' with one more character consumed. O(|pattern| * |text|) worst case.
//
// Coverage of one glob by another uses the same walk over the target's
// symbols instead of a name. Each run of the pattern's wildcards with a star
// ("?*", "*??*") becomes one star that must swallow at least as many
// symbols standing for one character (literals, '?') as the run has '?'s,
// and any number of the target's '*'s; a lone '?' takes one literal or '?'
// (never a '*', which may stand for no character or many); a literal takes
// only the same literal. Any such match carries over to every name the
// target matches, which is what makes the answer sound.
#include "glob.h"

#include <cstddef>
#include <string>
#include <vector>

namespace pqbpf::policy {
namespace {

// One element of a pattern, as the coverage walk reads it.
struct PatternToken {
  enum Kind { kLiteral, kOne, kStar } kind;
  char literal = 0;            // kLiteral
  std::size_t min_chars = 0;   // kStar: '?'s in its run
};

std::vector<PatternToken> tokens_of(std::string_view pattern) {
  std::vector<PatternToken> out;
  std::size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] != '*' && pattern[i] != '?') {
      out.push_back({PatternToken::kLiteral, pattern[i++]});
      continue;
    }
    bool star = false;
    std::size_t ones = 0;
    for (; i < pattern.size() && (pattern[i] == '*' || pattern[i] == '?'); ++i) {
      if (pattern[i] == '*') {
        star = true;
      } else {
        ++ones;
      }
    }
    if (star) {
      out.push_back({PatternToken::kStar, 0, ones});
    } else {
      out.insert(out.end(), ones, PatternToken{PatternToken::kOne});
    }
  }
  return out;
}

// Within every run of the target's wildcards, its '?'s first and at most one
// '*' after them ("*?*" and "?*" match the same names), so that the walk
// meets a run's one-character symbols before its star.
std::string canonical_target(std::string_view target) {
  std::string out;
  out.reserve(target.size());
  std::size_t i = 0;
  while (i < target.size()) {
    if (target[i] != '*' && target[i] != '?') {
      out += target[i++];
      continue;
    }
    bool star = false;
    for (; i < target.size() && (target[i] == '*' || target[i] == '?'); ++i) {
      if (target[i] == '*') {
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

bool has_glob_metacharacters(std::string_view text) {
  return text.find_first_of("*?[") != std::string_view::npos;
}

bool glob_covers(std::string_view pattern, std::string_view target) {
  // From the first '[' on, the target may be a character class to some
  // reader: take it to match anything there.
  std::string widened(target.substr(0, target.find('[')));
  if (widened.size() < target.size()) widened += '*';
  const std::string symbols = canonical_target(widened);
  const std::vector<PatternToken> tokens = tokens_of(pattern);

  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string::npos;  // token after the last star
  std::size_t star_symbol = 0;           // symbol that star resumes from
  while (t < symbols.size()) {
    if (p < tokens.size() && tokens[p].kind == PatternToken::kStar) {
      // The shortest run holding min_chars one-character symbols: a longer
      // one is the star swallowing more, which the backtracking below tries.
      std::size_t needed = tokens[p].min_chars;
      for (; needed > 0 && t < symbols.size(); ++t) {
        if (symbols[t] != '*') --needed;
      }
      // Backtracking an earlier star only leaves fewer symbols.
      if (needed > 0) return false;
      star = ++p;
      star_symbol = t;
      continue;
    }
    if (p < tokens.size()) {
      const PatternToken& token = tokens[p];
      const bool takes = token.kind == PatternToken::kOne ? symbols[t] != '*'
                                                          : symbols[t] == token.literal;
      if (takes) {
        ++p;
        ++t;
        continue;
      }
    }
    if (star == std::string::npos) return false;
    p = star;
    t = ++star_symbol;
  }
  while (p < tokens.size() && tokens[p].kind == PatternToken::kStar && tokens[p].min_chars == 0) ++p;
  return p == tokens.size();
}

}  // namespace pqbpf::policy

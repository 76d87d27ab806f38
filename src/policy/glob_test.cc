// Attach-target glob matching, and coverage of one glob by another.
#include "glob.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace pqbpf::policy {
namespace {

TEST(GlobMatch, LiteralPatternMatchesOnlyItself) {
  EXPECT_TRUE(glob_match("do_sys_openat2", "do_sys_openat2"));
  EXPECT_FALSE(glob_match("do_sys_openat2", "do_sys_openat"));
  EXPECT_FALSE(glob_match("do_sys_open", "do_sys_openat2"));
}

TEST(GlobMatch, TrailingStarMatchesAnySuffixIncludingEmpty) {
  EXPECT_TRUE(glob_match("do_sys_*", "do_sys_openat2"));
  EXPECT_TRUE(glob_match("do_sys_*", "do_sys_"));
  EXPECT_FALSE(glob_match("do_sys_*", "__x64_sys_open"));
}

TEST(GlobMatch, StarInTheMiddleBacktracks) {
  EXPECT_TRUE(glob_match("a*b*c", "axxbyybzzc"));
  EXPECT_FALSE(glob_match("a*b*c", "axxbyyb"));
  EXPECT_TRUE(glob_match("*open*", "do_sys_openat2"));
}

TEST(GlobMatch, QuestionMarkMatchesExactlyOneCharacter) {
  EXPECT_TRUE(glob_match("vfs_rea?", "vfs_read"));
  EXPECT_FALSE(glob_match("vfs_rea?", "vfs_rea"));
  EXPECT_FALSE(glob_match("vfs_rea?", "vfs_readv"));
}

TEST(GlobMatch, EmptyPatternMatchesOnlyEmptyText) {
  EXPECT_TRUE(glob_match("", ""));
  EXPECT_FALSE(glob_match("", "x"));
  EXPECT_TRUE(glob_match("*", ""));
}

TEST(GlobMatch, BracketsAndBackslashesAreLiteral) {
  EXPECT_TRUE(glob_match("a[b]", "a[b]"));
  EXPECT_FALSE(glob_match("a[b]", "ab"));
  EXPECT_TRUE(glob_match("a\\*", "a\\xyz"));
}

TEST(GlobMatch, HostilePatternFinishesQuickly) {
  const std::string pattern = std::string(200, '*') + "b";
  const std::string text(4000, 'a');
  EXPECT_FALSE(glob_match(pattern, text));
  EXPECT_TRUE(glob_match(pattern, text + "b"));
}

TEST(GlobMetacharacters, StarQuestionMarkAndBracketMakeAPattern) {
  EXPECT_TRUE(has_glob_metacharacters("vfs_rea*"));
  EXPECT_TRUE(has_glob_metacharacters("vfs_rea?"));
  EXPECT_TRUE(has_glob_metacharacters("vfs_rea[dv]"));
  EXPECT_FALSE(has_glob_metacharacters("vfs_read"));
  EXPECT_FALSE(has_glob_metacharacters("/usr/lib/libc.so.6:malloc"));
}

// The review's case: a pattern meant to admit only vfs_read must not admit a
// target that expands to vfs_readv and vfs_readlink.
TEST(GlobCovers, NarrowPatternDoesNotCoverAWiderTarget) {
  EXPECT_FALSE(glob_covers("vfs_rea?", "vfs_rea*"));
  EXPECT_FALSE(glob_covers("vfs_read", "vfs_rea?"));
  EXPECT_FALSE(glob_covers("do_sys_*", "*"));
  EXPECT_FALSE(glob_covers("a*", "?*"));
}

TEST(GlobCovers, WiderOrEqualPatternCoversTheTarget) {
  EXPECT_TRUE(glob_covers("vfs_rea*", "vfs_rea*"));
  EXPECT_TRUE(glob_covers("vfs_rea?", "vfs_rea?"));
  EXPECT_TRUE(glob_covers("vfs_*", "vfs_rea*"));
  EXPECT_TRUE(glob_covers("vfs_*", "vfs_rea?"));
  EXPECT_TRUE(glob_covers("*", "anything*at?all"));
  EXPECT_TRUE(glob_covers("*open*", "do_sys_open*"));
  EXPECT_TRUE(glob_covers("vfs_rea*", "vfs_read"));
}

TEST(GlobCovers, ReorderedWildcardRunsAreRecognisedAsEqual) {
  EXPECT_TRUE(glob_covers("?*", "*?"));
  EXPECT_TRUE(glob_covers("a*?b", "a?*b"));
  EXPECT_TRUE(glob_covers("a**?*b", "a*??*b"));
  EXPECT_FALSE(glob_covers("a??*b", "a*?b"));
}

// "??*" is every name of two characters or more, whatever they are.
TEST(GlobCovers, StarWithQuestionMarksCoversTargetsThatLong) {
  EXPECT_TRUE(glob_covers("*?", "*a"));
  EXPECT_TRUE(glob_covers("?*", "*a*"));
  EXPECT_TRUE(glob_covers("??*", "a*b"));
  EXPECT_TRUE(glob_covers("vfs_?*", "vfs_rea*"));
  EXPECT_FALSE(glob_covers("??*", "a*"));
  EXPECT_FALSE(glob_covers("vfs_??*", "vfs_*"));
}

// Some glob readers (not libbpf's) read '[...]' as a class: a target is
// taken to match anything from its first '[' on, so only a pattern with a
// star there covers it.
TEST(GlobCovers, BracketInTheTargetWidensItToAnyTail) {
  EXPECT_FALSE(glob_covers("vfs_rea[d]", "vfs_rea[d]"));
  EXPECT_FALSE(glob_covers("vfs_read", "vfs_rea[d]"));
  EXPECT_TRUE(glob_covers("vfs_rea*", "vfs_rea[dv]"));
  EXPECT_FALSE(glob_covers("vfs_rea*x", "vfs_rea[dv]x"));
}

// Every glob of up to 4 symbols over a, b, '*', '?' against every other:
// glob_covers must say yes exactly when every name of up to 6 characters
// over a, b, c that the target matches is matched by the pattern (for globs
// this short, such names decide the inclusion). A yes too many would admit a
// function the policy never named; a no too many only denies.
TEST(GlobCovers, AgreesWithInclusionOnEveryPairOfShortGlobs) {
  auto all = [](const std::string& alphabet, std::size_t max_len) {
    std::vector<std::string> out{""};
    for (std::size_t begin = 0, len = 1; len <= max_len; ++len) {
      const std::size_t end = out.size();
      for (std::size_t i = begin; i < end; ++i) {
        for (char c : alphabet) out.push_back(out[i] + c);
      }
      begin = end;
    }
    return out;
  };
  const std::vector<std::string> globs = all("ab*?", 4);
  const std::vector<std::string> names = all("abc", 6);
  std::vector<std::vector<bool>> matched(globs.size(), std::vector<bool>(names.size()));
  for (std::size_t g = 0; g < globs.size(); ++g) {
    for (std::size_t n = 0; n < names.size(); ++n) matched[g][n] = glob_match(globs[g], names[n]);
  }
  std::size_t covered = 0;
  for (std::size_t p = 0; p < globs.size(); ++p) {
    for (std::size_t t = 0; t < globs.size(); ++t) {
      std::size_t escaping = 0;  // a name the target matches and the pattern does not
      while (escaping < names.size() && !(matched[t][escaping] && !matched[p][escaping])) ++escaping;
      const bool included = escaping == names.size();
      const bool said = glob_covers(globs[p], globs[t]);
      if (said && !included) {
        ADD_FAILURE() << "'" << globs[p] << "' said to cover '" << globs[t] << "' but misses '"
                      << names[escaping] << "'";
      } else if (!said && included) {
        ADD_FAILURE() << "'" << globs[p] << "' covers '" << globs[t] << "' but was said not to";
      }
      covered += said ? 1 : 0;
      if (HasFailure()) return;
    }
  }
  EXPECT_GT(covered, globs.size());  // more than the identities: the check is not trivial
}

TEST(GlobCovers, HostileGlobsFinishQuickly) {
  const std::string pattern = std::string(128, '*') + "b" + std::string(127, '?');
  const std::string target = std::string(2000, 'a') + "*";
  EXPECT_FALSE(glob_covers(pattern, target));
}

}  // namespace
}  // namespace pqbpf::policy

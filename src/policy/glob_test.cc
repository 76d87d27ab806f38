// Attach-target glob matching.
#include "glob.h"

#include <string>

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

}  // namespace
}  // namespace pqbpf::policy

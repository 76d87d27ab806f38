// Policy file limits the policy module's tests do not cover at both sides:
// revocation list length and attach target pattern length, each at the edge
// and one past it. docs/LIMITS.md has the full table.
#include <cstddef>
#include <string>

#include <gtest/gtest.h>

#include "pqbpf/policy/policy_file.h"

namespace pqbpf::policy {
namespace {

// Short (invalid) entries in flow style keep the file far below the 1 MiB
// file limit, so the list-length check is what answers: at the limit the
// parser goes on to the entries (and refuses the first one as not a hash),
// one past it the count alone is refused.
std::string short_revocations(std::size_t n) {
  std::string text = "version: 1\nrevoked_objects: [";
  for (std::size_t i = 0; i < n; ++i) text += i ? ",x" : "x";
  return text + "]\nrules: []\n";
}

TEST(PolicyLimits, RevocationListAtLimitReachesEntryChecksAndOnePastIsRefused) {
  auto at = parse_policy(short_revocations(kMaxRevocationListLength), "p.yaml");
  ASSERT_FALSE(at.ok());
  EXPECT_NE(at.error().code, ErrorCode::kLimitExceeded) << at.error().message;
  auto past = parse_policy(short_revocations(kMaxRevocationListLength + 1), "p.yaml");
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().code, ErrorCode::kLimitExceeded) << past.error().message;
}

// With real entries (64-digit hashes) the file size limit answers first:
// 16384 hashes need more than 1 MiB, so no loadable policy reaches the list limit.
TEST(PolicyLimits, FullLengthRevocationListIsBoundedByTheFileSizeLimit) {
  std::string text = "version: 1\nrevoked_objects: [";
  for (std::size_t i = 0; i < kMaxRevocationListLength; ++i) text += (i ? "," : "") + std::string(64, 'a');
  text += "]\nrules: []\n";
  ASSERT_GT(text.size(), kMaxPolicyFileSize);
  auto r = parse_policy(text, "p.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kLimitExceeded) << r.error().message;
}

std::string attach_rule(std::size_t pattern_bytes) {
  return "rules:\n  - program_types: [kprobe]\n    attach_targets: [\"" +
         std::string(pattern_bytes, 'f') + "\"]\n";
}

TEST(PolicyLimits, AttachPatternOf256BytesLoadsAnd257IsRefused) {
  auto at = parse_policy(attach_rule(256), "p.yaml");
  ASSERT_TRUE(at.ok()) << at.error().message;
  EXPECT_FALSE(parse_policy(attach_rule(257), "p.yaml").ok());
  EXPECT_FALSE(parse_policy(attach_rule(0), "p.yaml").ok());
}

}  // namespace
}  // namespace pqbpf::policy

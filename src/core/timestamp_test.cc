// The shared RFC 3339 parser: both syntaxes, the calendar, and the one
// leap-second rule (":60" refused) that every time reader now follows.
#include "pqbpf/core/timestamp.h"

#include <gtest/gtest.h>

#include "pqbpf/core/manifest.h"

namespace pqbpf {
namespace {

TEST(Timestamp, ParseUtcSecondsGivesEpochSeconds) {
  auto t = parse_timestamp("2026-11-29T12:08:19Z", TimestampSyntax::kUtcSeconds);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->seconds, 1795954099);
  EXPECT_EQ(t->nanos, 0u);
  EXPECT_EQ(parse_timestamp("1970-01-01T00:00:00Z", TimestampSyntax::kUtcSeconds)->seconds, 0);
  EXPECT_EQ(parse_timestamp("2024-02-29T23:59:59Z", TimestampSyntax::kUtcSeconds)->seconds,
            1709251199);
}

TEST(Timestamp, ParseUtcSecondsRefusesEveryOtherSpelling) {
  for (const char* bad : {"", "2026-11-29", "2026-11-29T12:08:19", "2026-11-29T12:08:19+00:00",
                          "2026-11-29 12:08:19Z", "2026-11-29t12:08:19z", "2026-11-29T12:08:19.5Z",
                          "2026-11-29T12:08:19ZZ", "+026-11-29T12:08:19Z"}) {
    EXPECT_FALSE(parse_timestamp(bad, TimestampSyntax::kUtcSeconds).ok()) << bad;
  }
}

TEST(Timestamp, ParseRfc3339AcceptsDatesFractionsAndOffsets) {
  auto date = parse_timestamp("2025-11-29", TimestampSyntax::kRfc3339);
  ASSERT_TRUE(date.ok());
  EXPECT_EQ(date->seconds, 1764374400);
  auto offset = parse_timestamp("2025-11-29T14:00:00+02:00", TimestampSyntax::kRfc3339);
  ASSERT_TRUE(offset.ok());
  EXPECT_EQ(offset->seconds, 1764417600);
  auto frac = parse_timestamp("2025-11-29t12:00:00.25z", TimestampSyntax::kRfc3339);
  ASSERT_TRUE(frac.ok());
  EXPECT_EQ(frac->nanos, 250000000u);
  for (const char* bad : {"2025-11-29T12:00:00", "2025-11-29T12:00:00.Z",
                          "2025-11-29T12:00:00.0123456789Z", "2025-11-29T12:00:00+24:00",
                          "yesterday", "2025-11-29T"}) {
    EXPECT_FALSE(parse_timestamp(bad, TimestampSyntax::kRfc3339).ok()) << bad;
  }
}

TEST(Timestamp, ParseRefusesImpossibleDates) {
  for (auto syntax : {TimestampSyntax::kUtcSeconds, TimestampSyntax::kRfc3339}) {
    for (const char* bad : {"2026-13-01T00:00:00Z", "2026-04-31T00:00:00Z", "2025-02-29T00:00:00Z",
                            "1900-02-29T00:00:00Z", "2026-11-29T24:00:00Z", "2026-11-29T12:60:00Z",
                            "2026-00-10T00:00:00Z", "2026-01-00T00:00:00Z"}) {
      EXPECT_FALSE(parse_timestamp(bad, syntax).ok()) << bad;
    }
  }
}

// Issue 11.11: one rule for ":60" in every syntax and every caller.
TEST(Timestamp, ParseLeapSecondFailsInEverySyntax) {
  for (const char* leap : {"2026-12-31T23:59:60Z", "2016-12-31T23:59:60Z", "2026-06-30T23:59:60Z"}) {
    EXPECT_FALSE(parse_timestamp(leap, TimestampSyntax::kUtcSeconds).ok()) << leap;
    EXPECT_FALSE(parse_timestamp(leap, TimestampSyntax::kRfc3339).ok()) << leap;
  }
  EXPECT_FALSE(parse_timestamp("2026-12-31T23:59:60.5Z", TimestampSyntax::kRfc3339).ok());
  EXPECT_FALSE(parse_timestamp("2027-01-01T01:59:60+02:00", TimestampSyntax::kRfc3339).ok());
  // The callers in core: key file created_at (validate_timestamp) and manifest signed_at.
  EXPECT_FALSE(parse_rfc3339_utc("2026-12-31T23:59:60Z").ok());
}

}  // namespace
}  // namespace pqbpf

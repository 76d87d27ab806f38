// Audit log limits at their edges: the writer's per-field caps (a field of
// exactly the cap is kept whole, one byte more is cut to the cap) and the
// reader's line limit (kMaxRecordBytes). docs/LIMITS.md has the full table.
#include <cstddef>
#include <string>

#include <gtest/gtest.h>

#include "pqbpf/log/record.h"

namespace pqbpf::log {
namespace {

LogRecord round_trip(const AttemptRecord& a) {
  const std::string line =
      assemble_attempt_line(1, "2026-11-29T12:00:00.000000000Z", "h", serialize_attempt_body(a),
                            zero_chain_hex());
  auto r = parse_record(line, "t");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : LogRecord{};
}

TEST(LogLimits, FieldOfExactlyTheCapIsKeptAndOneMoreIsCut) {
  AttemptRecord a;
  a.reason_text = std::string(kMaxFieldBytes, 'r');
  EXPECT_EQ(round_trip(a).reason_text.size(), kMaxFieldBytes);
  a.reason_text += 'r';
  EXPECT_EQ(round_trip(a).reason_text.size(), kMaxFieldBytes);
}

TEST(LogLimits, ProgramTypesAtCapAreKeptAndExtraAreDropped) {
  AttemptRecord a;
  a.program_types.assign(kMaxProgramTypes, "kprobe");
  EXPECT_EQ(round_trip(a).program_types.size(), kMaxProgramTypes);
  a.program_types.push_back("xdp");
  EXPECT_EQ(round_trip(a).program_types.size(), kMaxProgramTypes);
}

TEST(LogLimits, LineLongerThanMaxRecordBytesIsRefused) {
  AttemptRecord a;
  const std::string base =
      assemble_attempt_line(1, "2026-11-29T12:00:00.000000000Z", "h", serialize_attempt_body(a),
                            zero_chain_hex());
  ASSERT_TRUE(parse_record(base, "t").ok());
  // Pad with spaces before the closing brace (still valid JSON) to the limit and past it.
  std::string at = base;
  at.insert(at.size() - 1, std::string(kMaxRecordBytes - base.size(), ' '));
  ASSERT_EQ(at.size(), kMaxRecordBytes);
  EXPECT_TRUE(parse_record(at, "t").ok());
  std::string past = at;
  past.insert(past.size() - 1, " ");
  auto r = parse_record(past, "t");
  ASSERT_FALSE(r.ok());
  // Reported as a parse error (a line the writer cannot have produced).
  EXPECT_NE(r.error().message.find("longer than 65536 bytes"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace pqbpf::log

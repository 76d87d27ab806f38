// BPFProgramMetadata: validation rules and the strict JSON form.
#include "pqbpf/core/metadata.h"

#include <gtest/gtest.h>

namespace pqbpf {
namespace {

BPFProgramMetadata sample() {
  BPFProgramMetadata m;
  m.name = "trace_sys_enter_read";
  m.program_type = BPFProgramType::kKprobe;
  m.attach_point = "sys_enter_read";
  m.author = "ops-team";
  m.description = "counts read(2) calls";
  m.version = "1.2.0";
  m.license = "GPL";
  m.kernel_min = "5.8";
  return m;
}

TEST(Metadata, JsonRoundTripGivesEqualMetadata) {
  const auto m = sample();
  auto back = metadata_from_json(metadata_to_json(m), "m");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, m);
}

TEST(Metadata, ToJsonWritesAllEightFieldsAsStrings) {
  const auto j = metadata_to_json(BPFProgramMetadata{.name = "x", .program_type = BPFProgramType::kXdp});
  EXPECT_EQ(j.size(), 8u);
  for (auto it = j.begin(); it != j.end(); ++it) EXPECT_TRUE(it->is_string()) << it.key();
  EXPECT_EQ(j["program_type"], "xdp");
}

TEST(Metadata, FromJsonWithUnknownMissingOrNonStringFieldFails) {
  auto j = metadata_to_json(sample());
  auto extra = j;
  extra["color"] = "red";
  EXPECT_FALSE(metadata_from_json(extra, "m").ok());
  auto missing = j;
  missing.erase("kernel_min");
  EXPECT_FALSE(metadata_from_json(missing, "m").ok());
  auto number = j;
  number["version"] = 3;
  auto r = metadata_from_json(number, "m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "m.version: expected a string");
  EXPECT_FALSE(metadata_from_json(nlohmann::json::array(), "m").ok());
}

TEST(Metadata, FromJsonWithUnknownProgramTypeFails) {
  auto j = metadata_to_json(sample());
  j["program_type"] = "KPROBE";
  auto r = metadata_from_json(j, "m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
  EXPECT_NE(r.error().message.find("m.program_type"), std::string::npos);
}

TEST(Metadata, ValidateEmptyNameFails) {
  auto m = sample();
  m.name.clear();
  auto s = validate_metadata(m, "meta");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "meta.name: must not be empty");
}

TEST(Metadata, ValidateControlCharacterOrBadUtf8Fails) {
  auto m = sample();
  m.author = "evil\x1b[2J";
  EXPECT_FALSE(validate_metadata(m, "m").ok());
  m = sample();
  m.description = "\xFF";
  EXPECT_FALSE(validate_metadata(m, "m").ok());
  m = sample();
  m.description = "caf\xC3\xA9 ok";
  EXPECT_TRUE(validate_metadata(m, "m").ok());
}

TEST(Metadata, ValidateOverlongFieldFailsLimit) {
  auto m = sample();
  m.name = std::string(257, 'a');
  auto s = validate_metadata(m, "m");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kLimitExceeded);
}

TEST(Metadata, ValidateKernelMinAcceptsDottedVersionsOnly) {
  auto m = sample();
  for (const char* ok : {"", "5", "5.8", "6.1.0"}) {
    m.kernel_min = ok;
    EXPECT_TRUE(validate_metadata(m, "m").ok()) << ok;
  }
  for (const char* bad : {"5.", ".5", "v5.8", "5.8.0.1", "5..8", "5.8-rc1"}) {
    m.kernel_min = bad;
    EXPECT_FALSE(validate_metadata(m, "m").ok()) << bad;
  }
}

}  // namespace
}  // namespace pqbpf

// Presentation of ObjectInfo: JSON keys are stable and hashes full; the text
// table names every program and says what is unknown.
#include "pqbpf/bpf/object_format.h"

#include <gtest/gtest.h>

#include "test_paths.h"

namespace pqbpf::bpf {
namespace {

ObjectInfo fallback_example() {
  ObjectInfo info;
  info.reader = "elf";
  info.libbpf_version = "1.1";
  info.fallback_reason = "big-endian object; libbpf cannot open it on this little-endian host";
  info.endianness = Endianness::kBig;
  info.license = "MIT";
  ProgramInfo p;
  p.name = "prog";
  p.section = "socket/2";
  p.insn_count = 3;
  p.size = 24;
  p.insn_sha3_256 = std::string(64, 'a');
  info.programs.push_back(p);
  info.code_sections.push_back({"socket/2", 24, std::string(64, 'b')});
  info.unknown.push_back("type of program 'prog'");
  return info;
}

TEST(ObjectFormatTest, JsonOfSampleHasStableKeysAndFullHashes) {
  auto info = inspect_object_file(testing::sample_object("mixed_kprobe_lsm"));
  ASSERT_TRUE(info.ok()) << info.error().message;
  const nlohmann::json j = object_info_to_json(*info);
  for (const char* key : {"reader", "libbpf_version", "fallback_reason", "endianness", "license",
                          "license_gpl_compatible", "btf", "btf_ext", "programs", "maps",
                          "code_sections", "unknown"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["reader"], "libbpf");
  EXPECT_EQ(j["license_gpl_compatible"], true);
  ASSERT_EQ(j["programs"].size(), 2u);
  const auto& lsm = j["programs"][1];
  EXPECT_EQ(lsm["name"], "watch_file_open");
  EXPECT_EQ(lsm["type"], "lsm");
  EXPECT_TRUE(lsm["refined_type"].is_null());
  EXPECT_EQ(lsm["attach_target"], "file_open");
  EXPECT_EQ(lsm["insn_sha3_256"], info->programs[1].insn_sha3_256);
  EXPECT_EQ(lsm["insn_sha3_256"].get<std::string>().size(), 64u);
  EXPECT_EQ(j["maps"][0]["name"], "opens");
  EXPECT_EQ(j["maps"][0]["max_entries"], 1);
}

TEST(ObjectFormatTest, JsonOfUnknownTypeIsNull) {
  const nlohmann::json j = object_info_to_json(fallback_example());
  EXPECT_TRUE(j["programs"][0]["type"].is_null());
  EXPECT_EQ(j["endianness"], "big");
  EXPECT_EQ(j["license_gpl_compatible"], false);
  EXPECT_EQ(j["unknown"].size(), 1u);
}

TEST(ObjectFormatTest, TextOfSampleListsProgramsMapsAndHashPrefixes) {
  auto info = inspect_object_file(testing::sample_object("trace_read"));
  ASSERT_TRUE(info.ok());
  const std::string text = format_object_info_text(*info);
  EXPECT_NE(text.find("reader:      libbpf"), std::string::npos) << text;
  EXPECT_NE(text.find("license:     GPL (GPL-compatible)"), std::string::npos) << text;
  EXPECT_NE(text.find("programs (2):"), std::string::npos) << text;
  EXPECT_NE(text.find("trace_read_return"), std::string::npos);
  EXPECT_NE(text.find("kretprobe"), std::string::npos);
  EXPECT_NE(text.find(info->programs[0].insn_sha3_256.substr(0, 16)), std::string::npos);
  EXPECT_EQ(text.find(info->programs[0].insn_sha3_256), std::string::npos);  // prefix only
  EXPECT_NE(text.find("read_calls"), std::string::npos);
  EXPECT_EQ(text.find("unknown:"), std::string::npos);
}

TEST(ObjectFormatTest, TextOfFallbackSaysWhyAndWhatIsUnknown) {
  const std::string text = format_object_info_text(fallback_example());
  EXPECT_NE(text.find("reader:      elf"), std::string::npos) << text;
  EXPECT_NE(text.find("fallback:    big-endian object"), std::string::npos) << text;
  EXPECT_NE(text.find("MIT (not GPL-compatible)"), std::string::npos) << text;
  EXPECT_NE(text.find("unknown:\n  - type of program 'prog'"), std::string::npos) << text;
  EXPECT_NE(text.find("prog  socket/2  unknown"), std::string::npos) << text;
}

}  // namespace
}  // namespace pqbpf::bpf

// parse_json_strict refuses bytes its parser would not see: a leading UTF-8
// byte order mark (skipped by nlohmann) and a NUL byte (where it stops).
#include "pqbpf/core/json_strict.h"

#include <gtest/gtest.h>

#include <string>

namespace pqbpf {
namespace {

using namespace std::string_literals;

TEST(JsonStrict, DocumentFollowedByNulAndJunkFailsNamingTheOffset) {
  const std::string text = "{\"a\": 1}\n"s + '\0' + "{\"evil\": true}";
  auto parsed = parse_json_strict(text, "x.sig.json");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kParse);
  EXPECT_EQ(parsed.error().message, "x.sig.json: byte 9: a NUL byte, which JSON text never contains");
}

TEST(JsonStrict, NulInsideAStringFailsNamingTheOffset) {
  const std::string text = "{\"a\": \"b"s + '\0' + "c\"}";
  auto parsed = parse_json_strict(text, "in");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("in: byte 8: a NUL byte"), std::string::npos) << parsed.error().message;
}

TEST(JsonStrict, LeadingByteOrderMarkFails) {
  auto parsed = parse_json_strict("\xEF\xBB\xBF{\"a\": 1}", "bom.json");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kParse);
  EXPECT_EQ(parsed.error().message.rfind("bom.json: byte 0: a UTF-8 byte order mark", 0), 0u)
      << parsed.error().message;
}

TEST(JsonStrict, ByteOrderMarkCharacterInsideAStringIsOrdinaryText) {
  auto parsed = parse_json_strict("{\"a\": \"\xEF\xBB\xBF\"}", "ok.json");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ((*parsed)["a"], "\xEF\xBB\xBF");
}

}  // namespace
}  // namespace pqbpf

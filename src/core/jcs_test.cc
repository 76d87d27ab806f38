// RFC 8785 canonical JSON: ordering, escaping, number rules, idempotence.
#include "pqbpf/core/jcs.h"

#include <gtest/gtest.h>

namespace pqbpf {
namespace {

std::string canon(std::string_view text) {
  auto r = canonicalize(text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : "";
}

TEST(Jcs, CanonicalizeWithWhitespaceAndUnsortedKeysGivesCompactSortedBytes) {
  EXPECT_EQ(canon(" { \"b\" : [ 3, 1 , 2 ], \"a\" : { \"z\" : null, \"y\" : true } } "),
            R"({"a":{"y":true,"z":null},"b":[3,1,2]})");
}

TEST(Jcs, SortMembersByUtf16CodeUnitsMatchesRfc8785Example) {
  // RFC 8785 section 3.2.3: U+1F600 (surrogates D83D DE00) sorts before U+FB33.
  const std::string input =
      "{\"\\u20ac\":1,\"\\r\":2,\"\\ufb33\":3,\"1\":4,\"\\ud83d\\ude00\":5,\"\\u0080\":6,"
      "\"\\u00f6\":7}";
  EXPECT_EQ(canon(input),
            "{\"\\r\":2,\"1\":4,\"\xC2\x80\":6,\"\xC3\xB6\":7,\"\xE2\x82\xAC\":1,"
            "\"\xF0\x9F\x98\x80\":5,\"\xEF\xAC\xB3\":3}");
}

TEST(Jcs, EscapeStringsUsesMinimalRfc8785Escapes) {
  EXPECT_EQ(canon(R"(["\u0001\b\t\n\f\r\"\\\/\u007f\u00e9\u001F"])"),
            "[\"\\u0001\\b\\t\\n\\f\\r\\\"\\\\/\x7F\xC3\xA9\\u001f\"]");
}

TEST(Jcs, SerializeIntegersWithinSafeRangeGivesDecimal) {
  EXPECT_EQ(canon("[0,-1,9007199254740991,-9007199254740991]"),
            "[0,-1,9007199254740991,-9007199254740991]");
}

TEST(Jcs, SerializeIntegerPastTwoToThe53FailsUnsupported) {
  auto r = canonicalize("[9007199254740992]");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
  EXPECT_FALSE(canonicalize("-9007199254740992").ok());
}

TEST(Jcs, SerializeNonIntegerNumberFailsUnsupported) {
  for (const char* text : {"1.5", "[1e2]", "{\"a\":0.0}"}) {
    auto r = canonicalize(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kUnsupported) << text;
  }
}

TEST(Jcs, CanonicalizeDuplicateKeysFailsParse) {
  auto r = canonicalize(R"({"a":1,"a":2})", "dup.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("duplicate key"), std::string::npos);
  EXPECT_EQ(r.error().message.rfind("dup.json: ", 0), 0u);
}

TEST(Jcs, CanonicalizeInvalidUtf8FailsParse) {
  EXPECT_FALSE(canonicalize("[\"\xC3\x28\"]").ok());
  EXPECT_FALSE(canonicalize("[\"\xED\xA0\x80\"]").ok());  // encoded surrogate
  EXPECT_FALSE(canonicalize("[\"\\ud800\"]").ok());       // lone surrogate escape
}

TEST(Jcs, SerializeInMemoryInvalidUtf8FailsInvalidArgument) {
  nlohmann::json v = {{"k", std::string("\xFF")}};
  auto r = jcs_serialize(v);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(Jcs, CanonicalizeTwiceGivesSameBytes) {
  for (const char* text : {"{}", "[]", "\"x\"", "true", "null", "[[],[{}],{\"a\":[]}]",
                           R"({"\u00e9":"\ud83d\ude00","e":"\u2028"})"}) {
    const std::string once = canon(text);
    EXPECT_EQ(canon(once), once) << text;
  }
}

TEST(Jcs, SerializeDeepInMemoryValueFailsLimit) {
  nlohmann::json v = nlohmann::json::array();
  for (int i = 0; i < 300; ++i) v = nlohmann::json::array({v});
  auto r = jcs_serialize(v);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kLimitExceeded);
}

// Random values (all JSON kinds, any Unicode scalar value in strings and
// keys): serialise, parse back to an equal value, and stay fixed under
// canonicalize.
class RandomJson {
 public:
  explicit RandomJson(std::uint64_t seed) : state_(seed) {}
  nlohmann::json value(int depth) {
    switch (next() % (depth > 3 ? 5 : 7)) {
      case 0: return nullptr;
      case 1: return next() % 2 == 0;
      case 2: return static_cast<std::int64_t>(next() % (2 * kJcsMaxSafeInteger)) - kJcsMaxSafeInteger;
      case 3: return static_cast<std::int64_t>(next() % 1000) - 500;
      case 4: return text();
      case 5: {
        auto a = nlohmann::json::array();
        for (int n = next() % 5; n > 0; --n) a.push_back(value(depth + 1));
        return a;
      }
      default: {
        auto o = nlohmann::json::object();
        for (int n = next() % 5; n > 0; --n) o[text()] = value(depth + 1);
        return o;
      }
    }
  }

 private:
  std::uint64_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }
  std::string text() {
    std::string out;
    for (int n = next() % 6; n > 0; --n) {
      std::uint32_t cp;
      switch (next() % 4) {
        case 0: cp = next() % 0x80; break;
        case 1: cp = next() % 0x800; break;
        case 2: cp = next() % 0x10000; break;
        default: cp = 0x10000 + next() % 0x100000; break;
      }
      if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xE000 + (cp & 0xFF);
      if (cp < 0x80) {
        out += static_cast<char>(cp);
      } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
      } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
      }
    }
    return out;
  }
  std::uint64_t state_;
};

TEST(Jcs, SerializeRandomValuesParsesBackEqualAndIsFixedUnderCanonicalize) {
  RandomJson gen(0x243F6A8885A308D3ull);
  for (int i = 0; i < 2000; ++i) {
    const auto v = gen.value(0);
    auto bytes = jcs_serialize(v);
    ASSERT_TRUE(bytes.ok()) << bytes.error().message;
    auto back = parse_json_strict(*bytes, "jcs");
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, v);
    auto again = canonicalize(*bytes);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(*again, *bytes);
  }
}

TEST(Utf8, ValidateRejectsOverlongsSurrogatesAndTooLarge) {
  EXPECT_TRUE(is_valid_utf8("plain \xC3\xA9 \xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xB0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));          // truncated
}

}  // namespace
}  // namespace pqbpf

// Envelope parsing: round trips, and every hostile input gives one clear
// error (never a crash). No signing here: parse checks shape, not crypto.
#include "pqbpf/core/envelope.h"

#include <gtest/gtest.h>

#include "pqbpf/core/base64.h"

namespace pqbpf {
namespace {

using nlohmann::json;
namespace mldsa = crypto::mldsa;

std::vector<std::uint8_t> filled(std::size_t n, std::uint8_t v) { return std::vector<std::uint8_t>(n, v); }

json valid_json() {
  const auto key = filled(1952, 7);
  auto pk = mldsa::PublicKey::parse(mldsa::ParameterSet::kMlDsa65, key);
  ManifestFields f;
  f.format = ManifestFormat::kV1;
  f.metadata.name = "trace";
  f.metadata.program_type = BPFProgramType::kKprobe;
  f.sha3_256 = std::string(64, 'e');
  f.size = 3;
  f.signer = Did::from_public_key(*pk).str();
  f.signed_at = "2026-01-31T12:00:00Z";
  auto m = Manifest::create(f);
  return json{{"manifest", m->to_json()},
              {"public_key", base64_encode(key)},
              {"signature", base64_encode(filled(3309, 9))}};
}

Error parse_error(const std::string& text) {
  auto r = parse_envelope(text, "x.sig.json");
  EXPECT_FALSE(r.ok());
  if (r.ok()) return {};
  const auto& e = r.error();
  EXPECT_EQ(e.message.rfind("x.sig.json: ", 0), 0u) << e.message;
  EXPECT_EQ(e.message.find('\n'), std::string::npos) << e.message;
  return e;
}

TEST(Envelope, ParseValidThenSerializeThenParseGivesSameEnvelope) {
  auto j = valid_json();
  j["object"] = base64_encode(filled(3, 1));
  auto env = parse_envelope(j.dump(), "x.sig.json");
  ASSERT_TRUE(env.ok()) << env.error().message;
  EXPECT_TRUE(env->has_embedded_object());
  const std::string text = serialize_envelope(*env);
  auto again = parse_envelope(text, "x.sig.json");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(serialize_envelope(*again), text);
  EXPECT_EQ(again->manifest().canonical_bytes(), env->manifest().canonical_bytes());
  EXPECT_EQ(again->public_key(), env->public_key());
  EXPECT_EQ(*again->object(), filled(3, 1));
}

TEST(Envelope, SerializeWritesSortedKeysAndTrailingNewline) {
  auto env = parse_envelope(valid_json().dump(), "x");
  ASSERT_TRUE(env.ok());
  const std::string text = serialize_envelope(*env);
  EXPECT_EQ(text.back(), '\n');
  EXPECT_LT(text.find("\"manifest\""), text.find("\"public_key\""));
  EXPECT_LT(text.find("\"public_key\""), text.find("\"signature\""));
  EXPECT_EQ(text.find("\"object\""), std::string::npos);
}

TEST(Envelope, ParseEmptyTruncatedOrInvalidJsonFailsParse) {
  const std::string good = valid_json().dump();
  for (const std::string& text : {std::string(), std::string("   "), good.substr(0, good.size() / 2),
                                  std::string("{\"manifest\":}"), std::string("nul"),
                                  good + "x"}) {
    EXPECT_EQ(parse_error(text).code, ErrorCode::kParse) << text.substr(0, 40);
  }
}

TEST(Envelope, ParseInvalidUtf8FailsParse) {
  auto j = valid_json();
  std::string text = j.dump();
  const auto pos = text.find("\"trace\"");
  text.replace(pos + 1, 5, "tr\xC3\x28x");
  EXPECT_EQ(parse_error(text).code, ErrorCode::kParse);
}

TEST(Envelope, ParseDeepNestingFailsLimit) {
  std::string text = "{\"manifest\":" + std::string(5000, '[') + std::string(5000, ']') + "}";
  EXPECT_EQ(parse_error(text).code, ErrorCode::kLimitExceeded);
}

TEST(Envelope, ParseOversizeTextFailsLimitBeforeParsing) {
  const std::string text(kMaxEnvelopeBytes + 1, ' ');
  EXPECT_EQ(parse_error(text).code, ErrorCode::kLimitExceeded);
}

TEST(Envelope, ParseNonObjectRootFailsParse) {
  for (const char* text : {"[]", "\"x\"", "42", "null"}) {
    EXPECT_NE(parse_error(text).message.find("expected a JSON object"), std::string::npos) << text;
  }
}

TEST(Envelope, ParseUnknownMissingOrDuplicateFieldFailsNamingIt) {
  auto extra = valid_json();
  extra["comment"] = "hi";
  EXPECT_NE(parse_error(extra.dump()).message.find("unknown field \"comment\""), std::string::npos);
  auto missing = valid_json();
  missing.erase("signature");
  EXPECT_NE(parse_error(missing.dump()).message.find("missing field \"signature\""), std::string::npos);
  std::string dup = valid_json().dump();
  dup.insert(1, "\"signature\":\"AAAA\",");
  EXPECT_NE(parse_error(dup).message.find("duplicate key \"signature\""), std::string::npos);
}

TEST(Envelope, ParseUnknownOrDuplicateKeyWithControlCharactersGivesOneLine) {
  auto j = valid_json();
  j["evil\n\x1b[2Jkey"] = 1;
  const auto e = parse_error(j.dump());
  EXPECT_NE(e.message.find("unknown field \"evil??[2Jkey\""), std::string::npos) << e.message;
  std::string dup = valid_json().dump();
  dup.insert(1, "\"a\\nb\":1,\"a\\nb\":2,");
  EXPECT_NE(parse_error(dup).message.find("duplicate key \"a?b\""), std::string::npos);
}

TEST(Envelope, ParseDuplicateKeyInsideManifestFailsParse) {
  std::string text = valid_json().dump();
  const auto pos = text.find("\"name\":\"trace\"");
  ASSERT_NE(pos, std::string::npos);
  text.insert(pos, "\"name\":\"other\",");
  EXPECT_NE(parse_error(text).message.find("duplicate key \"name\""), std::string::npos);
}

TEST(Envelope, ParseWrongTypesFailsParse) {
  for (const char* key : {"public_key", "signature", "object"}) {
    auto j = valid_json();
    j[key] = 12;
    EXPECT_NE(parse_error(j.dump()).message.find(key), std::string::npos) << key;
  }
  auto j = valid_json();
  j["manifest"] = "pqc-bpf-manifest/1";
  EXPECT_EQ(parse_error(j.dump()).code, ErrorCode::kParse);
}

TEST(Envelope, ParseBadBase64FailsParse) {
  for (const char* bad : {"AAA", "AA=A", "AAA!", "AAAA\n", "AB==", " AAAA"}) {
    auto j = valid_json();
    j["signature"] = bad;
    const auto e = parse_error(j.dump());
    EXPECT_NE(e.message.find("signature: invalid base64"), std::string::npos) << bad << e.message;
  }
}

TEST(Envelope, ParseWrongKeyOrSignatureLengthFailsNamingSizes) {
  auto j = valid_json();
  j["public_key"] = base64_encode(filled(1951, 7));
  EXPECT_NE(parse_error(j.dump()).message.find("public_key: 1951 bytes"), std::string::npos);
  j = valid_json();
  j["public_key"] = base64_encode(filled(2592, 7));  // an ML-DSA-87 key
  EXPECT_EQ(parse_error(j.dump()).code, ErrorCode::kParse);
  j = valid_json();
  j["signature"] = base64_encode(filled(3310, 9));
  EXPECT_NE(parse_error(j.dump()).message.find("signature: 3310 bytes"), std::string::npos);
}

TEST(Envelope, ParseUnsupportedManifestFormatFailsUnsupported) {
  auto j = valid_json();
  j["manifest"]["format"] = "pqc-bpf-manifest/9";
  EXPECT_EQ(parse_error(j.dump()).code, ErrorCode::kUnsupported);
}

TEST(Envelope, ParseRandomlyMutatedEnvelopesNeverCrashesAndErrorsAreOneLine) {
  const std::string good = valid_json().dump();
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  const auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  int accepted = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = good;
    const int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const std::size_t at = next() % text.size();
      switch (next() % 4) {
        case 0: text[at] = static_cast<char>(next() & 0xFF); break;
        case 1: text.erase(at, 1 + next() % 8); break;
        case 2: text.insert(at, 1, "{}[]\",:0aZ\\"[next() % 10]); break;
        case 3: text.resize(at); break;
      }
    }
    auto r = parse_envelope(text, "m.sig.json");
    if (r.ok()) {
      ++accepted;
      // Whatever is accepted serialises and parses back to the same thing.
      auto again = parse_envelope(serialize_envelope(*r), "again");
      ASSERT_TRUE(again.ok()) << again.error().message;
      EXPECT_EQ(again->manifest().canonical_bytes(), r->manifest().canonical_bytes());
    } else {
      EXPECT_EQ(r.error().message.rfind("m.sig.json: ", 0), 0u) << r.error().message;
      EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << r.error().message;
    }
  }
  EXPECT_LT(accepted, 3000);
}

TEST(Envelope, DefaultPathsStripOrAppendSuffix) {
  EXPECT_EQ(default_envelope_path("a/x.bpf.o"), "a/x.bpf.o.sig.json");
  EXPECT_EQ(default_object_path("a/x.bpf.o.sig.json"), "a/x.bpf.o");
  EXPECT_FALSE(default_object_path("a/x.json").has_value());
  EXPECT_FALSE(default_object_path(".sig.json").has_value());
}

}  // namespace
}  // namespace pqbpf

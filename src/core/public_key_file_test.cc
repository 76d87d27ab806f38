// KEY.pub files: round trip, the DID/key binding on load, strict parsing, and
// resolve_signer for policy authors (a DID or a path to a .pub file).
#include "pqbpf/core/public_key_file.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "identity_test_util.h"
#include "pqbpf/core/base64.h"

namespace pqbpf {
namespace {

using nlohmann::json;
using test_util::file_mode;
using test_util::read_all;
using test_util::ScratchDir;
using test_util::test_seed;
using test_util::write_all;

PublicIdentity test_public(std::uint8_t seed_start = 1) {
  auto id = Identity::from_seed(test_seed(seed_start), "bpf-signer", {"sign"},
                                "2026-11-29T12:00:00Z");
  EXPECT_TRUE(id.ok());
  return id->public_identity();
}

std::string serialized(const PublicIdentity& pub) {
  auto text = serialize_public_key_file(pub);
  EXPECT_TRUE(text.ok());
  return text.ok() ? *text : "";
}

TEST(PublicKeyFile, SerializeWritesExactlyTheDocumentedFields) {
  const PublicIdentity pub = test_public();
  const std::string text = serialized(pub);
  EXPECT_EQ(text.back(), '\n');
  const json doc = json::parse(text);
  EXPECT_EQ(doc.size(), 4u);
  EXPECT_EQ(doc.at("did"), pub.did().str());
  EXPECT_EQ(doc.at("name"), "bpf-signer");
  EXPECT_EQ(doc.at("algorithm"), "ML-DSA-65");
  EXPECT_EQ(doc.at("public_key"), base64_encode(pub.public_key().bytes()));
}

TEST(PublicKeyFile, SaveThenLoadRoundTrips) {
  ScratchDir dir;
  const auto path = dir.file("signer.pub");
  ASSERT_TRUE(save_public_key_file(path, test_public(), false).ok());
  EXPECT_EQ(file_mode(path), 0644u);
  auto loaded = load_public_key_file(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(*loaded, test_public());
}

TEST(PublicKeyFile, SaveOverExistingWithoutForceFails) {
  ScratchDir dir;
  const auto path = dir.file("signer.pub");
  write_all(path, "keep", 0644);
  auto s = save_public_key_file(path, test_public(), false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(read_all(path), "keep");
  EXPECT_TRUE(save_public_key_file(path, test_public(), true).ok());
  EXPECT_TRUE(load_public_key_file(path).ok());
}

TEST(PublicKeyFile, LoadWithDidOfOtherKeyFailsNamingBoth) {
  const PublicIdentity mine = test_public(1);
  const PublicIdentity other = test_public(2);
  json doc = json::parse(serialized(mine));
  doc["did"] = other.did().str();  // claim another signer's DID with my key
  auto loaded = parse_public_key_file(doc.dump(), "evil.pub");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kRejected);
  EXPECT_EQ(loaded.error().message.rfind("evil.pub: ", 0), 0u);
  EXPECT_NE(loaded.error().message.find(other.did().str()), std::string::npos);
  EXPECT_NE(loaded.error().message.find(mine.did().str()), std::string::npos);
}

TEST(PublicKeyFile, LoadWithSwappedPublicKeyFails) {
  json doc = json::parse(serialized(test_public(1)));
  doc["public_key"] = base64_encode(test_public(2).public_key().bytes());
  auto loaded = parse_public_key_file(doc.dump(), "swapped.pub");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kRejected);
}

TEST(PublicKeyFile, ParseMalformedFilesFailsClearly) {
  const json base = json::parse(serialized(test_public()));
  auto with = [&](const std::string& field, json value) {
    json doc = base;
    doc[field] = std::move(value);
    return doc.dump();
  };
  auto without = [&](const std::string& field) {
    json doc = base;
    doc.erase(field);
    return doc.dump();
  };
  const std::string key_b64 = base.at("public_key");
  struct Case {
    const char* what;
    std::string text;
    ErrorCode code;
  };
  const std::vector<Case> cases = {
      {"empty", "", ErrorCode::kParse},
      {"truncated", base.dump().substr(0, 100), ErrorCode::kParse},
      {"not an object", "\"did:pqaid:00\"", ErrorCode::kParse},
      {"unknown field", with("comment", "x"), ErrorCode::kParse},
      {"missing did", without("did"), ErrorCode::kParse},
      {"missing public_key", without("public_key"), ErrorCode::kParse},
      {"did a number", with("did", 1), ErrorCode::kParse},
      {"did malformed", with("did", "did:pqaid:XYZ"), ErrorCode::kParse},
      {"name empty", with("name", ""), ErrorCode::kParse},
      {"algorithm other", with("algorithm", "Ed25519"), ErrorCode::kUnsupported},
      {"key bad base64", with("public_key", "@@@@"), ErrorCode::kParse},
      {"key short", with("public_key", key_b64.substr(0, key_b64.size() - 4)), ErrorCode::kParse},
      {"key a list", with("public_key", json::array()), ErrorCode::kParse},
      {"private key file", with("seed", "AAAA"), ErrorCode::kInvalidArgument},
  };
  for (const auto& c : cases) {
    auto loaded = parse_public_key_file(c.text, "bad.pub");
    ASSERT_FALSE(loaded.ok()) << c.what;
    EXPECT_EQ(loaded.error().code, c.code) << c.what << ": " << loaded.error().message;
    EXPECT_EQ(loaded.error().message.rfind("bad.pub: ", 0), 0u) << c.what << ": " << loaded.error().message;
  }
}

TEST(PublicKeyFile, ResolveSignerAcceptsDidOrPubPath) {
  ScratchDir dir;
  const PublicIdentity pub = test_public();
  const auto path = dir.file("signer.pub");
  ASSERT_TRUE(save_public_key_file(path, pub, false).ok());

  auto from_path = resolve_signer(path);
  ASSERT_TRUE(from_path.ok()) << from_path.error().message;
  EXPECT_EQ(*from_path, pub.did());

  auto from_did = resolve_signer(pub.did().str());
  ASSERT_TRUE(from_did.ok());
  EXPECT_EQ(*from_did, pub.did());
}

TEST(PublicKeyFile, ResolveSignerWithBadInputFails) {
  ScratchDir dir;
  auto bad_did = resolve_signer("did:pqaid:1234");
  ASSERT_FALSE(bad_did.ok());
  EXPECT_EQ(bad_did.error().code, ErrorCode::kParse);
  auto missing = resolve_signer(dir.file("nobody.pub"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace pqbpf

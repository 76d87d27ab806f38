// Issue 11.5: no error about a key file may quote its secret text. Truncated
// and corrupted key files (plain and sealed) are parsed, and every error
// message is searched for the seed (hex and base64) and for any 8-character
// piece of the secret fields' text. Also the strict JSON parser's
// kNeverShowInput mode on its own.
#include <gtest/gtest.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "identity_test_util.h"
#include "pqbpf/core/base64.h"
#include "pqbpf/core/json_strict.h"
#include "pqbpf/core/key_file.h"

namespace pqbpf {
namespace {

using crypto::SecureBytes;
using nlohmann::json;
using test_util::test_seed;

constexpr char kCreated[] = "2026-11-29T12:00:00Z";

std::string hex_of(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::string key_text(const KeySaveOptions& options) {
  auto id = Identity::from_seed(test_seed(0x41), "bpf-signer", {"sign"}, kCreated);
  EXPECT_TRUE(id.ok());
  auto text = serialize_key_file(*id, options);
  EXPECT_TRUE(text.ok());
  return std::string(reinterpret_cast<const char*>(text->data()), text->size());
}

KeySaveOptions sealed_options() {
  KeySaveOptions options;
  const std::string pass = "correct horse";
  options.passphrase = SecureBytes(std::span(reinterpret_cast<const std::uint8_t*>(pass.data()), pass.size()));
  options.kdf = KdfLimits::minimum();
  return options;
}

// The texts that must never appear in an error: the seed in hex and base64
// (both cases of hex), and the values of the secret-bearing fields.
std::vector<std::string> secrets_of(const std::string& text) {
  std::vector<std::string> out = {hex_of(test_seed(0x41)), base64_encode(test_seed(0x41))};
  std::string upper = out[0];
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  out.push_back(upper);
  const json doc = json::parse(text);
  if (doc.contains("seed")) out.push_back(doc["seed"].get<std::string>());
  if (doc.contains("encryption")) {
    for (const char* f : {"ciphertext", "nonce", "salt"}) out.push_back(doc["encryption"][f].get<std::string>());
  }
  return out;
}

// Empty when `message` holds no 8-character piece of any secret; else that piece.
std::string leaked_piece(const std::string& message, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    for (std::size_t i = 0; i + 8 <= secret.size(); ++i) {
      const std::string piece = secret.substr(i, 8);
      if (message.find(piece) != std::string::npos) return piece;
    }
  }
  return {};
}

// Every way we corrupt a key file text: each truncation, and at each byte of
// the secret values a quote, a control byte, invalid UTF-8, or a cut-out
// closing quote; plus secret text moved into other fields and into key names.
std::vector<std::string> corruptions(const std::string& text, const std::vector<std::string>& secrets) {
  std::vector<std::string> out;
  for (std::size_t n = 0; n < text.size(); ++n) out.push_back(text.substr(0, n));
  for (const auto& secret : secrets) {
    const auto at = text.find(secret);
    if (at == std::string::npos) continue;
    for (std::size_t i = at; i < at + secret.size(); i += 3) {
      for (const char* bad : {"\"", "\x01", "\xff", "\\", "\n"}) {
        std::string t = text;
        t.replace(i, 1, bad);
        out.push_back(t);
      }
    }
    std::string unclosed = text;
    unclosed.erase(at + secret.size(), 1);  // the closing quote
    out.push_back(unclosed);
    std::string as_key = text;  // "seed": "<b64>"  ->  "<b64>": "<b64>"
    const auto colon = text.rfind("\":", at);
    const auto open = text.rfind('"', colon - 1);
    as_key.replace(open + 1, colon - open - 1, secret);
    out.push_back(as_key);
    out.push_back(text.substr(0, at + secret.size() + 1) + ", \"" + secret + "\": 1}");
  }
  const json doc = json::parse(text);
  const std::string secret = secrets[1];
  for (const char* field : {"format", "algorithm", "did", "created_at", "capabilities"}) {
    json changed = doc;
    changed[field] = field == std::string("capabilities") ? json::array({secret}) : json(secret);
    out.push_back(changed.dump());
  }
  if (doc.contains("encryption")) {
    for (const char* field : {"kdf", "cipher", "opslimit"}) {
      json changed = doc;
      changed["encryption"][field] = secret;
      out.push_back(changed.dump());
    }
  }
  return out;
}

void expect_no_secret_in_errors(const std::string& text) {
  const auto secrets = secrets_of(text);
  const auto provider = []() -> Result<SecureBytes> {
    const std::string pass = "correct horse";
    return SecureBytes(std::span(reinterpret_cast<const std::uint8_t*>(pass.data()), pass.size()));
  };
  std::size_t failures = 0;
  for (const auto& corrupted : corruptions(text, secrets)) {
    auto loaded = parse_key_file(corrupted, "bad.key", provider);
    if (loaded.ok()) continue;  // nothing printed
    ++failures;
    const std::string& message = loaded.error().message;
    EXPECT_EQ(leaked_piece(message, secrets), "") << "error quotes secret text: " << message;
    EXPECT_EQ(message.rfind("bad.key", 0), 0u) << message;
  }
  EXPECT_GT(failures, text.size());  // the corruptions were refused, not accepted
}

TEST(KeyFileSecrets, CorruptedPlainKeyFileErrorsNeverQuoteTheSeed) {
  expect_no_secret_in_errors(key_text({}));
}

TEST(KeyFileSecrets, CorruptedSealedKeyFileErrorsNeverQuoteSecretFields) {
  expect_no_secret_in_errors(key_text(sealed_options()));
}

TEST(KeyFileSecrets, TruncatedPlainKeyFileErrorNamesLineAndColumnOnly) {
  const std::string text = key_text({});
  const auto at = text.find("\"seed\": \"") + 20;
  auto loaded = parse_key_file(text.substr(0, at), "bad.key");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kParse);
  EXPECT_NE(loaded.error().message.find("bad.key: line 8, column"), std::string::npos)
      << loaded.error().message;
  EXPECT_EQ(loaded.error().message.find("last read"), std::string::npos) << loaded.error().message;
}

TEST(JsonStrict, NeverShowInputErrorsQuoteNoToken) {
  const std::string secret = "SECRETSECRETSECRET";
  const std::vector<std::string> docs = {
      "{\"a\": \"" + secret,                        // unterminated string
      "{\"a\": \"" + secret + "\x01\"}",            // control character
      "{\"a\": " + secret + "}",                    // bad literal
      "{\"" + secret + "\": 1, \"" + secret + "\": 2}",  // duplicate key
      "{\"a\": \"" + secret + "\xff\"}",            // invalid UTF-8
      "{\"a\": 1234567890123e99999}",             // number overflow quotes the number
  };
  for (const auto& doc : docs) {
    auto shown = parse_json_strict(doc, "f.json");
    ASSERT_FALSE(shown.ok());
    auto hidden = parse_json_strict(doc, "f.json", {}, JsonEcho::kNeverShowInput);
    ASSERT_FALSE(hidden.ok());
    EXPECT_EQ(hidden.error().message.find("SECRETSE"), std::string::npos) << hidden.error().message;
    EXPECT_EQ(hidden.error().message.find("12345678"), std::string::npos) << hidden.error().message;
    EXPECT_EQ(hidden.error().code, shown.error().code);
    EXPECT_EQ(hidden.error().message.rfind("f.json: ", 0), 0u) << hidden.error().message;
  }
  // The default mode still helps with public documents.
  auto shown = parse_json_strict("{\"a\": tru}", "f.json");
  ASSERT_FALSE(shown.ok());
  EXPECT_NE(shown.error().message.find("last read"), std::string::npos) << shown.error().message;
}

TEST(JsonStrict, NeverShowInputUnknownKeyErrorHidesTheName) {
  auto doc = parse_json_strict("{\"SECRETSECRET\": 1}", "f.json", {}, JsonEcho::kNeverShowInput);
  ASSERT_TRUE(doc.ok());
  auto s = check_json_keys(*doc, {}, {}, "f.json", JsonEcho::kNeverShowInput);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message.find("SECRET"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("unknown field"), std::string::npos);
}

}  // namespace
}  // namespace pqbpf

// Private key files on a real file system: round trips (plain and encrypted),
// modes, no-overwrite, the ssh-style permission refusal, tamper detection
// (seed/DID binding, AEAD associated data), KDF bounds, and malformed files.
#include "pqbpf/core/key_file.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "identity_test_util.h"
#include "pqbpf/core/base64.h"
#include "pqbpf/core/file_io.h"
#include "pqbpf/core/public_key_file.h"

namespace pqbpf {
namespace {

using crypto::SecureBytes;
using nlohmann::json;
using test_util::file_mode;
using test_util::read_all;
using test_util::ScratchDir;
using test_util::test_seed;
using test_util::write_all;

constexpr char kCreated[] = "2026-11-29T12:00:00Z";

SecureBytes bytes_of(std::string_view s) {
  return SecureBytes(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

PassphraseProvider give(std::string pass) {
  return [pass]() -> Result<SecureBytes> { return bytes_of(pass); };
}

Identity test_identity(std::uint8_t seed_start = 1) {
  auto id = Identity::from_seed(test_seed(seed_start), "bpf-signer", {"sign"}, kCreated);
  EXPECT_TRUE(id.ok());
  return std::move(id).value();
}

KeySaveOptions encrypted(std::string pass) {
  KeySaveOptions options;
  options.passphrase = bytes_of(pass);
  options.kdf = KdfLimits::minimum();
  return options;
}

std::string text_of(const SecureBytes& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::string serialized(const Identity& id, const KeySaveOptions& options = {}) {
  auto text = serialize_key_file(id, options);
  EXPECT_TRUE(text.ok()) << text.error().message;
  return text.ok() ? text_of(*text) : "";
}

void expect_same(const Identity& a, const Identity& b) {
  EXPECT_EQ(a.did(), b.did());
  EXPECT_EQ(a.name(), b.name());
  EXPECT_EQ(a.capabilities(), b.capabilities());
  EXPECT_EQ(a.created_at(), b.created_at());
  EXPECT_EQ(a.public_key(), b.public_key());
  EXPECT_TRUE(crypto::constant_time_equal(a.expose_secret_seed(), b.expose_secret_seed()));
}

// --- round trips ---------------------------------------------------------------

TEST(KeyFile, SavePlainThenLoadRoundTrips) {
  ScratchDir dir;
  const auto path = dir.file("signer.key");
  const Identity id = test_identity();
  ASSERT_TRUE(save_key_file(path, id).ok());
  auto loaded = load_key_file(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  expect_same(id, *loaded);
}

TEST(KeyFile, SaveWritesKey0600AndPub0644) {
  ScratchDir dir;
  const auto path = dir.file("signer.key");
  ASSERT_TRUE(save_key_file(path, test_identity()).ok());
  EXPECT_EQ(file_mode(path), 0600u);
  EXPECT_EQ(file_mode(path + ".pub"), 0644u);
  auto pub = load_public_key_file(path + ".pub");
  ASSERT_TRUE(pub.ok()) << pub.error().message;
  EXPECT_EQ(*pub, test_identity().public_identity());
}

TEST(KeyFile, SavePlainWritesDocumentedFields) {
  const Identity id = test_identity();
  const json doc = json::parse(serialized(id));
  EXPECT_EQ(doc.at("format"), "pqc-bpf-key/1");
  EXPECT_EQ(doc.at("algorithm"), "ML-DSA-65");
  EXPECT_EQ(doc.at("name"), "bpf-signer");
  EXPECT_EQ(doc.at("capabilities"), json::array({"sign"}));
  EXPECT_EQ(doc.at("did"), id.did().str());
  EXPECT_EQ(doc.at("created_at"), kCreated);
  EXPECT_EQ(doc.at("seed"), base64_encode(test_seed()));
  EXPECT_EQ(doc.size(), 7u);
}

TEST(KeyFile, SaveEncryptedThenLoadWithPassphraseRoundTrips) {
  ScratchDir dir;
  const auto path = dir.file("signer.key");
  const Identity id = test_identity();
  ASSERT_TRUE(save_key_file(path, id, encrypted("open sesame")).ok());
  const std::string text = read_all(path);
  EXPECT_EQ(text.find(base64_encode(test_seed())), std::string::npos) << "seed stored in clear";
  EXPECT_FALSE(json::parse(text).contains("seed"));
  auto loaded = load_key_file(path, give("open sesame"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  expect_same(id, *loaded);
}

TEST(KeyFile, SaveEncryptedWithInteractiveLimitsRecordsThem) {
  KeySaveOptions options = encrypted("pw");
  options.kdf = KdfLimits::interactive();
  const json doc = json::parse(serialized(test_identity(), options));
  const json& enc = doc.at("encryption");
  EXPECT_EQ(enc.at("kdf"), "argon2id");
  EXPECT_EQ(enc.at("cipher"), "xchacha20poly1305");
  EXPECT_EQ(enc.at("opslimit"), KdfLimits::interactive().opslimit);
  EXPECT_EQ(enc.at("memlimit"), KdfLimits::interactive().memlimit);
  EXPECT_EQ(base64_decode(enc.at("salt").get<std::string>())->size(), 16u);
  EXPECT_EQ(base64_decode(enc.at("nonce").get<std::string>())->size(), 24u);
  EXPECT_EQ(base64_decode(enc.at("ciphertext").get<std::string>())->size(), 48u);
}

TEST(KeyFile, SaveEncryptedTwiceUsesFreshSaltAndNonce) {
  const Identity id = test_identity();
  const json a = json::parse(serialized(id, encrypted("pw")));
  const json b = json::parse(serialized(id, encrypted("pw")));
  EXPECT_NE(a["encryption"]["salt"], b["encryption"]["salt"]);
  EXPECT_NE(a["encryption"]["nonce"], b["encryption"]["nonce"]);
}

TEST(KeyFile, LoadPlainNeverAsksForPassphrase) {
  bool asked = false;
  PassphraseProvider provider = [&]() -> Result<SecureBytes> {
    asked = true;
    return bytes_of("x");
  };
  auto loaded = parse_key_file(serialized(test_identity()), "k", provider);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_FALSE(asked);
  EXPECT_FALSE(key_file_is_encrypted(serialized(test_identity())));
  EXPECT_TRUE(key_file_is_encrypted(serialized(test_identity(), encrypted("pw"))));
}

// --- passphrases and tampering ---------------------------------------------------

TEST(KeyFile, LoadEncryptedWithWrongPassphraseFails) {
  auto loaded = parse_key_file(serialized(test_identity(), encrypted("right")), "k.key",
                               give("wrong"));
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kPermission);
  EXPECT_EQ(loaded.error().message, "k.key: wrong passphrase, or the key file was modified");
}

TEST(KeyFile, LoadEncryptedWithoutPassphraseProviderFails) {
  auto loaded = parse_key_file(serialized(test_identity(), encrypted("pw")), "k.key");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(loaded.error().message.find("passphrase-protected"), std::string::npos);
}

TEST(KeyFile, LoadEncryptedPassesProviderErrorThrough) {
  PassphraseProvider failing = []() -> Result<SecureBytes> {
    return make_error(ErrorCode::kNotFound, "environment variable X is not set");
  };
  auto loaded = parse_key_file(serialized(test_identity(), encrypted("pw")), "k", failing);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kNotFound);
}

TEST(KeyFile, LoadEncryptedWithTamperedCiphertextFails) {
  json doc = json::parse(serialized(test_identity(), encrypted("pw")));
  auto ct = *base64_decode(doc["encryption"]["ciphertext"].get<std::string>());
  ct[0] ^= 1;
  doc["encryption"]["ciphertext"] = base64_encode(ct);
  auto loaded = parse_key_file(doc.dump(), "k", give("pw"));
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kPermission);
}

TEST(KeyFile, LoadEncryptedWithChangedPublicFieldFails) {
  const Identity other = test_identity(9);
  const json original = json::parse(serialized(test_identity(), encrypted("pw")));
  const std::vector<std::pair<std::string, json>> changes = {
      {"name", "someone-else"},
      {"did", other.did().str()},
      {"created_at", "2020-01-01T00:00:00Z"},
      {"capabilities", json::array({"sign", "admin"})},
  };
  for (const auto& [field, value] : changes) {
    json doc = original;
    doc[field] = value;
    auto loaded = parse_key_file(doc.dump(), "k", give("pw"));
    ASSERT_FALSE(loaded.ok()) << field;
    EXPECT_EQ(loaded.error().code, ErrorCode::kPermission) << field;
  }
  // Changed KDF parameters derive a different key.
  json doc = original;
  doc["encryption"]["opslimit"] = 2;
  EXPECT_FALSE(parse_key_file(doc.dump(), "k", give("pw")).ok());
}

TEST(KeyFile, LoadEncryptedWithSealedSeedOfOtherFileFails) {
  // Swap the whole encryption block in from another identity's file.
  json mine = json::parse(serialized(test_identity(1), encrypted("pw")));
  const json theirs = json::parse(serialized(test_identity(2), encrypted("pw")));
  mine["encryption"] = theirs["encryption"];
  auto loaded = parse_key_file(mine.dump(), "k", give("pw"));
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kPermission);
}

TEST(KeyFile, LoadPlainWithDidOfOtherKeyFailsNamingBoth) {
  const Identity other = test_identity(9);
  json doc = json::parse(serialized(test_identity()));
  doc["did"] = other.did().str();
  auto loaded = parse_key_file(doc.dump(), "k.key");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kRejected);
  EXPECT_NE(loaded.error().message.find(other.did().str()), std::string::npos);
  EXPECT_NE(loaded.error().message.find(test_identity().did().str()), std::string::npos);
}

TEST(KeyFile, SaveWithEmptyPassphraseFails) {
  ScratchDir dir;
  KeySaveOptions options;
  options.passphrase = SecureBytes();
  auto s = save_key_file(dir.file("k"), test_identity(), options);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir.file("k")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("k.pub")));
}

// --- KDF bounds -------------------------------------------------------------------

TEST(KeyFile, LoadWithAbsurdKdfLimitsFailsBeforeDerivation) {
  const json original = json::parse(serialized(test_identity(), encrypted("pw")));
  const std::vector<std::pair<std::string, json>> changes = {
      {"memlimit", std::uint64_t{1} << 40}, {"memlimit", 1024}, {"opslimit", 0},
      {"opslimit", 1000000}};
  for (const auto& [field, value] : changes) {
    json doc = original;
    doc["encryption"][field] = value;
    bool asked = false;
    PassphraseProvider provider = [&]() -> Result<SecureBytes> {
      asked = true;
      return bytes_of("pw");
    };
    auto loaded = parse_key_file(doc.dump(), "k", provider);
    ASSERT_FALSE(loaded.ok()) << field << "=" << value;
    EXPECT_EQ(loaded.error().code, ErrorCode::kLimitExceeded) << loaded.error().message;
    EXPECT_FALSE(asked);
  }
}

TEST(KeyFile, SaveWithOutOfBoundsKdfLimitsFails) {
  KeySaveOptions options = encrypted("pw");
  options.kdf.memlimit = kMaxKdfMemLimit + 1;
  auto text = serialize_key_file(test_identity(), options);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code, ErrorCode::kLimitExceeded);
}

// --- file system behaviour ------------------------------------------------------------

TEST(KeyFile, LoadWithGroupOrOtherPermissionFails) {
  ScratchDir dir;
  const auto path = dir.file("signer.key");
  ASSERT_TRUE(save_key_file(path, test_identity()).ok());
  for (mode_t mode : {0644, 0640, 0604, 0660, 0601, 0610}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    auto loaded = load_key_file(path);
    ASSERT_FALSE(loaded.ok()) << std::oct << mode;
    EXPECT_EQ(loaded.error().code, ErrorCode::kPermission);
    char shown[8];
    std::snprintf(shown, sizeof(shown), "%04o", static_cast<unsigned>(mode));
    EXPECT_EQ(loaded.error().message, path + ": permissions " + shown +
                                          " are too open; run chmod 600 " + path);
  }
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_TRUE(load_key_file(path).ok());
}

TEST(KeyFile, SaveOverExistingKeyWithoutForceFailsAndWritesNothing) {
  ScratchDir dir;
  const auto path = dir.file("signer.key");
  write_all(path, "precious");
  auto s = save_key_file(path, test_identity());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(s.error().message, path + ": already exists; use --force to overwrite");
  EXPECT_EQ(read_all(path), "precious");
  EXPECT_FALSE(std::filesystem::exists(path + ".pub"));
}

TEST(KeyFile, SaveOverExistingPubWithoutForceFailsAndWritesNothing) {
  ScratchDir dir;
  const auto path = dir.file("signer.key");
  write_all(path + ".pub", "someone's public key", 0644);
  auto s = save_key_file(path, test_identity());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kAlreadyExists);
  EXPECT_NE(s.error().message.find(".pub"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(read_all(path + ".pub"), "someone's public key");
}

TEST(KeyFile, SaveWithForceOverwritesBoth) {
  ScratchDir dir;
  const auto path = dir.file("signer.key");
  ASSERT_TRUE(save_key_file(path, test_identity(1)).ok());
  KeySaveOptions options;
  options.force = true;
  ASSERT_TRUE(save_key_file(path, test_identity(2), options).ok());
  auto loaded = load_key_file(path);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->did(), test_identity(2).did());
  EXPECT_EQ(load_public_key_file(path + ".pub")->did(), test_identity(2).did());
  EXPECT_EQ(file_mode(path), 0600u);
}

// A forced save that cannot complete keeps the old key: losing the audit
// log's key would break the log's trust anchor.
TEST(KeyFile, FailedForceSaveKeepsTheOldKey) {
  ScratchDir dir;
  const auto path = dir.file("signer.key");
  ASSERT_TRUE(save_key_file(path, test_identity(1)).ok());
  const std::string old_key = read_all(path);
  // The .pub is replaced by a non-empty directory: it cannot be written.
  ASSERT_EQ(::unlink((path + ".pub").c_str()), 0);
  std::filesystem::create_directories(path + ".pub/inside");
  KeySaveOptions options;
  options.force = true;
  auto s = save_key_file(path, test_identity(2), options);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument) << s.error().message;
  EXPECT_NE(s.error().message.find(".pub: not a regular file (directory)"), std::string::npos) << s.error().message;
  EXPECT_EQ(read_all(path), old_key) << "the old key was replaced";
  auto loaded = load_key_file(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->did(), test_identity(1).did());
}

TEST(KeyFile, SaveToPathEndingInPubFails) {
  ScratchDir dir;
  auto s = save_key_file(dir.file("signer.pub"), test_identity());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir.file("signer.pub")));
}

TEST(KeyFile, LoadMissingFileFailsNotFound) {
  ScratchDir dir;
  auto loaded = load_key_file(dir.file("absent"));
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kNotFound);
}

TEST(KeyFile, LoadDirectoryFails) {
  ScratchDir dir;
  std::filesystem::create_directory(dir.file("d"));
  ::chmod(dir.file("d").c_str(), 0700);
  auto loaded = load_key_file(dir.file("d"));
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kInvalidArgument);
}

TEST(KeyFile, LoadOversizedFileFails) {
  ScratchDir dir;
  const auto path = dir.file("big.key");
  write_all(path, std::string(kMaxSmallFileSize + 1, ' '));
  auto loaded = load_key_file(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kLimitExceeded);
}

TEST(KeyFile, LoadPubFileAsKeyFailsWithHint) {
  ScratchDir dir;
  const auto path = dir.file("signer.key");
  ASSERT_TRUE(save_key_file(path, test_identity()).ok());
  ::chmod((path + ".pub").c_str(), 0600);
  auto loaded = load_key_file(path + ".pub");
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("public key file"), std::string::npos);
}

// --- malformed content ---------------------------------------------------------------

struct Malformed {
  const char* what;
  std::string text;
  ErrorCode code;
};

TEST(KeyFile, ParseMalformedFilesFailsClearly) {
  const std::string good = serialized(test_identity());
  const json base = json::parse(good);
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
  json both = base;
  both["encryption"] = json::parse(serialized(test_identity(), encrypted("pw")))["encryption"];

  const std::vector<Malformed> cases = {
      {"empty", "", ErrorCode::kParse},
      {"truncated", good.substr(0, good.size() / 2), ErrorCode::kParse},
      {"not json", "seed=abc", ErrorCode::kParse},
      {"array", "[]", ErrorCode::kParse},
      {"duplicate key", R"({"format":"pqc-bpf-key/1","format":"pqc-bpf-key/1"})", ErrorCode::kParse},
      {"unknown field", with("comment", "hi"), ErrorCode::kParse},
      {"missing name", without("name"), ErrorCode::kParse},
      {"missing format", without("format"), ErrorCode::kParse},
      {"missing seed", without("seed"), ErrorCode::kParse},
      {"seed and encryption", both.dump(), ErrorCode::kParse},
      {"name a number", with("name", 42), ErrorCode::kParse},
      {"name empty", with("name", ""), ErrorCode::kParse},
      {"capabilities a string", with("capabilities", "sign"), ErrorCode::kParse},
      {"capability a number", with("capabilities", json::array({1})), ErrorCode::kParse},
      {"capability invalid", with("capabilities", json::array({"SIGN"})), ErrorCode::kParse},
      {"did invalid", with("did", "did:web:example.com"), ErrorCode::kParse},
      {"created_at invalid", with("created_at", "today"), ErrorCode::kParse},
      {"seed bad base64", with("seed", "!!!!"), ErrorCode::kParse},
      {"seed unpadded", with("seed", base64_encode(test_seed()).substr(0, 43)), ErrorCode::kParse},
      {"seed 31 bytes", with("seed", base64_encode(std::vector<std::uint8_t>(31, 1))), ErrorCode::kParse},
      {"seed 33 bytes", with("seed", base64_encode(std::vector<std::uint8_t>(33, 1))), ErrorCode::kParse},
      {"seed a number", with("seed", 7), ErrorCode::kParse},
      // "//" spelled as the two bytes of U+00E9: libsodium 1.0.18 alone would
      // decode it to the same 32 bytes of 0xff.
      {"seed non-ascii digits",
       with("seed", std::string("\xc3\xa9").append(base64_encode(std::vector<std::uint8_t>(32, 0xff)), 2)),
       ErrorCode::kParse},
      {"format unknown", with("format", "pqc-bpf-key/2"), ErrorCode::kUnsupported},
      {"format a number", with("format", 1), ErrorCode::kParse},
      {"algorithm unknown", with("algorithm", "ML-DSA-87"), ErrorCode::kUnsupported},
  };
  for (const auto& c : cases) {
    auto loaded = parse_key_file(c.text, "bad.key");
    ASSERT_FALSE(loaded.ok()) << c.what;
    EXPECT_EQ(loaded.error().code, c.code) << c.what << ": " << loaded.error().message;
    EXPECT_EQ(loaded.error().message.rfind("bad.key: ", 0), 0u) << c.what << ": " << loaded.error().message;
    EXPECT_EQ(loaded.error().message.find('\n'), std::string::npos) << c.what;
  }
}

TEST(KeyFile, ParseMalformedEncryptionFailsClearly) {
  const json base = json::parse(serialized(test_identity(), encrypted("pw")));
  auto with = [&](const std::string& field, json value) {
    json doc = base;
    doc["encryption"][field] = std::move(value);
    return doc.dump();
  };
  json missing = base;
  missing["encryption"].erase("nonce");
  json not_object = base;
  not_object["encryption"] = "secret";
  const std::vector<Malformed> cases = {
      {"unknown field", with("extra", 1), ErrorCode::kParse},
      {"missing nonce", missing.dump(), ErrorCode::kParse},
      {"not an object", not_object.dump(), ErrorCode::kParse},
      {"kdf scrypt", with("kdf", "scrypt"), ErrorCode::kUnsupported},
      {"cipher aes", with("cipher", "aes256gcm"), ErrorCode::kUnsupported},
      {"opslimit negative", with("opslimit", -1), ErrorCode::kParse},
      {"opslimit string", with("opslimit", "2"), ErrorCode::kParse},
      {"memlimit float", with("memlimit", 8192.5), ErrorCode::kParse},
      {"salt short", with("salt", base64_encode(std::vector<std::uint8_t>(15, 0))), ErrorCode::kParse},
      {"nonce bad base64", with("nonce", "****"), ErrorCode::kParse},
      {"ciphertext short", with("ciphertext", base64_encode(std::vector<std::uint8_t>(32, 0))), ErrorCode::kParse},
  };
  for (const auto& c : cases) {
    auto loaded = parse_key_file(c.text, "bad.key", give("pw"));
    ASSERT_FALSE(loaded.ok()) << c.what;
    EXPECT_EQ(loaded.error().code, c.code) << c.what << ": " << loaded.error().message;
    EXPECT_EQ(loaded.error().message.rfind("bad.key: ", 0), 0u) << c.what << ": " << loaded.error().message;
  }
}

}  // namespace
}  // namespace pqbpf

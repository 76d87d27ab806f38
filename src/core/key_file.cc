// Private key files (see key_file.h and docs/KEYS.md).
//
// Encryption: key = Argon2id(passphrase, salt, opslimit, memlimit) (libsodium
// crypto_pwhash, ALG_ARGON2ID13), then XChaCha20-Poly1305-IETF seals the
// 32-byte seed under a random 24-byte nonce. The associated data binds the
// public fields (format, algorithm, name, capabilities, DID, creation time),
// so none of them can be changed or swapped in from another file without the
// decryption failing. The KDF parameters need no binding: changing them
// changes the derived key.
#include "pqbpf/core/key_file.h"

#include <sodium.h>
#include <unistd.h>

#include <filesystem>
#include <optional>

#include "key_file_io.h"
#include "pqbpf/core/base64.h"
#include "pqbpf/core/file_io.h"
#include "pqbpf/core/json_strict.h"
#include "pqbpf/core/public_key_file.h"
#include "pqbpf/crypto/random.h"

namespace pqbpf {
namespace {

namespace mldsa = crypto::mldsa;
using crypto::SecureBytes;
using nlohmann::json;

constexpr std::string_view kKdfName = "argon2id";
constexpr std::string_view kCipherName = "xchacha20poly1305";
constexpr std::size_t kSaltSize = crypto_pwhash_SALTBYTES;                        // 16
constexpr std::size_t kNonceSize = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
constexpr std::size_t kAeadKeySize = crypto_aead_xchacha20poly1305_ietf_KEYBYTES; // 32
constexpr std::size_t kTagSize = crypto_aead_xchacha20poly1305_ietf_ABYTES;       // 16
constexpr std::size_t kCiphertextSize = mldsa::kSeedSize + kTagSize;

// The public fields a key file carries next to its seed.
struct KeyMetadata {
  std::string name;
  std::vector<std::string> capabilities;
  std::string did;
  std::string created_at;
};

struct Sealed {
  KdfLimits kdf;
  std::vector<std::uint8_t> salt;
  std::vector<std::uint8_t> nonce;
  std::vector<std::uint8_t> ciphertext;
};

Status sodium_ready() {
  if (sodium_init() < 0) return make_error(ErrorCode::kCrypto, "libsodium failed to initialise");
  return ok_status();
}

Status check_kdf_limits(const KdfLimits& kdf, const std::string& label) {
  if (kdf.opslimit < crypto_pwhash_OPSLIMIT_MIN || kdf.opslimit > kMaxKdfOpsLimit) {
    return make_error(ErrorCode::kLimitExceeded,
                      label + ": argon2id opslimit " + std::to_string(kdf.opslimit) +
                          " is outside " + std::to_string(crypto_pwhash_OPSLIMIT_MIN) + ".." +
                          std::to_string(kMaxKdfOpsLimit));
  }
  if (kdf.memlimit < crypto_pwhash_MEMLIMIT_MIN || kdf.memlimit > kMaxKdfMemLimit) {
    return make_error(ErrorCode::kLimitExceeded,
                      label + ": argon2id memlimit " + std::to_string(kdf.memlimit) +
                          " is outside " + std::to_string(crypto_pwhash_MEMLIMIT_MIN) + ".." +
                          std::to_string(kMaxKdfMemLimit) + " bytes");
  }
  return ok_status();
}

// Length-prefixed (4-byte big-endian) fields, so no two field lists share an
// encoding: format, algorithm, name, did, created_at, then the number of
// capabilities and each capability.
std::vector<std::uint8_t> associated_data(const KeyMetadata& meta) {
  std::vector<std::uint8_t> out;
  auto put_u32 = [&](std::size_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
  };
  auto put = [&](std::string_view s) {
    put_u32(s.size());
    out.insert(out.end(), s.begin(), s.end());
  };
  put(kKeyFileFormat);
  put(mldsa::parameter_set_name(kIdentityParameterSet));
  put(meta.name);
  put(meta.did);
  put(meta.created_at);
  put_u32(meta.capabilities.size());
  for (const auto& cap : meta.capabilities) put(cap);
  return out;
}

Result<SecureBytes> derive_key(std::span<const std::uint8_t> passphrase,
                               std::span<const std::uint8_t> salt, const KdfLimits& kdf,
                               const std::string& label) {
  SecureBytes key(kAeadKeySize);
  if (crypto_pwhash(key.data(), key.size(), reinterpret_cast<const char*>(passphrase.data()),
                    passphrase.size(), salt.data(), kdf.opslimit,
                    static_cast<std::size_t>(kdf.memlimit), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return make_error(ErrorCode::kCrypto,
                      label + ": cannot derive a key from the passphrase (out of memory?)");
  }
  return key;
}

Result<Sealed> seal(std::span<const std::uint8_t> seed, const SecureBytes& passphrase,
                    const KdfLimits& kdf, const KeyMetadata& meta) {
  Sealed sealed;
  sealed.kdf = kdf;
  sealed.salt.resize(kSaltSize);
  sealed.nonce.resize(kNonceSize);
  PQBPF_RETURN_IF_ERROR(crypto::random_bytes(sealed.salt));
  PQBPF_RETURN_IF_ERROR(crypto::random_bytes(sealed.nonce));
  PQBPF_ASSIGN_OR_RETURN(SecureBytes key, derive_key(passphrase.span(), sealed.salt, kdf, "key file"));
  const auto aad = associated_data(meta);
  sealed.ciphertext.resize(seed.size() + kTagSize);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(sealed.ciphertext.data(), &written, seed.data(),
                                             seed.size(), aad.data(), aad.size(), nullptr,
                                             sealed.nonce.data(), key.data());
  sealed.ciphertext.resize(static_cast<std::size_t>(written));
  return sealed;
}

Result<SecureBytes> open_sealed(const Sealed& sealed, const SecureBytes& passphrase,
                                const KeyMetadata& meta, const std::string& label) {
  PQBPF_ASSIGN_OR_RETURN(SecureBytes key,
                         derive_key(passphrase.span(), sealed.salt, sealed.kdf, label));
  const auto aad = associated_data(meta);
  SecureBytes seed(mldsa::kSeedSize);
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          seed.data(), &written, nullptr, sealed.ciphertext.data(), sealed.ciphertext.size(),
          aad.data(), aad.size(), sealed.nonce.data(), key.data()) != 0 ||
      written != mldsa::kSeedSize) {
    return make_error(ErrorCode::kPermission,
                      label + ": wrong passphrase, or the key file was modified");
  }
  return seed;
}

// A JSON string literal for a non-secret value.
Result<std::string> quoted(const std::string& value) {
  try {
    return json(value).dump();
  } catch (const std::exception& ex) {
    return make_error(ErrorCode::kInvalidArgument, std::string("cannot encode: ") + ex.what());
  }
}

void append(SecureBytes& out, std::size_t& used, std::string_view text) {
  std::copy(text.begin(), text.end(), out.data() + used);
  used += text.size();
}

// --- parsing helpers ----------------------------------------------------------

Error field_error(const std::string& label, std::string_view field, std::string_view what) {
  return make_error(ErrorCode::kParse,
                    label + ": field \"" + std::string(field) + "\" " + std::string(what));
}

Result<std::string> get_string(const json& object, std::string_view field, const std::string& label) {
  const auto& v = object.at(std::string(field));
  if (!v.is_string()) return field_error(label, field, "must be a string");
  return v.get<std::string>();
}

Result<std::vector<std::uint8_t>> get_base64(const json& object, std::string_view field,
                                             std::size_t size, const std::string& label) {
  PQBPF_ASSIGN_OR_RETURN(std::string text, get_string(object, field, label));
  auto bytes = base64_decode(text);
  if (!bytes.ok()) return field_error(label, field, "is not valid base64");
  if (bytes->size() != size) {
    return field_error(label, field,
                       "must decode to " + std::to_string(size) + " bytes, not " +
                           std::to_string(bytes->size()));
  }
  return std::move(bytes).value();
}

Result<std::uint64_t> get_unsigned(const json& object, std::string_view field,
                                   const std::string& label) {
  const auto& v = object.at(std::string(field));
  if (!v.is_number_unsigned()) return field_error(label, field, "must be a non-negative integer");
  return v.get<std::uint64_t>();
}

// Wipes a parsed document's plain seed string on every way out of a parse.
class SeedStringWiper {
 public:
  explicit SeedStringWiper(json& doc) : doc_(doc) {}
  ~SeedStringWiper() {
    if (!doc_.is_object()) return;
    auto it = doc_.find("seed");
    if (it != doc_.end() && it->is_string()) {
      auto& text = it->get_ref<std::string&>();
      crypto::secure_wipe(text.data(), text.size());
    }
  }
  SeedStringWiper(const SeedStringWiper&) = delete;
  SeedStringWiper& operator=(const SeedStringWiper&) = delete;

 private:
  json& doc_;
};

// Decodes the plain seed straight into SecureBytes and wipes the JSON string.
Result<SecureBytes> take_plain_seed(json& doc, const std::string& label) {
  json& value = doc.at("seed");
  if (!value.is_string()) return field_error(label, "seed", "must be a string");
  auto& text = value.get_ref<std::string&>();
  SecureBytes decoded(text.size() / 4 * 3 + 3);
  std::size_t len = 0;
  const char* end = nullptr;
  // libsodium 1.0.18 reads any byte >= 0x80 as the digit '/': refuse them
  // first, without branching on the secret text (an OR of all its bytes).
  unsigned char high = 0;
  for (const char c : text) high |= static_cast<unsigned char>(c);
  const bool ok = (high & 0x80) == 0 && text.size() % 4 == 0 &&
                  sodium_base642bin(decoded.data(), decoded.size(), text.data(), text.size(),
                                    nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) == 0 &&
                  end == text.data() + text.size();
  crypto::secure_wipe(text.data(), text.size());
  if (!ok) return field_error(label, "seed", "is not valid base64");
  if (len != mldsa::kSeedSize) {
    return field_error(label, "seed",
                       "must decode to " + std::to_string(mldsa::kSeedSize) + " bytes, not " +
                           std::to_string(len));
  }
  return SecureBytes(decoded.span().first(len));
}

Result<Sealed> parse_sealed(const json& enc, const std::string& label) {
  const std::string where = label + ": field \"encryption\"";
  PQBPF_RETURN_IF_ERROR(check_json_keys(
      enc, {"kdf", "opslimit", "memlimit", "salt", "cipher", "nonce", "ciphertext"}, {}, where,
      JsonEcho::kNeverShowInput));
  PQBPF_ASSIGN_OR_RETURN(std::string kdf, get_string(enc, "kdf", where));
  if (kdf != kKdfName) {
    return make_error(ErrorCode::kUnsupported, where + ": this kdf is not supported; expected argon2id");
  }
  PQBPF_ASSIGN_OR_RETURN(std::string cipher, get_string(enc, "cipher", where));
  if (cipher != kCipherName) {
    return make_error(ErrorCode::kUnsupported,
                      where + ": this cipher is not supported; expected xchacha20poly1305");
  }
  Sealed sealed;
  PQBPF_ASSIGN_OR_RETURN(sealed.kdf.opslimit, get_unsigned(enc, "opslimit", where));
  PQBPF_ASSIGN_OR_RETURN(sealed.kdf.memlimit, get_unsigned(enc, "memlimit", where));
  PQBPF_RETURN_IF_ERROR(check_kdf_limits(sealed.kdf, label));
  PQBPF_ASSIGN_OR_RETURN(sealed.salt, get_base64(enc, "salt", kSaltSize, where));
  PQBPF_ASSIGN_OR_RETURN(sealed.nonce, get_base64(enc, "nonce", kNonceSize, where));
  PQBPF_ASSIGN_OR_RETURN(sealed.ciphertext, get_base64(enc, "ciphertext", kCiphertextSize, where));
  return sealed;
}

// Re-validates a field with the Identity rules and reports it as a parse error
// of the file. The rule's own message may quote the value; a key file's
// values are never quoted (a corrupted file may hold seed text anywhere), so
// `rule` says what the field must be instead.
Status as_file_error(const Status& status, const std::string& label, std::string_view field,
                     std::string_view rule) {
  if (status.ok()) return status;
  return field_error(label, field, "is invalid; it must be " + std::string(rule));
}

}  // namespace

KdfLimits KdfLimits::interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}
KdfLimits KdfLimits::moderate() {
  return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}
KdfLimits KdfLimits::minimum() { return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN}; }

std::string public_key_path(const std::string& key_path) {
  return key_path + std::string(kPublicKeySuffix);
}

Result<SecureBytes> serialize_key_file(const Identity& identity, const KeySaveOptions& options) {
  PQBPF_RETURN_IF_ERROR(sodium_ready());
  const KeyMetadata meta{identity.name(), identity.capabilities(), identity.did().str(),
                         identity.created_at()};
  std::string head = "{\n  \"format\": \"" + std::string(kKeyFileFormat) + "\",\n";
  head += "  \"algorithm\": \"" + std::string(identity.algorithm()) + "\",\n";
  PQBPF_ASSIGN_OR_RETURN(std::string name, quoted(meta.name));
  head += "  \"name\": " + name + ",\n  \"capabilities\": [";
  for (std::size_t i = 0; i < meta.capabilities.size(); ++i) {
    PQBPF_ASSIGN_OR_RETURN(std::string cap, quoted(meta.capabilities[i]));
    head += (i ? ", " : "") + cap;
  }
  head += "],\n  \"did\": \"" + meta.did + "\",\n";
  head += "  \"created_at\": \"" + meta.created_at + "\",\n";

  if (options.passphrase.has_value()) {
    if (options.passphrase->empty()) {
      return make_error(ErrorCode::kInvalidArgument, "the passphrase is empty");
    }
    PQBPF_RETURN_IF_ERROR(check_kdf_limits(options.kdf, "key file"));
    PQBPF_ASSIGN_OR_RETURN(Sealed sealed,
                           seal(identity.expose_secret_seed(), *options.passphrase, options.kdf, meta));
    std::string text = head + "  \"encryption\": {\n";
    text += "    \"kdf\": \"" + std::string(kKdfName) + "\",\n";
    text += "    \"opslimit\": " + std::to_string(sealed.kdf.opslimit) + ",\n";
    text += "    \"memlimit\": " + std::to_string(sealed.kdf.memlimit) + ",\n";
    text += "    \"salt\": \"" + base64_encode(sealed.salt) + "\",\n";
    text += "    \"cipher\": \"" + std::string(kCipherName) + "\",\n";
    text += "    \"nonce\": \"" + base64_encode(sealed.nonce) + "\",\n";
    text += "    \"ciphertext\": \"" + base64_encode(sealed.ciphertext) + "\"\n  }\n}\n";
    return SecureBytes(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  }

  // Plain: the seed's base64 goes straight into the SecureBytes output.
  const auto seed = identity.expose_secret_seed();
  const std::size_t b64_len = sodium_base64_ENCODED_LEN(seed.size(), sodium_base64_VARIANT_ORIGINAL);
  SecureBytes b64(b64_len);  // includes the NUL sodium writes
  sodium_bin2base64(reinterpret_cast<char*>(b64.data()), b64.size(), seed.data(), seed.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  const std::string_view seed_open = "  \"seed\": \"";
  const std::string_view tail = "\"\n}\n";
  SecureBytes out(head.size() + seed_open.size() + (b64_len - 1) + tail.size());
  std::size_t used = 0;
  append(out, used, head);
  append(out, used, seed_open);
  append(out, used, std::string_view(reinterpret_cast<const char*>(b64.data()), b64_len - 1));
  append(out, used, tail);
  return out;
}

Result<Identity> parse_key_file(std::string_view text, const std::string& label,
                                const PassphraseProvider& passphrase) {
  PQBPF_RETURN_IF_ERROR(sodium_ready());
  JsonLimits limits;
  limits.max_bytes = kMaxSmallFileSize;
  limits.max_depth = 4;
  // Errors of a key file never quote its text: it holds the seed (issue 11.5).
  PQBPF_ASSIGN_OR_RETURN(json doc, parse_json_strict(text, label, limits, JsonEcho::kNeverShowInput));
  const SeedStringWiper wiper(doc);
  if (!doc.is_object()) return make_error(ErrorCode::kParse, label + ": expected a JSON object");
  if (doc.contains("public_key") && !doc.contains("seed") && !doc.contains("encryption")) {
    return make_error(ErrorCode::kInvalidArgument,
                      label + ": this is a public key file; pass the private key file (without " +
                          std::string(kPublicKeySuffix) + ")");
  }
  // The format first: a newer format may legitimately have other fields.
  if (!doc.contains("format")) return make_error(ErrorCode::kParse, label + ": missing field \"format\"");
  PQBPF_ASSIGN_OR_RETURN(std::string format, get_string(doc, "format", label));
  if (format != kKeyFileFormat) {
    return make_error(ErrorCode::kUnsupported,
                      label + ": unsupported key file format; this version reads " +
                          std::string(kKeyFileFormat));
  }
  PQBPF_RETURN_IF_ERROR(check_json_keys(
      doc, {"format", "algorithm", "name", "capabilities", "did", "created_at"},
      {"seed", "encryption"}, label, JsonEcho::kNeverShowInput));
  const bool has_seed = doc.contains("seed");
  const bool has_encryption = doc.contains("encryption");
  if (has_seed == has_encryption) {
    return make_error(ErrorCode::kParse,
                      label + ": expected exactly one of the fields \"seed\" and \"encryption\"");
  }

  PQBPF_ASSIGN_OR_RETURN(std::string algorithm, get_string(doc, "algorithm", label));
  if (algorithm != mldsa::parameter_set_name(kIdentityParameterSet)) {
    return make_error(ErrorCode::kUnsupported,
                      label + ": this algorithm is not supported; expected " +
                          std::string(mldsa::parameter_set_name(kIdentityParameterSet)));
  }
  KeyMetadata meta;
  PQBPF_ASSIGN_OR_RETURN(meta.name, get_string(doc, "name", label));
  PQBPF_RETURN_IF_ERROR(as_file_error(validate_identity_name(meta.name), label, "name",
                                      "1 to 128 bytes of UTF-8 without control characters"));
  const json& caps = doc.at("capabilities");
  if (!caps.is_array()) return field_error(label, "capabilities", "must be an array of strings");
  for (const auto& cap : caps) {
    if (!cap.is_string()) return field_error(label, "capabilities", "must be an array of strings");
    meta.capabilities.push_back(cap.get<std::string>());
  }
  PQBPF_RETURN_IF_ERROR(as_file_error(validate_capabilities(meta.capabilities), label,
                                      "capabilities",
                                      "at most 32 distinct names of 1 to 64 characters [a-z0-9._:-]"));
  PQBPF_ASSIGN_OR_RETURN(meta.did, get_string(doc, "did", label));
  auto stored_did = Did::parse(meta.did);
  if (!stored_did.ok()) return field_error(label, "did", "is not a DID (did:pqaid: and 64 hex digits)");
  PQBPF_ASSIGN_OR_RETURN(meta.created_at, get_string(doc, "created_at", label));
  PQBPF_RETURN_IF_ERROR(as_file_error(validate_timestamp(meta.created_at), label, "created_at",
                                      "an RFC 3339 UTC time like 2026-01-31T23:59:59Z"));

  SecureBytes seed;
  if (has_seed) {
    PQBPF_ASSIGN_OR_RETURN(seed, take_plain_seed(doc, label));
  } else {
    PQBPF_ASSIGN_OR_RETURN(Sealed sealed, parse_sealed(doc.at("encryption"), label));
    if (!passphrase) {
      return make_error(ErrorCode::kInvalidArgument,
                        label + ": the key is passphrase-protected; give a passphrase "
                                "(--passphrase-file, --passphrase-env or a terminal)");
    }
    PQBPF_ASSIGN_OR_RETURN(SecureBytes pass, passphrase());
    PQBPF_ASSIGN_OR_RETURN(seed, open_sealed(sealed, pass, meta, label));
  }

  auto identity = Identity::from_seed(seed.span(), meta.name, meta.capabilities, meta.created_at);
  if (!identity.ok()) return make_error(identity.error().code, label + ": " + identity.error().message);
  if (identity->did() != *stored_did) {
    return make_error(ErrorCode::kRejected,
                      label + ": the seed gives DID " + identity->did().str() + " but the file says " +
                          stored_did->str() + "; the key file was modified");
  }
  return identity;
}

bool key_file_is_encrypted(std::string_view text) {
  auto doc = parse_json_strict(text, "key file", {}, JsonEcho::kNeverShowInput);
  if (!doc.ok()) return false;
  const SeedStringWiper wiper(*doc);
  return doc->is_object() && doc->contains("encryption");
}

Result<Identity> load_key_file(const std::string& path, const PassphraseProvider& passphrase) {
  internal::SecretFileOptions options;
  options.max_size = kMaxSmallFileSize;
  options.refused_mode_bits = 077;
  options.require_own_file = true;
  PQBPF_ASSIGN_OR_RETURN(SecureBytes contents, internal::read_secret_file(path, options));
  return parse_key_file(
      std::string_view(reinterpret_cast<const char*>(contents.data()), contents.size()), path,
      passphrase);
}

Status save_key_file(const std::string& path, const Identity& identity,
                     const KeySaveOptions& options) {
  if (path.empty()) return make_error(ErrorCode::kInvalidArgument, "no key file path given");
  if (path.size() >= kPublicKeySuffix.size() &&
      path.compare(path.size() - kPublicKeySuffix.size(), kPublicKeySuffix.size(), kPublicKeySuffix) == 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      path + ": a private key path must not end in .pub; drop the suffix");
  }
  const std::string pub_path = public_key_path(path);
  // Check both before writing either, so a refusal writes nothing: absent,
  // or (with force) a regular file to replace.
  PQBPF_RETURN_IF_ERROR(check_write_destination(path, options.force));
  PQBPF_RETURN_IF_ERROR(check_write_destination(pub_path, options.force));
  PQBPF_ASSIGN_OR_RETURN(SecureBytes key_text, serialize_key_file(identity, options));
  PQBPF_ASSIGN_OR_RETURN(std::string pub_text, serialize_public_key_file(identity.public_identity()));
  // The .pub first, the private key last: if writing the key fails, the old
  // key is still in place, and the old .pub is put back beside it.
  std::optional<std::string> old_pub;
  if (options.force) {
    auto previous = read_text_file(pub_path, kMaxSmallFileSize);
    if (previous.ok()) old_pub = std::move(previous).value();
  }
  WriteOptions pub_write;
  pub_write.mode = 0644;
  pub_write.overwrite = options.force;
  PQBPF_RETURN_IF_ERROR(write_file_atomic(pub_path, pub_text, pub_write));
  WriteOptions key_write;
  key_write.mode = 0600;
  key_write.overwrite = options.force;
  if (auto s = write_file_atomic(path, key_text.span(), key_write); !s.ok()) {
    if (old_pub) {
      (void)write_file_atomic(pub_path, *old_pub, pub_write);
    } else {
      ::unlink(pub_path.c_str());  // we created it: leave nothing half-done
    }
    return s;
  }
  return ok_status();
}

}  // namespace pqbpf

// Identity and PublicIdentity construction: field validation, key derivation
// from the seed, and the DID/key binding check (see identity.h).
#include "pqbpf/core/identity.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>

#include "pqbpf/core/key_purpose.h"
#include "pqbpf/core/timestamp.h"
#include "pqbpf/crypto/random.h"

namespace pqbpf {
namespace {

namespace mldsa = crypto::mldsa;

// Strict UTF-8 (RFC 3629): no overlongs, no surrogates, nothing past U+10FFFF.
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Status validate_identity_name(std::string_view name) {
  if (name.empty()) return make_error(ErrorCode::kInvalidArgument, "identity name is empty");
  if (name.size() > kMaxIdentityNameSize) {
    return make_error(ErrorCode::kInvalidArgument,
                      "identity name is " + std::to_string(name.size()) +
                          " bytes, longer than the limit of " +
                          std::to_string(kMaxIdentityNameSize));
  }
  if (!valid_utf8(name)) {
    return make_error(ErrorCode::kInvalidArgument, "identity name is not valid UTF-8");
  }
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) {
      return make_error(ErrorCode::kInvalidArgument, "identity name contains a control character");
    }
  }
  return ok_status();
}

Status validate_capabilities(const std::vector<std::string>& capabilities) {
  if (capabilities.size() > kMaxCapabilities) {
    return make_error(ErrorCode::kInvalidArgument,
                      "too many capabilities (" + std::to_string(capabilities.size()) +
                          "); the limit is " + std::to_string(kMaxCapabilities));
  }
  std::set<std::string_view> seen;
  for (const auto& cap : capabilities) {
    const std::string shown = cap.substr(0, kMaxCapabilitySize);
    if (cap.empty() || cap.size() > kMaxCapabilitySize) {
      return make_error(ErrorCode::kInvalidArgument,
                        "capability '" + shown + "' must be 1 to " +
                            std::to_string(kMaxCapabilitySize) + " characters");
    }
    for (char c : cap) {
      const bool ok = (c >= 'a' && c <= 'z') || is_digit(c) || c == '.' || c == '_' || c == ':' ||
                      c == '-';
      if (!ok) {
        return make_error(ErrorCode::kInvalidArgument,
                          "capability '" + shown + "' may only contain a-z, 0-9, '.', '_', ':', '-'");
      }
    }
    if (!seen.insert(cap).second) {
      return make_error(ErrorCode::kInvalidArgument, "capability '" + shown + "' is listed twice");
    }
  }
  return ok_status();
}

Status validate_timestamp(std::string_view ts) {
  // YYYY-MM-DDTHH:MM:SSZ, through the one shared parser (no ":60").
  if (!parse_timestamp(ts, TimestampSyntax::kUtcSeconds).ok()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "timestamp '" + std::string(ts.substr(0, 40)) +
                          "' is not RFC 3339 UTC like 2026-01-31T23:59:59Z");
  }
  return ok_status();
}

std::string current_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// --- PublicIdentity ---------------------------------------------------------

Result<PublicIdentity> PublicIdentity::create(std::string_view name,
                                              const mldsa::PublicKey& public_key) {
  PQBPF_RETURN_IF_ERROR(validate_identity_name(name));
  if (public_key.parameter_set() != kIdentityParameterSet) {
    return make_error(ErrorCode::kUnsupported,
                      "identity keys must be " +
                          std::string(mldsa::parameter_set_name(kIdentityParameterSet)) + ", not " +
                          std::string(mldsa::parameter_set_name(public_key.parameter_set())));
  }
  return PublicIdentity(Did::from_public_key(public_key), std::string(name), public_key);
}

Result<PublicIdentity> PublicIdentity::create_bound(const Did& claimed, std::string_view name,
                                                    const mldsa::PublicKey& public_key) {
  PQBPF_ASSIGN_OR_RETURN(auto identity, create(name, public_key));
  if (identity.did() != claimed) {
    return make_error(ErrorCode::kRejected, "DID " + claimed.str() +
                                                " does not belong to the public key, whose DID is " +
                                                identity.did().str());
  }
  return identity;
}

// --- Identity ---------------------------------------------------------------

Identity::Identity(crypto::SecureBytes seed, std::string name,
                   std::vector<std::string> capabilities, std::string created_at, Did did,
                   mldsa::PublicKey public_key, mldsa::PrivateKey private_key)
    : seed_(std::move(seed)),
      name_(std::move(name)),
      capabilities_(std::move(capabilities)),
      created_at_(std::move(created_at)),
      did_(std::move(did)),
      public_key_(std::move(public_key)),
      private_key_(std::move(private_key)) {}

Result<Identity> Identity::create(std::string_view name, std::vector<std::string> capabilities) {
  // Validate before spending randomness and a key generation.
  PQBPF_RETURN_IF_ERROR(validate_identity_name(name));
  PQBPF_RETURN_IF_ERROR(validate_capabilities(capabilities));
  PQBPF_RETURN_IF_ERROR(validate_key_purposes(capabilities));
  crypto::SecureBytes seed(mldsa::kSeedSize);
  PQBPF_RETURN_IF_ERROR(crypto::random_bytes(seed.span()));
  return from_seed(seed.span(), name, std::move(capabilities), current_timestamp());
}

Result<Identity> Identity::from_seed(std::span<const std::uint8_t> seed, std::string_view name,
                                     std::vector<std::string> capabilities,
                                     std::string_view created_at) {
  if (seed.size() != mldsa::kSeedSize) {
    return make_error(ErrorCode::kInvalidArgument,
                      "seed is " + std::to_string(seed.size()) + " bytes; ML-DSA seeds are " +
                          std::to_string(mldsa::kSeedSize));
  }
  PQBPF_RETURN_IF_ERROR(validate_identity_name(name));
  PQBPF_RETURN_IF_ERROR(validate_capabilities(capabilities));
  PQBPF_RETURN_IF_ERROR(validate_timestamp(created_at));
  crypto::SecureBytes owned(seed);
  mldsa::KeyPair pair = mldsa::generate_key_pair(
      kIdentityParameterSet, std::span<const std::uint8_t, mldsa::kSeedSize>(owned.data(), mldsa::kSeedSize));
  Did did = Did::from_public_key(pair.public_key);
  return Identity(std::move(owned), std::string(name), std::move(capabilities),
                  std::string(created_at), std::move(did), std::move(pair.public_key),
                  std::move(pair.private_key));
}

bool Identity::has_capability(std::string_view capability) const {
  return std::find(capabilities_.begin(), capabilities_.end(), capability) != capabilities_.end();
}

PublicIdentity Identity::public_identity() const {
  // Fields were validated when this Identity was built.
  return PublicIdentity(did_, name_, public_key_);
}

}  // namespace pqbpf

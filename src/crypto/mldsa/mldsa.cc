// The typed ML-DSA API (pqbpf/crypto/mldsa.h) over the internal algorithms:
// length checks, the message representative mu (FIPS 204, Algorithm 7 step 6
// and Algorithms 2-3: M' = 0 || |ctx| || ctx || M), signing randomness, and
// the per-key cache of the expanded public key.
#include "pqbpf/crypto/mldsa.h"

#include <algorithm>
#include <mutex>
#include <ostream>
#include <string>

#include "mldsa_impl.h"
#include "pqbpf/crypto/ct.h"
#include "pqbpf/crypto/random.h"
#include "xof.h"

namespace pqbpf::crypto::mldsa {
namespace internal {

struct PublicKeyCache {
  std::once_flag once;
  std::shared_ptr<const void> expanded;  // ExpandedPublicKey<P> for the key's set
  std::array<std::uint8_t, 64> tr{};     // H(pk, 64): valid once tr_known or `once` ran
  bool tr_known = false;                 // set before the key is shared, never changed
};

struct Access {
  static PublicKey make_public(ParameterSet set, std::vector<std::uint8_t> encoded,
                               std::span<const std::uint8_t, 64> tr) {
    return PublicKey(set, std::move(encoded), tr);
  }
  static PrivateKey make_private(ParameterSet set, SecureBytes encoded) {
    return PrivateKey(set, std::move(encoded));
  }
  static const std::shared_ptr<PublicKeyCache>& cache(const PublicKey& key) { return key.cache_; }
};

// Fills key's cache once: the expanded key, and tr unless key generation
// supplied it (then only ExpandA and NTT(t1) run). Returns the cache, or
// null for a moved-from key.
PublicKeyCache* expanded_cache(const PublicKey& key);

}  // namespace internal

namespace {

using internal::Access;
using internal::ExpandedPublicKey;
using internal::Params44;
using internal::Params65;
using internal::Params87;
using internal::Scheme;

// Calls f(P{}) with the parameter struct of set.
template <typename F>
decltype(auto) dispatch(ParameterSet set, F&& f) {
  switch (set) {
    case ParameterSet::kMlDsa44: return f(Params44{});
    case ParameterSet::kMlDsa65: return f(Params65{});
    case ParameterSet::kMlDsa87: return f(Params87{});
  }
  return f(Params87{});  // unreachable for a valid enum value; see valid_set()
}

bool valid_set(ParameterSet set) {
  return set == ParameterSet::kMlDsa44 || set == ParameterSet::kMlDsa65 ||
         set == ParameterSet::kMlDsa87;
}

std::string set_name(ParameterSet set) { return std::string(parameter_set_name(set)); }

Error rejected(ParameterSet set, std::string_view why) {
  return make_error(ErrorCode::kRejected, set_name(set) + " signature rejected: " + std::string(why));
}

// mu = H(tr || prefix || ctx || msg, 64), the message representative of
// FIPS 204, Algorithm 7 step 6 / Algorithm 8 step 7. prefix is empty for the
// internal interface and (0, |ctx|) for pure ML-DSA.
internal::Shake256& absorb_parts(internal::Shake256& h, std::span<const std::uint8_t> tr,
                                 std::span<const std::uint8_t> prefix,
                                 std::span<const std::uint8_t> ctx,
                                 std::span<const std::uint8_t> msg) {
  h.absorb(tr);
  h.absorb(prefix);
  h.absorb(ctx);
  h.absorb(msg);
  return h;
}

Mu mu_of(std::span<const std::uint8_t> tr, std::span<const std::uint8_t> prefix,
         std::span<const std::uint8_t> ctx, std::span<const std::uint8_t> msg) {
  internal::Shake256 h;
  absorb_parts(h, tr, prefix, ctx, msg);
  h.finalize();
  Mu mu;
  h.squeeze(mu.data(), mu.size());
  return mu;
}

std::span<const std::uint8_t> private_tr(const PrivateKey& key) {
  return key.expose_secret_encoding().subspan(2 * internal::kSeedBytes, internal::kTrBytes);
}

std::vector<std::uint8_t> sign_with_mu(const PrivateKey& key, const Mu& mu, Randomness rnd) {
  return dispatch(key.parameter_set(), [&](auto p) {
    using P = decltype(p);
    std::vector<std::uint8_t> sig(P::signature_bytes);
    if (!Scheme<P>::sign_mu(key.expose_secret_encoding().data(), mu.data(), rnd.data(),
                            sig.data())) {
      sig.clear();  // the 16-bit counter ran out: never happens in practice
    }
    return sig;
  });
}

Status verify_with_mu(const PublicKey& key, const Mu& mu, std::span<const std::uint8_t> signature) {
  const ParameterSet set = key.parameter_set();
  if (!valid_set(set) || key.bytes().size() != sizes(set).public_key) {
    return make_error(ErrorCode::kInvalidArgument, "ML-DSA public key is not usable");
  }
  if (signature.size() != sizes(set).signature) {
    return rejected(set, "length " + std::to_string(signature.size()) + ", expected " +
                             std::to_string(sizes(set).signature));
  }
  const bool ok = dispatch(set, [&](auto p) {
    using P = decltype(p);
    const auto& cache = Access::cache(key);
    if (!cache) {  // a moved-from key: expand without caching
      std::unique_ptr<ExpandedPublicKey<P>> local(new ExpandedPublicKey<P>);
      Scheme<P>::expand_public_key(*local, key.bytes().data());
      return Scheme<P>::verify_mu(*local, mu.data(), signature.data());
    }
    internal::expanded_cache(key);
    const auto* expanded = static_cast<const ExpandedPublicKey<P>*>(cache->expanded.get());
    return Scheme<P>::verify_mu(*expanded, mu.data(), signature.data());
  });
  if (!ok) return rejected(set, "does not verify");
  return ok_status();
}

Status check_context(std::span<const std::uint8_t> context) {
  if (context.size() > kMaxContextSize) {
    return make_error(ErrorCode::kInvalidArgument,
                      "ML-DSA context string is " + std::to_string(context.size()) +
                          " bytes; at most 255 are allowed");
  }
  return ok_status();
}

std::array<std::uint8_t, 2> pure_prefix(std::span<const std::uint8_t> context) {
  return {0, static_cast<std::uint8_t>(context.size())};
}

}  // namespace

std::string_view parameter_set_name(ParameterSet set) {
  switch (set) {
    case ParameterSet::kMlDsa44: return "ML-DSA-44";
    case ParameterSet::kMlDsa65: return "ML-DSA-65";
    case ParameterSet::kMlDsa87: return "ML-DSA-87";
  }
  return "ML-DSA-?";
}

Result<ParameterSet> parameter_set_from_name(std::string_view name) {
  for (ParameterSet set : {ParameterSet::kMlDsa44, ParameterSet::kMlDsa65, ParameterSet::kMlDsa87}) {
    if (name == parameter_set_name(set)) return set;
  }
  return make_error(ErrorCode::kUnsupported,
                    "unknown ML-DSA parameter set '" + std::string(name) +
                        "'; expected ML-DSA-44, ML-DSA-65 or ML-DSA-87");
}

// --- PublicKey ------------------------------------------------------------

namespace internal {

PublicKeyCache* expanded_cache(const PublicKey& key) {
  PublicKeyCache* cache = Access::cache(key).get();
  if (cache == nullptr) return nullptr;
  std::call_once(cache->once, [&] {
    dispatch(key.parameter_set(), [&](auto p) {
      using P = decltype(p);
      // Default-initialised (no zeroing): expand_public_key writes it all.
      std::shared_ptr<ExpandedPublicKey<P>> expanded(new ExpandedPublicKey<P>);
      // tr = H(pk, 64) (FIPS 204, Algorithm 8 step 6), alongside ExpandA.
      Scheme<P>::expand_public_key(*expanded, key.bytes().data(),
                                   cache->tr_known ? nullptr : cache->tr.data());
      cache->expanded = std::move(expanded);
    });
  });
  return cache;
}

}  // namespace internal

PublicKey::PublicKey(ParameterSet set, std::vector<std::uint8_t> encoded)
    : set_(set), encoded_(std::move(encoded)), cache_(std::make_shared<internal::PublicKeyCache>()) {}

PublicKey::PublicKey(ParameterSet set, std::vector<std::uint8_t> encoded,
                     std::span<const std::uint8_t, 64> tr)
    : set_(set), encoded_(std::move(encoded)), cache_(std::make_shared<internal::PublicKeyCache>()) {
  std::copy(tr.begin(), tr.end(), cache_->tr.begin());
  cache_->tr_known = true;
}

std::span<const std::uint8_t, 64> PublicKey::tr() const {
  static constexpr std::array<std::uint8_t, 64> kNone{};  // a moved-from key
  if (!cache_) return kNone;
  if (cache_->tr_known) return cache_->tr;
  return internal::expanded_cache(*this)->tr;
}

Result<PublicKey> PublicKey::parse(ParameterSet set, std::span<const std::uint8_t> encoded) {
  if (!valid_set(set)) return make_error(ErrorCode::kInvalidArgument, "unknown ML-DSA parameter set");
  const std::size_t want = sizes(set).public_key;
  if (encoded.size() != want) {
    return make_error(ErrorCode::kInvalidArgument,
                      set_name(set) + " public key is " + std::to_string(encoded.size()) +
                          " bytes; expected " + std::to_string(want));
  }
  return PublicKey(set, std::vector<std::uint8_t>(encoded.begin(), encoded.end()));
}

// --- PrivateKey -----------------------------------------------------------

Result<PrivateKey> PrivateKey::parse(ParameterSet set, std::span<const std::uint8_t> encoded) {
  if (!valid_set(set)) return make_error(ErrorCode::kInvalidArgument, "unknown ML-DSA parameter set");
  const std::size_t want = sizes(set).private_key;
  if (encoded.size() != want) {
    return make_error(ErrorCode::kInvalidArgument,
                      set_name(set) + " private key is " + std::to_string(encoded.size()) +
                          " bytes; expected " + std::to_string(want));
  }
  const bool well_formed = dispatch(set, [&](auto p) {
    return Scheme<decltype(p)>::private_key_is_well_formed(encoded.data());
  });
  if (!well_formed) {
    return make_error(ErrorCode::kParse,
                      set_name(set) + " private key has an s1 or s2 coefficient out of range");
  }
  return PrivateKey(set, SecureBytes(encoded));
}

void PrintTo(const PrivateKey& key, std::ostream* os) {
  *os << "<" << parameter_set_name(key.parameter_set()) << " private key>";
}

// --- Key generation -------------------------------------------------------

KeyPair generate_key_pair(ParameterSet set, Seed seed) {
  if (!valid_set(set)) set = ParameterSet::kMlDsa87;  // unreachable with a valid enum
  return dispatch(set, [&](auto p) {
    using P = decltype(p);
    std::vector<std::uint8_t> pk(P::public_key_bytes);
    SecureBytes sk(P::private_key_bytes);
    Scheme<P>::keygen(seed.data(), pk.data(), sk.data());
    // skEncode puts tr = H(pk, 64) after rho and K: reuse it rather than
    // hashing the public key a second time.
    const std::span<const std::uint8_t, 64> tr(sk.data() + 2 * internal::kSeedBytes, 64);
    return KeyPair{Access::make_public(set, std::move(pk), tr),
                   Access::make_private(set, std::move(sk))};
  });
}

Result<KeyPair> generate_key_pair(ParameterSet set) {
  if (!valid_set(set)) return make_error(ErrorCode::kInvalidArgument, "unknown ML-DSA parameter set");
  SecureBytes seed(kSeedSize);
  PQBPF_RETURN_IF_ERROR(random_bytes(seed.span()));
  PQBPF_SECRET(seed.data(), seed.size());
  return generate_key_pair(set, Seed(seed.data(), kSeedSize));
}

Result<KeyPair> key_pair_from_seed(ParameterSet set, std::span<const std::uint8_t> seed) {
  if (!valid_set(set)) return make_error(ErrorCode::kInvalidArgument, "unknown ML-DSA parameter set");
  if (seed.size() != kSeedSize) {
    return make_error(ErrorCode::kInvalidArgument,
                      "ML-DSA seed is " + std::to_string(seed.size()) + " bytes; expected 32");
  }
  return generate_key_pair(set, Seed(seed.data(), kSeedSize));
}

// --- Signing --------------------------------------------------------------

Result<std::vector<std::uint8_t>> sign(const PrivateKey& key, std::span<const std::uint8_t> message,
                                       std::span<const std::uint8_t> context, SigningMode mode) {
  // A moved-from key holds no bytes; signing would read past them (issue 11.11).
  if (key.expose_secret_encoding().size() != sizes(key.parameter_set()).private_key) {
    return make_error(ErrorCode::kInvalidArgument, "ML-DSA signing key is empty (moved from?)");
  }
  PQBPF_RETURN_IF_ERROR(check_context(context));
  std::array<std::uint8_t, kRandomnessSize> rnd{};
  if (mode == SigningMode::kHedged) {
    PQBPF_RETURN_IF_ERROR(random_bytes(rnd));
    PQBPF_SECRET(rnd.data(), rnd.size());
  }
  const auto prefix = pure_prefix(context);
  const Mu mu = mu_of(private_tr(key), prefix, context, message);
  std::vector<std::uint8_t> sig = sign_with_mu(key, mu, rnd);
  secure_wipe(rnd.data(), rnd.size());
  if (sig.empty()) return make_error(ErrorCode::kCrypto, "ML-DSA signing did not terminate");
  return sig;
}

std::vector<std::uint8_t> sign_internal(const PrivateKey& key,
                                        std::span<const std::uint8_t> formatted_message,
                                        Randomness rnd) {
  if (key.expose_secret_encoding().size() != sizes(key.parameter_set()).private_key) return {};
  const Mu mu = mu_of(private_tr(key), {}, {}, formatted_message);
  return sign_with_mu(key, mu, rnd);
}

std::vector<std::uint8_t> sign_mu(const PrivateKey& key, const Mu& mu, Randomness rnd) {
  if (key.expose_secret_encoding().size() != sizes(key.parameter_set()).private_key) return {};
  return sign_with_mu(key, mu, rnd);
}

// --- Verification ---------------------------------------------------------

Status verify(const PublicKey& key, std::span<const std::uint8_t> message,
              std::span<const std::uint8_t> context, std::span<const std::uint8_t> signature) {
  PQBPF_RETURN_IF_ERROR(check_context(context));
  const auto prefix = pure_prefix(context);
  return verify_with_mu(key, mu_of(key.tr(), prefix, context, message), signature);
}

Status verify_internal(const PublicKey& key, std::span<const std::uint8_t> formatted_message,
                       std::span<const std::uint8_t> signature) {
  return verify_with_mu(key, mu_of(key.tr(), {}, {}, formatted_message), signature);
}

Status verify_mu(const PublicKey& key, const Mu& mu, std::span<const std::uint8_t> signature) {
  return verify_with_mu(key, mu, signature);
}

Result<Mu> compute_mu(const PublicKey& key, std::span<const std::uint8_t> message,
                      std::span<const std::uint8_t> context) {
  PQBPF_RETURN_IF_ERROR(check_context(context));
  const auto prefix = pure_prefix(context);
  return mu_of(key.tr(), prefix, context, message);
}

}  // namespace pqbpf::crypto::mldsa

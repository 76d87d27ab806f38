// FIPS 204 ML-DSA.KeyGen_internal, Sign_internal and Verify_internal
// (Algorithms 6-8), instantiated for ML-DSA-44, -65 and -87.
//
// Constant time: the seed xi, the private key, rnd and everything derived from
// them are secret. The only values declassified (PQBPF_DECLASSIFY, each with
// its reason) are: rho and the public key; the challenge seed c_tilde of each
// attempt; the single accept/reject bit of each attempt; and the signature
// once it is accepted. Secret intermediates are wiped before returning.
#include "mldsa_impl.h"

#include <memory>
#include <new>
#include <type_traits>

#include "../cpu_dispatch.h"
#include "packing.h"
#include "pqbpf/crypto/ct.h"
#include "pqbpf/crypto/secure_bytes.h"
#include "sampling.h"
#include "xof.h"

namespace pqbpf::crypto::mldsa::internal {
namespace {

// r = sum_j a[j] o b[j] (NTT domain), one Montgomery reduction per
// coefficient. |a_j| < q and |b_j| < 9q keep the 64-bit sum below 2^31 q.
template <int L>
inline void dot_montgomery(Poly& r, const PolyVec<L>& a, const PolyVec<L>& b) {
  if (crypto::internal::use_avx2()) {
    dot_montgomery_avx2(r.c, a[0].c, b[0].c, L, nullptr, nullptr);
    return;
  }
  for (int i = 0; i < kN; ++i) {
    std::int64_t acc = 0;
    for (int j = 0; j < L; ++j) acc += static_cast<std::int64_t>(a[j].c[i]) * b[j].c[i];
    r.c[i] = montgomery_reduce(acc);
  }
}

template <typename T>
inline void wipe(T& v) {
  secure_wipe(&v, sizeof(v));
}

// Heap-allocated scratch that is wiped before it is freed: keeps the large
// signing state off small thread stacks. A state whose first member is the
// public matrix A_hat (computed from rho, which is public) says so with
// public_prefix() = sizeof(a_hat); those bytes, more than half of the state,
// are not wiped.
template <typename T>
struct WipingDeleter {
  void operator()(T* p) const {
    std::size_t skip = 0;
    if constexpr (requires { T::public_prefix(); }) skip = T::public_prefix();
    secure_wipe(reinterpret_cast<unsigned char*>(p) + skip, sizeof(T) - skip);
    ::operator delete(p, std::align_val_t{alignof(T)});
  }
};
template <typename T>
using ScratchPtr = std::unique_ptr<T, WipingDeleter<T>>;
template <typename T>
ScratchPtr<T> make_scratch() {
  static_assert(std::is_standard_layout_v<T>);
  void* mem = ::operator new(sizeof(T), std::align_val_t{alignof(T)});
  return ScratchPtr<T>(new (mem) T);
}

}  // namespace

// FIPS 204, Algorithm 6 ML-DSA.KeyGen_internal(xi).
template <class P>
void Scheme<P>::keygen(const std::uint8_t xi[kSeedBytes], std::uint8_t* pk, std::uint8_t* sk) {
  struct State {
    PolyVec<P::l> a_hat[P::k];  // public, first: see WipingDeleter
    static constexpr std::size_t public_prefix() { return sizeof(PolyVec<P::l>[P::k]); }
    std::uint8_t seeds[2 * kSeedBytes + kCrhBytes];  // rho || rho' || K
    PolyVec<P::l> s1, s1_hat;
    PolyVec<P::k> s2, t, t1, t0;
  };
  auto st = make_scratch<State>();

  // Step 1: (rho, rho', K) = H(xi || IntegerToBytes(k, 1) || IntegerToBytes(l, 1), 128).
  const std::uint8_t kl[2] = {static_cast<std::uint8_t>(P::k), static_cast<std::uint8_t>(P::l)};
  shake256(st->seeds, sizeof(st->seeds), {xi, kSeedBytes}, kl);
  const std::uint8_t* rho = st->seeds;
  const std::uint8_t* rho_prime = st->seeds + kSeedBytes;
  const std::uint8_t* key = st->seeds + kSeedBytes + kCrhBytes;
  // Declassified: rho is published as the first 32 bytes of the public key,
  // and ExpandA's rejection sampling branches on it.
  PQBPF_DECLASSIFY(st->seeds, kSeedBytes);

  // Steps 3-5: A_hat = ExpandA(rho), (s1, s2) = ExpandS(rho'),
  // t = NTT^-1(A_hat o NTT(s1)) + s2.
  expand_a<P>(st->a_hat, rho);
  expand_s<P>(st->s1, st->s2, rho_prime);
  st->s1_hat = st->s1;
  for (auto& p : st->s1_hat) poly_ntt(p);
  for (int i = 0; i < P::k; ++i) {
    dot_montgomery<P::l>(st->t[i], st->a_hat[i], st->s1_hat);
    poly_invntt_tomont(st->t[i]);
    poly_add(st->t[i], st->t[i], st->s2[i]);
    poly_freeze(st->t[i]);
    // Step 6: (t1, t0) = Power2Round(t).
    poly_power2round(st->t1[i], st->t0[i], st->t[i]);
  }

  // Step 8: pk = pkEncode(rho, t1).
  for (std::size_t i = 0; i < kSeedBytes; ++i) pk[i] = rho[i];
  for (int i = 0; i < P::k; ++i) pack_t1(pk + kSeedBytes + i * P::t1_poly_bytes, st->t1[i]);
  // Declassified: the public key is the public output of KeyGen.
  PQBPF_DECLASSIFY(pk, P::public_key_bytes);

  // Step 9: tr = H(pk, 64). Step 10: sk = skEncode(rho, K, tr, s1, s2, t0).
  std::uint8_t* out = sk;
  for (std::size_t i = 0; i < kSeedBytes; ++i) *out++ = rho[i];
  for (std::size_t i = 0; i < kSeedBytes; ++i) *out++ = key[i];
  shake256(out, kTrBytes, {pk, P::public_key_bytes});
  out += kTrBytes;
  for (int i = 0; i < P::l; ++i, out += P::eta_poly_bytes) pack_eta<P>(out, st->s1[i]);
  for (int i = 0; i < P::k; ++i, out += P::eta_poly_bytes) pack_eta<P>(out, st->s2[i]);
  for (int i = 0; i < P::k; ++i, out += P::t0_poly_bytes) pack_t0(out, st->t0[i]);
}

template <class P>
bool Scheme<P>::private_key_is_well_formed(const std::uint8_t* sk) {
  Poly s;
  std::uint32_t bad = 0;
  const std::uint8_t* in = sk + 2 * kSeedBytes + kTrBytes;
  for (int i = 0; i < P::k + P::l; ++i, in += P::eta_poly_bytes) bad |= unpack_eta<P>(s, in);
  wipe(s);
  // Declassified: one bit saying whether the encoding is malformed. Every key
  // that KeyGen can produce passes, so it tells nothing about a valid key.
  PQBPF_DECLASSIFY(&bad, sizeof(bad));
  return bad == 0;
}

// FIPS 204, Algorithm 7 ML-DSA.Sign_internal(sk, M', rnd), from step 7 on
// (mu is computed by the caller, from M' or supplied as external mu).
template <class P>
bool Scheme<P>::sign_mu(const std::uint8_t* sk, const std::uint8_t mu[kCrhBytes],
                        const std::uint8_t rnd[32], std::uint8_t* sig) {
  struct State {
    PolyVec<P::l> a_hat[P::k];  // public, first: see WipingDeleter
    static constexpr std::size_t public_prefix() { return sizeof(PolyVec<P::l>[P::k]); }
    std::uint8_t rho[kSeedBytes];
    std::uint8_t rho_pp[kCrhBytes];
    std::uint8_t w1_packed[P::k * P::w1_poly_bytes];
    std::uint8_t c_tilde[P::ctilde_bytes];
    PolyVec<P::l> s1_hat, y, z;
    PolyVec<P::k> s2_hat, t0_hat, w0, w1, tmp, h;
    Poly c_hat;
  };
  auto st = make_scratch<State>();

  // Step 1: (rho, K, tr, s1, s2, t0) = skDecode(sk). Steps 2-4: NTT of
  // s1, s2, t0 (the private key type guarantees the ranges).
  for (std::size_t i = 0; i < kSeedBytes; ++i) st->rho[i] = sk[i];
  // Declassified: rho is part of the public key (and ExpandA branches on it).
  PQBPF_DECLASSIFY(st->rho, kSeedBytes);
  const std::uint8_t* key = sk + kSeedBytes;
  const std::uint8_t* in = sk + 2 * kSeedBytes + kTrBytes;
  for (int i = 0; i < P::l; ++i, in += P::eta_poly_bytes) {
    (void)unpack_eta<P>(st->s1_hat[i], in);
    poly_ntt(st->s1_hat[i]);
  }
  for (int i = 0; i < P::k; ++i, in += P::eta_poly_bytes) {
    (void)unpack_eta<P>(st->s2_hat[i], in);
    poly_ntt(st->s2_hat[i]);
  }
  for (int i = 0; i < P::k; ++i, in += P::t0_poly_bytes) {
    unpack_t0(st->t0_hat[i], in);
    poly_ntt(st->t0_hat[i]);
  }
  // Step 5: A_hat = ExpandA(rho).
  expand_a<P>(st->a_hat, st->rho);

  // Step 7: rho'' = H(K || rnd || mu, 64).
  shake256(st->rho_pp, kCrhBytes, {key, kSeedBytes}, {rnd, 32}, {mu, kCrhBytes});

  // Steps 8-32: the rejection loop. kappa feeds a 16-bit counter; stop
  // before it would wrap (a bound FIPS 204, Appendix C permits).
  for (std::uint32_t kappa = 0; kappa + P::l <= 0xFFFF; kappa += P::l) {
    // Step 11: y = ExpandMask(rho'', kappa).
    expand_mask<P>(st->y, st->rho_pp, static_cast<std::uint16_t>(kappa));
    // Step 12: w = NTT^-1(A_hat o NTT(y)). Step 13: w1 = HighBits(w).
    st->z = st->y;
    for (auto& p : st->z) poly_ntt(p);
    for (int i = 0; i < P::k; ++i) {
      dot_montgomery<P::l>(st->w0[i], st->a_hat[i], st->z);
      poly_invntt_tomont(st->w0[i]);
      poly_freeze(st->w0[i]);
      poly_decompose<P::gamma2>(st->w1[i], st->w0[i], st->w0[i]);
      pack_w1<P>(st->w1_packed + i * P::w1_poly_bytes, st->w1[i]);
    }
    // Step 15: c_tilde = H(mu || w1Encode(w1), lambda / 4).
    shake256(st->c_tilde, P::ctilde_bytes, {mu, kCrhBytes},
             {st->w1_packed, sizeof(st->w1_packed)});
    // Declassified: c_tilde is an output of H, modelled as a random oracle,
    // so it reveals nothing about the key; this holds for the challenges of
    // rejected attempts too (Dilithium round-3 specification, Section 5.5).
    // SampleInBall branches on it.
    PQBPF_DECLASSIFY(st->c_tilde, P::ctilde_bytes);
    // Steps 16-17: c = SampleInBall(c_tilde), c_hat = NTT(c).
    sample_in_ball(st->c_hat, st->c_tilde, P::ctilde_bytes, P::tau);
    poly_ntt(st->c_hat);

    // Steps 18-20: z = y + NTT^-1(c_hat o s1_hat).
    std::uint32_t reject = 0;
    for (int i = 0; i < P::l; ++i) {
      poly_pointwise_montgomery(st->z[i], st->c_hat, st->s1_hat[i]);
      poly_invntt_tomont(st->z[i]);
      poly_add(st->z[i], st->z[i], st->y[i]);
      poly_reduce(st->z[i]);
      reject |= poly_norm_exceeds_mask(st->z[i], P::gamma1 - P::beta);
    }
    // Steps 19, 21: r0 = LowBits(w - cs2) = w0 - cs2 (the norm check below
    // makes the high bits unchanged).
    for (int i = 0; i < P::k; ++i) {
      poly_pointwise_montgomery(st->tmp[i], st->c_hat, st->s2_hat[i]);
      poly_invntt_tomont(st->tmp[i]);
      poly_sub(st->w0[i], st->w0[i], st->tmp[i]);
      poly_reduce(st->w0[i]);
      reject |= poly_norm_exceeds_mask(st->w0[i], P::gamma2 - P::beta);
    }
    // Step 23: reject if ||z|| >= gamma1 - beta or ||r0|| >= gamma2 - beta.
    // Declassified: only this accept/reject bit (a rejection decision). A
    // rejected attempt is discarded, and why it was rejected says nothing
    // about the key beyond what the published signature carries (Dilithium
    // round-3 specification, Section 5.5).
    PQBPF_DECLASSIFY(&reject, sizeof(reject));
    if (reject != 0) continue;

    // Steps 25-26: ct0 = NTT^-1(c_hat o t0_hat),
    // h = MakeHint(-ct0, w - cs2 + ct0).
    for (int i = 0; i < P::k; ++i) {
      poly_pointwise_montgomery(st->tmp[i], st->c_hat, st->t0_hat[i]);
      poly_invntt_tomont(st->tmp[i]);
      poly_reduce(st->tmp[i]);
      reject |= poly_norm_exceeds_mask(st->tmp[i], P::gamma2);
      poly_add(st->w0[i], st->w0[i], st->tmp[i]);
    }
    std::uint32_t hints = 0;
    for (int i = 0; i < P::k; ++i) hints += poly_make_hint<P::gamma2>(st->h[i], st->w0[i], st->w1[i]);
    // Step 28: reject if ||ct0|| >= gamma2 or the number of hints exceeds omega.
    reject |= ct::mask_lt(P::omega, static_cast<std::int32_t>(hints));
    // Declassified: the accept/reject bit, as above.
    PQBPF_DECLASSIFY(&reject, sizeof(reject));
    if (reject != 0) continue;

    // Step 33: sigma = sigEncode(c_tilde, z mod+- q, h).
    // Declassified: the attempt is accepted, so z and h are published in the
    // signature.
    PQBPF_DECLASSIFY(&st->z, sizeof(st->z));
    PQBPF_DECLASSIFY(&st->h, sizeof(st->h));
    std::uint8_t* out = sig;
    for (std::size_t i = 0; i < P::ctilde_bytes; ++i) *out++ = st->c_tilde[i];
    for (int i = 0; i < P::l; ++i, out += P::z_poly_bytes) pack_z<P>(out, st->z[i]);
    pack_hints<P>(out, st->h);
    return true;
  }
  return false;
}

// pkDecode (Algorithm 23), ExpandA, and NTT(t1 * 2^d) for Algorithm 8 (and
// tr = H(pk, 64), step 6, when asked).
template <class P>
void Scheme<P>::expand_public_key(ExpandedPublicKey<P>& out, const std::uint8_t* pk,
                                  std::uint8_t* tr) {
  expand_a<P>(out.a_hat, pk, tr != nullptr ? pk : nullptr, tr);
  for (int i = 0; i < P::k; ++i) {
    unpack_t1(out.t1_hat[i], pk + kSeedBytes + i * P::t1_poly_bytes);
    poly_shiftl(out.t1_hat[i]);
    poly_ntt(out.t1_hat[i]);
  }
}

// FIPS 204, Algorithm 8 ML-DSA.Verify_internal(pk, M', sigma), from mu on.
template <class P>
bool Scheme<P>::verify_mu(const ExpandedPublicKey<P>& key, const std::uint8_t mu[kCrhBytes],
                          const std::uint8_t* sig) {
  PolyVec<P::l> z;
  PolyVec<P::k> h, w;
  Poly c_hat;

  // Step 2: (c_tilde, z, h) = sigDecode(sigma); step 3: reject h = bottom.
  const std::uint8_t* c_tilde = sig;
  const std::uint8_t* in = sig + P::ctilde_bytes;
  for (int i = 0; i < P::l; ++i, in += P::z_poly_bytes) unpack_z<P>(z[i], in);
  if (!unpack_hints<P>(h, in)) return false;
  // Step 13 (checked first, it is cheap): ||z|| < gamma1 - beta.
  std::uint32_t too_big = 0;
  for (const auto& p : z) too_big |= poly_norm_exceeds_mask(p, P::gamma1 - P::beta);
  if (too_big != 0) return false;

  // Step 8: c = SampleInBall(c_tilde).
  sample_in_ball(c_hat, c_tilde, P::ctilde_bytes, P::tau);
  poly_ntt(c_hat);
  // Step 9: w'_approx = NTT^-1(A_hat o NTT(z) - NTT(c) o NTT(t1 * 2^d)).
  for (auto& p : z) poly_ntt(p);
  std::uint8_t w1_packed[P::k * P::w1_poly_bytes];
  for (int i = 0; i < P::k; ++i) {
    if (crypto::internal::use_avx2()) {
      dot_montgomery_avx2(w[i].c, key.a_hat[i][0].c, z[0].c, P::l, c_hat.c, key.t1_hat[i].c);
    } else {
      for (int j = 0; j < kN; ++j) {
        std::int64_t acc = -static_cast<std::int64_t>(c_hat.c[j]) * key.t1_hat[i].c[j];
        for (int s = 0; s < P::l; ++s) {
          acc += static_cast<std::int64_t>(key.a_hat[i][s].c[j]) * z[s].c[j];
        }
        w[i].c[j] = montgomery_reduce(acc);
      }
    }
    poly_invntt_tomont(w[i]);
    poly_freeze(w[i]);
    // Step 10: w1' = UseHint(h, w'_approx).
    poly_use_hint<P::gamma2>(w[i], w[i], h[i]);
    pack_w1<P>(w1_packed + i * P::w1_poly_bytes, w[i]);
  }
  // Step 12: c_tilde' = H(mu || w1Encode(w1'), lambda / 4); step 13: compare.
  std::uint8_t c_tilde2[P::ctilde_bytes];
  shake256(c_tilde2, sizeof(c_tilde2), {mu, kCrhBytes}, {w1_packed, sizeof(w1_packed)});
  return constant_time_equal({c_tilde, P::ctilde_bytes}, c_tilde2);
}

template struct Scheme<Params44>;
template struct Scheme<Params65>;
template struct Scheme<Params87>;

}  // namespace pqbpf::crypto::mldsa::internal

// FIPS 204 ML-DSA internal algorithms, one template for the three parameter
// sets:
//   Algorithm 6  ML-DSA.KeyGen_internal
//   Algorithm 7  ML-DSA.Sign_internal   (from mu = H(tr || M', 64) onwards)
//   Algorithm 8  ML-DSA.Verify_internal (from mu onwards)
// plus skDecode's range check (Algorithm 25) and the public-key expansion
// that verification caches.
//
// Byte-level inputs and outputs only; the typed API is in mldsa.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "params.h"
#include "poly.h"

namespace pqbpf::crypto::mldsa::internal {

// A public key expanded for verification: A in NTT form (k * l polynomials,
// row-major) and NTT(t1 * 2^d) (k polynomials).
template <class P>
struct ExpandedPublicKey {
  PolyVec<P::l> a_hat[P::k];
  PolyVec<P::k> t1_hat;
};

template <class P>
struct Scheme {
  // FIPS 204, Algorithm 6. xi is secret; pk and sk are written in full.
  static void keygen(const std::uint8_t xi[kSeedBytes], std::uint8_t* pk, std::uint8_t* sk);

  // skDecode range check (Algorithm 25): true if every s1 / s2 coefficient
  // encoding is at most 2 eta. Constant time in the key.
  static bool private_key_is_well_formed(const std::uint8_t* sk);

  // FIPS 204, Algorithm 7 steps 7-33, given mu. Writes signature_bytes to
  // sig. Returns false only if the 16-bit kappa counter runs out (never, in
  // practice: FIPS 204 Appendix C bounds the expected loop count near 4).
  static bool sign_mu(const std::uint8_t* sk, const std::uint8_t mu[kCrhBytes],
                      const std::uint8_t rnd[32], std::uint8_t* sig);

  // pkDecode (Algorithm 23) plus ExpandA and NTT(t1 * 2^d); with tr
  // non-null, also tr = H(pk, 64) (computed alongside ExpandA).
  static void expand_public_key(ExpandedPublicKey<P>& out, const std::uint8_t* pk,
                                std::uint8_t* tr = nullptr);

  // FIPS 204, Algorithm 8 steps 2-13, given mu and the expanded key.
  // signature must already have exactly signature_bytes bytes.
  static bool verify_mu(const ExpandedPublicKey<P>& key, const std::uint8_t mu[kCrhBytes],
                        const std::uint8_t* sig);
};

extern template struct Scheme<Params44>;
extern template struct Scheme<Params65>;
extern template struct Scheme<Params87>;

}  // namespace pqbpf::crypto::mldsa::internal

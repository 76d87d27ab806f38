// FIPS 204, Section 7.3: pseudorandom sampling.
//   Algorithm 29 SampleInBall   the challenge polynomial c
//   Algorithm 30 RejNTTPoly     one entry of A, uniform mod q (SHAKE128)
//   Algorithm 31 RejBoundedPoly one polynomial of s1 / s2 in [-eta, eta]
//   Algorithm 32 ExpandA, Algorithm 33 ExpandS, Algorithm 34 ExpandMask
//
// RejBoundedPoly runs on the secret seed rho': the accept/reject decision of
// each half-byte is computed branch-free and then declassified (see the
// comment in rej_bounded_poly); the accepted values stay secret.
#pragma once

#include <cstddef>
#include <cstdint>

#include "packing.h"
#include "params.h"
#include "poly.h"
#include "pqbpf/crypto/ct.h"
#include "pqbpf/crypto/secure_bytes.h"
#include "xof.h"

namespace pqbpf::crypto::mldsa::internal {

// FIPS 204, Algorithm 30 RejNTTPoly(rho || s || r): A[r][s] in NTT form.
// rho is public (part of the public key).
void rej_ntt_poly(Poly& a, const std::uint8_t rho[kSeedBytes], std::uint8_t s, std::uint8_t r);

// FIPS 204, Algorithm 32 ExpandA.
template <class P>
void expand_a(PolyVec<P::l>* a_hat, const std::uint8_t rho[kSeedBytes]) {
  for (int r = 0; r < P::k; ++r) {
    for (int s = 0; s < P::l; ++s) {
      rej_ntt_poly(a_hat[r][s], rho, static_cast<std::uint8_t>(s), static_cast<std::uint8_t>(r));
    }
  }
}

// FIPS 204, Algorithm 31 RejBoundedPoly(rho' || IntegerToBytes(nonce, 2)).
template <int Eta>
void rej_bounded_poly(Poly& a, const std::uint8_t rho_prime[kCrhBytes], std::uint16_t nonce) {
  static_assert(Eta == 2 || Eta == 4);
  // Enough blocks for 256 coefficients with overwhelming probability; more
  // are squeezed if needed.
  constexpr std::size_t kBlocks = Eta == 2 ? 1 : 2;
  Shake256 xof;
  const std::uint8_t n[2] = {static_cast<std::uint8_t>(nonce),
                             static_cast<std::uint8_t>(nonce >> 8)};
  xof.absorb(rho_prime, kCrhBytes);
  xof.absorb(n, 2);
  xof.finalize();

  std::uint8_t buf[kBlocks * Shake256::kRate];
  std::uint8_t accept[kBlocks * Shake256::kRate];
  std::size_t len = sizeof(buf);
  xof.squeeze_blocks(buf, kBlocks);
  int ctr = 0;
  for (;;) {
    // Per byte: bit 0 = low half-byte accepted, bit 1 = high half-byte
    // accepted (CoeffFromHalfByte, Algorithm 15: b < 15 for eta = 2, b < 9
    // for eta = 4), computed without branching on the secret bytes.
    for (std::size_t i = 0; i < len; ++i) {
      const std::int32_t lo = buf[i] & 0x0F;
      const std::int32_t hi = buf[i] >> 4;
      constexpr std::int32_t kLimit = Eta == 2 ? 15 : 9;
      accept[i] = static_cast<std::uint8_t>((ct::mask_lt(lo, kLimit) & 1U) |
                                            (ct::mask_lt(hi, kLimit) & 2U));
    }
    // Declassified: only whether each half-byte was rejected (a rejection
    // decision). A rejected half-byte is discarded, and the accepted ones
    // are uniform on their range whatever the pattern, so the pattern says
    // nothing about s1 / s2.
    PQBPF_DECLASSIFY(accept, len);
    for (std::size_t i = 0; i < len && ctr < kN; ++i) {
      const std::int32_t lo = buf[i] & 0x0F;
      const std::int32_t hi = buf[i] >> 4;
      if constexpr (Eta == 2) {
        // eta - (b mod 5), with b mod 5 = b - 5 * floor(205 b / 1024) for b < 15.
        if (accept[i] & 1U) a.c[ctr++] = 2 - (lo - ((205 * lo) >> 10) * 5);
        if ((accept[i] & 2U) && ctr < kN) a.c[ctr++] = 2 - (hi - ((205 * hi) >> 10) * 5);
      } else {
        if (accept[i] & 1U) a.c[ctr++] = 4 - lo;
        if ((accept[i] & 2U) && ctr < kN) a.c[ctr++] = 4 - hi;
      }
    }
    if (ctr >= kN) break;
    xof.squeeze_blocks(buf, 1);
    len = Shake256::kRate;
  }
  secure_wipe(buf, sizeof(buf));
}

// FIPS 204, Algorithm 33 ExpandS.
template <class P>
void expand_s(PolyVec<P::l>& s1, PolyVec<P::k>& s2, const std::uint8_t rho_prime[kCrhBytes]) {
  for (int r = 0; r < P::l; ++r) {
    rej_bounded_poly<P::eta>(s1[r], rho_prime, static_cast<std::uint16_t>(r));
  }
  for (int r = 0; r < P::k; ++r) {
    rej_bounded_poly<P::eta>(s2[r], rho_prime, static_cast<std::uint16_t>(r + P::l));
  }
}

// FIPS 204, Algorithm 34 ExpandMask(rho'', kappa): y[r] =
// BitUnpack(H(rho'' || IntegerToBytes(kappa + r, 2)), gamma1 - 1, gamma1).
// Reads a fixed number of bytes: no rejection, no branch on the secret.
template <class P>
void expand_mask(PolyVec<P::l>& y, const std::uint8_t rho_pp[kCrhBytes], std::uint16_t kappa) {
  std::uint8_t buf[P::z_poly_bytes];
  for (int r = 0; r < P::l; ++r) {
    const std::uint16_t nonce = static_cast<std::uint16_t>(kappa + r);
    const std::uint8_t n[2] = {static_cast<std::uint8_t>(nonce),
                               static_cast<std::uint8_t>(nonce >> 8)};
    Shake256 xof;
    xof.absorb(rho_pp, kCrhBytes);
    xof.absorb(n, 2);
    xof.finalize();
    xof.squeeze(buf, sizeof(buf));
    unpack_z<P>(y[r], buf);
  }
  secure_wipe(buf, sizeof(buf));
}

// FIPS 204, Algorithm 29 SampleInBall(c_tilde): c with tau coefficients in
// {-1, 1}, the rest 0. c_tilde is public (declassified by the signer).
void sample_in_ball(Poly& c, const std::uint8_t* c_tilde, std::size_t c_tilde_len, int tau);

}  // namespace pqbpf::crypto::mldsa::internal

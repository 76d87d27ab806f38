// FIPS 204, Section 7.3: pseudorandom sampling.
//   Algorithm 29 SampleInBall   the challenge polynomial c
//   Algorithm 30 RejNTTPoly     one entry of A, uniform mod q (SHAKE128)
//   Algorithm 31 RejBoundedPoly one polynomial of s1 / s2 in [-eta, eta]
//   Algorithm 32 ExpandA, Algorithm 33 ExpandS, Algorithm 34 ExpandMask
//
// RejBoundedPoly runs on the secret seed rho': the accept/reject decision of
// each half-byte is computed branch-free and then declassified (see the
// comment in rej_eta); the accepted values stay secret.
#pragma once

#include <cstddef>
#include <cstdint>

#include "packing.h"
#include "params.h"
#include "poly.h"
#include "pqbpf/crypto/ct.h"
#include "pqbpf/crypto/secure_bytes.h"
#include "xof.h"
#include "../cpu_dispatch.h"
#include "../keccak_lanes.h"

namespace pqbpf::crypto::mldsa::internal {

// The streams of ExpandA, ExpandS and ExpandMask are independent SHAKE
// instances. ExpandS's and ExpandMask's run in batches of up to eight on the
// multi-state Keccak (ShakeBatch); which stream goes in which batch depends
// only on the parameter set, never on data. ExpandA's run on the lane
// scheduler of expand_a.cc (public data), optionally with tr = H(pk).
inline constexpr int kBatch = Shake128Batch::kMaxStreams;

// FIPS 204, Algorithm 30 RejNTTPoly, the parsing half: appends to a the
// candidates (CoeffFromThreeBytes, Algorithm 14: 23 bits, accepted if < q)
// found in buf[0 .. len), len a multiple of 3, until a holds 256. Returns
// the new count. rho is public, so branching on the candidates is fine.
int rej_uniform(std::int32_t* a, int ctr, const std::uint8_t* buf, std::size_t len);
// The portable and the AVX2 form (sampling_avx2.cc) that rej_uniform picks
// between by the dispatch level; both give the same coefficients.
int rej_uniform_scalar(std::int32_t* a, int ctr, const std::uint8_t* buf, std::size_t len);
int rej_uniform_avx2(std::int32_t* a, int ctr, const std::uint8_t* buf, std::size_t len);

// The engine of ExpandA (expand_a.cc): entry e of count is
// RejNTTPoly(rho || suffix[e]) written to dst[e]; with tr non-null, also
// tr = H(pk[0 .. pk_len), 64) in a lane of its own (Algorithm 8 step 6).
void expand_a_lanes(std::int32_t* const* dst, const std::uint8_t (*suffix)[2], int count,
                    const std::uint8_t rho[kSeedBytes], const std::uint8_t* pk,
                    std::size_t pk_len, std::uint8_t tr[kTrBytes]);

// FIPS 204, Algorithm 32 ExpandA: A_hat[r][s] = RejNTTPoly(rho || s || r).
// With pk (whose first 32 bytes are rho) and tr given, also tr = H(pk, 64).
template <class P>
void expand_a(PolyVec<P::l>* a_hat, const std::uint8_t rho[kSeedBytes],
              const std::uint8_t* pk = nullptr, std::uint8_t* tr = nullptr) {
  constexpr int kTotal = P::k * P::l;
  std::uint8_t suffix[kTotal][2];
  std::int32_t* dst[kTotal];
  for (int e = 0; e < kTotal; ++e) {
    const int r = e / P::l;
    const int s = e % P::l;
    suffix[e][0] = static_cast<std::uint8_t>(s);
    suffix[e][1] = static_cast<std::uint8_t>(r);
    dst[e] = a_hat[r][s].c;
  }
  expand_a_lanes(dst, suffix, kTotal, rho, pk, pk != nullptr ? P::public_key_bytes : 0, tr);
}

// The AVX2 compaction of rej_eta (sampling_avx2.cc): given the declassified
// accept bits, appends the accepted values of buf[0 .. len) to out (room for
// kN + 8 values) until it holds 256; returns min(count, 256).
int rej_eta_avx2(int eta, std::int32_t* out, int ctr, const std::uint8_t* buf,
                 const std::uint8_t* accept, std::size_t len);

// FIPS 204, Algorithm 31 RejBoundedPoly, the parsing half: appends to out
// the coefficients (CoeffFromHalfByte, Algorithm 15) from buf[0 .. len), a
// multiple of 8, until it holds 256; returns the new count. out has room for
// kN + 8 values (up to eight may be written past the 256th and are dropped).
//
// buf is secret. The accept/reject decision of each half-byte is computed
// branch-free, eight bytes at a time, and then declassified: a rejected
// half-byte is discarded and the accepted ones are uniform on their range
// whatever the pattern, so the pattern says nothing about s1 / s2. Each
// candidate value is then stored unconditionally and the count advanced by
// its (public) accept bit: no branch, and addresses depend only on the
// declassified pattern.
template <int Eta>
int rej_eta(std::int32_t* out, int ctr, const std::uint8_t* buf, std::size_t len) {
  static_assert(Eta == 2 || Eta == 4);
  // Per byte: bit 0 = low half-byte accepted, bit 1 = high half-byte
  // accepted (b < 15 for eta = 2, b < 9 for eta = 4). Adding 16 - limit to
  // a half-byte held in its own byte sets bit 4 exactly when b >= limit.
  constexpr std::uint64_t kNibbles = 0x0F0F0F0F0F0F0F0FULL;
  constexpr std::uint64_t kBit4 = 0x1010101010101010ULL;
  constexpr std::uint64_t kAdd = 0x0101010101010101ULL * (Eta == 2 ? 1 : 7);
  std::uint8_t accept[2 * Shake256Batch::kRate];
  for (std::size_t i = 0; i < len; i += 8) {
    const std::uint64_t w = crypto::internal::load_le64(buf + i);
    const std::uint64_t rej_lo = ((w & kNibbles) + kAdd) & kBit4;
    const std::uint64_t rej_hi = (((w >> 4) & kNibbles) + kAdd) & kBit4;
    const std::uint64_t acc = ((~rej_lo & kBit4) >> 4) | ((~rej_hi & kBit4) >> 3);
    crypto::internal::store_le64(accept + i, acc);
  }
  PQBPF_DECLASSIFY(accept, len);  // the rejection pattern only (see above)
  if (crypto::internal::use_avx2()) return rej_eta_avx2(Eta, out, ctr, buf, accept, len);
  for (std::size_t i = 0; i < len && ctr < kN; ++i) {
    const std::int32_t lo = buf[i] & 0x0F;
    const std::int32_t hi = buf[i] >> 4;
    if constexpr (Eta == 2) {
      // eta - (b mod 5), with b mod 5 = b - 5 * floor(205 b / 1024) for b < 15.
      out[ctr] = 2 - (lo - ((205 * lo) >> 10) * 5);
      ctr += accept[i] & 1;
      out[ctr] = 2 - (hi - ((205 * hi) >> 10) * 5);
      ctr += accept[i] >> 1;
    } else {
      out[ctr] = 4 - lo;
      ctr += accept[i] & 1;
      out[ctr] = 4 - hi;
      ctr += accept[i] >> 1;
    }
  }
  return ctr < kN ? ctr : kN;
}

// FIPS 204, Algorithm 33 ExpandS: s1[r] = RejBoundedPoly(rho' || r),
// s2[r] = RejBoundedPoly(rho' || r + l).
template <class P>
void expand_s(PolyVec<P::l>& s1, PolyVec<P::k>& s2, const std::uint8_t rho_prime[kCrhBytes]) {
  // Two blocks (544 half-bytes) suffice with overwhelming probability for
  // both eta (about 510 or 306 accepted on average); more are squeezed if
  // needed.
  constexpr std::size_t kBlocks = 2;
  constexpr int kTotal = P::l + P::k;
  for (int first = 0; first < kTotal; first += kBatch) {
    const int n = kTotal - first < kBatch ? kTotal - first : kBatch;
    std::uint8_t suffix[kBatch][2];
    Poly* dst[kBatch];
    std::int32_t coeffs[kBatch][kN + 8];
    for (int j = 0; j < n; ++j) {
      const int r = first + j;
      suffix[j][0] = static_cast<std::uint8_t>(r);  // IntegerToBytes(r, 2), r < 256
      suffix[j][1] = 0;
      dst[j] = r < P::l ? &s1[r] : &s2[r - P::l];
    }
    Shake256Batch xof(rho_prime, kCrhBytes, suffix, n);
    alignas(32) std::uint8_t buf[kBatch][kBlocks * Shake256Batch::kRate];
    std::uint8_t* out[kBatch];
    for (int j = 0; j < kBatch; ++j) out[j] = buf[j];
    xof.squeeze_blocks(out, kBlocks);
    int ctr[kBatch];
    bool short_of_coefficients = false;
    for (int j = 0; j < n; ++j) {
      ctr[j] = rej_eta<P::eta>(coeffs[j], 0, buf[j], sizeof(buf[j]));
      short_of_coefficients |= ctr[j] < kN;
    }
    while (short_of_coefficients) {  // rare: one more block for every stream
      xof.squeeze_blocks(out, 1);
      short_of_coefficients = false;
      for (int j = 0; j < n; ++j) {
        ctr[j] = rej_eta<P::eta>(coeffs[j], ctr[j], buf[j], Shake256Batch::kRate);
        short_of_coefficients |= ctr[j] < kN;
      }
    }
    for (int j = 0; j < n; ++j) {
      for (int i = 0; i < kN; ++i) dst[j]->c[i] = coeffs[j][i];
    }
    secure_wipe(buf, sizeof(buf));
    secure_wipe(coeffs, sizeof(coeffs));
  }
}

// FIPS 204, Algorithm 34 ExpandMask(rho'', kappa): y[r] =
// BitUnpack(H(rho'' || IntegerToBytes(kappa + r, 2)), gamma1 - 1, gamma1).
// Reads a fixed number of bytes: no rejection, no branch on the secret.
template <class P>
void expand_mask(PolyVec<P::l>& y, const std::uint8_t rho_pp[kCrhBytes], std::uint16_t kappa) {
  static_assert(P::l <= kBatch);
  constexpr std::size_t kBlocks =
      (P::z_poly_bytes + Shake256Batch::kRate - 1) / Shake256Batch::kRate;
  std::uint8_t suffix[kBatch][2];
  for (int r = 0; r < P::l; ++r) {
    const std::uint16_t nonce = static_cast<std::uint16_t>(kappa + r);
    suffix[r][0] = static_cast<std::uint8_t>(nonce);
    suffix[r][1] = static_cast<std::uint8_t>(nonce >> 8);
  }
  Shake256Batch xof(rho_pp, kCrhBytes, suffix, P::l);
  alignas(32) std::uint8_t buf[kBatch][kBlocks * Shake256Batch::kRate];
  std::uint8_t* out[kBatch];
  for (int j = 0; j < kBatch; ++j) out[j] = buf[j];
  xof.squeeze_blocks(out, kBlocks);
  for (int r = 0; r < P::l; ++r) unpack_z<P>(y[r], buf[r]);
  secure_wipe(buf, sizeof(buf));
}

// FIPS 204, Algorithm 29 SampleInBall(c_tilde): c with tau coefficients in
// {-1, 1}, the rest 0. c_tilde is public (declassified by the signer).
void sample_in_ball(Poly& c, const std::uint8_t* c_tilde, std::size_t c_tilde_len, int tau);

}  // namespace pqbpf::crypto::mldsa::internal

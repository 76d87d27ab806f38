// FIPS 204, Algorithms 41 (NTT) and 42 (NTT^-1), in Montgomery form.
//
// Kept in its own file behind two functions on one polynomial. ntt() and
// invntt_tomont() run the AVX2 code (ntt_avx2.cc) when the dispatch level
// (../cpu_dispatch.h) is AVX2 or above, and the portable scalar code
// otherwise; both compute exactly the same integers, so either can serve as
// the other's reference.
#pragma once

#include <array>
#include <cstdint>

#include "params.h"
#include "zetas.h"

namespace pqbpf::crypto::mldsa::internal {

// Forward NTT in place; output in bit-reversed order. No reduction after the
// butterflies: for inputs with |a| <= q the outputs satisfy |a| < 9q.
void ntt(std::int32_t a[kN]);

// Inverse NTT in place, multiplying by the Montgomery factor 2^32 as it goes
// (so an NTT-domain product of two Montgomery multiplications comes back in
// normal form). Inputs must satisfy |a| < q; outputs satisfy |a| < q.
void invntt_tomont(std::int32_t a[kN]);

// The portable implementations, always available (and used by the tests to
// check the vectorised ones).
void ntt_scalar(std::int32_t a[kN]);
void invntt_tomont_scalar(std::int32_t a[kN]);

// The AVX2 implementations; only call them when
// crypto::internal::impl_supported(CryptoImpl::kAvx2).
void ntt_avx2(std::int32_t a[kN]);
void invntt_tomont_avx2(std::int32_t a[kN]);

// r_i = montgomery_reduce(a_i * b_i) for all 256 coefficients, with AVX2
// (same integers as the scalar loop in poly.cc).
void pointwise_montgomery_avx2(std::int32_t r[kN], const std::int32_t a[kN],
                               const std::int32_t b[kN]);

// r_i = reduce32(sum_{j < n} montgomery_reduce(a_j,i * b_j,i)
//              - montgomery_reduce(c_i * t_i))   (the c/t term only if c),
// with AVX2. a and b point to n polynomials of kN coefficients stored one
// after another (a PolyVec); |a| < q, |b| < 9q, n <= 8. Congruent mod q to
// the scalar 64-bit dot product, not always the same representative: the
// callers bring both to standard form after the inverse NTT.
void dot_montgomery_avx2(std::int32_t r[kN], const std::int32_t* a, const std::int32_t* b, int n,
                         const std::int32_t* c, const std::int32_t* t);

}  // namespace pqbpf::crypto::mldsa::internal

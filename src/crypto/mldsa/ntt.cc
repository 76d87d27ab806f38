// FIPS 204, Algorithms 41 and 42: the number-theoretic transform over
// Z_q[X]/(X^256 + 1) with zeta = 1753, a primitive 512th root of unity.
//
// Portable Cooley-Tukey (forward) and Gentleman-Sande (inverse) butterflies on
// int32 coefficients with Montgomery multiplication by the twiddle factors.
// The twiddle table (zetas.h) is computed at compile time.
#include "ntt.h"

#include <array>

#include "../cpu_dispatch.h"
#include "reduce.h"

namespace pqbpf::crypto::mldsa::internal {
namespace {

// mont^2 / 256 mod q: undoes the 2^8 scaling of the inverse transform and
// converts to Montgomery form in one multiplication.
constexpr std::int32_t kInvNttFactor = 41978;

}  // namespace

void ntt(std::int32_t a[kN]) {
  if (crypto::internal::use_avx2()) {
    ntt_avx2(a);
  } else {
    ntt_scalar(a);
  }
}

void invntt_tomont(std::int32_t a[kN]) {
  if (crypto::internal::use_avx2()) {
    invntt_tomont_avx2(a);
  } else {
    invntt_tomont_scalar(a);
  }
}

void ntt_scalar(std::int32_t a[kN]) {
  unsigned k = 0;
  for (unsigned len = 128; len > 0; len >>= 1) {
    for (unsigned start = 0; start < kN; start += 2 * len) {
      const std::int64_t zeta = kZetas[++k];
      for (unsigned j = start; j < start + len; ++j) {
        const std::int32_t t = montgomery_reduce(zeta * a[j + len]);
        a[j + len] = a[j] - t;
        a[j] = a[j] + t;
      }
    }
  }
}

void invntt_tomont_scalar(std::int32_t a[kN]) {
  unsigned k = kN;
  for (unsigned len = 1; len < kN; len <<= 1) {
    for (unsigned start = 0; start < kN; start += 2 * len) {
      const std::int64_t zeta = -kZetas[--k];
      for (unsigned j = start; j < start + len; ++j) {
        const std::int32_t t = a[j];
        a[j] = t + a[j + len];
        a[j + len] = montgomery_reduce(zeta * (t - a[j + len]));
      }
    }
  }
  for (unsigned j = 0; j < kN; ++j) a[j] = montgomery_reduce(std::int64_t{kInvNttFactor} * a[j]);
}

}  // namespace pqbpf::crypto::mldsa::internal

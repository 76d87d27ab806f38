// FIPS 204, Algorithms 41 and 42: the number-theoretic transform over
// Z_q[X]/(X^256 + 1) with zeta = 1753, a primitive 512th root of unity.
//
// Portable Cooley-Tukey (forward) and Gentleman-Sande (inverse) butterflies on
// int32 coefficients with Montgomery multiplication by the twiddle factors.
// The twiddle table zetas[i] = 1753^BitRev8(i) * 2^32 mod q (FIPS 204,
// Appendix B, in Montgomery form) is computed at compile time.
#include "ntt.h"

#include <array>
#include <atomic>

#include "reduce.h"

namespace pqbpf::crypto::mldsa::internal {
namespace {

constexpr unsigned bit_rev8(unsigned i) {
  unsigned r = 0;
  for (int b = 0; b < 8; ++b) r |= ((i >> b) & 1U) << (7 - b);
  return r;
}

constexpr std::array<std::int32_t, kN> make_zetas() {
  std::array<std::int32_t, kN> z{};
  constexpr std::int64_t kZeta = 1753;
  constexpr std::int64_t kR = (std::int64_t{1} << 32) % kQ;
  for (unsigned i = 0; i < kN; ++i) {
    std::int64_t v = 1;
    for (unsigned e = 0; e < bit_rev8(i); ++e) v = v * kZeta % kQ;
    v = v * kR % kQ;
    if (v > kQ / 2) v -= kQ;
    z[i] = static_cast<std::int32_t>(v);
  }
  return z;
}

constexpr std::array<std::int32_t, kN> kZetaTable = make_zetas();
static_assert(kZetaTable[1] == 25847 && kZetaTable[2] == -2608894 && kZetaTable[255] == 1976782);

// mont^2 / 256 mod q: undoes the 2^8 scaling of the inverse transform and
// converts to Montgomery form in one multiplication.
constexpr std::int32_t kInvNttFactor = 41978;

// Relaxed atomic so tests can switch implementations; read once per call.
std::atomic<bool> g_use_avx2{avx2_available()};

}  // namespace

constexpr std::array<std::int32_t, kN> kZetas = kZetaTable;

void ntt(std::int32_t a[kN]) {
  if (g_use_avx2.load(std::memory_order_relaxed)) {
    ntt_avx2(a);
  } else {
    ntt_scalar(a);
  }
}

void invntt_tomont(std::int32_t a[kN]) {
  if (g_use_avx2.load(std::memory_order_relaxed)) {
    invntt_tomont_avx2(a);
  } else {
    invntt_tomont_scalar(a);
  }
}

bool using_avx2_ntt() { return g_use_avx2.load(std::memory_order_relaxed); }

bool use_avx2_ntt(bool enable) {
  const bool on = enable && avx2_available();
  g_use_avx2.store(on, std::memory_order_relaxed);
  return on;
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

// Keccak-f[1600]: FIPS 202 Section 3.3, theta, rho, pi, chi and iota per round
// (Algorithm 7, 24 rounds).
//
// Portable scalar C++, tuned the way the Keccak team's reference notes
// describe ("Keccak implementation overview", lane complementing):
//  - the state is copied into local lanes and the rounds run two at a time
//    between two local arrays, so with every index a compile-time constant the
//    compiler keeps lanes in registers and never moves data for pi;
//  - lane complementing: six lanes are held complemented (kComplemented)
//    between the entry and exit of the permutation. chi, b[x] ^ (~b[x+1] &
//    b[x+2]), then needs a NOT on only a few lanes per round instead of on all
//    25; each output lane uses the AND/OR form in kChiForm that yields the
//    right complement pattern for the next round. theta, rho, pi and iota are
//    linear (or touch lane 0, which is not complemented), so they are unchanged.
//    Measured on x86-64 (gcc 12, -O3): about 15% faster than the plain form.
// The x86 kernels (keccak_f1600_avx2.cc, keccak_f1600_avx512.cc) share the
// round code in keccak_rounds.h; this file takes only its constants (round
// constants, rho offsets, pi) from there, and holds the run-time choice
// between the kernels.
#include "keccak_f1600.h"

#include <bit>

#include "cpu_dispatch.h"
#include "keccak_lanes.h"
#include "keccak_rounds.h"

namespace pqbpf::crypto::internal {
namespace {

// Lanes held complemented: (1,0), (2,0), (3,1), (2,2), (2,3), (0,4).
constexpr int kComplemented[6] = {1, 2, 8, 12, 17, 20};

// How output lane x + 5y of chi is formed from the (possibly complemented)
// lanes p = b[x], q = b[x+1], r = b[x+2] after rho and pi, so that the result
// carries the kComplemented pattern again. Found by checking every form on the
// one-bit truth table of each lane, given which inputs arrive complemented
// (the six lanes, plus columns 0 and 3 whose theta effect D[x] is complemented).
enum ChiForm : int {
  kAnd,        // p ^ (q & r)
  kOr,         // p ^ (q | r)
  kNotAnd,     // p ^ (~q & r)
  kNotOr,      // p ^ (~q | r)
  kOrNot,      // p ^ (q | ~r)
  kNotPAnd,    // ~p ^ (q & r)
  kNotPOr,     // ~p ^ (q | r)
};
constexpr ChiForm kChiForm[25] = {
    kOr,     kNotOr,  kAnd,    kOr,      kAnd,     // y = 0
    kOr,     kAnd,    kOrNot,  kOr,      kAnd,     // y = 1
    kOr,     kAnd,    kNotAnd, kNotPOr,  kAnd,     // y = 2
    kAnd,    kOr,     kNotOr,  kNotPAnd, kOr,      // y = 3
    kNotAnd, kNotPOr, kAnd,    kOr,      kAnd,     // y = 4
};

[[gnu::always_inline]] inline std::uint64_t chi(ChiForm form, std::uint64_t p, std::uint64_t q,
                                                std::uint64_t r) {
  switch (form) {
    case kAnd: return p ^ (q & r);
    case kOr: return p ^ (q | r);
    case kNotAnd: return p ^ (~q & r);
    case kNotOr: return p ^ (~q | r);
    case kOrNot: return p ^ (q | ~r);
    case kNotPAnd: return ~p ^ (q & r);
    case kNotPOr: return ~p ^ (q | r);
  }
  return 0;
}

// One round from `a` into `e` (both in the complemented representation).
[[gnu::always_inline]] inline void round(const std::uint64_t (&a)[25], std::uint64_t (&e)[25],
                                         std::uint64_t round_constant) {
  // theta: column parities C[x] and the per-column term D[x].
  std::uint64_t c[5];
  std::uint64_t d[5];
#pragma GCC unroll 5
  for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
#pragma GCC unroll 5
  for (int x = 0; x < 5; ++x) d[x] = c[(x + 4) % 5] ^ std::rotl(c[(x + 1) % 5], 1);

  // One output plane at a time: theta + rho + pi into five lanes b, then chi.
#pragma GCC unroll 5
  for (int y = 0; y < 5; ++y) {
    std::uint64_t b[5];
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) {
      const int s = keccak_pi_source(x, y);
      b[x] = std::rotl(a[s] ^ d[s % 5], kKeccakRho[s]);
    }
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) {
      e[x + 5 * y] = chi(kChiForm[x + 5 * y], b[x], b[(x + 1) % 5], b[(x + 2) % 5]);
    }
  }
  // iota (lane 0 is not complemented).
  e[0] ^= round_constant;
}

}  // namespace

void keccak_f1600_scalar(std::uint64_t state[25]) {
  std::uint64_t a[25];
  std::uint64_t e[25];
#pragma GCC unroll 25
  for (int i = 0; i < 25; ++i) a[i] = state[i];
  for (int i : kComplemented) a[i] = ~a[i];
  for (int r = 0; r < 24; r += 2) {
    round(a, e, kKeccakRc[r]);
    round(e, a, kKeccakRc[r + 1]);
  }
  for (int i : kComplemented) a[i] = ~a[i];
#pragma GCC unroll 25
  for (int i = 0; i < 25; ++i) state[i] = a[i];
}

void keccak_f1600(std::uint64_t state[25]) {
  switch (active_impl()) {
    case CryptoImpl::kAvx512: keccak_f1600_avx512(state); return;
    case CryptoImpl::kAvx2: keccak_f1600_v3(state); return;
    case CryptoImpl::kScalar: break;
  }
  keccak_f1600_scalar(state);
}

void keccak_absorb_blocks(std::uint64_t state[25], const std::uint8_t* data, std::size_t nblocks,
                          std::size_t rate_words) {
  if (active_impl() == CryptoImpl::kAvx512) {
    keccak_absorb_blocks_avx512(state, data, nblocks, rate_words);
    return;
  }
  for (std::size_t b = 0; b < nblocks; ++b, data += 8 * rate_words) {
    for (std::size_t i = 0; i < rate_words; ++i) state[i] ^= load_le64(data + 8 * i);
    keccak_f1600(state);
  }
}

void keccak_f1600_x4_scalar(std::uint64_t* lanes, std::size_t stride) {
  for (std::size_t j = 0; j < 4; ++j) {
    std::uint64_t s[25];
    for (std::size_t i = 0; i < 25; ++i) s[i] = lanes[i * stride + j];
    keccak_f1600_scalar(s);
    for (std::size_t i = 0; i < 25; ++i) lanes[i * stride + j] = s[i];
  }
}

void keccak_f1600_batch(std::uint64_t lanes[25 * kKeccakBatch], int n) {
  // n says only how many states the caller uses (it is never secret).
  switch (active_impl()) {
    case CryptoImpl::kAvx512:
      if (n <= 4) {
        keccak_f1600_x4_avx512vl(lanes, kKeccakBatch);
      } else {
        keccak_f1600_x8_avx512(lanes);
      }
      return;
    case CryptoImpl::kAvx2:
      keccak_f1600_x4_avx2(lanes, kKeccakBatch);
      if (n > 4) keccak_f1600_x4_avx2(lanes + 4, kKeccakBatch);
      return;
    case CryptoImpl::kScalar:
      break;
  }
  for (int j = 0; j < n; ++j) {
    std::uint64_t s[25];
    for (std::size_t i = 0; i < 25; ++i) s[i] = lanes[i * kKeccakBatch + j];
    keccak_f1600_scalar(s);
    for (std::size_t i = 0; i < 25; ++i) lanes[i * kKeccakBatch + j] = s[i];
  }
}

void keccak_f1600_batch_squeeze(std::uint64_t lanes[25 * kKeccakBatch], int n,
                                std::size_t rate_words, std::uint8_t* const* out) {
  if (n > 4 && active_impl() == CryptoImpl::kAvx512) {
    keccak_f1600_x8_avx512_squeeze(lanes, rate_words, out, n);
    return;
  }
  keccak_f1600_batch(lanes, n);
  for (int j = 0; j < n; ++j) {
    for (std::size_t w = 0; w < rate_words; ++w) store_le64(out[j] + 8 * w, lanes[8 * w + j]);
  }
}

}  // namespace pqbpf::crypto::internal

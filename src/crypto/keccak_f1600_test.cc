// Keccak-f[1600] (the tuned, lane-complemented permutation) checked against a
// slow transcription of FIPS 202 Section 3.2 written here from the spec text:
// the state as a 5x5x64 bit array, rho offsets from Algorithm 2's (t+1)(t+2)/2
// walk and round constants from Algorithm 5's LFSR, nothing shared with the
// production tables. Plus the published permutation of the all-zero state.
#include "keccak_f1600.h"

#include "cpu_dispatch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>

namespace pqbpf::crypto::internal {
namespace {

using State = std::array<std::uint64_t, 25>;

int bit(const State& s, int x, int y, int z) { return (s[x + 5 * y] >> z) & 1; }
void set_bit(State& s, int x, int y, int z, int v) {
  s[x + 5 * y] = (s[x + 5 * y] & ~(1ULL << z)) | (static_cast<std::uint64_t>(v) << z);
}
int mod(int a, int m) { return ((a % m) + m) % m; }

// FIPS 202 Algorithm 5: rc(t).
int rc(int t) {
  if (mod(t, 255) == 0) return 1;
  int r = 0x01;  // R = 10000000 as bits R[0..7], R[0] in bit 0
  for (int i = 1; i <= mod(t, 255); ++i) {
    // R = 0 || R; R[0] ^= R[8]; R[4] ^= R[8]; R[5] ^= R[8]; R[6] ^= R[8]; R = Trunc8(R).
    r <<= 1;
    const int r8 = (r >> 8) & 1;
    r ^= r8 | (r8 << 4) | (r8 << 5) | (r8 << 6);
    r &= 0xFF;
  }
  return r & 1;
}

State reference_round(State a, int ir) {
  // Algorithm 1: theta.
  State t = a;
  for (int x = 0; x < 5; ++x) {
    for (int z = 0; z < 64; ++z) {
      int c_left = 0, c_right = 0;
      for (int y = 0; y < 5; ++y) {
        c_left ^= bit(a, mod(x - 1, 5), y, z);
        c_right ^= bit(a, mod(x + 1, 5), y, mod(z - 1, 64));
      }
      for (int y = 0; y < 5; ++y) set_bit(t, x, y, z, bit(a, x, y, z) ^ c_left ^ c_right);
    }
  }
  a = t;
  // Algorithm 2: rho.
  State r = a;
  int x = 1, y = 0;
  for (int step = 0; step < 24; ++step) {
    for (int z = 0; z < 64; ++z) {
      set_bit(r, x, y, z, bit(a, x, y, mod(z - (step + 1) * (step + 2) / 2, 64)));
    }
    const int nx = y, ny = mod(2 * x + 3 * y, 5);
    x = nx;
    y = ny;
  }
  a = r;
  // Algorithm 3: pi.
  State p{};
  for (int px = 0; px < 5; ++px)
    for (int py = 0; py < 5; ++py)
      for (int z = 0; z < 64; ++z) set_bit(p, px, py, z, bit(a, mod(px + 3 * py, 5), px, z));
  a = p;
  // Algorithm 4: chi.
  State c{};
  for (int cx = 0; cx < 5; ++cx)
    for (int cy = 0; cy < 5; ++cy)
      for (int z = 0; z < 64; ++z)
        set_bit(c, cx, cy, z,
                bit(a, cx, cy, z) ^ ((bit(a, mod(cx + 1, 5), cy, z) ^ 1) & bit(a, mod(cx + 2, 5), cy, z)));
  a = c;
  // Algorithm 6: iota.
  for (int j = 0; j <= 6; ++j) {
    const int z = (1 << j) - 1;
    set_bit(a, 0, 0, z, bit(a, 0, 0, z) ^ rc(j + 7 * ir));
  }
  return a;
}

State reference_permutation(State a) {
  for (int ir = 0; ir < 24; ++ir) a = reference_round(a, ir);
  return a;
}

State permuted(State s) {
  keccak_f1600(s.data());
  return s;
}

TEST(KeccakF1600Test, PermutationOfZeroStateMatchesPublishedValue) {
  const State out = permuted(State{});
  EXPECT_EQ(out[0], 0xF1258F7940E1DDE7ULL);
  EXPECT_EQ(out[1], 0x84D5CCF933C0478AULL);
  EXPECT_EQ(out[24], 0xEAF1FF7B5CECA249ULL);
  EXPECT_EQ(out, reference_permutation(State{}));
}

TEST(KeccakF1600Test, PermutationOfRandomStatesMatchesFips202Reference) {
  std::mt19937_64 rng(0x6b656363);
  for (int trial = 0; trial < 40; ++trial) {
    State s;
    for (auto& lane : s) lane = rng();
    // Sparse and all-ones lanes too: lane complementing must not leak into
    // the output for any pattern.
    if (trial % 4 == 1) for (auto& lane : s) lane = ~0ULL;
    if (trial % 4 == 2) for (auto& lane : s) lane &= rng() & rng();
    ASSERT_EQ(permuted(s), reference_permutation(s)) << "trial " << trial;
  }
}

TEST(KeccakF1600Test, PermutationIsNotAnInvolutionOrIdentity) {
  State s{};
  s[3] = 1;
  const State once = permuted(s);
  EXPECT_NE(once, s);
  EXPECT_NE(permuted(once), s);
}

// Every kernel, single and multi-state, against the spec transcription.
// Kernels the machine cannot run are reported as skipped.
State random_state(std::mt19937_64& rng, int trial) {
  State s;
  for (auto& lane : s) lane = rng();
  if (trial % 4 == 1) for (auto& lane : s) lane = ~0ULL;
  if (trial % 4 == 2) for (auto& lane : s) lane &= rng() & rng();
  return s;
}

TEST(KeccakF1600Test, ScalarKernelMatchesFips202Reference) {
  std::mt19937_64 rng(1);
  for (int trial = 0; trial < 8; ++trial) {
    State s = random_state(rng, trial);
    const State want = reference_permutation(s);
    keccak_f1600_scalar(s.data());
    ASSERT_EQ(s, want) << trial;
  }
}

TEST(KeccakF1600Test, X86V3KernelMatchesFips202Reference) {
  if (!impl_supported(CryptoImpl::kAvx2)) GTEST_SKIP() << "no AVX2/BMI2 on this CPU";
  std::mt19937_64 rng(2);
  for (int trial = 0; trial < 8; ++trial) {
    State s = random_state(rng, trial);
    const State want = reference_permutation(s);
    keccak_f1600_v3(s.data());
    ASSERT_EQ(s, want) << trial;
  }
}

TEST(KeccakF1600Test, Avx512SingleStateKernelMatchesFips202Reference) {
  if (!impl_supported(CryptoImpl::kAvx512)) GTEST_SKIP() << "no AVX-512 on this CPU";
  std::mt19937_64 rng(12);
  for (int trial = 0; trial < 8; ++trial) {
    State s = random_state(rng, trial);
    const State want = reference_permutation(s);
    keccak_f1600_avx512(s.data());
    ASSERT_EQ(s, want) << trial;
  }
}

// Runs a multi-state kernel on `ways` random states interleaved with the
// batch stride and checks each column against the reference.
template <typename Kernel>
void check_multi(Kernel kernel, int ways, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (int trial = 0; trial < 4; ++trial) {
    std::uint64_t lanes[25 * kKeccakBatch];
    State in[kKeccakBatch];
    for (std::size_t j = 0; j < kKeccakBatch; ++j) {
      in[j] = random_state(rng, trial + static_cast<int>(j));
      for (int i = 0; i < 25; ++i) lanes[i * kKeccakBatch + j] = in[j][i];
    }
    kernel(lanes);
    for (int j = 0; j < ways; ++j) {
      State got;
      for (int i = 0; i < 25; ++i) got[i] = lanes[i * kKeccakBatch + j];
      ASSERT_EQ(got, reference_permutation(in[j])) << "trial " << trial << " state " << j;
    }
  }
}

TEST(KeccakF1600Test, FourWayKernelsMatchFips202Reference) {
  check_multi([](std::uint64_t* l) { keccak_f1600_x4_scalar(l, kKeccakBatch); }, 4, 3);
  check_multi([](std::uint64_t* l) { keccak_f1600_x4_scalar(l + 4, kKeccakBatch); }, 0, 3);
  if (!impl_supported(CryptoImpl::kAvx2)) GTEST_SKIP() << "no AVX2 on this CPU";
  check_multi([](std::uint64_t* l) { keccak_f1600_x4_avx2(l, kKeccakBatch); }, 4, 4);
  if (!impl_supported(CryptoImpl::kAvx512)) GTEST_SKIP() << "no AVX-512 on this CPU";
  check_multi([](std::uint64_t* l) { keccak_f1600_x4_avx512vl(l, kKeccakBatch); }, 4, 5);
}

TEST(KeccakF1600Test, EightWayKernelMatchesFips202Reference) {
  if (!impl_supported(CryptoImpl::kAvx512)) GTEST_SKIP() << "no AVX-512 on this CPU";
  check_multi([](std::uint64_t* l) { keccak_f1600_x8_avx512(l); }, 8, 6);
}

// The dispatching entry points at every level the machine has, for every
// batch size.
TEST(KeccakF1600Test, BatchAndSingleEntryPointsMatchAtEveryLevel) {
  for (CryptoImpl impl : {CryptoImpl::kScalar, CryptoImpl::kAvx2, CryptoImpl::kAvx512}) {
    ScopedCryptoImpl level(impl);
    if (!level.ok()) continue;  // the two tests above report what is missing
    for (int n = 1; n <= static_cast<int>(kKeccakBatch); ++n) {
      check_multi([n](std::uint64_t* l) { keccak_f1600_batch(l, n); }, n, 7 + n);
    }
    std::mt19937_64 rng(9);
    const State s = random_state(rng, 0);
    EXPECT_EQ(permuted(s), reference_permutation(s)) << impl_name(impl);
    // The squeezing form: each state's first rate lanes as bytes.
    for (std::size_t rate_words : {std::size_t{17}, std::size_t{21}}) {
      for (int n = 1; n <= static_cast<int>(kKeccakBatch); ++n) {
        std::uint64_t lanes[25 * kKeccakBatch];
        State in[kKeccakBatch];
        for (std::size_t j = 0; j < kKeccakBatch; ++j) {
          in[j] = random_state(rng, static_cast<int>(j));
          for (int i = 0; i < 25; ++i) lanes[i * kKeccakBatch + j] = in[j][i];
        }
        std::uint8_t bytes[kKeccakBatch][8 * 21 + 8];
        std::uint8_t* out[kKeccakBatch];
        for (std::size_t j = 0; j < kKeccakBatch; ++j) {
          std::fill(std::begin(bytes[j]), std::end(bytes[j]), 0xEE);
          out[j] = bytes[j];
        }
        keccak_f1600_batch_squeeze(lanes, n, rate_words, out);
        for (int j = 0; j < n; ++j) {
          const State want = reference_permutation(in[j]);
          for (std::size_t w = 0; w < rate_words; ++w) {
            std::uint64_t got = 0;
            for (int b = 0; b < 8; ++b) got |= std::uint64_t{bytes[j][8 * w + b]} << (8 * b);
            ASSERT_EQ(got, want[w]) << impl_name(impl) << " n=" << n << " state " << j;
          }
          EXPECT_EQ(bytes[j][8 * rate_words], 0xEE) << "wrote past the rate";
          for (int i = 0; i < 25; ++i) {
            ASSERT_EQ(lanes[i * kKeccakBatch + j], want[i]) << "state kept for the next block";
          }
        }
      }
    }
  }
}

// The bulk absorb (whole blocks, state kept in registers on AVX-512) at
// every level: the same as XOR-ing each block in and permuting, for the
// SHA3-256, SHAKE128 and SHA3-512 rates and 1 to 3 blocks.
TEST(KeccakF1600Test, BulkAbsorbMatchesBlockByBlockAtEveryLevel) {
  for (CryptoImpl impl : {CryptoImpl::kScalar, CryptoImpl::kAvx2, CryptoImpl::kAvx512}) {
    ScopedCryptoImpl level(impl);
    if (!level.ok()) continue;
    std::mt19937_64 rng(21);
    for (std::size_t rate_words : {std::size_t{17}, std::size_t{21}, std::size_t{9}}) {
      for (std::size_t blocks = 1; blocks <= 3; ++blocks) {
        std::uint8_t data[3 * 8 * 21];
        for (auto& b : data) b = static_cast<std::uint8_t>(rng());
        State want = random_state(rng, static_cast<int>(blocks));
        State got = want;
        for (std::size_t b = 0; b < blocks; ++b) {
          for (std::size_t i = 0; i < rate_words; ++i) {
            std::uint64_t lane = 0;
            for (int k = 0; k < 8; ++k) {
              lane |= std::uint64_t{data[8 * (b * rate_words + i) + k]} << (8 * k);
            }
            want[i] ^= lane;
          }
          want = reference_permutation(want);
        }
        keccak_absorb_blocks(got.data(), data, blocks, rate_words);
        ASSERT_EQ(got, want) << impl_name(impl) << " rate " << rate_words << " blocks " << blocks;
      }
    }
  }
}

}  // namespace
}  // namespace pqbpf::crypto::internal

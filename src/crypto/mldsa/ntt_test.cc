// The AVX2 NTT must compute exactly the integers the scalar NTT computes
// (both directions, random inputs in the documented ranges), and the pair
// must be inverse to each other up to the Montgomery factor.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "ntt.h"
#include "reduce.h"

namespace pqbpf::crypto::mldsa::internal {
namespace {

void random_poly(std::int32_t a[kN], std::mt19937_64& rng, std::int32_t bound) {
  std::uniform_int_distribution<std::int32_t> d(-bound, bound);
  for (int i = 0; i < kN; ++i) a[i] = d(rng);
}

TEST(MlDsaNttTest, Avx2MatchesScalarExactly) {
  if (!avx2_available()) GTEST_SKIP() << "no AVX2 on this CPU";
  std::mt19937_64 rng(204);
  for (int iter = 0; iter < 2000; ++iter) {
    alignas(32) std::int32_t a[kN], b[kN];
    random_poly(a, rng, iter % 2 == 0 ? kQ : kQ - 1);
    std::copy(a, a + kN, b);
    ntt_scalar(a);
    ntt_avx2(b);
    ASSERT_TRUE(std::equal(a, a + kN, b)) << "forward, iteration " << iter;
    random_poly(a, rng, kQ - 1);
    std::copy(a, a + kN, b);
    invntt_tomont_scalar(a);
    invntt_tomont_avx2(b);
    ASSERT_TRUE(std::equal(a, a + kN, b)) << "inverse, iteration " << iter;
  }
}

TEST(MlDsaNttTest, InverseUndoesForward) {
  std::mt19937_64 rng(65);
  for (int iter = 0; iter < 200; ++iter) {
    alignas(32) std::int32_t a[kN], b[kN];
    random_poly(a, rng, kQ - 1);
    std::copy(a, a + kN, b);
    ntt(b);
    for (auto& x : b) x = reduce32(x);
    invntt_tomont(b);
    // invntt_tomont(ntt(a)) = a * 2^32 mod q: multiply by 1 in Montgomery form.
    for (int i = 0; i < kN; ++i) {
      EXPECT_EQ(freeze(montgomery_reduce(b[i])), freeze(a[i])) << i;
    }
  }
}

}  // namespace
}  // namespace pqbpf::crypto::mldsa::internal

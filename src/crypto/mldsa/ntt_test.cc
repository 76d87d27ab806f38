// The AVX2 NTT must compute exactly the integers the scalar NTT computes
// (both directions, random inputs in the documented ranges), and the pair
// must be inverse to each other up to the Montgomery factor.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "../cpu_dispatch.h"
#include "ntt.h"
#include "pqbpf/crypto/mldsa.h"
#include "reduce.h"

namespace pqbpf::crypto::mldsa::internal {
namespace {

using crypto::internal::CryptoImpl;
using crypto::internal::impl_supported;
using crypto::internal::ScopedCryptoImpl;

bool avx2_available() { return impl_supported(CryptoImpl::kAvx2); }

// Runs the AVX2 and the scalar forward NTT on one fixed input and says
// whether they agree. Called below from a static initialiser of this file,
// which the linker places before the library's: the twiddle tables and the
// dispatch switch must already be valid then (they are constexpr / lazily
// initialised; a dynamically initialised table would still be all zeros).
bool avx2_ntt_agrees_with_scalar() {
  if (!avx2_available()) return true;
  alignas(32) std::int32_t a[kN], b[kN];
  for (int i = 0; i < kN; ++i) a[i] = b[i] = (i * 7919) % kQ - kQ / 2;
  ntt_scalar(a);
  ntt_avx2(b);
  return std::equal(a, a + kN, b);
}
const bool g_ntt_agreed_during_static_init = avx2_ntt_agrees_with_scalar();

TEST(MlDsaNttTest, Avx2NttIsCorrectDuringStaticInitialisation) {
  if (!avx2_available()) GTEST_SKIP() << "no AVX2 on this CPU";
  EXPECT_TRUE(g_ntt_agreed_during_static_init);
}

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

TEST(MlDsaNttTest, Avx2PointwiseMatchesScalar) {
  if (!avx2_available()) GTEST_SKIP() << "no AVX2 on this CPU";
  std::mt19937_64 rng(44);
  for (int iter = 0; iter < 500; ++iter) {
    alignas(32) std::int32_t a[kN], b[kN], r[kN];
    random_poly(a, rng, 9 * kQ);
    random_poly(b, rng, 9 * kQ);
    pointwise_montgomery_avx2(r, a, b);
    for (int i = 0; i < kN; ++i) {
      ASSERT_EQ(r[i], montgomery_reduce(static_cast<std::int64_t>(a[i]) * b[i])) << i;
    }
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

// End to end: keys and signatures are the same bytes whichever NTT runs
// (the ACVP and Wycheproof tests run the one this CPU selects).
TEST(MlDsaNttTest, ScalarAndAvx2GiveTheSameKeysAndSignatures) {
  if (!avx2_available()) GTEST_SKIP() << "no AVX2 on this CPU";
  const std::vector<std::uint8_t> msg = {'n', 't', 't'};
  for (ParameterSet set : {ParameterSet::kMlDsa44, ParameterSet::kMlDsa65, ParameterSet::kMlDsa87}) {
    std::array<std::uint8_t, 32> seed{};
    seed[0] = static_cast<std::uint8_t>(set);
    std::vector<std::uint8_t> pk[2], sk[2], sig[2];
    for (int scalar = 0; scalar < 2; ++scalar) {
      // Restores the previous level even when an ASSERT below returns early.
      ScopedCryptoImpl level(scalar == 0 ? CryptoImpl::kAvx2 : CryptoImpl::kScalar);
      ASSERT_TRUE(level.ok());
      auto kp = generate_key_pair(set, seed);
      pk[scalar].assign(kp.public_key.bytes().begin(), kp.public_key.bytes().end());
      sk[scalar].assign(kp.private_key.expose_secret_encoding().begin(),
                        kp.private_key.expose_secret_encoding().end());
      auto s = sign(kp.private_key, msg, {}, SigningMode::kDeterministic);
      ASSERT_TRUE(s.ok());
      sig[scalar] = *s;
      // Verify with a fresh parse so the cache is built with this NTT.
      auto fresh = PublicKey::parse(set, pk[scalar]);
      ASSERT_TRUE(fresh.ok());
      EXPECT_TRUE(verify(*fresh, msg, {}, *s).ok());
    }
    EXPECT_EQ(pk[0], pk[1]);
    EXPECT_EQ(sk[0], sk[1]);
    EXPECT_EQ(sig[0], sig[1]);
  }
}

}  // namespace
}  // namespace pqbpf::crypto::mldsa::internal

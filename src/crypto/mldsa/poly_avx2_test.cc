// The AVX2 coefficient-wise operations (poly_avx2.cc) must compute exactly
// the integers of the portable code: Decompose and UseHint on every input in
// [0, q) for both gamma2, with and without the hint; MakeHint on every low
// part a0 the signer can reach, next to a zero and a non-zero high part;
// the norm check on either side of its bound; the add / sub / reduce /
// freeze / shift / Power2Round loops on random and extreme inputs; the
// unpacking of z (18 and 20 bits) on random and all-ones bytes.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "../cpu_dispatch.h"
#include "packing.h"
#include "poly.h"

namespace pqbpf::crypto::mldsa::internal {
namespace {

using crypto::internal::CryptoImpl;
using crypto::internal::ScopedCryptoImpl;

constexpr std::int32_t kGamma32 = (kQ - 1) / 32;
constexpr std::int32_t kGamma88 = (kQ - 1) / 88;

class PolyAvx2Test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!crypto::internal::impl_supported(CryptoImpl::kAvx2)) {
      GTEST_SKIP() << "this CPU/OS cannot run the AVX2 code";
    }
  }
};

// Runs f once with the scalar code and once with AVX2.
template <typename F>
void both(F f) {
  {
    ScopedCryptoImpl s(CryptoImpl::kScalar);
    ASSERT_TRUE(s.ok());
    f(false);
  }
  ScopedCryptoImpl v(CryptoImpl::kAvx2);
  ASSERT_TRUE(v.ok());
  f(true);
}

template <std::int32_t Gamma2>
void check_decompose_and_use_hint_everywhere() {
  Poly a, a1[2], a0[2], h0, h1, r0[2], r1[2];
  for (auto& c : h0.c) c = 0;
  for (auto& c : h1.c) c = 1;
  for (std::int32_t base = 0; base < kQ; base += kN) {
    for (int i = 0; i < kN; ++i) a.c[i] = base + i < kQ ? base + i : kQ - 1;
    both([&](bool avx) {
      poly_decompose<Gamma2>(a1[avx], a0[avx], a);
      poly_use_hint<Gamma2>(r0[avx], a, h0);
      poly_use_hint<Gamma2>(r1[avx], a, h1);
    });
    for (int i = 0; i < kN; ++i) {
      ASSERT_EQ(a1[0].c[i], a1[1].c[i]) << "HighBits of " << a.c[i];
      ASSERT_EQ(a0[0].c[i], a0[1].c[i]) << "LowBits of " << a.c[i];
      ASSERT_EQ(r0[0].c[i], r0[1].c[i]) << "UseHint(0, " << a.c[i] << ")";
      ASSERT_EQ(r1[0].c[i], r1[1].c[i]) << "UseHint(1, " << a.c[i] << ")";
    }
  }
}

TEST_F(PolyAvx2Test, DecomposeAndUseHintMatchScalarOnEveryInputGamma32) {
  check_decompose_and_use_hint_everywhere<kGamma32>();
}

TEST_F(PolyAvx2Test, DecomposeAndUseHintMatchScalarOnEveryInputGamma88) {
  check_decompose_and_use_hint_everywhere<kGamma88>();
}

template <std::int32_t Gamma2>
void check_make_hint() {
  // a0 = LowBits(w - cs2) + ct0 lies within 2 gamma2 of zero; cover that
  // range and a margin, with the high part zero and non-zero.
  Poly a0, a1, h[2];
  std::uint32_t count[2];
  for (std::int32_t high : {0, 1, 15}) {
    for (auto& c : a1.c) c = high;
    for (std::int32_t base = -3 * Gamma2; base < 3 * Gamma2; base += kN) {
      for (int i = 0; i < kN; ++i) a0.c[i] = base + i;
      both([&](bool avx) { count[avx] = poly_make_hint<Gamma2>(h[avx], a0, a1); });
      ASSERT_EQ(count[0], count[1]) << "from a0 = " << base << ", a1 = " << high;
      for (int i = 0; i < kN; ++i) ASSERT_EQ(h[0].c[i], h[1].c[i]) << "a0 = " << a0.c[i];
    }
  }
}

TEST_F(PolyAvx2Test, MakeHintMatchesScalarGamma32) { check_make_hint<kGamma32>(); }
TEST_F(PolyAvx2Test, MakeHintMatchesScalarGamma88) { check_make_hint<kGamma88>(); }

TEST_F(PolyAvx2Test, NormCheckMatchesScalarAtItsBound) {
  const std::int32_t bound = (1 << 19) - 196;
  Poly a;
  for (std::int32_t probe : {bound - 1, bound, -(bound - 1), -bound, 0, kQ / 2, -kQ / 2}) {
    for (int pos : {0, 7, 8, 255}) {
      for (auto& c : a.c) c = (bound - 1) / 3;
      a.c[pos] = probe;
      std::uint32_t mask[2];
      both([&](bool avx) { mask[avx] = poly_norm_exceeds_mask(a, bound); });
      EXPECT_EQ(mask[0], mask[1]) << probe << " at " << pos;
      EXPECT_EQ(mask[1], (probe >= bound || probe <= -bound) ? 0xFFFFFFFFU : 0U);
    }
  }
}

TEST_F(PolyAvx2Test, ElementwiseLoopsMatchScalar) {
  std::mt19937 rng(15);
  std::uniform_int_distribution<std::int32_t> any(-(1 << 30) + 1, (1 << 30) - 1);
  std::uniform_int_distribution<std::int32_t> in_q(0, kQ - 1);
  for (int round = 0; round < 200; ++round) {
    Poly a, b, sum[2], diff[2], red[2], frz[2], cadd[2], shl[2], p1[2], p0[2];
    for (int i = 0; i < kN; ++i) {
      a.c[i] = any(rng);
      b.c[i] = any(rng);
    }
    // The extremes the scalar helpers accept.
    a.c[0] = INT32_MAX - (1 << 22);
    a.c[1] = INT32_MIN;
    b.c[0] = b.c[1] = 0;  // keeps a + b and a - b in range
    Poly q_range;
    for (int i = 0; i < kN; ++i) q_range.c[i] = in_q(rng);
    q_range.c[0] = 0;
    q_range.c[1] = kQ - 1;
    both([&](bool avx) {
      poly_add(sum[avx], a, b);
      poly_sub(diff[avx], a, b);
      red[avx] = a;
      poly_reduce(red[avx]);
      frz[avx] = a;
      poly_freeze(frz[avx]);
      cadd[avx] = red[avx];
      poly_caddq(cadd[avx]);
      shl[avx] = q_range;
      for (auto& c : shl[avx].c) c &= (1 << 10) - 1;  // t1 values
      poly_shiftl(shl[avx]);
      poly_power2round(p1[avx], p0[avx], q_range);
    });
    for (int i = 0; i < kN; ++i) {
      ASSERT_EQ(sum[0].c[i], sum[1].c[i]);
      ASSERT_EQ(diff[0].c[i], diff[1].c[i]);
      ASSERT_EQ(red[0].c[i], red[1].c[i]) << a.c[i];
      ASSERT_EQ(frz[0].c[i], frz[1].c[i]) << a.c[i];
      ASSERT_EQ(cadd[0].c[i], cadd[1].c[i]);
      ASSERT_EQ(shl[0].c[i], shl[1].c[i]);
      ASSERT_EQ(p1[0].c[i], p1[1].c[i]) << q_range.c[i];
      ASSERT_EQ(p0[0].c[i], p0[1].c[i]) << q_range.c[i];
    }
  }
}

template <class P>
void check_unpack_z() {
  std::mt19937 rng(P::z_bits);
  // Exactly the polynomial's bytes, so a read past them is caught by ASan.
  std::vector<std::uint8_t> bytes(P::z_poly_bytes);
  for (int round = 0; round < 100; ++round) {
    for (auto& b : bytes) b = round == 0 ? 0xFF : round == 1 ? 0 : static_cast<std::uint8_t>(rng());
    Poly z[2];
    both([&](bool avx) { unpack_z<P>(z[avx], bytes.data()); });
    for (int i = 0; i < kN; ++i) ASSERT_EQ(z[0].c[i], z[1].c[i]) << "coefficient " << i;
  }
}

TEST_F(PolyAvx2Test, UnpackZMatchesScalar) {
  check_unpack_z<Params44>();
  check_unpack_z<Params65>();
  check_unpack_z<Params87>();
}

}  // namespace
}  // namespace pqbpf::crypto::mldsa::internal

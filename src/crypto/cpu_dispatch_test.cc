// The run-time dispatch switch (cpu_dispatch.h): it restores itself after a
// failed assertion, honours PQBPF_CRYPTO_IMPL, and refuses levels the
// machine cannot run.
#include "cpu_dispatch.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace pqbpf::crypto::internal {
namespace {

void fail_inside_scalar_scope() {
  ScopedCryptoImpl level(CryptoImpl::kScalar);
  ASSERT_TRUE(level.ok());
  ASSERT_EQ(active_impl(), CryptoImpl::kScalar);
  ASSERT_TRUE(false) << "deliberate failure inside the scope";
}

TEST(CryptoDispatchTest, ScopeRestoresTheLevelWhenAnAssertionFails) {
  if (best_supported_impl() == CryptoImpl::kScalar) {
    GTEST_SKIP() << "this CPU runs only the scalar code: nothing to switch";
  }
  ScopedCryptoImpl outer(best_supported_impl());
  const CryptoImpl before = active_impl();
  ASSERT_NE(before, CryptoImpl::kScalar);
  EXPECT_FATAL_FAILURE(fail_inside_scalar_scope(), "deliberate failure inside the scope");
  EXPECT_EQ(active_impl(), before);
}

TEST(CryptoDispatchTest, ForcingAnUnsupportedLevelChangesNothing) {
  const CryptoImpl before = active_impl();
  for (CryptoImpl impl : {CryptoImpl::kScalar, CryptoImpl::kAvx2, CryptoImpl::kAvx512}) {
    ScopedCryptoImpl level(impl);
    EXPECT_EQ(level.ok(), impl_supported(impl)) << impl_name(impl);
    EXPECT_EQ(active_impl(), level.ok() ? impl : before) << impl_name(impl);
  }
  EXPECT_EQ(active_impl(), before);
  EXPECT_TRUE(impl_supported(CryptoImpl::kScalar));
}

TEST(CryptoDispatchTest, ParsesOnlyTheThreeNames) {
  CryptoImpl impl = CryptoImpl::kAvx512;
  EXPECT_TRUE(parse_impl_name("scalar", impl));
  EXPECT_EQ(impl, CryptoImpl::kScalar);
  EXPECT_TRUE(parse_impl_name("avx2", impl));
  EXPECT_EQ(impl, CryptoImpl::kAvx2);
  EXPECT_TRUE(parse_impl_name("avx512", impl));
  EXPECT_EQ(impl, CryptoImpl::kAvx512);
  EXPECT_FALSE(parse_impl_name("AVX2", impl));
  EXPECT_FALSE(parse_impl_name("", impl));
  EXPECT_FALSE(parse_impl_name("sse", impl));
}

// CTest runs this binary once per PQBPF_CRYPTO_IMPL value (see
// CMakeLists.txt): the level in use is the requested one, or the best the
// machine has below it.
TEST(CryptoDispatchTest, EnvironmentVariableSelectsTheLevel) {
  const char* env = std::getenv("PQBPF_CRYPTO_IMPL");
  if (env == nullptr) GTEST_SKIP() << "PQBPF_CRYPTO_IMPL is not set for this run";
  CryptoImpl wanted;
  ASSERT_TRUE(parse_impl_name(env, wanted)) << env;
  const CryptoImpl expected = wanted > best_supported_impl() ? best_supported_impl() : wanted;
  EXPECT_EQ(active_impl(), expected) << "requested " << env;
}

}  // namespace
}  // namespace pqbpf::crypto::internal

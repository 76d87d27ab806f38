// Constant-time check for ML-DSA key generation and signing, run by CTest
// under valgrind memcheck (--error-exitcode=1): the seed, the private key and
// the signing randomness are marked undefined (PQBPF_SECRET), so any branch
// or memory address that depends on them is a memcheck error. The library
// declassifies only at the points FIPS 204 allows (each marked in the code),
// and this binary must finish with zero errors.
//
// The test also checks that the marking is real: the private key that comes
// out of KeyGen is still undefined where it holds s1 / s2 / t0 (so nothing
// declassified it wholesale), while the public key and the signature are
// fully defined (the outputs are public).
//
// Outside memcheck (run directly, in the sanitizer build, or built without
// <valgrind/memcheck.h>) the markers do nothing and the test could only pass:
// every case then reports SKIPPED with the reason, and CTest shows the test
// as skipped. Under CTest with valgrind, PQBPF_EXPECT_VALGRIND=1 turns a
// missing valgrind or missing markers into a failure instead of a skip.
#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <string>
#include <vector>

#include "pqbpf/crypto/ct.h"
#include "pqbpf/crypto/mldsa.h"

#if defined(PQBPF_CT_MARKERS_ENABLED)
#include <valgrind/memcheck.h>
#endif

namespace pqbpf::crypto::mldsa {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

bool under_valgrind() {
#if defined(PQBPF_CT_MARKERS_ENABLED)
  return RUNNING_ON_VALGRIND != 0;
#else
  return false;
#endif
}

unsigned long memcheck_errors() {
#if defined(PQBPF_CT_MARKERS_ENABLED)
  return VALGRIND_COUNT_ERRORS;
#else
  return 0;
#endif
}

bool valgrind_expected() {
  const char* expect = std::getenv("PQBPF_EXPECT_VALGRIND");
  return expect != nullptr && std::string(expect) == "1";
}

// Fails (under CTest's valgrind run) or skips with the reason when memcheck
// is not watching; callers stop on IsSkipped() or HasFatalFailure().
void require_memcheck() {
  if (valgrind_expected()) {
    ASSERT_TRUE(ct::kMarkersEnabled) << "built without <valgrind/memcheck.h>: no CT markers";
    ASSERT_TRUE(under_valgrind()) << "PQBPF_EXPECT_VALGRIND=1 but not running under valgrind";
    return;
  }
  if (kAddressSanitizer) {
    GTEST_SKIP() << "AddressSanitizer build: valgrind cannot run it, so the constant-time check "
                    "runs in the normal build (ctest -R mldsa_ct_test)";
  }
  if (!ct::kMarkersEnabled) {
    GTEST_SKIP() << "built without <valgrind/memcheck.h> (install valgrind): PQBPF_SECRET is a "
                    "no-op, nothing to check";
  }
  if (!under_valgrind()) {
    GTEST_SKIP() << "not running under valgrind memcheck: the check needs it; run "
                    "`ctest -R mldsa_ct_test` or valgrind --error-exitcode=1 ./mldsa_ct_test";
  }
}

// Number of bytes in [p, p + n) with at least one undefined bit; -1 when not
// under valgrind.
long undefined_bytes(const std::uint8_t* p, std::size_t n) {
#if defined(PQBPF_CT_MARKERS_ENABLED)
  if (!under_valgrind()) return -1;
  std::vector<std::uint8_t> vbits(n);
  if (VALGRIND_GET_VBITS(p, vbits.data(), n) != 1) return -1;
  long count = 0;
  for (std::uint8_t v : vbits) count += v != 0 ? 1 : 0;
  return count;
#else
  (void)p;
  (void)n;
  return -1;
#endif
}

class MlDsaCtTest : public ::testing::TestWithParam<ParameterSet> {
 protected:
  void SetUp() override {
    require_memcheck();
    if (IsSkipped() || HasFatalFailure()) return;
    errors_before_ = memcheck_errors();
  }
  void TearDown() override {
    if (IsSkipped()) return;
    EXPECT_EQ(memcheck_errors(), errors_before_)
        << "memcheck reported secret-dependent branches or addresses in this test";
  }
  unsigned long errors_before_ = 0;
};

TEST_P(MlDsaCtTest, KeyGenAndSignDoNotBranchOnSecrets) {
  const ParameterSet set = GetParam();
  const Sizes sz = sizes(set);
  const std::vector<std::uint8_t> msg = {'c', 't', '-', 'm', 's', 'g'};
  const std::vector<std::uint8_t> ctx = {'p', 'q', 'b', 'p', 'f'};

  for (std::uint8_t round = 0; round < 2; ++round) {
    std::array<std::uint8_t, kSeedSize> seed{};
    for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(i * 7 + round);
    PQBPF_SECRET(seed.data(), seed.size());

    KeyPair kp = generate_key_pair(set, seed);
    // The public key is public output: fully defined.
    const auto pk = kp.public_key.bytes();
    EXPECT_TRUE(undefined_bytes(pk.data(), pk.size()) <= 0);
    // The private key's secret parts (K, s1, s2, t0) are still secret.
    const auto sk = kp.private_key.expose_secret_encoding();
    const long undefined = undefined_bytes(sk.data(), sk.size());
    ASSERT_GE(undefined, 0) << "VALGRIND_GET_VBITS failed";
    EXPECT_GT(undefined, static_cast<long>(sz.private_key / 2))
        << "too much of the private key was declassified";

    // Parse the private key from secret bytes (skDecode range check).
    std::vector<std::uint8_t> sk_copy(sk.begin(), sk.end());
    PQBPF_SECRET(sk_copy.data(), sk_copy.size());
    auto parsed = PrivateKey::parse(set, sk_copy);
    ASSERT_TRUE(parsed.ok());

    // Hedged signing: rnd comes from getrandom and is marked secret inside.
    auto sig = sign(*parsed, msg, ctx);
    ASSERT_TRUE(sig.ok());
    EXPECT_TRUE(undefined_bytes(sig->data(), sig->size()) <= 0) << "signature not declassified";
    EXPECT_TRUE(verify(kp.public_key, msg, ctx, *sig).ok());

    // Sign_internal and external mu with caller-supplied secret randomness.
    std::array<std::uint8_t, kRandomnessSize> rnd{};
    rnd.fill(static_cast<std::uint8_t>(0xA0 + round));
    PQBPF_SECRET(rnd.data(), rnd.size());
    const auto sig2 = sign_internal(*parsed, msg, rnd);
    ASSERT_EQ(sig2.size(), sz.signature);
    EXPECT_TRUE(undefined_bytes(sig2.data(), sig2.size()) <= 0);
    EXPECT_TRUE(verify_internal(kp.public_key, msg, sig2).ok());

    auto mu = compute_mu(kp.public_key, msg, ctx);
    ASSERT_TRUE(mu.ok());
    const auto sig3 = sign_mu(*parsed, *mu, rnd);
    EXPECT_TRUE(verify_mu(kp.public_key, *mu, sig3).ok());
  }
}

TEST_P(MlDsaCtTest, RandomKeyGenerationDoesNotBranchOnSecrets) {
  auto kp = generate_key_pair(GetParam());
  ASSERT_TRUE(kp.ok());
  const std::vector<std::uint8_t> msg = {1, 2, 3};
  auto sig = sign(kp->private_key, msg, {}, SigningMode::kDeterministic);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(verify(kp->public_key, msg, {}, *sig).ok());
}

INSTANTIATE_TEST_SUITE_P(AllSets, MlDsaCtTest,
                         ::testing::Values(ParameterSet::kMlDsa44, ParameterSet::kMlDsa65,
                                           ParameterSet::kMlDsa87),
                         [](const ::testing::TestParamInfo<ParameterSet>& info) {
                           return std::string(parameter_set_name(info.param)).substr(7);
                         });

// Harness self-test, run separately by CTest (mldsa_ct_selftest, under
// memcheck without --error-exitcode): a deliberate branch on a secret must be
// counted by memcheck, or the test above proves nothing.
volatile int g_sink = 0;
__attribute__((noinline)) void leak_branch(const std::uint8_t* secret) {
  if (secret[0] > 0x80) g_sink = g_sink + 1;
}

TEST(MlDsaCtSelfTest, DISABLED_BranchOnSecretIsDetected) {
  require_memcheck();
  if (IsSkipped() || HasFatalFailure()) return;
  std::array<std::uint8_t, 4> secret = {0x90, 1, 2, 3};
  PQBPF_SECRET(secret.data(), secret.size());
  const unsigned long before = memcheck_errors();
  leak_branch(secret.data());
  EXPECT_GT(memcheck_errors(), before);
}

}  // namespace
}  // namespace pqbpf::crypto::mldsa

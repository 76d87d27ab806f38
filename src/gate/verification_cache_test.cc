// VerificationCache: keeps only valid, inspectable, small results; bounded LRU.
#include "pqbpf/gate/verification_cache.h"

#include <gtest/gtest.h>

#include "attest_test_util.h"

namespace pqbpf::gate {
namespace {

using namespace pqbpf::testing;

VerificationResult valid_result() {
  const auto sp = sign_ok(signer(1), program("attest_kprobe"), fixed_time_options());
  VerificationResult r = BPFVerifier::verify(sp);
  EXPECT_TRUE(r.valid) << r.error;
  return r;
}

TEST(VerificationCache, KeepsOnlyValidInspectableResultsWithinTheSizeLimit) {
  const VerificationResult good = valid_result();
  VerificationCache cache(8, good.object.size());
  const std::string k = VerificationCache::key_of("aa", "bb");
  EXPECT_EQ(k, "aa:bb");
  EXPECT_EQ(VerificationCache::key_of("aa", ""), "aa:-");
  VerificationResult invalid = good;
  invalid.valid = false;
  cache.remember("invalid", invalid);
  VerificationResult uninspectable = good;
  uninspectable.inspection_error = "cannot read";
  cache.remember("uninspectable", uninspectable);
  VerificationCache small(8, good.object.size() - 1);
  small.remember(k, good);
  EXPECT_EQ(small.stats().entries, 0u) << "an object past the size limit is not kept";
  EXPECT_FALSE(cache.find("invalid"));
  EXPECT_FALSE(cache.find("uninspectable"));
  cache.remember(k, good);
  auto hit = cache.find(k);
  ASSERT_TRUE(hit.has_value());
  EXPECT_TRUE(hit->valid);
  EXPECT_EQ(hit->object, good.object);
  EXPECT_EQ(cache.stats().entries, 1u);
}

TEST(VerificationCache, EvictsTheLeastRecentlyUsed) {
  const VerificationResult good = valid_result();
  VerificationCache cache(2);
  cache.remember("a", good);
  cache.remember("b", good);
  ASSERT_TRUE(cache.find("a"));
  cache.remember("c", good);
  EXPECT_TRUE(cache.find("a"));
  EXPECT_FALSE(cache.find("b"));
  EXPECT_TRUE(cache.find("c"));
  EXPECT_EQ(cache.stats().entries, 2u);
}

}  // namespace
}  // namespace pqbpf::gate

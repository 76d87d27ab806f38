// KeyCache: exact-bytes lookup, bounded, least recently used out first.
#include "key_cache.h"

#include <gtest/gtest.h>

#include <array>

namespace pqbpf::daemon::internal {
namespace {

namespace mldsa = crypto::mldsa;

mldsa::PublicKey key(std::uint8_t fill) {
  std::array<std::uint8_t, 32> seed{};
  seed.fill(fill);
  return mldsa::generate_key_pair(mldsa::ParameterSet::kMlDsa65, seed).public_key;
}

TEST(KeyCache, FindsOnlyARememberedKeyOfTheSameBytes) {
  KeyCache cache(4);
  const mldsa::PublicKey a = key(1), b = key(2);
  EXPECT_FALSE(cache.find(a).has_value());
  cache.remember(a);
  auto hit = cache.find(a);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(*hit, a);
  EXPECT_FALSE(cache.find(b).has_value());
  // A key that differs in one byte is another key.
  std::vector<std::uint8_t> bytes(a.bytes().begin(), a.bytes().end());
  bytes.back() ^= 1;
  auto flipped = mldsa::PublicKey::parse(mldsa::ParameterSet::kMlDsa65, bytes);
  ASSERT_TRUE(flipped.ok());
  EXPECT_FALSE(cache.find(*flipped).has_value());
  const auto s = cache.stats();
  EXPECT_EQ(s.entries, 1u);
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 3u);
}

TEST(KeyCache, HoldsAtMostCapacityAndEvictsTheLeastRecentlyUsed) {
  KeyCache cache(2);
  const mldsa::PublicKey a = key(1), b = key(2), c = key(3);
  cache.remember(a);
  cache.remember(b);
  ASSERT_TRUE(cache.find(a).has_value());  // a is now the most recent
  cache.remember(c);                        // evicts b
  EXPECT_EQ(cache.stats().entries, 2u);
  EXPECT_TRUE(cache.find(a).has_value());
  EXPECT_FALSE(cache.find(b).has_value());
  EXPECT_TRUE(cache.find(c).has_value());
  cache.remember(c);  // again: no duplicate
  EXPECT_EQ(cache.stats().entries, 2u);
}

}  // namespace
}  // namespace pqbpf::daemon::internal

// VerificationCache: keeps only valid, inspectable, small results of exactly
// the bytes asked about; bounded LRU.
#include "pqbpf/gate/verification_cache.h"

#include <gtest/gtest.h>

#include "attest_test_util.h"

namespace pqbpf::gate {
namespace {

using namespace pqbpf::testing;
using Bytes = VerificationCache::Bytes;

VerificationResult valid_result() {
  const auto sp = sign_ok(signer(1), program("attest_kprobe"), fixed_time_options());
  VerificationResult r = BPFVerifier::verify(sp);
  EXPECT_TRUE(r.valid) << r.error;
  return r;
}

Bytes bytes_of(const std::string& s) {
  return Bytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

TEST(VerificationCache, KeepsOnlyValidInspectableResultsWithinTheSizeLimit) {
  const VerificationResult good = valid_result();
  const std::string envelope = "envelope bytes";
  const Bytes object(good.object);
  VerificationCache cache(8, good.object.size());
  VerificationResult invalid = good;
  invalid.valid = false;
  cache.remember(bytes_of("invalid"), object, invalid);
  VerificationResult uninspectable = good;
  uninspectable.inspection_error = "cannot read";
  cache.remember(bytes_of("uninspectable"), object, uninspectable);
  VerificationCache small(8, good.object.size() - 1);
  small.remember(bytes_of(envelope), object, good);
  EXPECT_EQ(small.stats().entries, 0u) << "an object past the size limit is not kept";
  EXPECT_FALSE(cache.find(bytes_of("invalid"), object));
  EXPECT_FALSE(cache.find(bytes_of("uninspectable"), object));
  cache.remember(bytes_of(envelope), object, good);
  auto hit = cache.find(bytes_of(envelope), object);
  ASSERT_TRUE(hit.has_value());
  EXPECT_TRUE(hit->valid);
  EXPECT_EQ(hit->object, good.object);
  EXPECT_EQ(cache.stats().entries, 1u);
}

// The key is every byte of both inputs, and whether an object was sent.
TEST(VerificationCache, HitsOnlyForTheSameEnvelopeAndObjectBytes) {
  const VerificationResult good = valid_result();
  const std::string envelope = "envelope bytes";
  VerificationCache cache(8);
  cache.remember(bytes_of(envelope), Bytes(good.object), good);
  EXPECT_TRUE(cache.find(bytes_of(envelope), Bytes(good.object)));
  std::vector<std::uint8_t> flipped = good.object;
  flipped[flipped.size() / 2] ^= 0x01;
  EXPECT_FALSE(cache.find(bytes_of(envelope), Bytes(flipped))) << "one object bit differs";
  EXPECT_FALSE(cache.find(bytes_of("envelope byteS"), Bytes(good.object)))
      << "one envelope byte differs";
  EXPECT_FALSE(cache.find(bytes_of(envelope), std::nullopt))
      << "no detached object is another request";

  // A result is only kept for the detached object it checked.
  VerificationCache other(8);
  other.remember(bytes_of(envelope), Bytes(flipped), good);
  EXPECT_EQ(other.stats().entries, 0u);
  // Without a detached object the envelope alone is the key.
  other.remember(bytes_of(envelope), std::nullopt, good);
  EXPECT_TRUE(other.find(bytes_of(envelope), std::nullopt));
  EXPECT_FALSE(other.find(bytes_of(envelope), Bytes(good.object)));
}

TEST(VerificationCache, EvictsTheLeastRecentlyUsed) {
  const VerificationResult good = valid_result();
  const Bytes object(good.object);
  VerificationCache cache(2);
  cache.remember(bytes_of("a"), object, good);
  cache.remember(bytes_of("b"), object, good);
  ASSERT_TRUE(cache.find(bytes_of("a"), object));
  cache.remember(bytes_of("c"), object, good);
  EXPECT_TRUE(cache.find(bytes_of("a"), object));
  EXPECT_FALSE(cache.find(bytes_of("b"), object));
  EXPECT_TRUE(cache.find(bytes_of("c"), object));
  EXPECT_EQ(cache.stats().entries, 2u);
}

// Large envelopes: the byte budget, not the count, bounds what is held.
TEST(VerificationCache, EvictsTheLeastRecentlyUsedToStayWithinItsByteBudget) {
  const VerificationResult good = valid_result();
  const Bytes object(good.object);
  const std::size_t envelope_size = 1u << 20;
  const std::size_t entry = envelope_size + good.object.size();
  VerificationCache cache(32, 256u << 10, 3 * entry);
  std::vector<std::string> envelopes;
  for (char c : std::string("abcde")) envelopes.emplace_back(envelope_size, c);
  for (int i = 0; i < 3; ++i) cache.remember(bytes_of(envelopes[i]), object, good);
  EXPECT_EQ(cache.stats().bytes, 3 * entry);
  ASSERT_TRUE(cache.find(bytes_of(envelopes[0]), object));  // a is now the most recent
  cache.remember(bytes_of(envelopes[3]), object, good);
  cache.remember(bytes_of(envelopes[4]), object, good);
  EXPECT_EQ(cache.stats().entries, 3u);
  EXPECT_LE(cache.stats().bytes, 3 * entry);
  EXPECT_TRUE(cache.find(bytes_of(envelopes[0]), object));
  EXPECT_FALSE(cache.find(bytes_of(envelopes[1]), object));
  EXPECT_FALSE(cache.find(bytes_of(envelopes[2]), object));
  EXPECT_TRUE(cache.find(bytes_of(envelopes[4]), object));

  // One result larger than the whole budget is not kept, and evicts nothing.
  const std::string huge(3 * entry, 'z');
  cache.remember(bytes_of(huge), object, good);
  EXPECT_FALSE(cache.find(bytes_of(huge), object));
  EXPECT_EQ(cache.stats().entries, 3u);
}

}  // namespace
}  // namespace pqbpf::gate

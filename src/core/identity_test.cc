// Identity and PublicIdentity: construction checks, determinism in the seed,
// the DID/key binding, and that the private key really signs for the DID.
#include "pqbpf/core/identity.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "identity_test_util.h"

namespace pqbpf {
namespace {

namespace mldsa = crypto::mldsa;
using test_util::test_seed;

constexpr char kCreated[] = "2026-11-29T12:00:00Z";

TEST(Identity, CreateGivesDidOfItsPublicKey) {
  auto id = Identity::create("bpf-signer", {"sign"});
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(id->name(), "bpf-signer");
  EXPECT_EQ(id->capabilities(), std::vector<std::string>{"sign"});
  EXPECT_TRUE(id->did().matches(id->public_key()));
  EXPECT_EQ(id->did(), Did::from_public_key(id->public_key()));
  EXPECT_EQ(id->algorithm(), "ML-DSA-65");
  EXPECT_TRUE(validate_timestamp(id->created_at()).ok()) << id->created_at();
  EXPECT_EQ(id->expose_secret_seed().size(), mldsa::kSeedSize);
}

TEST(Identity, CreateTwiceGivesDifferentDids) {
  auto a = Identity::create("a");
  auto b = Identity::create("a");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->did(), b->did());
}

TEST(Identity, FromSeedIsDeterministic) {
  const auto seed = test_seed();
  auto a = Identity::from_seed(seed, "signer", {"sign"}, kCreated);
  auto b = Identity::from_seed(seed, "signer", {"sign"}, kCreated);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->did(), b->did());
  EXPECT_EQ(a->public_key(), b->public_key());
  EXPECT_EQ(a->created_at(), kCreated);
  auto c = Identity::from_seed(test_seed(2), "signer", {"sign"}, kCreated);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(a->did(), c->did());
}

TEST(Identity, FromSeedMatchesMlDsaKeyGen) {
  const auto seed = test_seed();
  auto id = Identity::from_seed(seed, "signer", {}, kCreated);
  ASSERT_TRUE(id.ok());
  auto pair = mldsa::generate_key_pair(mldsa::ParameterSet::kMlDsa65,
                                       std::span<const std::uint8_t, 32>(seed.data(), 32));
  EXPECT_EQ(id->public_key(), pair.public_key);
}

TEST(Identity, FromSeedWithWrongLengthFails) {
  for (std::size_t n : {0u, 31u, 33u, 64u}) {
    std::vector<std::uint8_t> seed(n, 7);
    auto id = Identity::from_seed(seed, "signer", {}, kCreated);
    ASSERT_FALSE(id.ok()) << n;
    EXPECT_EQ(id.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(Identity, PrivateKeySignsForItsPublicKey) {
  auto id = Identity::from_seed(test_seed(), "signer", {"sign"}, kCreated);
  ASSERT_TRUE(id.ok());
  const std::vector<std::uint8_t> message = {'h', 'i'};
  const std::vector<std::uint8_t> context = {'t'};
  auto sig = mldsa::sign(id->private_key(), message, context);
  ASSERT_TRUE(sig.ok()) << sig.error().message;
  EXPECT_TRUE(mldsa::verify(id->public_key(), message, context, *sig).ok());
}

TEST(Identity, HasCapabilityReportsListedOnly) {
  auto id = Identity::from_seed(test_seed(), "signer", {"sign", "policy:author"}, kCreated);
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(id->has_capability("sign"));
  EXPECT_TRUE(id->has_capability("policy:author"));
  EXPECT_FALSE(id->has_capability("admin"));
}

TEST(Identity, CreateWithInvalidNameFails) {
  const std::vector<std::string> bad = {
      "", std::string(kMaxIdentityNameSize + 1, 'n'), "tab\there", "new\nline", "del\x7f",
      "\xc3\x28" /* invalid UTF-8 */, "\xc0\xaf" /* overlong */, "\xed\xa0\x80" /* surrogate */};
  for (const auto& name : bad) {
    auto id = Identity::from_seed(test_seed(), name, {}, kCreated);
    ASSERT_FALSE(id.ok()) << name;
    EXPECT_EQ(id.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(Identity, CreateWithUnicodeNameSucceeds) {
  EXPECT_TRUE(validate_identity_name("Zoë Müller – signing team").ok());
  EXPECT_TRUE(validate_identity_name(std::string(kMaxIdentityNameSize, 'n')).ok());
}

TEST(Identity, CreateWithInvalidCapabilitiesFails) {
  const std::vector<std::vector<std::string>> bad = {
      {""}, {"Sign"}, {"sign", "sign"}, {"with space"}, {std::string(kMaxCapabilitySize + 1, 'c')},
      std::vector<std::string>(kMaxCapabilities + 1, "x")};
  for (const auto& caps : bad) {
    auto id = Identity::create("signer", caps);
    ASSERT_FALSE(id.ok());
    EXPECT_EQ(id.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(validate_capabilities({"sign", "a.b_c:d-1"}).ok());
  EXPECT_TRUE(validate_capabilities({}).ok());
}

TEST(Identity, ValidateTimestampAcceptsRfc3339UtcOnly) {
  EXPECT_TRUE(validate_timestamp("2026-11-29T12:08:19Z").ok());
  EXPECT_TRUE(validate_timestamp("2024-02-29T00:00:00Z").ok());
  for (const char* bad : {"2000-02-29T23:59:60Z", "2026-12-31T23:59:60Z", "", "2026-11-29", "2026-11-29T12:08:19", "2026-11-29T12:08:19+00:00",
                          "2026-11-29 12:08:19Z", "2026-13-01T00:00:00Z", "2026-04-31T00:00:00Z",
                          "2025-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-11-29T24:00:00Z",
                          "2026-11-29T12:08:19.5Z", "2026-11-29t12:08:19z"}) {
    EXPECT_FALSE(validate_timestamp(bad).ok()) << bad;
  }
  EXPECT_TRUE(validate_timestamp(current_timestamp()).ok()) << current_timestamp();
}

// Issue 11.11: a moved-from Identity holds an empty private key; signing
// with it fails closed instead of reading past the key's bytes.
TEST(Identity, SignWithMovedFromIdentityFailsClosed) {
  auto id = Identity::from_seed(test_seed(), "bpf-signer", {"sign"}, "2026-11-29T12:00:00Z");
  ASSERT_TRUE(id.ok());
  Identity taken = std::move(id).value();
  const std::vector<std::uint8_t> msg = {'m'};
  // NOLINTNEXTLINE(bugprone-use-after-move): the point of the test.
  auto sig = crypto::mldsa::sign(id->private_key(), msg, {});
  ASSERT_FALSE(sig.ok());
  EXPECT_EQ(sig.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(crypto::mldsa::sign(taken.private_key(), msg, {}).ok());
}

TEST(Identity, FromSeedWithBadTimestampFails) {
  auto id = Identity::from_seed(test_seed(), "signer", {}, "yesterday");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, ErrorCode::kInvalidArgument);
}

TEST(PublicIdentity, FromIdentityCarriesDidNameAndKey) {
  auto id = Identity::from_seed(test_seed(), "signer", {"sign"}, kCreated);
  ASSERT_TRUE(id.ok());
  const PublicIdentity pub = id->public_identity();
  EXPECT_EQ(pub.did(), id->did());
  EXPECT_EQ(pub.name(), "signer");
  EXPECT_EQ(pub.algorithm(), "ML-DSA-65");
  EXPECT_EQ(pub.public_key(), id->public_key());
}

TEST(PublicIdentity, CreateBoundWithMatchingDidSucceeds) {
  auto id = Identity::from_seed(test_seed(), "signer", {}, kCreated);
  ASSERT_TRUE(id.ok());
  auto pub = PublicIdentity::create_bound(id->did(), "signer", id->public_key());
  ASSERT_TRUE(pub.ok()) << pub.error().message;
  EXPECT_EQ(*pub, id->public_identity());
}

TEST(PublicIdentity, CreateBoundWithOtherKeysDidFailsNamingBoth) {
  auto a = Identity::from_seed(test_seed(1), "a", {}, kCreated);
  auto b = Identity::from_seed(test_seed(2), "b", {}, kCreated);
  ASSERT_TRUE(a.ok() && b.ok());
  auto pub = PublicIdentity::create_bound(a->did(), "a", b->public_key());
  ASSERT_FALSE(pub.ok());
  EXPECT_EQ(pub.error().code, ErrorCode::kRejected);
  EXPECT_NE(pub.error().message.find(a->did().str()), std::string::npos);
  EXPECT_NE(pub.error().message.find(b->did().str()), std::string::npos);
}

TEST(PublicIdentity, CreateWithOtherParameterSetFails) {
  std::vector<std::uint8_t> raw(mldsa::sizes(mldsa::ParameterSet::kMlDsa44).public_key, 1);
  auto key = mldsa::PublicKey::parse(mldsa::ParameterSet::kMlDsa44, raw);
  ASSERT_TRUE(key.ok());
  auto pub = PublicIdentity::create("x", *key);
  ASSERT_FALSE(pub.ok());
  EXPECT_EQ(pub.error().code, ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace pqbpf

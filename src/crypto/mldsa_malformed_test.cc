// Malformed and hostile input to the ML-DSA API: wrong-length keys and
// signatures, private keys out of range, hint encodings that break FIPS 204,
// Algorithm 21 (HintBitUnpack), z out of range, over-long contexts. Each must
// be refused, with no out-of-bounds access (this binary also runs under
// ASan/UBSan in CI). Also checks the properties the API promises: round
// trips, deterministic vs hedged signing, the internal and external-mu
// entry points agreeing with the pure API, and fail-closed verification.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <ostream>
#include <thread>
#include <vector>

#include "pqbpf/crypto/mldsa.h"
#include "pqbpf/crypto/sha3.h"

namespace pqbpf::crypto::mldsa {
namespace {

// FIPS 204, Table 1, restated independently of the implementation.
struct Layout {
  ParameterSet set;
  std::size_t ctilde;
  int l, k, z_bits, omega;
  std::int32_t gamma1, beta;
  int eta_bits;
  std::uint32_t eta;
  std::size_t hints_offset() const { return ctilde + static_cast<std::size_t>(l) * 32 * z_bits; }
};

const Layout kLayouts[] = {
    {ParameterSet::kMlDsa44, 32, 4, 4, 18, 80, 1 << 17, 78, 3, 2},
    {ParameterSet::kMlDsa65, 48, 5, 6, 20, 55, 1 << 19, 196, 4, 4},
    {ParameterSet::kMlDsa87, 64, 7, 8, 20, 75, 1 << 19, 120, 3, 2},
};

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::array<std::uint8_t, 32> seed_for(ParameterSet set, std::uint8_t tag) {
  std::array<std::uint8_t, 32> seed{};
  seed.fill(tag);
  seed[0] = static_cast<std::uint8_t>(set);
  return seed;
}

// Reads coefficient `index` of the bit-packed vector starting at `offset`.
std::uint32_t get_bits(const std::vector<std::uint8_t>& b, std::size_t offset, int bits,
                       std::size_t index) {
  std::uint32_t v = 0;
  for (int i = 0; i < bits; ++i) {
    const std::size_t bit = index * bits + i;
    v |= static_cast<std::uint32_t>((b[offset + bit / 8] >> (bit % 8)) & 1) << i;
  }
  return v;
}

void set_bits(std::vector<std::uint8_t>& b, std::size_t offset, int bits, std::size_t index,
              std::uint32_t v) {
  for (int i = 0; i < bits; ++i) {
    const std::size_t bit = index * bits + i;
    auto& byte = b[offset + bit / 8];
    byte = static_cast<std::uint8_t>((byte & ~(1u << (bit % 8))) | (((v >> i) & 1u) << (bit % 8)));
  }
}

class MlDsaMalformedTest : public ::testing::TestWithParam<Layout> {
 protected:
  void SetUp() override {
    const Layout& p = GetParam();
    auto kp = generate_key_pair(p.set, seed_for(p.set, 0x5A));
    pk_.emplace(kp.public_key);
    sk_.emplace(kp.private_key);
    auto sig = sign(*sk_, msg_, ctx_, SigningMode::kDeterministic);
    ASSERT_TRUE(sig.ok());
    sig_ = *sig;
    ASSERT_TRUE(verify(*pk_, msg_, ctx_, sig_).ok());
  }

  // The hint section: omega index bytes, then k cumulative counts.
  std::size_t hints() const { return GetParam().hints_offset(); }
  std::size_t count_at(int i) const { return hints() + GetParam().omega + i; }

  // A signature whose hint vector has at least one index in some polynomial,
  // found by signing different messages (almost every signature has hints).
  std::vector<std::uint8_t> signature_with_hints(std::vector<std::uint8_t>* msg_out) {
    for (int n = 0; n < 64; ++n) {
      std::vector<std::uint8_t> msg = bytes("hinted message ");
      msg.push_back(static_cast<std::uint8_t>(n));
      auto sig = sign(*sk_, msg, ctx_, SigningMode::kDeterministic);
      EXPECT_TRUE(sig.ok());
      const std::size_t total = (*sig)[count_at(GetParam().k - 1)];
      if (total >= 2 && total < static_cast<std::size_t>(GetParam().omega)) {
        *msg_out = msg;
        return *sig;
      }
    }
    ADD_FAILURE() << "no signature with hints found";
    return {};
  }

  std::optional<PublicKey> pk_;
  std::optional<PrivateKey> sk_;
  std::vector<std::uint8_t> msg_ = bytes("attest: program sha256 0123");
  std::vector<std::uint8_t> ctx_ = bytes("pqbpf-test");
  std::vector<std::uint8_t> sig_;
};

// --- Keys -----------------------------------------------------------------

TEST_P(MlDsaMalformedTest, PublicKeyParseWithWrongLengthFails) {
  const Layout& p = GetParam();
  const std::size_t want = sizes(p.set).public_key;
  for (std::size_t len : {std::size_t{0}, std::size_t{1}, want - 1, want + 1, 2 * want,
                          sizes(ParameterSet::kMlDsa44).public_key,
                          sizes(ParameterSet::kMlDsa87).public_key}) {
    if (len == want) continue;
    std::vector<std::uint8_t> b(len, 0xAB);
    auto r = PublicKey::parse(p.set, b);
    ASSERT_FALSE(r.ok()) << len;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(PublicKey::parse(p.set, std::vector<std::uint8_t>(want, 0)).ok());
}

TEST_P(MlDsaMalformedTest, PrivateKeyParseWithWrongLengthFails) {
  const Layout& p = GetParam();
  const std::size_t want = sizes(p.set).private_key;
  for (std::size_t len : {std::size_t{0}, std::size_t{32}, want - 1, want + 1}) {
    std::vector<std::uint8_t> b(len, 0);
    EXPECT_FALSE(PrivateKey::parse(p.set, b).ok()) << len;
  }
  auto encoded = sk_->expose_secret_encoding();
  auto round = PrivateKey::parse(p.set, encoded);
  ASSERT_TRUE(round.ok());
  EXPECT_TRUE(std::equal(encoded.begin(), encoded.end(),
                         round->expose_secret_encoding().begin()));
}

TEST_P(MlDsaMalformedTest, PrivateKeyWithCoefficientOutOfRangeFails) {
  const Layout& p = GetParam();
  const std::vector<std::uint8_t> good(sk_->expose_secret_encoding().begin(),
                                       sk_->expose_secret_encoding().end());
  const std::size_t s1_offset = 128;
  const std::size_t coeffs = static_cast<std::size_t>(p.l + p.k) * 256;
  // Out of range: every encoding above 2 eta, at the first, a middle and the
  // last coefficient of s1 || s2.
  for (std::size_t index : {std::size_t{0}, static_cast<std::size_t>(p.l * 256 + 17), coeffs - 1}) {
    for (std::uint32_t v = 2 * p.eta + 1; v < (1u << p.eta_bits); ++v) {
      auto bad = good;
      set_bits(bad, s1_offset, p.eta_bits, index, v);
      auto r = PrivateKey::parse(p.set, bad);
      ASSERT_FALSE(r.ok()) << "index " << index << " value " << v;
      EXPECT_EQ(r.error().code, ErrorCode::kParse);
    }
    // In range at the edge: 0 and 2 eta are accepted.
    for (std::uint32_t v : {0u, 2 * p.eta}) {
      auto edge = good;
      set_bits(edge, s1_offset, p.eta_bits, index, v);
      EXPECT_TRUE(PrivateKey::parse(p.set, edge).ok()) << "index " << index << " value " << v;
    }
  }
  // t0 has no invalid encodings.
  auto t0 = good;
  std::memset(t0.data() + t0.size() - 64, 0xFF, 64);
  EXPECT_TRUE(PrivateKey::parse(p.set, t0).ok());
}

TEST(MlDsaMalformedSetTest, UnknownParameterSetFails) {
  const auto bogus = static_cast<ParameterSet>(7);
  EXPECT_FALSE(PublicKey::parse(bogus, std::vector<std::uint8_t>(1952)).ok());
  EXPECT_FALSE(PrivateKey::parse(bogus, std::vector<std::uint8_t>(4032)).ok());
  EXPECT_FALSE(generate_key_pair(bogus).ok());
  EXPECT_FALSE(key_pair_from_seed(bogus, std::vector<std::uint8_t>(32)).ok());
  EXPECT_FALSE(parameter_set_from_name("ML-DSA-66").ok());
  EXPECT_FALSE(parameter_set_from_name("ml-dsa-65").ok());
  ASSERT_TRUE(parameter_set_from_name("ML-DSA-65").ok());
  EXPECT_EQ(*parameter_set_from_name("ML-DSA-65"), ParameterSet::kMlDsa65);
}

TEST(MlDsaMalformedSetTest, SeedOfWrongLengthFails) {
  for (std::size_t len : {0, 31, 33, 64}) {
    EXPECT_FALSE(key_pair_from_seed(ParameterSet::kMlDsa65, std::vector<std::uint8_t>(len)).ok());
  }
}

// --- Signatures: length and encoding ------------------------------------

TEST_P(MlDsaMalformedTest, VerifyWithWrongLengthSignatureFails) {
  const Layout& p = GetParam();
  const std::size_t want = sizes(p.set).signature;
  for (std::size_t len : {std::size_t{0}, std::size_t{1}, want - 1, want + 1, 2 * want,
                          sizes(ParameterSet::kMlDsa44).signature,
                          sizes(ParameterSet::kMlDsa87).signature}) {
    if (len == want) continue;
    std::vector<std::uint8_t> sig(sig_);
    sig.resize(len, 0);
    const Status s = verify(*pk_, msg_, ctx_, sig);
    ASSERT_FALSE(s.ok()) << len;
    EXPECT_EQ(s.error().code, ErrorCode::kRejected);
  }
}

TEST_P(MlDsaMalformedTest, VerifyOfArbitraryBytesFails) {
  const std::size_t len = sizes(GetParam().set).signature;
  for (std::uint8_t fill : {0x00, 0xFF, 0x80, 0x01}) {
    EXPECT_FALSE(verify(*pk_, msg_, ctx_, std::vector<std::uint8_t>(len, fill)).ok());
  }
  // Pseudo-random signatures from SHAKE: never valid, never out of bounds.
  std::vector<std::uint8_t> sig(len);
  for (std::uint8_t i = 0; i < 16; ++i) {
    shake256(std::vector<std::uint8_t>{i}, sig);
    EXPECT_FALSE(verify(*pk_, msg_, ctx_, sig).ok());
  }
}

TEST_P(MlDsaMalformedTest, HintCountAboveOmegaFails) {
  const Layout& p = GetParam();
  for (int i = 0; i < p.k; ++i) {
    auto sig = sig_;
    sig[count_at(i)] = static_cast<std::uint8_t>(p.omega + 1);
    EXPECT_FALSE(verify(*pk_, msg_, ctx_, sig).ok()) << i;
    sig[count_at(i)] = 0xFF;
    EXPECT_FALSE(verify(*pk_, msg_, ctx_, sig).ok()) << i;
  }
}

TEST_P(MlDsaMalformedTest, DecreasingHintCountFails) {
  const Layout& p = GetParam();
  std::vector<std::uint8_t> msg;
  auto sig = signature_with_hints(&msg);
  ASSERT_FALSE(sig.empty());
  // Find a polynomial i > 0 whose cumulative count is positive, and make it
  // smaller than the previous one.
  for (int i = 1; i < p.k; ++i) {
    if (sig[count_at(i - 1)] == 0) continue;
    auto bad = sig;
    bad[count_at(i)] = static_cast<std::uint8_t>(sig[count_at(i - 1)] - 1);
    EXPECT_FALSE(verify(*pk_, msg, ctx_, bad).ok()) << i;
    return;
  }
  GTEST_SKIP() << "no suitable hint layout in this signature";
}

// A repeated index leaves the hint vector unchanged, so only the strict
// decoder can catch it: the signature must still be refused.
TEST_P(MlDsaMalformedTest, RepeatedHintIndexFails) {
  const Layout& p = GetParam();
  std::vector<std::uint8_t> msg;
  auto sig = signature_with_hints(&msg);
  ASSERT_FALSE(sig.empty());
  ASSERT_TRUE(verify(*pk_, msg, ctx_, sig).ok());
  const std::size_t total = sig[count_at(p.k - 1)];
  // Duplicate the first index of the first non-empty polynomial.
  int poly = 0;
  while (sig[count_at(poly)] == 0) ++poly;
  const std::size_t first = poly == 0 ? 0 : sig[count_at(poly - 1)];
  auto bad = sig;
  for (std::size_t j = total; j > first; --j) bad[hints() + j] = bad[hints() + j - 1];
  for (int i = poly; i < p.k; ++i) bad[count_at(i)] = static_cast<std::uint8_t>(sig[count_at(i)] + 1);
  EXPECT_FALSE(verify(*pk_, msg, ctx_, bad).ok());
}

// Indices out of order within one polynomial: the same set, the wrong
// encoding.
TEST_P(MlDsaMalformedTest, HintsOutOfOrderFail) {
  const Layout& p = GetParam();
  std::vector<std::uint8_t> msg;
  auto sig = signature_with_hints(&msg);
  ASSERT_FALSE(sig.empty());
  std::size_t start = 0;
  for (int i = 0; i < p.k; ++i) {
    const std::size_t end = sig[count_at(i)];
    if (end - start >= 2) {
      auto bad = sig;
      std::swap(bad[hints() + start], bad[hints() + start + 1]);
      EXPECT_FALSE(verify(*pk_, msg, ctx_, bad).ok());
      std::reverse(bad.begin() + hints() + start, bad.begin() + hints() + end);
      EXPECT_FALSE(verify(*pk_, msg, ctx_, bad).ok());
      return;
    }
    start = end;
  }
  GTEST_SKIP() << "no polynomial with two hints in this signature";
}

// Non-zero bytes after the last used index: the hint vector is unchanged, the
// encoding is not canonical.
TEST_P(MlDsaMalformedTest, NonZeroHintPaddingFails) {
  const Layout& p = GetParam();
  std::vector<std::uint8_t> msg;
  auto sig = signature_with_hints(&msg);
  ASSERT_FALSE(sig.empty());
  const std::size_t total = sig[count_at(p.k - 1)];
  for (std::size_t j = total; j < static_cast<std::size_t>(p.omega); ++j) {
    auto bad = sig;
    bad[hints() + j] = 1;
    EXPECT_FALSE(verify(*pk_, msg, ctx_, bad).ok()) << j;
  }
}

TEST_P(MlDsaMalformedTest, ZOutOfRangeFails) {
  const Layout& p = GetParam();
  // z = gamma1 - (encoded value). The bound is ||z|| < gamma1 - beta.
  const std::int32_t limit = p.gamma1 - p.beta;
  const std::size_t last = static_cast<std::size_t>(p.l) * 256 - 1;
  for (std::size_t index : {std::size_t{0}, std::size_t{300}, last}) {
    for (std::int32_t z : {limit, -limit, p.gamma1, -p.gamma1 + 1,
                           p.gamma1 - static_cast<std::int32_t>((1u << p.z_bits) - 1)}) {
      auto bad = sig_;
      set_bits(bad, p.ctilde, p.z_bits, index, static_cast<std::uint32_t>(p.gamma1 - z));
      const Status s = verify(*pk_, msg_, ctx_, bad);
      EXPECT_FALSE(s.ok()) << "index " << index << " z " << z;
    }
  }
  // Sanity of the bit layout: rewriting a coefficient with its own value
  // keeps the signature valid.
  auto same = sig_;
  set_bits(same, p.ctilde, p.z_bits, 5, get_bits(sig_, p.ctilde, p.z_bits, 5));
  EXPECT_TRUE(verify(*pk_, msg_, ctx_, same).ok());
}

TEST_P(MlDsaMalformedTest, EveryBitFlipRegionFails) {
  const Layout& p = GetParam();
  const std::size_t len = sig_.size();
  for (std::size_t pos : {std::size_t{0}, p.ctilde - 1, p.ctilde, p.ctilde + 100,
                          hints() - 1, hints(), len - 1}) {
    auto bad = sig_;
    bad[pos] ^= 0x01;
    EXPECT_FALSE(verify(*pk_, msg_, ctx_, bad).ok()) << pos;
  }
}

// --- Context strings ----------------------------------------------------

TEST_P(MlDsaMalformedTest, ContextLongerThan255Fails) {
  const std::vector<std::uint8_t> long_ctx(256, 'c');
  auto s = sign(*sk_, msg_, long_ctx);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(verify(*pk_, msg_, long_ctx, sig_).ok());
  EXPECT_FALSE(compute_mu(*pk_, msg_, long_ctx).ok());
  // 255 is the largest allowed.
  const std::vector<std::uint8_t> max_ctx(255, 'c');
  auto ok = sign(*sk_, msg_, max_ctx);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(verify(*pk_, msg_, max_ctx, *ok).ok());
}

TEST_P(MlDsaMalformedTest, WrongMessageContextOrKeyFails) {
  const Layout& p = GetParam();
  EXPECT_FALSE(verify(*pk_, bytes("attest: program sha256 0124"), ctx_, sig_).ok());
  EXPECT_FALSE(verify(*pk_, msg_, bytes("pqbpf-tesu"), sig_).ok());
  EXPECT_FALSE(verify(*pk_, msg_, {}, sig_).ok());
  auto other = generate_key_pair(p.set, seed_for(p.set, 0x11));
  EXPECT_FALSE(verify(other.public_key, msg_, ctx_, sig_).ok());
  // The pure and internal interfaces are domain-separated.
  EXPECT_FALSE(verify_internal(*pk_, msg_, sig_).ok());
}

// --- API properties -----------------------------------------------------

TEST_P(MlDsaMalformedTest, HedgedSigningIsRandomizedAndVerifies) {
  auto a = sign(*sk_, msg_, ctx_);
  auto b = sign(*sk_, msg_, ctx_);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(verify(*pk_, msg_, ctx_, *a).ok());
  EXPECT_TRUE(verify(*pk_, msg_, ctx_, *b).ok());
  auto d = sign(*sk_, msg_, ctx_, SigningMode::kDeterministic);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, sig_);
}

TEST_P(MlDsaMalformedTest, EntryPointsAgree) {
  const std::array<std::uint8_t, 32> zero{};
  // Pure == internal with M' = 0 || |ctx| || ctx || M == external mu.
  std::vector<std::uint8_t> formatted = {0, static_cast<std::uint8_t>(ctx_.size())};
  formatted.insert(formatted.end(), ctx_.begin(), ctx_.end());
  formatted.insert(formatted.end(), msg_.begin(), msg_.end());
  EXPECT_EQ(sign_internal(*sk_, formatted, zero), sig_);
  auto mu = compute_mu(*pk_, msg_, ctx_);
  ASSERT_TRUE(mu.ok());
  EXPECT_EQ(sign_mu(*sk_, *mu, zero), sig_);
  EXPECT_TRUE(verify_mu(*pk_, *mu, sig_).ok());
  EXPECT_TRUE(verify_internal(*pk_, formatted, sig_).ok());
  Mu other = *mu;
  other[63] ^= 1;
  EXPECT_FALSE(verify_mu(*pk_, other, sig_).ok());
}

TEST_P(MlDsaMalformedTest, KeyGenerationIsDeterministicInTheSeed) {
  const Layout& p = GetParam();
  auto again = generate_key_pair(p.set, seed_for(p.set, 0x5A));
  EXPECT_EQ(again.public_key, *pk_);
  auto fresh = generate_key_pair(p.set);
  ASSERT_TRUE(fresh.ok());
  EXPECT_FALSE(fresh->public_key == *pk_);
  EXPECT_EQ(fresh->public_key.bytes().size(), sizes(p.set).public_key);
  EXPECT_EQ(fresh->private_key.expose_secret_encoding().size(), sizes(p.set).private_key);
}

TEST_P(MlDsaMalformedTest, CopiesShareTheCacheAcrossThreads) {
  // Copies of one key verify concurrently (the expanded key is built once).
  auto parsed = PublicKey::parse(GetParam().set, pk_->bytes());
  ASSERT_TRUE(parsed.ok());
  const PublicKey shared = *parsed;
  std::vector<std::thread> threads;
  std::array<int, 4> ok{};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      PublicKey copy = shared;
      for (int i = 0; i < 3; ++i) ok[t] += verify(copy, msg_, ctx_, sig_).ok() ? 1 : 0;
    });
  }
  for (auto& th : threads) th.join();
  for (int v : ok) EXPECT_EQ(v, 3);
}

TEST_P(MlDsaMalformedTest, MovedFromPublicKeyFailsClosed) {
  PublicKey a = *pk_;
  PublicKey b = std::move(a);
  EXPECT_TRUE(verify(b, msg_, ctx_, sig_).ok());
  // a is in a valid but unspecified state: whatever it holds, it must not
  // accept this signature by accident or crash.
  const Status s = verify(a, msg_, ctx_, sig_);  // NOLINT(bugprone-use-after-move)
  EXPECT_FALSE(s.ok() && a.bytes().size() != sizes(GetParam().set).public_key);
}

template <typename T>
concept Streamable = requires(std::ostream& os, const T& t) { os << t; };
static_assert(!Streamable<PrivateKey>, "a private key must not be streamable");
static_assert(Streamable<int>);

TEST_P(MlDsaMalformedTest, PrivateKeyCannotBePrinted) {
  const std::string shown = ::testing::PrintToString(*sk_);
  EXPECT_EQ(shown, "<" + std::string(parameter_set_name(GetParam().set)) + " private key>");
}

INSTANTIATE_TEST_SUITE_P(AllSets, MlDsaMalformedTest, ::testing::ValuesIn(kLayouts),
                         [](const ::testing::TestParamInfo<Layout>& info) {
                           return std::string(parameter_set_name(info.param.set)).substr(7);
                         });

}  // namespace
}  // namespace pqbpf::crypto::mldsa

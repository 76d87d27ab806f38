// Every implementation level (portable scalar, AVX2, AVX-512; see
// cpu_dispatch.h) must give bit-identical ML-DSA keys and deterministic
// signatures, and the same verification results:
//  - on the full NIST ACVP keyGen / sigGen / sigVer suites in
//    $PQBPF_SHARED_DIR/vectors/acvp (every case, at every level);
//  - on keys and signatures from many seeds, compared level against level
//    (runs without the shared folder too).
// Each level runs in every test run; only a level this CPU lacks is
// skipped, with a message saying so.
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <string>
#include <vector>

#include "cpu_dispatch.h"
#include "pqbpf/crypto/mldsa.h"
#include "vector_file.h"

namespace pqbpf::crypto::mldsa {
namespace {

using crypto::internal::CryptoImpl;
using crypto::internal::impl_name;
using crypto::internal::ScopedCryptoImpl;
using nlohmann::json;
using pqbpf::testing::hex_field;

std::string case_name(const json& t) { return "tcId " + std::to_string(t["tcId"].get<int>()); }

std::optional<json> load_set(const std::string& folder) {
  return pqbpf::testing::load_json(
      pqbpf::testing::shared_path("vectors/acvp/" + folder + "/internalProjection.json"));
}

std::string group_string(const json& g, const char* name, const std::string& fallback) {
  return g.contains(name) ? g[name].get<std::string>() : fallback;
}

class MlDsaEveryLevelTest : public ::testing::TestWithParam<CryptoImpl> {
 protected:
  void SetUp() override {
    level_.emplace(GetParam());
    if (!level_->ok()) {
      GTEST_SKIP() << "this CPU/OS cannot run the " << impl_name(GetParam()) << " code";
    }
  }
  void TearDown() override { level_.reset(); }  // restores the previous level
  std::optional<ScopedCryptoImpl> level_;
};

TEST_P(MlDsaEveryLevelTest, AcvpKeyGenCasesMatch) {
  if (!pqbpf::testing::have_shared()) GTEST_SKIP() << "PQBPF_HAVE_SHARED is not ON";
  auto file = load_set("ML-DSA-keyGen-FIPS204");
  ASSERT_TRUE(file.has_value());
  int checked = 0;
  for (const auto& g : (*file)["testGroups"]) {
    auto set = parameter_set_from_name(g["parameterSet"].get<std::string>());
    ASSERT_TRUE(set.ok());
    for (const auto& t : g["tests"]) {
      auto kp = key_pair_from_seed(*set, hex_field(t, "seed"));
      ASSERT_TRUE(kp.ok()) << case_name(t);
      const auto pk = hex_field(t, "pk");
      const auto sk = hex_field(t, "sk");
      const auto got_pk = kp->public_key.bytes();
      const auto got_sk = kp->private_key.expose_secret_encoding();
      EXPECT_TRUE(std::equal(got_pk.begin(), got_pk.end(), pk.begin(), pk.end())) << case_name(t);
      EXPECT_TRUE(std::equal(got_sk.begin(), got_sk.end(), sk.begin(), sk.end())) << case_name(t);
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
}

TEST_P(MlDsaEveryLevelTest, AcvpSigGenCasesMatch) {
  if (!pqbpf::testing::have_shared()) GTEST_SKIP() << "PQBPF_HAVE_SHARED is not ON";
  auto file = load_set("ML-DSA-sigGen-FIPS204");
  ASSERT_TRUE(file.has_value());
  int checked = 0;
  for (const auto& g : (*file)["testGroups"]) {
    auto set = parameter_set_from_name(g["parameterSet"].get<std::string>());
    ASSERT_TRUE(set.ok());
    if (group_string(g, "preHash", "pure") != "pure") continue;  // HashML-DSA: not implemented
    const bool deterministic = g.value("deterministic", false);
    const std::string interface = group_string(g, "signatureInterface", "internal");
    const bool external_mu = g.value("externalMu", false);
    for (const auto& t : g["tests"]) {
      auto key = PrivateKey::parse(*set, hex_field(t, "sk"));
      ASSERT_TRUE(key.ok()) << case_name(t);
      std::array<std::uint8_t, kRandomnessSize> rnd{};
      if (!deterministic) {
        const auto r = hex_field(t, "rnd");
        ASSERT_EQ(r.size(), rnd.size()) << case_name(t);
        std::copy(r.begin(), r.end(), rnd.begin());
      }
      std::vector<std::uint8_t> sig;
      if (external_mu) {
        const auto m = hex_field(t, "mu");
        Mu mu{};
        ASSERT_EQ(m.size(), mu.size()) << case_name(t);
        std::copy(m.begin(), m.end(), mu.begin());
        sig = sign_mu(*key, mu, rnd);
      } else if (interface == "internal") {
        sig = sign_internal(*key, hex_field(t, "message"), rnd);
      } else {
        const auto msg = hex_field(t, "message");
        const auto ctx = hex_field(t, "context");
        std::vector<std::uint8_t> formatted = {0, static_cast<std::uint8_t>(ctx.size())};
        formatted.insert(formatted.end(), ctx.begin(), ctx.end());
        formatted.insert(formatted.end(), msg.begin(), msg.end());
        sig = sign_internal(*key, formatted, rnd);
      }
      EXPECT_EQ(sig, hex_field(t, "signature")) << case_name(t);
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
}

TEST_P(MlDsaEveryLevelTest, AcvpSigVerCasesGiveTheExpectedResult) {
  if (!pqbpf::testing::have_shared()) GTEST_SKIP() << "PQBPF_HAVE_SHARED is not ON";
  auto file = load_set("ML-DSA-sigVer-FIPS204");
  ASSERT_TRUE(file.has_value());
  int checked = 0;
  for (const auto& g : (*file)["testGroups"]) {
    auto set = parameter_set_from_name(g["parameterSet"].get<std::string>());
    ASSERT_TRUE(set.ok());
    if (group_string(g, "preHash", "pure") != "pure") continue;
    const std::string interface = group_string(g, "signatureInterface", "internal");
    const bool external_mu = g.value("externalMu", false);
    for (const auto& t : g["tests"]) {
      // A fresh parse per case: the cold path (tr, ExpandA) runs every time.
      auto key = PublicKey::parse(*set, t.contains("pk") ? hex_field(t, "pk") : hex_field(g, "pk"));
      ASSERT_TRUE(key.ok()) << case_name(t);
      const auto sig = hex_field(t, "signature");
      bool got;
      if (external_mu) {
        const auto m = hex_field(t, "mu");
        Mu mu{};
        ASSERT_EQ(m.size(), mu.size()) << case_name(t);
        std::copy(m.begin(), m.end(), mu.begin());
        got = verify_mu(*key, mu, sig).ok();
      } else if (interface == "internal") {
        got = verify_internal(*key, hex_field(t, "message"), sig).ok();
      } else {
        got = verify(*key, hex_field(t, "message"), hex_field(t, "context"), sig).ok();
      }
      EXPECT_EQ(got, t["testPassed"].get<bool>()) << case_name(t);
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
}

// Keys, deterministic signatures and verification from 24 seeds per
// parameter set, compared byte for byte with the portable scalar code.
TEST_P(MlDsaEveryLevelTest, ManySeedsGiveTheSameBytesAsTheScalarCode) {
  struct Output {
    std::vector<std::uint8_t> pk, sk, sig;
  };
  auto run = [](ParameterSet set, int i) {
    std::array<std::uint8_t, kSeedSize> seed{};
    for (std::size_t b = 0; b < seed.size(); ++b) seed[b] = static_cast<std::uint8_t>(i * 31 + b);
    const auto kp = generate_key_pair(set, seed);
    std::vector<std::uint8_t> msg(static_cast<std::size_t>(i * 13), static_cast<std::uint8_t>(i));
    auto sig = sign(kp.private_key, msg, {}, SigningMode::kDeterministic);
    Output out;
    out.pk.assign(kp.public_key.bytes().begin(), kp.public_key.bytes().end());
    out.sk.assign(kp.private_key.expose_secret_encoding().begin(),
                  kp.private_key.expose_secret_encoding().end());
    if (sig.ok()) out.sig = *sig;
    // Cold verification with a fresh parse, and a flipped bit must fail.
    auto fresh = PublicKey::parse(set, out.pk);
    EXPECT_TRUE(fresh.ok() && verify(*fresh, msg, {}, out.sig).ok());
    if (!out.sig.empty()) {
      auto bad = out.sig;
      bad[bad.size() / 2] ^= 1;
      auto fresh2 = PublicKey::parse(set, out.pk);
      EXPECT_FALSE(fresh2.ok() && verify(*fresh2, msg, {}, bad).ok());
    }
    return out;
  };
  for (ParameterSet set :
       {ParameterSet::kMlDsa44, ParameterSet::kMlDsa65, ParameterSet::kMlDsa87}) {
    for (int i = 0; i < 24; ++i) {
      const Output here = run(set, i);
      Output scalar;
      {
        ScopedCryptoImpl portable(CryptoImpl::kScalar);
        ASSERT_TRUE(portable.ok());
        scalar = run(set, i);
      }
      const std::string what = std::string(parameter_set_name(set)) + " seed " + std::to_string(i);
      EXPECT_EQ(here.pk, scalar.pk) << what;
      EXPECT_EQ(here.sk, scalar.sk) << what;
      EXPECT_FALSE(here.sig.empty()) << what;
      EXPECT_EQ(here.sig, scalar.sig) << what;
    }
  }
}

// tr = H(pk, 64) of a parsed key is computed in a lane beside ExpandA (on
// first use); it must equal the tr that key generation writes into the
// private key, also when tr() is asked before, or after, a verification,
// and for a copy of the key.
TEST_P(MlDsaEveryLevelTest, ParsedKeyTrEqualsTheTrInThePrivateKey) {
  for (ParameterSet set :
       {ParameterSet::kMlDsa44, ParameterSet::kMlDsa65, ParameterSet::kMlDsa87}) {
    for (int i = 0; i < 4; ++i) {
      std::array<std::uint8_t, kSeedSize> seed{};
      seed[0] = static_cast<std::uint8_t>(i);
      seed[1] = static_cast<std::uint8_t>(set);
      const auto kp = generate_key_pair(set, seed);
      const auto sk = kp.private_key.expose_secret_encoding();
      const std::vector<std::uint8_t> want(sk.begin() + 64, sk.begin() + 128);
      auto before = PublicKey::parse(set, kp.public_key.bytes());
      ASSERT_TRUE(before.ok());
      const PublicKey copy = *before;
      EXPECT_EQ(std::vector<std::uint8_t>(before->tr().begin(), before->tr().end()), want);
      EXPECT_EQ(std::vector<std::uint8_t>(copy.tr().begin(), copy.tr().end()), want);
      auto after = PublicKey::parse(set, kp.public_key.bytes());
      ASSERT_TRUE(after.ok());
      const std::vector<std::uint8_t> msg = {1, 2, 3};
      auto sig = sign(kp.private_key, msg, {}, SigningMode::kDeterministic);
      ASSERT_TRUE(sig.ok());
      EXPECT_TRUE(verify(*after, msg, {}, *sig).ok());
      EXPECT_EQ(std::vector<std::uint8_t>(after->tr().begin(), after->tr().end()), want);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Levels, MlDsaEveryLevelTest,
                         ::testing::Values(CryptoImpl::kScalar, CryptoImpl::kAvx2,
                                           CryptoImpl::kAvx512),
                         [](const ::testing::TestParamInfo<CryptoImpl>& info) {
                           return std::string(impl_name(info.param));
                         });

}  // namespace
}  // namespace pqbpf::crypto::mldsa

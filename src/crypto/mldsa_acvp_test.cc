// Every case of the NIST ACVP ML-DSA vector sets (keyGen, sigGen, sigVer) in
// $PQBPF_SHARED_DIR/vectors/acvp/. The stored revision (see its SOURCE.md)
// drives the internal functions: KeyGen_internal, Sign_internal and
// Verify_internal. Newer revisions add signatureInterface / preHash /
// externalMu; the harness follows those fields when present (HashML-DSA is
// not implemented, so preHash cases would be counted as skipped).
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "pqbpf/crypto/mldsa.h"
#include "vector_file.h"

namespace pqbpf::crypto::mldsa {
namespace {

using nlohmann::json;
using pqbpf::testing::hex;
using pqbpf::testing::hex_field;
using pqbpf::testing::Tally;

int count_cases(const json& file) {
  int n = 0;
  for (const auto& g : file["testGroups"]) n += static_cast<int>(g["tests"].size());
  return n;
}

std::optional<json> load_set(const std::string& folder) {
  return pqbpf::testing::load_json(
      pqbpf::testing::shared_path("vectors/acvp/" + folder + "/internalProjection.json"));
}

std::string case_name(const json& t) { return "tcId " + std::to_string(t["tcId"].get<int>()); }

std::string group_string(const json& g, const char* name, const std::string& fallback) {
  return g.contains(name) ? g[name].get<std::string>() : fallback;
}

class MlDsaAcvpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!pqbpf::testing::have_shared()) GTEST_SKIP() << "PQBPF_HAVE_SHARED is not ON";
  }
};

TEST_F(MlDsaAcvpTest, KeyGenMatchesEveryCase) {
  const std::string name = "ML-DSA-keyGen-FIPS204/internalProjection.json";
  auto file = load_set("ML-DSA-keyGen-FIPS204");
  ASSERT_TRUE(file.has_value());
  Tally tally(name);
  for (const auto& g : (*file)["testGroups"]) {
    auto set = parameter_set_from_name(g["parameterSet"].get<std::string>());
    ASSERT_TRUE(set.ok());
    for (const auto& t : g["tests"]) {
      const auto seed = hex_field(t, "seed");
      auto kp = key_pair_from_seed(*set, seed);
      if (!kp.ok()) {
        tally.fail(case_name(t) + ": " + kp.error().message);
        continue;
      }
      const auto pk = hex_field(t, "pk");
      const auto sk = hex_field(t, "sk");
      const auto got_pk = kp->public_key.bytes();
      const auto got_sk = kp->private_key.expose_secret_encoding();
      const bool ok = std::equal(got_pk.begin(), got_pk.end(), pk.begin(), pk.end()) &&
                      std::equal(got_sk.begin(), got_sk.end(), sk.begin(), sk.end());
      tally.check(ok, case_name(t) + ": key pair differs");
    }
  }
  tally.finish(count_cases(*file));
}

TEST_F(MlDsaAcvpTest, SigGenMatchesEveryCase) {
  const std::string name = "ML-DSA-sigGen-FIPS204/internalProjection.json";
  auto file = load_set("ML-DSA-sigGen-FIPS204");
  ASSERT_TRUE(file.has_value());
  Tally tally(name);
  for (const auto& g : (*file)["testGroups"]) {
    auto set = parameter_set_from_name(g["parameterSet"].get<std::string>());
    ASSERT_TRUE(set.ok());
    const bool deterministic = g.value("deterministic", false);
    const std::string interface = group_string(g, "signatureInterface", "internal");
    const std::string pre_hash = group_string(g, "preHash", "pure");
    const bool external_mu = g.value("externalMu", false);
    for (const auto& t : g["tests"]) {
      if (pre_hash != "pure") {
        tally.skip(case_name(t) + ": HashML-DSA (pre-hash) is not implemented");
        continue;
      }
      auto key = PrivateKey::parse(*set, hex_field(t, "sk"));
      if (!key.ok()) {
        tally.fail(case_name(t) + ": " + key.error().message);
        continue;
      }
      std::array<std::uint8_t, kRandomnessSize> rnd{};
      if (!deterministic) {
        const auto r = hex_field(t, "rnd");
        if (r.size() != rnd.size()) {
          tally.fail(case_name(t) + ": rnd is not 32 bytes");
          continue;
        }
        std::copy(r.begin(), r.end(), rnd.begin());
      }
      std::vector<std::uint8_t> sig;
      if (external_mu) {
        const auto m = hex_field(t, "mu");
        Mu mu{};
        if (m.size() != mu.size()) {
          tally.fail(case_name(t) + ": mu is not 64 bytes");
          continue;
        }
        std::copy(m.begin(), m.end(), mu.begin());
        sig = sign_mu(*key, mu, rnd);
      } else if (interface == "internal") {
        sig = sign_internal(*key, hex_field(t, "message"), rnd);
      } else {
        // External pure interface: M' = 0 || |ctx| || ctx || M.
        const auto msg = hex_field(t, "message");
        const auto ctx = hex_field(t, "context");
        std::vector<std::uint8_t> formatted = {0, static_cast<std::uint8_t>(ctx.size())};
        formatted.insert(formatted.end(), ctx.begin(), ctx.end());
        formatted.insert(formatted.end(), msg.begin(), msg.end());
        sig = sign_internal(*key, formatted, rnd);
      }
      tally.check(sig == hex_field(t, "signature"), case_name(t) + ": signature differs");
    }
  }
  tally.finish(count_cases(*file));
}

TEST_F(MlDsaAcvpTest, SigVerGivesEveryExpectedResult) {
  const std::string name = "ML-DSA-sigVer-FIPS204/internalProjection.json";
  auto file = load_set("ML-DSA-sigVer-FIPS204");
  ASSERT_TRUE(file.has_value());
  Tally tally(name);
  for (const auto& g : (*file)["testGroups"]) {
    auto set = parameter_set_from_name(g["parameterSet"].get<std::string>());
    ASSERT_TRUE(set.ok());
    const std::string interface = group_string(g, "signatureInterface", "internal");
    const std::string pre_hash = group_string(g, "preHash", "pure");
    const bool external_mu = g.value("externalMu", false);
    for (const auto& t : g["tests"]) {
      if (pre_hash != "pure") {
        tally.skip(case_name(t) + ": HashML-DSA (pre-hash) is not implemented");
        continue;
      }
      // The stored revision has pk in the group; newer ones per test.
      auto key = PublicKey::parse(*set, t.contains("pk") ? hex_field(t, "pk") : hex_field(g, "pk"));
      if (!key.ok()) {
        tally.fail(case_name(t) + ": " + key.error().message);
        continue;
      }
      const bool expected = t["testPassed"].get<bool>();
      const auto sig = hex_field(t, "signature");
      bool got;
      if (external_mu) {
        const auto m = hex_field(t, "mu");
        Mu mu{};
        if (m.size() != mu.size()) {
          tally.fail(case_name(t) + ": mu is not 64 bytes");
          continue;
        }
        std::copy(m.begin(), m.end(), mu.begin());
        got = verify_mu(*key, mu, sig).ok();
      } else if (interface == "internal") {
        got = verify_internal(*key, hex_field(t, "message"), sig).ok();
      } else {
        got = verify(*key, hex_field(t, "message"), hex_field(t, "context"), sig).ok();
      }
      tally.check(got == expected, case_name(t) + " (" + t.value("reason", std::string()) +
                                       "): expected " + (expected ? "valid" : "invalid"));
    }
  }
  tally.finish(count_cases(*file));
}

}  // namespace
}  // namespace pqbpf::crypto::mldsa

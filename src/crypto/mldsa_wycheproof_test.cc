// Every case of the Wycheproof ML-DSA files in
// $PQBPF_SHARED_DIR/vectors/wycheproof/ (C2SP/wycheproof testvectors_v1):
//   mldsa_*_sign_seed_test.json    key generation from a seed, then signing
//   mldsa_*_sign_noseed_test.json  signing with an expanded private key
//   mldsa_*_verify_test.json       verification, malformed keys / signatures
// A "valid" signing case must reproduce the expected signature exactly
// (deterministic, or with the given rnd; through the pure API with its
// context, or from mu for the "Internal" cases) and that signature must
// verify; an "invalid" case must be refused (bad seed or key length, key out
// of range, context over 255 bytes).
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "pqbpf/crypto/mldsa.h"
#include "vector_file.h"

namespace pqbpf::crypto::mldsa {
namespace {

using nlohmann::json;
using pqbpf::testing::hex_field;
using pqbpf::testing::Tally;

struct FileCase {
  const char* file;
  ParameterSet set;
};

std::string case_name(const json& t) {
  return "tcId " + std::to_string(t["tcId"].get<int>()) + " (" + t.value("comment", "") + ")";
}

int count_cases(const json& file) {
  int n = 0;
  for (const auto& g : file["testGroups"]) n += static_cast<int>(g["tests"].size());
  return n;
}

// Both counts must agree: the header's numberOfTests and the cases present.
int expected_cases(const json& file) {
  const int counted = count_cases(file);
  EXPECT_EQ(file.value("numberOfTests", -1), counted) << "numberOfTests disagrees with the file";
  return counted;
}

std::optional<json> load(const char* file) {
  return pqbpf::testing::load_json(
      pqbpf::testing::shared_path(std::string("vectors/wycheproof/") + file));
}

bool expect_valid(const json& t) { return t["result"].get<std::string>() == "valid"; }

std::vector<std::uint8_t> formatted_message(std::span<const std::uint8_t> msg,
                                            std::span<const std::uint8_t> ctx) {
  std::vector<std::uint8_t> m = {0, static_cast<std::uint8_t>(ctx.size())};
  m.insert(m.end(), ctx.begin(), ctx.end());
  m.insert(m.end(), msg.begin(), msg.end());
  return m;
}

// Runs one signing case with a parsed private key (and its public key, when
// the file gives one). Returns "" on success, else what went wrong.
std::string run_sign_case(const json& t, const PrivateKey& sk, const PublicKey* pk) {
  const bool valid = expect_valid(t);
  const auto expected_sig = hex_field(t, "sig");
  const auto ctx = hex_field(t, "ctx");
  std::array<std::uint8_t, kRandomnessSize> rnd{};
  if (t.contains("rnd")) {
    const auto r = hex_field(t, "rnd");
    if (r.size() != rnd.size()) return "rnd is not 32 bytes";
    std::copy(r.begin(), r.end(), rnd.begin());
  }
  const bool randomized = t.contains("rnd");

  std::vector<std::uint8_t> sig;
  if (t.contains("msg")) {
    const auto msg = hex_field(t, "msg");
    // The pure API with its context (FIPS 204, Algorithm 2).
    if (randomized) {
      if (ctx.size() > kMaxContextSize) {
        sig.clear();
      } else {
        sig = sign_internal(sk, formatted_message(msg, ctx), rnd);
      }
    } else {
      auto r = sign(sk, msg, ctx, SigningMode::kDeterministic);
      if (r.ok()) sig = std::move(*r);
    }
    if (!valid) return sig.empty() ? "" : "signing succeeded but the case is invalid";
    if (pk != nullptr && t.contains("mu")) {
      auto mu = compute_mu(*pk, msg, ctx);
      if (!mu.ok()) return "compute_mu failed: " + mu.error().message;
      if (std::vector<std::uint8_t>(mu->begin(), mu->end()) != hex_field(t, "mu")) {
        return "mu differs";
      }
    }
    if (sig != expected_sig) return "signature differs";
    if (pk != nullptr && !verify(*pk, msg, ctx, sig).ok()) return "own signature does not verify";
    return "";
  }
  // "Internal" cases: no message, sign the given mu (external mu).
  const auto m = hex_field(t, "mu");
  Mu mu{};
  if (m.size() != mu.size()) return "mu is not 64 bytes";
  std::copy(m.begin(), m.end(), mu.begin());
  sig = sign_mu(sk, mu, rnd);
  if (!valid) return "an invalid case without a message cannot be run";
  if (sig != expected_sig) return "signature (from mu) differs";
  if (pk != nullptr && !verify_mu(*pk, mu, sig).ok()) return "own signature does not verify";
  return "";
}

class MlDsaWycheproofTest : public ::testing::TestWithParam<FileCase> {
 protected:
  void SetUp() override {
    if (!pqbpf::testing::have_shared()) GTEST_SKIP() << "PQBPF_HAVE_SHARED is not ON";
  }
};

// --- sign_seed --------------------------------------------------------------

class MlDsaWycheproofSignSeedTest : public MlDsaWycheproofTest {};

TEST_P(MlDsaWycheproofSignSeedTest, EveryCaseGivesTheStatedResult) {
  const FileCase fc = GetParam();
  auto file = load(fc.file);
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ((*file)["algorithm"].get<std::string>(), parameter_set_name(fc.set));
  Tally tally(fc.file);
  for (const auto& g : (*file)["testGroups"]) {
    const auto seed = hex_field(g, "privateSeed");
    auto kp = key_pair_from_seed(fc.set, seed);
    const auto want_pk = hex_field(g, "publicKey");
    const bool pk_matches =
        kp.ok() && std::equal(want_pk.begin(), want_pk.end(), kp->public_key.bytes().begin(),
                              kp->public_key.bytes().end());
    for (const auto& t : g["tests"]) {
      if (!kp.ok()) {
        // Only a seed of the wrong length is refused.
        tally.check(!expect_valid(t), case_name(t) + ": seed refused: " + kp.error().message);
        continue;
      }
      if (!want_pk.empty() && !pk_matches) {
        tally.fail(case_name(t) + ": public key from the seed differs");
        continue;
      }
      const std::string err = run_sign_case(t, kp->private_key, &kp->public_key);
      tally.check(err.empty(), case_name(t) + ": " + err);
    }
  }
  tally.finish(expected_cases(*file));
}

INSTANTIATE_TEST_SUITE_P(
    Files, MlDsaWycheproofSignSeedTest,
    ::testing::Values(FileCase{"mldsa_44_sign_seed_test.json", ParameterSet::kMlDsa44},
                      FileCase{"mldsa_65_sign_seed_test.json", ParameterSet::kMlDsa65},
                      FileCase{"mldsa_87_sign_seed_test.json", ParameterSet::kMlDsa87}));

// --- sign_noseed ------------------------------------------------------------

class MlDsaWycheproofSignNoSeedTest : public MlDsaWycheproofTest {};

TEST_P(MlDsaWycheproofSignNoSeedTest, EveryCaseGivesTheStatedResult) {
  const FileCase fc = GetParam();
  auto file = load(fc.file);
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ((*file)["algorithm"].get<std::string>(), parameter_set_name(fc.set));
  Tally tally(fc.file);
  for (const auto& g : (*file)["testGroups"]) {
    auto sk = PrivateKey::parse(fc.set, hex_field(g, "privateKey"));
    std::optional<PublicKey> pk;
    if (!g["publicKey"].is_null()) {
      auto parsed = PublicKey::parse(fc.set, hex_field(g, "publicKey"));
      if (parsed.ok()) pk = std::move(*parsed);
    }
    for (const auto& t : g["tests"]) {
      if (!sk.ok()) {
        // Wrong length, or s1 / s2 coefficients out of range.
        tally.check(!expect_valid(t), case_name(t) + ": private key refused: " + sk.error().message);
        continue;
      }
      const std::string err = run_sign_case(t, *sk, pk ? &*pk : nullptr);
      tally.check(err.empty(), case_name(t) + ": " + err);
    }
  }
  tally.finish(expected_cases(*file));
}

INSTANTIATE_TEST_SUITE_P(
    Files, MlDsaWycheproofSignNoSeedTest,
    ::testing::Values(FileCase{"mldsa_44_sign_noseed_test.json", ParameterSet::kMlDsa44},
                      FileCase{"mldsa_65_sign_noseed_test.json", ParameterSet::kMlDsa65},
                      FileCase{"mldsa_87_sign_noseed_test.json", ParameterSet::kMlDsa87}));

// --- verify -----------------------------------------------------------------

class MlDsaWycheproofVerifyTest : public MlDsaWycheproofTest {};

TEST_P(MlDsaWycheproofVerifyTest, EveryCaseGivesTheStatedResult) {
  const FileCase fc = GetParam();
  auto file = load(fc.file);
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ((*file)["algorithm"].get<std::string>(), parameter_set_name(fc.set));
  Tally tally(fc.file);
  for (const auto& g : (*file)["testGroups"]) {
    auto pk = PublicKey::parse(fc.set, hex_field(g, "publicKey"));
    for (const auto& t : g["tests"]) {
      const bool valid = expect_valid(t);
      if (!pk.ok()) {
        tally.check(!valid, case_name(t) + ": public key refused: " + pk.error().message);
        continue;
      }
      const Status s = verify(*pk, hex_field(t, "msg"), hex_field(t, "ctx"), hex_field(t, "sig"));
      tally.check(s.ok() == valid, case_name(t) + ": expected " + (valid ? "valid" : "invalid") +
                                       (s.ok() ? "" : ", got: " + s.error().message));
    }
  }
  tally.finish(expected_cases(*file));
}

INSTANTIATE_TEST_SUITE_P(
    Files, MlDsaWycheproofVerifyTest,
    ::testing::Values(FileCase{"mldsa_44_verify_test.json", ParameterSet::kMlDsa44},
                      FileCase{"mldsa_87_verify_test.json", ParameterSet::kMlDsa87}));

// The folder holds exactly the files above: a new file must be wired in.
TEST(MlDsaWycheproofFilesTest, EveryTestFileIsCovered) {
  if (!pqbpf::testing::have_shared()) GTEST_SKIP() << "PQBPF_HAVE_SHARED is not ON";
  int cases = 0;
  for (const char* f :
       {"mldsa_44_sign_seed_test.json", "mldsa_65_sign_seed_test.json",
        "mldsa_87_sign_seed_test.json", "mldsa_44_sign_noseed_test.json",
        "mldsa_65_sign_noseed_test.json", "mldsa_87_sign_noseed_test.json",
        "mldsa_44_verify_test.json", "mldsa_87_verify_test.json"}) {
    auto file = load(f);
    ASSERT_TRUE(file.has_value());
    cases += count_cases(*file);
  }
  EXPECT_EQ(cases, 928);
}

}  // namespace
}  // namespace pqbpf::crypto::mldsa

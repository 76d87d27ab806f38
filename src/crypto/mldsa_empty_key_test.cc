// Issue 11.11: signing with an empty (moved-from) private key used to read
// past the key's bytes (undefined behaviour); now it fails closed.
#include <gtest/gtest.h>

#include <array>
#include <utility>
#include <vector>

#include "pqbpf/crypto/mldsa.h"

namespace pqbpf::crypto::mldsa {
namespace {

TEST(MlDsaEmptyKey, SignWithMovedFromPrivateKeyFailsClosed) {
  for (auto set : {ParameterSet::kMlDsa44, ParameterSet::kMlDsa65, ParameterSet::kMlDsa87}) {
    std::array<std::uint8_t, kSeedSize> seed{};
    seed.fill(7);
    KeyPair kp = generate_key_pair(set, seed);
    PrivateKey taken = std::move(kp.private_key);
    const std::vector<std::uint8_t> msg = {1, 2, 3};
    // NOLINTNEXTLINE(bugprone-use-after-move): the point of the test.
    auto sig = sign(kp.private_key, msg, {}, SigningMode::kDeterministic);
    ASSERT_FALSE(sig.ok()) << parameter_set_name(set);
    EXPECT_EQ(sig.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(sig.error().message.find("empty"), std::string::npos) << sig.error().message;
    const std::array<std::uint8_t, kRandomnessSize> rnd{};
    EXPECT_TRUE(sign_internal(kp.private_key, msg, rnd).empty());
    Mu mu{};
    EXPECT_TRUE(sign_mu(kp.private_key, mu, rnd).empty());
    // The key it moved into still signs.
    auto good = sign(taken, msg, {}, SigningMode::kDeterministic);
    ASSERT_TRUE(good.ok());
    EXPECT_TRUE(verify(kp.public_key, msg, {}, *good).ok());
  }
}

}  // namespace
}  // namespace pqbpf::crypto::mldsa

// Key purposes: a key signs objects or the audit log, never both, and only
// what its capabilities say.
#include "pqbpf/core/key_purpose.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "identity_test_util.h"

namespace pqbpf {
namespace {

Identity identity_with(std::vector<std::string> capabilities) {
  auto id = Identity::from_seed(test_util::test_seed(), "k", std::move(capabilities), "2026-11-29T12:00:00Z");
  EXPECT_TRUE(id.ok()) << id.error().message;
  return std::move(id).value();
}

TEST(KeyPurpose, SigningKeySignsObjectsOnly) {
  const Identity id = identity_with({"sign"});
  EXPECT_TRUE(check_key_purpose(id, KeyPurpose::kSignObjects).ok());
  const Status log = check_key_purpose(id, KeyPurpose::kSignLog);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.error().code, ErrorCode::kPermission);
  EXPECT_NE(log.error().message.find("may not sign the audit log: it is a key to sign BPF objects"),
            std::string::npos)
      << log.error().message;
  EXPECT_NE(log.error().message.find(id.did().str()), std::string::npos);
}

TEST(KeyPurpose, LogKeySignsTheLogOnly) {
  const Identity id = identity_with({"log"});
  EXPECT_TRUE(check_key_purpose(id, KeyPurpose::kSignLog).ok());
  const Status objects = check_key_purpose(id, KeyPurpose::kSignObjects);
  ASSERT_FALSE(objects.ok());
  EXPECT_EQ(objects.error().code, ErrorCode::kPermission);
  EXPECT_NE(objects.error().message.find("may not sign BPF objects: it is a key to sign the audit log"),
            std::string::npos)
      << objects.error().message;
}

TEST(KeyPurpose, KeyWithoutEitherCapabilitySignsNothing) {
  for (const auto& caps : {std::vector<std::string>{}, std::vector<std::string>{"deploy", "ci:prod"}}) {
    const Identity id = identity_with(caps);
    const Status objects = check_key_purpose(id, KeyPurpose::kSignObjects);
    ASSERT_FALSE(objects.ok());
    EXPECT_NE(objects.error().message.find("lacks the capability 'sign'"), std::string::npos)
        << objects.error().message;
    const Status log = check_key_purpose(id, KeyPurpose::kSignLog);
    ASSERT_FALSE(log.ok());
    EXPECT_NE(log.error().message.find("lacks the capability 'log'"), std::string::npos) << log.error().message;
  }
}

TEST(KeyPurpose, OtherCapabilitiesBesideThePurposeAreFine) {
  EXPECT_TRUE(check_key_purpose(identity_with({"deploy", "sign"}), KeyPurpose::kSignObjects).ok());
  EXPECT_TRUE(check_key_purpose(identity_with({"log", "rotate"}), KeyPurpose::kSignLog).ok());
}

TEST(KeyPurpose, NewKeyMayNotHaveBothPurposes) {
  auto both = Identity::create("both", {"sign", "log"});
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(both.error().message.find("both capabilities 'sign' and 'log'"), std::string::npos);
}

TEST(KeyPurpose, LoadedKeyWithBothPurposesSignsNothing) {
  // Key files written before the rule (or by hand) may list both.
  const Identity id = identity_with({"sign", "log"});
  EXPECT_FALSE(check_key_purpose(id, KeyPurpose::kSignObjects).ok());
  EXPECT_FALSE(check_key_purpose(id, KeyPurpose::kSignLog).ok());
}

}  // namespace
}  // namespace pqbpf

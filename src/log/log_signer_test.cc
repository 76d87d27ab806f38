// LogSigner construction checks and checkpoint signature verification.
#include "pqbpf/log/log_signer.h"

#include <array>
#include <gtest/gtest.h>

#include "log_test_util.h"
#include "pqbpf/core/base64.h"

namespace pqbpf::log {
namespace {

namespace mldsa = crypto::mldsa;

CheckpointBody body_for(const LogSigner& signer) {
  CheckpointBody b;
  b.seq = 11;
  b.time = "2026-11-29T12:00:00.000000000Z";
  b.host = "h";
  b.count = 10;
  b.signer = signer.did().str();
  b.prev = std::string(64, 'e');
  return b;
}

Result<LogRecord> signed_record(const LogSigner& signer, const CheckpointBody& b) {
  auto sig = signer.sign_checkpoint(b);
  if (!sig.ok()) return sig.error();
  return parse_record(serialize_checkpoint_line(b, base64_encode(*sig)), "t");
}

TEST(LogSignerTest, CreateWithKeysOfDifferentPairsFails) {
  auto a = testing::test_key_pair(1);
  auto b = testing::test_key_pair(2);
  auto s = LogSigner::create(a.private_key, b.public_key);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
}

TEST(LogSignerTest, CreateWithMlDsa44KeyFails) {
  std::array<std::uint8_t, mldsa::kSeedSize> seed{};
  auto kp = mldsa::generate_key_pair(mldsa::ParameterSet::kMlDsa44, seed);
  EXPECT_FALSE(LogSigner::create(kp.private_key, kp.public_key).ok());
}

TEST(LogSignerTest, SignedCheckpointVerifiesUnderItsKeyOnly) {
  const LogSigner signer = testing::test_signer();
  auto rec = signed_record(signer, body_for(signer));
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  EXPECT_TRUE(verify_checkpoint(*rec, signer.public_key(), "t").ok());
  auto other = verify_checkpoint(*rec, testing::test_public_key(9), "t");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kRejected);
}

TEST(LogSignerTest, CheckpointWithWrongCountFails) {
  const LogSigner signer = testing::test_signer();
  CheckpointBody b = body_for(signer);
  b.count = 9;
  auto rec = signed_record(signer, b);
  ASSERT_TRUE(rec.ok());
  EXPECT_FALSE(verify_checkpoint(*rec, signer.public_key(), "t").ok());
}

TEST(LogSignerTest, SignCheckpointForAnotherDidFails) {
  const LogSigner signer = testing::test_signer();
  CheckpointBody b = body_for(signer);
  b.signer = "did:pqaid:" + std::string(64, '0');
  EXPECT_FALSE(signer.sign_checkpoint(b).ok());
}

TEST(LogSignerTest, ChangedBodyFieldBreaksTheSignature) {
  const LogSigner signer = testing::test_signer();
  auto rec = signed_record(signer, body_for(signer));
  ASSERT_TRUE(rec.ok());
  LogRecord changed = *rec;
  changed.host = "other";
  EXPECT_FALSE(verify_checkpoint(changed, signer.public_key(), "t").ok());
  changed = *rec;
  changed.trigger = CheckpointTrigger::kClose;
  EXPECT_FALSE(verify_checkpoint(changed, signer.public_key(), "t").ok());
}

}  // namespace
}  // namespace pqbpf::log

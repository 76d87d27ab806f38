// The gate's decision path reads each input once: the envelope hash in the
// record is of the bytes that were verified, and the caller gets the verified
// object bytes to load (issue 11, item 7).
#include "pqbpf/gate/load_check.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "attest_test_util.h"
#include "pqbpf/crypto/sha3.h"
#include "pqbpf/log/log_reader.h"

namespace pqbpf::gate {
namespace {

using namespace pqbpf::testing;

// Counts the opens of one file while it lives (inotify IN_OPEN).
class OpenCounter {
 public:
  explicit OpenCounter(const std::string& path) : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    EXPECT_GE(fd_, 0);
    EXPECT_GE(::inotify_add_watch(fd_, path.c_str(), IN_OPEN), 0) << path;
  }
  ~OpenCounter() { ::close(fd_); }
  int count() {
    int opens = 0;
    alignas(inotify_event) char buf[4096];
    for (;;) {
      const ssize_t n = ::read(fd_, buf, sizeof(buf));
      if (n <= 0) break;
      for (ssize_t at = 0; at < n;) {
        const auto* event = reinterpret_cast<const inotify_event*>(buf + at);
        if (event->mask & IN_OPEN) ++opens;
        at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      }
    }
    return opens;
  }

 private:
  int fd_;
};

class LoadCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const BPFSigner s = signer(7);
    signer_did_ = s.did();
    const auto signed_program = sign_ok(s, program("attest_kprobe"), fixed_time_options());
    object_ = object_bytes("attest_kprobe");
    envelope_text_ = signed_program.to_json();
    envelope_path_ = dir_.file("p.bpf.o.sig.json");
    object_path_ = dir_.file("p.bpf.o");
    write_text(envelope_path_, envelope_text_);
    write_bytes(object_path_, object_);
    policy_.add_rule({.program_types = {BPFProgramType::kKprobe}, .allowed_signers = {signer_did_}});
  }

  std::span<const std::uint8_t> envelope_bytes() const {
    return {reinterpret_cast<const std::uint8_t*>(envelope_text_.data()), envelope_text_.size()};
  }

  ScratchDir dir_;
  Did signer_did_ = Did::from_public_key(key_pair(7).public_key);
  std::vector<std::uint8_t> object_;
  std::string envelope_text_;
  std::string envelope_path_;
  std::string object_path_;
  policy::LoadPolicy policy_;
};

TEST_F(LoadCheckTest, CheckReadsEnvelopeAndObjectOnceEach) {
  OpenCounter envelope_opens(envelope_path_);
  OpenCounter object_opens(object_path_);
  CheckRequest request{.envelope_path = envelope_path_};
  const CheckOutcome outcome = check_load_attempt(request, policy_, nullptr);
  ASSERT_EQ(outcome.decision, Decision::kAllow) << outcome.sentence;
  EXPECT_EQ(envelope_opens.count(), 1);
  EXPECT_EQ(object_opens.count(), 1);
}

TEST_F(LoadCheckTest, AllowedCheckHandsBackTheVerifiedObjectAndEnvelopeHash) {
  CheckRequest request{.envelope_path = envelope_path_};
  const CheckOutcome outcome = check_load_attempt(request, policy_, nullptr);
  ASSERT_EQ(outcome.decision, Decision::kAllow) << outcome.sentence;
  EXPECT_EQ(outcome.verification.object, object_);
  EXPECT_EQ(outcome.envelope_sha3_256, crypto::to_hex(crypto::sha3_256(envelope_bytes())));
}

TEST_F(LoadCheckTest, BytesEntryPointJudgesOnlyTheGivenBuffers) {
  // The files on disk are replaced by garbage: the in-memory path never reads them.
  write_text(envelope_path_, "garbage");
  write_text(object_path_, "garbage");
  CheckBytesRequest request{.envelope = envelope_bytes(), .envelope_label = "mem-envelope",
                            .object = std::span<const std::uint8_t>(object_), .object_label = "mem-object"};
  const CheckOutcome outcome = check_load_bytes(request, policy_, nullptr);
  ASSERT_EQ(outcome.decision, Decision::kAllow) << outcome.sentence;
  EXPECT_EQ(outcome.verification.object, object_);
  EXPECT_EQ(outcome.envelope_sha3_256, crypto::to_hex(crypto::sha3_256(envelope_bytes())));
}

TEST_F(LoadCheckTest, BytesEntryPointDeniesATamperedObject) {
  std::vector<std::uint8_t> tampered = object_;
  tampered[tampered.size() / 2] ^= 0x01;
  CheckBytesRequest request{.envelope = envelope_bytes(), .object = std::span<const std::uint8_t>(tampered)};
  const CheckOutcome outcome = check_load_bytes(request, policy_, nullptr);
  EXPECT_EQ(outcome.decision, Decision::kDeny);
  EXPECT_EQ(outcome.reason, ReasonCode::kHashMismatch);
  EXPECT_TRUE(outcome.verification.object.empty());
}

TEST_F(LoadCheckTest, RecordCarriesTheHashOfTheVerifiedEnvelope) {
  auto log_key = key_pair(9);
  auto log_signer = log::LogSigner::create(log_key.private_key, log_key.public_key);
  ASSERT_TRUE(log_signer.ok());
  const std::string log_path = dir_.file("audit.log");
  auto writer = log::LogWriter::open(log_path, std::move(log_signer).value());
  ASSERT_TRUE(writer.ok()) << writer.error().message;
  CheckRequest request{.envelope_path = envelope_path_};
  const CheckOutcome outcome = check_load_attempt(request, policy_, writer->get());
  ASSERT_EQ(outcome.decision, Decision::kAllow) << outcome.sentence;
  ASSERT_TRUE((*writer)->close().ok());
  auto records = log::read_records(log_path);
  ASSERT_TRUE(records.ok()) << records.error().message;
  ASSERT_FALSE(records->empty());
  const log::LogRecord& record = records->front();
  ASSERT_TRUE(record.envelope_sha3_256.has_value());
  EXPECT_EQ(*record.envelope_sha3_256, crypto::to_hex(crypto::sha3_256(envelope_bytes())));
}

}  // namespace
}  // namespace pqbpf::gate

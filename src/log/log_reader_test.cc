// read_records filters and the text form; AttestationLog in both modes.
#include "pqbpf/log/log_reader.h"

#include <gtest/gtest.h>

#include "log_test_util.h"
#include "pqbpf/log/attestation_log.h"
#include "pqbpf/log/log_verify.h"
#include "pqbpf/log/log_writer.h"

namespace pqbpf::log {
namespace {

using testing::sample_attempt;
using testing::TempDir;
using testing::test_public_key;
using testing::test_signer;

class LogReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("audit.log");
    auto w = LogWriter::open(path_, test_signer());
    ASSERT_TRUE(w.ok());
    for (int i = 0; i < 6; ++i) {
      AttemptRecord a = sample_attempt("p" + std::to_string(i),
                                       i % 2 ? Decision::kDeny : Decision::kAllow);
      if (i == 5) a.signer = "did:pqaid:" + std::string(64, 'f');
      ASSERT_TRUE((*w)->append(a).ok());
    }
    ASSERT_TRUE((*w)->close().ok());
  }
  TempDir dir_;
  std::string path_;
};

TEST_F(LogReaderTest, NoFilterReturnsAttemptsOnlyOldestFirst) {
  auto r = read_records(path_);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 6u);
  EXPECT_EQ(*r->front().program, "p0");
}

TEST_F(LogReaderTest, DecisionSignerAndLimitFiltersCombine) {
  RecordFilter f;
  f.decision = Decision::kDeny;
  auto deny = read_records(path_, f);
  ASSERT_TRUE(deny.ok());
  EXPECT_EQ(deny->size(), 3u);
  f.signer = "did:pqaid:" + std::string(64, 'f');
  auto one = read_records(path_, f);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(*one->front().program, "p5");
  RecordFilter newest;
  newest.limit = 2;
  auto last = read_records(path_, newest);
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(last->size(), 2u);
  EXPECT_EQ(*(*last)[0].program, "p4");
  EXPECT_EQ(*(*last)[1].program, "p5");
}

TEST_F(LogReaderTest, SinceInTheFutureMatchesNothingAndInThePastEverything) {
  RecordFilter f;
  f.since_ns = *parse_rfc3339_ns("2200-01-01");
  EXPECT_TRUE(read_records(path_, f)->empty());
  f.since_ns = *parse_rfc3339_ns("2000-01-01");
  EXPECT_EQ(read_records(path_, f)->size(), 6u);
}

TEST_F(LogReaderTest, TextFormShowsDecisionReasonProgramAndNoControlCharacters) {
  RecordFilter f;
  f.include_checkpoints = true;
  auto r = read_records(path_, f);
  ASSERT_TRUE(r.ok());
  const std::string text = format_record_text((*r)[1]);
  EXPECT_NE(text.find("#2 deny untrusted_signer load program=p1 [kprobe]"), std::string::npos)
      << text;
  const std::string cp = format_record_text(r->back());
  EXPECT_NE(cp.find("checkpoint (close) count=6"), std::string::npos) << cp;
  LogRecord hostile = (*r)[0];
  hostile.program = "evil\x1b[2Jname";
  EXPECT_EQ(format_record_text(hostile).find('\x1b'), std::string::npos);
}

TEST(AttestationLogTest, MemoryModeKeepsSeedApi) {
  AttestationLog log;
  ASSERT_TRUE(log.log(sample_attempt("a"), Decision::kAllow, ReasonCode::kAllowed, "ok",
                      Actor::named("admission-controller"))
                  .ok());
  ASSERT_TRUE(log.log(sample_attempt("b"), Decision::kDeny, ReasonCode::kUntrustedSigner,
                      "not allowed", Actor::named("admission-controller"))
                  .ok());
  auto all = log.entries();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].prev, crypto::to_hex(record_hash((*all)[0].line)));
  EXPECT_EQ((*all)[0].actor.name, "admission-controller");
  auto denied = log.entries(0, Decision::kDeny);
  ASSERT_TRUE(denied.ok());
  ASSERT_EQ(denied->size(), 1u);
  EXPECT_EQ(*denied->front().program, "b");
}

TEST(AttestationLogTest, MemoryModeRefusesPastCapacityInsteadOfDropping) {
  AttestationLog log(2);
  ASSERT_TRUE(log.log(sample_attempt("a")).ok());
  ASSERT_TRUE(log.log(sample_attempt("b")).ok());
  auto third = log.log(sample_attempt("c"));
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, ErrorCode::kLimitExceeded);
  auto all = log.entries();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
  EXPECT_EQ(*all->front().program, "a");
}

TEST(AttestationLogTest, FileModeWritesAVerifiableLogAndReadsItBack) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  auto log = AttestationLog::open(path, test_signer());
  ASSERT_TRUE(log.ok()) << log.error().message;
  EXPECT_TRUE(log->persistent());
  ASSERT_TRUE(log->log(sample_attempt("a", Decision::kDeny)).ok());
  ASSERT_TRUE(log->log(sample_attempt("b", Decision::kAllow)).ok());
  auto last = log->entries(1);
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(last->size(), 1u);
  EXPECT_EQ(*last->front().program, "b");
  ASSERT_TRUE(log->close().ok());
  VerifyOptions strict;
  strict.require_closed = true;
  EXPECT_TRUE(verify_log(path, test_public_key(), strict).ok());
}

}  // namespace
}  // namespace pqbpf::log

// Tamper tests: every kind of edit to a closed log, and what verify says.
#include "pqbpf/log/log_verify.h"

#include <cstdio>
#include <gtest/gtest.h>
#include <unistd.h>

#include "log_test_util.h"
#include "pqbpf/log/log_files.h"
#include "pqbpf/log/log_writer.h"
#include "pqbpf/crypto/sha3.h"

namespace pqbpf::log {
namespace {

using testing::read_all;
using testing::sample_attempt;
using testing::TempDir;
using testing::test_public_key;
using testing::test_signer;

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  testing::write_all_text(path, text);
}

void replace_once(std::string& s, const std::string& from, const std::string& to) {
  const auto p = s.find(from);
  ASSERT_NE(p, std::string::npos) << from;
  s.replace(p, from.size(), to);
}

class LogVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("audit.log");
    LogOptions o;
    o.checkpoint_every = 10;
    auto w = LogWriter::open(path_, test_signer(), o);
    ASSERT_TRUE(w.ok()) << w.error().message;
    // seq 1-10 attempts, 11 checkpoint, 12-20 attempts, 21 checkpoint,
    // 22-27 attempts (p19..p24), 28 close checkpoint.
    for (int i = 0; i < 25; ++i) ASSERT_TRUE((*w)->append(sample_attempt("p" + std::to_string(i))).ok());
    ASSERT_TRUE((*w)->close().ok());
    lines_ = split_lines(read_all(path_));
    ASSERT_EQ(lines_.size(), 28u);
  }

  Result<VerifyReport> verify(bool require_closed = false) {
    VerifyOptions o;
    o.require_closed = require_closed;
    return verify_log(path_, test_public_key(), o);
  }

  void expect_rejected(const std::vector<std::string>& needles, bool require_closed = false) {
    auto r = verify(require_closed);
    ASSERT_FALSE(r.ok()) << "tampering not detected";
    EXPECT_EQ(r.error().code, ErrorCode::kRejected);
    for (const auto& n : needles) {
      EXPECT_NE(r.error().message.find(n), std::string::npos)
          << "'" << n << "' not in: " << r.error().message;
    }
  }

  TempDir dir_;
  std::string path_;
  std::vector<std::string> lines_;
};

TEST_F(LogVerifyTest, UntouchedClosedLogVerifiesStrictly) {
  auto r = verify(true);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->records, 28u);
  EXPECT_EQ(r->attempts, 25u);
  EXPECT_EQ(r->checkpoints, 3u);
  EXPECT_TRUE(r->closed);
  EXPECT_TRUE(r->warnings.empty());
}

TEST_F(LogVerifyTest, ModifiedRecordFailsNamingTheRecordAfterIt) {
  replace_once(lines_[4], "\"decision\":\"allow\"", "\"decision\":\"deny\"");
  write_lines(path_, lines_);
  expect_rejected({"audit.log:6: seq 6", "audit.log:5", "modified"});
}

TEST_F(LogVerifyTest, RemovedRecordFailsWithSeqGap) {
  lines_.erase(lines_.begin() + 6);
  write_lines(path_, lines_);
  expect_rejected({"audit.log:7: seq 8", "7 was expected", "removed"});
}

TEST_F(LogVerifyTest, InsertedRecordFails) {
  lines_.insert(lines_.begin() + 3, lines_[2]);
  write_lines(path_, lines_);
  expect_rejected({"audit.log:4: seq 3", "4 was expected"});
}

TEST_F(LogVerifyTest, ReorderedRecordsFail) {
  std::swap(lines_[12], lines_[13]);
  write_lines(path_, lines_);
  expect_rejected({"audit.log:13: seq 14", "13 was expected"});
}

TEST_F(LogVerifyTest, EditWithRecomputedChainFailsAtTheNextCheckpoint) {
  // An editor without the log key rewrites every later prev: the chain is
  // consistent again, but the next checkpoint's signature no longer holds.
  replace_once(lines_[4], "\"decision\":\"allow\"", "\"decision\":\"deny\"");
  for (std::size_t i = 5; i < lines_.size(); ++i) {
    const std::string new_prev = crypto::to_hex(record_hash(lines_[i - 1]));
    const auto p = lines_[i].find("\"prev\":\"");
    ASSERT_NE(p, std::string::npos);
    lines_[i].replace(p + 8, 64, new_prev);
  }
  write_lines(path_, lines_);
  expect_rejected({"audit.log:11", "signature does not verify", "seq 11"});
}

TEST_F(LogVerifyTest, TruncationBackToIntervalCheckpointFailsWhenClosedRequired) {
  lines_.resize(21);  // ends with the interval checkpoint seq 21
  write_lines(path_, lines_);
  auto lenient = verify(false);
  ASSERT_TRUE(lenient.ok()) << lenient.error().message;
  EXPECT_FALSE(lenient->closed);
  ASSERT_FALSE(lenient->warnings.empty());
  expect_rejected({"without a closing checkpoint"}, true);
}

TEST_F(LogVerifyTest, CutCloseCheckpointLeavesUnsealedRecordsReported) {
  lines_.resize(25);
  write_lines(path_, lines_);
  auto r = verify(false);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->unsealed, 4u);
  EXPECT_EQ(r->last_checkpoint_seq, 21u);
  expect_rejected({"4 record(s) after seq 21"}, true);
}

TEST_F(LogVerifyTest, TruncationToEarlierClosedStateFailsAgainstWitness) {
  // Session 1 closes at seq 28; session 2 appends and closes again. Cutting
  // the log back to seq 28 leaves a valid closed log: only a witness of the
  // later head catches it.
  auto w = LogWriter::open(path_, test_signer());
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->append(sample_attempt("session2")).ok());
  ASSERT_TRUE((*w)->close().ok());
  auto full = verify(true);
  ASSERT_TRUE(full.ok());
  VerifyOptions witness;
  witness.require_closed = true;
  witness.witness_seq = full->last_seq;
  witness.witness_head_hex = full->head_hex;
  ASSERT_TRUE(verify_log(path_, test_public_key(), witness).ok());

  write_lines(path_, lines_);  // back to the end of session 1
  EXPECT_TRUE(verify(true).ok());
  auto r = verify_log(path_, test_public_key(), witness);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("witness saw seq 30"), std::string::npos) << r.error().message;
}

TEST_F(LogVerifyTest, RecordDifferingFromWitnessHashFails) {
  VerifyOptions witness;
  witness.witness_seq = 5;
  witness.witness_head_hex = std::string(64, '1');
  auto r = verify_log(path_, test_public_key(), witness);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("audit.log:5: seq 5"), std::string::npos) << r.error().message;
}

TEST_F(LogVerifyTest, RemovedFirstRecordFails) {
  lines_.erase(lines_.begin());
  write_lines(path_, lines_);
  expect_rejected({"audit.log:1: seq 2", "does not start"});
}

TEST_F(LogVerifyTest, CheckpointVerifiedWithAnotherKeyFailsNamingBothDids) {
  auto r = verify_log(path_, test_public_key(8));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("audit.log:11"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find(Did::from_public_key(test_public_key(8)).str()),
            std::string::npos);
  EXPECT_NE(r.error().message.find(Did::from_public_key(test_public_key(7)).str()),
            std::string::npos);
}

TEST_F(LogVerifyTest, ForgedCheckpointSignatureFails) {
  const auto p = lines_[10].find("\"sig\":\"");
  ASSERT_NE(p, std::string::npos);
  char& c = lines_[10][p + 20];
  c = c == 'A' ? 'B' : 'A';
  write_lines(path_, lines_);
  expect_rejected({"audit.log:11", "checkpoint signature"});
}

TEST_F(LogVerifyTest, GarbageLineInTheMiddleFails) {
  lines_[8] = "not json";
  write_lines(path_, lines_);
  expect_rejected({"audit.log:9", "unreadable record"});
}

// 11.9: a chain that no checkpoint by the supplied key covers (here: built
// without any key at all) verified as OK.
TEST(LogVerifyUnsealedTest, ForgedChainWithoutCheckpointIsNotOk) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  std::string text;
  std::string prev = zero_chain_hex();
  for (std::uint64_t seq = 1; seq <= 3; ++seq) {
    const std::string line = assemble_attempt_line(
        seq, "2026-12-01T00:00:00.000000000Z", "forger",
        serialize_attempt_body(sample_attempt("forged" + std::to_string(seq))), prev);
    prev = crypto::to_hex(record_hash(line));
    text += line + "\n";
  }
  testing::write_all_text(path, text);
  auto r = verify_log(path, test_public_key());
  ASSERT_FALSE(r.ok()) << "an unsigned chain verified as OK";
  EXPECT_EQ(r.error().code, ErrorCode::kRejected);
  EXPECT_NE(r.error().message.find("no checkpoint signed by the supplied key"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("3 record(s)"), std::string::npos) << r.error().message;
  // Accepted only on request, and then reported as 3 unsealed records.
  auto allowed = verify_log(path, test_public_key(), VerifyOptions{.allow_unsealed = true});
  ASSERT_TRUE(allowed.ok()) << allowed.error().message;
  EXPECT_EQ(allowed->checkpoints, 0u);
  EXPECT_EQ(allowed->unsealed, 3u);
}

TEST_F(LogVerifyTest, UnsealedTrailingRecordsAfterACheckpointAreCounted) {
  lines_.pop_back();  // the close checkpoint: 6 records after seq 21 remain
  write_lines(path_, lines_);
  auto r = verify();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->unsealed, 6u);
  EXPECT_EQ(r->last_checkpoint_seq, 21u);
}

class RotatedLogVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("audit.log");
    LogOptions o;
    o.rotate_bytes = 3000;
    auto w = LogWriter::open(path_, test_signer(), o);
    ASSERT_TRUE(w.ok()) << w.error().message;
    for (int i = 0; i < 30; ++i) ASSERT_TRUE((*w)->append(sample_attempt("p" + std::to_string(i))).ok());
    ASSERT_TRUE((*w)->close().ok());
    auto files = list_log_files(path_);
    ASSERT_TRUE(files.ok());
    ASSERT_GE(files->size(), 4u);
    ASSERT_TRUE(verify_log(path_, test_public_key()).ok());
  }
  TempDir dir_;
  std::string path_;
};

TEST_F(RotatedLogVerifyTest, RemovedMiddleFileFails) {
  ASSERT_EQ(std::remove(rotated_file_path(path_, 2).c_str()), 0);
  auto r = verify_log(path_, test_public_key());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("audit.log.3:1"), std::string::npos) << r.error().message;
}

TEST_F(RotatedLogVerifyTest, RemovedOldestFileFails) {
  ASSERT_EQ(std::remove(rotated_file_path(path_, 1).c_str()), 0);
  auto r = verify_log(path_, test_public_key());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("does not start"), std::string::npos) << r.error().message;
}

TEST_F(RotatedLogVerifyTest, TruncatedRotatedFileFails) {
  const std::string p1 = rotated_file_path(path_, 1);
  auto lines = split_lines(read_all(p1));
  lines.pop_back();  // drop its rotation checkpoint
  write_lines(p1, lines);
  auto r = verify_log(path_, test_public_key());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("does not end with a rotation checkpoint"), std::string::npos)
      << r.error().message;
}

// 11.4a: after a rotation, deleting the current file (and the newest rotated
// ones) left a shorter log that still verified. A rotation checkpoint must
// have its successor.
TEST_F(RotatedLogVerifyTest, DeletedCurrentFileAfterRotationFails) {
  ASSERT_EQ(std::remove(path_.c_str()), 0);
  auto r = verify_log(path_, test_public_key());
  ASSERT_FALSE(r.ok()) << "deleting the current file went unnoticed";
  EXPECT_EQ(r.error().code, ErrorCode::kRejected);
  EXPECT_NE(r.error().message.find("successor"), std::string::npos) << r.error().message;
}

TEST_F(RotatedLogVerifyTest, DeletedCurrentAndNewestRotatedFilesFail) {
  auto files = list_log_files(path_);
  ASSERT_TRUE(files.ok());
  const std::uint64_t newest = (*files)[files->size() - 2].index;
  ASSERT_EQ(std::remove(path_.c_str()), 0);
  ASSERT_EQ(std::remove(rotated_file_path(path_, newest).c_str()), 0);
  auto r = verify_log(path_, test_public_key());
  ASSERT_FALSE(r.ok()) << "deleting the newest files went unnoticed";
  EXPECT_NE(r.error().message.find(rotated_file_path(path_, newest - 1)), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("is missing"), std::string::npos) << r.error().message;
}

// The review's attack: with a rotated log, `rm audit.log; ln -s audit.log.N
// audit.log` made the newest rotated file pass for the current one, so
// verify said OK (closed, even with require_closed) without the records
// that followed it. The writer never creates a symlink; verify refuses one.
TEST_F(RotatedLogVerifyTest, CurrentFileSymlinkedToNewestRotatedFileFails) {
  auto files = list_log_files(path_);
  ASSERT_TRUE(files.ok());
  const std::uint64_t newest = (*files)[files->size() - 2].index;
  ASSERT_EQ(std::remove(path_.c_str()), 0);
  const std::string target = "audit.log." + std::to_string(newest);  // relative, as with ln -s
  ASSERT_EQ(::symlink(target.c_str(), path_.c_str()), 0);
  for (const bool require_closed : {false, true}) {
    auto r = verify_log(path_, test_public_key(), VerifyOptions{.require_closed = require_closed});
    ASSERT_FALSE(r.ok()) << "a symlink to the newest rotated file passed for the current file";
    EXPECT_EQ(r.error().code, ErrorCode::kRejected);
    EXPECT_EQ(r.error().message.rfind(path_ + ": ", 0), 0u) << r.error().message;
    EXPECT_NE(r.error().message.find("symbolic link"), std::string::npos) << r.error().message;
  }
}

TEST_F(RotatedLogVerifyTest, RotatedFileSymlinkFails) {
  const std::string rotated = rotated_file_path(path_, 2);
  const std::string moved = dir_.file("elsewhere");
  ASSERT_EQ(::rename(rotated.c_str(), moved.c_str()), 0);
  ASSERT_EQ(::symlink(moved.c_str(), rotated.c_str()), 0);
  auto r = verify_log(path_, test_public_key());
  ASSERT_FALSE(r.ok()) << "a symlinked rotated file was followed";
  EXPECT_EQ(r.error().code, ErrorCode::kRejected);
  EXPECT_EQ(r.error().message.rfind(rotated + ": ", 0), 0u) << r.error().message;
  EXPECT_NE(r.error().message.find("symbolic link"), std::string::npos) << r.error().message;
}

// The hard-link variant leaves exactly what a crash between the link and
// the swap of a rotation leaves (which verify must keep accepting), so it is
// only a warning that says a witness is needed, and the witness refuses it.
TEST_F(RotatedLogVerifyTest, CurrentFileHardLinkedToNewestRotatedFileIsCaughtByTheWitness) {
  auto full = verify_log(path_, test_public_key());
  ASSERT_TRUE(full.ok()) << full.error().message;
  VerifyOptions witness;
  witness.witness_seq = full->last_seq;
  witness.witness_head_hex = full->head_hex;
  witness.witness_file = "audit.log.witness";
  auto files = list_log_files(path_);
  ASSERT_TRUE(files.ok());
  const std::string newest = (*files)[files->size() - 2].path;
  ASSERT_EQ(std::remove(path_.c_str()), 0);
  ASSERT_EQ(::link(newest.c_str(), path_.c_str()), 0);

  auto lenient = verify_log(path_, test_public_key());
  ASSERT_TRUE(lenient.ok()) << lenient.error().message;
  EXPECT_LT(lenient->last_seq, full->last_seq);
  ASSERT_FALSE(lenient->warnings.empty());
  EXPECT_NE(lenient->warnings.front().find("only a witness"), std::string::npos)
      << lenient->warnings.front();

  // A real crash there leaves a witness no later than that file's rotation
  // checkpoint, which the log still holds.
  VerifyOptions crash_witness;
  crash_witness.witness_seq = lenient->last_seq;
  crash_witness.witness_head_hex = lenient->head_hex;
  EXPECT_TRUE(verify_log(path_, test_public_key(), crash_witness).ok());

  auto against_witness = verify_log(path_, test_public_key(), witness);
  ASSERT_FALSE(against_witness.ok()) << "records cut after the newest rotated file went unseen";
  EXPECT_EQ(against_witness.error().code, ErrorCode::kRejected);
  EXPECT_NE(against_witness.error().message.find(
                "witness saw seq " + std::to_string(full->last_seq) + " (audit.log.witness)"),
            std::string::npos)
      << against_witness.error().message;
}

}  // namespace
}  // namespace pqbpf::log

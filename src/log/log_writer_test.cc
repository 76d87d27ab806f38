// LogWriter on real files: chain, checkpoints, close, reopen, torn-tail
// recovery, rotation, the fail-closed helper (batch group commit:
// group_commit_test.cc).
#include "pqbpf/log/log_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <filesystem>
#include <set>
#include <sys/file.h>
#include <chrono>
#include <thread>
#include <unistd.h>

#include "log_test_util.h"
#include "pqbpf/log/log_files.h"
#include "pqbpf/log/log_reader.h"
#include "pqbpf/log/log_verify.h"
#include "pqbpf/log/witness.h"
#include "pqbpf/crypto/sha3.h"

namespace pqbpf::log {
namespace {

using testing::read_all;
using testing::sample_attempt;
using testing::TempDir;
using testing::test_public_key;
using testing::test_signer;

std::unique_ptr<LogWriter> open_writer(const std::string& path, LogOptions options = {}) {
  auto w = LogWriter::open(path, test_signer(), options);
  EXPECT_TRUE(w.ok()) << w.error().message;
  return std::move(w).value();
}

std::vector<LogRecord> all_records(const std::string& path) {
  RecordFilter f;
  f.include_checkpoints = true;
  auto r = read_records(path, f);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : std::vector<LogRecord>{};
}

TEST(LogWriterTest, AppendsFormAHashChainThatVerifies) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  auto w = open_writer(path);
  for (int i = 0; i < 5; ++i) {
    auto r = w->append(sample_attempt("p" + std::to_string(i)));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->seq, static_cast<std::uint64_t>(i + 1));
  }
  auto records = all_records(path);
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(records[0].prev, zero_chain_hex());
  for (std::size_t i = 1; i < records.size(); ++i) {
    EXPECT_EQ(records[i].prev, crypto::to_hex(record_hash(records[i - 1].line)));
  }
  // No checkpoint yet: the chain is valid but signed by nobody.
  EXPECT_FALSE(verify_log(path, test_public_key()).ok());
  auto report = verify_log(path, test_public_key(), VerifyOptions{.allow_unsealed = true});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->records, 5u);
  EXPECT_FALSE(report->closed);
  EXPECT_EQ(report->unsealed, 5u);
}

TEST(LogWriterTest, CloseAppendsSignedCloseCheckpoint) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  auto w = open_writer(path);
  ASSERT_TRUE(w->append(sample_attempt("a")).ok());
  ASSERT_TRUE(w->close().ok());
  auto records = all_records(path);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].kind, RecordKind::kCheckpoint);
  EXPECT_EQ(records[1].trigger, CheckpointTrigger::kClose);
  EXPECT_EQ(records[1].count, 1u);
  VerifyOptions strict;
  strict.require_closed = true;
  auto report = verify_log(path, test_public_key(), strict);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->closed);
  EXPECT_EQ(report->unsealed, 0u);
  EXPECT_FALSE(w->append(sample_attempt("late")).ok());
}

TEST(LogWriterTest, IntervalCheckpointFollowsEveryNthSeq) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  LogOptions o;
  o.checkpoint_every = 3;
  auto w = open_writer(path, o);
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(w->append(sample_attempt("p")).ok());
  auto records = all_records(path);
  // Attempts with seq 3, 6 and 9 are each followed by a checkpoint.
  std::vector<std::uint64_t> checkpoints;
  for (const auto& r : records) {
    if (r.kind == RecordKind::kCheckpoint) checkpoints.push_back(r.seq);
  }
  EXPECT_EQ(checkpoints, (std::vector<std::uint64_t>{4, 7, 10}));
  auto report = verify_log(path, test_public_key());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->checkpoints, 3u);
}

// The crash test found this: a log whose last record is an interval
// checkpoint still needs a close checkpoint, or verify cannot tell a clean
// close from a cut-off end.
TEST(LogWriterTest, CloseAfterAnIntervalCheckpointStillSealsTheLog) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  LogOptions o;
  o.checkpoint_every = 3;
  {
    LogOptions crashed = o;
    crashed.close_checkpoint = false;  // as if the process died right here
    auto w = open_writer(path, crashed);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(w->append(sample_attempt("p")).ok());
  }  // the log now ends in the interval checkpoint seq 4
  ASSERT_FALSE(verify_log(path, test_public_key(), VerifyOptions{.require_closed = true}).ok());
  auto w = open_writer(path, o);  // a clean writer that only recovers and closes
  ASSERT_TRUE(w->close().ok());
  VerifyOptions strict;
  strict.require_closed = true;
  auto report = verify_log(path, test_public_key(), strict);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->closed);
  EXPECT_EQ(report->last_seq, 5u);
}

TEST(LogWriterTest, ReopenContinuesTheChain) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  {
    auto w = open_writer(path);
    ASSERT_TRUE(w->append(sample_attempt("a")).ok());
  }
  auto w = open_writer(path);
  auto r = w->append(sample_attempt("b"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->seq, 3u);  // after the close checkpoint
  ASSERT_TRUE(w->close().ok());
  EXPECT_TRUE(verify_log(path, test_public_key()).ok());
}

TEST(LogWriterTest, OpenMovesTornTailAsideAndChainContinues) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  {
    LogOptions o;
    o.close_checkpoint = false;
    auto w = open_writer(path, o);
    ASSERT_TRUE(w->append(sample_attempt("a")).ok());
    ASSERT_TRUE(w->append(sample_attempt("b")).ok());
  }
  const std::string whole = read_all(path);
  const std::string torn = "{\"v\":1,\"seq\":3,\"kind\":\"att";
  {
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND);
    ASSERT_EQ(::write(fd, torn.data(), torn.size()), static_cast<ssize_t>(torn.size()));
    ::close(fd);
  }
  auto before = verify_log(path, test_public_key(), VerifyOptions{.allow_unsealed = true});
  ASSERT_TRUE(before.ok()) << before.error().message;
  EXPECT_EQ(before->torn_bytes, torn.size());

  auto w = open_writer(path);
  // The fragment went to .torn; the log keeps its records and says what
  // recovery moved in a `recovered` record (seq 3).
  const std::string now = read_all(path);
  EXPECT_EQ(now.substr(0, whole.size()), whole);
  const std::string side = read_all(torn_file_path(path));
  EXPECT_NE(side.find("\"length\":" + std::to_string(torn.size())), std::string::npos);
  auto records = all_records(path);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2].kind, RecordKind::kRecovered);
  EXPECT_EQ(records[2].recovered.torn_file, torn_file_path(path));
  EXPECT_EQ(records[2].recovered.offset, whole.size());
  EXPECT_EQ(records[2].recovered.length, torn.size());
  EXPECT_EQ(records[2].recovered.sha3_256, crypto::to_hex(crypto::sha3_256(torn)));
  auto r = w->append(sample_attempt("c"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->seq, 4u);
  ASSERT_TRUE(w->close().ok());
  auto after = verify_log(path, test_public_key());
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_EQ(after->torn_bytes, 0u);
  EXPECT_EQ(after->recovered, 1u);
}

TEST(LogWriterTest, PowerLossCutAnywhereInLastWriteKeepsEveryEarlierRecord) {
  // A power loss can persist any prefix of the last write. Cut a log at
  // many offsets inside its last group (an attempt and its checkpoint) and
  // reopen: everything before the cut survives, the chain continues.
  TempDir dir;
  const std::string path = dir.file("audit.log");
  LogOptions o;
  o.checkpoint_every = 4;
  o.close_checkpoint = false;
  {
    auto w = open_writer(path, o);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(w->append(sample_attempt("p" + std::to_string(i))).ok());
  }
  const std::string before = read_all(path);
  {
    auto w = open_writer(path, o);
    ASSERT_TRUE(w->append(sample_attempt("p3")).ok());  // seq 4 + checkpoint 5
  }
  const std::string full = read_all(path);
  ASSERT_GT(full.size(), before.size() + 4000);
  for (std::size_t cut = before.size(); cut < full.size(); cut += 397) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    testing::write_all_text(path, full.substr(0, cut));
    ::unlink(torn_file_path(path).c_str());
    // A power loss before the checkpoint's fsync returned: the witness was
    // never updated to it (the writer only writes it after the fsync).
    ::unlink(default_witness_path(path).c_str());
    auto w = open_writer(path, o);
    auto r = w->append(sample_attempt("after"));
    ASSERT_TRUE(r.ok()) << r.error().message;
    const std::string now = read_all(path);
    // Whatever whole records the cut left are kept, byte for byte.
    const std::size_t kept = full.rfind('\n', cut - 1) + 1;
    EXPECT_EQ(now.substr(0, kept), full.substr(0, kept));
    ASSERT_TRUE(w->close().ok());
    // close_checkpoint is off: a cut through the checkpoint leaves none.
    auto report = verify_log(path, test_public_key(), VerifyOptions{.allow_unsealed = true});
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_GE(report->attempts, 4u);
  }
}

TEST(LogWriterTest, TornFirstRecordLeavesAnEmptyLogThatStartsAtSeqOne) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  testing::write_all_text(path, "{\"v\":1,\"se");
  auto w = open_writer(path);
  auto r = w->append(sample_attempt("a"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->seq, 2u);  // seq 1 is the `recovered` record
  ASSERT_TRUE(w->close().ok());
  EXPECT_TRUE(verify_log(path, test_public_key()).ok());
  auto records = all_records(path);
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records[0].kind, RecordKind::kRecovered);
  EXPECT_EQ(records[0].prev, zero_chain_hex());
}

TEST(LogWriterTest, RotationSealsFilesAndChainContinuesAcrossThem) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  LogOptions o;
  o.rotate_bytes = 2000;
  auto w = open_writer(path, o);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(w->append(sample_attempt("p" + std::to_string(i))).ok());
  ASSERT_TRUE(w->close().ok());
  auto files = list_log_files(path);
  ASSERT_TRUE(files.ok());
  EXPECT_GE(files->size(), 3u);
  EXPECT_TRUE(files->back().current);
  for (std::size_t i = 0; i + 1 < files->size(); ++i) {
    EXPECT_EQ((*files)[i].index, i + 1);
    auto recs = read_records((*files)[i].path, {});  // a rotated file alone is not a log root
    (void)recs;
  }
  RecordFilter attempts_only;
  auto records = read_records(path, attempts_only);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(*(*records)[i].program, "p" + std::to_string(i));
  VerifyOptions strict;
  strict.require_closed = true;
  auto report = verify_log(path, test_public_key(), strict);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->files.size(), files->size());
  EXPECT_EQ(report->attempts, 20u);
}

// A rotation links the sealed file to its rotated name, then swaps an empty
// successor in over the current name. A crash between the two leaves one
// file under both names: it verifies (listed once) and the next writer
// finishes the rotation instead of rotating it a second time.
TEST(LogWriterTest, InterruptedRotationVerifiesAndIsFinishedByTheNextWriter) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  LogOptions o;
  o.rotate_bytes = 1;
  o.close_checkpoint = false;
  {
    auto w = open_writer(path, o);
    ASSERT_TRUE(w->append(sample_attempt("a")).ok());
    ASSERT_TRUE(w->append(sample_attempt("b")).ok());
  }
  ASSERT_EQ(read_all(path), "");
  // The state after the link, before the swap.
  ASSERT_EQ(::unlink(path.c_str()), 0);
  ASSERT_EQ(::link(rotated_file_path(path, 2).c_str(), path.c_str()), 0);
  auto mid = verify_log(path, test_public_key());
  ASSERT_TRUE(mid.ok()) << mid.error().message;
  EXPECT_EQ(mid->files.size(), 2u);
  EXPECT_EQ(mid->records, 4u);
  o.rotate_bytes = 0;
  o.close_checkpoint = true;
  auto w = open_writer(path, o);
  ASSERT_TRUE(w->append(sample_attempt("c")).ok());
  ASSERT_TRUE(w->close().ok());
  auto files = list_log_files(path);
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 3u);  // .1, .2 and the current file: no .3
  EXPECT_FALSE(std::filesystem::exists(rotated_file_path(path, 3)));
  auto report = verify_log(path, test_public_key(), VerifyOptions{.require_closed = true});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->records, 6u);
}

TEST(LogWriterTest, TwoWritersOnOneFileShareOneChain) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  auto a = open_writer(path);
  auto b = open_writer(path);
  for (int i = 0; i < 10; ++i) {
    auto ra = a->append(sample_attempt("a" + std::to_string(i)));
    auto rb = b->append(sample_attempt("b" + std::to_string(i)));
    ASSERT_TRUE(ra.ok() && rb.ok());
    EXPECT_EQ(rb->seq, ra->seq + 1);
  }
  ASSERT_TRUE(a->close().ok());
  ASSERT_TRUE(b->close().ok());
  auto report = verify_log(path, test_public_key());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->attempts, 20u);
}

// Lock lease: each writer has its own lock descriptor, so two writers in one
// process contend for the flock exactly like two processes. Every append of
// one must wait for the other's lease (released by its helper thread or at
// its bound), and the chain stays one chain with nothing lost.
TEST(LogWriterTest, LeasedWritersAlternatingKeepOneChainWithoutLoss) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  LogOptions o;
  o.durability = Durability::kNone;
  o.checkpoint_every = 50;
  o.lease_max_commits = 1000;
  o.lease_max_hold = std::chrono::microseconds(2000);
  auto a = open_writer(path, o);
  auto b = open_writer(path, o);
  std::uint64_t last = 0;
  for (int i = 0; i < 100; ++i) {
    for (int k = 0; k < 3; ++k) {  // a few appends each, so leases are really held
      auto ra = a->append(sample_attempt("a" + std::to_string(i) + "-" + std::to_string(k)));
      ASSERT_TRUE(ra.ok()) << ra.error().message;
      EXPECT_GT(ra->seq, last);
      last = ra->seq;
    }
    auto rb = b->append(sample_attempt("b" + std::to_string(i)));
    ASSERT_TRUE(rb.ok()) << rb.error().message;
    EXPECT_GT(rb->seq, last);
    last = rb->seq;
  }
  ASSERT_TRUE(a->close().ok());
  ASSERT_TRUE(b->close().ok());
  VerifyOptions strict;
  strict.require_closed = true;
  auto report = verify_log(path, test_public_key(), strict);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->attempts, 400u);
  std::set<std::string> names;
  for (const auto& r : all_records(path)) {
    if (r.kind == RecordKind::kAttempt) names.insert(*r.program);
  }
  EXPECT_EQ(names.size(), 400u);
}

// An idle lease is bounded: after the writer stops appending, another
// process can take the lock within about lease_max_hold.
TEST(LogWriterTest, IdleLeaseIsReleasedWithinItsBound) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  LogOptions o;
  o.durability = Durability::kNone;
  o.lease_max_hold = std::chrono::microseconds(3000);
  auto w = open_writer(path, o);
  ASSERT_TRUE(w->append(sample_attempt("p1")).ok());
  ASSERT_TRUE(w->append(sample_attempt("p2")).ok());
  const int other = ::open(lock_file_path(path).c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(other, 0);
  const auto start = std::chrono::steady_clock::now();
  bool got = false;
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    if (::flock(other, LOCK_EX | LOCK_NB) == 0) {
      got = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  ASSERT_TRUE(got) << "an idle lease was never released";
  // Another "process" appends by hand while holding the lock: the writer
  // must notice the foreign record (no stale lease) and chain after it.
  auto records = all_records(path);
  ASSERT_EQ(records.size(), 2u);
  const std::string content = read_all(path);
  const std::size_t nl = content.rfind('\n', content.size() - 2);
  ASSERT_NE(nl, std::string::npos);
  const std::string last_line = content.substr(nl + 1, content.size() - nl - 2);
  const std::string foreign =
      assemble_attempt_line(3, now_rfc3339(), "other", serialize_attempt_body(sample_attempt("x")),
                            crypto::to_hex(record_hash(last_line))) + "\n";
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, foreign.data(), foreign.size()), static_cast<ssize_t>(foreign.size()));
  ::close(fd);
  ::flock(other, LOCK_UN);
  ::close(other);
  auto r = w->append(sample_attempt("p4"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->seq, 4u);
  ASSERT_TRUE(w->close().ok());
  auto report = verify_log(path, test_public_key());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->attempts, 4u);
}

// With the lease disabled every commit locks and unlocks as before.
TEST(LogWriterTest, LeaseDisabledReleasesTheLockAfterEveryAppend) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  LogOptions o;
  o.durability = Durability::kNone;
  o.lease_max_commits = 1;
  auto w = open_writer(path, o);
  ASSERT_TRUE(w->append(sample_attempt("p1")).ok());
  const int other = ::open(lock_file_path(path).c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(other, 0);
  EXPECT_EQ(::flock(other, LOCK_EX | LOCK_NB), 0);
  ::close(other);
}

TEST(LogWriterTest, DeferredAppendIsWrittenAtOnceAndMadeDurableByTheNextFsync) {
  for (Durability d : {Durability::kAlways, Durability::kBatch}) {
    SCOPED_TRACE(std::string(durability_name(d)));
    TempDir dir;
    const std::string path = dir.file("audit.log");
    LogOptions options;
    options.durability = d;
    auto w = open_writer(path, options);
    ASSERT_TRUE(w->append(sample_attempt("a")).ok());
    const std::uint64_t synced = w->stats().syncs;
    EXPECT_GE(synced, 1u);
    auto probe = w->append_deferred(sample_attempt("probe"));
    ASSERT_TRUE(probe.ok()) << probe.error().message;
    EXPECT_EQ(probe->seq, 2u);
    EXPECT_EQ(w->stats().syncs, synced);    // no fsync of its own...
    EXPECT_EQ(all_records(path).size(), 2u);  // ...but in the file already
    ASSERT_TRUE(w->append(sample_attempt("b")).ok());
    EXPECT_EQ(w->stats().syncs, synced + 1);  // the next record's fsync covers both
    const auto records = all_records(path);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[2].prev, crypto::to_hex(record_hash(records[1].line)));
    const auto decided = record_decision(*w, sample_attempt("probe2"), /*defer_sync=*/true);
    EXPECT_TRUE(decided.seq.has_value());
    EXPECT_EQ(w->stats().syncs, synced + 1);
    ASSERT_TRUE(w->close().ok());
    auto report = verify_log(path, test_public_key(), VerifyOptions{.require_closed = true});
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_EQ(report->records, 5u);  // four attempts and the close checkpoint
  }
}

TEST(LogWriterTest, RecordDecisionKeepsPolicyDecisionWhenRecorded) {
  TempDir dir;
  auto w = open_writer(dir.file("audit.log"));
  auto d = record_decision(*w, sample_attempt("a", Decision::kAllow));
  EXPECT_EQ(d.decision, Decision::kAllow);
  EXPECT_EQ(d.reason, ReasonCode::kAllowed);
  EXPECT_EQ(d.seq, 1u);
  EXPECT_FALSE(d.error.has_value());
}

TEST(LogWriterTest, RecordDecisionOnClosedLogDeniesWithLogError) {
  TempDir dir;
  auto w = open_writer(dir.file("audit.log"));
  ASSERT_TRUE(w->close().ok());
  auto d = record_decision(*w, sample_attempt("a", Decision::kAllow));
  EXPECT_EQ(d.decision, Decision::kDeny);
  EXPECT_EQ(d.reason, ReasonCode::kLogError);
  EXPECT_TRUE(d.error.has_value());
}

TEST(LogWriterTest, OpenInMissingDirectoryFails) {
  auto w = LogWriter::open("/nonexistent-dir-pqbpf/audit.log", test_signer());
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, ErrorCode::kNotFound);
  EXPECT_NE(w.error().message.find("/nonexistent-dir-pqbpf"), std::string::npos);
}

TEST(LogWriterTest, ParseDurabilityAcceptsTheThreeNames) {
  EXPECT_EQ(*parse_durability("always"), Durability::kAlways);
  EXPECT_EQ(*parse_durability("batch"), Durability::kBatch);
  EXPECT_EQ(*parse_durability("none"), Durability::kNone);
  EXPECT_FALSE(parse_durability("sometimes").ok());
}

}  // namespace
}  // namespace pqbpf::log

// Durability none: under a lock lease the writer gathers records in memory
// and writes them in one write(2) when the lease ends, at the 64 KiB bound,
// on sync() and close(); never later than lease_max_hold after the last
// append. These tests pin that documented loss window on a real file.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "log_test_util.h"
#include "pqbpf/log/log_verify.h"
#include "pqbpf/log/log_writer.h"

namespace pqbpf::log {
namespace {

using testing::read_all;
using testing::sample_attempt;
using testing::TempDir;
using testing::test_public_key;
using testing::test_signer;

std::unique_ptr<LogWriter> open_none_writer(const std::string& path, std::uint32_t lease_commits,
                                            std::chrono::microseconds lease_hold) {
  LogOptions o;
  o.durability = Durability::kNone;
  o.checkpoint_every = 100000;
  o.lease_max_commits = lease_commits;
  o.lease_max_hold = lease_hold;
  auto w = LogWriter::open(path, test_signer(), o);
  EXPECT_TRUE(w.ok()) << w.error().message;
  return std::move(w).value();
}

std::size_t lines_on_disk(const std::string& path) {
  const std::string content = read_all(path);
  return static_cast<std::size_t>(std::count(content.begin(), content.end(), '\n'));
}

TEST(LogNoneGatherTest, RecordsOfALeaseReachTheFileTogetherWhenItEnds) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  auto w = open_none_writer(path, 8, std::chrono::seconds(30));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(w->append(sample_attempt("p" + std::to_string(i))).ok());
  EXPECT_EQ(lines_on_disk(path), 0u) << "records of an open lease are gathered, not written";
  for (int i = 3; i < 8; ++i) ASSERT_TRUE(w->append(sample_attempt("p" + std::to_string(i))).ok());
  EXPECT_EQ(lines_on_disk(path), 8u) << "the 8th commit ends the lease and writes all 8";
  ASSERT_TRUE(w->close().ok());
  auto report = verify_log(path, test_public_key());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->attempts, 8u);
}

TEST(LogNoneGatherTest, IdleLeaseWritesGatheredRecordsWithinItsBound) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  auto w = open_none_writer(path, 1000, std::chrono::milliseconds(3));
  ASSERT_TRUE(w->append(sample_attempt("p1")).ok());
  ASSERT_TRUE(w->append(sample_attempt("p2")).ok());
  const auto start = std::chrono::steady_clock::now();
  while (lines_on_disk(path) < 2 && std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(lines_on_disk(path), 2u) << "the lease helper never wrote the idle lease's records";
}

TEST(LogNoneGatherTest, SyncAndCloseWriteWhatIsGathered) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  auto w = open_none_writer(path, 1000, std::chrono::seconds(30));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(w->append(sample_attempt("a" + std::to_string(i))).ok());
  ASSERT_TRUE(w->sync().ok());
  EXPECT_EQ(lines_on_disk(path), 3u);
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(w->append(sample_attempt("b" + std::to_string(i))).ok());
  ASSERT_TRUE(w->close().ok());
  VerifyOptions strict;
  strict.require_closed = true;
  auto report = verify_log(path, test_public_key(), strict);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->attempts, 5u);
}

TEST(LogNoneGatherTest, GatheringStopsAt64KiB) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  auto w = open_none_writer(path, 100000, std::chrono::seconds(30));
  AttemptRecord big = sample_attempt("big");
  big.reason_text = std::string(2000, 'x');  // ~2.6 KiB lines: 64 KiB after ~25
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(w->append(big).ok());
  const std::size_t on_disk = lines_on_disk(path);
  EXPECT_GE(on_disk, 20u) << "a full gather buffer must be written";
  EXPECT_LT(on_disk, 60u) << "records after the last full buffer stay gathered";
  ASSERT_TRUE(w->close().ok());
  auto report = verify_log(path, test_public_key());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->attempts, 60u);
}

// Another process's lock attempt waits for the lease; when it gets the lock
// the gathered records are already in the file, so its append chains after
// them (no fork of the chain, nothing lost).
TEST(LogNoneGatherTest, SecondWriterSeesEveryGatheredRecordOfTheFirst) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  auto a = open_none_writer(path, 1000, std::chrono::milliseconds(2));
  auto b = open_none_writer(path, 1000, std::chrono::milliseconds(2));
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(a->append(sample_attempt("a")).ok());
    auto rb = b->append(sample_attempt("b"));
    ASSERT_TRUE(rb.ok()) << rb.error().message;
    EXPECT_EQ(rb->seq, static_cast<std::uint64_t>(6 * (round + 1)));
  }
  ASSERT_TRUE(a->close().ok());
  ASSERT_TRUE(b->close().ok());
  auto report = verify_log(path, test_public_key());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->attempts, 120u);
}

}  // namespace
}  // namespace pqbpf::log

// kBatch group commit on real files: concurrent writers share fsyncs, groups
// respect max_batch (so the lead passes from group to group; 0 is refused), a
// lone writer is never held back, and a closed writer fails every queued
// append.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "log_test_util.h"
#include "pqbpf/log/log_reader.h"
#include "pqbpf/log/log_verify.h"
#include "pqbpf/log/log_writer.h"

namespace pqbpf::log {
namespace {

using testing::sample_attempt;
using testing::TempDir;
using testing::test_public_key;
using testing::test_signer;

std::unique_ptr<LogWriter> open_batch_writer(const std::string& path, std::size_t max_batch = 256) {
  LogOptions o;
  o.durability = Durability::kBatch;
  o.checkpoint_every = 64;
  o.max_batch = max_batch;
  auto w = LogWriter::open(path, test_signer(), o);
  EXPECT_TRUE(w.ok()) << w.error().message;
  return std::move(w).value();
}

// Runs `threads` writers of `per_thread` appends each; returns every seq
// they were given (failing the test on an error or a duplicate).
std::set<std::uint64_t> append_concurrently(LogWriter& w, int threads, int per_thread) {
  std::mutex mu;
  std::set<std::uint64_t> seqs;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int k = 0; k < per_thread; ++k) {
        auto r = w.append(sample_attempt("w" + std::to_string(t) + "-" + std::to_string(k)));
        ASSERT_TRUE(r.ok()) << r.error().message;
        std::lock_guard<std::mutex> lk(mu);
        EXPECT_TRUE(seqs.insert(r->seq).second) << "seq " << r->seq << " given twice";
      }
    });
  }
  for (auto& t : workers) t.join();
  return seqs;
}

void expect_log_holds(const std::string& path, std::size_t attempts) {
  auto report = verify_log(path, test_public_key());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->attempts, attempts);
  auto records = read_records(path, {});
  ASSERT_TRUE(records.ok()) << records.error().message;
  std::set<std::string> names;
  for (const auto& r : *records) names.insert(*r.program);
  EXPECT_EQ(names.size(), attempts);
}

TEST(GroupCommitTest, ConcurrentWritersShareFsyncs) {
  TempDir dir;  // a real file system: every group is one write and one fdatasync
  const std::string path = dir.file("audit.log");
  auto w = open_batch_writer(path);
  constexpr int kThreads = 8, kPer = 50;
  const auto seqs = append_concurrently(*w, kThreads, kPer);
  const LogWriter::Stats stats = w->stats();
  EXPECT_EQ(seqs.size(), static_cast<std::size_t>(kThreads * kPer));
  EXPECT_EQ(stats.records, static_cast<std::uint64_t>(kThreads * kPer));
  // While one group's fsync runs the other writers queue up, so groups form:
  // at least two records per fsync on average (8 writers: close to 8).
  EXPECT_LE(stats.groups * 2, stats.records) << stats.records << " records in " << stats.groups;
  ASSERT_TRUE(w->close().ok());
  expect_log_holds(path, kThreads * kPer);
}

TEST(GroupCommitTest, GroupsNeverExceedMaxBatchAndTheLeadPassesOn) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  auto w = open_batch_writer(path, 3);
  constexpr int kThreads = 8, kPer = 30;
  const auto seqs = append_concurrently(*w, kThreads, kPer);
  const LogWriter::Stats stats = w->stats();
  EXPECT_EQ(seqs.size(), static_cast<std::size_t>(kThreads * kPer));
  EXPECT_GE(stats.groups * 3, stats.records);  // at most 3 records per group
  ASSERT_TRUE(w->close().ok());
  expect_log_holds(path, kThreads * kPer);
}

TEST(GroupCommitTest, OpenWithEmptyGroupsFails) {
  TempDir dir;
  LogOptions o;
  o.durability = Durability::kBatch;
  o.max_batch = 0;
  auto w = LogWriter::open(dir.file("audit.log"), test_signer(), o);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(w.error().message.find("max_batch must be >= 1"), std::string::npos)
      << w.error().message;
}

TEST(GroupCommitTest, LoneWriterCommitsEveryAppendAtOnce) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  auto w = open_batch_writer(path);
  for (int i = 0; i < 20; ++i) {
    auto r = w->append(sample_attempt("solo" + std::to_string(i)));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->seq, static_cast<std::uint64_t>(i + 1));
  }
  const LogWriter::Stats stats = w->stats();
  EXPECT_EQ(stats.groups, 20u);  // one record, one fsync: nothing waited for company
  EXPECT_EQ(stats.records, 20u);
  ASSERT_TRUE(w->close().ok());
  expect_log_holds(path, 20);
}

TEST(GroupCommitTest, AppendsRacingCloseEitherLandOrFailNoneHangs) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  auto w = open_batch_writer(path);
  std::atomic<int> acknowledged{0}, failed{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 6; ++t) {
    workers.emplace_back([&, t] {
      for (int k = 0; k < 40; ++k) {
        auto r = w->append(sample_attempt("c" + std::to_string(t) + "-" + std::to_string(k)));
        (r.ok() ? acknowledged : failed).fetch_add(1);
      }
    });
  }
  while (acknowledged.load() < 30) std::this_thread::yield();
  ASSERT_TRUE(w->close().ok());
  for (auto& t : workers) t.join();
  EXPECT_EQ(acknowledged.load() + failed.load(), 6 * 40);
  EXPECT_GT(failed.load(), 0);  // appends after close() fail, they do not wait forever
  VerifyOptions strict;
  strict.require_closed = true;
  auto report = verify_log(path, test_public_key(), strict);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->attempts, static_cast<std::uint64_t>(acknowledged.load()));
}

}  // namespace
}  // namespace pqbpf::log

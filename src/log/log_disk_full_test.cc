// Disk full: the test mounts a 64 KiB tmpfs (needs root; skipped
// otherwise), fills it through the log, and checks that the failing append
// becomes a deny with reason log_error while the log still verifies.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <sys/mount.h>
#include <thread>
#include <vector>
#include <unistd.h>

#include "log_test_util.h"
#include "pqbpf/log/log_verify.h"
#include "pqbpf/log/log_writer.h"

namespace pqbpf::log {
namespace {

using testing::sample_attempt;

class Mount {
 public:
  explicit Mount(const std::string& dir) : dir_(dir) {
    mounted_ = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=64k,mode=0700") == 0;
    if (!mounted_) error_ = std::strerror(errno);
  }
  ~Mount() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string dir_;
  bool mounted_ = false;
  std::string error_;
};

// Each test gets its own 64 KiB tmpfs (skipped without root).
class LogDiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a tmpfs";
    mount_ = std::make_unique<Mount>(dir_.path());
    if (!mount_->mounted()) GTEST_SKIP() << "cannot mount tmpfs: " << mount_->error();
  }
  std::string path() const { return dir_.file("audit.log"); }

  // Appends until one append is denied; returns that decision (nullopt if
  // the disk never filled) and counts the acknowledged ones.
  static std::optional<RecordedDecision> fill(LogWriter& w, int& acknowledged) {
    for (int i = 0; i < 10000; ++i) {
      RecordedDecision d = record_decision(w, sample_attempt("p" + std::to_string(i)));
      if (!d.seq) return d;
      EXPECT_EQ(d.decision, Decision::kAllow);
      ++acknowledged;
    }
    return std::nullopt;
  }

 private:
  testing::TempDir dir_;
  std::unique_ptr<Mount> mount_;  // unmounted before dir_ is removed
};

TEST_F(LogDiskFullTest, AppendOnFullDiskFailsDeniesAndLogStillVerifies) {
  LogOptions o;
  o.checkpoint_every = 20;
  auto w = LogWriter::open(path(), testing::test_signer(), o);
  ASSERT_TRUE(w.ok()) << w.error().message;

  int recorded = 0;
  const std::optional<RecordedDecision> denied = fill(**w, recorded);
  ASSERT_TRUE(denied) << "64 KiB tmpfs never filled";
  EXPECT_GT(recorded, 10);
  EXPECT_EQ(denied->decision, Decision::kDeny);  // the policy said allow
  EXPECT_EQ(denied->reason, ReasonCode::kLogError);
  ASSERT_TRUE(denied->error.has_value());
  EXPECT_EQ(denied->error->code, ErrorCode::kIo);
  EXPECT_NE(denied->error->message.find(std::strerror(ENOSPC)), std::string::npos)
      << denied->error->message;

  auto report = verify_log(path(), testing::test_public_key());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->attempts, static_cast<std::uint64_t>(recorded));
  EXPECT_EQ(report->torn_bytes, 0u);

  // Still full: still denied, still a valid log.
  EXPECT_EQ(record_decision(**w, sample_attempt("again")).decision, Decision::kDeny);
  (void)(*w)->close();  // the close checkpoint may not fit either
  auto after = verify_log(path(), testing::test_public_key());
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_EQ(after->attempts, static_cast<std::uint64_t>(recorded));
}

// Durability none gathers the records of a lease; when the gathered write
// hits the full disk, those acknowledged records are gone (the documented
// loss window) and the next append is denied with the error, so the gate
// fails closed at the next attempt. The log still verifies.
TEST_F(LogDiskFullTest, NoneModeGatheredWriteFailureDeniesTheNextAppend) {
  LogOptions o;
  o.durability = Durability::kNone;
  o.checkpoint_every = 100000;
  o.lease_max_commits = 16;
  o.lease_max_hold = std::chrono::seconds(30);
  auto w = LogWriter::open(path(), testing::test_signer(), o);
  ASSERT_TRUE(w.ok()) << w.error().message;

  int acknowledged = 0;
  const std::optional<RecordedDecision> denied = fill(**w, acknowledged);
  ASSERT_TRUE(denied) << "64 KiB tmpfs never filled";
  EXPECT_EQ(denied->decision, Decision::kDeny);
  EXPECT_EQ(denied->reason, ReasonCode::kLogError);
  ASSERT_TRUE(denied->error.has_value());
  EXPECT_NE(denied->error->message.find(std::strerror(ENOSPC)), std::string::npos)
      << denied->error->message;
  EXPECT_NE(denied->error->message.find("acknowledged records (durability none) were lost"),
            std::string::npos)
      << denied->error->message;

  auto report = verify_log(path(), testing::test_public_key(),
                           VerifyOptions{.allow_unsealed = true});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->torn_bytes, 0u);
  EXPECT_LE(report->attempts, static_cast<std::uint64_t>(acknowledged));
  EXPECT_LE(static_cast<std::uint64_t>(acknowledged) - report->attempts, 16u)
      << "at most one lease of records may be lost";
  (void)(*w)->close();
}

// Batch mode with writers racing to fill the disk: each append is either
// acknowledged (and then in the log) or denied with log_error; the failed
// groups are cut off again, nobody waits forever, and the log verifies.
TEST_F(LogDiskFullTest, BatchModeConcurrentWritersDenyOnFullDiskAndLoseNothingAcknowledged) {
  LogOptions o;
  o.durability = Durability::kBatch;
  o.checkpoint_every = 20;
  auto w = LogWriter::open(path(), testing::test_signer(), o);
  ASSERT_TRUE(w.ok()) << w.error().message;
  std::atomic<int> acknowledged{0}, denied_enospc{0}, denied_other{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 6; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 400; ++i) {
        RecordedDecision d =
            record_decision(**w, sample_attempt("b" + std::to_string(t) + "-" + std::to_string(i)));
        if (d.seq) {
          acknowledged.fetch_add(1);
          continue;
        }
        const bool enospc =
            d.decision == Decision::kDeny && d.reason == ReasonCode::kLogError && d.error &&
            d.error->message.find(std::strerror(ENOSPC)) != std::string::npos;
        (enospc ? denied_enospc : denied_other).fetch_add(1);
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_GT(acknowledged.load(), 10);
  EXPECT_GT(denied_enospc.load(), 0) << "64 KiB tmpfs never filled";
  EXPECT_EQ(denied_other.load(), 0);
  auto report = verify_log(path(), testing::test_public_key());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->attempts, static_cast<std::uint64_t>(acknowledged.load()));
  EXPECT_EQ(report->torn_bytes, 0u);
  (void)(*w)->close();
}

}  // namespace
}  // namespace pqbpf::log

// The lock file's waiter page: a writer that waits for the log lock ends
// another writer's lease at once, and a waiter that died waiting does not
// end leases forever (real files, real processes, real flock).
#include "lock_waiters.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <chrono>
#include <thread>
#include <unistd.h>

#include "log_test_util.h"
#include "pqbpf/log/log_files.h"
#include "pqbpf/log/log_reader.h"
#include "pqbpf/log/log_verify.h"
#include "pqbpf/log/log_writer.h"

namespace pqbpf::log {
namespace {

using testing::sample_attempt;
using testing::TempDir;
using testing::test_public_key;
using testing::test_signer;

std::unique_ptr<LogWriter> open_writer(const std::string& path, const LogOptions& options) {
  auto w = LogWriter::open(path, test_signer(), options);
  EXPECT_TRUE(w.ok()) << w.error().message;
  return w.ok() ? std::move(w).value() : nullptr;
}

// A lease that would last a minute, so only the waiter page can end it early.
LogOptions long_lease() {
  LogOptions o;
  o.durability = Durability::kNone;
  o.lease_max_commits = 100000;
  o.lease_max_hold = std::chrono::seconds(60);
  return o;
}

std::uint32_t waiting_word(const std::string& lock_path) {
  const int fd = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  std::uint32_t v = 0xffffffffu;
  if (fd >= 0) {
    if (::pread(fd, &v, sizeof v, 0) != static_cast<ssize_t>(sizeof v)) v = 0xffffffffu;
    ::close(fd);
  }
  return v;
}

bool lock_is_free(const std::string& lock_path) {
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  const bool free = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  ::close(fd);  // releases it again
  return free;
}

TEST(LockWaitersTest, TheLockFileHoldsTheWaiterPage) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  auto w = open_writer(path, long_lease());
  ASSERT_NE(w, nullptr);
  struct stat st{};
  ASSERT_EQ(::stat(lock_file_path(path).c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 4096) << "without the page, leases would fall back to 1 ms";
  EXPECT_EQ(waiting_word(lock_file_path(path)), 0u);
}

// Writer a holds a one-minute lease; writer b (its own lock descriptor, so it
// contends like another process) must get in after a's current commit, and
// a's gathered records must be written before b's.
TEST(LockWaitersTest, AWaitingWriterEndsAnotherWritersLeaseAtOnce) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  auto a = open_writer(path, long_lease());
  auto b = open_writer(path, long_lease());
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(a->append(sample_attempt("a1")).ok());
  ASSERT_TRUE(a->append(sample_attempt("a2")).ok());
  ASSERT_FALSE(lock_is_free(lock_file_path(path))) << "a should hold its lease";

  const auto start = std::chrono::steady_clock::now();
  auto rb = b->append(sample_attempt("b1"));
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(rb.ok()) << rb.error().message;
  EXPECT_EQ(rb->seq, 3u);
  // Not a speed check: the only alternative is waiting out the 60 s lease.
  EXPECT_LT(waited, std::chrono::seconds(30)) << "b waited for a's lease to expire";
  EXPECT_EQ(waiting_word(lock_file_path(path)), 0u) << "b is no longer waiting";

  auto ra = a->append(sample_attempt("a3"));
  ASSERT_TRUE(ra.ok()) << ra.error().message;
  EXPECT_EQ(ra->seq, 4u);
  ASSERT_TRUE(a->close().ok());
  ASSERT_TRUE(b->close().ok());
  auto records = read_records(path, RecordFilter{});
  ASSERT_TRUE(records.ok()) << records.error().message;
  ASSERT_EQ(records->size(), 4u);
  EXPECT_EQ(*(*records)[0].program, "a1");
  EXPECT_EQ(*(*records)[1].program, "a2");
  EXPECT_EQ(*(*records)[2].program, "b1");
  EXPECT_EQ(*(*records)[3].program, "a3");
  VerifyOptions strict;
  strict.require_closed = true;
  auto report = verify_log(path, test_public_key(), strict);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->attempts, 4u);
}

// A writer killed while it waits leaves its count behind; the kernel drops
// its byte lock, so the next holder sees nobody waits, clears the count and
// keeps its lease.
TEST(LockWaitersTest, AWaiterKilledWhileWaitingDoesNotEndLeases) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  { ASSERT_NE(open_writer(path, long_lease()), nullptr); }  // creates log and lock file
  const std::string lock_path = lock_file_path(path);
  const int holder = ::open(lock_path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(holder, 0);
  ASSERT_EQ(::flock(holder, LOCK_EX), 0);

  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Blocks in open (which takes the lock) as a registered waiter.
    auto w = LogWriter::open(path, test_signer(), long_lease());
    ::_exit(w.ok() ? 0 : 1);
  }
  const auto start = std::chrono::steady_clock::now();
  while (waiting_word(lock_path) != 1u &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(30)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_EQ(waiting_word(lock_path), 1u) << "the child never registered as a waiter";
  ::kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_EQ(waiting_word(lock_path), 1u) << "the dead waiter's count stays until a holder looks";
  ::flock(holder, LOCK_UN);
  ::close(holder);

  auto w = open_writer(path, long_lease());
  ASSERT_NE(w, nullptr);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(w->append(sample_attempt("p" + std::to_string(i))).ok());
  EXPECT_FALSE(lock_is_free(lock_path)) << "a stale count ended the lease";
  EXPECT_EQ(waiting_word(lock_path), 0u) << "the holder should have cleared the stale count";
  ASSERT_TRUE(w->close().ok());
  auto report = verify_log(path, test_public_key());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->attempts, 5u);
}

// close() wakes a lease helper asleep on the shared futex: it returns long
// before the one-minute lease bound.
TEST(LockWaitersTest, CloseDoesNotWaitForTheLeaseHelper) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  auto w = open_writer(path, long_lease());
  ASSERT_NE(w, nullptr);
  ASSERT_TRUE(w->append(sample_attempt("p1")).ok());
  ASSERT_TRUE(w->append(sample_attempt("p2")).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let the helper fall asleep
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(w->close().ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  EXPECT_TRUE(lock_is_free(lock_file_path(path)));
}

}  // namespace
}  // namespace pqbpf::log

// Crash test: a real child process appends in a loop and reports each
// acknowledged seq on a pipe; the parent SIGKILLs it at a random moment,
// hundreds of times. After every kill the log verifies and every
// acknowledged record is present with the content the child wrote.
// The kills are spread over several logs of kKillsPerLog kills each: each
// log still sees many crash/recover cycles, while verifying the whole log
// after every kill stays linear instead of quadratic in the run length.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <sstream>

#include "child_process.h"
#include "log_test_util.h"
#include "pqbpf/log/log_reader.h"
#include "pqbpf/log/log_verify.h"
#include "pqbpf/log/log_writer.h"

#ifndef PQBPF_LOG_APPEND_CHILD
#error "PQBPF_LOG_APPEND_CHILD must name the append_child binary"
#endif

namespace pqbpf::log {
namespace {

using testing::ChildProcess;
using testing::TempDir;
using testing::test_public_key;

// Fewer under the sanitizers (CMake sets it), where each child starts slowly.
#ifndef PQBPF_LOG_CRASH_KILLS
#define PQBPF_LOG_CRASH_KILLS 200
#endif
constexpr int kKillsPerMode = PQBPF_LOG_CRASH_KILLS;
constexpr int kKillsPerLog = 20;

struct CrashTally {
  int kills = 0;
  int torn_seen = 0;
  std::size_t acked = 0;
  std::size_t lost = 0;
  std::uint64_t records = 0;
  std::size_t files = 0;
};

// kKillsPerLog kill/verify cycles against one fresh log, then a clean close.
// max_lost_per_kill: acknowledged records a kill may take with it (0 for
// always and batch; the lease bound for none, which gathers under a lease).
void crash_one_log(Durability mode, int threads, std::size_t pad, std::size_t max_lost_per_kill,
                   std::mt19937& rng, int first_iter, CrashTally& tally) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  const auto key = test_public_key();
  std::uniform_int_distribution<int> delay_ms(0, 40);
  std::uniform_int_distribution<int> startup_ms(0, 250);
  std::map<std::uint64_t, std::string> acked;  // every ack of every child
  int& kills = tally.kills;
  for (int iter = first_iter; iter < first_iter + kKillsPerLog; ++iter) {
    ChildProcess child({PQBPF_LOG_APPEND_CHILD, path, std::string(durability_name(mode)),
                        std::to_string(threads), "0", "i" + std::to_string(iter), "64", "65536",
                        std::to_string(pad)});
    ASSERT_GT(child.pid(), 0);
    if (iter % 4 == 3) {
      // Some kills land anywhere from exec to the first appends (open, recovery).
      child.read_for(startup_ms(rng));
    } else {
      // Most land among appends: wait for the first acknowledgement first.
      for (int waited = 0; waited < 5000 && child.output().empty() && !child.eof(); waited += 5) {
        child.read_for(5);
      }
      child.read_for(delay_ms(rng));
    }
    child.kill_now();
    const int status = child.wait();
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with status " << status;
    ++kills;
    child.read_to_eof();
    std::istringstream acks(child.output());
    std::vector<std::pair<std::uint64_t, std::string>> fresh;  // this child's acks
    std::uint64_t seq;
    std::string program;
    while (acks >> seq >> program) fresh.emplace_back(seq, program);

    // Mid-run the writer may not have reached its first checkpoint yet.
    auto report = verify_log(path, key, VerifyOptions{.allow_unsealed = true});
    if (!report.ok() && report.error().code == ErrorCode::kNotFound) continue;  // killed before open
    ASSERT_TRUE(report.ok()) << "after kill " << kills << ": " << report.error().message;
    if (report->torn_bytes != 0) ++tally.torn_seen;
    auto records = read_records(path, {});
    ASSERT_TRUE(records.ok()) << records.error().message;
    std::map<std::uint64_t, std::string> present;
    for (const auto& r : *records) present.emplace(r.seq, r.program.value_or(""));
    std::size_t lost = 0;
    for (const auto& [s, name] : fresh) {
      auto it = present.find(s);
      if (it == present.end() || it->second != name) {
        ++lost;  // a later writer may reuse a lost seq: forget it
        continue;
      }
      ASSERT_TRUE(acked.emplace(s, name).second) << "seq " << s << " acknowledged twice";
    }
    ASSERT_LE(lost, max_lost_per_kill) << "acknowledged records lost by kill " << kills;
    tally.lost += lost;
    for (const auto& [s, name] : acked) {
      auto it = present.find(s);
      ASSERT_NE(it, present.end()) << "acknowledged seq " << s << " lost after kill " << kills;
      ASSERT_EQ(it->second, name) << "seq " << s << " holds another record";
    }
  }
  EXPECT_GT(acked.size(), 0u);
  // A last clean writer recovers whatever the final kill tore and closes.
  {
    LogOptions o;
    o.durability = mode;
    auto w = LogWriter::open(path, testing::test_signer(), o);
    ASSERT_TRUE(w.ok()) << w.error().message;
    ASSERT_TRUE((*w)->close().ok());
  }
  VerifyOptions strict;
  strict.require_closed = true;
  auto final_report = verify_log(path, key, strict);
  ASSERT_TRUE(final_report.ok()) << final_report.error().message;
  EXPECT_GE(final_report->records, acked.size());
  tally.acked += acked.size();
  tally.records += final_report->records;
  tally.files += final_report->files.size();
}

void run_crash_loop(Durability mode, int threads, std::size_t pad, int kills_total = kKillsPerMode,
                    std::size_t max_lost_per_kill = 0) {
  std::random_device rd;
  const unsigned seed = rd();
  std::mt19937 rng(seed);
  SCOPED_TRACE("random seed " + std::to_string(seed));
  CrashTally tally;
  for (int iter = 0; iter < kills_total; iter += kKillsPerLog) {
    crash_one_log(mode, threads, pad, max_lost_per_kill, rng, iter, tally);
    if (::testing::Test::HasFatalFailure()) return;
  }
  EXPECT_EQ(tally.kills, kills_total);
  std::printf("[ mode %s ] %d kills over %d logs, %zu acknowledged records kept, %zu lost, "
              "%llu records in %zu files, torn tail seen after %d kills\n",
              std::string(durability_name(mode)).c_str(), tally.kills, kills_total / kKillsPerLog,
              tally.acked, tally.lost, static_cast<unsigned long long>(tally.records), tally.files,
              tally.torn_seen);
}

TEST(LogCrashTest, SigkillDuringAlwaysAppendsLosesNoAcknowledgedRecord) {
  run_crash_loop(Durability::kAlways, 1, 0);
}

TEST(LogCrashTest, SigkillDuringBatchAppendsLosesNoAcknowledgedRecord) {
  // 1 KiB records: groups span pages, so a kill can tear a write.
  run_crash_loop(Durability::kBatch, 4, 1024);
}

TEST(LogCrashTest, SigkillDuringNoneAppendsLosesAtMostOneLeaseAndLeavesAValidLog) {
  // none gathers the records of a lease (LogOptions defaults: 64 commits)
  // in memory: a kill may lose that many acknowledged records, never more,
  // and never leaves a log that fails to verify.
  run_crash_loop(Durability::kNone, 1, 0, std::min(kKillsPerMode, 60),
                 LogOptions{}.lease_max_commits);
}

}  // namespace
}  // namespace pqbpf::log

// Several real processes append to one log at once: 4 x 10,000 appends; the
// chain verifies and every record is present exactly once.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <poll.h>
#include <set>
#include <sstream>

#include "child_process.h"
#include "log_test_util.h"
#include "pqbpf/log/log_reader.h"
#include "pqbpf/log/log_verify.h"

namespace pqbpf::log {
namespace {

using testing::ChildProcess;
using testing::TempDir;

void drain_all(std::vector<std::unique_ptr<ChildProcess>>& children) {
  while (true) {
    std::vector<pollfd> fds;
    std::vector<ChildProcess*> owners;
    for (auto& c : children) {
      if (!c->eof()) {
        fds.push_back(pollfd{c->out_fd(), POLLIN, 0});
        owners.push_back(c.get());
      }
    }
    if (fds.empty()) return;
    if (::poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR) return;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents != 0) owners[i]->read_some();
    }
  }
}

void run_processes(const std::string& durability, int processes, int per_process,
                   const std::string& rotate_bytes) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  std::vector<std::unique_ptr<ChildProcess>> children;
  for (int p = 0; p < processes; ++p) {
    children.push_back(std::make_unique<ChildProcess>(std::vector<std::string>{
        PQBPF_LOG_APPEND_CHILD, path, durability, "1", std::to_string(per_process),
        "c" + std::to_string(p), "1000", rotate_bytes}));
  }
  drain_all(children);
  std::map<std::uint64_t, std::string> acked;
  for (auto& c : children) {
    const int status = c->wait();
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
    std::istringstream acks(c->output());
    std::uint64_t seq;
    std::string program;
    while (acks >> seq >> program) {
      ASSERT_TRUE(acked.emplace(seq, program).second) << "seq " << seq << " given twice";
    }
  }
  ASSERT_EQ(acked.size(), static_cast<std::size_t>(processes * per_process));

  VerifyOptions strict;
  strict.require_closed = true;
  auto report = verify_log(path, testing::test_public_key(), strict);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->attempts, static_cast<std::uint64_t>(processes * per_process));

  auto records = read_records(path, {});
  ASSERT_TRUE(records.ok()) << records.error().message;
  std::set<std::string> names;
  for (const auto& r : *records) {
    ASSERT_TRUE(names.insert(*r.program).second) << "duplicate record " << *r.program;
    auto it = acked.find(r.seq);
    ASSERT_NE(it, acked.end()) << "record seq " << r.seq << " was never acknowledged";
    EXPECT_EQ(it->second, *r.program);
  }
  EXPECT_EQ(names.size(), acked.size());
}

TEST(LogConcurrencyTest, FourProcessesTenThousandAppendsEachKeepOneChain) {
  run_processes("none", 4, 10000, "0");
}

TEST(LogConcurrencyTest, ProcessesRacingRotationKeepOneChain) {
  run_processes("batch", 4, 250, "32768");
}

// `none` writers keep the lock as a lease across their appends; processes
// taking turns (and rotating under each other) still share one chain.
TEST(LogConcurrencyTest, LeasedWritersRacingRotationKeepOneChain) {
  run_processes("none", 3, 2000, "65536");
}

}  // namespace
}  // namespace pqbpf::log

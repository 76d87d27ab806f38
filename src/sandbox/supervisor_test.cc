// The supervisor for real: bpf_direct (testdata/bpf_direct.c) calls bpf(2)
// under run_supervised on this kernel; the refusals land in a real audit log.
// Nothing is left loaded: every fd the workload gets it closes.
#include <linux/bpf.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "log_test_util.h"
#include "pqbpf/crypto/sha3.h"
#include "pqbpf/log/log_reader.h"
#include "pqbpf/sandbox/bpf_command.h"
#include "pqbpf/sandbox/supervisor.h"

namespace pqbpf::sandbox {
namespace {

using log::testing::TempDir;

const std::string kDirect = PQBPF_BPF_DIRECT;

// bpf_direct run outside any sandbox: its shell exit status.
int run_plain(const std::vector<std::string>& args) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return shell_exit_status(status);
}

// The two instructions bpf_direct loads (r0 = 0; exit), as bytes.
std::string direct_insns_sha3() {
  std::vector<std::uint8_t> insns(16, 0);
  insns[0] = BPF_ALU64 | BPF_MOV | BPF_K;
  insns[8] = BPF_JMP | BPF_EXIT;
  return crypto::to_hex(crypto::sha3_256(insns));
}

class SupervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF, CAP_SYS_ADMIN) to load BPF";
    // The workload's load must work outside the sandbox, or the refusal proves nothing.
    if (run_plain({kDirect, "load"}) != 0) GTEST_SKIP() << "this kernel refuses a socket filter load";
    auto w = log::LogWriter::open(dir_.file("audit.log"), log::testing::test_signer());
    ASSERT_TRUE(w.ok()) << w.error().message;
    writer_ = std::move(w).value();
    options_.log = writer_.get();
    options_.on_refusal = [this](const log::AttemptRecord&, const BpfCall& call) {
      calls_.push_back(call);
    };
  }

  SupervisorResult run(const std::vector<std::string>& args) {
    auto r = run_supervised(args, options_);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : SupervisorResult{};
  }

  std::vector<log::LogRecord> records() {
    auto r = log::read_records(dir_.file("audit.log"));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : std::vector<log::LogRecord>{};
  }

  TempDir dir_;
  std::unique_ptr<log::LogWriter> writer_;
  SupervisorOptions options_;
  std::vector<BpfCall> calls_;
};

TEST_F(SupervisorTest, DirectProgLoadGetsEpermAndIsRecordedAsRead) {
  const SupervisorResult r = run({kDirect, "load"});
  EXPECT_EQ(shell_exit_status(r.wait_status), 10);  // EPERM
  EXPECT_EQ(r.refused, 1u);
  ASSERT_EQ(calls_.size(), 1u);
  const BpfCall& call = calls_[0];
  EXPECT_EQ(call.cmd, static_cast<std::uint32_t>(BPF_PROG_LOAD));
  EXPECT_TRUE(call.still_valid);
  ASSERT_TRUE(call.load);
  EXPECT_EQ(call.load->insn_cnt, 2u);
  EXPECT_EQ(call.load->insns.size(), 16u);
  EXPECT_EQ(call.load->name, "pqbpf_direct");
  EXPECT_EQ(call.caller.exe, kDirect);
  ASSERT_TRUE(call.caller.cgroup);
  EXPECT_TRUE(call.caller.cgroup->starts_with("/"));

  const auto recs = records();
  ASSERT_EQ(recs.size(), 1u);
  const log::LogRecord& rec = recs[0];
  EXPECT_EQ(rec.action, "direct_load");
  EXPECT_EQ(rec.decision, "deny");
  EXPECT_EQ(rec.reason, "direct_load_refused");
  EXPECT_EQ(rec.program, "pqbpf_direct");
  EXPECT_EQ(rec.program_types, std::vector<std::string>{"socket_filter"});
  EXPECT_EQ(rec.actor.pid, call.caller.pid);
  EXPECT_EQ(rec.actor.uid, 0u);
  EXPECT_EQ(rec.actor.command, "pqbpf_bpf_direc");  // comm: 15 bytes
  EXPECT_NE(rec.reason_text.find("2 instructions claimed"), std::string::npos) << rec.reason_text;
  EXPECT_NE(rec.reason_text.find(direct_insns_sha3()), std::string::npos) << rec.reason_text;
  EXPECT_EQ(rec.insn_count, 2u);
  EXPECT_EQ(rec.actor.exe, kDirect);
  EXPECT_EQ(rec.actor.cgroup, call.caller.cgroup);
}

// The kernel reads `int cmd`: bit 32 set is still BPF_PROG_LOAD, and must be
// judged as one (not as the unknown command 0x100000005).
TEST_F(SupervisorTest, ProgLoadWithHighCmdBitsIsStillRefusedAsALoad) {
  const SupervisorResult r = run({kDirect, "load-hicmd"});
  EXPECT_EQ(shell_exit_status(r.wait_status), 10);
  const auto recs = records();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].reason, "direct_load_refused");
  EXPECT_EQ(recs[0].program, "pqbpf_direct");
}

// The kernel reports an x32 call as x86-64 with bit 30 in its number: it is
// bpf() all the same, judged and recorded as a load (not as an unknown call).
TEST_F(SupervisorTest, X32BpfCallIsJudgedAsALoad) {
#if defined(__x86_64__)
  const SupervisorResult r = run({kDirect, "load-x32"});
  EXPECT_EQ(shell_exit_status(r.wait_status), 10);
  const auto recs = records();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].reason, "direct_load_refused") << recs[0].reason_text;
  EXPECT_EQ(recs[0].program, "pqbpf_direct");
#else
  GTEST_SKIP() << "skipped: x32 exists only on x86-64";
#endif
}

// Limits: up to kMaxInsns instructions are copied, one more is not read at
// all; an attribute larger than kMaxAttrBytes is read up to that bound.
TEST_F(SupervisorTest, InstructionsAreReadUpToTheLimitAndNotPastIt) {
  SupervisorResult r = run({kDirect, "load-count", std::to_string(kMaxInsns)});
  EXPECT_EQ(shell_exit_status(r.wait_status), 10);
  r = run({kDirect, "load-count", std::to_string(kMaxInsns + 1)});
  EXPECT_EQ(shell_exit_status(r.wait_status), 10);
  ASSERT_EQ(calls_.size(), 2u);
  ASSERT_TRUE(calls_[0].load && calls_[1].load);
  EXPECT_EQ(calls_[0].load->insns.size(), std::size_t{kMaxInsns} * kInsnBytes);
  EXPECT_FALSE(calls_[0].load->insns_error);
  EXPECT_TRUE(calls_[1].load->insns.empty());
  ASSERT_TRUE(calls_[1].load->insns_error);
  EXPECT_NE(calls_[1].load->insns_error->find("over the limit"), std::string::npos);
  const auto recs = records();
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].insn_count, kMaxInsns);
  EXPECT_EQ(recs[1].insn_count, kMaxInsns + 1);
  EXPECT_NE(recs[1].reason_text.find("over the limit"), std::string::npos);
}

TEST_F(SupervisorTest, OversizeAttributeIsReadUpToItsBound) {
  SupervisorResult r = run({kDirect, "load-size", std::to_string(kMaxAttrBytes)});
  EXPECT_EQ(shell_exit_status(r.wait_status), 10);
  r = run({kDirect, "load-size", "65536"});
  EXPECT_EQ(shell_exit_status(r.wait_status), 10);
  r = run({kDirect, "load-size", "16"});  // short: the name is beyond it, zero as the kernel sees it
  EXPECT_EQ(shell_exit_status(r.wait_status), 10);
  ASSERT_EQ(calls_.size(), 3u);
  EXPECT_EQ(calls_[0].attr.size(), kMaxAttrBytes);
  EXPECT_EQ(calls_[1].attr.size(), kMaxAttrBytes);
  EXPECT_EQ(calls_[1].attr_size, 65536u);
  EXPECT_EQ(calls_[1].load->name, "pqbpf_sized");
  EXPECT_EQ(calls_[1].load->insn_cnt, 2u);
  EXPECT_EQ(calls_[2].attr.size(), 16u);
  EXPECT_EQ(calls_[2].load->name, "");
  EXPECT_EQ(calls_[2].load->insn_cnt, 2u);
}

TEST_F(SupervisorTest, MapCreateIsRefusedAndRecordedUnlessAllowListed) {
  SupervisorResult r = run({kDirect, "map"});
  EXPECT_EQ(shell_exit_status(r.wait_status), 10);
  auto recs = records();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].action, "bpf_command");
  EXPECT_EQ(recs[0].reason, "bpf_command_denied");
  EXPECT_NE(recs[0].reason_text.find("cmd map_create"), std::string::npos);

  options_.rules.allowed_commands = {BPF_MAP_CREATE};
  r = run({kDirect, "map"});
  EXPECT_EQ(shell_exit_status(r.wait_status), 0);  // the kernel created (and it closed) the map
  EXPECT_EQ(r.continued, 0u);  // passed by the filter itself: never notified
  EXPECT_EQ(r.refused, 0u);
  EXPECT_EQ(records().size(), 1u);  // allowed commands are not recorded
}

TEST_F(SupervisorTest, AllowListedMapCreateDoesNotAdmitProgLoad) {
  options_.rules.allowed_commands = {BPF_MAP_CREATE, BPF_BTF_LOAD};
  const SupervisorResult r = run({kDirect, "load"});
  EXPECT_EQ(shell_exit_status(r.wait_status), 10);
}

TEST_F(SupervisorTest, ProgLoadCannotBePutOnTheAllowList) {
  options_.rules.allowed_commands = {BPF_PROG_LOAD};
  auto r = run_supervised({kDirect, "load"}, options_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(SupervisorTest, ForkedChildInheritsTheFilter) {
  const SupervisorResult r = run({kDirect, "fork-load"});
  EXPECT_EQ(shell_exit_status(r.wait_status), 10);
  ASSERT_EQ(calls_.size(), 1u);
  const auto recs = records();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].reason, "direct_load_refused");
}

TEST_F(SupervisorTest, SecondThreadIsCaughtAndNamed) {
  const SupervisorResult r = run({kDirect, "thread-load"});
  EXPECT_EQ(shell_exit_status(r.wait_status), 10);
  ASSERT_EQ(calls_.size(), 1u);
  EXPECT_NE(calls_[0].caller.pid, calls_[0].caller.tid);
  const auto recs = records();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_NE(recs[0].reason_text.find("thread " + std::to_string(calls_[0].caller.tid)),
            std::string::npos);
}

// The kernel refuses a second listener in a filter chain that has one, so a
// workload cannot take its own bpf() notifications away from the supervisor.
TEST_F(SupervisorTest, WorkloadCannotInstallASecondListener) {
  EXPECT_EQ(run_plain({kDirect, "second-listener"}), 0);  // possible outside the sandbox
  const SupervisorResult r = run({kDirect, "second-listener"});
  EXPECT_EQ(shell_exit_status(r.wait_status), 20);  // EBUSY
}

TEST_F(SupervisorTest, ManyLoadsAreEachRefusedAndRecorded) {
  const SupervisorResult r = run({kDirect, "loop-load", "50"});
  EXPECT_EQ(shell_exit_status(r.wait_status), 10);
  EXPECT_EQ(r.refused, 50u);
  EXPECT_EQ(records().size(), 50u);
}

// The caller is killed after its notification arrived and before the
// supervisor reads it: the supervisor records what it could, notices the
// call is gone, and returns with the workload's status instead of hanging.
TEST_F(SupervisorTest, CallerKilledWhilePendingDoesNotHangTheSupervisor) {
  options_.before_read = [](std::int64_t tid) {
    ::kill(static_cast<pid_t>(tid), SIGKILL);
    // Wait until it is a zombie (or gone), so the reads really find it dead.
    const std::string stat = "/proc/" + std::to_string(tid) + "/stat";
    for (int i = 0; i < 500; ++i) {
      std::ifstream in(stat);
      std::string s;
      std::getline(in, s);
      const auto close = s.rfind(')');
      if (!in || close == std::string::npos || s.substr(close + 2, 1) == "Z") return;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  };
  const auto start = std::chrono::steady_clock::now();
  const SupervisorResult r = run({kDirect, "load"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  EXPECT_EQ(shell_exit_status(r.wait_status), 128 + SIGKILL);
  EXPECT_EQ(r.gone, 1u);
  ASSERT_EQ(calls_.size(), 1u);
  EXPECT_FALSE(calls_[0].still_valid);
  const auto recs = records();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].reason, "direct_load_refused");
  EXPECT_NE(recs[0].reason_text.find("exited or was interrupted"), std::string::npos);
}

// When the supervisor is gone, a workload process that outlived it gets
// ENOSYS from bpf(): seccomp fails the call when no listener is left.
TEST_F(SupervisorTest, BpfFailsWithEnosysOnceTheSupervisorIsGone) {
  const std::string go = dir_.file("go");
  const std::string out = dir_.file("orphan.out");
  const SupervisorResult r = run({kDirect, "orphan-load", go, out});
  EXPECT_EQ(shell_exit_status(r.wait_status), 0);
  { std::ofstream(go) << "go"; }
  std::string line;
  for (int i = 0; i < 1000 && line.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::ifstream in(out);
    std::getline(in, line);
  }
  EXPECT_EQ(line, "prog_load: ENOSYS");
  EXPECT_TRUE(records().empty());
}

TEST_F(SupervisorTest, MissingCommandIsNotFound) {
  auto r = run_supervised({dir_.file("no-such-command")}, options_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace pqbpf::sandbox

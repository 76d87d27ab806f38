// The real pqc-bpf-gated binary under load and under hostile clients:
// 32 concurrent clients x 100 requests (durability batch), every request
// answered, the log verifies after SIGTERM, RSS stable; malformed, oversized
// and silent clients get an error or a timeout and the daemon keeps serving.
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

#include "daemon_process_test_util.h"
#include "pqbpf/daemon/protocol.h"

// Sanitizer builds: ASan's quarantine keeps freed memory resident, and
// UBSan's vptr check probes memory through a pipe, so it reports false errors
// in a process that has no descriptor left. The checks that depend on either
// run in the normal build only.
#if defined(__SANITIZE_ADDRESS__)
#define PQBPF_SANITIZED_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PQBPF_SANITIZED_BUILD 1
#endif
#endif
#ifndef PQBPF_SANITIZED_BUILD
#define PQBPF_SANITIZED_BUILD 0
#endif

namespace pqbpf::testing {
namespace {

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}


TEST_F(DaemonProcessTest, ThirtyTwoClientsTimesHundredRequestsAllAnswered) {
  const SignedSample allowed = signed_sample(7, "socket_filter", BPFProgramType::kSocketFilter);
  const SignedSample rogue = signed_sample(9, "socket_filter", BPFProgramType::kSocketFilter);
  constexpr int kClients = 32;
  constexpr int kRequests = 100;
  std::atomic<int> loads{0}, denials{0}, failures{0};
  auto round = [&](int from, int to) {
    std::vector<std::thread> threads;
    for (int t = 0; t < kClients; ++t) {
      threads.emplace_back([&, t] {
        auto client = gate::GateClient::connect(socket_path(), std::chrono::seconds(30));
        if (!client.ok()) {
          failures += to - from;
          return;
        }
        for (int i = from; i < to; ++i) {
          const SignedSample& s = (i + t) % 10 == 0 ? rogue : allowed;
          auto reply = client->load({.envelope = as_bytes(s.envelope),
                                     .object = std::span<const std::uint8_t>(s.object),
                                     .transport = (i % 2) == 0 ? gate::Transport::kMemfd
                                                                        : gate::Transport::kInline});
          if (!reply.ok() || !reply->ok) {
            failures++;
          } else if (reply->loaded()) {
            loads++;
          } else if (reply->denied()) {
            denials++;
          } else {
            failures++;
          }
        }  // each reply's fds close here: nothing stays loaded
      });
    }
    for (auto& th : threads) th.join();
  };
  round(0, 20);
  const long rss_warm = rss_kib(pid_);
  ::kill(pid_, SIGHUP);  // a reload in the middle of the traffic
  round(20, kRequests);
  const long rss_end = rss_kib(pid_);

  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(loads + denials, kClients * kRequests);
  EXPECT_EQ(denials.load(), kClients * kRequests / 10);
  if (PQBPF_SANITIZED_BUILD) {
    std::printf("RSS bound not checked in a sanitizer build (ASan's quarantine holds freed memory): "
                "%ld -> %ld KiB\n", rss_warm, rss_end);
  } else {
    EXPECT_LT(rss_end - rss_warm, 16 * 1024)
        << "RSS grew from " << rss_warm << " KiB to " << rss_end << " KiB";
  }
  const auto st = status();
  EXPECT_EQ(st["counters"]["loaded"], loads.load());
  EXPECT_EQ(st["counters"]["reloads"], 1);
  // 3200 loads' programs are freed asynchronously after their last close.
  EXPECT_EQ(loader::test_util::program_ids_settled_to(before_), before_);

  EXPECT_EQ(terminate(), 0);
  auto report = log::verify_log(log_path(), *log_public_);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->closed);
  // A plain load (fds only) is one record (decision and kernel ids), a denial one.
  EXPECT_EQ(report->attempts, static_cast<std::uint64_t>(loads + denials));
}

// Sends raw bytes (and descriptors) on a fresh connection; returns the reply.
Result<gate::LoadReply> raw(const std::string& socket, std::span<const std::uint8_t> bytes,
                            const std::vector<int>& fds = {}) {
  auto c = gate::GateClient::connect(socket, std::chrono::seconds(10));
  if (!c.ok()) return c.error();
  return c->exchange(bytes, fds);
}

TEST_F(DaemonProcessTest, MalformedRequestsGetErrorsAndTheDaemonKeepsServing) {
  const SignedSample good = signed_sample(7, "xdp_pass", BPFProgramType::kXdp);
  daemon::Request r;
  r.op = daemon::Op::kLoad;
  r.flags = daemon::kFlagReturnFds;
  r.envelope.assign(good.envelope.begin(), good.envelope.end());
  r.object = good.object;
  const std::vector<std::uint8_t> valid = daemon::encode_request(r);

  const std::vector<std::uint8_t> truncated(valid.begin(), valid.begin() + valid.size() / 2);
  const std::vector<std::uint8_t> garbage(4096, 0x5a);
  std::vector<std::uint8_t> oversized(daemon::kMaxInlineRequest + 100, 0);
  std::copy(valid.begin(), valid.begin() + daemon::kRequestHeaderSize, oversized.begin());
  auto memfd = gate::make_sealed_memfd(good.object, "extra");
  ASSERT_TRUE(memfd.ok());

  struct Case {
    const char* what;
    std::span<const std::uint8_t> bytes;
    std::vector<int> fds;
  } cases[] = {{"truncated", truncated, {}},
               {"garbage", garbage, {}},
               {"oversized", oversized, {}},
               {"wrong fd count", valid, {memfd->get()}},
               {"too many fds", valid, std::vector<int>(20, memfd->get())}};
  for (const Case& c : cases) {
    auto reply = raw(socket_path(), c.bytes, c.fds);
    ASSERT_TRUE(reply.ok()) << c.what << ": " << reply.error().message;
    EXPECT_FALSE(reply->ok) << c.what << ": " << reply->json;
    EXPECT_TRUE(reply->error.has_value()) << c.what;
    EXPECT_TRUE(alive()) << c.what << " took the daemon down";
  }

  // A client that connects and never sends: a timeout reply, then closed;
  // meanwhile other clients are served.
  auto silent = gate::GateClient::connect(socket_path(), std::chrono::seconds(10));
  ASSERT_TRUE(silent.ok());
  gate::LoadReply served = load(good);
  EXPECT_TRUE(served.loaded()) << served.json;
  served.fds.clear();
  char buf[4096];
  const ssize_t n = ::recv(silent->fd(), buf, sizeof(buf), 0);
  ASSERT_GT(n, 0) << "no timeout reply";
  EXPECT_NE(std::string(buf, static_cast<std::size_t>(n)).find("timeout"), std::string::npos);
  EXPECT_EQ(::recv(silent->fd(), buf, sizeof(buf), 0), 0) << "the connection is closed after the timeout";

  const auto st = status();
  EXPECT_EQ(st["counters"]["bad_requests"], std::size(cases));
  EXPECT_EQ(st["counters"]["timeouts"], 1);
  EXPECT_TRUE(alive());
  EXPECT_EQ(terminate(), 0);
  // Only the real load attempt is in the log (one record: a plain load);
  // protocol garbage is not an attempt.
  auto report = log::verify_log(log_path(), *log_public_);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->attempts, 1u);
}

// CPU seconds (user + system) the process has used.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string f;
  unsigned long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stoul(f);
    if (i == 15) stime = std::stoul(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

TEST_F(DaemonProcessTest, RunningOutOfDescriptorsDoesNotSpinAndRecovers) {
  if (PQBPF_SANITIZED_BUILD) {
    GTEST_SKIP() << "skipped in a sanitizer build: UBSan's vptr check needs a free descriptor "
                    "(it probes memory through a pipe) and reports false errors in a daemon that "
                    "has none; the normal build runs this test";
  }
  // Lower only the soft limit (raising a hard limit again needs CAP_SYS_RESOURCE).
  rlimit original{};
  ASSERT_EQ(::prlimit(pid_, RLIMIT_NOFILE, nullptr, &original), 0);
  const rlimit low{24, original.rlim_max};
  ASSERT_EQ(::prlimit(pid_, RLIMIT_NOFILE, &low, nullptr), 0);
  std::vector<gate::GateClient> held;  // exhaust the daemon's descriptors
  for (int i = 0; i < 40; ++i) {
    auto c = gate::GateClient::connect(socket_path(), std::chrono::seconds(5));
    if (c.ok()) held.push_back(std::move(c).value());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const double before = cpu_seconds(pid_);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const double used = cpu_seconds(pid_) - before;
  EXPECT_LT(used, 0.15) << "the daemon spins while it cannot accept";
  std::printf("daemon CPU while out of descriptors: %.2f s in 1 s\n", used);
  held.clear();
  ASSERT_EQ(::prlimit(pid_, RLIMIT_NOFILE, &original, nullptr), 0);
  gate::LoadReply reply = load(signed_sample(7, "xdp_pass", BPFProgramType::kXdp));
  EXPECT_TRUE(reply.loaded()) << reply.json;
  EXPECT_TRUE(alive());
}

}  // namespace
}  // namespace pqbpf::testing

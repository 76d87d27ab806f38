// pqc-bpf-gated talks to systemd (Type=notify) through libsystemd: READY=1
// only once its socket answers, RELOADING=1 then READY=1 around a SIGHUP
// reload, STOPPING=1 on SIGTERM. The test plays systemd's part: it listens on
// the datagram socket named by $NOTIFY_SOCKET.
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <poll.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "daemon_test_util.h"

namespace pqbpf::testing {
namespace {

class NotifyTest : public GateFixture {
 protected:
  void SetUp() override {
    GateFixture::SetUp();
    if (IsSkipped()) return;
    std::ofstream(dir_.file("gated.yaml")) << config_text("batch", 2, 2000);
    notify_path_ = dir_.file("notify.sock");
    notify_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(notify_.valid());
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    ASSERT_LT(notify_path_.size(), sizeof(addr.sun_path));
    std::memcpy(addr.sun_path, notify_path_.c_str(), notify_path_.size());
    ASSERT_EQ(::bind(notify_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0) << std::strerror(errno);
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    GateFixture::TearDown();
  }
  void spawn() {
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      ::setenv("NOTIFY_SOCKET", notify_path_.c_str(), 1);
      ::execl(PQBPF_GATED, "pqc-bpf-gated", "--config", dir_.file("gated.yaml").c_str(), nullptr);
      ::_exit(127);
    }
  }
  // The next notification ("" after 10 s without one).
  std::string next() {
    pollfd p{notify_.get(), POLLIN, 0};
    if (::poll(&p, 1, 10000) != 1) return "";
    char buf[4096];
    const ssize_t n = ::recv(notify_.get(), buf, sizeof(buf), 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
  }
  bool status_answers() {
    auto c = gate::GateClient::connect(socket_path(), std::chrono::seconds(5));
    return c.ok() && c->status().ok();
  }

  std::string notify_path_;
  UniqueFd notify_;
  pid_t pid_ = -1;
};

TEST_F(NotifyTest, ReadyAfterListeningReloadingAroundSighupStoppingOnSigterm) {
  spawn();
  const std::string ready = next();
  EXPECT_NE(ready.find("READY=1"), std::string::npos) << ready;
  EXPECT_NE(ready.find("STATUS=serving, policy sha3-256 "), std::string::npos) << ready;
  EXPECT_TRUE(status_answers()) << "READY=1 came before the socket answered";

  ::kill(pid_, SIGHUP);
  const std::string reloading = next();
  EXPECT_NE(reloading.find("RELOADING=1"), std::string::npos) << reloading;
  EXPECT_NE(reloading.find("MONOTONIC_USEC="), std::string::npos) << reloading;
  const std::string reloaded = next();
  EXPECT_NE(reloaded.find("READY=1"), std::string::npos) << reloaded;

  ::kill(pid_, SIGTERM);
  const std::string stopping = next();
  EXPECT_NE(stopping.find("STOPPING=1"), std::string::npos) << stopping;
  int status = 0;
  ASSERT_EQ(::waitpid(pid_, &status, 0), pid_);
  pid_ = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
}  // namespace pqbpf::testing

// Fixture of the tests that run the real pqc-bpf-gated binary: GateFixture's
// scratch folder, policy and config, the daemon started as a child process
// (durability batch, 4 workers, 1 s request timeout) and killed at the end.
#pragma once

#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "daemon_test_util.h"

namespace pqbpf::testing {

class DaemonProcessTest : public GateFixture {
 protected:
  void SetUp() override {
    GateFixture::SetUp();
    if (IsSkipped()) return;
    write_policy("rules:\n  - program_types: [xdp, socket_filter]\n    allowed_signers: [" + trusted_.str() +
                 "]\n");
    std::ofstream(dir_.file("gated.yaml")) << config_text("batch", 4, 1000);
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      ::execl(PQBPF_GATED, "pqc-bpf-gated", "--config", dir_.file("gated.yaml").c_str(), nullptr);
      ::_exit(127);
    }
    for (int i = 0; i < 200 && !std::filesystem::exists(socket_path()); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ASSERT_TRUE(std::filesystem::exists(socket_path())) << "pqc-bpf-gated did not start";
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    GateFixture::TearDown();
  }
  // SIGTERM, then the exit status.
  int terminate() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  bool alive() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }
  nlohmann::json status() {
    auto c = connect();
    auto s = c.status();
    EXPECT_TRUE(s.ok()) << s.error().message;
    return s.ok() ? nlohmann::json::parse(*s) : nlohmann::json();
  }

  pid_t pid_ = -1;
};

}  // namespace pqbpf::testing

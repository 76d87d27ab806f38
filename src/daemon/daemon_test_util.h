// Shared fixture of the daemon tests: a scratch folder with a policy, a log
// key and a config; a private bpffs as pin root; signed samples (the real
// examples/bpf objects) from a trusted and a rogue signer; and a GateServer
// running in this process on a temp socket.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <thread>

#include "attest_test_util.h"
#include "bpffs_test_util.h"
#include "program_ids_test_util.h"
#include "pqbpf/core/identity.h"
#include "pqbpf/core/key_file.h"
#include "pqbpf/daemon/server.h"
#include "pqbpf/gate/client.h"
#include "pqbpf/loader/loader.h"
#include "pqbpf/log/log_reader.h"
#include "pqbpf/log/log_verify.h"

namespace pqbpf::testing {

inline std::span<const std::uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

struct SignedSample {
  std::string envelope;
  std::vector<std::uint8_t> object;
};

inline SignedSample signed_sample(std::uint8_t signer_fill, const std::string& name, BPFProgramType type) {
  const BPFSigner s = signer(signer_fill);
  const auto sp = sign_ok(s, program(name, type), fixed_time_options());
  return {sp.to_json(), object_bytes(name)};
}

class GateFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF) to load programs";
    bpffs_ = std::make_unique<TempBpffs>();
    if (!bpffs_->ok()) GTEST_SKIP() << "no private bpffs: " << bpffs_->why();
    trusted_ = Did::from_public_key(key_pair(7).public_key);
    write_policy(default_policy());
    auto log_key = Identity::create("audit-log", {"log"});
    ASSERT_TRUE(log_key.ok());
    ASSERT_TRUE(save_key_file(dir_.file("log.key"), *log_key).ok());
    log_public_.emplace(log_key->public_key());
    before_ = loader::kernel_program_ids();
  }

  void TearDown() override {
    stop();
    if (bpffs_ && bpffs_->ok()) {
      std::error_code ec;
      std::filesystem::remove_all(bpffs_->path() + "/root", ec);
    }
    bpffs_.reset();
    if (!before_.empty() || ::geteuid() == 0) {
      EXPECT_EQ(loader::test_util::program_ids_settled_to(before_), before_) << "a test left a program loaded";
    }
  }

  // xdp and socket filters from the trusted signer; socket filters of at
  // most 64 bytes (so the socket_filter sample is "oversize").
  std::string default_policy() const {
    return "rules:\n"
           "  - name: net\n    program_types: [xdp]\n    allowed_signers: [" +
           trusted_.str() +
           "]\n"
           "  - name: tiny\n    program_types: [socket_filter]\n    allowed_signers: [" +
           trusted_.str() +
           "]\n"
           "    max_bytecode_size: 64\n";
  }
  void write_policy(const std::string& text) {
    std::ofstream(dir_.file("policy.yaml"), std::ios::trunc) << text;
  }

  std::string config_text(const std::string& durability = "always", unsigned workers = 4,
                          unsigned timeout_ms = 2000) const {
    return "policy: " + dir_.file("policy.yaml") + "\n" + "log:\n  path: " + dir_.file("audit.log") +
           "\n  durability: " + durability + "\n  checkpoint_key: " + dir_.file("log.key") + "\n" +
           "socket:\n  path: " + socket_path() + "\n  mode: \"0600\"\n" + "allowed_uids: [" + allowed_uids_ + "]\n" +
           "pin_root: " + pin_root() + "\n" + "state_dir: " + state_dir() + "\n" +
           "limits:\n  workers: " + std::to_string(workers) +
           "\n  request_timeout_ms: " + std::to_string(timeout_ms) + "\n";
  }

  void start(const std::string& durability = "always", unsigned workers = 4, unsigned timeout_ms = 2000) {
    auto config = daemon::parse_config(config_text(durability, workers, timeout_ms), "test config");
    ASSERT_TRUE(config.ok()) << config.error().message;
    auto server = daemon::GateServer::create(std::move(config).value());
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(server).value();
    thread_ = std::thread([this] { run_status_ = server_->run(); });
  }
  void stop() {
    if (!server_) return;
    server_->request_stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }

  gate::GateClient connect() {
    auto c = gate::GateClient::connect(socket_path(), std::chrono::seconds(10));
    EXPECT_TRUE(c.ok()) << c.error().message;
    return std::move(c).value();
  }

  gate::LoadReply load(const SignedSample& s, gate::ClientLoadRequest extra = {}) {
    extra.envelope = as_bytes(s.envelope);
    extra.object = std::span<const std::uint8_t>(s.object);
    auto client = connect();
    auto reply = client.load(extra);
    EXPECT_TRUE(reply.ok()) << reply.error().message;
    return reply.ok() ? std::move(reply).value() : gate::LoadReply{};
  }

  std::vector<log::LogRecord> records() const {
    auto r = log::read_records(dir_.file("audit.log"));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? std::move(r).value() : std::vector<log::LogRecord>{};
  }

  std::string socket_path() const { return dir_.file("gate.sock"); }
  std::string pin_root() const { return bpffs_->path() + "/root"; }
  std::string log_path() const { return dir_.file("audit.log"); }
  std::string state_dir() const { return dir_.file("state"); }

  ScratchDir dir_;
  std::unique_ptr<TempBpffs> bpffs_;
  Did trusted_ = Did::from_public_key(key_pair(7).public_key);
  std::optional<crypto::mldsa::PublicKey> log_public_;
  std::vector<std::uint32_t> before_;
  std::string allowed_uids_ = "0";
  std::unique_ptr<daemon::GateServer> server_;
  std::thread thread_;
  Status run_status_;
};

}  // namespace pqbpf::testing

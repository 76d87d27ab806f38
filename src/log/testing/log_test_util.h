// Test helpers for the log tests and the append_child helper: a fixed
// ML-DSA-65 log key (deterministic from a one-byte seed, so a child process
// and its parent derive the same key without passing secrets around), and a
// temporary directory removed with everything in it.
#pragma once

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "pqbpf/crypto/mldsa.h"
#include "pqbpf/log/log_signer.h"
#include "pqbpf/log/record.h"

namespace pqbpf::log::testing {

inline crypto::mldsa::KeyPair test_key_pair(std::uint8_t seed_byte = 7) {
  std::array<std::uint8_t, crypto::mldsa::kSeedSize> seed{};
  seed.fill(seed_byte);
  return crypto::mldsa::generate_key_pair(crypto::mldsa::ParameterSet::kMlDsa65, seed);
}

inline LogSigner test_signer(std::uint8_t seed_byte = 7) {
  auto kp = test_key_pair(seed_byte);
  auto signer = LogSigner::create(kp.private_key, kp.public_key);
  if (!signer.ok()) std::abort();
  return std::move(signer).value();
}

inline crypto::mldsa::PublicKey test_public_key(std::uint8_t seed_byte = 7) {
  return test_key_pair(seed_byte).public_key;
}

// A typical attempt; `program` makes records distinguishable.
inline AttemptRecord sample_attempt(const std::string& program, Decision d = Decision::kAllow) {
  AttemptRecord a;
  a.action = "load";
  a.decision = d;
  a.reason = d == Decision::kAllow ? ReasonCode::kAllowed : ReasonCode::kUntrustedSigner;
  a.reason_text = d == Decision::kAllow ? "every check passed" : "signer is not in the allow-list";
  a.actor = Actor::named("admission-controller");
  a.actor.uid = 0;
  a.actor.pid = 4242;
  a.program = program;
  a.program_types = {"kprobe"};
  a.object_sha3_256 = std::string(64, 'a');
  a.signer = "did:pqaid:" + std::string(64, 'b');
  a.envelope_sha3_256 = std::string(64, 'c');
  return a;
}

class TempDir {
 public:
  explicit TempDir(const std::string& base = "/var/tmp") {
    std::string tmpl = base + "/pqbpf-log-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_all_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

}  // namespace pqbpf::log::testing

// Shared fixtures for the attest tests: deterministic ML-DSA-65 keys, the
// test objects compiled by CMake (real .bpf.o files), and a scratch folder.
#pragma once

#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pqbpf/attest/signer.h"
#include "pqbpf/attest/verifier.h"
#include "pqbpf/core/file_io.h"

namespace pqbpf::testing {

namespace mldsa = crypto::mldsa;

inline mldsa::KeyPair key_pair(std::uint8_t fill) {
  std::array<std::uint8_t, mldsa::kSeedSize> seed;
  seed.fill(fill);
  return mldsa::generate_key_pair(mldsa::ParameterSet::kMlDsa65, seed);
}

inline BPFSigner signer(std::uint8_t fill) {
  auto kp = key_pair(fill);
  auto s = BPFSigner::create(kp.private_key, kp.public_key);
  EXPECT_TRUE(s.ok());
  return std::move(s).value();
}

inline std::string object_path(const std::string& name) {
  return std::string(PQBPF_ATTEST_TESTDATA) + "/" + name + ".bpf.o";
}

inline std::vector<std::uint8_t> object_bytes(const std::string& name) {
  auto bytes = read_file(object_path(name), kMaxObjectFileSize);
  EXPECT_TRUE(bytes.ok()) << (bytes.ok() ? "" : bytes.error().message);
  return bytes.ok() ? std::move(bytes).value() : std::vector<std::uint8_t>{};
}

inline BPFProgramMetadata metadata(BPFProgramType type = BPFProgramType::kUnspec) {
  BPFProgramMetadata m;
  m.name = "count_openat";
  m.program_type = type;
  m.attach_point = "do_sys_openat2";
  m.author = "ops-team";
  m.description = "counts openat2 calls";
  m.version = "1.0.0";
  m.kernel_min = "5.8";
  return m;
}

inline BPFProgram program(const std::string& name, BPFProgramType type = BPFProgramType::kUnspec) {
  auto p = BPFProgram::from_bytes(metadata(type), object_bytes(name), object_path(name));
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
  return std::move(p).value();
}

inline SignOptions fixed_time_options(ManifestFormat format = ManifestFormat::kV2) {
  using namespace std::chrono;
  SignOptions o;
  o.format = format;
  o.signed_at = sys_days{year{2026} / November / 29} + hours{12};
  o.mode = mldsa::SigningMode::kDeterministic;
  return o;
}

inline SignedBPFProgram sign_ok(const BPFSigner& s, const BPFProgram& p, const SignOptions& o) {
  auto r = s.sign(p, o);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return std::move(r).value();
}

// A fresh folder under the system temp dir, removed at scope exit.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pqbpf-attest-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : std::string();
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline void write_bytes(const std::string& path, std::span<const std::uint8_t> bytes) {
  ASSERT_TRUE(write_file_atomic(path, bytes, WriteOptions{0644, true}).ok());
}

inline void write_text(const std::string& path, std::string_view text) {
  ASSERT_TRUE(write_file_atomic(path, text, WriteOptions{0644, true}).ok());
}

}  // namespace pqbpf::testing

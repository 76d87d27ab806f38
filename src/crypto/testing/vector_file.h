// Small helpers for the vector-driven crypto tests: locate and load a JSON
// vector file from PQBPF_SHARED_DIR, decode hex (either case, as ACVP uses
// upper case and Wycheproof lower case), and keep the per-file tally that
// each test prints as "N passed, 0 failed, M skipped".
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pqbpf::testing {

// True when the shared vector folder is configured (PQBPF_HAVE_SHARED=ON).
inline bool have_shared() {
  const char* v = std::getenv("PQBPF_HAVE_SHARED");
  return v != nullptr && std::string(v) == "ON";
}

inline std::string shared_path(const std::string& relative) {
  const char* dir = std::getenv("PQBPF_SHARED_DIR");
  return std::string(dir != nullptr ? dir : "") + "/" + relative;
}

// Parses the file; returns nullopt (and records a test failure) when it is
// missing or not JSON.
inline std::optional<nlohmann::json> load_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot open vector file " << path;
    return std::nullopt;
  }
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    ADD_FAILURE() << "vector file is not valid JSON: " << path;
    return std::nullopt;
  }
  return j;
}

inline std::vector<std::uint8_t> hex(const std::string& s) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::vector<std::uint8_t> out;
  if (s.size() % 2 != 0) {
    ADD_FAILURE() << "odd-length hex string";
    return out;
  }
  out.reserve(s.size() / 2);
  for (std::size_t i = 0; i < s.size(); i += 2) {
    const int hi = nibble(s[i]);
    const int lo = nibble(s[i + 1]);
    if (hi < 0 || lo < 0) {
      ADD_FAILURE() << "bad hex character";
      return {};
    }
    out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return out;
}

// hex of a JSON string field, or an empty vector when the field is absent or
// null.
inline std::vector<std::uint8_t> hex_field(const nlohmann::json& obj, const char* name) {
  if (!obj.contains(name) || obj[name].is_null()) return {};
  return hex(obj[name].get<std::string>());
}

// Per-file tally. Each case ends in exactly one of pass / fail / skip.
class Tally {
 public:
  explicit Tally(std::string file) : file_(std::move(file)) {}
  void pass() { ++passed_; }
  void fail(const std::string& what) {
    ++failed_;
    ADD_FAILURE() << file_ << ": " << what;
  }
  void skip(const std::string& why) {
    ++skipped_;
    std::cout << file_ << ": skipped: " << why << "\n";
  }
  // Records a pass if ok, else a failure with the message.
  void check(bool ok, const std::string& what) { ok ? pass() : fail(what); }
  int total() const { return passed_ + failed_ + skipped_; }
  int failed() const { return failed_; }

  // Prints the closing line and checks that every case of the file ran.
  void finish(int cases_in_file) {
    std::cout << file_ << ": " << passed_ << " passed, " << failed_ << " failed, " << skipped_
              << " skipped" << std::endl;
    EXPECT_EQ(total(), cases_in_file) << file_ << ": not every case of the file was run";
    EXPECT_EQ(failed_, 0) << file_;
    EXPECT_GT(cases_in_file, 0) << file_ << ": no cases";
  }

 private:
  std::string file_;
  int passed_ = 0;
  int failed_ = 0;
  int skipped_ = 0;
};

}  // namespace pqbpf::testing

// Scratch file for the audit log fuzz targets: the log reader and verifier
// take a path (they also look for rotated siblings), so each input is written
// to one file in a private temporary directory, reused across inputs.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace fuzz {

inline const std::string& scratch_log_path() {
  static const std::string path = [] {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/pqbpf-fuzz-log.XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      std::abort();
    }
    return pattern + "/audit.log";
  }();
  return path;
}

// Replaces the scratch log's contents with `data`.
inline void write_scratch_log(const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(scratch_log_path().c_str(), "wb");
  if (f == nullptr) {
    std::perror("fopen");
    std::abort();
  }
  if (size != 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
}

}  // namespace fuzz

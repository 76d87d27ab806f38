// Internal: reads a log file line by line through a fixed buffer, so files
// of any size are read in bounded memory. A line longer than kMaxRecordBytes
// is returned cut short with `too_long` set (the caller reports it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pqbpf/result.h"

namespace pqbpf::log::internal {

struct Line {
  std::string text;             // without the newline
  bool terminated = false;      // ended with '\n' (false only for a final fragment)
  bool too_long = false;
  std::uint64_t number = 0;     // 1-based line number
  std::uint64_t offset = 0;     // byte offset of the line start
};

class LineReader {
 public:
  static Result<LineReader> open(const std::string& path);
  LineReader(LineReader&& other) noexcept;
  LineReader& operator=(LineReader&&) = delete;
  ~LineReader();
  // false at end of file.
  Result<bool> next(Line& line);

 private:
  LineReader(int fd, std::string path) : fd_(fd), path_(std::move(path)), buf_(1 << 16) {}
  Status fill();
  int fd_;
  std::string path_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, len_ = 0;
  bool eof_ = false;
  std::uint64_t line_no_ = 0;
  std::uint64_t offset_ = 0;
};

}  // namespace pqbpf::log::internal

// Internal: finding the last whole record of a log file by reading backwards
// from its end, and moving a torn tail (a crash mid-write) aside.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pqbpf/log/record.h"
#include "pqbpf/result.h"

namespace pqbpf::log::internal {

struct Tail {
  std::uint64_t size = 0;      // file size when scanned
  std::uint64_t good_end = 0;  // offset just past the newline of the last whole record
  std::optional<LogRecord> last;
  ChainHash last_hash{};
  bool torn() const { return good_end != size; }
};

// Reads at most the last 256 KiB. Bytes after the last newline, and whole
// lines at the end that do not parse as records, are the torn tail. Fails if
// no parsable record is found in the window and the window does not reach
// the start of the file (more damage than a crash can cause).
Result<Tail> scan_tail(int fd, const std::string& label);

// Appends bytes [good_end, size) to `<path>.torn` as one JSON line (time,
// offset, length, base64 bytes), fsyncs it, then truncates the log to
// good_end and fsyncs it. The caller holds the log lock.
Status move_torn_tail(int fd, const std::string& path, const Tail& tail);

// Writes all of `data` at the end of fd (retrying short writes and EINTR).
Status write_all(int fd, std::string_view data, const std::string& label);
Status fsync_directory_of(const std::string& path);

}  // namespace pqbpf::log::internal

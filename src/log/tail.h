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

// Reads at most the last 256 KiB. Only the bytes after the last newline
// (an unterminated fragment) are a torn tail; the last complete line must
// parse as a record, otherwise this fails (kParse) and nothing is touched:
// recovery never moves complete lines. Also fails if the last complete line
// does not fit in the window.
Result<Tail> scan_tail(int fd, const std::string& label);

// What recovery moved aside, for the `recovered` record.
struct TornMove {
  std::string torn_path;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::string sha3_hex;  // of the moved bytes
};

// Appends bytes [good_end, size) to `<path>.torn` as one JSON line (time,
// offset, length, base64 bytes), fsyncs it, then truncates the log to
// good_end and fsyncs it. The caller holds the log lock. Refuses (kParse,
// nothing moved) a fragment that cannot be the start of a record our writer
// wrote: it must begin like one ({"v":1,"seq":) or be all zero bytes (a
// block a power loss left unwritten).
Result<TornMove> move_torn_tail(int fd, const std::string& path, const Tail& tail);

// Writes all of `data` at the end of fd (retrying short writes and EINTR).
Status write_all(int fd, std::string_view data, const std::string& label);
Status fsync_directory_of(const std::string& path);

}  // namespace pqbpf::log::internal

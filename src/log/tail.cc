// Backward scan for the last whole record, and crash recovery of a torn tail.
#include "tail.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <vector>
#include <algorithm>
#include <span>

#include "pqbpf/core/base64.h"
#include "pqbpf/log/log_files.h"
#include "pqbpf/crypto/sha3.h"
#include "safe_file.h"

namespace pqbpf::log::internal {
namespace {

constexpr std::uint64_t kWindow = 4 * kMaxRecordBytes;

}  // namespace

Status write_all(int fd, std::string_view data, const std::string& label) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(label, "write failed", errno);
    }
    if (n == 0) return make_error(ErrorCode::kIo, label + ": write made no progress");
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok_status();
}

Status fsync_directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return io_error(dir, "cannot open directory", errno);
  const int rc = ::fsync(dfd);
  const int err = errno;
  ::close(dfd);
  if (rc != 0) return io_error(dir, "fsync of directory failed", err);
  return ok_status();
}

namespace {

// One backward scan over the last `window` bytes. Sets `conclusive` when a
// parsable record was found or the window reached the start of the file.
Result<Tail> scan_window(int fd, const std::string& label, std::uint64_t size,
                         std::uint64_t window, bool& conclusive) {
  Tail tail;
  tail.size = size;
  conclusive = false;
  const std::uint64_t start = size > window ? size - window : 0;
  std::vector<char> buf(size - start);
  std::size_t got = 0;
  while (got < buf.size()) {
    const ssize_t n = ::pread(fd, buf.data() + got, buf.size() - got,
                              static_cast<off_t>(start + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(label, "read failed", errno);
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  buf.resize(got);
  const std::string_view text(buf.data(), buf.size());
  // Only bytes after the last newline may be a crash fragment; the last
  // complete line must be one of our records, or we touch nothing.
  const std::size_t line_end = text.rfind('\n');
  if (line_end == std::string_view::npos) {
    conclusive = start == 0;  // no newline at all: the whole file is a fragment
    tail.good_end = 0;
    return tail;
  }
  const std::size_t prev_nl = line_end == 0 ? std::string_view::npos : text.rfind('\n', line_end - 1);
  std::size_t line_start;
  if (prev_nl != std::string_view::npos) {
    line_start = prev_nl + 1;
  } else if (start == 0) {
    line_start = 0;
  } else {
    return tail;  // the line runs past the window: inconclusive
  }
  const std::string_view line = text.substr(line_start, line_end - line_start);
  auto record = parse_record(line, label);
  if (!record.ok()) {
    return make_error(ErrorCode::kParse,
                      label + ": the last complete line (bytes " + std::to_string(start + line_start) +
                          "-" + std::to_string(start + line_end) +
                          ") is not an audit log record; refusing to write to or recover this "
                          "file (it is not our log, or it was damaged or edited: check it with "
                          "'pqc-bpf log verify')");
  }
  tail.good_end = start + line_end + 1;
  tail.last_hash = record_hash(line);
  tail.last = std::move(record).value();
  conclusive = true;
  return tail;
}

}  // namespace

Result<Tail> scan_tail(int fd, const std::string& label) {
  const off_t end = ::lseek(fd, 0, SEEK_END);
  if (end < 0) return io_error(label, "cannot seek", errno);
  const std::uint64_t size = static_cast<std::uint64_t>(end);
  if (size == 0) return Tail{};
  // Usually the last record fits in a small window; widen only if not.
  for (std::uint64_t window : {std::uint64_t{16384}, kWindow}) {
    bool conclusive = false;
    PQBPF_ASSIGN_OR_RETURN(Tail tail, scan_window(fd, label, size, window, conclusive));
    if (conclusive) return tail;
    if (window >= size) break;
  }
  return make_error(ErrorCode::kParse,
                    label + ": no readable record in the last 256 KiB; run 'pqc-bpf log verify'");
}

static bool could_be_our_fragment(std::span<const std::uint8_t> bytes) {
  static constexpr std::string_view kStart = "{\"v\":1,\"seq\":";
  const std::size_t n = std::min(bytes.size(), kStart.size());
  if (std::equal(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n), kStart.begin())) {
    return true;
  }
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

Result<TornMove> move_torn_tail(int fd, const std::string& path, const Tail& tail) {
  if (!tail.torn()) return TornMove{};
  std::vector<std::uint8_t> bytes(tail.size - tail.good_end);
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::pread(fd, bytes.data() + got, bytes.size() - got,
                              static_cast<off_t>(tail.good_end + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(path, "read of torn tail failed", errno);
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  bytes.resize(got);
  if (!could_be_our_fragment(bytes)) {
    return make_error(ErrorCode::kParse,
                      path + ": the " + std::to_string(bytes.size()) + " bytes after offset " +
                          std::to_string(tail.good_end) +
                          " are not the start of an audit record; refusing to move them (this "
                          "is not a crash fragment of our writer: check the file)");
  }
  std::string entry = "{\"time\":\"" + now_rfc3339() + "\",\"offset\":" +
                      std::to_string(tail.good_end) + ",\"length\":" +
                      std::to_string(bytes.size()) + ",\"bytes_b64\":\"" + base64_encode(bytes) +
                      "\"}\n";
  const std::string torn_path = torn_file_path(path);
  PQBPF_ASSIGN_OR_RETURN(const int tfd,
                         open_owned_file(torn_path, O_WRONLY | O_APPEND | O_CREAT, 0640,
                                         "torn-tail file"));
  Status st = write_all(tfd, entry, torn_path);
  if (st.ok() && ::fsync(tfd) != 0) st = io_error(torn_path, "fsync failed", errno);
  ::close(tfd);
  if (!st.ok()) return st.error();
  if (::ftruncate(fd, static_cast<off_t>(tail.good_end)) != 0) {
    return io_error(path, "cannot truncate torn tail", errno);
  }
  if (::fdatasync(fd) != 0) return io_error(path, "fsync failed", errno);
  return TornMove{torn_path, tail.good_end, bytes.size(),
                  crypto::to_hex(crypto::sha3_256(bytes))};
}

}  // namespace pqbpf::log::internal

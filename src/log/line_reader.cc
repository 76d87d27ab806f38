// Buffered, bounded line reading (see line_reader.h).
#include "line_reader.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "pqbpf/log/record.h"
#include "safe_file.h"

namespace pqbpf::log::internal {

Result<LineReader> LineReader::open(const std::string& path) {
  // A symlink, FIFO or device planted at a log path must not hang or feed
  // the reader.
  PQBPF_ASSIGN_OR_RETURN(const int fd, open_regular_file_for_reading(path));
  return LineReader(fd, path);
}

LineReader::LineReader(LineReader&& o) noexcept
    : fd_(o.fd_), path_(std::move(o.path_)), buf_(std::move(o.buf_)), pos_(o.pos_), len_(o.len_),
      eof_(o.eof_), line_no_(o.line_no_), offset_(o.offset_) {
  o.fd_ = -1;
}

LineReader::~LineReader() {
  if (fd_ >= 0) ::close(fd_);
}

Status LineReader::fill() {
  pos_ = 0;
  len_ = 0;
  while (true) {
    const ssize_t n = ::read(fd_, buf_.data(), buf_.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(ErrorCode::kIo, path_ + ": read failed: " + std::strerror(errno));
    }
    if (n == 0) eof_ = true;
    len_ = static_cast<std::size_t>(n);
    return ok_status();
  }
}

Result<bool> LineReader::next(Line& line) {
  line.text.clear();
  line.terminated = false;
  line.too_long = false;
  line.offset = offset_;
  bool any = false;
  while (true) {
    if (pos_ == len_) {
      if (eof_) break;
      PQBPF_RETURN_IF_ERROR(fill());
      if (len_ == 0) break;
    }
    const char* start = buf_.data() + pos_;
    const void* nl = std::memchr(start, '\n', len_ - pos_);
    const std::size_t take = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - start)
                                : len_ - pos_;
    any = true;
    const std::size_t room = kMaxRecordBytes + 1 - std::min(line.text.size(), kMaxRecordBytes + 1);
    if (take > room) line.too_long = true;
    line.text.append(start, std::min(take, room));
    pos_ += take;
    offset_ += take;
    if (nl) {
      ++pos_;
      ++offset_;
      line.terminated = true;
      break;
    }
  }
  if (!any) return false;
  line.number = ++line_no_;
  return true;
}

}  // namespace pqbpf::log::internal

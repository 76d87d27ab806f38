// What one durable record costs on the disk under a bench's work directory,
// whatever writes it: an append of a record-sized line and its fdatasync.
// gate_bench and transparent_gate_bench time it beside their loads (as the
// benchmark bare_write_fdatasync) to print a "disk floor": with one
// single-threaded client every durable load waits for one fdatasync, so no
// gate can beat (bare load + fdatasync) / bare load on this disk.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

namespace pqbpf::bench {

// About the size of one load's record in the audit log.
constexpr std::size_t kRecordBytes = 1536;

// An append-only file in `dir`, removed again at the end.
class WriteFdatasync {
 public:
  explicit WriteFdatasync(const std::string& dir) : path_(dir + "/fdatasync-probe"), line_(kRecordBytes, 'x') {
    line_.back() = '\n';
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    // One untimed round first: on ext4 (data=ordered) the first fdatasync
    // commits the journal with every file's dirty data, e.g. the megabytes a
    // durability-none run just wrote, which is not this disk's per-record cost.
    if (fd_ >= 0) (void)once();
  }
  ~WriteFdatasync() {
    if (fd_ < 0) return;
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  WriteFdatasync(const WriteFdatasync&) = delete;
  WriteFdatasync& operator=(const WriteFdatasync&) = delete;

  bool ok() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }
  // One record-sized append and its fdatasync; false if either failed.
  bool once() {
    return ::write(fd_, line_.data(), line_.size()) == static_cast<ssize_t>(line_.size()) &&
           ::fdatasync(fd_) == 0;
  }

 private:
  std::string path_;
  std::string line_;
  int fd_ = -1;
};

// The p-quantile (0..1) of `v`, 0 when empty.
inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace pqbpf::bench

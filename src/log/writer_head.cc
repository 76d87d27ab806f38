// The writer's view of the chain head: taking the lock (or keeping a lease),
// finding where the chain ends when another process may have appended or
// rotated, and moving a torn tail aside before anything is written (design in
// log_writer.h and docs/AUDIT_LOG.md).
#include <cerrno>
#include <fcntl.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pqbpf/log/log_files.h"
#include "pqbpf/log/log_writer.h"
#include "lock_waiters.h"
#include "safe_file.h"
#include "tail.h"

namespace pqbpf::log {

using internal::io_error;

Status LogWriter::lock_and_sync_head() {
  if (locked_) {
    // A lease from our previous commit: we held the lock the whole time, so
    // no other writer can have appended, rotated or recovered since.
    if (fd_ >= 0 && head_known_ && !head_is_rotation_) return ok_status();
  } else {
    if (yield_before_lock_) {
      yield_before_lock_ = false;
      ::sched_yield();
    }
    const std::string& lock_label = path_;
    // Try first: only an uncontended acquisition may become a lease, and
    // only a writer that has to wait tells the holder so.
    bool contended = false;
    while (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      if (errno == EINTR) continue;
      if (errno != EWOULDBLOCK) return io_error(lock_file_path(lock_label), "flock failed", errno);
      contended = true;
      break;
    }
    if (contended) {
      if (waiters_) waiters_->begin_wait();
      int rc;
      while ((rc = ::flock(lock_fd_, LOCK_EX)) != 0 && errno == EINTR) {
      }
      const int err = errno;
      if (waiters_) waiters_->end_wait();
      if (rc != 0) return io_error(lock_file_path(lock_label), "flock failed", err);
    }
    locked_ = true;
    lease_ok_ = !contended && options_.lease_max_commits > 1;
    lease_commits_ = 0;
    lease_start_ = std::chrono::steady_clock::now();
  }
  auto fail = [&](Error e) -> Status {
    unlock();
    return e;
  };
  struct stat fs{};
  // Fast path (one fstat): nobody wrote since our last append. A rotation by
  // another process always appends a rotation checkpoint to this file first,
  // so it changes the size; a removed file has no links left.
  if (fd_ >= 0 && head_known_ && !head_is_rotation_) {
    if (::fstat(fd_, &fs) != 0) return fail(io_error(path_, "cannot stat log", errno));
    if (static_cast<std::uint64_t>(fs.st_size) == end_ && fs.st_nlink > 0) return ok_status();
  }
  // Another process may have rotated the file (or it was removed).
  struct stat ps{};
  if (fd_ < 0 || ::lstat(path_.c_str(), &ps) != 0 || ps.st_dev != dev_ || ps.st_ino != ino_) {
    Status st = reopen_current();
    if (!st.ok()) return fail(st.error());
  }
  if (::fstat(fd_, &fs) != 0) return fail(io_error(path_, "cannot stat log", errno));
  if (head_known_ && static_cast<std::uint64_t>(fs.st_size) == end_) return ok_status();

  // Someone else appended (or this is the first look): read the head from the end.
  auto tail = internal::scan_tail(fd_, path_);
  if (!tail.ok()) return fail(tail.error());
  end_ = tail->good_end;
  head_is_rotation_ = false;
  if (tail->last) {
    head_seq_ = tail->last->seq;
    head_hex_ = crypto::to_hex(tail->last_hash);
    head_is_checkpoint_ = tail->last->kind == RecordKind::kCheckpoint;
    head_is_close_ = head_is_checkpoint_ && tail->last->trigger == CheckpointTrigger::kClose;
    head_is_rotation_ = head_is_checkpoint_ && tail->last->trigger == CheckpointTrigger::kRotation;
  } else {
    // Empty current file: the chain continues from the newest rotated file.
    head_seq_ = 0;
    head_hex_ = zero_chain_hex();
    head_is_checkpoint_ = false;
    head_is_close_ = false;
    auto files = list_log_files(path_);
    if (files.ok()) {
      const LogFile* newest = nullptr;
      for (const LogFile& f : *files) {
        if (!f.current) newest = &f;
      }
      if (newest != nullptr) {
        auto opened = internal::open_owned_file(newest->path, O_RDONLY, 0, "rotated log file");
        if (!opened.ok()) return fail(opened.error());
        const int rfd = *opened;
        auto rtail = internal::scan_tail(rfd, newest->path);
        ::close(rfd);
        if (!rtail.ok()) return fail(rtail.error());
        if (rtail->torn() || !rtail->last) {
          return fail(make_error(ErrorCode::kParse,
                                 newest->path + ": rotated log file does not end with a whole "
                                                "record; run 'pqc-bpf log verify'"));
        }
        head_seq_ = rtail->last->seq;
        head_hex_ = crypto::to_hex(rtail->last_hash);
        head_is_checkpoint_ = rtail->last->kind == RecordKind::kCheckpoint;
        head_is_close_ = false;  // a rotated file ends in its rotation checkpoint
      }
    }
  }
  // Before anything is written: a log cut back past its witness is refused.
  if (Status st = check_witness_locked(); !st.ok()) {
    head_known_ = false;
    return fail(st.error());
  }
  head_known_ = true;
  if (tail->torn()) {
    // Only an unterminated fragment is ever moved, and the log says so.
    auto moved = internal::move_torn_tail(fd_, path_, *tail);
    if (!moved.ok()) {
      head_known_ = false;
      return fail(moved.error());
    }
    Status st = append_recovered_locked(moved->torn_path, moved->offset, moved->length,
                                        moved->sha3_hex);
    if (!st.ok()) {
      head_known_ = false;
      return fail(st.error());
    }
  }
  return ok_status();
}

}  // namespace pqbpf::log

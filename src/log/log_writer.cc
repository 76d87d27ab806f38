// The append path: group commit, fsync, checkpoints, rotation, fail-closed
// truncation (design notes in log_writer.h and docs/AUDIT_LOG.md). Taking the
// lock and finding the chain head is writer_head.cc; the witness is
// writer_witness.cc.
#include "pqbpf/log/log_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pqbpf/core/base64.h"
#include "pqbpf/core/file_io.h"
#include "pqbpf/log/log_files.h"
#include "pqbpf/log/witness.h"
#include "lock_waiters.h"
#include "safe_file.h"
#include "tail.h"
#include "writer_request.h"

namespace pqbpf::log {

using internal::io_error;

std::string_view durability_name(Durability d) {
  switch (d) {
    case Durability::kAlways: return "always";
    case Durability::kBatch: return "batch";
    case Durability::kNone: return "none";
  }
  return "always";
}

Result<Durability> parse_durability(std::string_view name) {
  if (name == "always") return Durability::kAlways;
  if (name == "batch") return Durability::kBatch;
  if (name == "none") return Durability::kNone;
  return make_error(ErrorCode::kInvalidArgument,
                    "unknown durability '" + std::string(name.substr(0, 40)) +
                        "': expected always, batch or none");
}

LogWriter::LogWriter(std::string path, LogSigner signer, LogOptions options, std::string host)
    : path_(std::move(path)),
      signer_(std::move(signer)),
      options_(std::move(options)),
      host_(std::move(host)),
      witness_path_(options_.witness_path ? *options_.witness_path
                                          : default_witness_path(path_)) {}

Result<std::unique_ptr<LogWriter>> LogWriter::open(const std::string& path, LogSigner signer,
                                                   const LogOptions& options) {
  if (path.empty()) return make_error(ErrorCode::kInvalidArgument, "log path is empty");
  PQBPF_RETURN_IF_ERROR(check_path_text(path));
  if (options.witness_path) PQBPF_RETURN_IF_ERROR(check_path_text(*options.witness_path));
  if (options.checkpoint_every == 0) {
    return make_error(ErrorCode::kInvalidArgument, path + ": checkpoint interval must be >= 1");
  }
  if (options.max_batch == 0) {
    return make_error(ErrorCode::kInvalidArgument, path + ": max_batch must be >= 1");
  }
  std::string host;
  if (options.host) {
    host = *options.host;
  } else {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) == 0) host = buf;
  }
  std::unique_ptr<LogWriter> w(
      new LogWriter(path, std::move(signer), options, std::move(host)));
  if (Status st = w->open_files(); !st.ok()) {
    w->closed_ = true;  // the destructor only releases the descriptors
    return st.error();
  }
  return w;
}

LogWriter::~LogWriter() {
  (void)close();
  if (fd_ >= 0) ::close(fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Status LogWriter::open_files() {
  PQBPF_RETURN_IF_ERROR(internal::check_log_directory(path_));
  if (!witness_path_.empty()) PQBPF_RETURN_IF_ERROR(internal::check_log_directory(witness_path_));
  const std::string lock_path = lock_file_path(path_);
  PQBPF_ASSIGN_OR_RETURN(lock_fd_,
                         internal::open_owned_file(lock_path, O_RDWR | O_CREAT, 0640, "lock file"));
  waiters_ = internal::LockWaiters::map(lock_fd_);
  lease_hold_ = waiters_ ? options_.lease_max_hold
                         : std::min(options_.lease_max_hold, std::chrono::microseconds(1000));
  // Checks the witness, recovers a torn tail.
  PQBPF_RETURN_IF_ERROR(lock_and_sync_head());
  unlock();
  return ok_status();
}

Status LogWriter::reopen_current() {
  if (fd_ >= 0) ::close(fd_);
  head_known_ = false;
  fd_ = -1;
  PQBPF_ASSIGN_OR_RETURN(fd_, internal::open_owned_file(path_, O_RDWR | O_APPEND | O_CREAT, 0640,
                                                        "log file"));
  struct stat st{};
  if (::fstat(fd_, &st) != 0) return io_error(path_, "cannot stat log", errno);
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  if (st.st_size == 0) {
    // Possibly just created: make its name durable.
    PQBPF_RETURN_IF_ERROR(internal::fsync_directory_of(path_));
  }
  return ok_status();
}

void LogWriter::unlock() {
  // Gathered kNone records go out before anyone else may write.
  if (!unwritten_.empty()) {
    if (Status st = flush_unwritten(); !st.ok()) deferred_error_ = st.error();
  }
  if (lock_fd_ >= 0 && locked_) ::flock(lock_fd_, LOCK_UN);
  locked_ = false;
}

void LogWriter::end_locked_section() {
  if (!locked_) return;
  if (closed_ || !lease_ok_ || options_.lease_max_commits <= 1 || !head_known_) {
    unlock();
    return;
  }
  ++lease_commits_;
  if (lease_commits_ >= options_.lease_max_commits ||
      std::chrono::steady_clock::now() - lease_start_ >= lease_hold_ ||
      (waiters_ && waiters_->someone_waits())) {
    // Bounded lease, or a writer waits: let it in before we take the lock again.
    unlock();
    yield_before_lock_ = true;
    return;
  }
  if (!lease_thread_.joinable()) {
    try {
      lease_thread_ = std::thread([this] { lease_loop(); });
    } catch (...) {
      unlock();  // no helper to bound an idle lease: do not keep one
      return;
    }
  }
  // A new lease: wake the helper only if it is parked; one in a timed wait
  // wakes at the old deadline and re-reads lease_start_ (saves a futex wake
  // per lease on the append path).
  if (lease_commits_ == 1 && helper_parked_) lease_cv_.notify_one();
}

// Releases an idle lease once it reaches its bound, or at once when another
// writer starts waiting for the lock, so a writer that stops appending never
// keeps others out.
void LogWriter::lease_loop() {
  std::unique_lock<std::mutex> lk(commit_mu_);
  while (!lease_stop_) {
    if (!locked_) {
      helper_parked_ = true;
      lease_cv_.wait(lk);
      helper_parked_ = false;
      continue;
    }
    const auto deadline = lease_start_ + lease_hold_;
    // The generation first: a waiter that arrives after the check below
    // has moved it on, so the sleep returns at once.
    const std::uint32_t generation = waiters_ ? waiters_->generation() : 0;
    if (std::chrono::steady_clock::now() >= deadline || (waiters_ && waiters_->someone_waits())) {
      unlock();
      continue;
    }
    if (!waiters_) {
      lease_cv_.wait_until(lk, deadline);
      continue;
    }
    // Sleep on the shared futex (a new waiter or close() wakes it); a new
    // lease in this process re-reads lease_start_ at the old deadline.
    lk.unlock();
    waiters_->sleep(generation, deadline - std::chrono::steady_clock::now());
    lk.lock();
  }
}

Result<std::string> LogWriter::make_checkpoint_line(std::uint64_t seq, const std::string& prev_hex,
                                                    CheckpointTrigger trigger) {
  CheckpointBody body;
  body.seq = seq;
  body.time = now_rfc3339();
  body.host = host_;
  body.trigger = trigger;
  body.count = seq - 1;
  body.signer = signer_.did().str();
  body.prev = prev_hex;
  auto sig = signer_.sign_checkpoint(body);
  if (!sig.ok()) {
    return make_error(sig.error().code, path_ + ": cannot sign checkpoint: " + sig.error().message);
  }
  return serialize_checkpoint_line(body, base64_encode(*sig));
}

bool LogWriter::may_gather() const {
  return options_.durability == Durability::kNone && locked_ && lease_ok_ &&
         options_.lease_max_commits > 1 && !closed_;
}

Status LogWriter::write_and_sync(const std::string& bytes, bool force_sync,
                                 std::size_t records) {
  if (!force_sync && may_gather() && unwritten_.size() + bytes.size() <= kMaxGatherBytes) {
    // kNone under a lease: nobody else can write until we unlock, and
    // unlock() writes these first (see log_writer.h for the loss bound).
    unwritten_ += bytes;
    unwritten_records_ += records;
    return ok_status();
  }
  const bool sync = force_sync || (options_.durability != Durability::kNone && !defer_sync_);
  if (unwritten_.empty()) return write_out(bytes, 0, sync);
  const std::size_t earlier = unwritten_records_;
  unwritten_ += bytes;
  return write_out(unwritten_, earlier, sync);
}

Status LogWriter::flush_unwritten() {
  if (unwritten_.empty()) return ok_status();
  return write_out(unwritten_, unwritten_records_, false);
}

Status LogWriter::write_out(const std::string& data, std::size_t acknowledged, bool sync) {
  Status st = internal::write_all(fd_, data, path_);
  if (st.ok() && sync) {
    if (::fdatasync(fd_) != 0) {
      st = io_error(path_, "fsync failed", errno);
    } else {
      ++stats_.syncs;
    }
  }
  const std::size_t written = data.size();  // `data` may be unwritten_: read it first
  unwritten_.clear();
  unwritten_records_ = 0;
  if (unwritten_.capacity() > 4 * kMaxGatherBytes) unwritten_.shrink_to_fit();
  if (!st.ok()) {
    // The checkpoint (if any) in these bytes is being cut off: not witnessed.
    pending_witness_seq_.reset();
    // Fail closed: cut the unacknowledged bytes off again. If even that
    // fails, the next append's recovery moves a partial line aside.
    if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0) head_known_ = false;
    if (acknowledged != 0) {
      // Gathered records were acknowledged already: the chain head we hold
      // went with them, so read it from the file again.
      head_known_ = false;
      return make_error(st.error().code,
                        st.error().message + "; " + std::to_string(acknowledged) +
                            " acknowledged records (durability none) were lost with it");
    }
    return st;
  }
  end_ += written;
  if (sync) store_pending_witness();
  return ok_status();
}

void LogWriter::store_pending_witness() {
  if (!pending_witness_seq_) return;
  // The checkpoint is durable now: record it outside the log. A failure
  // fails the next append (the records themselves are durable).
  const Witness w{*pending_witness_seq_, pending_witness_hex_};
  pending_witness_seq_.reset();
  if (witness_path_.empty()) return;
  if (Status ws = write_witness(witness_path_, w); !ws.ok()) {
    deferred_error_ =
        make_error(ws.error().code, "cannot update the log witness: " + ws.error().message);
  } else {
    witness_floor_ = std::max(witness_floor_, w.seq);
  }
}

Status LogWriter::append_checkpoint_locked(CheckpointTrigger trigger) {
  PQBPF_ASSIGN_OR_RETURN(std::string line, make_checkpoint_line(head_seq_ + 1, head_hex_, trigger));
  const std::string hex = crypto::to_hex(record_hash(line));
  line.push_back('\n');
  pending_witness_seq_ = head_seq_ + 1;
  pending_witness_hex_ = hex;
  PQBPF_RETURN_IF_ERROR(write_and_sync(line, true));
  head_seq_ += 1;
  head_hex_ = hex;
  head_is_checkpoint_ = true;
  head_is_rotation_ = trigger == CheckpointTrigger::kRotation;
  head_is_close_ = trigger == CheckpointTrigger::kClose;
  return ok_status();
}

Status LogWriter::rotate_if_sealed() {
  if (!head_is_rotation_) return ok_status();
  auto files = list_log_files(path_);
  if (!files.ok()) return files.error();
  // `<path>` must name a file at every instant (verify treats a missing
  // current file after a rotation checkpoint as deletion), so: link the
  // sealed file to its rotated name, then swap an empty successor in over
  // `<path>` with one rename. A crash in between leaves one file under both
  // names, which readers list once and the next writer finishes here.
  std::uint64_t next = 1;
  bool linked = false;
  for (const LogFile& f : *files) {
    if (!f.current && f.index >= next) next = f.index + 1;
    if (f.also_current) linked = true;
  }
  if (!linked) {
    // Never replace a file someone planted under the next name (link(2)
    // does not): take the next free index instead (a few tries, then fail).
    for (int attempt = 0;; ++attempt) {
      const std::string target = rotated_file_path(path_, next + static_cast<std::uint64_t>(attempt));
      Status st = internal::link_no_replace(path_, target);
      if (st.ok()) break;
      if (st.error().code != ErrorCode::kAlreadyExists || attempt == 8) {
        return make_error(st.error().code, path_ + ": cannot rotate: " + st.error().message);
      }
    }
    PQBPF_RETURN_IF_ERROR(internal::fsync_directory_of(path_));
  }
  const std::string successor = path_ + ".next";
  {
    PQBPF_ASSIGN_OR_RETURN(const int nfd, internal::open_owned_file(successor, O_RDWR | O_CREAT,
                                                                    0640, "new log file"));
    const bool ok = ::ftruncate(nfd, 0) == 0 && ::fsync(nfd) == 0;
    const int err = errno;
    ::close(nfd);
    if (!ok) return io_error(successor, "cannot prepare the new log file", err);
  }
  if (::rename(successor.c_str(), path_.c_str()) != 0) {
    return io_error(successor, "cannot rotate to " + path_, errno);
  }
  PQBPF_RETURN_IF_ERROR(internal::fsync_directory_of(path_));
  const std::uint64_t seq = head_seq_;
  const std::string hex = head_hex_;
  PQBPF_RETURN_IF_ERROR(reopen_current());
  // The chain head is the rotation checkpoint, now in the rotated file.
  head_seq_ = seq;
  head_hex_ = hex;
  head_is_checkpoint_ = true;
  head_is_rotation_ = false;
  end_ = 0;
  head_known_ = true;
  return ok_status();
}

Status LogWriter::seal_and_rotate() {
  if (!head_is_rotation_) PQBPF_RETURN_IF_ERROR(append_checkpoint_locked(CheckpointTrigger::kRotation));
  return rotate_if_sealed();
}

void LogWriter::commit_group(std::span<Request* const> group) {
  auto fail_all = [&](const Error& e) {
    for (Request* r : group) r->result.emplace(e);
  };
  if (closed_) {
    fail_all(make_error(ErrorCode::kInvalidArgument, path_ + ": log is closed"));
    return;
  }
  if (deferred_error_) {
    // A gathered kNone write failed after its appends returned: fail closed
    // on the next append, so the caller learns of it and denies.
    Error e = std::move(*deferred_error_);
    deferred_error_.reset();
    fail_all(e);
    return;
  }
  if (Status st = lock_and_sync_head(); !st.ok()) {
    fail_all(st.error());
    return;
  }
  // A file sealed by a rotation checkpoint (crash before the rename) is
  // renamed before anything else is written.
  if (Status st = rotate_if_sealed(); !st.ok()) {
    unlock();
    fail_all(st.error());
    return;
  }
  const std::uint64_t saved_seq = head_seq_;
  const std::string saved_hex = head_hex_;
  const bool saved_cp = head_is_checkpoint_;
  std::string& bytes = group_bytes_;
  bytes.clear();
  if (bytes.capacity() > (1u << 20)) bytes.shrink_to_fit();
  std::vector<AppendResult> results;
  results.reserve(group.size());
  std::uint64_t seq = head_seq_;
  std::string prev = head_hex_;
  bool last_is_checkpoint = head_is_checkpoint_;
  std::optional<std::uint64_t> cp_seq;  // the group's last interval checkpoint
  std::string cp_hex;
  for (Request* r : group) {
    ++seq;
    const std::size_t line_start = bytes.size();
    append_attempt_line(bytes, seq, now_rfc3339(), host_, r->body, prev);
    prev = crypto::to_hex(record_hash(std::string_view(bytes).substr(line_start)));
    results.push_back(AppendResult{seq, prev});
    bytes.push_back('\n');
    last_is_checkpoint = false;
    if (seq % options_.checkpoint_every == 0) {
      auto cp = make_checkpoint_line(seq + 1, prev, CheckpointTrigger::kInterval);
      if (!cp.ok()) {
        unlock();
        fail_all(cp.error());
        return;
      }
      ++seq;
      prev = crypto::to_hex(record_hash(*cp));
      cp_seq = seq;
      cp_hex = prev;
      bytes += *cp;
      bytes.push_back('\n');
      last_is_checkpoint = true;
    }
  }
  if (cp_seq) {
    pending_witness_seq_ = cp_seq;
    pending_witness_hex_ = cp_hex;
  }
  if (Status st = write_and_sync(bytes, false, group.size()); !st.ok()) {
    head_seq_ = saved_seq;
    head_hex_ = saved_hex;
    head_is_checkpoint_ = saved_cp;
    unlock();
    fail_all(st.error());
    return;
  }
  ++stats_.groups;
  stats_.records += group.size();
  head_seq_ = seq;
  head_hex_ = prev;
  head_is_checkpoint_ = last_is_checkpoint;
  head_is_close_ = false;
  head_is_rotation_ = false;
  // The records are durable; a failed rotation is retried on the next append
  // (and fails that append if the file stays sealed but unrenamed).
  if (options_.rotate_bytes != 0 && end_ + unwritten_.size() >= options_.rotate_bytes) {
    (void)seal_and_rotate();
  }
  end_locked_section();
  for (std::size_t i = 0; i < group.size(); ++i) group[i]->result.emplace(std::move(results[i]));
}

LogWriter::Stats LogWriter::stats() {
  std::lock_guard<std::mutex> lk(commit_mu_);
  return stats_;
}

Status LogWriter::checkpoint() {
  std::lock_guard<std::mutex> lk(commit_mu_);
  if (closed_) return make_error(ErrorCode::kInvalidArgument, path_ + ": log is closed");
  PQBPF_RETURN_IF_ERROR(lock_and_sync_head());
  Status st = ok_status();
  if (head_seq_ > 0 && !head_is_checkpoint_) st = append_checkpoint_locked(CheckpointTrigger::kInterval);
  unlock();
  return st;
}

Status LogWriter::sync() {
  std::lock_guard<std::mutex> lk(commit_mu_);
  if (closed_ || fd_ < 0) return make_error(ErrorCode::kInvalidArgument, path_ + ": log is closed");
  PQBPF_RETURN_IF_ERROR(flush_unwritten());
  if (::fdatasync(fd_) != 0) return io_error(path_, "fsync failed", errno);
  ++stats_.syncs;
  // A kNone interval checkpoint written since is durable now. sync() runs
  // without the log lock, so only a writer holding it (a lease) may write
  // the witness; otherwise the next locked fsync does.
  if (locked_) store_pending_witness();
  return ok_status();
}

Status LogWriter::close() {
  std::thread helper;
  Status st = close_locked(helper);
  if (helper.joinable()) helper.join();
  return st;
}

Status LogWriter::close_locked(std::thread& helper) {
  std::lock_guard<std::mutex> lk(commit_mu_);
  lease_stop_ = true;
  lease_cv_.notify_all();
  if (waiters_ && lease_thread_.joinable()) waiters_->wake();  // a helper asleep on the futex
  helper = std::move(lease_thread_);
  if (closed_) {
    unlock();
    return ok_status();
  }
  closed_ = true;
  Status st = ok_status();
  if (lock_fd_ >= 0) {
    st = lock_and_sync_head();
    if (st.ok()) {
      // An interval checkpoint at the end is not enough: only a close
      // checkpoint tells verify that nothing was cut off after it.
      if (options_.close_checkpoint && head_seq_ > 0 && !head_is_close_ && !head_is_rotation_) {
        st = append_checkpoint_locked(CheckpointTrigger::kClose);
      } else if (st = flush_unwritten(); st.ok() && ::fdatasync(fd_) != 0) {
        st = io_error(path_, "fsync failed", errno);
      } else if (st.ok()) {
        store_pending_witness();
      }
      unlock();
    }
  }
  if (st.ok() && deferred_error_) st = *deferred_error_;
  deferred_error_.reset();
  if (fd_ >= 0) ::close(fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
  fd_ = -1;
  lock_fd_ = -1;
  return st;
}

RecordedDecision record_decision(LogWriter& writer, const AttemptRecord& attempt, bool defer_sync) {
  RecordedDecision out;
  auto r = defer_sync ? writer.append_deferred(attempt) : writer.append(attempt);
  if (r.ok()) {
    out.decision = attempt.decision;
    out.reason = attempt.reason;
    out.seq = r->seq;
  } else {
    out.decision = Decision::kDeny;
    out.reason = ReasonCode::kLogError;
    out.error = r.error();
  }
  return out;
}

}  // namespace pqbpf::log

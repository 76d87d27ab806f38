// LogWriter: appends attempt records to the on-disk audit log.
//
// - Hash chain: each line's `prev` is the SHA3-256 of the previous line.
// - Checkpoints signed by the LogSigner: after every record whose seq is a
//   multiple of `checkpoint_every` (in the same write as that record), as
//   the last record of a file at rotation, and on close().
// - Durability: kAlways fsyncs (fdatasync) before append() returns; kBatch
//   groups the appends of concurrent threads into one write + one fsync and
//   returns to each caller only once its record is durable (the wait is at
//   most one fsync in progress, a short linger for the writers of the last
//   group, and the caller's own group; see group_commit.cc); kNone never
//   fsyncs, and under a lock lease gathers the records of the lease in
//   memory and writes them in one write(2) when the lease ends (at most
//   `lease_max_commits` records or `lease_max_hold`), at 64 KiB, at a
//   checkpoint, sync() or close(). So a crash of the process can lose the
//   records of the current lease, a crash of the host whatever the kernel
//   had not written back; if a gathered write fails, the next append fails.
//   append_deferred() writes a record before it returns but leaves its fsync
//   to the next one (kAlways/kBatch): for records whose loss in a crash of
//   the host loses no evidence (a loader's probe, docs/TRANSPARENT_GATE.md).
// - Fail closed: if a record cannot be written and made durable (ENOSPC,
//   EIO, ...) append() returns an error, the partial write is cut off again,
//   and the caller must deny; record_decision() does that for you.
// - Several processes may append at once: every append holds flock(2) on
//   `<path>.lock` while it reads the chain head (from its cache, or from the
//   end of the file when another process wrote since) and writes.
// - Lock lease: a writer that took the lock uncontended keeps it across its
//   next appends (no flock/fstat per append: nobody else can write while it
//   holds the lock), for at most `lease_max_commits` commits and
//   `lease_max_hold`; a helper thread releases an idle lease at that bound.
//   A writer that has to wait for the lock says so in the lock file's first
//   page (src/log/lock_waiters.h), and the holder hands the lock over after
//   its current commit, so another writer of ours waits about one commit,
//   not a lease; `lease_max_hold` bounds the wait of other flock users and
//   how long kNone records stay gathered. An acquisition that had to wait
//   (contention) is not leased.
// - Crash recovery: a torn tail (an unterminated fragment after the last
//   newline, left by a crash mid-write) is moved to `<path>.torn` and cut
//   off before the next append, by any process, which then appends a
//   `recovered` record naming what it moved. Complete lines are never moved:
//   a file whose last complete line is not one of our records is refused.
// - Files: the log, its rotated files, lock, `.torn` and witness files are
//   opened with O_NOFOLLOW and refused unless they are regular files owned
//   by the running user without group/other write; the directory must be
//   ours (or root's) and not group/other-writable unless sticky.
// - Witness: once a checkpoint is durable its seq and hash go to the
//   witness file; on open, a log that no longer holds the witnessed record
//   (cut back, rewritten) is refused rather than re-sealed.
// - Rotation: when the current file reaches `rotate_bytes` it is sealed with
//   a rotation checkpoint and linked to `<path>.<n>`, then an empty file is
//   renamed over `<path>` (so `<path>` always exists); the chain continues
//   there.
//
// Thread-safe. Never throws.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

#include "pqbpf/core/reason.h"
#include "pqbpf/log/log_signer.h"
#include "pqbpf/log/record.h"
#include "pqbpf/result.h"

namespace pqbpf::log {

namespace internal {
class LockWaiters;
}

enum class Durability { kAlways, kBatch, kNone };
std::string_view durability_name(Durability d);
Result<Durability> parse_durability(std::string_view name);  // "always" | "batch" | "none"

struct LogOptions {
  Durability durability = Durability::kAlways;
  std::uint64_t checkpoint_every = 1000;      // >= 1
  std::uint64_t rotate_bytes = 64ull << 20;   // 0: never rotate
  std::size_t max_batch = 256;                // kBatch: most records per group, >= 1
  std::optional<std::string> host;            // default: gethostname()
  bool close_checkpoint = true;               // sign a "close" checkpoint in close()
  // Lock lease (see above). lease_max_commits <= 1 disables it (lock and
  // unlock around every commit).
  std::uint32_t lease_max_commits = 64;
  // Without the shared waiter page (the lock file cannot be mapped) a lease
  // is held at most 1 ms, whatever this says.
  std::chrono::microseconds lease_max_hold{20000};
  // The witness file (pqbpf/log/witness.h): the last durable signed
  // checkpoint, kept outside the log and checked on open. nullopt:
  // "<path>.witness"; an empty string: keep and check no witness.
  std::optional<std::string> witness_path;
};

struct AppendResult {
  std::uint64_t seq = 0;
  std::string hash_hex;  // SHA3-256 of the written line: the new chain head
};

class LogWriter {
 public:
  // Opens (creating if needed, mode 0640) the log at `path`, recovering a
  // torn tail. The directory must exist. kPermission for an unsafe file or
  // directory, kParse for a file that is not our log, kRejected for a log
  // that no longer holds its witnessed checkpoint.
  static Result<std::unique_ptr<LogWriter>> open(const std::string& path, LogSigner signer,
                                                 const LogOptions& options = {});
  ~LogWriter();  // close(), errors ignored
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Appends one attempt record; returns once it is as durable as the mode
  // promises. Any error means the record is NOT in the log: deny.
  Result<AppendResult> append(const AttemptRecord& attempt);
  // Appends and writes one record like append(), without waiting for its
  // fsync in kAlways/kBatch: it is durable with the next fsync of the file
  // (the next append's, by any writer, sync() or close()), and a crash of
  // the host before that can lose it, never the records before it. In kNone
  // the same as append(). An error means the record is not in the log.
  Result<AppendResult> append_deferred(const AttemptRecord& attempt);
  // Signs and appends an interval checkpoint now (no-op if the last record
  // is already a checkpoint).
  Status checkpoint();
  // fsync, for kNone users who want a durability point.
  Status sync();
  // Appends a "close" checkpoint unless the log already ends with one,
  // fsyncs, releases the files. Further appends fail.
  Status close();

  const std::string& path() const { return path_; }
  const LogOptions& options() const { return options_; }

  // Since open: commits (one per append, or one per group with kBatch) and
  // the records they carried; with kBatch records / groups is the average
  // number of records per fsync.
  struct Stats {
    std::uint64_t groups = 0;
    std::uint64_t records = 0;
    std::uint64_t syncs = 0;  // fdatasyncs of the log file
  };
  Stats stats();

 private:
  struct Request;
  LogWriter(std::string path, LogSigner signer, LogOptions options, std::string host);
  Status open_files();
  // The commit path; caller holds commit_mu_.
  void commit_group(std::span<Request* const> group);
  Status close_locked(std::thread& helper);
  Status lock_and_sync_head();
  // Releases the flock now (error paths, close, lease expiry).
  void unlock();
  // End of a successful locked section: keeps the lock as a lease or
  // releases it. Caller holds commit_mu_.
  void end_locked_section();
  void lease_loop();
  Status reopen_current();
  Status rotate_if_sealed();
  Status seal_and_rotate();
  Result<std::string> make_checkpoint_line(std::uint64_t seq, const std::string& prev_hex,
                                           CheckpointTrigger trigger);
  Status append_checkpoint_locked(CheckpointTrigger trigger);
  // Writes `bytes` (after any gathered kNone records) and fsyncs unless the
  // mode is kNone and !force_sync; under a kNone lease only gathers them.
  // `records` counts the acknowledged records in `bytes`.
  Status write_and_sync(const std::string& bytes, bool force_sync, std::size_t records = 0);
  Status flush_unwritten();
  Status write_out(const std::string& data, std::size_t acknowledged, bool sync);
  // Checks the head just read from the file against the witness; on open
  // (full check) and on later re-reads (the head must not go below it).
  Status check_witness_locked();
  // Writes a checkpoint that is now durable to the witness file (caller
  // holds the log lock); a failure is deferred to the next append.
  void store_pending_witness();
  // Appends a `recovered` record for what recovery moved aside (fsynced).
  Status append_recovered_locked(const std::string& torn_path, std::uint64_t offset,
                                 std::uint64_t length, const std::string& sha3_hex);
  bool may_gather() const;

  std::string path_;
  LogSigner signer_;
  LogOptions options_;
  std::string host_;

  std::mutex commit_mu_;  // one commit at a time in this process
  int fd_ = -1;
  int lock_fd_ = -1;
  bool closed_ = false;
  bool defer_sync_ = false;  // the commit in progress is append_deferred's (under commit_mu_)
  // flock state and lease (guarded by commit_mu_).
  bool locked_ = false;
  bool lease_ok_ = false;  // this acquisition was uncontended: may be kept
  bool yield_before_lock_ = false;
  std::uint32_t lease_commits_ = 0;
  std::chrono::steady_clock::time_point lease_start_{};
  std::chrono::microseconds lease_hold_{};  // lease_max_hold, or 1 ms without waiters_
  std::unique_ptr<internal::LockWaiters> waiters_;  // the lock file's waiter page, or null
  std::condition_variable lease_cv_;  // wakes lease_loop (with commit_mu_)
  bool lease_stop_ = false;
  bool helper_parked_ = false;  // lease_loop waits without a deadline
  std::thread lease_thread_;
  std::string group_bytes_;  // reused write buffer
  Stats stats_;              // guarded by commit_mu_
  // kNone records gathered under the current lease, not yet written.
  static constexpr std::size_t kMaxGatherBytes = 64 * 1024;
  std::string unwritten_;
  std::size_t unwritten_records_ = 0;
  std::optional<Error> deferred_error_;  // a gathered write (or witness update) that failed
  // Witness ("" = none). pending_witness_: a checkpoint written but not yet
  // known durable; it goes to the file after the next successful fsync.
  std::string witness_path_;
  std::optional<std::uint64_t> pending_witness_seq_;
  std::string pending_witness_hex_;
  std::uint64_t witness_floor_ = 0;  // highest witnessed seq seen: the head may not drop below
  bool witness_checked_ = false;
  // Chain head as of our last look at the file (valid while the file's
  // identity and size match).
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  std::uint64_t end_ = 0;
  bool head_known_ = false;
  std::uint64_t head_seq_ = 0;
  std::string head_hex_;
  bool head_is_checkpoint_ = false;
  bool head_is_rotation_ = false;
  bool head_is_close_ = false;  // the last record is a close checkpoint

  // kBatch group commit (src/log/group_commit.cc), guarded by queue_mu_.
  void lead_group(std::unique_lock<std::mutex>& lk, Request& req, bool may_linger);
  void wait_for_group(Request& req);
  bool linger_for_writers(std::unique_lock<std::mutex>& lk, Request& req);
  static constexpr std::chrono::microseconds kMaxLinger{500};
  std::mutex queue_mu_;
  std::deque<Request*> pending_;
  bool leader_active_ = false;         // a writer leads: lingers, commits, or was handed the lead
  Request* lingering_ = nullptr;       // the leader while it lingers
  std::size_t linger_target_ = 0;      // the group size it lingers for
  std::vector<std::thread::id> last_group_threads_;  // writers of the last group
  std::chrono::microseconds last_commit_time_{0};
  // Finished groups (mod 2^32): every waiting writer sleeps on this word
  // (a futex), so one wake reaches a whole group. Written under queue_mu_.
  std::atomic<std::uint32_t> groups_done_{0};
};

// The fail-closed helper for the decision path: appends `attempt` and
// returns the decision the gate must enforce. If the record cannot be made
// durable, the result is deny with reason log_error (whatever the policy
// said), and `error` carries why.
struct RecordedDecision {
  Decision decision = Decision::kDeny;
  ReasonCode reason = ReasonCode::kLogError;
  std::optional<std::uint64_t> seq;  // set when recorded
  std::optional<Error> error;        // set when not recorded
};
// With `defer_sync`, through append_deferred().
RecordedDecision record_decision(LogWriter& writer, const AttemptRecord& attempt,
                                 bool defer_sync = false);

}  // namespace pqbpf::log

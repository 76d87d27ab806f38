// Closing what a client controls without ever blocking the thread that
// closes it (internal to the daemon).
//
// close(2) of a file's last reference can wait as long as its owner likes: a
// TCP socket with SO_LINGER and unsent data, a tty with pending output, a FUSE
// or NFS file (flush), a Unix socket whose queue holds any of these. A client
// controls every descriptor it passes and every message still queued on its
// connection, so:
// - a memfd (what requests use) and a BPF map (what forwarded loads pass)
//   close at once: nothing of theirs waits on anyone (closes_promptly);
// - anything else is defused (a socket gets SO_LINGER {1, 0}: close resets
//   instead of waiting) and closed on one dedicated thread. Its queue is
//   bounded; while it is full (the thread is stuck in a close) further
//   descriptors are left open and counted in `leaked`, never closed by a
//   thread that serves clients. A stuck closer costs descriptors, not service;
// - a connection is shut for reading (its peer can queue nothing more), the
//   messages still queued are drained and their descriptors disposed of as
//   above, and only then is it closed.
// stop() waits a bounded time; a closer still stuck is left to the process
// exit (exit_group kills it), so SIGTERM always ends the daemon.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <thread>

#include "pqbpf/core/unique_fd.h"

namespace pqbpf::daemon::internal {

// A memfd or a BPF map: closing it cannot block on anything its sender does.
bool closes_promptly(int fd);

class FdCloser {
 public:
  static constexpr std::size_t kDefaultQueueLimit = 4096;
  explicit FdCloser(std::size_t queue_limit = kDefaultQueueLimit);
  ~FdCloser();  // stop(kStopWait)
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

  // Closes `fd` now if it closes promptly, else defuses it and queues it.
  void dispose(UniqueFd fd);
  // Drains and closes a client connection (above).
  void close_connection(UniqueFd conn);
  // Lets the queue empty and the thread end within `wait`; false if it is
  // stuck (then it is left running, detached).
  bool stop(std::chrono::milliseconds wait);

  struct Stats {
    std::uint64_t deferred = 0;  // handed to the closer thread
    std::uint64_t leaked = 0;    // left open: the queue was full
    std::uint64_t pending = 0;   // queued or being closed now
  };
  Stats stats() const;

  static constexpr std::chrono::milliseconds kStopWait{1000};

 private:
  void enqueue(UniqueFd fd);  // to the thread, or leaked when the queue is full
  struct Shared;
  std::shared_ptr<Shared> shared_;
  std::thread thread_;
};

}  // namespace pqbpf::daemon::internal

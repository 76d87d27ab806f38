// LockWaiters: lets a writer that holds the log's lock as a lease learn that
// another writer (in any process) is waiting for the lock, so it can hand
// the lock over at once instead of at the lease's time bound (internal to
// src/log; design in log_writer.h and docs/AUDIT_LOG.md).
//
// The first page of `<path>.lock` is mapped MAP_SHARED by every writer:
// - word 0 counts the writers blocked on the flock, word 1 is a generation
//   bumped by each new waiter (a futex the holder's lease helper sleeps on);
// - a waiter also holds a shared OFD byte lock on kWaitByte while it waits.
//   The kernel drops that lock when the waiter dies, so a count left behind
//   by a killed waiter is recognised (no lock held) and reset by the holder,
//   and never ends leases forever.
// Only writers that hold the flock reset the count, and while they hold it
// no waiter can finish waiting, so a reset never removes a live waiter.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

namespace pqbpf::log::internal {

class LockWaiters {
 public:
  // Maps the first page of the open lock file, growing the file to one page
  // if it is shorter. nullptr if it cannot be mapped (leases then end only at
  // their bounds). `lock_fd` must outlive the object's use.
  static std::unique_ptr<LockWaiters> map(int lock_fd);
  ~LockWaiters();
  LockWaiters(const LockWaiters&) = delete;
  LockWaiters& operator=(const LockWaiters&) = delete;

  // Waiter side, around a blocking flock.
  void begin_wait();
  void end_wait();

  // Holder side (the caller holds the flock): whether a live writer waits.
  // One memory load when nobody does.
  bool someone_waits();
  // The generation to pass to sleep(); read it before someone_waits().
  std::uint32_t generation() const;
  // Sleeps until a new waiter arrives (the generation moves on from `seen`),
  // wake() is called, or `timeout` passes.
  void sleep(std::uint32_t seen, std::chrono::nanoseconds timeout) const;
  // Wakes every sleep() on this lock file (used by close()).
  void wake();

  static constexpr long kWaitByte = 64;  // the OFD byte lock of waiters

 private:
  LockWaiters(int lock_fd, void* page);
  std::atomic<std::uint32_t>& waiting() const;
  std::atomic<std::uint32_t>& generation_word() const;

  int fd_;
  void* page_;
};

}  // namespace pqbpf::log::internal

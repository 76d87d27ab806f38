// Sleeping on and waking a 32-bit atomic word through futex(2) directly
// (internal to src/log).
//
// Why not std::condition_variable: a woken waiter must take the mutex again
// before it can return, so the writers woken by one group commit would queue
// up on that mutex; and std::atomic::wait has no timeout. A futex waiter
// returns as soon as the kernel runs it, and one wake reaches every waiter.
#pragma once

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <ctime>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace pqbpf::log::internal {

inline std::uint32_t* futex_address(const std::atomic<std::uint32_t>& word) {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
  return reinterpret_cast<std::uint32_t*>(const_cast<std::atomic<std::uint32_t>*>(&word));
}

// Sleeps while `word` holds `expected`, for at most `timeout` if given.
// Returns on a wake, a changed value, the timeout, a signal or spuriously:
// callers re-check their condition.
inline void futex_wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
                       const std::chrono::nanoseconds* timeout = nullptr) {
  timespec ts{};
  if (timeout != nullptr) {
    ts.tv_sec = static_cast<time_t>(timeout->count() / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(timeout->count() % 1'000'000'000);
  }
  (void)::syscall(SYS_futex, futex_address(word), FUTEX_WAIT_PRIVATE, expected,
                  timeout != nullptr ? &ts : nullptr, nullptr, 0);
}

// Wakes every thread sleeping on `word`.
inline void futex_wake_all(const std::atomic<std::uint32_t>& word) {
  (void)::syscall(SYS_futex, futex_address(word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr,
                  0);
}

// The same on a word in a MAP_SHARED file mapping, which other processes map
// too (the lock file's waiter word, lock_waiters.h): no _PRIVATE flag.
inline void futex_wait_shared(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
                              std::chrono::nanoseconds timeout) {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(timeout.count() / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(timeout.count() % 1'000'000'000);
  (void)::syscall(SYS_futex, futex_address(word), FUTEX_WAIT, expected, &ts, nullptr, 0);
}

inline void futex_wake_all_shared(const std::atomic<std::uint32_t>& word) {
  (void)::syscall(SYS_futex, futex_address(word), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

}  // namespace pqbpf::log::internal

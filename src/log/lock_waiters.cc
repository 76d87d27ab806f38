// The lock file's waiter page (see lock_waiters.h).
#include "lock_waiters.h"

#include <cerrno>
#include <fcntl.h>
#include <new>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "futex.h"

namespace pqbpf::log::internal {
namespace {

constexpr std::size_t kPage = 4096;

struct flock byte_lock(short type) {
  struct flock fl{};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = LockWaiters::kWaitByte;
  fl.l_len = 1;
  return fl;
}

}  // namespace

std::unique_ptr<LockWaiters> LockWaiters::map(int lock_fd) {
  struct stat st{};
  if (::fstat(lock_fd, &st) != 0) return nullptr;
  // Grow only: another writer may be growing it at the same time, and a
  // shorter file would make the mapped page fault (SIGBUS).
  if (st.st_size < static_cast<off_t>(kPage) && ::ftruncate(lock_fd, kPage) != 0) return nullptr;
  void* page = ::mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, lock_fd, 0);
  if (page == MAP_FAILED) return nullptr;
  return std::unique_ptr<LockWaiters>(new (std::nothrow) LockWaiters(lock_fd, page));
}

LockWaiters::LockWaiters(int lock_fd, void* page) : fd_(lock_fd), page_(page) {}

LockWaiters::~LockWaiters() { ::munmap(page_, kPage); }

std::atomic<std::uint32_t>& LockWaiters::waiting() const {
  return *reinterpret_cast<std::atomic<std::uint32_t>*>(page_);
}

std::atomic<std::uint32_t>& LockWaiters::generation_word() const {
  return *(reinterpret_cast<std::atomic<std::uint32_t>*>(page_) + 1);
}

void LockWaiters::begin_wait() {
  // The byte lock first: a holder that sees the count must find the lock.
  struct flock fl = byte_lock(F_RDLCK);
  (void)::fcntl(fd_, F_OFD_SETLK, &fl);  // on failure the holder resets the count: bounded wait
  waiting().fetch_add(1, std::memory_order_acq_rel);
  generation_word().fetch_add(1, std::memory_order_acq_rel);
  futex_wake_all_shared(generation_word());
}

void LockWaiters::end_wait() {
  std::uint32_t v = waiting().load(std::memory_order_acquire);
  while (v != 0 && !waiting().compare_exchange_weak(v, v - 1, std::memory_order_acq_rel)) {
  }
  struct flock fl = byte_lock(F_UNLCK);
  (void)::fcntl(fd_, F_OFD_SETLK, &fl);
}

bool LockWaiters::someone_waits() {
  std::uint32_t count = waiting().load(std::memory_order_acquire);
  if (count == 0) return false;
  struct flock fl = byte_lock(F_WRLCK);
  if (::fcntl(fd_, F_OFD_GETLK, &fl) != 0) return true;  // cannot tell: hand over
  if (fl.l_type != F_UNLCK) return true;
  // Nobody holds the byte lock: the count was left by writers that died
  // waiting. Clear it unless a new waiter registered meanwhile.
  waiting().compare_exchange_strong(count, 0, std::memory_order_acq_rel);
  return false;
}

std::uint32_t LockWaiters::generation() const {
  return generation_word().load(std::memory_order_acquire);
}

void LockWaiters::sleep(std::uint32_t seen, std::chrono::nanoseconds timeout) const {
  if (timeout.count() <= 0) return;
  futex_wait_shared(generation_word(), seen, timeout);
}

void LockWaiters::wake() {
  generation_word().fetch_add(1, std::memory_order_acq_rel);
  futex_wake_all_shared(generation_word());
}

}  // namespace pqbpf::log::internal

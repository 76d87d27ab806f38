// SameCpuWake (see same_cpu_wake.h).
#include "same_cpu_wake.h"

#include <linux/capability.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace pqbpf::sandbox::internal {
namespace {

// Leaving SCHED_IDLE needs CAP_SYS_NICE or an RLIMIT_NICE that allows the
// thread's nice value (sched(7)); without either the thread would be stuck
// at SCHED_IDLE, so it never enters it.
bool may_leave_idle() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (::syscall(SYS_capget, &header, data) == 0 &&
      (data[CAP_SYS_NICE / 32].effective & (1u << (CAP_SYS_NICE % 32))) != 0) {
    return true;
  }
  errno = 0;
  const int nice = ::getpriority(PRIO_PROCESS, 0);
  rlimit limit{};
  return errno == 0 && ::getrlimit(RLIMIT_NICE, &limit) == 0 &&
         (limit.rlim_cur == RLIM_INFINITY || static_cast<rlim_t>(20 - nice) <= limit.rlim_cur);
}

// Set when restoring a thread's policy failed: never again.
std::atomic<bool> g_disabled{false};

bool usable() {
  static const bool may_leave = may_leave_idle();  // asked once, on first use
  return may_leave && !g_disabled.load(std::memory_order_relaxed);
}

}  // namespace

SameCpuWake::SameCpuWake() {
  if (!usable()) return;
  const int policy = ::sched_getscheduler(0);
  if ((policy & ~SCHED_RESET_ON_FORK) != SCHED_OTHER && (policy & ~SCHED_RESET_ON_FORK) != SCHED_BATCH) {
    return;
  }
  const sched_param none{};
  if (::sched_setscheduler(0, SCHED_IDLE, &none) == 0) policy_ = policy;
}

SameCpuWake::~SameCpuWake() {
  if (policy_ < 0) return;
  const sched_param none{};
  // The nice value is kept across the change (sched_setscheduler).
  if (::sched_setscheduler(0, policy_, &none) != 0) g_disabled.store(true, std::memory_order_relaxed);
}

}  // namespace pqbpf::sandbox::internal

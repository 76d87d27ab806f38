// SameCpuWake: SCHED_IDLE inside the scope, the thread's own policy and nice
// value after it; a real-time thread is left alone. Each case runs on a
// thread of its own.
#include "same_cpu_wake.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <thread>

namespace pqbpf::sandbox::internal {
namespace {

struct Seen {
  int before = -1, inside = -1, after = -1;
  int nice_after = 0;
};

Seen around(int policy, int nice) {
  Seen s;
  std::thread t([&] {
    sched_param p{};
    if (policy == SCHED_FIFO) p.sched_priority = 1;
    if (::sched_setscheduler(0, policy, &p) != 0) return;
    const pid_t tid = static_cast<pid_t>(::syscall(SYS_gettid));
    if (::setpriority(PRIO_PROCESS, static_cast<id_t>(tid), nice) != 0) return;
    s.before = ::sched_getscheduler(0);
    {
      SameCpuWake wake;
      s.inside = ::sched_getscheduler(0);
    }
    s.after = ::sched_getscheduler(0);
    s.nice_after = ::getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
  });
  t.join();
  return s;
}

TEST(SameCpuWakeTest, IdleInsideOwnPolicyAfter) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs CAP_SYS_NICE to leave SCHED_IDLE (root)";
  const Seen other = around(SCHED_OTHER, 3);
  ASSERT_EQ(other.before, SCHED_OTHER);
  EXPECT_EQ(other.inside, SCHED_IDLE);
  EXPECT_EQ(other.after, SCHED_OTHER);
  EXPECT_EQ(other.nice_after, 3);
  const Seen batch = around(SCHED_BATCH, 0);
  EXPECT_EQ(batch.inside, SCHED_IDLE);
  EXPECT_EQ(batch.after, SCHED_BATCH);
}

TEST(SameCpuWakeTest, RealTimeIsLeftAlone) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for SCHED_FIFO";
  const Seen fifo = around(SCHED_FIFO, 0);
  if (fifo.before == -1) GTEST_SKIP() << "this system refuses SCHED_FIFO (real-time group limits)";
  ASSERT_EQ(fifo.before, SCHED_FIFO);
  EXPECT_EQ(fifo.inside, SCHED_FIFO);
  EXPECT_EQ(fifo.after, SCHED_FIFO);
}

}  // namespace
}  // namespace pqbpf::sandbox::internal

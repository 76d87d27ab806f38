// The pidfd route to a caller's ids must say what /proc says.
#include "pidfd_identity.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace pqbpf::sandbox::internal {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(PidfdIdentityTest, AgreesWithProcForAnotherThread) {
  std::optional<PidfdIdentity> got;
  std::int64_t tid = 0;
  std::thread t([&] {
    tid = static_cast<std::int64_t>(::syscall(SYS_gettid));
    got = identity_from_pidfd(tid);
  });
  t.join();
  if (!got) GTEST_SKIP() << "this kernel has no PIDFD_GET_INFO (Linux 6.13+); /proc is read instead";
  EXPECT_NE(tid, static_cast<std::int64_t>(::getpid()));
  EXPECT_EQ(got->tgid, static_cast<std::int64_t>(::getpid()));
  EXPECT_EQ(got->euid, ::geteuid());
  ASSERT_TRUE(got->cgroup);
  EXPECT_EQ(got->cgroup, cgroup_v2_path(slurp("/proc/self/cgroup")));
  // Asked again (the path now comes from the cache), the same answer.
  const auto again = identity_from_pidfd(static_cast<std::int64_t>(::syscall(SYS_gettid)));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->cgroup, got->cgroup);
}

TEST(PidfdIdentityTest, NoTaskNoIdentity) {
  UniqueFd pidfd;
  EXPECT_FALSE(identity_from_pidfd(0x3fffffff, &pidfd));
  EXPECT_FALSE(pidfd.valid());
}

TEST(PidfdIdentityTest, HandsOverTheThreadPidfdItAsked) {
  UniqueFd pidfd;
  const auto got = identity_from_pidfd(static_cast<std::int64_t>(::syscall(SYS_gettid)), &pidfd);
  if (!got) GTEST_SKIP() << "this kernel has no PIDFD_GET_INFO (Linux 6.13+); /proc is read instead";
  ASSERT_TRUE(pidfd.valid());
  // It is this thread's: pidfd_getfd through it reaches this process's table.
  UniqueFd dup(static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd.get(), pidfd.get(), 0)));
  EXPECT_TRUE(dup.valid()) << std::strerror(errno);
}

TEST(PidfdIdentityTest, CgroupV2LineIsFound) {
  EXPECT_EQ(cgroup_v2_path("0::/system.slice/x.service\n"), "/system.slice/x.service");
  EXPECT_EQ(cgroup_v2_path("12:cpu:/a\n0::/b\n"), "/b");
  EXPECT_FALSE(cgroup_v2_path("12:cpu:/a\n"));
}

}  // namespace
}  // namespace pqbpf::sandbox::internal

// What a process must hold for a gate to load for it.
#include "pqbpf/loader/load_privilege.h"

#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace pqbpf::loader {
namespace {

constexpr int kCapPerfmon = 38;
constexpr int kCapBpf = 39;

CallerPrivilege with(std::initializer_list<int> caps) {
  CallerPrivilege p;
  p.effective = 0;
  for (int c : caps) *p.effective |= 1ull << c;
  p.same_user_namespace = true;
  return p;
}

TEST(CallerPrivilege, CapBpfAloneLoadsOnlyTypesThatNeedNothingMore) {
  const auto bpf = with({kCapBpf});
  EXPECT_EQ(missing_load_privilege(bpf, BPF_PROG_TYPE_SOCKET_FILTER, 2), std::nullopt);
  EXPECT_EQ(missing_load_privilege(bpf, BPF_PROG_TYPE_CGROUP_SKB, 2), std::nullopt);
  EXPECT_EQ(missing_load_privilege(bpf, BPF_PROG_TYPE_SK_REUSEPORT, 2), std::nullopt);
  const auto xdp = missing_load_privilege(bpf, BPF_PROG_TYPE_XDP, 2);
  ASSERT_TRUE(xdp.has_value());
  EXPECT_NE(xdp->find("CAP_NET_ADMIN"), std::string::npos) << *xdp;
  const auto kprobe = missing_load_privilege(bpf, BPF_PROG_TYPE_KPROBE, 2);
  ASSERT_TRUE(kprobe.has_value());
  EXPECT_NE(kprobe->find("CAP_PERFMON"), std::string::npos) << *kprobe;
  // freplace extends any program: both.
  EXPECT_TRUE(missing_load_privilege(with({kCapBpf, CAP_NET_ADMIN}), BPF_PROG_TYPE_EXT, 2).has_value());
  EXPECT_TRUE(missing_load_privilege(with({kCapBpf, kCapPerfmon}), BPF_PROG_TYPE_EXT, 2).has_value());
  EXPECT_EQ(missing_load_privilege(with({kCapBpf, kCapPerfmon, CAP_NET_ADMIN}), BPF_PROG_TYPE_EXT, 2), std::nullopt);
  EXPECT_EQ(missing_load_privilege(with({kCapBpf, CAP_NET_ADMIN}), BPF_PROG_TYPE_XDP, 2), std::nullopt);
  EXPECT_EQ(missing_load_privilege(with({kCapBpf, kCapPerfmon}), BPF_PROG_TYPE_TRACEPOINT, 2), std::nullopt);
}

TEST(CallerPrivilege, SysAdminStandsForEveryCapability) {
  const auto admin = with({CAP_SYS_ADMIN});
  for (std::uint32_t type : {BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_EXT, BPF_PROG_TYPE_LSM,
                             BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_CGROUP_SOCK_ADDR}) {
    EXPECT_EQ(missing_load_privilege(admin, type, 2), std::nullopt) << type;
  }
}

TEST(CallerPrivilege, WithoutCapBpfOnlySocketFiltersAndOnlyWhileTheSysctlAllows) {
  const auto none = with({});
  EXPECT_EQ(missing_load_privilege(none, BPF_PROG_TYPE_SOCKET_FILTER, 0), std::nullopt);
  EXPECT_EQ(missing_load_privilege(none, BPF_PROG_TYPE_CGROUP_SKB, 0), std::nullopt);
  for (int sysctl : {1, 2}) {
    const auto refused = missing_load_privilege(none, BPF_PROG_TYPE_SOCKET_FILTER, sysctl);
    ASSERT_TRUE(refused.has_value());
    EXPECT_NE(refused->find("unprivileged_bpf_disabled is " + std::to_string(sysctl)), std::string::npos)
        << *refused;
  }
  // The network and tracing capabilities do not replace CAP_BPF.
  const auto net = missing_load_privilege(with({CAP_NET_ADMIN, kCapPerfmon}), BPF_PROG_TYPE_XDP, 0);
  ASSERT_TRUE(net.has_value());
  EXPECT_NE(net->find("CAP_BPF"), std::string::npos) << *net;
}

TEST(CallerPrivilege, UnknownCapabilitiesOrAnotherUserNamespaceAreRefused) {
  CallerPrivilege unread;
  unread.same_user_namespace = true;
  EXPECT_TRUE(missing_load_privilege(unread, BPF_PROG_TYPE_SOCKET_FILTER, 0).has_value());
  CallerPrivilege elsewhere = with({CAP_SYS_ADMIN});
  elsewhere.same_user_namespace = false;
  const auto refused = missing_load_privilege(elsewhere, BPF_PROG_TYPE_SOCKET_FILTER, 0);
  ASSERT_TRUE(refused.has_value());
  EXPECT_NE(refused->find("user namespace"), std::string::npos) << *refused;
}

TEST(CallerPrivilege, ReadsAThreadsOwnEffectiveSetAndNamespace) {
  const auto self = read_caller_privilege(static_cast<std::int64_t>(::syscall(SYS_gettid)));
  ASSERT_TRUE(self.effective.has_value());
  EXPECT_TRUE(self.same_user_namespace);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  ASSERT_EQ(::syscall(SYS_capget, &header, data), 0);
  EXPECT_EQ(*self.effective, static_cast<std::uint64_t>(data[0].effective) |
                                 (static_cast<std::uint64_t>(data[1].effective) << 32));
  EXPECT_FALSE(read_caller_privilege(0x7ffffff0).effective.has_value());  // no such task
}

TEST(CallerPrivilege, WithoutTheSysctlArgumentItIsReadWhenTheAnswerDependsOnIt) {
  const int sysctl = unprivileged_bpf_disabled();
  for (std::uint32_t type : {BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_CGROUP_SKB, BPF_PROG_TYPE_XDP}) {
    for (const auto& p : {with({}), with({kCapBpf}), with({CAP_SYS_ADMIN}), with({CAP_NET_ADMIN})}) {
      EXPECT_EQ(missing_load_privilege(p, type), missing_load_privilege(p, type, sysctl)) << type;
    }
  }
}

TEST(CallerPrivilege, UnprivilegedBpfSysctlReadsAsAValue) {
  const int v = unprivileged_bpf_disabled();
  EXPECT_GE(v, 0);
  EXPECT_LE(v, 2);
}

}  // namespace
}  // namespace pqbpf::loader

// Section-name facts: types from the linked libbpf's table, attach targets
// and refined types from our prefix lists.
#include "section_name.h"

#include <gtest/gtest.h>

namespace pqbpf::bpf::internal {
namespace {

TEST(SectionNameTest, AttachTargetFromKprobeSectionIsFunctionName) {
  EXPECT_EQ(attach_target_from_section("kprobe/do_sys_openat2"), "do_sys_openat2");
  EXPECT_EQ(attach_target_from_section("kretprobe/do_unlinkat"), "do_unlinkat");
}

TEST(SectionNameTest, AttachTargetKeepsTracepointCategoryAndUprobePath) {
  EXPECT_EQ(attach_target_from_section("tp/sched/sched_process_exec"), "sched/sched_process_exec");
  EXPECT_EQ(attach_target_from_section("tracepoint/syscalls/sys_enter_open"),
            "syscalls/sys_enter_open");
  EXPECT_EQ(attach_target_from_section("uprobe//proc/self/exe:uprobed_sub"),
            "/proc/self/exe:uprobed_sub");
  EXPECT_EQ(attach_target_from_section("lsm.s/bprm_check_security"), "bprm_check_security");
}

TEST(SectionNameTest, AttachTargetOfNetworkingSectionsIsEmpty) {
  EXPECT_EQ(attach_target_from_section("xdp"), "");
  EXPECT_EQ(attach_target_from_section("cgroup_skb/egress"), "");
  EXPECT_EQ(attach_target_from_section("socket/2"), "");
  EXPECT_EQ(attach_target_from_section("kprobe"), "");
}

TEST(SectionNameTest, SectionFactsUseLibbpfTable) {
  auto f = section_facts("kprobe/foo");
  ASSERT_TRUE(f.type.has_value());
  EXPECT_EQ(*f.type, BPFProgramType::kKprobe);
  EXPECT_EQ(f.expected_attach_type, "");
  f = section_facts("lsm/bpf");
  EXPECT_EQ(f.type, BPFProgramType::kLsm);
  EXPECT_EQ(f.expected_attach_type, "lsm_mac");
  f = section_facts("fentry/tcp_connect");
  EXPECT_EQ(f.type, BPFProgramType::kTracing);
  EXPECT_EQ(f.expected_attach_type, "trace_fentry");
  f = section_facts("cgroup_skb/ingress");
  EXPECT_EQ(f.type, BPFProgramType::kCgroupSkb);
  EXPECT_EQ(f.expected_attach_type, "cgroup_inet_ingress");
}

TEST(SectionNameTest, SectionFactsOfUnknownNameHaveNoType) {
  for (const char* name : {"socket1", "xdp_prog", "2/1", "tc/entry", "filter", ""}) {
    const auto f = section_facts(name);
    EXPECT_FALSE(f.type.has_value()) << name;
    EXPECT_EQ(f.expected_attach_type, "") << name;
  }
}

TEST(SectionNameTest, RefinedTypeFollowsPrefixOnlyForMatchingKernelType) {
  EXPECT_EQ(refined_type_from_section("kretprobe/x", BPFProgramType::kKprobe), BPFProgramType::kKretprobe);
  EXPECT_EQ(refined_type_from_section("uprobe", BPFProgramType::kKprobe), BPFProgramType::kUprobe);
  EXPECT_EQ(refined_type_from_section("uretprobe/bash:readline", BPFProgramType::kKprobe),
            BPFProgramType::kUretprobe);
  EXPECT_EQ(refined_type_from_section("fentry/x", BPFProgramType::kTracing), BPFProgramType::kFentry);
  EXPECT_EQ(refined_type_from_section("fexit/x", BPFProgramType::kTracing), BPFProgramType::kFexit);
  // A USDT probe is a uprobe: rules for uprobe programs judge it.
  EXPECT_EQ(refined_type_from_section("usdt/./server:model:loaded", BPFProgramType::kKprobe),
            BPFProgramType::kUprobe);
  EXPECT_EQ(refined_type_from_section("usdt.s/./server:model:loaded", BPFProgramType::kKprobe),
            BPFProgramType::kUprobe);
  EXPECT_EQ(refined_type_from_section("uprobe.multi/./server:model_*", BPFProgramType::kKprobe),
            BPFProgramType::kUprobe);
  EXPECT_EQ(refined_type_from_section("uretprobe.multi/./server:model_*", BPFProgramType::kKprobe),
            BPFProgramType::kUretprobe);
  EXPECT_EQ(attach_target_from_section("usdt/./server:model:loaded"), "./server:model:loaded");
  EXPECT_EQ(refined_type_from_section("kprobe/x", BPFProgramType::kKprobe), std::nullopt);
  EXPECT_EQ(refined_type_from_section("tp_btf/x", BPFProgramType::kTracing), std::nullopt);
  EXPECT_EQ(refined_type_from_section("fentry/x", BPFProgramType::kKprobe), std::nullopt);
  EXPECT_EQ(refined_type_from_section("kretprobe/x", std::nullopt), std::nullopt);
}

}  // namespace
}  // namespace pqbpf::bpf::internal

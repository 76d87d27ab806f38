// attach_targets against what the gate attaches to: the signed manifest's
// attach_point for xdp, tc and cgroup programs, the section's target for the
// rest, and glob targets (kprobe.multi/vfs_rea*) only when a pattern covers
// every name they expand to.
#include "attach_check.h"

#include <gtest/gtest.h>

#include <string>

#include "evaluate_test_util.h"
#include "pqbpf/loader/attach.h"
#include "pqbpf/policy/load_policy.h"

namespace pqbpf::policy {
namespace {

using namespace evaluate_test;

LoadPolicy policy_with(BPFProgramType type, std::vector<std::string> targets) {
  PolicyRule rule = rule_for({type});
  rule.attach_targets = std::move(targets);
  LoadPolicy policy;
  policy.add_rule(rule);
  return policy;
}

// A verified request for one program of `type` in `section`, whose signed
// manifest names `attach_point`.
LoadRequest one_program(BPFProgramType type, std::string section, std::string section_target,
                        std::string attach_point) {
  LoadRequest r = verified(did_of('1'));
  r.declared_type = kernel_program_type(type);
  r.programs = {program("prog", type, std::move(section), std::move(section_target))};
  r.declared_attach_point = std::move(attach_point);
  return r;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The review's first gap: the interface an xdp program attaches to is the
// signer's attach_point, and a policy naming interfaces must judge it.
TEST(AttachTargets, XdpIsJudgedByTheSignedAttachPoint) {
  const LoadPolicy policy = policy_with(BPFProgramType::kXdp, {"eth0"});
  EXPECT_TRUE(policy.evaluate(one_program(BPFProgramType::kXdp, "xdp", "", "eth0")).allowed());

  const PolicyDecision other = policy.evaluate(one_program(BPFProgramType::kXdp, "xdp", "", "eth1"));
  EXPECT_EQ(other.reason, ReasonCode::kAttachTargetDenied);
  EXPECT_TRUE(contains(other.sentence, "'eth1' (the signed manifest's attach_point)")) << other.sentence;
  EXPECT_TRUE(contains(other.sentence, "rules[0] (eth0)")) << other.sentence;
  EXPECT_TRUE(one_line(other.sentence));

  const PolicyDecision none = policy.evaluate(one_program(BPFProgramType::kXdp, "xdp", "", ""));
  EXPECT_EQ(none.reason, ReasonCode::kAttachTargetDenied);
  EXPECT_TRUE(contains(none.sentence, "the signed manifest names no attach_point")) << none.sentence;
}

TEST(AttachTargets, TcDirectionIsPartOfTheJudgedAttachPoint) {
  const LoadPolicy policy = policy_with(BPFProgramType::kSchedCls, {"eth0:ingress"});
  EXPECT_TRUE(policy.evaluate(one_program(BPFProgramType::kSchedCls, "tc", "", "eth0:ingress")).allowed());
  EXPECT_EQ(policy.evaluate(one_program(BPFProgramType::kSchedCls, "tc", "", "eth0:egress")).reason,
            ReasonCode::kAttachTargetDenied);
}

// The root cgroup would put the program over every process of the host.
TEST(AttachTargets, CgroupPatternDeniesTheRootCgroup) {
  const LoadPolicy policy = policy_with(BPFProgramType::kCgroupSkb, {"/sys/fs/cgroup/app.slice/*"});
  EXPECT_TRUE(policy
                  .evaluate(one_program(BPFProgramType::kCgroupSkb, "cgroup_skb/ingress", "",
                                        "/sys/fs/cgroup/app.slice/web.service"))
                  .allowed());
  for (const char* point : {"/", "/sys/fs/cgroup", "/sys/fs/cgroup/other.slice"}) {
    EXPECT_EQ(policy.evaluate(one_program(BPFProgramType::kCgroupSkb, "cgroup_skb/ingress", "", point)).reason,
              ReasonCode::kAttachTargetDenied)
        << point;
  }
  const LoadPolicy sock_ops = policy_with(BPFProgramType::kSockOps, {"/sys/fs/cgroup/app.slice/*"});
  EXPECT_EQ(sock_ops.evaluate(one_program(BPFProgramType::kSockOps, "sockops", "", "/")).reason,
            ReasonCode::kAttachTargetDenied);
}

// For a kprobe the loader attaches where the section says and ignores the
// manifest's attach_point: a harmless attach_point must not vouch for it.
TEST(AttachTargets, SectionTypesAreJudgedByTheirSectionNotTheAttachPoint) {
  const LoadPolicy policy = policy_with(BPFProgramType::kKprobe, {"do_sys_*"});
  const PolicyDecision lying = policy.evaluate(
      one_program(BPFProgramType::kKprobe, "kprobe/commit_creds", "commit_creds", "do_sys_openat2"));
  EXPECT_EQ(lying.reason, ReasonCode::kAttachTargetDenied);
  EXPECT_TRUE(contains(lying.sentence, "'commit_creds'")) << lying.sentence;

  const PolicyDecision bare =
      policy.evaluate(one_program(BPFProgramType::kKprobe, "kprobe", "", "do_sys_openat2"));
  EXPECT_EQ(bare.reason, ReasonCode::kAttachTargetDenied);
  EXPECT_TRUE(contains(bare.sentence, "its section names none")) << bare.sentence;
}

// sched_act and socket filters are not attached by the gate: whoever holds
// the descriptor chooses, so a rule that restricts targets cannot admit them.
TEST(AttachTargets, TypesTheGateDoesNotAttachHaveNoTarget) {
  const LoadPolicy act = policy_with(BPFProgramType::kSchedAct, {"*"});
  EXPECT_EQ(act.evaluate(one_program(BPFProgramType::kSchedAct, "action", "", "eth0")).reason,
            ReasonCode::kAttachTargetDenied);
  const LoadPolicy filter = policy_with(BPFProgramType::kSocketFilter, {"*"});
  EXPECT_EQ(filter.evaluate(one_program(BPFProgramType::kSocketFilter, "socket", "", "eth0")).reason,
            ReasonCode::kAttachTargetDenied);
}

// One attach_point per object, and each program judged by the source its
// own type uses: the kprobe's section, the xdp program's attach_point.
TEST(AttachTargets, MixedObjectJudgesEachProgramByItsOwnSource) {
  PolicyRule kprobes = rule_for({BPFProgramType::kKprobe});
  kprobes.attach_targets = {"do_sys_*"};
  PolicyRule xdp = rule_for({BPFProgramType::kXdp});
  xdp.attach_targets = {"eth0"};
  LoadPolicy policy;
  policy.add_rule(kprobes).add_rule(xdp);
  LoadRequest r = verified(did_of('1'));
  r.declared_type.reset();
  r.programs.push_back(program("count", BPFProgramType::kXdp, "xdp"));
  r.declared_attach_point = "eth0";
  EXPECT_TRUE(policy.evaluate(r).allowed()) << policy.evaluate(r).sentence;
  r.declared_attach_point = "eth1";
  const PolicyDecision d = policy.evaluate(r);
  EXPECT_EQ(d.reason, ReasonCode::kAttachTargetDenied);
  EXPECT_EQ(d.program, "count");
}

TEST(AttachTargets, UninspectableObjectIsJudgedByItsDeclaredTypesAttachPoint) {
  PolicyRule rule = rule_for({BPFProgramType::kXdp, BPFProgramType::kKprobe});
  rule.attach_targets = {"eth0", "do_sys_*"};
  rule.allow_uninspectable = true;
  LoadPolicy policy;
  policy.add_rule(rule);
  LoadRequest r = verified(did_of('1'));
  r.programs.clear();
  r.inspection_error = "object: not an ELF file";
  r.declared_type = BPFProgramType::kXdp;
  r.declared_attach_point = "eth0";
  EXPECT_TRUE(policy.evaluate(r).allowed()) << policy.evaluate(r).sentence;
  r.declared_attach_point = "eth1";
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kAttachTargetDenied);
  // A kprobe attaches where its (unreadable) section says, not at attach_point.
  r.declared_type = BPFProgramType::kKprobe;
  r.declared_attach_point = "do_sys_openat2";
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kAttachTargetDenied);
}

// The review's second gap: libbpf attaches kprobe.multi/vfs_rea* to every
// matching kernel function, so a pattern admitting only vfs_read must not
// admit it.
TEST(AttachTargets, GlobTargetNeedsAPatternCoveringEveryNameItMatches) {
  const LoadRequest multi =
      one_program(BPFProgramType::kKprobe, "kprobe.multi/vfs_rea*", "vfs_rea*", "");
  const PolicyDecision narrow = policy_with(BPFProgramType::kKprobe, {"vfs_rea?"}).evaluate(multi);
  EXPECT_EQ(narrow.reason, ReasonCode::kAttachTargetDenied);
  EXPECT_TRUE(contains(narrow.sentence, "attaches to every name matching 'vfs_rea*'")) << narrow.sentence;
  EXPECT_TRUE(contains(narrow.sentence, "rules[0] (vfs_rea?)")) << narrow.sentence;
  EXPECT_TRUE(one_line(narrow.sentence));

  EXPECT_TRUE(policy_with(BPFProgramType::kKprobe, {"vfs_rea*"}).evaluate(multi).allowed());
  EXPECT_TRUE(policy_with(BPFProgramType::kKprobe, {"do_sys_*", "vfs_*"}).evaluate(multi).allowed());

  const LoadRequest question =
      one_program(BPFProgramType::kKretprobe, "kretprobe.multi/vfs_rea?", "vfs_rea?", "");
  EXPECT_EQ(policy_with(BPFProgramType::kKprobe, {"vfs_read"}).evaluate(question).reason,
            ReasonCode::kAttachTargetDenied);
  EXPECT_TRUE(policy_with(BPFProgramType::kKprobe, {"vfs_rea?"}).evaluate(question).allowed());
}

TEST(AttachTargets, UprobeMultiGlobIsJudgedLikeAKprobeMultiGlob) {
  const LoadRequest multi = one_program(BPFProgramType::kUprobe, "uprobe.multi//usr/lib/libc.so.6:mall*",
                                        "/usr/lib/libc.so.6:mall*", "");
  for (const char* narrow : {"/usr/lib/libc.so.6:malloc", "/usr/lib/libc.so.6:mall?"}) {
    EXPECT_EQ(policy_with(BPFProgramType::kUprobe, {narrow}).evaluate(multi).reason,
              ReasonCode::kAttachTargetDenied)
        << narrow;
  }
  EXPECT_TRUE(policy_with(BPFProgramType::kUprobe, {"/usr/lib/libc.so.6:*"}).evaluate(multi).allowed());
}

// The policy must judge the attach_point for exactly the types the loader
// attaches there, or a type would escape the rule (or be judged by a target
// the loader never uses).
TEST(AttachTargets, ManifestAttachPointTypesAreTheLoadersOwn) {
  for (int number = 0; number <= kernel_program_type_number(BPFProgramType::kNetfilter); ++number) {
    const auto type = program_type_from_kernel(number);
    ASSERT_TRUE(type.has_value()) << number;
    const loader::AttachKind kind = loader::attach_kind_of(static_cast<std::uint32_t>(number));
    const bool loader_uses_manifest = kind == loader::AttachKind::kXdp ||
                                      kind == loader::AttachKind::kTcx ||
                                      kind == loader::AttachKind::kCgroup;
    EXPECT_EQ(attaches_at_manifest_attach_point(*type), loader_uses_manifest) << program_type_name(*type);
  }
}

}  // namespace
}  // namespace pqbpf::policy

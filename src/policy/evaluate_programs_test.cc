// LoadPolicy::evaluate on each program's facts: program types and their
// refinements, attach targets, instruction counts, licenses, uninspectable
// objects, declared types and revoked presented objects.
#include <gtest/gtest.h>

#include <string>

#include "evaluate_test_util.h"
#include "pqbpf/policy/load_policy.h"

namespace pqbpf::policy {
namespace {

using namespace evaluate_test;

TEST(Evaluate, MixedObjectUnderKprobeOnlyPolicyNamesTheLsmProgram) {
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kKprobe}));
  LoadRequest r = verified(did_of('1'));
  r.declared_type.reset();  // as the signer leaves it for a mixed object
  r.programs.push_back(program("block_exec", BPFProgramType::kLsm, "lsm/bprm_check_security",
                               "bprm_check_security"));
  const PolicyDecision d = policy.evaluate(r);
  EXPECT_EQ(d.reason, ReasonCode::kNoRule);
  EXPECT_EQ(d.program, "block_exec");
  EXPECT_NE(d.sentence.find("block_exec"), std::string::npos);
  ASSERT_EQ(d.programs.size(), 2u);
  EXPECT_EQ(d.programs[0].decision, Decision::kAllow);
  EXPECT_EQ(d.programs[1].decision, Decision::kDeny);
}

TEST(Evaluate, EveryProgramGoesThroughItsOwnFirstMatchingRule) {
  PolicyRule lsm = rule_for({BPFProgramType::kLsm});
  lsm.allowed_signers = {did_of('2')};
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kKprobe})).add_rule(lsm);
  LoadRequest r = verified(did_of('1'));
  r.declared_type.reset();
  r.programs.push_back(program("block_exec", BPFProgramType::kLsm, "lsm/bprm_check_security"));
  const PolicyDecision d = policy.evaluate(r);
  EXPECT_EQ(d.reason, ReasonCode::kUntrustedSigner);
  EXPECT_EQ(d.rule_index, 1u);
  EXPECT_EQ(d.program, "block_exec");
}

TEST(Evaluate, KprobeRuleCoversKretprobeAndUprobeSections) {
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kKprobe}));
  LoadRequest r = verified(did_of('1'));
  r.programs = {program("ret", BPFProgramType::kKretprobe, "kretprobe/do_sys_openat2"),
                program("u", BPFProgramType::kUprobe, "uprobe/libc.so:malloc"),
                program("plain", BPFProgramType::kKprobe, "kprobe/vfs_read")};
  r.programs.push_back(
      program("refined_in_type", BPFProgramType::kKprobe, "uretprobe/libc.so:free"));
  r.programs.back().type =
      BPFProgramType::kUretprobe;  // a reader that puts the refined name in type
  const PolicyDecision d = policy.evaluate(r);
  EXPECT_TRUE(d.allowed()) << d.sentence;
  EXPECT_EQ(d.programs[0].type, BPFProgramType::kKretprobe);
  EXPECT_EQ(d.programs[1].type, BPFProgramType::kUprobe);
}

TEST(Evaluate, KretprobeRuleDoesNotCoverPlainKprobe) {
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kKretprobe}));
  LoadRequest r = verified(did_of('1'));
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kNoRule);
  r.programs = {program("ret", BPFProgramType::kKretprobe, "kretprobe/do_sys_openat2")};
  EXPECT_TRUE(policy.evaluate(r).allowed());
}

TEST(Evaluate, TracingRuleCoversFentryButFentryRuleNotFexit) {
  LoadPolicy tracing;
  tracing.add_rule(rule_for({BPFProgramType::kTracing}));
  LoadPolicy fentry;
  fentry.add_rule(rule_for({BPFProgramType::kFentry}));
  LoadRequest r = verified(did_of('1'));
  r.declared_type = BPFProgramType::kTracing;
  r.programs = {program("f", BPFProgramType::kFentry, "fentry/vfs_read")};
  EXPECT_TRUE(tracing.evaluate(r).allowed());
  EXPECT_TRUE(fentry.evaluate(r).allowed());
  r.programs = {program("f", BPFProgramType::kFexit, "fexit/vfs_read")};
  EXPECT_EQ(fentry.evaluate(r).reason, ReasonCode::kNoRule);
}

TEST(Evaluate, AttachTargetsGlobAllowsMatchingAndDeniesOthers) {
  PolicyRule rule = rule_for({BPFProgramType::kKprobe});
  rule.attach_targets = {"do_sys_*", "vfs_read"};
  LoadPolicy policy;
  policy.add_rule(rule);
  LoadRequest r = verified(did_of('1'));
  EXPECT_TRUE(policy.evaluate(r).allowed());
  r.programs[0].attach_target = "commit_creds";
  const PolicyDecision d = policy.evaluate(r);
  EXPECT_EQ(d.reason, ReasonCode::kAttachTargetDenied);
  EXPECT_NE(d.sentence.find("commit_creds"), std::string::npos);
  r.programs[0].attach_target = "";
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kAttachTargetDenied);
}

TEST(Evaluate, MaxInsnsAllowsAtLimitAndDeniesAbove) {
  PolicyRule rule = rule_for({BPFProgramType::kKprobe});
  rule.max_insns = 10;
  LoadPolicy policy;
  policy.add_rule(rule);
  LoadRequest r = verified(did_of('1'));
  EXPECT_TRUE(policy.evaluate(r).allowed());
  r.programs[0].reachable_insns = 11;
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kTooManyInsns);
}

// Issue 11.6: the cap counts the subprograms a program calls, not only its
// entry function; a count the reader could not establish is denied.
TEST(Evaluate, MaxInsnsJudgesReachableInstructionsNotTheEntryFunction) {
  PolicyRule rule = rule_for({BPFProgramType::kKprobe});
  rule.max_insns = 10;
  LoadPolicy policy;
  policy.add_rule(rule);
  LoadRequest r = verified(did_of('1'));
  r.programs[0].insn_count = 4;
  r.programs[0].reachable_insns = 400;
  const PolicyDecision d = policy.evaluate(r);
  EXPECT_EQ(d.reason, ReasonCode::kTooManyInsns);
  EXPECT_NE(d.sentence.find("has 400 instructions"), std::string::npos) << d.sentence;
  r.programs[0].reachable_insns.reset();
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kTooManyInsns);
}

TEST(Evaluate, GplCompatibleLicenseRuleFollowsKernelList) {
  PolicyRule rule = rule_for({BPFProgramType::kKprobe});
  rule.licenses = {std::string(kGplCompatibleLicenses)};
  LoadPolicy policy;
  policy.add_rule(rule);
  LoadRequest r = verified(did_of('1'));
  r.license = "Dual BSD/GPL";
  EXPECT_TRUE(policy.evaluate(r).allowed());
  r.license = "MIT";
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kLicenseDenied);
  r.license = "";
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kLicenseDenied);
  r.license = "GPL";
  r.license_known = false;
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kLicenseDenied);
}

TEST(Evaluate, ExactLicenseListMatchesExactly) {
  PolicyRule rule = rule_for({BPFProgramType::kKprobe});
  rule.licenses = {"Dual MIT/GPL"};
  LoadPolicy policy;
  policy.add_rule(rule);
  LoadRequest r = verified(did_of('1'));
  r.license = "Dual MIT/GPL";
  EXPECT_TRUE(policy.evaluate(r).allowed());
  r.license = "GPL";
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kLicenseDenied);
}

TEST(Evaluate, ChecksRunInDocumentedOrder) {
  PolicyRule rule = rule_for({BPFProgramType::kKprobe});
  rule.max_bytecode_size = 10;
  rule.allowed_signers = {did_of('2')};
  rule.attach_targets = {"nothing"};
  rule.max_insns = 1;
  rule.licenses = {"MIT"};
  LoadPolicy policy;
  policy.add_rule(rule);
  LoadRequest r = verified(did_of('1'));
  r.signature_valid = false;
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kSizeExceeded);
  policy = LoadPolicy();
  rule.max_bytecode_size = kDefaultMaxBytecodeSize;
  policy.add_rule(rule);
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kBadSignature);
  r.signature_valid = true;
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kUntrustedSigner);
  r.signer = did_of('2');
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kAttachTargetDenied);
  r.programs[0].attach_target = "nothing";
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kTooManyInsns);
  r.programs[0].insn_count = 1;
  r.programs[0].reachable_insns = 1;
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kLicenseDenied);
  r.license = "MIT";
  EXPECT_TRUE(policy.evaluate(r).allowed());
}

// Issue 11.1: an object the reader cannot inspect is judged by nothing but a
// claim, so it is denied unless its rule opts in.
TEST(Evaluate, UninspectableObjectIsDeniedUnlessItsRuleAllowsIt) {
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kKprobe}));
  LoadRequest r = verified(did_of('1'));
  r.programs.clear();
  r.inspection_error = "object: not an ELF file";
  PolicyDecision d = policy.evaluate(r);
  EXPECT_EQ(d.reason, ReasonCode::kUninspectableObject);
  EXPECT_NE(d.sentence.find("not an ELF file"), std::string::npos) << d.sentence;
  EXPECT_NE(d.sentence.find("rules[0]"), std::string::npos) << d.sentence;
  EXPECT_TRUE(one_line(d.sentence));
}

TEST(Evaluate, UninspectableObjectIsDeniedUnderDefaultAllowToo) {
  LoadPolicy policy;
  policy.set_default_decision(Decision::kAllow);
  LoadRequest r = verified(did_of('1'));
  r.programs.clear();
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kUninspectableObject);
  r.declared_type.reset();
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kUninspectableObject);
}

TEST(Evaluate, AllowUninspectableRuleJudgesTheDeclaredType) {
  PolicyRule rule = rule_for({BPFProgramType::kKprobe});
  rule.allow_uninspectable = true;
  LoadPolicy policy;
  policy.add_rule(rule);
  LoadRequest r = verified(did_of('1'));
  r.programs.clear();
  const PolicyDecision d = policy.evaluate(r);
  EXPECT_TRUE(d.allowed()) << d.sentence;
  ASSERT_EQ(d.programs.size(), 1u);
  EXPECT_EQ(d.programs[0].type, BPFProgramType::kKprobe);
  r.declared_type = BPFProgramType::kXdp;
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kNoRule);
}

TEST(Evaluate, UninspectableObjectWithFailedEnvelopeKeepsTheVerifierReason) {
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kKprobe}));
  LoadRequest r = verified(did_of('1'));
  r.programs.clear();
  r.signer.reset();
  r.verification_failure = ReasonCode::kHashMismatch;
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kHashMismatch);
}

TEST(Evaluate, DeclaredTypeFallbackHasUnknownInsnCount) {
  PolicyRule rule = rule_for({BPFProgramType::kKprobe});
  rule.allow_uninspectable = true;
  rule.max_insns = 100000;
  LoadPolicy policy;
  policy.add_rule(rule);
  LoadRequest r = verified(did_of('1'));
  r.programs.clear();
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kTooManyInsns);
}

TEST(Evaluate, NothingKnownAboutFailedEnvelopeGivesVerificationReason) {
  LoadPolicy policy;
  policy.set_default_decision(Decision::kAllow);
  LoadRequest r;
  r.envelope_present = true;
  r.verification_failure = ReasonCode::kMalformedEnvelope;
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kMalformedEnvelope);
}

TEST(Evaluate, ProgramOfUnknownTypeIsDeniedEvenWithDefaultAllow) {
  LoadPolicy policy;
  policy.set_default_decision(Decision::kAllow);
  LoadRequest r = verified(did_of('1'));
  r.programs[0].type.reset();
  const PolicyDecision d = policy.evaluate(r);
  EXPECT_EQ(d.reason, ReasonCode::kTypeNotAllowed);
  EXPECT_EQ(d.program, "trace_open");
}

TEST(Evaluate, DenyAllPolicyDeniesWithPolicyError) {
  const LoadPolicy policy = LoadPolicy::deny_all("policy.yaml: line 3, column 1: unknown key 'x'");
  const PolicyDecision d = policy.evaluate(verified(did_of('1')));
  EXPECT_EQ(d.reason, ReasonCode::kPolicyError);
  EXPECT_NE(d.sentence.find("unknown key"), std::string::npos);
  EXPECT_TRUE(policy.is_deny_all());
}

TEST(Evaluate, ObjectFactsDecideOverDeclaredType) {
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kKprobe}));
  LoadRequest r = verified(did_of('1'));
  bpf::ObjectInfo info;
  info.programs = {program("smuggled", BPFProgramType::kXdp, "xdp")};
  info.license = "MIT";
  set_object_facts(r, info);
  EXPECT_TRUE(r.license_known);
  EXPECT_EQ(r.license, "MIT");
  PolicyDecision d = policy.evaluate(r);
  EXPECT_EQ(d.reason,
            ReasonCode::kProgramMismatch);  // declared kprobe, holds xdp
  EXPECT_EQ(d.program, "smuggled");
  r.declared_type.reset();
  d = policy.evaluate(r);
  EXPECT_EQ(d.reason, ReasonCode::kNoRule);
  EXPECT_EQ(d.program, "smuggled");
}

// Issue 11.1: the declared type is a claim; a program the object holds that
// the claim does not cover is a mismatch, whatever the rules would say.
TEST(Evaluate, ProgramOutsideTheDeclaredTypeIsProgramMismatch) {
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kXdp}));
  LoadRequest r = verified(did_of('1'));
  r.declared_type = BPFProgramType::kXdp;
  r.programs = {program("restrict_exec", BPFProgramType::kLsm, "lsm/bprm_check_security")};
  const PolicyDecision d = policy.evaluate(r);
  EXPECT_EQ(d.reason, ReasonCode::kProgramMismatch);
  EXPECT_EQ(d.program, "restrict_exec");
  EXPECT_NE(d.sentence.find("restrict_exec"), std::string::npos) << d.sentence;
  EXPECT_NE(d.sentence.find("lsm"), std::string::npos) << d.sentence;
  EXPECT_NE(d.sentence.find("xdp"), std::string::npos) << d.sentence;
  // Even a default-allow policy does not let the claim stand.
  LoadPolicy open;
  open.set_default_decision(Decision::kAllow);
  EXPECT_EQ(open.evaluate(r).reason, ReasonCode::kProgramMismatch);
}

TEST(Evaluate, DeclaredKernelTypeCoversItsRefinementsOnly) {
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kKprobe}));
  LoadRequest r = verified(did_of('1'));
  r.declared_type = BPFProgramType::kKprobe;
  r.programs = {program("ret", BPFProgramType::kKretprobe, "kretprobe/do_sys_openat2")};
  EXPECT_TRUE(policy.evaluate(r).allowed());
  r.declared_type = BPFProgramType::kKretprobe;
  r.programs = {program("plain", BPFProgramType::kKprobe, "kprobe/vfs_read")};
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kProgramMismatch);
}

// Issue 11.10: revocation matches every object presented, even when the
// envelope failed and no verified object hash exists.
TEST(Evaluate, RevokedPresentedObjectIsDeniedWhateverTheVerification) {
  LoadPolicy policy;
  policy.set_default_decision(Decision::kAllow);
  ASSERT_TRUE(policy.revoke_object(std::string(64, 'b')).ok());
  LoadRequest r;
  r.envelope_present = true;
  r.verification_failure = ReasonCode::kBadSignature;
  r.presented_object_sha3_256 = {std::string(64, 'c'), std::string(64, 'B')};
  const PolicyDecision d = policy.evaluate(r);
  EXPECT_EQ(d.reason, ReasonCode::kRevokedObject);
  EXPECT_NE(d.sentence.find(std::string(64, 'b')), std::string::npos);
}

}  // namespace
}  // namespace pqbpf::policy

// LoadPolicy::evaluate and enforce: rule order, default decision, allow-lists,
// revocation, per-program checks, and every reason code the policy can give.
#include <string>

#include <gtest/gtest.h>

#include "pqbpf/policy/load_policy.h"
#include "pqbpf/policy/policy_errors.h"

namespace pqbpf::policy {
namespace {

Did did_of(char c) { return Did::parse("did:pqaid:" + std::string(64, c)).value(); }

const std::string kHash(64, 'a');

bpf::ProgramInfo program(std::string name, BPFProgramType type, std::string section,
                         std::string target = "", std::uint64_t insns = 10) {
  bpf::ProgramInfo p;
  if (kernel_program_type(type) != type) {  // as the reader reports a refined section
    p.refined_type = type;
    type = kernel_program_type(type);
  }
  p.name = std::move(name);
  p.type = type;
  p.section = std::move(section);
  p.attach_target = std::move(target);
  p.insn_count = insns;
  p.reachable_insns = insns;
  return p;
}

// A request whose envelope verified, signed by `signer`, with one kprobe program.
LoadRequest verified(const Did& signer) {
  LoadRequest r;
  r.envelope_present = true;
  r.envelope_well_formed = true;
  r.did_bound = true;
  r.signature_valid = true;
  r.hash_consistent = true;
  r.programs_consistent = true;
  r.signer = signer;
  r.object_sha3_256 = kHash;
  r.object_size = 4096;
  r.declared_type = BPFProgramType::kKprobe;
  r.programs = {program("trace_open", BPFProgramType::kKprobe, "kprobe/do_sys_openat2",
                        "do_sys_openat2")};
  r.license_known = true;
  r.license = "GPL";
  return r;
}

PolicyRule rule_for(std::initializer_list<BPFProgramType> types) {
  PolicyRule rule;
  rule.program_types = types;
  return rule;
}

bool one_line(const std::string& s) { return !s.empty() && s.find('\n') == std::string::npos; }

TEST(Evaluate, VerifiedProgramCoveredByRuleIsAllowed) {
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kKprobe}));
  const PolicyDecision d = policy.evaluate(verified(did_of('1')));
  EXPECT_TRUE(d.allowed());
  EXPECT_EQ(d.reason, ReasonCode::kAllowed);
  EXPECT_EQ(d.rule_index, 0u);
  ASSERT_EQ(d.programs.size(), 1u);
  EXPECT_EQ(d.programs[0].name, "trace_open");
  EXPECT_TRUE(one_line(d.sentence));
}

TEST(Evaluate, DefaultConstructedRequestIsDenied) {
  LoadPolicy policy;
  PolicyRule rule = rule_for({BPFProgramType::kKprobe});
  policy.add_rule(rule).set_default_decision(Decision::kAllow);
  const PolicyDecision d = policy.evaluate(LoadRequest{});
  EXPECT_FALSE(d.allowed());
  EXPECT_EQ(d.reason, ReasonCode::kUnsigned);
}

TEST(Evaluate, FirstMatchingRuleWinsOverLaterMorePermissiveRule) {
  PolicyRule strict = rule_for({BPFProgramType::kKprobe});
  strict.allowed_signers = {did_of('1')};
  LoadPolicy policy;
  policy.add_rule(strict).add_rule(rule_for({BPFProgramType::kKprobe}));
  const PolicyDecision d = policy.evaluate(verified(did_of('2')));
  EXPECT_EQ(d.reason, ReasonCode::kUntrustedSigner);
  EXPECT_EQ(d.rule_index, 0u);
  EXPECT_EQ(d.program, "trace_open");
}

TEST(Evaluate, RuleForOtherTypeIsSkipped) {
  PolicyRule xdp_only = rule_for({BPFProgramType::kXdp});
  xdp_only.allowed_signers = {did_of('9')};
  LoadPolicy policy;
  policy.add_rule(xdp_only).add_rule(rule_for({BPFProgramType::kKprobe}));
  const PolicyDecision d = policy.evaluate(verified(did_of('1')));
  EXPECT_TRUE(d.allowed());
  EXPECT_EQ(d.rule_index, 1u);
}

TEST(Evaluate, NoMatchingRuleWithDefaultDenyGivesNoRule) {
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kXdp}));
  const PolicyDecision d = policy.evaluate(verified(did_of('1')));
  EXPECT_EQ(d.reason, ReasonCode::kNoRule);
  EXPECT_FALSE(d.rule_index.has_value());
  EXPECT_NE(d.sentence.find("trace_open"), std::string::npos);
}

TEST(Evaluate, EmptyPolicyDeniesEverything) {
  EXPECT_EQ(LoadPolicy().evaluate(verified(did_of('1'))).reason, ReasonCode::kNoRule);
}

TEST(Evaluate, NoMatchingRuleWithDefaultAllowIsAllowed) {
  LoadPolicy policy;
  policy.set_default_decision(Decision::kAllow);
  const PolicyDecision d = policy.evaluate(verified(did_of('1')));
  EXPECT_TRUE(d.allowed());
  EXPECT_FALSE(d.rule_index.has_value());
}

TEST(Evaluate, EmptyAllowListAcceptsAnyVerifiedSigner) {
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kKprobe}));
  EXPECT_TRUE(policy.evaluate(verified(did_of('7'))).allowed());
}

TEST(Evaluate, ListedSignerIsAllowedAndOtherIsUntrusted) {
  PolicyRule rule = rule_for({BPFProgramType::kKprobe});
  rule.allowed_signers = {did_of('1'), did_of('2')};
  LoadPolicy policy;
  policy.add_rule(rule);
  EXPECT_TRUE(policy.evaluate(verified(did_of('2'))).allowed());
  const PolicyDecision d = policy.evaluate(verified(did_of('3')));
  EXPECT_EQ(d.reason, ReasonCode::kUntrustedSigner);
  EXPECT_NE(d.sentence.find(did_of('3').str()), std::string::npos);
}

TEST(Evaluate, RevokedObjectIsDeniedBeforeAnyRuleEvenWithDefaultAllow) {
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kKprobe})).set_default_decision(Decision::kAllow);
  ASSERT_TRUE(policy.revoke_object(std::string(64, 'A')).ok());
  const PolicyDecision d = policy.evaluate(verified(did_of('1')));
  EXPECT_EQ(d.reason, ReasonCode::kRevokedObject);
  EXPECT_FALSE(d.rule_index.has_value());
}

TEST(Evaluate, RevokeObjectWithBadHashFails) {
  LoadPolicy policy;
  EXPECT_FALSE(policy.revoke_object("abc").ok());
  EXPECT_FALSE(policy.revoke_object(std::string(63, 'a') + "g").ok());
  EXPECT_TRUE(policy.revoked_objects().empty());
}

TEST(Evaluate, RevokedSignerIsDeniedBeforeAnyRule) {
  PolicyRule rule = rule_for({BPFProgramType::kKprobe});
  rule.allowed_signers = {did_of('1')};
  LoadPolicy policy;
  policy.add_rule(rule).revoke_signer(did_of('1'));
  const PolicyDecision d = policy.evaluate(verified(did_of('1')));
  EXPECT_EQ(d.reason, ReasonCode::kRevokedSigner);
}

TEST(Evaluate, RevokedSignerNotClaimedWhenSignerUnverified) {
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kKprobe})).revoke_signer(did_of('1'));
  LoadRequest r = verified(did_of('1'));
  r.did_bound = false;
  r.signer.reset();
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kDidMismatch);
}

TEST(Evaluate, ObjectOverSizeCapIsDeniedAndAtCapAllowed) {
  PolicyRule rule = rule_for({BPFProgramType::kKprobe});
  rule.max_bytecode_size = 4096;
  LoadPolicy policy;
  policy.add_rule(rule);
  LoadRequest r = verified(did_of('1'));
  EXPECT_TRUE(policy.evaluate(r).allowed());
  r.object_size = 4097;
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kSizeExceeded);
}

TEST(Evaluate, DefaultSizeCapIsTwoMebibytes) {
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kKprobe}));
  LoadRequest r = verified(did_of('1'));
  r.object_size = 2u << 20;
  EXPECT_TRUE(policy.evaluate(r).allowed());
  r.object_size += 1;
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kSizeExceeded);
}

TEST(Evaluate, EachVerificationFlagGivesItsReason) {
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kKprobe}));
  struct Case {
    bool LoadRequest::*flag;
    ReasonCode reason;
  };
  for (const Case& c : {Case{&LoadRequest::envelope_present, ReasonCode::kUnsigned},
                        Case{&LoadRequest::envelope_well_formed, ReasonCode::kMalformedEnvelope},
                        Case{&LoadRequest::did_bound, ReasonCode::kDidMismatch},
                        Case{&LoadRequest::signature_valid, ReasonCode::kBadSignature},
                        Case{&LoadRequest::hash_consistent, ReasonCode::kHashMismatch},
                        Case{&LoadRequest::programs_consistent, ReasonCode::kProgramMismatch}}) {
    LoadRequest r = verified(did_of('1'));
    r.*c.flag = false;
    const PolicyDecision d = policy.evaluate(r);
    EXPECT_EQ(d.reason, c.reason) << reason_code_name(c.reason);
    EXPECT_FALSE(d.allowed());
    EXPECT_TRUE(one_line(d.sentence));
  }
}

TEST(Evaluate, VerifierFailureReasonAndDetailArePassedThrough) {
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kKprobe}));
  LoadRequest r = verified(did_of('1'));
  r.verification_failure = ReasonCode::kSizeMismatch;
  r.verification_detail = "object is 10 bytes, manifest says 12";
  const PolicyDecision d = policy.evaluate(r);
  EXPECT_EQ(d.reason, ReasonCode::kSizeMismatch);
  EXPECT_NE(d.sentence.find("manifest says 12"), std::string::npos);
}

TEST(Evaluate, VerifiedFlagsWithoutSignerFailClosed) {
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kKprobe}));
  LoadRequest r = verified(did_of('1'));
  r.signer.reset();
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kInternalError);
}

TEST(Evaluate, RequireSignatureFalseLetsUnsignedObjectThrough) {
  PolicyRule rule = rule_for({BPFProgramType::kKprobe});
  rule.require_signature = false;
  LoadPolicy policy;
  policy.add_rule(rule);
  LoadRequest r = verified(did_of('1'));
  r.envelope_present = false;
  r.signer.reset();
  EXPECT_TRUE(policy.evaluate(r).allowed());
}

TEST(Evaluate, RequireSignatureFalseWithAllowListDeniesUnsignedAsUntrusted) {
  PolicyRule rule = rule_for({BPFProgramType::kKprobe});
  rule.require_signature = false;
  rule.allowed_signers = {did_of('1')};
  LoadPolicy policy;
  policy.add_rule(rule);
  LoadRequest r = verified(did_of('1'));
  r.signature_valid = false;
  r.signer.reset();
  EXPECT_EQ(policy.evaluate(r).reason, ReasonCode::kUntrustedSigner);
}

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
  r.programs.push_back(program("refined_in_type", BPFProgramType::kKprobe, "uretprobe/libc.so:free"));
  r.programs.back().type = BPFProgramType::kUretprobe;  // a reader that puts the refined name in type
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
  EXPECT_EQ(d.reason, ReasonCode::kProgramMismatch);  // declared kprobe, holds xdp
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

TEST(Enforce, AllowedRequestIsOk) {
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kKprobe}));
  const EnforceResult result = policy.enforce(verified(did_of('1')));
  EXPECT_TRUE(result.ok());
  EXPECT_TRUE(result.status().ok());
  EXPECT_NO_THROW(policy.enforce_or_throw(verified(did_of('1'))));
}

TEST(Enforce, SignerOutsideAllowListIsUntrustedSigner) {
  PolicyRule rule = rule_for({BPFProgramType::kKprobe});
  rule.allowed_signers = {did_of('1')};
  LoadPolicy policy;
  policy.add_rule(rule);
  const EnforceResult result = policy.enforce(verified(did_of('2')));
  EXPECT_EQ(result.outcome, EnforceOutcome::kUntrustedSigner);
  EXPECT_EQ(result.status().error().code, ErrorCode::kRejected);
  EXPECT_EQ(result.status().error().message.rfind("untrusted_signer: ", 0), 0u);
  EXPECT_THROW(policy.enforce_or_throw(verified(did_of('2'))), UntrustedSignerError);
}

TEST(Enforce, RevokedSignerIsUntrustedSigner) {
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kKprobe})).revoke_signer(did_of('1'));
  EXPECT_EQ(policy.enforce(verified(did_of('1'))).outcome, EnforceOutcome::kUntrustedSigner);
}

TEST(Enforce, OtherDenialIsPolicyDenied) {
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kXdp}));
  EXPECT_EQ(policy.enforce(verified(did_of('1'))).outcome, EnforceOutcome::kPolicyDenied);
  try {
    policy.enforce_or_throw(verified(did_of('1')));
    FAIL() << "expected PolicyDeniedError";
  } catch (const PolicyDeniedError& e) {
    EXPECT_EQ(e.decision().reason, ReasonCode::kNoRule);
    EXPECT_EQ(std::string(e.what()).rfind("no_rule: ", 0), 0u);
  }
}

}  // namespace
}  // namespace pqbpf::policy

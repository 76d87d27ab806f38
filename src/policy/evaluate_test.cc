// LoadPolicy::evaluate and enforce: rule order, default decision, allow-lists,
// revocation, size, the verifier's flags, and enforce's exceptions. The checks
// on each program's facts are in evaluate_programs_test.cc.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "evaluate_test_util.h"
#include "pqbpf/policy/load_policy.h"
#include "pqbpf/policy/policy_errors.h"

namespace pqbpf::policy {
namespace {

using namespace evaluate_test;

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
  for (const Case &c : {Case{&LoadRequest::envelope_present, ReasonCode::kUnsigned},
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

// kLastReasonCode is the last code: every code up to it has its own name,
// and only internal_error is called "internal_error" (the name's fallback).
TEST(Evaluate, EveryReasonCodeHasItsOwnName) {
  std::set<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(kLastReasonCode); ++i) {
    const auto code = static_cast<ReasonCode>(i);
    const std::string_view name = reason_code_name(code);
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_EQ(name == "internal_error", code == ReasonCode::kInternalError) << i;
  }
  EXPECT_EQ(reason_code_name(kLastReasonCode), "caller_not_permitted");
}

// Every failure the verifier reports (src/attest/verifier.cc) is denied
// with that reason, not as an internal error.
TEST(Evaluate, EveryVerifierFailureKeepsItsReason) {
  LoadPolicy policy;
  policy.add_rule(rule_for({BPFProgramType::kKprobe}));
  for (ReasonCode code : {ReasonCode::kBadSignature, ReasonCode::kDidMismatch, ReasonCode::kHashMismatch,
                          ReasonCode::kMalformedEnvelope, ReasonCode::kObjectConflict, ReasonCode::kObjectMissing,
                          ReasonCode::kProgramMismatch, ReasonCode::kSizeExceeded, ReasonCode::kSizeMismatch,
                          ReasonCode::kUnsupportedFormat}) {
    LoadRequest r = verified(did_of('1'));
    r.verification_failure = code;
    r.verification_detail = "detail";
    const PolicyDecision d = policy.evaluate(r);
    EXPECT_EQ(d.reason, code) << reason_code_name(code);
    EXPECT_FALSE(d.allowed());
    EXPECT_EQ(d.sentence.find("no verified signer"), std::string::npos) << d.sentence;
  }
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
  } catch (const PolicyDeniedError &e) {
    EXPECT_EQ(e.decision().reason, ReasonCode::kNoRule);
    EXPECT_EQ(std::string(e.what()).rfind("no_rule: ", 0), 0u);
  }
}

}  // namespace
}  // namespace pqbpf::policy

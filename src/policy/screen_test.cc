// LoadPolicy::screen_signer and screen_unsigned: what the gate decides before
// an object is parsed (issue 11.3). Each refusal must be one evaluate() would
// make too (fuzz/policy_fuzzer.cc checks that property on random policies).
#include <string>

#include <gtest/gtest.h>

#include "pqbpf/policy/load_policy.h"

namespace pqbpf::policy {
namespace {

Did did_of(char c) { return Did::parse("did:pqaid:" + std::string(64, c)).value(); }

const std::string kHash(64, 'a');

PolicyRule rule_for(std::initializer_list<BPFProgramType> types) {
  PolicyRule rule;
  rule.program_types = types;
  return rule;
}

TEST(Screen, RevokedOrUnlistedSignerIsRefusedBeforeParsing) {
  PolicyRule ops = rule_for({BPFProgramType::kKprobe});
  ops.allowed_signers = {did_of('1')};
  LoadPolicy policy;
  policy.add_rule(ops).revoke_signer(did_of('3'));
  EXPECT_FALSE(policy.screen_signer(did_of('1'), kHash).has_value());
  auto rogue = policy.screen_signer(did_of('2'), kHash);
  ASSERT_TRUE(rogue.has_value());
  EXPECT_EQ(rogue->reason, ReasonCode::kUntrustedSigner);
  EXPECT_NE(rogue->sentence.find(did_of('2').str()), std::string::npos);
  EXPECT_EQ(policy.screen_signer(did_of('3'), kHash)->reason, ReasonCode::kRevokedSigner);
  ASSERT_TRUE(policy.revoke_object(kHash).ok());
  EXPECT_EQ(policy.screen_signer(did_of('1'), kHash)->reason, ReasonCode::kRevokedObject);
}

TEST(Screen, UnsignedObjectPassesOnlyWhenSomeRuleAdmitsUnsigned) {
  LoadPolicy signed_only;
  signed_only.add_rule(rule_for({BPFProgramType::kKprobe}));
  EXPECT_EQ(signed_only.screen_unsigned(kHash)->reason, ReasonCode::kUnsigned);
  PolicyRule listed = rule_for({BPFProgramType::kXdp});
  listed.require_signature = false;
  listed.allowed_signers = {did_of('1')};
  signed_only.add_rule(listed);  // a list still needs a verified signer
  EXPECT_EQ(signed_only.screen_unsigned(kHash)->reason, ReasonCode::kUnsigned);
  PolicyRule open = rule_for({BPFProgramType::kXdp});
  open.require_signature = false;
  signed_only.add_rule(open);
  EXPECT_FALSE(signed_only.screen_unsigned(kHash).has_value());
  ASSERT_TRUE(signed_only.revoke_object(kHash).ok());
  EXPECT_EQ(signed_only.screen_unsigned(kHash)->reason, ReasonCode::kRevokedObject);
  LoadPolicy default_allow;
  default_allow.set_default_decision(Decision::kAllow);
  EXPECT_FALSE(default_allow.screen_unsigned(kHash).has_value());
}

TEST(Screen, AnyRuleThatCouldAllowTheSignerLetsTheObjectBeRead) {
  PolicyRule listed = rule_for({BPFProgramType::kLsm});
  listed.allowed_signers = {did_of('1')};
  PolicyRule open = rule_for({BPFProgramType::kXdp});  // any verified signer
  LoadPolicy with_open;
  with_open.add_rule(listed).add_rule(open);
  EXPECT_FALSE(with_open.screen_signer(did_of('2'), kHash).has_value());
  // require_signature: false with a list still needs a listed signer.
  PolicyRule unsigned_listed = listed;
  unsigned_listed.require_signature = false;
  LoadPolicy listed_only;
  listed_only.add_rule(unsigned_listed);
  EXPECT_EQ(listed_only.screen_signer(did_of('2'), kHash)->reason, ReasonCode::kUntrustedSigner);
  LoadPolicy default_allow;
  default_allow.add_rule(listed).set_default_decision(Decision::kAllow);
  EXPECT_FALSE(default_allow.screen_signer(did_of('2'), kHash).has_value());
  EXPECT_EQ(LoadPolicy().screen_signer(did_of('2'), kHash)->reason, ReasonCode::kNoRule);
  EXPECT_EQ(LoadPolicy::deny_all("x").screen_signer(did_of('1'), kHash)->reason, ReasonCode::kPolicyError);
}

}  // namespace
}  // namespace pqbpf::policy

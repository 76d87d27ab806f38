// The outside review's attacks on the decision path (issue 11, items 1, 3
// and 10), each through gate::check_load_bytes, the entry point the CLI, the
// gate daemon and the sandbox share. Envelopes are made the way an attacker
// would: our signer where it is willing, raw ML-DSA over a hand-built
// manifest where it is not.
#include <gtest/gtest.h>

#include "attest_test_util.h"
#include "pqbpf/crypto/sha3.h"
#include "pqbpf/gate/load_check.h"
#include "pqbpf/gate/load_request_builder.h"

namespace pqbpf::gate {
namespace {

using namespace pqbpf::testing;

std::span<const std::uint8_t> as_bytes(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// A manifest signed "validly" by `key`, whatever it says (an attacker's own
// key): the signature verifies, the signer is simply not one anybody trusts.
std::string sign_raw(ManifestFields fields, const mldsa::KeyPair& key,
                     std::optional<std::vector<std::uint8_t>> embedded = std::nullopt) {
  fields.signer = Did::from_public_key(key.public_key).str();
  auto manifest = Manifest::create(fields);
  EXPECT_TRUE(manifest.ok()) << (manifest.ok() ? "" : manifest.error().message);
  const std::string msg = manifest->canonical_bytes();
  auto sig = mldsa::sign(key.private_key, as_bytes(msg), signature_context(), mldsa::SigningMode::kDeterministic);
  EXPECT_TRUE(sig.ok());
  auto envelope = Envelope::create(*manifest, key.public_key, std::move(sig).value(), std::move(embedded));
  EXPECT_TRUE(envelope.ok()) << (envelope.ok() ? "" : envelope.error().message);
  return serialize_envelope(*envelope);
}

CheckOutcome check(const std::string& envelope, std::span<const std::uint8_t> object,
                   const policy::LoadPolicy& policy) {
  CheckBytesRequest request{.envelope = as_bytes(envelope), .object = object};
  return check_load_bytes(request, policy, nullptr);
}

policy::PolicyRule rule(BPFProgramType type, const Did& signer) {
  return {.program_types = {type}, .allowed_signers = {signer}};
}

// Issue 11.1: format 1 signs only a declared type. `sign --format 1 --type
// xdp` over an object holding other programs used to pass an xdp rule.
TEST(DecisionAttack, FormatOneEnvelopeDeclaringXdpForOtherProgramsIsProgramMismatch) {
  const BPFSigner ops = signer(7);
  const auto object = object_bytes("attest_mixed");  // kprobe + lsm programs
  const auto envelope =
      sign_ok(ops, program("attest_mixed", BPFProgramType::kXdp), fixed_time_options(ManifestFormat::kV1));
  policy::LoadPolicy policy;
  policy.add_rule(rule(BPFProgramType::kXdp, ops.did()));
  const CheckOutcome outcome = check(envelope.to_json(), object, policy);
  EXPECT_EQ(outcome.decision, Decision::kDeny);
  EXPECT_EQ(reason_code_name(outcome.reason), "program_mismatch") << outcome.sentence;
  // The signature itself is genuine: only the decision changed.
  EXPECT_TRUE(outcome.verification.valid) << outcome.verification.error;
  EXPECT_NE(outcome.sentence.find("xdp"), std::string::npos) << outcome.sentence;
  EXPECT_NE(outcome.sentence.find("kprobe"), std::string::npos) << outcome.sentence;
}

TEST(DecisionAttack, FormatOneKprobeEnvelopeSmugglingAnLsmProgramIsProgramMismatch) {
  const BPFSigner ops = signer(7);
  const auto object = object_bytes("attest_mixed");
  const auto envelope =
      sign_ok(ops, program("attest_mixed", BPFProgramType::kKprobe), fixed_time_options(ManifestFormat::kV1));
  policy::LoadPolicy policy;
  policy.add_rule(rule(BPFProgramType::kKprobe, ops.did()));
  const CheckOutcome outcome = check(envelope.to_json(), object, policy);
  EXPECT_EQ(reason_code_name(outcome.reason), "program_mismatch") << outcome.sentence;
  ASSERT_TRUE(outcome.policy.program.has_value());
  EXPECT_NE(outcome.sentence.find("lsm"), std::string::npos) << outcome.sentence;
  EXPECT_NE(outcome.sentence.find("kprobe"), std::string::npos) << outcome.sentence;
}

TEST(DecisionAttack, HonestFormatOneEnvelopeIsJudgedOnTheProgramsReadFromTheObject) {
  const BPFSigner ops = signer(7);
  const auto object = object_bytes("attest_kprobe");
  const auto envelope =
      sign_ok(ops, program("attest_kprobe", BPFProgramType::kKprobe), fixed_time_options(ManifestFormat::kV1));
  policy::LoadPolicy policy;
  policy.add_rule(rule(BPFProgramType::kKprobe, ops.did()));
  const CheckOutcome outcome = check(envelope.to_json(), object, policy);
  EXPECT_EQ(outcome.decision, Decision::kAllow) << outcome.sentence;
  ASSERT_TRUE(outcome.verification.facts.has_value());
  ASSERT_EQ(outcome.policy.programs.size(), 1u);
  EXPECT_NE(outcome.policy.programs[0].name, "(declared type)");
}

TEST(DecisionAttack, UninspectableObjectIsDeniedUnlessTheRuleAllowsIt) {
  const BPFSigner ops = signer(7);
  const std::string text = "not an ELF object, whatever the envelope says";
  std::vector<std::uint8_t> object(text.begin(), text.end());
  auto p = BPFProgram::from_bytes(metadata(BPFProgramType::kKprobe), object, "blob.o");
  ASSERT_TRUE(p.ok());
  const auto envelope = sign_ok(ops, *p, fixed_time_options(ManifestFormat::kV1));
  policy::LoadPolicy policy;
  policy.add_rule(rule(BPFProgramType::kKprobe, ops.did()));
  CheckOutcome outcome = check(envelope.to_json(), object, policy);
  EXPECT_TRUE(outcome.verification.valid) << outcome.verification.error;
  EXPECT_FALSE(outcome.verification.inspection_error.empty());
  EXPECT_EQ(reason_code_name(outcome.reason), "uninspectable_object") << outcome.sentence;

  policy::PolicyRule opt_in = rule(BPFProgramType::kKprobe, ops.did());
  opt_in.allow_uninspectable = true;
  policy::LoadPolicy permissive;
  permissive.add_rule(opt_in);
  outcome = check(envelope.to_json(), object, permissive);
  EXPECT_EQ(outcome.decision, Decision::kAllow) << outcome.sentence;
}

// Issue 11.3: a valid signature by an attacker's own key must not get the
// object parser to run. The object is not an ELF file and the manifest is
// format 2, so any parse would end in program_mismatch ("cannot re-derive
// the program list"); refused before parsing, it is untrusted_signer.
TEST(DecisionAttack, RogueSignerIsRefusedBeforeTheObjectIsParsed) {
  const BPFSigner ops = signer(7);
  const auto honest = sign_ok(ops, program("attest_kprobe"), fixed_time_options());
  const std::string text(4096, '\x7f');
  const std::vector<std::uint8_t> object(text.begin(), text.end());
  ManifestFields fields = honest.manifest().fields();
  fields.sha3_256 = crypto::to_hex(crypto::sha3_256(object));
  fields.size = object.size();
  const std::string envelope = sign_raw(fields, key_pair(66));
  policy::LoadPolicy policy;
  policy.add_rule(rule(BPFProgramType::kKprobe, ops.did()));
  const CheckOutcome outcome = check(envelope, object, policy);
  EXPECT_EQ(outcome.decision, Decision::kDeny);
  EXPECT_EQ(reason_code_name(outcome.reason), "untrusted_signer") << outcome.sentence;
  EXPECT_TRUE(outcome.verification.signature_valid);
  EXPECT_TRUE(outcome.verification.hash_consistent);
  EXPECT_TRUE(outcome.verification.refused_before_parse);
  EXPECT_FALSE(outcome.verification.programs_consistent.has_value());  // never compared
  EXPECT_EQ(outcome.sentence.find("re-derive"), std::string::npos) << outcome.sentence;

  // The trusted signer's identical envelope does reach the parser.
  const std::string by_ops = sign_raw(fields, key_pair(7));
  const CheckOutcome parsed = check(by_ops, object, policy);
  EXPECT_EQ(reason_code_name(parsed.reason), "program_mismatch") << parsed.sentence;
}

TEST(DecisionAttack, RevokedSignerIsRefusedBeforeTheObjectIsParsed) {
  const BPFSigner ops = signer(7);
  const auto honest = sign_ok(ops, program("attest_kprobe"), fixed_time_options());
  const std::vector<std::uint8_t> object(512, 0);
  ManifestFields fields = honest.manifest().fields();
  fields.sha3_256 = crypto::to_hex(crypto::sha3_256(object));
  fields.size = object.size();
  policy::LoadPolicy policy;
  policy.add_rule({.program_types = {BPFProgramType::kKprobe}});  // any signer
  policy.revoke_signer(ops.did());
  const CheckOutcome outcome = check(sign_raw(fields, key_pair(7)), object, policy);
  EXPECT_EQ(reason_code_name(outcome.reason), "revoked_signer") << outcome.sentence;
  EXPECT_TRUE(outcome.verification.refused_before_parse);
}

// Issue 11.10: a revoked object stays revoked when its envelope fails.
TEST(DecisionAttack, RevokedObjectIsDeniedEvenWhenVerificationFails) {
  const BPFSigner ops = signer(7);
  const auto revoked = object_bytes("attest_kprobe");
  const auto other = sign_ok(ops, program("attest_mixed"), fixed_time_options());
  policy::LoadPolicy policy;
  policy.set_default_decision(Decision::kAllow);
  ASSERT_TRUE(policy.revoke_object(crypto::to_hex(crypto::sha3_256(revoked))).ok());

  // Presented under another object's envelope: size/hash mismatch.
  CheckOutcome outcome = check(other.to_json(), revoked, policy);
  EXPECT_EQ(reason_code_name(outcome.reason), "revoked_object") << outcome.sentence;

  // Under a signature that does not verify (the signer DID re-pointed at a
  // key that did not sign).
  const auto honest = sign_ok(ops, program("attest_kprobe"), fixed_time_options());
  const auto& e = honest.envelope;
  auto key2 = key_pair(2).public_key;
  ManifestFields fields = e.manifest().fields();
  fields.signer = Did::from_public_key(key2).str();
  auto m = Manifest::create(fields);
  ASSERT_TRUE(m.ok());
  auto forged = Envelope::create(*m, key2, {e.signature().begin(), e.signature().end()});
  ASSERT_TRUE(forged.ok());
  outcome = check(serialize_envelope(*forged), revoked, policy);
  EXPECT_EQ(reason_code_name(outcome.verification.reason), "bad_signature");
  EXPECT_EQ(reason_code_name(outcome.reason), "revoked_object") << outcome.sentence;

  // Embedded in an envelope, next to a detached copy that differs.
  const auto embedding = sign_raw(honest.manifest().fields(), key_pair(7), revoked);
  const auto mixed = object_bytes("attest_mixed");
  outcome = check(embedding, mixed, policy);
  EXPECT_EQ(reason_code_name(outcome.verification.reason), "object_conflict");
  EXPECT_EQ(reason_code_name(outcome.reason), "revoked_object") << outcome.sentence;
}

// The same for an object with no envelope at all: unless some rule admits
// unsigned objects, it never reaches the object reader.
TEST(DecisionAttack, UnsignedObjectIsRefusedBeforeParsingUnlessARuleAdmitsUnsigned) {
  const std::vector<std::uint8_t> blob(256, 0x11);  // parsing would say uninspectable_object
  policy::LoadPolicy signed_only;
  signed_only.add_rule({.program_types = {BPFProgramType::kKprobe}});
  policy::PolicyDecision d = evaluate_unsigned(signed_only, blob, "blob.o");
  EXPECT_EQ(reason_code_name(d.reason), "unsigned") << d.sentence;
  EXPECT_NE(d.sentence.find("was not parsed"), std::string::npos) << d.sentence;

  policy::LoadPolicy testing_only;
  testing_only.add_rule({.program_types = {BPFProgramType::kKprobe}, .require_signature = false});
  d = evaluate_unsigned(testing_only, blob, "blob.o");
  EXPECT_EQ(reason_code_name(d.reason), "unsigned") << d.sentence;
  EXPECT_NE(d.sentence.find("could not be read"), std::string::npos) << d.sentence;  // the reader ran
  d = evaluate_unsigned(testing_only, object_bytes("attest_kprobe"), "k.o");
  EXPECT_EQ(d.decision, Decision::kAllow) << d.sentence;

  ASSERT_TRUE(testing_only.revoke_object(crypto::to_hex(crypto::sha3_256(blob))).ok());
  EXPECT_EQ(reason_code_name(evaluate_unsigned(testing_only, blob, "blob.o").reason), "revoked_object");
}

}  // namespace
}  // namespace pqbpf::gate

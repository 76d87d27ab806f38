// Each attack on an envelope is rejected with its own reason code, and every
// field of the manifest is covered by the signature.
#include <gtest/gtest.h>

#include "attest_test_util.h"
#include "pqbpf/core/base64.h"
#include "pqbpf/crypto/sha3.h"

namespace pqbpf {
namespace {

using namespace pqbpf::testing;
using nlohmann::json;

class Attack : public ::testing::Test {
 protected:
  void SetUp() override {
    object_ = object_bytes("attest_kprobe");
    honest_ = std::make_unique<SignedBPFProgram>(sign_ok(signer(1), program("attest_kprobe"), fixed_time_options()));
  }
  // A manifest signed "validly" by `key` whatever its content (an attacker
  // with their own key, or a buggy signer).
  static Envelope sign_raw(const Manifest& m, const mldsa::KeyPair& key) {
    const std::string msg = m.canonical_bytes();
    auto sig = mldsa::sign(key.private_key,
                           {reinterpret_cast<const std::uint8_t*>(msg.data()), msg.size()},
                           signature_context(), mldsa::SigningMode::kDeterministic);
    EXPECT_TRUE(sig.ok());
    auto env = Envelope::create(m, key.public_key, std::move(sig).value());
    EXPECT_TRUE(env.ok());
    return std::move(env).value();
  }
  VerificationResult verify(const Envelope& e, std::span<const std::uint8_t> object) {
    return BPFVerifier::verify(e, object);
  }
  void expect_rejected(const VerificationResult& r, ReasonCode reason) {
    EXPECT_FALSE(r.valid);
    EXPECT_EQ(reason_code_name(r.reason), reason_code_name(reason)) << r.error;
    EXPECT_FALSE(r.error.empty());
    EXPECT_TRUE(r.object.empty());
  }

  std::vector<std::uint8_t> object_;
  std::unique_ptr<SignedBPFProgram> honest_;
};

TEST_F(Attack, DidClaimedByADifferentKeyFailsDidMismatch) {
  // The attacker signs with their own key but claims the victim's DID.
  auto fields = honest_->manifest().fields();
  auto attacker = key_pair(66);
  auto m = Manifest::create(fields);  // signer = victim's DID
  ASSERT_TRUE(m.ok());
  const auto r = verify(sign_raw(*m, attacker), object_);
  expect_rejected(r, ReasonCode::kDidMismatch);
  EXPECT_FALSE(r.signature_valid);
  EXPECT_FALSE(r.signer_did.has_value());
  EXPECT_FALSE(r.manifest.has_value());
}

TEST_F(Attack, SwappedPublicKeyFailsDidMismatch) {
  const auto& e = honest_->envelope;
  auto other = key_pair(2).public_key;
  auto swapped = Envelope::create(e.manifest(), other, {e.signature().begin(), e.signature().end()});
  ASSERT_TRUE(swapped.ok());
  expect_rejected(verify(*swapped, object_), ReasonCode::kDidMismatch);
}

TEST_F(Attack, SwappedPublicKeyAndSignerFailsBadSignature) {
  const auto& e = honest_->envelope;
  auto other = key_pair(2).public_key;
  auto fields = e.manifest().fields();
  fields.signer = Did::from_public_key(other).str();
  auto m = Manifest::create(fields);
  ASSERT_TRUE(m.ok());
  auto swapped = Envelope::create(*m, other, {e.signature().begin(), e.signature().end()});
  ASSERT_TRUE(swapped.ok());
  const auto r = verify(*swapped, object_);
  expect_rejected(r, ReasonCode::kBadSignature);
  EXPECT_FALSE(r.signer_did.has_value());
}

TEST_F(Attack, SignatureFromAnotherManifestFailsBadSignature) {
  const auto other = sign_ok(signer(1), program("attest_mixed"), fixed_time_options());
  const auto& e = honest_->envelope;
  auto spliced = Envelope::create(e.manifest(), e.public_key(),
                                  {other.envelope.signature().begin(), other.envelope.signature().end()});
  ASSERT_TRUE(spliced.ok());
  expect_rejected(verify(*spliced, object_), ReasonCode::kBadSignature);
}

TEST_F(Attack, SwappedObjectFailsSizeOrHashMismatch) {
  const auto mixed = object_bytes("attest_mixed");
  const auto r = verify(honest_->envelope, mixed);
  EXPECT_FALSE(r.valid);
  EXPECT_TRUE(r.reason == ReasonCode::kSizeMismatch || r.reason == ReasonCode::kHashMismatch);
  EXPECT_TRUE(r.signature_valid);  // the envelope itself is genuine
  EXPECT_FALSE(r.hash_consistent);
}

TEST_F(Attack, SameSizeTamperedObjectFailsHashMismatch) {
  auto tampered = object_;
  tampered[tampered.size() / 2] ^= 0x01;
  const auto r = verify(honest_->envelope, tampered);
  expect_rejected(r, ReasonCode::kHashMismatch);
  EXPECT_NE(r.error.find(honest_->manifest().sha3_256()), std::string::npos);
}

TEST_F(Attack, TruncatedObjectFailsSizeMismatch) {
  std::vector<std::uint8_t> truncated(object_.begin(), object_.end() - 1);
  expect_rejected(verify(honest_->envelope, truncated), ReasonCode::kSizeMismatch);
  expect_rejected(verify(honest_->envelope, std::vector<std::uint8_t>{}), ReasonCode::kSizeMismatch);
}

TEST_F(Attack, AppendedBytesFailSizeMismatch) {
  auto longer = object_;
  longer.push_back(0);
  expect_rejected(verify(honest_->envelope, longer), ReasonCode::kSizeMismatch);
}

TEST_F(Attack, ChangedSignedSizeFailsBadSignature) {
  auto fields = honest_->manifest().fields();
  fields.size += 1;
  auto m = Manifest::create(fields);
  ASSERT_TRUE(m.ok());
  const auto& e = honest_->envelope;
  auto edited = Envelope::create(*m, e.public_key(), {e.signature().begin(), e.signature().end()});
  ASSERT_TRUE(edited.ok());
  expect_rejected(verify(*edited, object_), ReasonCode::kBadSignature);
}

TEST_F(Attack, OversizeObjectFailsSizeExceededBeforeHashing) {
  std::vector<std::uint8_t> huge(kMaxObjectFileSize + 1, 0);
  expect_rejected(verify(honest_->envelope, huge), ReasonCode::kSizeExceeded);
}

TEST_F(Attack, EmbeddedAndDetachedObjectsThatDifferFailObjectConflict) {
  auto o = fixed_time_options();
  o.embed = true;
  const auto embedded = sign_ok(signer(1), program("attest_kprobe"), o);
  auto other = object_;
  other[0] ^= 0xFF;
  expect_rejected(verify(embedded.envelope, other), ReasonCode::kObjectConflict);
}

TEST_F(Attack, EmbeddedObjectSwappedFailsHashMismatch) {
  const auto& e = honest_->envelope;
  auto tampered = object_;
  tampered[10] ^= 1;
  auto edited = Envelope::create(e.manifest(), e.public_key(), {e.signature().begin(), e.signature().end()},
                                 tampered);
  ASSERT_TRUE(edited.ok());
  expect_rejected(BPFVerifier::verify(*edited, std::nullopt), ReasonCode::kHashMismatch);
}

TEST_F(Attack, EnvelopeEditedToDropAProgramFailsBadSignature) {
  const auto mixed = sign_ok(signer(1), program("attest_mixed"), fixed_time_options());
  auto j = json::parse(mixed.to_json());
  j["manifest"]["programs"].erase(1);  // drop the lsm program
  auto edited = parse_envelope(j.dump(), "edited.sig.json");
  ASSERT_TRUE(edited.ok()) << edited.error().message;
  expect_rejected(verify(*edited, object_bytes("attest_mixed")), ReasonCode::kBadSignature);
}

TEST_F(Attack, SignedProgramListThatDisagreesWithObjectFailsProgramMismatch) {
  // A validly signed manifest (own key) whose list omits the lsm program:
  // the object hash matches, the re-derived list does not.
  const auto mixed = sign_ok(signer(1), program("attest_mixed"), fixed_time_options());
  auto fields = mixed.manifest().fields();
  fields.programs.pop_back();
  auto m = Manifest::create(fields);
  ASSERT_TRUE(m.ok()) << m.error().message;
  const auto r = verify(sign_raw(*m, key_pair(1)), object_bytes("attest_mixed"));
  expect_rejected(r, ReasonCode::kProgramMismatch);
  EXPECT_TRUE(r.signature_valid);
  EXPECT_TRUE(r.hash_consistent);
  EXPECT_EQ(r.programs_consistent, false);
  EXPECT_NE(r.error.find("deny_bpf"), std::string::npos) << r.error;
}

TEST_F(Attack, SignedMapsOrLicenseThatDisagreeFailProgramMismatch) {
  auto fields = honest_->manifest().fields();
  fields.maps[0].max_entries = 65;
  auto m = Manifest::create(fields);
  ASSERT_TRUE(m.ok());
  expect_rejected(verify(sign_raw(*m, key_pair(1)), object_), ReasonCode::kProgramMismatch);
  fields = honest_->manifest().fields();
  fields.license = "MIT";
  m = Manifest::create(fields);
  ASSERT_TRUE(m.ok());
  expect_rejected(verify(sign_raw(*m, key_pair(1)), object_), ReasonCode::kProgramMismatch);
}

// Changes one leaf of the manifest JSON so that it still parses, when it can.
std::vector<json> mutations(const std::string& pointer, const json& value) {
  std::vector<json> out;
  if (value.is_number_integer()) {
    out.push_back(value.get<std::uint64_t>() + 1);
    if (value.get<std::uint64_t>() > 0) out.push_back(value.get<std::uint64_t>() - 1);
    return out;
  }
  const std::string s = value.get<std::string>();
  if (pointer == "/format") return {"pqc-bpf-manifest/1"};
  if (pointer == "/signed_at") return {"2027" + s.substr(4)};
  if (pointer == "/metadata/program_type") return {"unspec", "kretprobe"};
  if (pointer.ends_with("/type") && pointer.starts_with("/programs")) return {"kretprobe"};
  if (pointer == "/metadata/kernel_min") return {s + "1"};
  if (!s.empty() && std::isxdigit(static_cast<unsigned char>(s.back())) && s.size() >= 64) {
    std::string t = s;
    t.back() = t.back() == '0' ? '1' : '0';
    return {t};
  }
  return {s + "x"};
}

TEST_F(Attack, ChangeAnyOneManifestFieldIsRejected) {
  const json original = json::parse(honest_->to_json());
  const json flat = original["manifest"].flatten();
  std::vector<std::string> refused_by_parser;
  for (auto it = flat.begin(); it != flat.end(); ++it) {
    bool parsed = false;
    for (const auto& replacement : mutations(it.key(), it.value())) {
      json edited = original;
      edited["manifest"][json::json_pointer(it.key())] = replacement;
      auto env = parse_envelope(edited.dump(), "edited");
      if (!env.ok()) continue;
      parsed = true;
      const auto r = verify(*env, object_);
      EXPECT_FALSE(r.valid) << it.key();
      const bool signer_field = it.key() == "/signer";
      EXPECT_EQ(r.reason, signer_field ? ReasonCode::kDidMismatch : ReasonCode::kBadSignature)
          << it.key() << ": " << r.error;
      break;
    }
    if (!parsed) refused_by_parser.push_back(it.key());
  }
  // Every leaf had an edit that parsed and was then rejected, except the two
  // the parser pins: "algorithm" (only ML-DSA-65) and "format" (a format 1
  // manifest cannot carry programs).
  EXPECT_EQ(refused_by_parser, (std::vector<std::string>{"/algorithm", "/format"}));
  EXPECT_GE(flat.size(), 25u);
}

TEST_F(Attack, ChangeSignatureOrKeyBytesIsRejected) {
  json j = json::parse(honest_->to_json());
  auto sig = base64_decode(j["signature"].get<std::string>()).value();
  sig[100] ^= 0x04;
  j["signature"] = base64_encode(sig);
  auto env = parse_envelope(j.dump(), "e");
  ASSERT_TRUE(env.ok());
  expect_rejected(verify(*env, object_), ReasonCode::kBadSignature);
}

}  // namespace
}  // namespace pqbpf

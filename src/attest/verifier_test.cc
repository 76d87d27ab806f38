// verify_envelope_file: the detached/embedded object rules, and hostile
// envelope files giving one clear line with input_error set.
#include "pqbpf/attest/verifier.h"

#include "attest_test_util.h"
#include "pqbpf/crypto/sha3.h"

namespace pqbpf {
namespace {

using namespace pqbpf::testing;

class VerifyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    object_ = object_bytes("attest_kprobe");
    object_path_ = dir_.file("k.bpf.o");
    envelope_path_ = object_path_ + ".sig.json";
    write_bytes(object_path_, object_);
  }
  SignedBPFProgram sign(bool embed = false) {
    auto o = fixed_time_options();
    o.embed = embed;
    return sign_ok(signer(1), program("attest_kprobe"), o);
  }
  void write_envelope_file(const SignedBPFProgram& s) { write_text(envelope_path_, s.to_json()); }

  ScratchDir dir_;
  std::vector<std::uint8_t> object_;
  std::string object_path_, envelope_path_;
};

TEST_F(VerifyFile, VerifyWithDefaultDetachedPathIsValid) {
  write_envelope_file(sign());
  const auto r = verify_envelope_file(envelope_path_);
  EXPECT_TRUE(r.valid) << r.error;
  EXPECT_EQ(r.reason, ReasonCode::kAllowed);
  EXPECT_EQ(r.object, object_);
  ASSERT_TRUE(r.facts.has_value());
  EXPECT_EQ(r.facts->info.programs.size(), 1u);
}

TEST_F(VerifyFile, VerifyCompactReformattedEnvelopeIsValid) {
  // The signature is over the canonical form, not the file's layout.
  const auto j = nlohmann::json::parse(sign().to_json());
  write_text(envelope_path_, j.dump());
  EXPECT_TRUE(verify_envelope_file(envelope_path_).valid);
}

TEST_F(VerifyFile, VerifyWithExplicitObjectPathIsValid) {
  const std::string elsewhere = dir_.file("renamed.o");
  write_bytes(elsewhere, object_);
  const std::string env = dir_.file("detached.json");
  write_text(env, sign().to_json());
  EXPECT_TRUE(verify_envelope_file(env, elsewhere).valid);
}

TEST_F(VerifyFile, VerifyWithMissingExplicitObjectFailsObjectMissingAsInputError) {
  write_envelope_file(sign());
  const auto r = verify_envelope_file(envelope_path_, dir_.file("nope.o"));
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.reason, ReasonCode::kObjectMissing);
  EXPECT_TRUE(r.input_error);
  EXPECT_NE(r.error.find("nope.o"), std::string::npos);
}

TEST_F(VerifyFile, VerifyWithoutAnyObjectFailsObjectMissing) {
  const std::string env = dir_.file("lonely.sig.json");  // lonely has no file
  write_text(env, sign().to_json());
  const auto r = verify_envelope_file(env);
  EXPECT_EQ(r.reason, ReasonCode::kObjectMissing);
  EXPECT_TRUE(r.input_error);
  EXPECT_TRUE(r.signature_valid);  // the signature itself was fine
  EXPECT_NE(r.error.find("lonely does not exist"), std::string::npos) << r.error;
}

TEST_F(VerifyFile, VerifyEmbeddedOnlyIsValid) {
  const std::string env = dir_.file("lonely.sig.json");
  write_text(env, sign(true).to_json());
  const auto r = verify_envelope_file(env);
  EXPECT_TRUE(r.valid) << r.error;
  EXPECT_EQ(r.object, object_);
}

TEST_F(VerifyFile, VerifyEmbeddedAndIdenticalDetachedIsValid) {
  write_envelope_file(sign(true));
  EXPECT_TRUE(verify_envelope_file(envelope_path_).valid);
}

TEST_F(VerifyFile, VerifyEmbeddedAndDifferentDetachedFailsObjectConflict) {
  write_envelope_file(sign(true));
  auto other = object_;
  other.back() ^= 1;
  write_bytes(object_path_, other);
  const auto r = verify_envelope_file(envelope_path_);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.reason, ReasonCode::kObjectConflict);
  EXPECT_FALSE(r.input_error);
}

TEST_F(VerifyFile, VerifyMissingEnvelopeFailsMalformedAsInputError) {
  const auto r = verify_envelope_file(dir_.file("none.sig.json"));
  EXPECT_EQ(r.reason, ReasonCode::kMalformedEnvelope);
  EXPECT_TRUE(r.input_error);
  EXPECT_FALSE(r.signer_did.has_value());
}

TEST_F(VerifyFile, VerifyHostileEnvelopeFilesGivesOneClearLineEach) {
  const std::string good = sign().to_json();
  const std::vector<std::string> hostile = {
      "",
      good.substr(0, good.size() / 3),
      "{not json",
      "{\"manifest\":\"\xC3\x28\"}",
      std::string(100000, '[') + std::string(100000, ']'),
      "{\"manifest\":{},\"public_key\":1,\"signature\":[]}",
      "{\"manifest\":{},\"manifest\":{}}",
      "{\"manifest\":{},\"public_key\":\"!!!!\",\"signature\":\"AAAA\"}",
      "[1,2,3]",
      std::string("\0\0\0\0", 4),
  };
  for (const auto& text : hostile) {
    write_text(envelope_path_, text);
    const auto r = verify_envelope_file(envelope_path_);
    EXPECT_FALSE(r.valid);
    EXPECT_EQ(r.reason, ReasonCode::kMalformedEnvelope) << r.error;
    EXPECT_TRUE(r.input_error);
    EXPECT_EQ(r.error.rfind(envelope_path_ + ": ", 0), 0u) << r.error;
    EXPECT_EQ(r.error.find('\n'), std::string::npos) << r.error;
  }
}

TEST_F(VerifyFile, VerifyUnknownManifestFormatFailsUnsupportedFormat) {
  std::string text = sign().to_json();
  const auto pos = text.find("pqc-bpf-manifest/2");
  ASSERT_NE(pos, std::string::npos);
  text.replace(pos, 18, "pqc-bpf-manifest/7");
  write_text(envelope_path_, text);
  const auto r = verify_envelope_file(envelope_path_);
  EXPECT_EQ(r.reason, ReasonCode::kUnsupportedFormat) << r.error;
}

TEST_F(VerifyFile, VerifyOversizeDetachedObjectFailsSizeExceeded) {
  write_envelope_file(sign());
  ASSERT_EQ(::truncate(object_path_.c_str(), static_cast<off_t>(kMaxObjectFileSize + 1)), 0);
  const auto r = verify_envelope_file(envelope_path_);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.reason, ReasonCode::kSizeExceeded) << r.error;
}

// Issue 11.1: format 1 signs no program list, but the programs are read from
// the verified bytes all the same, so a policy can judge what the object holds.
TEST_F(VerifyFile, FormatOneFactsAreReadFromTheVerifiedObject) {
  const auto s = sign_ok(signer(1), program("attest_mixed", BPFProgramType::kXdp),
                         fixed_time_options(ManifestFormat::kV1));
  const auto r = BPFVerifier::verify(s);
  ASSERT_TRUE(r.valid) << r.error;  // the signature stands: only a gate's decision changes
  ASSERT_TRUE(r.facts.has_value());
  ASSERT_EQ(r.facts->programs.size(), 2u);
  EXPECT_EQ(r.facts->programs[1].type, "lsm");
  EXPECT_TRUE(r.inspection_error.empty());
}

TEST_F(VerifyFile, FormatOneUninspectableObjectStillVerifiesAndSaysWhy) {
  const std::vector<std::uint8_t> blob(300, 0x5a);
  auto p = BPFProgram::from_bytes(metadata(BPFProgramType::kKprobe), blob, "blob.o");
  ASSERT_TRUE(p.ok());
  const auto r = BPFVerifier::verify(sign_ok(signer(1), *p, fixed_time_options(ManifestFormat::kV1)));
  EXPECT_TRUE(r.valid) << r.error;
  EXPECT_FALSE(r.facts.has_value());
  EXPECT_FALSE(r.inspection_error.empty());
  EXPECT_EQ(r.object, blob);
}

// Issue 11.3: the pre-parse filter sees only signers whose signature and
// object hash verified, and a refusal ends verification before any parser.
TEST_F(VerifyFile, BeforeParseRefusalStopsAfterTheHashCheck) {
  const auto s = sign();
  int calls = 0;
  VerifyOptions options;
  options.before_parse = [&](const Did& signer_did, const Manifest& m) -> std::optional<PreParseRefusal> {
    ++calls;
    EXPECT_EQ(signer_did, signer(1).did());
    EXPECT_EQ(m.sha3_256(), s.manifest().sha3_256());
    return PreParseRefusal{ReasonCode::kUntrustedSigner, "not wanted here"};
  };
  const auto r = BPFVerifier::verify(s, options);
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.reason, ReasonCode::kUntrustedSigner);
  EXPECT_EQ(r.error, "not wanted here");
  EXPECT_TRUE(r.refused_before_parse);
  EXPECT_TRUE(r.signature_valid);
  EXPECT_TRUE(r.hash_consistent);
  EXPECT_FALSE(r.programs_consistent.has_value());
  EXPECT_FALSE(r.facts.has_value());
  EXPECT_TRUE(r.object.empty());

  // A tampered object never reaches the filter.
  auto tampered = object_;
  tampered[10] ^= 1;
  const auto bad = BPFVerifier::verify(s.envelope, std::span<const std::uint8_t>(tampered), "object", options);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(bad.reason, ReasonCode::kHashMismatch);
}

// Issue 11.10: every presented object is hashed, whatever the outcome.
TEST_F(VerifyFile, PresentedObjectHashesAreSetWhateverTheOutcome) {
  const auto s = sign();
  const std::string kprobe_hash = crypto::to_hex(crypto::sha3_256(object_));
  EXPECT_EQ(BPFVerifier::verify(s).presented_object_sha3_256, std::vector<std::string>{kprobe_hash});
  const auto mixed = object_bytes("attest_mixed");
  const auto r = BPFVerifier::verify(s.envelope, std::span<const std::uint8_t>(mixed));
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.presented_object_sha3_256,
            std::vector<std::string>{crypto::to_hex(crypto::sha3_256(mixed))});
  write_text(envelope_path_, "{not json");
  const auto malformed = verify_envelope_file(envelope_path_, object_path_);
  EXPECT_EQ(malformed.reason, ReasonCode::kMalformedEnvelope);
  EXPECT_EQ(malformed.presented_object_sha3_256, std::vector<std::string>{kprobe_hash});
}

}  // namespace
}  // namespace pqbpf

namespace pqbpf {
namespace {

using namespace pqbpf::testing;

// VerifyOptions::prepared_key: a gate's cached key verifies like the fresh
// one, and a key of other bytes can never stand in for the envelope's.
TEST(PreparedKey, CachedCopyOfTheSameKeyVerifiesAndIsUsed) {
  const auto sp = sign_ok(signer(1), program("attest_kprobe"), fixed_time_options());
  const crypto::mldsa::PublicKey cached = key_pair(1).public_key;
  int calls = 0;
  VerifyOptions options;
  options.prepared_key = [&](const crypto::mldsa::PublicKey& k) {
    ++calls;
    EXPECT_EQ(k, cached);
    return cached;
  };
  const auto r = BPFVerifier::verify(sp, options);
  EXPECT_TRUE(r.valid) << r.error;
  EXPECT_EQ(calls, 1);
}

TEST(PreparedKey, AKeyOfOtherBytesIsRefusedNotTrusted) {
  // The signature is by key 1; a resolver that answers with key 2 (whose
  // signature this is not) must not make verification use it.
  const auto sp = sign_ok(signer(1), program("attest_kprobe"), fixed_time_options());
  VerifyOptions options;
  options.prepared_key = [](const crypto::mldsa::PublicKey&) { return key_pair(2).public_key; };
  const auto r = BPFVerifier::verify(sp, options);
  EXPECT_FALSE(r.valid);
  EXPECT_FALSE(r.signature_valid);
  EXPECT_EQ(r.reason, ReasonCode::kInternalError) << r.error;
}

}  // namespace
}  // namespace pqbpf

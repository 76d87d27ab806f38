// BPFSigner: manifests derived from real objects, type inference and
// mismatch refusal, self-verification, atomic envelope writing.
#include "pqbpf/attest/signer.h"

#include <filesystem>

#include "attest_test_util.h"

namespace pqbpf {
namespace {

using namespace pqbpf::testing;

TEST(Signer, SignKprobeObjectRecordsProgramsMapsAndLicense) {
  const auto s = signer(1);
  const auto signed_program = sign_ok(s, program("attest_kprobe"), fixed_time_options());
  const Manifest& m = signed_program.manifest();
  EXPECT_EQ(m.format(), ManifestFormat::kV2);
  EXPECT_EQ(m.signer(), s.did());
  EXPECT_EQ(m.signed_at(), "2026-11-29T12:00:00Z");
  EXPECT_EQ(m.size(), object_bytes("attest_kprobe").size());
  ASSERT_EQ(m.programs().size(), 1u);
  const auto& p = m.programs()[0];
  EXPECT_EQ(p.name, "count_openat");
  EXPECT_EQ(p.section, "kprobe/do_sys_openat2");
  EXPECT_EQ(p.type, "kprobe");
  EXPECT_EQ(p.attach_target, "do_sys_openat2");
  EXPECT_GT(p.insn_count, 0u);
  ASSERT_EQ(m.maps().size(), 1u);
  EXPECT_EQ(m.maps()[0], (ManifestMap{"open_counts", "hash", 4, 8, 64}));
  EXPECT_EQ(m.license(), "GPL");
  EXPECT_EQ(m.metadata().license, "GPL");  // filled from the object when not declared
}

TEST(Signer, SignThenVerifyIsValid) {
  const auto signed_program = sign_ok(signer(1), program("attest_kprobe"), fixed_time_options());
  const auto r = BPFVerifier::verify(signed_program);
  EXPECT_TRUE(r.valid) << r.error;
  EXPECT_TRUE(r.signature_valid);
  EXPECT_TRUE(r.hash_consistent);
  EXPECT_EQ(r.programs_consistent, true);
  EXPECT_EQ(r.reason, ReasonCode::kAllowed);
  EXPECT_EQ(r.signer_did, signer(1).did());
  EXPECT_EQ(r.object, object_bytes("attest_kprobe"));
}

TEST(Signer, SignWithoutTypeInfersTheOneProgramType) {
  const auto signed_program = sign_ok(signer(1), program("attest_kprobe"), fixed_time_options());
  EXPECT_EQ(signed_program.manifest().metadata().program_type, BPFProgramType::kKprobe);
}

TEST(Signer, SignMixedObjectWithoutTypeRecordsUnspecAndEachProgramsType) {
  const auto signed_program = sign_ok(signer(1), program("attest_mixed"), fixed_time_options());
  const Manifest& m = signed_program.manifest();
  EXPECT_EQ(m.metadata().program_type, BPFProgramType::kUnspec);
  ASSERT_EQ(m.programs().size(), 2u);
  EXPECT_EQ(m.programs()[0].type, "kprobe");
  EXPECT_EQ(m.programs()[1].type, "lsm");
  EXPECT_EQ(m.programs()[1].attach_target, "bpf");
  EXPECT_TRUE(BPFVerifier::verify(signed_program).valid);
}

TEST(Signer, SignMixedObjectDeclaredKprobeFailsNamingTheLsmProgram) {
  auto r = signer(1).sign(program("attest_mixed", BPFProgramType::kKprobe), fixed_time_options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("deny_bpf (lsm)"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("probe_openat"), std::string::npos) << r.error().message;
}

TEST(Signer, SignDeclaredMatchingTypeSucceeds) {
  const auto signed_program =
      sign_ok(signer(1), program("attest_kprobe", BPFProgramType::kKprobe), fixed_time_options());
  EXPECT_EQ(signed_program.manifest().metadata().program_type, BPFProgramType::kKprobe);
}

TEST(Signer, SignFormat1WritesExactlySevenKeysAndVerifies) {
  const auto signed_program = sign_ok(signer(1), program("attest_kprobe", BPFProgramType::kKprobe),
                                      fixed_time_options(ManifestFormat::kV1));
  const auto j = signed_program.manifest().to_json();
  EXPECT_EQ(j.size(), 7u);
  EXPECT_EQ(j["format"], "pqc-bpf-manifest/1");
  const auto r = BPFVerifier::verify(signed_program);
  EXPECT_TRUE(r.valid) << r.error;
  EXPECT_FALSE(r.programs_consistent.has_value());
}

TEST(Signer, SignFormat1WithoutTypeFails) {
  auto r = signer(1).sign(program("attest_kprobe"), fixed_time_options(ManifestFormat::kV1));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("format 1 needs a declared program type"), std::string::npos);
}

TEST(Signer, SignNonElfBytesInFormat2FailsWithReaderError) {
  auto p = BPFProgram::from_bytes(metadata(BPFProgramType::kKprobe), std::vector<std::uint8_t>(100, 0x41),
                                  "junk.o");
  ASSERT_TRUE(p.ok());
  auto r = signer(1).sign(*p, fixed_time_options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("junk.o: ", 0), 0u) << r.error().message;
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
}

TEST(Signer, SignDeclaredLicenseOtherThanObjectsFails) {
  auto m = metadata();
  m.license = "MIT";
  auto p = BPFProgram::from_bytes(m, object_bytes("attest_kprobe"), "k.bpf.o");
  ASSERT_TRUE(p.ok());
  auto r = signer(1).sign(*p, fixed_time_options());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("differs from the object's license section 'GPL'"), std::string::npos);
}

TEST(Signer, SignWithKeysThatDoNotBelongTogetherFailsBeforeReturning) {
  auto a = key_pair(1);
  auto b = key_pair(2);
  auto s = BPFSigner::create(a.private_key, b.public_key);
  ASSERT_TRUE(s.ok());
  auto r = s->sign(program("attest_kprobe"), fixed_time_options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kCrypto);
}

TEST(Signer, CreateWithNonMlDsa65KeysFails) {
  std::array<std::uint8_t, 32> seed{};
  auto kp = mldsa::generate_key_pair(mldsa::ParameterSet::kMlDsa44, seed);
  EXPECT_FALSE(BPFSigner::create(kp.private_key, kp.public_key).ok());
}

TEST(Signer, CreateFromIdentityUsesItsDid) {
  std::array<std::uint8_t, 32> seed;
  seed.fill(5);
  auto id = Identity::from_seed(seed, "bpf-signer", {"sign"}, "2026-11-29T12:00:00Z");
  ASSERT_TRUE(id.ok()) << id.error().message;
  auto s = BPFSigner::create(*id);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->did(), id->did());
  const auto signed_program = sign_ok(*s, program("attest_kprobe"), fixed_time_options());
  EXPECT_EQ(BPFVerifier::verify(signed_program).signer_did, id->did());
}

TEST(Signer, AuditLogKeyMayNotSignObjects) {
  // A stolen audit-log key must not become an object signer (docs/KEYS.md).
  std::array<std::uint8_t, 32> seed;
  seed.fill(6);
  for (const auto& caps : {std::vector<std::string>{"log"}, std::vector<std::string>{}}) {
    auto id = Identity::from_seed(seed, "audit-log", caps, "2026-11-29T12:00:00Z");
    ASSERT_TRUE(id.ok()) << id.error().message;
    auto s = BPFSigner::create(*id);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::kPermission);
    EXPECT_NE(s.error().message.find("may not sign BPF objects"), std::string::npos) << s.error().message;
  }
}

TEST(Signer, SignDeterministicTwiceGivesIdenticalEnvelope) {
  const auto a = sign_ok(signer(1), program("attest_kprobe"), fixed_time_options());
  const auto b = sign_ok(signer(1), program("attest_kprobe"), fixed_time_options());
  EXPECT_EQ(a.to_json(), b.to_json());
}

TEST(Signer, SignWithEmbedPutsObjectInEnvelope) {
  auto o = fixed_time_options();
  o.embed = true;
  const auto signed_program = sign_ok(signer(1), program("attest_kprobe"), o);
  ASSERT_TRUE(signed_program.envelope.object().has_value());
  EXPECT_EQ(*signed_program.envelope.object(), object_bytes("attest_kprobe"));
}

TEST(Signer, WriteEnvelopeRefusesExistingFileWithoutOverwrite) {
  ScratchDir dir;
  const auto signed_program = sign_ok(signer(1), program("attest_kprobe"), fixed_time_options());
  const std::string path = dir.file("k.bpf.o.sig.json");
  ASSERT_TRUE(write_envelope(path, signed_program).ok());
  auto again = write_envelope(path, signed_program);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_NE(again.error().message.find("--force"), std::string::npos);
  EXPECT_TRUE(write_envelope(path, signed_program, true).ok());
  auto text = read_text_file(path, kMaxEnvelopeBytes);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, signed_program.to_json());
  // Nothing but the envelope is left behind (no temp files).
  int entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(Signer, ProgramFromMissingFileFailsNotFound) {
  auto p = BPFProgram::from_file(metadata(), "/nonexistent/x.bpf.o");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kNotFound);
}

TEST(Signer, ProgramWithInvalidMetadataFails) {
  auto m = metadata();
  m.name = "";
  EXPECT_FALSE(BPFProgram::from_bytes(m, object_bytes("attest_kprobe")).ok());
}

}  // namespace
}  // namespace pqbpf

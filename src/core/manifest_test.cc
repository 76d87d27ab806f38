// Manifest: exact key sets per format, strict field checks, canonical bytes.
#include "pqbpf/core/manifest.h"

#include <gtest/gtest.h>

#include "pqbpf/core/jcs.h"

namespace pqbpf {
namespace {

const std::string kDid = "did:pqaid:" + std::string(64, 'a');
const std::string kHash = std::string(64, '0');

ManifestFields v1_fields() {
  ManifestFields f;
  f.format = ManifestFormat::kV1;
  f.metadata.name = "trace";
  f.metadata.program_type = BPFProgramType::kKprobe;
  f.metadata.author = "ops";
  f.sha3_256 = kHash;
  f.size = 1234;
  f.signer = kDid;
  f.signed_at = "2026-01-31T12:00:00Z";
  return f;
}

ManifestFields v2_fields() {
  auto f = v1_fields();
  f.format = ManifestFormat::kV2;
  f.programs = {ManifestProgram{"probe", "kprobe/do_sys_openat2", "kprobe", "do_sys_openat2", 12,
                                std::string(64, 'b')},
                ManifestProgram{"ret", "kretprobe/do_sys_openat2", "kretprobe", "do_sys_openat2", 4,
                                std::string(64, 'c')}};
  f.maps = {ManifestMap{"counts", "hash", 4, 8, 1024}};
  f.license = "GPL";
  return f;
}

Manifest make(ManifestFields f) {
  auto m = Manifest::create(std::move(f));
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  return std::move(m).value();
}

TEST(Manifest, CanonicalBytesOfFormat1AreSortedCompactJson) {
  const auto m = make(v1_fields());
  EXPECT_EQ(m.canonical_bytes(),
            "{\"algorithm\":\"ML-DSA-65\",\"format\":\"pqc-bpf-manifest/1\",\"metadata\":{"
            "\"attach_point\":\"\",\"author\":\"ops\",\"description\":\"\",\"kernel_min\":\"\","
            "\"license\":\"\",\"name\":\"trace\",\"program_type\":\"kprobe\",\"version\":\"\"},"
            "\"sha3_256\":\"" + kHash + "\",\"signed_at\":\"2026-01-31T12:00:00Z\",\"signer\":\"" +
                kDid + "\",\"size\":1234}");
}

TEST(Manifest, JsonRoundTripOfBothFormatsGivesSameCanonicalBytes) {
  for (auto fields : {v1_fields(), v2_fields()}) {
    const auto m = make(fields);
    auto back = Manifest::from_json(m.to_json());
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->canonical_bytes(), m.canonical_bytes());
    EXPECT_EQ(back->programs(), m.programs());
    EXPECT_EQ(back->maps(), m.maps());
    EXPECT_EQ(back->signer().str(), kDid);
  }
}

TEST(Manifest, FromJsonWithExtraOrMissingKeyFails) {
  const auto j = make(v1_fields()).to_json();
  auto extra = j;
  extra["programs"] = nlohmann::json::array();  // a format 2 key in a format 1 manifest
  EXPECT_FALSE(Manifest::from_json(extra).ok());
  for (const char* key : {"algorithm", "metadata", "sha3_256", "size", "signer", "signed_at", "format"}) {
    auto missing = j;
    missing.erase(key);
    auto r = Manifest::from_json(missing);
    ASSERT_FALSE(r.ok()) << key;
    EXPECT_NE(r.error().message.find(key), std::string::npos) << r.error().message;
  }
  auto v2 = make(v2_fields()).to_json();
  v2.erase("maps");
  EXPECT_FALSE(Manifest::from_json(v2).ok());
}

TEST(Manifest, FromJsonWithUnknownFormatOrAlgorithmFailsUnsupported) {
  auto j = make(v1_fields()).to_json();
  j["format"] = "pqc-bpf-manifest/4";
  auto r = Manifest::from_json(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
  j = make(v1_fields()).to_json();
  j["algorithm"] = "ML-DSA-44";
  r = Manifest::from_json(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
}

TEST(Manifest, FromJsonWithWrongTypesFailsParse) {
  const auto j = make(v2_fields()).to_json();
  const std::vector<std::pair<nlohmann::json::json_pointer, nlohmann::json>> edits = {
      {nlohmann::json::json_pointer("/size"), "1234"},
      {nlohmann::json::json_pointer("/size"), -1},
      {nlohmann::json::json_pointer("/size"), 12.5},
      {nlohmann::json::json_pointer("/size"), (64ull << 20) + 1},
      {nlohmann::json::json_pointer("/sha3_256"), std::string(64, 'A')},
      {nlohmann::json::json_pointer("/sha3_256"), std::string(63, 'a')},
      {nlohmann::json::json_pointer("/signer"), "did:pqaid:xyz"},
      {nlohmann::json::json_pointer("/metadata"), "kprobe"},
      {nlohmann::json::json_pointer("/programs"), nlohmann::json::object()},
      {nlohmann::json::json_pointer("/programs/0/insn_count"), "12"},
      {nlohmann::json::json_pointer("/programs/0/type"), "fancy"},
      {nlohmann::json::json_pointer("/programs/0/name"), ""},
      {nlohmann::json::json_pointer("/programs/0/extra"), 1},
      {nlohmann::json::json_pointer("/maps/0/key_size"), 1ull << 32},
      {nlohmann::json::json_pointer("/license"), nullptr},
  };
  for (const auto& [ptr, value] : edits) {
    auto bad = j;
    bad[ptr] = value;
    auto r = Manifest::from_json(bad, "m");
    ASSERT_FALSE(r.ok()) << ptr.to_string();
    EXPECT_EQ(r.error().code, ErrorCode::kParse) << ptr.to_string();
    EXPECT_EQ(r.error().message.rfind("m", 0), 0u);
  }
}

TEST(Manifest, FromJsonWithHostileTextGivesOneLineErrors) {
  auto j = make(v1_fields()).to_json();
  j["signer"] = "did:pqaid:\n\x1b[2J";
  auto r = Manifest::from_json(j, "m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "m.signer: expected did:pqaid: followed by 64 lowercase hex digits");
  j = make(v1_fields()).to_json();
  j["format"] = "x\n\x1b[2J";
  r = Manifest::from_json(j, "m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
  EXPECT_EQ(r.error().message.find('\x1b'), std::string::npos);
}

TEST(Manifest, FromJsonWithBadSignedAtFails) {
  for (const char* t : {"2026-01-31T12:00:00+00:00", "2026-01-31T12:00:00.5Z", "2026-02-30T12:00:00Z",
                        "2026-01-31 12:00:00Z", "2026-01-31T24:00:00Z", "2026-12-31T23:59:60Z",
                        "2026-1-31T12:00:00Z", ""}) {
    auto f = v1_fields();
    f.signed_at = t;
    EXPECT_FALSE(Manifest::create(f).ok()) << t;
  }
}

TEST(Manifest, CreateFormat1WithUnspecTypeOrProgramsFails) {
  auto f = v1_fields();
  f.metadata.program_type = BPFProgramType::kUnspec;
  EXPECT_FALSE(Manifest::create(f).ok());
  f = v1_fields();
  f.programs = v2_fields().programs;
  EXPECT_FALSE(Manifest::create(f).ok());
}

TEST(Manifest, CreateFormat2WithProgramOfOtherTypeThanDeclaredFailsNamingIt) {
  auto f = v2_fields();
  f.programs.push_back(ManifestProgram{"hook", "lsm/bpf", "lsm", "bpf", 3, std::string(64, 'd')});
  auto r = Manifest::create(f);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("'hook' has type lsm"), std::string::npos) << r.error().message;
  f.metadata.program_type = BPFProgramType::kUnspec;  // mixed objects declare no single type
  EXPECT_TRUE(Manifest::create(f).ok());
}

TEST(Manifest, CreateFormat2WithUnknownProgramTypeUnderDeclaredTypeFails) {
  auto f = v2_fields();
  f.programs[0].type = "unknown";
  EXPECT_FALSE(Manifest::create(f).ok());
  f.metadata.program_type = BPFProgramType::kUnspec;
  EXPECT_TRUE(Manifest::create(f).ok());
}

TEST(Manifest, ProgramTypeCompatibleAcceptsSameTypeOrItsRefinements) {
  EXPECT_TRUE(program_type_compatible(BPFProgramType::kKprobe, BPFProgramType::kKretprobe));
  EXPECT_FALSE(program_type_compatible(BPFProgramType::kKretprobe, BPFProgramType::kKprobe));
  EXPECT_TRUE(program_type_compatible(BPFProgramType::kTracing, BPFProgramType::kFentry));
  EXPECT_TRUE(program_type_compatible(BPFProgramType::kXdp, BPFProgramType::kXdp));
  EXPECT_FALSE(program_type_compatible(BPFProgramType::kKretprobe, BPFProgramType::kUprobe));
  EXPECT_FALSE(program_type_compatible(BPFProgramType::kKprobe, BPFProgramType::kLsm));
}

TEST(Rfc3339, FormatThenParseGivesSameInstant) {
  using namespace std::chrono;
  const sys_seconds t = sys_days{year{2024} / February / 29} + hours{23} + minutes{5} + seconds{9};
  EXPECT_EQ(format_rfc3339_utc(t), "2024-02-29T23:05:09Z");
  auto back = parse_rfc3339_utc("2024-02-29T23:05:09Z");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, t);
}

TEST(Manifest, SignatureContextIsTenAsciiBytes) {
  const auto ctx = signature_context();
  EXPECT_EQ(ctx.size(), 10u);
  EXPECT_EQ(std::string(ctx.begin(), ctx.end()), "pqc-bpf/v1");
}

}  // namespace
}  // namespace pqbpf

namespace pqbpf {
namespace {

ManifestFields v3_fields() {
  auto f = v2_fields();
  f.format = ManifestFormat::kV3;
  f.programs[0].kernel_type = "kprobe";
  f.programs[0].helpers = {"bpf_map_lookup_elem", "unknown#4242"};
  f.programs[0].maps = {"counts"};
  f.programs[0].calls_known = true;
  f.programs[1].kernel_type = "kprobe";  // kretprobe's kernel type
  f.programs[1].kfuncs = {"bpf_rcu_read_lock"};
  return f;
}

TEST(ManifestV3, JsonRoundTripKeepsCallsAndKernelType) {
  const auto m = make(v3_fields());
  const nlohmann::json j = m.to_json();
  EXPECT_EQ(j["format"], "pqc-bpf-manifest/3");
  EXPECT_EQ(j["programs"][0]["helpers"], (nlohmann::json{"bpf_map_lookup_elem", "unknown#4242"}));
  EXPECT_EQ(j["programs"][1]["kernel_type"], "kprobe");
  EXPECT_EQ(j["programs"][1]["calls_known"], false);
  auto back = Manifest::from_json(j);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->canonical_bytes(), m.canonical_bytes());
  EXPECT_EQ(back->programs(), m.programs());
}

TEST(ManifestV3, KernelTypeMustBeTheTypesKernelType) {
  auto f = v3_fields();
  f.programs[1].kernel_type = "tracing";
  EXPECT_FALSE(Manifest::create(f).ok());
  f.programs[1].kernel_type = "kretprobe";  // a refinement is no kernel type
  EXPECT_FALSE(Manifest::create(f).ok());
  f.programs[1].kernel_type = "unknown";
  EXPECT_FALSE(Manifest::create(f).ok());
  f.programs[1].kernel_type = "";
  EXPECT_FALSE(Manifest::create(f).ok());
}

TEST(ManifestV3, StrictKeysAndTypesOfTheCallFields) {
  const nlohmann::json good = make(v3_fields()).to_json();
  auto j = good;
  j["programs"][0].erase("helpers");
  EXPECT_EQ(Manifest::from_json(j).error().code, ErrorCode::kParse);
  j = good;
  j["programs"][0]["helpers"] = nlohmann::json{"bpf_x", 5};
  EXPECT_FALSE(Manifest::from_json(j).ok());
  j = good;
  j["programs"][0]["calls_known"] = "true";
  EXPECT_FALSE(Manifest::from_json(j).ok());
  j = good;
  j["programs"][0]["kfuncs"] = nlohmann::json{"bad\nname"};
  EXPECT_FALSE(Manifest::from_json(j).ok());
  j = good;
  j["programs"][0]["maps"] = nlohmann::json::array();
  for (std::size_t i = 0; i <= kMaxManifestCallEntries; ++i) j["programs"][0]["maps"].push_back("m");
  EXPECT_FALSE(Manifest::from_json(j).ok());
  // Format 2 has none of these keys.
  j = good;
  j["format"] = "pqc-bpf-manifest/2";
  EXPECT_FALSE(Manifest::from_json(j).ok());
  auto f = v2_fields();
  f.programs[0].helpers = {"bpf_map_lookup_elem"};
  EXPECT_FALSE(Manifest::create(f).ok());
}

}  // namespace
}  // namespace pqbpf

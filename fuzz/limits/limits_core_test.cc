// Input limits of core and crypto, each tested at its edge (accepted) and one
// past it (refused with kLimitExceeded or the documented error). Only limits
// the module tests do not already cover at both sides are here; the full
// table, with where each limit is tested, is docs/LIMITS.md.
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pqbpf/core/envelope.h"
#include "pqbpf/core/file_io.h"
#include "pqbpf/core/identity.h"
#include "pqbpf/core/jcs.h"
#include "pqbpf/core/json_strict.h"
#include "pqbpf/core/key_file.h"
#include "pqbpf/core/manifest.h"
#include "pqbpf/crypto/mldsa.h"

namespace pqbpf {
namespace {

std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

TEST(JsonStrictLimits, DepthAtLimitParsesAndOnePastFails) {
  EXPECT_TRUE(parse_json_strict(nested_arrays(32), "t").ok());
  auto past = parse_json_strict(nested_arrays(33), "t");
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().code, ErrorCode::kLimitExceeded) << past.error().message;
}

TEST(JsonStrictLimits, SizeAtLimitParsesAndOneBytePastFails) {
  JsonLimits limits;
  std::string at = "\"" + std::string(limits.max_bytes - 2, 'a') + "\"";
  ASSERT_EQ(at.size(), limits.max_bytes);
  EXPECT_TRUE(parse_json_strict(at, "t", limits).ok());
  at.insert(1, "a");
  auto past = parse_json_strict(at, "t", limits);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().code, ErrorCode::kLimitExceeded);
}

TEST(JcsLimits, LargestSafeIntegerIsCanonicalAndNextIsRefused) {
  EXPECT_TRUE(canonicalize("9007199254740991").ok());
  EXPECT_TRUE(canonicalize("-9007199254740991").ok());
  EXPECT_FALSE(canonicalize("9007199254740992").ok());
}

// A valid format 2 manifest document with `programs` programs and names of
// `name_bytes` bytes.
nlohmann::json manifest_json(std::size_t programs, std::size_t maps, std::size_t name_bytes) {
  ManifestFields f;
  f.format = ManifestFormat::kV2;
  f.metadata.name = "limits";
  f.sha3_256 = std::string(64, '0');
  f.size = 1;
  f.signer = "did:pqaid:" + std::string(64, 'a');
  f.signed_at = "2026-11-29T12:00:00Z";
  f.programs.push_back(ManifestProgram{"p", "xdp", "xdp", "", 1, std::string(64, 'b')});
  auto m = Manifest::create(f);
  if (!m.ok()) {
    ADD_FAILURE() << m.error().message;
    return {};
  }
  nlohmann::json j = m->to_json();
  nlohmann::json program = j["programs"][0];
  program["name"] = std::string(name_bytes, 'p');
  j["programs"] = nlohmann::json::array();
  for (std::size_t i = 0; i < programs; ++i) {
    j["programs"].push_back(program);
    if (i > 0) j["programs"][i]["name"] = "p" + std::to_string(i);  // unique names
  }
  const nlohmann::json map = {{"name", "m"}, {"type", "hash"}, {"key_size", 4},
                              {"value_size", 8}, {"max_entries", 1}};
  j["maps"] = nlohmann::json::array();
  for (std::size_t i = 0; i < maps; ++i) {
    j["maps"].push_back(map);
    j["maps"][i]["name"] = "m" + std::to_string(i);
  }
  return j;
}

TEST(ManifestLimits, ProgramCountAtLimitParsesAndOnePastFails) {
  EXPECT_TRUE(Manifest::from_json(manifest_json(kMaxManifestPrograms, 0, 1)).ok());
  EXPECT_FALSE(Manifest::from_json(manifest_json(kMaxManifestPrograms + 1, 0, 1)).ok());
}

TEST(ManifestLimits, MapCountAtLimitParsesAndOnePastFails) {
  EXPECT_TRUE(Manifest::from_json(manifest_json(1, kMaxManifestMaps, 1)).ok());
  EXPECT_FALSE(Manifest::from_json(manifest_json(1, kMaxManifestMaps + 1, 1)).ok());
}

TEST(ManifestLimits, NameAtLimitParsesAndOneBytePastFails) {
  EXPECT_TRUE(Manifest::from_json(manifest_json(1, 0, kMaxManifestNameBytes)).ok());
  EXPECT_FALSE(Manifest::from_json(manifest_json(1, 0, kMaxManifestNameBytes + 1)).ok());
}

TEST(EnvelopeLimits, NestingPastEightLevelsIsRefusedBeforeFieldChecks) {
  // Depth 8 is a well-formed-JSON envelope that fails later (not a limit error).
  const std::string at = "{\"manifest\":" + nested_arrays(7) + "}";
  auto ok_depth = parse_envelope(at, "e");
  ASSERT_FALSE(ok_depth.ok());
  EXPECT_NE(ok_depth.error().code, ErrorCode::kLimitExceeded) << ok_depth.error().message;
  const std::string past = "{\"manifest\":" + nested_arrays(8) + "}";
  auto refused = parse_envelope(past, "e");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kLimitExceeded) << refused.error().message;
}

TEST(FileIoLimits, ReadAtLimitSucceedsAndOneBytePastFails) {
  const auto dir = std::filesystem::temp_directory_path() / ("pqbpf-limits-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "f").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(4096, 'x');
  }
  EXPECT_TRUE(read_file(path, 4096).ok());
  auto past = read_file(path, 4095);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().code, ErrorCode::kLimitExceeded);
  std::filesystem::remove_all(dir);
}

// A sealed key file whose KDF fields are replaced; parsed without a
// passphrase provider, so bounds are checked but no derivation runs.
ErrorCode sealed_key_error(const char* field, std::uint64_t value) {
  std::array<std::uint8_t, 32> seed{};
  auto id = Identity::from_seed(seed, "limits", {}, "2026-11-29T12:00:00Z");
  EXPECT_TRUE(id.ok());
  KeySaveOptions options;
  options.kdf = KdfLimits::minimum();
  const std::string pass = "limits";
  options.passphrase = crypto::SecureBytes(std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(pass.data()), pass.size()));
  auto text = serialize_key_file(*id, options);
  EXPECT_TRUE(text.ok());
  auto doc = nlohmann::json::parse(std::string(reinterpret_cast<const char*>(text->data()), text->size()));
  doc["encryption"][field] = value;
  auto parsed = parse_key_file(doc.dump(), "k");
  EXPECT_FALSE(parsed.ok());
  return parsed.ok() ? ErrorCode::kInternal : parsed.error().code;
}

TEST(KeyFileLimits, OpslimitAtBoundIsAcceptedAndOnePastIsRefused) {
  EXPECT_EQ(sealed_key_error("opslimit", kMaxKdfOpsLimit), ErrorCode::kInvalidArgument);  // needs a passphrase
  EXPECT_EQ(sealed_key_error("opslimit", kMaxKdfOpsLimit + 1), ErrorCode::kLimitExceeded);
}

TEST(KeyFileLimits, MemlimitAtBoundIsAcceptedAndOnePastIsRefused) {
  EXPECT_EQ(sealed_key_error("memlimit", kMaxKdfMemLimit), ErrorCode::kInvalidArgument);
  EXPECT_EQ(sealed_key_error("memlimit", kMaxKdfMemLimit + 1), ErrorCode::kLimitExceeded);
}

TEST(MlDsaLimits, ContextOf255BytesSignsAndVerifiesAnd256IsRefused) {
  std::array<std::uint8_t, 32> seed{};
  auto pair = crypto::mldsa::generate_key_pair(crypto::mldsa::ParameterSet::kMlDsa65,
                                               std::span<const std::uint8_t, 32>(seed));
  const std::vector<std::uint8_t> msg = {1, 2, 3};
  const std::vector<std::uint8_t> ctx(crypto::mldsa::kMaxContextSize, 7);
  auto sig = crypto::mldsa::sign(pair.private_key, msg, ctx);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(crypto::mldsa::verify(pair.public_key, msg, ctx, *sig).ok());
  const std::vector<std::uint8_t> long_ctx(crypto::mldsa::kMaxContextSize + 1, 7);
  EXPECT_FALSE(crypto::mldsa::sign(pair.private_key, msg, long_ctx).ok());
  EXPECT_FALSE(crypto::mldsa::verify(pair.public_key, msg, long_ctx, *sig).ok());
}

}  // namespace
}  // namespace pqbpf

// Fuzz target: parse_key_file, plain and passphrase-protected.
//
// The passphrase provider always answers "fuzz-passphrase" (the seed corpus
// holds files sealed with it, so mutations reach the AEAD and the DID check).
// Argon2id cost is capped here, not in the parser: inputs asking for more
// than kFuzzMaxMemlimit bytes or kFuzzMaxOpslimit passes are parsed with no
// provider (everything up to the KDF still runs), because one 1 GiB
// derivation per input would stall the fuzzer. The parser's own bounds
// (kMaxKdfMemLimit, kMaxKdfOpsLimit) are tested by the core key file tests.
//
// An accepted key must serialise (plain and sealed) and parse back to the
// same identity.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "pqbpf/core/json_strict.h"
#include "pqbpf/core/key_file.h"

namespace {

constexpr std::string_view kPassphrase = "fuzz-passphrase";
constexpr std::uint64_t kFuzzMaxMemlimit = 64 * 1024;
constexpr std::uint64_t kFuzzMaxOpslimit = 2;

pqbpf::crypto::SecureBytes passphrase_bytes() {
  pqbpf::crypto::SecureBytes out(kPassphrase.size());
  for (std::size_t i = 0; i < kPassphrase.size(); ++i) out.data()[i] = kPassphrase[i];
  return out;
}

// True when the document names a cheap enough KDF (or none at all).
bool kdf_is_cheap(std::string_view text) {
  auto doc = pqbpf::parse_json_strict(text, "precheck");
  if (!doc.ok() || !doc->is_object() || !doc->contains("encryption")) return true;
  const auto& enc = doc->at("encryption");
  if (!enc.is_object()) return true;
  auto field_ok = [&](const char* key, std::uint64_t max) {
    if (!enc.contains(key)) return true;
    const auto& v = enc.at(key);
    if (!v.is_number_unsigned()) return v.is_number_integer() ? v.get<std::int64_t>() <= 0 : true;
    return v.get<std::uint64_t>() <= max;
  };
  return field_ok("memlimit", kFuzzMaxMemlimit) && field_ok("opslimit", kFuzzMaxOpslimit);
}

void check_round_trip(const pqbpf::Identity& identity, bool sealed) {
  pqbpf::KeySaveOptions options;
  options.kdf = pqbpf::KdfLimits::minimum();
  if (sealed) options.passphrase = passphrase_bytes();
  auto text = pqbpf::serialize_key_file(identity, options);
  FUZZ_CHECK(text.ok(), "an accepted identity serialises");
  const std::string_view view(reinterpret_cast<const char*>(text->data()), text->size());
  auto again = pqbpf::parse_key_file(view, "reserialized", [] { return pqbpf::Result<pqbpf::crypto::SecureBytes>(passphrase_bytes()); });
  FUZZ_CHECK(again.ok(), "a serialized key file parses again");
  FUZZ_CHECK(again->did() == identity.did(), "same DID");
  FUZZ_CHECK(again->name() == identity.name(), "same name");
  FUZZ_CHECK(again->capabilities() == identity.capabilities(), "same capabilities");
  FUZZ_CHECK(again->created_at() == identity.created_at(), "same created_at");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  pqbpf::PassphraseProvider provider;
  if (kdf_is_cheap(text)) {
    provider = [] { return pqbpf::Result<pqbpf::crypto::SecureBytes>(passphrase_bytes()); };
  }
  auto identity = pqbpf::parse_key_file(text, "fuzz.key", provider);
  (void)pqbpf::key_file_is_encrypted(text);
  if (!identity.ok()) return 0;
  check_round_trip(*identity, /*sealed=*/false);
  // Sealing costs one minimum-cost Argon2id run; do it for a sample only.
  if (size % 8 == 0) check_round_trip(*identity, /*sealed=*/true);
  return 0;
}

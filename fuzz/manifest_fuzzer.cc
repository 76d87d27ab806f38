// Fuzz target: manifest canonicalisation (RFC 8785, the signed message).
//
// Two invariants. (1) canonicalize is idempotent: canonical text
// canonicalises to itself. (2) A JSON document Manifest::from_json accepts
// gives canonical bytes that parse back (strictly) into a Manifest with the
// same canonical bytes, and equal to JCS of the document itself: the bytes a
// signer signs are exactly the bytes a verifier recomputes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "pqbpf/core/jcs.h"
#include "pqbpf/core/json_strict.h"
#include "pqbpf/core/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto canonical = pqbpf::canonicalize(text, "fuzz");
  if (canonical.ok()) {
    auto again = pqbpf::canonicalize(*canonical, "canonical");
    FUZZ_CHECK(again.ok(), "canonical text is accepted");
    FUZZ_CHECK(*again == *canonical, "canonicalize is idempotent");
    FUZZ_CHECK(pqbpf::is_valid_utf8(*canonical), "canonical text is UTF-8");
  }

  auto doc = pqbpf::parse_json_strict(text, "fuzz");
  if (!doc.ok()) return 0;
  auto manifest = pqbpf::Manifest::from_json(*doc, "fuzz");
  if (!manifest.ok()) return 0;
  const std::string bytes = manifest->canonical_bytes();
  FUZZ_CHECK(canonical.ok() && *canonical == bytes,
             "an accepted manifest's canonical bytes are JCS of its document");
  auto reparsed_doc = pqbpf::parse_json_strict(bytes, "canonical");
  FUZZ_CHECK(reparsed_doc.ok(), "canonical bytes are strict JSON");
  auto reparsed = pqbpf::Manifest::from_json(*reparsed_doc, "canonical");
  FUZZ_CHECK(reparsed.ok(), "canonical bytes are a manifest");
  FUZZ_CHECK(reparsed->canonical_bytes() == bytes, "parse -> canonical -> parse is stable");
  auto rebuilt = pqbpf::Manifest::create(manifest->fields(), "rebuilt");
  FUZZ_CHECK(rebuilt.ok(), "the fields of a parsed manifest pass create()");
  FUZZ_CHECK(rebuilt->canonical_bytes() == bytes, "create(fields) gives the same bytes");
  return 0;
}

// Fuzz target: parse_public_key_file (KEY.pub).
//
// An accepted .pub file must re-serialise to a file that parses to the same
// identity, and its DID must be the DID of its key (the binding the parser
// promises to check).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "pqbpf/core/did.h"
#include "pqbpf/core/public_key_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = pqbpf::parse_public_key_file(text, "fuzz.pub");
  if (!parsed.ok()) return 0;
  FUZZ_CHECK(pqbpf::Did::from_public_key(parsed->public_key()) == parsed->did(),
             "the DID is bound to the key");
  auto serialized = pqbpf::serialize_public_key_file(*parsed);
  FUZZ_CHECK(serialized.ok(), "an accepted identity serialises");
  auto again = pqbpf::parse_public_key_file(*serialized, "reserialized");
  FUZZ_CHECK(again.ok(), "a serialized .pub parses again");
  FUZZ_CHECK(*again == *parsed, "round trip keeps the identity");
  return 0;
}

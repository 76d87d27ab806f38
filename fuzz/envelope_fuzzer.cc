// Fuzz target: parse_envelope (the <object>.sig.json file).
//
// Any accepted envelope must survive serialize -> parse -> serialize with
// identical bytes, keep its manifest's canonical bytes, and the embedded
// object, key and signature unchanged: a parse/serialise asymmetry would let
// two readers disagree about what was signed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "pqbpf/core/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto first = pqbpf::parse_envelope(text, "fuzz.sig.json");
  if (!first.ok()) {
    FUZZ_CHECK(!first.error().message.empty(), "errors carry a message");
    return 0;
  }
  const std::string serialized = pqbpf::serialize_envelope(*first);
  auto second = pqbpf::parse_envelope(serialized, "reserialized");
  FUZZ_CHECK(second.ok(), "a serialized envelope parses again");
  FUZZ_CHECK(pqbpf::serialize_envelope(*second) == serialized, "serialize is a fixed point");
  FUZZ_CHECK(second->manifest().canonical_bytes() == first->manifest().canonical_bytes(),
             "the signed message survives the round trip");
  FUZZ_CHECK(second->public_key() == first->public_key(), "public key unchanged");
  FUZZ_CHECK(std::string_view(reinterpret_cast<const char*>(second->signature().data()),
                              second->signature().size()) ==
                 std::string_view(reinterpret_cast<const char*>(first->signature().data()),
                                  first->signature().size()),
             "signature unchanged");
  FUZZ_CHECK(second->object() == first->object(), "embedded object unchanged");
  return 0;
}

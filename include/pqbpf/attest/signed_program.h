// SignedBPFProgram: an envelope plus, when known, the object bytes it was
// made for (the seed's SignedBPFProgram). Holding one says nothing about
// validity: pass it to BPFVerifier::verify.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pqbpf/core/envelope.h"
#include "pqbpf/result.h"

namespace pqbpf {

struct SignedBPFProgram {
  Envelope envelope;
  // The detached object (what sign() was given, or what the caller read).
  // nullopt when only the envelope is known; an embedded object lives in
  // envelope.object().
  std::optional<std::vector<std::uint8_t>> object;

  const Manifest& manifest() const { return envelope.manifest(); }
  // The <object>.sig.json text.
  std::string to_json() const { return serialize_envelope(envelope); }
  // Strict parse of an envelope; `object` stays nullopt.
  static Result<SignedBPFProgram> from_json(std::string_view text, const std::string& label);
};

}  // namespace pqbpf

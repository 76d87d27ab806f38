// SignedBPFProgram: parsing an envelope into the seed's type.
#include "pqbpf/attest/signed_program.h"

namespace pqbpf {

Result<SignedBPFProgram> SignedBPFProgram::from_json(std::string_view text, const std::string& label) {
  PQBPF_ASSIGN_OR_RETURN(auto envelope, parse_envelope(text, label));
  return SignedBPFProgram{std::move(envelope), std::nullopt};
}

}  // namespace pqbpf

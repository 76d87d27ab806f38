// Example: change one byte of a signed object after signing; the verifier
// recomputes SHA3-256 and rejects it (the seed's tampered_bytecode_rejected).
//
//   tampered_bytecode_rejected OBJECT.bpf.o
#include <iostream>

#include "pqbpf/attest/program.h"
#include "pqbpf/attest/signer.h"
#include "pqbpf/attest/verifier.h"
#include "pqbpf/core/identity.h"

using namespace pqbpf;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: tampered_bytecode_rejected OBJECT.bpf.o\n";
    return 2;
  }
  auto identity = Identity::create("bpf-signer", {"sign"});
  auto program = BPFProgram::from_file({.name = "sample"}, argv[1]);
  if (!identity.ok() || !program.ok()) return std::cerr << "setup failed\n", 2;
  auto signer = BPFSigner::create(*identity);
  auto signed_program = signer->sign(*program);
  if (!signed_program.ok()) return std::cerr << signed_program.error().message << "\n", 2;

  // The genuine object verifies.
  std::vector<std::uint8_t> object(program->bytecode().begin(), program->bytecode().end());
  const VerificationResult good = BPFVerifier::verify(signed_program->envelope, std::span<const std::uint8_t>(object), argv[1]);
  std::cout << "original: valid=" << good.valid << "\n";

  // Flip one bit in the middle of the object, as an attacker swapping code would.
  object[object.size() / 2] ^= 0x01;
  const VerificationResult bad = BPFVerifier::verify(signed_program->envelope, std::span<const std::uint8_t>(object), argv[1]);
  std::cout << "tampered: valid=" << bad.valid << " reason=" << reason_code_name(bad.reason)
            << "\n  " << bad.error << "\n";
  return good.valid && !bad.valid && bad.reason == ReasonCode::kHashMismatch ? 0 : 1;
}

// Example: sign a compiled BPF object, serialise the envelope to JSON, parse
// it back, and verify it independently (the seed's sign_and_verify).
//
//   sign_and_verify OBJECT.bpf.o
#include <cstdio>
#include <iostream>

#include "pqbpf/attest/program.h"
#include "pqbpf/attest/signer.h"
#include "pqbpf/attest/verifier.h"
#include "pqbpf/core/identity.h"

using namespace pqbpf;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: sign_and_verify OBJECT.bpf.o\n";
    return 2;
  }
  // 1. A signing identity: ML-DSA-65 key pair and its DID.
  auto identity = Identity::create("bpf-signer", {"sign"});
  if (!identity.ok()) return std::cerr << identity.error().message << "\n", 2;
  std::cout << "signer " << identity->did().str() << "\n";

  // 2. Load and sign the object. The type is inferred from the object itself.
  BPFProgramMetadata metadata;
  metadata.name = "sample";
  metadata.author = "ops-team";
  auto program = BPFProgram::from_file(metadata, argv[1]);
  if (!program.ok()) return std::cerr << program.error().message << "\n", 2;
  auto signer = BPFSigner::create(*identity);
  if (!signer.ok()) return std::cerr << signer.error().message << "\n", 2;
  auto signed_program = signer->sign(*program, {.embed = true});
  if (!signed_program.ok()) return std::cerr << signed_program.error().message << "\n", 2;

  // 3. Serialise, parse back (as a verifier on another host would), verify.
  const std::string json = signed_program->to_json();
  std::cout << "envelope: " << json.size() << " bytes of JSON\n";
  auto parsed = SignedBPFProgram::from_json(json, "envelope");
  if (!parsed.ok()) return std::cerr << parsed.error().message << "\n", 2;
  const VerificationResult result = BPFVerifier::verify(*parsed);
  std::cout << "valid=" << result.valid << " signature_valid=" << result.signature_valid
            << " hash_consistent=" << result.hash_consistent << " signer="
            << (result.signer_did ? result.signer_did->str() : "-") << "\n";
  for (const auto& p : result.manifest->programs()) {
    std::cout << "  program " << p.name << " (" << p.type << ", " << p.section << ")\n";
  }
  return result.valid && result.signer_did == identity->did() ? 0 : 1;
}

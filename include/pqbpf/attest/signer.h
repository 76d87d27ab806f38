// BPFSigner: turns a BPFProgram into a SignedBPFProgram.
//
// sign() builds the manifest (format 2 by default: programs, maps and
// license derived from the object; format 1 only when asked), signs its
// RFC 8785 bytes with ML-DSA-65 and the context "pqc-bpf/v1", then verifies
// the result with BPFVerifier before returning it: a signature that does not
// verify is never handed out, let alone written.
//
// Program type (format 2): metadata.program_type kUnspec means "infer": the
// one type all programs share, or unspec for an object that mixes types.
// A declared type that any program contradicts is refused, naming them.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "pqbpf/attest/program.h"
#include "pqbpf/attest/signed_program.h"
#include "pqbpf/core/did.h"
#include "pqbpf/core/identity.h"
#include "pqbpf/core/manifest.h"
#include "pqbpf/crypto/mldsa.h"
#include "pqbpf/result.h"

namespace pqbpf {

struct SignOptions {
  ManifestFormat format = ManifestFormat::kV3;
  // Put the object into the envelope (base64) as well.
  bool embed = false;
  // signed_at; nullopt = the system clock now (tests inject a fixed time).
  std::optional<std::chrono::sys_seconds> signed_at;
  crypto::mldsa::SigningMode mode = crypto::mldsa::SigningMode::kHedged;
};

class BPFSigner {
 public:
  // Both keys must be ML-DSA-65. That they belong together is checked on
  // every sign() (the self-verification).
  static Result<BPFSigner> create(crypto::mldsa::PrivateKey private_key,
                                  crypto::mldsa::PublicKey public_key);
  // The seed's BPFSigner(identity).
  static Result<BPFSigner> create(const Identity& identity);

  const Did& did() const { return did_; }
  const crypto::mldsa::PublicKey& public_key() const { return public_key_; }

  // Errors: kInvalidArgument (metadata, type mismatch, format 1 without a
  // type), the reader's error for an object it cannot read in format 2,
  // kCrypto when the signature does not verify (mismatched keys).
  Result<SignedBPFProgram> sign(const BPFProgram& program, const SignOptions& options = {}) const;

  // The manifest sign() would sign, without signing (for previews and tests).
  Result<Manifest> build_manifest(const BPFProgram& program, const SignOptions& options = {}) const;

 private:
  BPFSigner(crypto::mldsa::PrivateKey private_key, crypto::mldsa::PublicKey public_key, Did did)
      : private_key_(std::move(private_key)), public_key_(std::move(public_key)), did_(std::move(did)) {}
  crypto::mldsa::PrivateKey private_key_;
  crypto::mldsa::PublicKey public_key_;
  Did did_;
};

// Writes signed.to_json() to `path` atomically (temp file + rename, mode
// 0644). Refuses to replace an existing file unless `overwrite`.
Status write_envelope(const std::string& path, const SignedBPFProgram& signed_program,
                      bool overwrite = false);

}  // namespace pqbpf

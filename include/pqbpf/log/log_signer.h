// LogSigner: the log's own ML-DSA-65 identity, which signs checkpoints.
//
// Construct-or-fail: create() checks that both keys are ML-DSA-65 and that
// the private key belongs to the public key (it signs and verifies a probe
// message), so a LogSigner in hand always produces checkpoints that verify
// under its public key. Every process that appends to a log needs the same
// signer (checkpoints are written by whichever process reaches one).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "pqbpf/core/did.h"
#include "pqbpf/crypto/mldsa.h"
#include "pqbpf/log/record.h"
#include "pqbpf/result.h"

namespace pqbpf::log {

// ML-DSA context string of every checkpoint signature (FIPS 204 ctx).
inline constexpr std::string_view kCheckpointContext = "pqc-bpf-log/v1";

class LogSigner {
 public:
  static Result<LogSigner> create(crypto::mldsa::PrivateKey private_key,
                                  crypto::mldsa::PublicKey public_key);

  const crypto::mldsa::PublicKey& public_key() const { return public_key_; }
  const Did& did() const { return did_; }

  // Signs checkpoint_signing_bytes(body); body.signer must be did().
  Result<std::vector<std::uint8_t>> sign_checkpoint(const CheckpointBody& body) const;

 private:
  LogSigner(crypto::mldsa::PrivateKey sk, crypto::mldsa::PublicKey pk, Did did)
      : private_key_(std::move(sk)), public_key_(std::move(pk)), did_(std::move(did)) {}
  crypto::mldsa::PrivateKey private_key_;
  crypto::mldsa::PublicKey public_key_;
  Did did_;
};

// Checks a parsed checkpoint record against the operator-supplied key: the
// record's DID must be the key's DID (cheap, first), then the ML-DSA-65
// signature over the canonical body. Errors are kRejected with a message
// naming `label`.
Status verify_checkpoint(const LogRecord& record, const crypto::mldsa::PublicKey& key,
                         const std::string& label);

}  // namespace pqbpf::log

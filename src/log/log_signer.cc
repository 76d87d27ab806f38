// Checkpoint signing and verification with ML-DSA-65 (FIPS 204, ctx
// "pqc-bpf-log/v1") over the canonical checkpoint body.
#include "pqbpf/log/log_signer.h"

#include "pqbpf/core/base64.h"

namespace pqbpf::log {
namespace {

namespace mldsa = crypto::mldsa;

std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

Result<LogSigner> LogSigner::create(mldsa::PrivateKey private_key, mldsa::PublicKey public_key) {
  if (private_key.parameter_set() != mldsa::ParameterSet::kMlDsa65 ||
      public_key.parameter_set() != mldsa::ParameterSet::kMlDsa65) {
    return make_error(ErrorCode::kInvalidArgument, "log key: must be ML-DSA-65");
  }
  static constexpr std::string_view kProbe = "pqc-bpf-log key pair check";
  auto sig = mldsa::sign(private_key, as_bytes(kProbe), as_bytes(kCheckpointContext));
  if (!sig.ok()) return sig.error();
  if (!mldsa::verify(public_key, as_bytes(kProbe), as_bytes(kCheckpointContext), *sig).ok()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "log key: private key does not belong to the public key");
  }
  Did did = Did::from_public_key(public_key);
  return LogSigner(std::move(private_key), std::move(public_key), std::move(did));
}

Result<std::vector<std::uint8_t>> LogSigner::sign_checkpoint(const CheckpointBody& body) const {
  if (body.signer != did_.str()) {
    return make_error(ErrorCode::kInvalidArgument, "checkpoint: signer is not the log key's DID");
  }
  const std::string message = checkpoint_signing_bytes(body);
  return mldsa::sign(private_key_, as_bytes(message), as_bytes(kCheckpointContext));
}

Status verify_checkpoint(const LogRecord& record, const mldsa::PublicKey& key,
                         const std::string& label) {
  if (record.kind != RecordKind::kCheckpoint) {
    return make_error(ErrorCode::kInvalidArgument, label + ": not a checkpoint");
  }
  const Did expected = Did::from_public_key(key);
  if (record.signer.value_or("") != expected.str()) {
    return make_error(ErrorCode::kRejected,
                      label + ": checkpoint signed by " + record.signer.value_or("(none)") +
                          ", but the supplied key is " + expected.str());
  }
  if (record.count + 1 != record.seq) {
    return make_error(ErrorCode::kRejected, label + ": checkpoint count " +
                                                std::to_string(record.count) +
                                                " does not match seq " + std::to_string(record.seq));
  }
  auto sig = base64_decode(record.signature_b64);
  if (!sig.ok()) {
    return make_error(ErrorCode::kRejected, label + ": checkpoint signature is not base64");
  }
  if (sig->size() != mldsa::sizes(mldsa::ParameterSet::kMlDsa65).signature) {
    return make_error(ErrorCode::kRejected, label + ": checkpoint signature has the wrong length");
  }
  const std::string message = checkpoint_signing_bytes(record.checkpoint_body());
  if (!mldsa::verify(key, as_bytes(message), as_bytes(kCheckpointContext), *sig).ok()) {
    return make_error(ErrorCode::kRejected, label + ": checkpoint signature does not verify");
  }
  return ok_status();
}

}  // namespace pqbpf::log

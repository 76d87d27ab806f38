// Signing and verification: _native.sign, verify, verify_file and the
// envelope text conversions behind SignedBPFProgram.to_json/from_json.
//
// A Python SignedBPFProgram is a frozen dataclass whose fields users read
// (and may replace). verify_signed() verifies the envelope the fields hold
// (the signed manifest, key, signature, object) with the library's
// verifier, then requires every field a caller reads to equal what is
// signed, so no unsigned field can be shown as trusted.
#include <nlohmann/json.hpp>

#include "native.h"

#include "pqbpf/attest/program.h"
#include "pqbpf/attest/signer.h"
#include "pqbpf/core/base64.h"
#include "pqbpf/core/envelope.h"
#include "pqbpf/core/json_strict.h"
#include "pqbpf/crypto/sha3.h"

namespace pqbpf::python {
namespace {

VerificationResult failed(ReasonCode reason, std::string error, bool input_error) {
  VerificationResult r;
  r.reason = reason;
  r.error = std::move(error);
  r.input_error = input_error;
  return r;
}

// A field the caller sees disagrees with the signed manifest: not valid.
void refuse_claim(VerificationResult& r, ReasonCode reason, std::string error, bool signature_covers) {
  r.valid = false;
  r.refused_before_parse = false;
  r.reason = reason;
  r.error = std::move(error);
  if (!signature_covers) {
    r.signature_valid = false;
    r.signer_did.reset();
  }
  r.object.clear();
  r.facts.reset();
}

void check_claims(const SignedParts& p, VerificationResult& r) {
  // Also after a before_parse stop: signature and hash were good there too.
  if ((!r.valid && !r.refused_before_parse) || !r.manifest) return;
  const Manifest& m = *r.manifest;
  if (p.claimed_signer_did != m.signer().str()) {
    refuse_claim(r, ReasonCode::kDidMismatch,
                 p.label + ": signer_did " + p.claimed_signer_did +
                     " is not the signed signer (the DID of the public key) " + m.signer().str(),
                 false);
  } else if (p.claimed_algorithm != kManifestAlgorithm) {
    refuse_claim(r, ReasonCode::kUnsupportedFormat,
                 p.label + ": algorithm '" + p.claimed_algorithm + "' is not the signed algorithm " +
                     std::string(kManifestAlgorithm),
                 false);
  } else if (p.claimed_signed_at != m.signed_at()) {
    refuse_claim(r, ReasonCode::kBadSignature,
                 p.label + ": signed_at " + p.claimed_signed_at +
                     " is not the signed time " + m.signed_at(),
                 false);
  } else if (!(p.claimed_metadata == m.metadata())) {
    refuse_claim(r, ReasonCode::kBadSignature,
                 p.label + ": the program's metadata differs from the signed metadata", false);
  } else if (p.claimed_bytecode_hash != m.sha3_256()) {
    r.hash_consistent = false;
    refuse_claim(r, ReasonCode::kHashMismatch,
                 p.label + ": bytecode_hash " + p.claimed_bytecode_hash +
                     " is not the signed SHA3-256 " + m.sha3_256(),
                 true);
  }
}

// {"manifest": ..., "public_key": b64, "signature": b64[, "object": b64]}
Result<std::string> envelope_text(const std::string& manifest_json,
                                  std::span<const std::uint8_t> public_key,
                                  std::span<const std::uint8_t> signature,
                                  const std::optional<std::vector<std::uint8_t>>& object) {
  JsonLimits limits;
  limits.max_bytes = kMaxEnvelopeBytes;
  limits.max_depth = kMaxEnvelopeDepth;
  PQBPF_ASSIGN_OR_RETURN(nlohmann::json manifest, parse_json_strict(manifest_json, "manifest", limits));
  if (!manifest.is_object()) return make_error(ErrorCode::kParse, "manifest: expected a JSON object");
  nlohmann::json env = nlohmann::json::object();
  env["manifest"] = std::move(manifest);
  env["public_key"] = base64_encode(public_key);
  env["signature"] = base64_encode(signature);
  if (object) env["object"] = base64_encode(*object);
  return env.dump();
}

py::dict envelope_to_python(const Envelope& envelope) {
  const Manifest& m = envelope.manifest();
  py::dict d;
  d["manifest"] = m.canonical_bytes();
  d["public_key"] = to_py_bytes(envelope.public_key().bytes());
  d["signature"] = to_py_bytes(envelope.signature());
  d["signer_did"] = m.signer().str();
  d["signed_at"] = m.signed_at();
  d["algorithm"] = std::string(kManifestAlgorithm);
  d["metadata"] = metadata_to_python(m.metadata());
  d["sha3_256"] = m.sha3_256();
  d["size"] = m.size();
  d["format"] = static_cast<int>(m.format());
  if (envelope.object()) {
    d["object"] = to_py_bytes(*envelope.object());
  } else {
    d["object"] = py::none();
  }
  return d;
}

}  // namespace

VerificationResult verify_signed(const SignedParts& p, const VerifyOptions& options) {
  auto text = envelope_text(p.manifest_json, p.public_key, p.signature, std::nullopt);
  if (!text.ok()) {
    return failed(ReasonCode::kMalformedEnvelope, p.label + ": " + text.error().message, true);
  }
  std::optional<std::span<const std::uint8_t>> detached;
  if (!p.bytecode.empty()) detached = std::span<const std::uint8_t>(p.bytecode);
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text->data());
  VerificationResult r = verify_envelope_bytes(std::span<const std::uint8_t>(bytes, text->size()),
                                               p.label + " envelope", detached, p.label, options);
  check_claims(p, r);
  return r;
}

py::dict verification_to_python(const VerificationResult& r) {
  py::dict d;
  d["valid"] = r.valid;
  d["signature_valid"] = r.signature_valid;
  d["hash_consistent"] = r.hash_consistent;
  d["programs_consistent"] = r.programs_consistent ? py::cast(*r.programs_consistent) : py::none();
  d["reason"] = std::string(reason_code_name(r.reason));
  d["error"] = r.valid ? py::none() : py::cast(r.error);
  d["program_name"] = r.manifest ? py::cast(r.manifest->metadata().name) : py::none();
  d["signer_did"] = r.signer_did ? py::cast(r.signer_did->str()) : py::none();
  d["input_error"] = r.input_error;
  return d;
}

void register_signing(py::module_& m) {
  m.def("sign", [](py::handle identity, py::handle metadata, py::handle bytecode, bool embed,
                   int manifest_format) {
    const Identity& id = identity_of(identity);
    BPFProgramMetadata md = metadata_from_python(metadata);
    std::vector<std::uint8_t> bytes = bytes_of(bytecode, "bytecode");
    if (manifest_format != 1 && manifest_format != 2) {
      raise_python_error("InvalidInputError", "invalid_argument", "manifest_format: expected 1 or 2");
    }
    Result<SignedBPFProgram> signed_program = make_error(ErrorCode::kInternal, "");
    {
      py::gil_scoped_release release;
      std::string label = "program '" + md.name + "'";
      auto signer = BPFSigner::create(id);
      auto program = BPFProgram::from_bytes(std::move(md), std::move(bytes), label);
      if (!signer.ok()) {
        signed_program = signer.error();
      } else if (!program.ok()) {
        signed_program = program.error();
      } else {
        SignOptions options;
        options.embed = embed;
        options.format = manifest_format == 1 ? ManifestFormat::kV1 : ManifestFormat::kV2;
        signed_program = signer->sign(*program, options);
      }
    }
    if (!signed_program.ok()) raise_library_error(signed_program.error());
    return envelope_to_python(signed_program->envelope);
  }, py::arg("identity"), py::arg("metadata"), py::arg("bytecode"), py::arg("embed"),
     py::arg("manifest_format"));

  m.def("parse_envelope", [](const std::string& text, const std::string& label) {
    Result<SignedBPFProgram> parsed = make_error(ErrorCode::kInternal, "");
    {
      py::gil_scoped_release release;
      parsed = SignedBPFProgram::from_json(text, label);
    }
    if (!parsed.ok()) {
      const bool unsupported = parsed.error().code == ErrorCode::kUnsupported;
      raise_python_error("InvalidInputError", unsupported ? "unsupported_format" : "malformed_envelope",
                         parsed.error().message);
    }
    return envelope_to_python(parsed->envelope);
  }, py::arg("text"), py::arg("label"));

  m.def("envelope_json", [](const std::string& manifest_json, py::handle public_key,
                            py::handle signature, py::handle object) {
    std::vector<std::uint8_t> pk = bytes_of(public_key, "public_key");
    std::vector<std::uint8_t> sig = bytes_of(signature, "signature");
    std::optional<std::vector<std::uint8_t>> obj;
    if (!object.is_none()) obj = bytes_of(object, "object");
    auto text = envelope_text(manifest_json, pk, sig, obj);
    if (!text.ok()) raise_python_error("InvalidInputError", "malformed_envelope", text.error().message);
    // Parse it back: only a well-formed envelope is ever serialised.
    auto parsed = parse_envelope(*text, "envelope");
    if (!parsed.ok()) {
      raise_python_error("InvalidInputError", "malformed_envelope", parsed.error().message);
    }
    return serialize_envelope(*parsed);
  }, py::arg("manifest"), py::arg("public_key"), py::arg("signature"), py::arg("object"));

  m.def("verify", [](py::handle signed_program) {
    SignedParts parts = signed_parts_from_python(signed_program);
    VerificationResult r;
    {
      py::gil_scoped_release release;
      r = verify_signed(parts);
    }
    return verification_to_python(r);
  }, py::arg("signed"));

  m.def("verify_file", [](const std::string& envelope_path, std::optional<std::string> object_path) {
    VerificationResult r;
    {
      py::gil_scoped_release release;
      r = verify_envelope_file(envelope_path, object_path);
    }
    return verification_to_python(r);
  }, py::arg("envelope_path"), py::arg("object_path"));
}

}  // namespace pqbpf::python

// BPFSigner: manifest construction (format 1 or 2, type inference and
// mismatch refusal), ML-DSA-65 signing, and the self-verification that
// guards every envelope we hand out.
#include "pqbpf/attest/signer.h"

#include <set>

#include "pqbpf/attest/object_facts.h"
#include "pqbpf/attest/verifier.h"
#include "pqbpf/core/key_purpose.h"
#include "pqbpf/core/file_io.h"

namespace pqbpf {
namespace {

namespace mldsa = crypto::mldsa;
constexpr auto kSet = mldsa::ParameterSet::kMlDsa65;

std::string printable(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < 200; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    out += (c < 0x20 || c == 0x7F) ? '?' : s[i];
  }
  return out;
}

// Formats 2 and 3: fills programs/maps/license and settles metadata.program_type.
Status apply_object_facts(const BPFProgram& program, ManifestFields& f) {
  // An object the reader refuses cannot be signed in format 2 (the verifier
  // could not re-derive its program list either); format 1 remains possible
  // through SignOptions::format.
  PQBPF_ASSIGN_OR_RETURN(auto facts, derive_object_facts(program.bytecode(), program.label()));
  const BPFProgramType declared = f.metadata.program_type;
  if (declared == BPFProgramType::kUnspec) {
    if (facts.programs.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        program.label() + ": the object holds no programs to infer a type from; "
                                          "declare the program type");
    }
    // One shared type names the object (kprobe + kretprobe share kprobe).
    // Mixed or unknown types: unspec, and each program's own signed type is
    // what counts (the policy checks every program).
    std::set<BPFProgramType> types, kernel_types;
    bool all_known = true;
    for (const auto& p : facts.programs) {
      auto type = parse_program_type(p.type);
      if (!type.ok()) {
        all_known = false;
        continue;
      }
      types.insert(*type);
      kernel_types.insert(kernel_program_type(*type));
    }
    if (all_known && types.size() == 1) {
      f.metadata.program_type = *types.begin();
    } else if (all_known && kernel_types.size() == 1) {
      f.metadata.program_type = *kernel_types.begin();
    }
  } else {
    std::string offenders;
    for (const auto& p : facts.programs) {
      auto actual = parse_program_type(p.type);
      if (actual.ok() && program_type_compatible(declared, *actual)) continue;
      if (!offenders.empty()) offenders += ", ";
      offenders += printable(p.name) + " (" + p.type + ")";
    }
    if (!offenders.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        program.label() + ": declared program type " +
                            std::string(program_type_name(declared)) +
                            " does not match program(s) " + offenders +
                            "; omit the type to sign each program under its own type");
    }
  }
  if (f.metadata.license.empty()) {
    f.metadata.license = facts.license;
  } else if (!facts.license.empty() && facts.license != f.metadata.license) {
    return make_error(ErrorCode::kInvalidArgument,
                      program.label() + ": declared license '" + printable(f.metadata.license) +
                          "' differs from the object's license section '" +
                          printable(facts.license) + "'; omit the license or make them agree");
  }
  f.programs = std::move(facts.programs);
  if (f.format == ManifestFormat::kV2) strip_format3_fields(f.programs);
  f.maps = std::move(facts.maps);
  f.license = std::move(facts.license);
  return ok_status();
}

}  // namespace

Result<BPFSigner> BPFSigner::create(mldsa::PrivateKey private_key, mldsa::PublicKey public_key) {
  if (private_key.parameter_set() != kSet || public_key.parameter_set() != kSet) {
    return make_error(ErrorCode::kInvalidArgument, "signer: keys must be ML-DSA-65");
  }
  Did did = Did::from_public_key(public_key);
  return BPFSigner(std::move(private_key), std::move(public_key), std::move(did));
}

Result<BPFSigner> BPFSigner::create(const Identity& identity) {
  PQBPF_RETURN_IF_ERROR(check_key_purpose(identity, KeyPurpose::kSignObjects));
  return create(identity.private_key(), identity.public_key());
}

Result<Manifest> BPFSigner::build_manifest(const BPFProgram& program, const SignOptions& options) const {
  ManifestFields f;
  f.format = options.format;
  f.metadata = program.metadata();
  f.sha3_256 = program.sha3_256_hex();
  f.size = program.size();
  f.signer = did_.str();
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  f.signed_at = format_rfc3339_utc(options.signed_at.value_or(now));
  if (options.format != ManifestFormat::kV1) {
    PQBPF_RETURN_IF_ERROR(apply_object_facts(program, f));
  } else if (f.metadata.program_type == BPFProgramType::kUnspec) {
    return make_error(ErrorCode::kInvalidArgument,
                      program.label() + ": manifest format 1 needs a declared program type");
  }
  return Manifest::create(std::move(f), program.label() + ": manifest");
}

Result<SignedBPFProgram> BPFSigner::sign(const BPFProgram& program, const SignOptions& options) const {
  PQBPF_ASSIGN_OR_RETURN(auto manifest, build_manifest(program, options));
  const std::string message = manifest.canonical_bytes();
  if (message.empty()) {
    return make_error(ErrorCode::kInternal, program.label() + ": manifest has no canonical form");
  }
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(message.data()),
                                            message.size());
  PQBPF_ASSIGN_OR_RETURN(auto signature, mldsa::sign(private_key_, bytes, signature_context(), options.mode));
  // Check our own signature before anything leaves this function: a private
  // key that does not belong to public_key (or a faulty signer) stops here.
  if (!mldsa::verify(public_key_, bytes, signature_context(), signature).ok()) {
    return make_error(ErrorCode::kCrypto,
                      "signer: the new signature does not verify with the signer's public key "
                      "(private and public key do not belong together)");
  }
  std::optional<std::vector<std::uint8_t>> embedded;
  if (options.embed) embedded.emplace(program.bytecode().begin(), program.bytecode().end());
  PQBPF_ASSIGN_OR_RETURN(auto envelope, Envelope::create(std::move(manifest), public_key_,
                                                         std::move(signature), std::move(embedded),
                                                         program.label()));
  SignedBPFProgram signed_program{std::move(envelope),
                                  std::vector<std::uint8_t>(program.bytecode().begin(),
                                                            program.bytecode().end())};
  // End-to-end: the envelope as a reader will see it (serialised and parsed
  // again) must pass the verifier against the object we were given.
  auto reparsed = SignedBPFProgram::from_json(signed_program.to_json(), program.label() + ".sig.json");
  if (!reparsed.ok()) {
    return make_error(ErrorCode::kInternal, "signer: self-check failed: " + reparsed.error().message);
  }
  reparsed->object = signed_program.object;
  const auto check = BPFVerifier::verify(*reparsed);
  if (!check.valid) {
    return make_error(ErrorCode::kInternal, "signer: self-check failed (" +
                                                std::string(reason_code_name(check.reason)) +
                                                "): " + check.error);
  }
  return signed_program;
}

Status write_envelope(const std::string& path, const SignedBPFProgram& signed_program, bool overwrite) {
  // write_file_atomic: temp file + fsync + rename; names --force on refusal.
  return write_file_atomic(path, signed_program.to_json(), WriteOptions{0644, overwrite});
}

}  // namespace pqbpf

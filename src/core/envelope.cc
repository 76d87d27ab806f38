// Envelope construction, strict parsing and stable serialisation.
#include "pqbpf/core/envelope.h"

#include "pqbpf/core/base64.h"
#include "pqbpf/core/file_io.h"
#include "pqbpf/core/json_strict.h"

namespace pqbpf {
namespace {

using nlohmann::json;
namespace mldsa = crypto::mldsa;

constexpr auto kSet = mldsa::ParameterSet::kMlDsa65;

Result<std::vector<std::uint8_t>> decode_field(const json& object, const char* key,
                                               const std::string& label) {
  const auto& v = *object.find(key);
  if (!v.is_string()) {
    return make_error(ErrorCode::kParse, label + ": " + key + ": expected a base64 string");
  }
  const auto& text = v.get_ref<const std::string&>();
  auto bytes = base64_decode(text);
  if (!bytes.ok()) {
    return make_error(ErrorCode::kParse, label + ": " + key + ": " + bytes.error().message +
                                             " (standard base64 with padding expected)");
  }
  return bytes;
}

Result<Envelope> parse_unchecked(std::string_view text, const std::string& label) {
  PQBPF_ASSIGN_OR_RETURN(auto root,
                         parse_json_strict(text, label, JsonLimits{kMaxEnvelopeBytes, kMaxEnvelopeDepth}));
  if (!root.is_object()) {
    return make_error(ErrorCode::kParse, label + ": expected a JSON object (a pqc-bpf envelope)");
  }
  PQBPF_RETURN_IF_ERROR(check_json_keys(root, {"manifest", "public_key", "signature"}, {"object"}, label));
  // Cheap length checks before the manifest.
  PQBPF_ASSIGN_OR_RETURN(auto key_bytes, decode_field(root, "public_key", label));
  const auto sizes = mldsa::sizes(kSet);
  if (key_bytes.size() != sizes.public_key) {
    return make_error(ErrorCode::kParse, label + ": public_key: " + std::to_string(key_bytes.size()) +
                                             " bytes, ML-DSA-65 public keys are " +
                                             std::to_string(sizes.public_key));
  }
  PQBPF_ASSIGN_OR_RETURN(auto signature, decode_field(root, "signature", label));
  if (signature.size() != sizes.signature) {
    return make_error(ErrorCode::kParse, label + ": signature: " + std::to_string(signature.size()) +
                                             " bytes, ML-DSA-65 signatures are " +
                                             std::to_string(sizes.signature));
  }
  std::optional<std::vector<std::uint8_t>> object;
  if (root.contains("object")) {
    PQBPF_ASSIGN_OR_RETURN(auto bytes, decode_field(root, "object", label));
    object = std::move(bytes);
  }
  PQBPF_ASSIGN_OR_RETURN(auto manifest, Manifest::from_json(root["manifest"], label + ": manifest"));
  auto key = mldsa::PublicKey::parse(kSet, key_bytes);
  if (!key.ok()) return make_error(ErrorCode::kParse, label + ": public_key: " + key.error().message);
  auto envelope = Envelope::create(std::move(manifest), std::move(key).value(), std::move(signature),
                                   std::move(object), label);
  if (!envelope.ok()) return make_error(ErrorCode::kParse, envelope.error().message);
  return envelope;
}

}  // namespace

Result<Envelope> Envelope::create(Manifest manifest, mldsa::PublicKey public_key,
                                  std::vector<std::uint8_t> signature,
                                  std::optional<std::vector<std::uint8_t>> object,
                                  const std::string& label) {
  if (public_key.parameter_set() != kSet) {
    return make_error(ErrorCode::kInvalidArgument, label + ": public_key: must be an ML-DSA-65 key");
  }
  if (signature.size() != mldsa::sizes(kSet).signature) {
    return make_error(ErrorCode::kInvalidArgument,
                      label + ": signature: must be " +
                          std::to_string(mldsa::sizes(kSet).signature) + " bytes");
  }
  if (object && object->size() > kMaxObjectFileSize) {
    return make_error(ErrorCode::kLimitExceeded, label + ": object: embedded object is larger than " +
                                                     std::to_string(kMaxObjectFileSize) + " bytes");
  }
  return Envelope(std::move(manifest), std::move(public_key), std::move(signature), std::move(object));
}

Result<Envelope> parse_envelope(std::string_view text, const std::string& label) {
  try {
    return parse_unchecked(text, label);
  } catch (const std::exception& ex) {  // defensive: nothing above should throw
    return make_error(ErrorCode::kParse, label + ": invalid envelope: " + ex.what());
  }
}

std::string serialize_envelope(const Envelope& envelope) {
  json root{
      {"manifest", envelope.manifest().to_json()},
      {"public_key", base64_encode(envelope.public_key().bytes())},
      {"signature", base64_encode(envelope.signature())},
  };
  if (envelope.object()) root["object"] = base64_encode(*envelope.object());
  // Every string was checked to be valid UTF-8 when the manifest was built.
  return root.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string default_envelope_path(const std::string& object_path) {
  return object_path + std::string(kEnvelopeSuffix);
}

std::optional<std::string> default_object_path(const std::string& envelope_path) {
  if (envelope_path.size() <= kEnvelopeSuffix.size() ||
      envelope_path.compare(envelope_path.size() - kEnvelopeSuffix.size(), kEnvelopeSuffix.size(),
                            kEnvelopeSuffix) != 0) {
    return std::nullopt;
  }
  return envelope_path.substr(0, envelope_path.size() - kEnvelopeSuffix.size());
}

}  // namespace pqbpf

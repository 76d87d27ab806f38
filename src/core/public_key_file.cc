// KEY.pub reading and writing (see public_key_file.h).
#include "pqbpf/core/public_key_file.h"

#include "pqbpf/core/base64.h"
#include "pqbpf/core/file_io.h"
#include "pqbpf/core/json_strict.h"

namespace pqbpf {
namespace {

namespace mldsa = crypto::mldsa;

Result<std::string> string_field(const nlohmann::json& object, const char* key,
                                 const std::string& label) {
  const auto& value = object.at(key);
  if (!value.is_string()) {
    return make_error(ErrorCode::kParse,
                      label + ": field \"" + key + "\" must be a string");
  }
  return value.get<std::string>();
}

}  // namespace

Result<std::string> serialize_public_key_file(const PublicIdentity& identity) {
  nlohmann::ordered_json doc;
  doc["did"] = identity.did().str();
  doc["name"] = identity.name();
  doc["algorithm"] = std::string(identity.algorithm());
  doc["public_key"] = base64_encode(identity.public_key().bytes());
  try {
    return doc.dump(2) + "\n";
  } catch (const std::exception& ex) {  // invalid UTF-8; names are validated, so unexpected
    return make_error(ErrorCode::kInternal, std::string("cannot serialise public key: ") + ex.what());
  }
}

Result<PublicIdentity> parse_public_key_file(std::string_view text, const std::string& label) {
  JsonLimits limits;
  limits.max_bytes = kMaxSmallFileSize;
  limits.max_depth = 4;
  PQBPF_ASSIGN_OR_RETURN(auto doc, parse_json_strict(text, label, limits));
  if (doc.is_object() && (doc.contains("seed") || doc.contains("encryption"))) {
    return make_error(ErrorCode::kInvalidArgument,
                      label + ": this is a private key file; hand out its .pub file instead");
  }
  PQBPF_RETURN_IF_ERROR(check_json_keys(doc, {"did", "name", "algorithm", "public_key"}, {}, label));

  PQBPF_ASSIGN_OR_RETURN(std::string algorithm, string_field(doc, "algorithm", label));
  if (algorithm != mldsa::parameter_set_name(kIdentityParameterSet)) {
    return make_error(ErrorCode::kUnsupported,
                      label + ": algorithm \"" + algorithm.substr(0, 40) + "\" is not supported; expected " +
                          std::string(mldsa::parameter_set_name(kIdentityParameterSet)));
  }
  PQBPF_ASSIGN_OR_RETURN(std::string did_text, string_field(doc, "did", label));
  auto did = Did::parse(did_text);
  if (!did.ok()) return make_error(ErrorCode::kParse, label + ": " + did.error().message);

  PQBPF_ASSIGN_OR_RETURN(std::string name, string_field(doc, "name", label));
  if (auto s = validate_identity_name(name); !s.ok()) {
    return make_error(ErrorCode::kParse, label + ": " + s.error().message);
  }

  PQBPF_ASSIGN_OR_RETURN(std::string key_b64, string_field(doc, "public_key", label));
  auto key_bytes = base64_decode(key_b64);
  if (!key_bytes.ok()) {
    return make_error(ErrorCode::kParse, label + ": field \"public_key\": " + key_bytes.error().message);
  }
  const std::size_t expected = mldsa::sizes(kIdentityParameterSet).public_key;
  if (key_bytes->size() != expected) {
    return make_error(ErrorCode::kParse, label + ": public key is " +
                                             std::to_string(key_bytes->size()) + " bytes; " +
                                             algorithm + " public keys are " +
                                             std::to_string(expected));
  }
  auto key = mldsa::PublicKey::parse(kIdentityParameterSet, *key_bytes);
  if (!key.ok()) return make_error(key.error().code, label + ": " + key.error().message);

  auto identity = PublicIdentity::create_bound(*did, name, *key);
  if (!identity.ok()) {
    return make_error(identity.error().code, label + ": " + identity.error().message);
  }
  return identity;
}

Result<PublicIdentity> load_public_key_file(const std::string& path) {
  PQBPF_ASSIGN_OR_RETURN(std::string text, read_text_file(path, kMaxSmallFileSize));
  return parse_public_key_file(text, path);
}

Status save_public_key_file(const std::string& path, const PublicIdentity& identity, bool force) {
  PQBPF_ASSIGN_OR_RETURN(std::string text, serialize_public_key_file(identity));
  WriteOptions options;
  options.mode = 0644;
  options.overwrite = force;
  return write_file_atomic(path, text, options);
}

Result<Did> resolve_signer(std::string_view did_or_path) {
  if (did_or_path.substr(0, 4) == "did:") return Did::parse(did_or_path);
  PQBPF_ASSIGN_OR_RETURN(PublicIdentity identity, load_public_key_file(std::string(did_or_path)));
  return identity.did();
}

}  // namespace pqbpf

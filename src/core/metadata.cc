// BPFProgramMetadata validation and its JSON form inside the manifest.
#include "pqbpf/core/metadata.h"

#include <cstddef>
#include <string_view>

#include "pqbpf/core/jcs.h"
#include "pqbpf/core/json_strict.h"

namespace pqbpf {
namespace {

Status check_text(std::string_view value, std::string_view field, std::size_t max_bytes,
                  const std::string& label) {
  const std::string where = label + "." + std::string(field);
  if (value.size() > max_bytes) {
    return make_error(ErrorCode::kLimitExceeded, where + ": longer than " +
                                                     std::to_string(max_bytes) + " bytes");
  }
  if (!is_valid_utf8(value)) {
    return make_error(ErrorCode::kInvalidArgument, where + ": not valid UTF-8");
  }
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) {
      return make_error(ErrorCode::kInvalidArgument, where + ": control characters are not allowed");
    }
  }
  return ok_status();
}

bool is_dotted_version(std::string_view v) {
  int parts = 0;
  std::size_t i = 0;
  while (true) {
    const std::size_t start = i;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
    if (i == start || i - start > 9) return false;
    ++parts;
    if (i == v.size()) return parts <= 3;
    if (v[i] != '.') return false;
    ++i;
  }
}

}  // namespace

Status validate_metadata(const BPFProgramMetadata& m, const std::string& label) {
  if (m.name.empty()) {
    return make_error(ErrorCode::kInvalidArgument, label + ".name: must not be empty");
  }
  PQBPF_RETURN_IF_ERROR(check_text(m.name, "name", 256, label));
  if (program_type_name(m.program_type) == "unknown") {
    return make_error(ErrorCode::kInvalidArgument,
                      label + ".program_type: not a known program type");
  }
  PQBPF_RETURN_IF_ERROR(check_text(m.attach_point, "attach_point", 1024, label));
  PQBPF_RETURN_IF_ERROR(check_text(m.author, "author", 1024, label));
  PQBPF_RETURN_IF_ERROR(check_text(m.description, "description", 4096, label));
  PQBPF_RETURN_IF_ERROR(check_text(m.version, "version", 256, label));
  PQBPF_RETURN_IF_ERROR(check_text(m.license, "license", 1024, label));
  PQBPF_RETURN_IF_ERROR(check_text(m.kernel_min, "kernel_min", 256, label));
  if (!m.kernel_min.empty() && !is_dotted_version(m.kernel_min)) {
    return make_error(ErrorCode::kInvalidArgument,
                      label + ".kernel_min: expected a version like 5.8 or 6.1.0");
  }
  return ok_status();
}

nlohmann::json metadata_to_json(const BPFProgramMetadata& m) {
  return nlohmann::json{
      {"name", m.name},
      {"program_type", std::string(program_type_name(m.program_type))},
      {"attach_point", m.attach_point},
      {"author", m.author},
      {"description", m.description},
      {"version", m.version},
      {"license", m.license},
      {"kernel_min", m.kernel_min},
  };
}

Result<BPFProgramMetadata> metadata_from_json(const nlohmann::json& object,
                                              const std::string& label) {
  const std::string& where = label;
  PQBPF_RETURN_IF_ERROR(check_json_keys(object,
                                        {"name", "program_type", "attach_point", "author",
                                         "description", "version", "license", "kernel_min"},
                                        {}, where));
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (!it.value().is_string()) {
      return make_error(ErrorCode::kParse, where + "." + it.key() + ": expected a string");
    }
  }
  const auto str = [&](const char* key) { return object.find(key)->get<std::string>(); };
  BPFProgramMetadata m;
  m.name = str("name");
  const std::string type_name = str("program_type");
  PQBPF_RETURN_IF_ERROR(check_text(type_name, "program_type", 256, label));
  auto type = parse_program_type(type_name);
  if (!type.ok()) {
    return make_error(ErrorCode::kParse, where + ".program_type: " + type.error().message);
  }
  m.program_type = *type;
  m.attach_point = str("attach_point");
  m.author = str("author");
  m.description = str("description");
  m.version = str("version");
  m.license = str("license");
  m.kernel_min = str("kernel_min");
  auto valid = validate_metadata(m, label);
  if (!valid.ok()) return make_error(ErrorCode::kParse, valid.error().message);
  return m;
}

}  // namespace pqbpf

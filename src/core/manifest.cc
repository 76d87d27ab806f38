// Manifest validation, its JSON form and its canonical (signed) bytes.
#include "pqbpf/core/manifest.h"

#include <cstdio>

#include "pqbpf/core/file_io.h"
#include "pqbpf/core/jcs.h"
#include "pqbpf/core/json_strict.h"
#include "pqbpf/core/timestamp.h"
#include "pqbpf/crypto/sha3.h"

namespace pqbpf {
namespace {

using nlohmann::json;

bool is_hex64(std::string_view s) { return crypto::is_lowercase_hex(s, 64); }

// Text that comes from the object (names, sections): bounded, UTF-8, no controls.
Status check_object_text(std::string_view value, const std::string& where, bool may_be_empty) {
  if (!may_be_empty && value.empty()) {
    return make_error(ErrorCode::kInvalidArgument, where + ": must not be empty");
  }
  if (value.size() > kMaxManifestNameBytes) {
    return make_error(ErrorCode::kLimitExceeded,
                      where + ": longer than " + std::to_string(kMaxManifestNameBytes) + " bytes");
  }
  if (!is_valid_utf8(value)) return make_error(ErrorCode::kInvalidArgument, where + ": not valid UTF-8");
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) {
      return make_error(ErrorCode::kInvalidArgument, where + ": control characters are not allowed");
    }
  }
  return ok_status();
}

Status check_list(const std::vector<std::string>& list, const std::string& where) {
  if (list.size() > kMaxManifestCallEntries) {
    return make_error(ErrorCode::kLimitExceeded,
                      where + ": more than " + std::to_string(kMaxManifestCallEntries) + " entries");
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    PQBPF_RETURN_IF_ERROR(check_object_text(list[i], where + "[" + std::to_string(i) + "]", false));
  }
  return ok_status();
}

// Format 3's fields: a kernel type consistent with `type`, bounded lists.
Status check_program_calls(const ManifestProgram& p, const std::string& where) {
  if (p.type == "unknown" || p.kernel_type == "unknown") {
    if (p.type != p.kernel_type) {
      return make_error(ErrorCode::kInvalidArgument,
                        where + ".kernel_type: \"unknown\" exactly when type is \"unknown\"");
    }
  } else {
    auto type = parse_program_type(p.type);
    auto kernel = parse_program_type(p.kernel_type);
    if (!kernel.ok() || !type.ok() || kernel_program_type(*type) != *kernel) {
      return make_error(ErrorCode::kInvalidArgument,
                        where + ".kernel_type: not the kernel type of " + p.type);
    }
  }
  PQBPF_RETURN_IF_ERROR(check_list(p.helpers, where + ".helpers"));
  PQBPF_RETURN_IF_ERROR(check_list(p.kfuncs, where + ".kfuncs"));
  PQBPF_RETURN_IF_ERROR(check_list(p.maps, where + ".maps"));
  return ok_status();
}

bool has_call_fields(const ManifestProgram& p) {
  return !p.kernel_type.empty() || !p.helpers.empty() || !p.kfuncs.empty() || !p.maps.empty() ||
         p.calls_known;
}

Status check_program(const ManifestProgram& p, const std::string& where) {
  PQBPF_RETURN_IF_ERROR(check_object_text(p.name, where + ".name", false));
  PQBPF_RETURN_IF_ERROR(check_object_text(p.section, where + ".section", false));
  if (p.type != "unknown" && !parse_program_type(p.type).ok()) {
    return make_error(ErrorCode::kInvalidArgument,
                      where + ".type: not a known program type (or \"unknown\")");
  }
  PQBPF_RETURN_IF_ERROR(check_object_text(p.attach_target, where + ".attach_target", true));
  if (p.insn_count > kMaxObjectFileSize / 8) {
    return make_error(ErrorCode::kLimitExceeded, where + ".insn_count: larger than the object limit");
  }
  if (!is_hex64(p.insn_sha3_256)) {
    return make_error(ErrorCode::kInvalidArgument,
                      where + ".insn_sha3_256: expected 64 lowercase hex digits");
  }
  return ok_status();
}

Status check_map(const ManifestMap& m, const std::string& where) {
  PQBPF_RETURN_IF_ERROR(check_object_text(m.name, where + ".name", false));
  PQBPF_RETURN_IF_ERROR(check_object_text(m.type, where + ".type", false));
  return ok_status();
}

// Parse helpers: each names the field and says what was expected.
Result<std::string> get_string(const json& obj, const char* key, const std::string& where) {
  const auto& v = *obj.find(key);
  if (!v.is_string()) return make_error(ErrorCode::kParse, where + "." + key + ": expected a string");
  return v.get<std::string>();
}

Result<std::uint64_t> get_uint(const json& obj, const char* key, const std::string& where,
                               std::uint64_t max) {
  const auto& v = *obj.find(key);
  const std::string field = where + "." + key;
  if (!v.is_number_integer()) {
    return make_error(ErrorCode::kParse, field + ": expected a non-negative integer");
  }
  std::uint64_t n;
  if (v.is_number_unsigned()) {
    n = v.get<std::uint64_t>();
  } else {
    const auto s = v.get<std::int64_t>();
    if (s < 0) return make_error(ErrorCode::kParse, field + ": expected a non-negative integer");
    n = static_cast<std::uint64_t>(s);
  }
  if (n > max) {
    return make_error(ErrorCode::kParse, field + ": " + std::to_string(n) +
                                             " is larger than the limit of " + std::to_string(max));
  }
  return n;
}

Result<std::vector<std::string>> get_string_list(const json& obj, const char* key, const std::string& where) {
  const auto& v = *obj.find(key);
  const std::string field = where + "." + key;
  if (!v.is_array()) return make_error(ErrorCode::kParse, field + ": expected an array of strings");
  if (v.size() > kMaxManifestCallEntries) {
    return make_error(ErrorCode::kParse, field + ": more than " + std::to_string(kMaxManifestCallEntries) + " entries");
  }
  std::vector<std::string> out;
  out.reserve(v.size());
  for (const auto& item : v) {
    if (!item.is_string()) return make_error(ErrorCode::kParse, field + ": expected an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<ManifestProgram> program_from_json(const json& v, const std::string& where, ManifestFormat format) {
  if (format == ManifestFormat::kV3) {
    PQBPF_RETURN_IF_ERROR(check_json_keys(v,
                                          {"name", "section", "type", "attach_target", "insn_count",
                                           "insn_sha3_256", "kernel_type", "helpers", "kfuncs", "maps",
                                           "calls_known"},
                                          {}, where));
  } else {
    PQBPF_RETURN_IF_ERROR(check_json_keys(
        v, {"name", "section", "type", "attach_target", "insn_count", "insn_sha3_256"}, {}, where));
  }
  ManifestProgram p;
  PQBPF_ASSIGN_OR_RETURN(p.name, get_string(v, "name", where));
  PQBPF_ASSIGN_OR_RETURN(p.section, get_string(v, "section", where));
  PQBPF_ASSIGN_OR_RETURN(p.type, get_string(v, "type", where));
  PQBPF_ASSIGN_OR_RETURN(p.attach_target, get_string(v, "attach_target", where));
  PQBPF_ASSIGN_OR_RETURN(p.insn_count, get_uint(v, "insn_count", where, kMaxObjectFileSize / 8));
  PQBPF_ASSIGN_OR_RETURN(p.insn_sha3_256, get_string(v, "insn_sha3_256", where));
  if (format == ManifestFormat::kV3) {
    PQBPF_ASSIGN_OR_RETURN(p.kernel_type, get_string(v, "kernel_type", where));
    PQBPF_ASSIGN_OR_RETURN(p.helpers, get_string_list(v, "helpers", where));
    PQBPF_ASSIGN_OR_RETURN(p.kfuncs, get_string_list(v, "kfuncs", where));
    PQBPF_ASSIGN_OR_RETURN(p.maps, get_string_list(v, "maps", where));
    const auto& known = *v.find("calls_known");
    if (!known.is_boolean()) return make_error(ErrorCode::kParse, where + ".calls_known: expected true or false");
    p.calls_known = known.get<bool>();
  }
  return p;
}

Result<ManifestMap> map_from_json(const json& v, const std::string& where) {
  PQBPF_RETURN_IF_ERROR(
      check_json_keys(v, {"name", "type", "key_size", "value_size", "max_entries"}, {}, where));
  ManifestMap m;
  PQBPF_ASSIGN_OR_RETURN(m.name, get_string(v, "name", where));
  PQBPF_ASSIGN_OR_RETURN(m.type, get_string(v, "type", where));
  constexpr std::uint64_t kU32 = 0xFFFFFFFFu;
  PQBPF_ASSIGN_OR_RETURN(auto key_size, get_uint(v, "key_size", where, kU32));
  PQBPF_ASSIGN_OR_RETURN(auto value_size, get_uint(v, "value_size", where, kU32));
  PQBPF_ASSIGN_OR_RETURN(auto max_entries, get_uint(v, "max_entries", where, kU32));
  m.key_size = static_cast<std::uint32_t>(key_size);
  m.value_size = static_cast<std::uint32_t>(value_size);
  m.max_entries = static_cast<std::uint32_t>(max_entries);
  return m;
}

Result<Manifest> from_json_unchecked(const json& object, const std::string& label) {
  if (!object.is_object()) return make_error(ErrorCode::kParse, label + ": expected a JSON object");
  const auto format_it = object.find("format");
  if (format_it == object.end()) return make_error(ErrorCode::kParse, label + ": missing field \"format\"");
  if (!format_it->is_string()) return make_error(ErrorCode::kParse, label + ".format: expected a string");
  const std::string format_text = format_it->get<std::string>();
  ManifestFields f;
  if (format_text == kManifestFormatV1) {
    f.format = ManifestFormat::kV1;
    PQBPF_RETURN_IF_ERROR(check_json_keys(
        object, {"format", "algorithm", "metadata", "sha3_256", "size", "signer", "signed_at"}, {},
        label));
  } else if (format_text == kManifestFormatV2 || format_text == kManifestFormatV3) {
    f.format = format_text == kManifestFormatV2 ? ManifestFormat::kV2 : ManifestFormat::kV3;
    PQBPF_RETURN_IF_ERROR(check_json_keys(object,
                                          {"format", "algorithm", "metadata", "sha3_256", "size",
                                           "signer", "signed_at", "programs", "maps", "license"},
                                          {}, label));
  } else {
    bool printable = format_text.size() <= 64;
    for (char c : format_text) printable = printable && c >= 0x20 && c < 0x7F;
    return make_error(ErrorCode::kUnsupported,
                      label + ".format: unsupported manifest format" +
                          (printable ? " '" + format_text + "'" : std::string()) +
                          " (this version reads pqc-bpf-manifest/1, /2 and /3)");
  }
  PQBPF_ASSIGN_OR_RETURN(auto algorithm, get_string(object, "algorithm", label));
  if (algorithm != kManifestAlgorithm) {
    return make_error(ErrorCode::kUnsupported,
                      label + ".algorithm: unsupported algorithm (only ML-DSA-65 is accepted)");
  }
  PQBPF_ASSIGN_OR_RETURN(f.metadata, metadata_from_json(*object.find("metadata"), label + ".metadata"));
  PQBPF_ASSIGN_OR_RETURN(f.sha3_256, get_string(object, "sha3_256", label));
  PQBPF_ASSIGN_OR_RETURN(f.size, get_uint(object, "size", label, kMaxObjectFileSize));
  PQBPF_ASSIGN_OR_RETURN(f.signer, get_string(object, "signer", label));
  PQBPF_ASSIGN_OR_RETURN(f.signed_at, get_string(object, "signed_at", label));
  if (f.format != ManifestFormat::kV1) {
    const auto& programs = *object.find("programs");
    if (!programs.is_array()) return make_error(ErrorCode::kParse, label + ".programs: expected an array");
    if (programs.size() > kMaxManifestPrograms) {
      return make_error(ErrorCode::kParse, label + ".programs: more than " +
                                               std::to_string(kMaxManifestPrograms) + " entries");
    }
    for (std::size_t i = 0; i < programs.size(); ++i) {
      PQBPF_ASSIGN_OR_RETURN(
          auto p, program_from_json(programs[i], label + ".programs[" + std::to_string(i) + "]", f.format));
      f.programs.push_back(std::move(p));
    }
    const auto& maps = *object.find("maps");
    if (!maps.is_array()) return make_error(ErrorCode::kParse, label + ".maps: expected an array");
    if (maps.size() > kMaxManifestMaps) {
      return make_error(ErrorCode::kParse,
                        label + ".maps: more than " + std::to_string(kMaxManifestMaps) + " entries");
    }
    for (std::size_t i = 0; i < maps.size(); ++i) {
      PQBPF_ASSIGN_OR_RETURN(auto m, map_from_json(maps[i], label + ".maps[" + std::to_string(i) + "]"));
      f.maps.push_back(std::move(m));
    }
    PQBPF_ASSIGN_OR_RETURN(f.license, get_string(object, "license", label));
  }
  auto manifest = Manifest::create(std::move(f), label);
  if (!manifest.ok()) return make_error(ErrorCode::kParse, manifest.error().message);
  return manifest;
}

}  // namespace

std::string_view manifest_format_name(ManifestFormat format) {
  switch (format) {
    case ManifestFormat::kV1: return kManifestFormatV1;
    case ManifestFormat::kV2: return kManifestFormatV2;
    case ManifestFormat::kV3: return kManifestFormatV3;
  }
  return kManifestFormatV2;
}

std::span<const std::uint8_t> signature_context() {
  return {reinterpret_cast<const std::uint8_t*>(kSignatureContext.data()), kSignatureContext.size()};
}

bool program_type_compatible(BPFProgramType declared, BPFProgramType actual) {
  return declared == actual || kernel_program_type(actual) == declared;
}

Result<Manifest> Manifest::create(ManifestFields f, const std::string& label) {
  if (f.format != ManifestFormat::kV1 && f.format != ManifestFormat::kV2 && f.format != ManifestFormat::kV3) {
    return make_error(ErrorCode::kUnsupported, label + ": unsupported manifest format");
  }
  PQBPF_RETURN_IF_ERROR(validate_metadata(f.metadata, label + ".metadata"));
  if (!is_hex64(f.sha3_256)) {
    return make_error(ErrorCode::kInvalidArgument, label + ".sha3_256: expected 64 lowercase hex digits");
  }
  if (f.size > kMaxObjectFileSize) {
    return make_error(ErrorCode::kLimitExceeded, label + ".size: larger than the object limit of " +
                                                     std::to_string(kMaxObjectFileSize) + " bytes");
  }
  auto did = Did::parse(f.signer);
  if (!did.ok()) {
    // Not echoing the value: it may hold anything, newlines included.
    return make_error(ErrorCode::kInvalidArgument,
                      label + ".signer: expected did:pqaid: followed by 64 lowercase hex digits");
  }
  auto time = parse_rfc3339_utc(f.signed_at);
  if (!time.ok()) return make_error(ErrorCode::kInvalidArgument, label + ".signed_at: " + time.error().message);
  if (f.format == ManifestFormat::kV1) {
    if (f.metadata.program_type == BPFProgramType::kUnspec) {
      return make_error(ErrorCode::kInvalidArgument,
                        label + ".metadata.program_type: format 1 needs a program type (not unspec)");
    }
    if (!f.programs.empty() || !f.maps.empty() || !f.license.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        label + ": programs, maps and license exist only in format 2");
    }
    return Manifest(std::move(f), std::move(did).value());
  }
  if (f.programs.size() > kMaxManifestPrograms || f.maps.size() > kMaxManifestMaps) {
    return make_error(ErrorCode::kLimitExceeded, label + ": too many programs or maps");
  }
  for (std::size_t i = 0; i < f.programs.size(); ++i) {
    const std::string where = label + ".programs[" + std::to_string(i) + "]";
    PQBPF_RETURN_IF_ERROR(check_program(f.programs[i], where));
    if (f.format == ManifestFormat::kV3) {
      PQBPF_RETURN_IF_ERROR(check_program_calls(f.programs[i], where));
    } else if (has_call_fields(f.programs[i])) {
      return make_error(ErrorCode::kInvalidArgument,
                        where + ": kernel_type, helpers, kfuncs, maps and calls_known exist only in format 3");
    }
  }
  for (std::size_t i = 0; i < f.maps.size(); ++i) {
    PQBPF_RETURN_IF_ERROR(check_map(f.maps[i], label + ".maps[" + std::to_string(i) + "]"));
  }
  PQBPF_RETURN_IF_ERROR(check_object_text(f.license, label + ".license", true));
  // A declared type must cover every program (an envelope saying kprobe
  // cannot carry an lsm program); unspec declares nothing.
  if (f.metadata.program_type != BPFProgramType::kUnspec) {
    for (const auto& p : f.programs) {
      auto actual = parse_program_type(p.type);
      if (!actual.ok() || !program_type_compatible(f.metadata.program_type, *actual)) {
        return make_error(ErrorCode::kInvalidArgument,
                          label + ": program '" + p.name + "' has type " + p.type +
                              ", not the declared " +
                              std::string(program_type_name(f.metadata.program_type)));
      }
    }
  }
  return Manifest(std::move(f), std::move(did).value());
}

Result<Manifest> Manifest::from_json(const nlohmann::json& object, const std::string& label) {
  try {
    return from_json_unchecked(object, label);
  } catch (const std::exception& ex) {  // defensive: type checks precede every get<>
    return make_error(ErrorCode::kParse, label + ": " + ex.what());
  }
}

nlohmann::json Manifest::to_json() const {
  json out{
      {"format", std::string(manifest_format_name(fields_.format))},
      {"algorithm", std::string(kManifestAlgorithm)},
      {"metadata", metadata_to_json(fields_.metadata)},
      {"sha3_256", fields_.sha3_256},
      {"size", fields_.size},
      {"signer", signer_.str()},
      {"signed_at", fields_.signed_at},
  };
  if (fields_.format != ManifestFormat::kV1) {
    json programs = json::array();
    for (const auto& p : fields_.programs) {
      json entry{{"name", p.name},
                 {"section", p.section},
                 {"type", p.type},
                 {"attach_target", p.attach_target},
                 {"insn_count", p.insn_count},
                 {"insn_sha3_256", p.insn_sha3_256}};
      if (fields_.format == ManifestFormat::kV3) {
        entry["kernel_type"] = p.kernel_type;
        entry["helpers"] = p.helpers;
        entry["kfuncs"] = p.kfuncs;
        entry["maps"] = p.maps;
        entry["calls_known"] = p.calls_known;
      }
      programs.push_back(std::move(entry));
    }
    json maps = json::array();
    for (const auto& m : fields_.maps) {
      maps.push_back(json{{"name", m.name},
                          {"type", m.type},
                          {"key_size", m.key_size},
                          {"value_size", m.value_size},
                          {"max_entries", m.max_entries}});
    }
    out["programs"] = std::move(programs);
    out["maps"] = std::move(maps);
    out["license"] = fields_.license;
  }
  return out;
}

std::string Manifest::canonical_bytes() const {
  // Cannot fail: create() checked UTF-8 and integer ranges of every value.
  auto bytes = jcs_serialize(to_json());
  return bytes.ok() ? std::move(bytes).value() : std::string();
}

std::string format_rfc3339_utc(std::chrono::sys_seconds time) {
  using namespace std::chrono;
  const auto day = floor<days>(time);
  const year_month_day ymd{day};
  const hh_mm_ss hms{time - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

Result<std::chrono::sys_seconds> parse_rfc3339_utc(std::string_view s) {
  // The shared parser refuses ":60" like every other time reader.
  auto t = parse_timestamp(s, TimestampSyntax::kUtcSeconds);
  if (!t.ok()) return make_error(ErrorCode::kParse, t.error().message);
  return std::chrono::sys_seconds{std::chrono::seconds{t->seconds}};
}

}  // namespace pqbpf

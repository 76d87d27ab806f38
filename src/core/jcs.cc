// RFC 8785 canonical JSON: a recursive writer over nlohmann::json with the
// member order, string escaping and number rules of the RFC (see jcs.h).
#include "pqbpf/core/jcs.h"

#include <algorithm>
#include <vector>

namespace pqbpf {
namespace {

using nlohmann::json;

// In-memory values are not depth-limited by a parser; stop well before the
// stack could be at risk.
constexpr std::size_t kMaxSerializeDepth = 256;

// Decodes one UTF-8 sequence at text[i]; returns the code point and advances
// i, or returns -1 for an invalid sequence (RFC 3629 table).
long decode_utf8(std::string_view text, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  std::size_t len;
  long cp;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;  // no overlongs
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;  // no overlongs
    if (b0 == 0xF4) hi = 0x8F;  // <= U+10FFFF
  } else {
    return -1;
  }
  if (i + len > text.size()) return -1;
  for (std::size_t k = 1; k < len; ++k) {
    const unsigned char b = byte(i + k);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  i += len;
  return cp;
}

// UTF-16 code units of a (valid) UTF-8 string, for RFC 8785 member ordering.
std::u16string to_utf16(std::string_view text) {
  std::u16string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const long cp = decode_utf8(text, i);
    if (cp < 0) break;  // callers validate first
    if (cp >= 0x10000) {
      const long v = cp - 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (v >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (v & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

Status write_string(std::string_view s, std::string& out) {
  if (!is_valid_utf8(s)) {
    return make_error(ErrorCode::kInvalidArgument, "JCS: string is not valid UTF-8");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
  return ok_status();
}

Status write_value(const json& v, std::string& out, std::size_t depth) {
  if (depth > kMaxSerializeDepth) {
    return make_error(ErrorCode::kLimitExceeded, "JCS: value nested deeper than " +
                                                     std::to_string(kMaxSerializeDepth) + " levels");
  }
  switch (v.type()) {
    case json::value_t::null: out += "null"; return ok_status();
    case json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return ok_status();
    case json::value_t::number_integer: {
      const std::int64_t n = v.get<std::int64_t>();
      if (n > kJcsMaxSafeInteger || n < -kJcsMaxSafeInteger) {
        return make_error(ErrorCode::kUnsupported,
                          "JCS: integer " + std::to_string(n) + " is outside +/-(2^53-1)");
      }
      out += std::to_string(n);
      return ok_status();
    }
    case json::value_t::number_unsigned: {
      const std::uint64_t n = v.get<std::uint64_t>();
      if (n > static_cast<std::uint64_t>(kJcsMaxSafeInteger)) {
        return make_error(ErrorCode::kUnsupported,
                          "JCS: integer " + std::to_string(n) + " is outside +/-(2^53-1)");
      }
      out += std::to_string(n);
      return ok_status();
    }
    case json::value_t::number_float:
      return make_error(ErrorCode::kUnsupported,
                        "JCS: non-integer numbers are not supported (manifests hold integers only)");
    case json::value_t::string: return write_string(v.get_ref<const std::string&>(), out);
    case json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : v) {
        if (!first) out.push_back(',');
        first = false;
        PQBPF_RETURN_IF_ERROR(write_value(item, out, depth + 1));
      }
      out.push_back(']');
      return ok_status();
    }
    case json::value_t::object: {
      struct Member {
        std::u16string sort_key;
        const std::string* name;
        const json* value;
      };
      std::vector<Member> members;
      members.reserve(v.size());
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!is_valid_utf8(it.key())) {
          return make_error(ErrorCode::kInvalidArgument, "JCS: member name is not valid UTF-8");
        }
        members.push_back(Member{to_utf16(it.key()), &it.key(), &it.value()});
      }
      std::sort(members.begin(), members.end(),
                [](const Member& a, const Member& b) { return a.sort_key < b.sort_key; });
      out.push_back('{');
      bool first = true;
      for (const auto& m : members) {
        if (!first) out.push_back(',');
        first = false;
        PQBPF_RETURN_IF_ERROR(write_string(*m.name, out));
        out.push_back(':');
        PQBPF_RETURN_IF_ERROR(write_value(*m.value, out, depth + 1));
      }
      out.push_back('}');
      return ok_status();
    }
    case json::value_t::binary:
    case json::value_t::discarded:
      break;
  }
  return make_error(ErrorCode::kInvalidArgument, "JCS: value is not JSON");
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (decode_utf8(text, i) < 0) return false;
  }
  return true;
}

Result<std::string> jcs_serialize(const nlohmann::json& value) {
  std::string out;
  try {
    PQBPF_RETURN_IF_ERROR(write_value(value, out, 0));
  } catch (const std::exception& ex) {  // nlohmann type errors; should not happen
    return make_error(ErrorCode::kInternal, std::string("JCS: ") + ex.what());
  }
  return out;
}

Result<std::string> canonicalize(std::string_view json_text, const std::string& label,
                                 const JsonLimits& limits) {
  PQBPF_ASSIGN_OR_RETURN(auto value, parse_json_strict(json_text, label, limits));
  auto canonical = jcs_serialize(value);
  if (!canonical.ok()) {
    return make_error(canonical.error().code, label + ": " + canonical.error().message);
  }
  return canonical;
}

}  // namespace pqbpf

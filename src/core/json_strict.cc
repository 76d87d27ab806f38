// A SAX handler over nlohmann's (iterative, non-recursive) parser that builds
// the document while enforcing the depth limit and refusing duplicate keys.
#include "pqbpf/core/json_strict.h"

#include <set>
#include <vector>

namespace pqbpf {
namespace {

using nlohmann::json;

// Keys are shown in messages; keep them one bounded, printable line.
std::string shown_key(const std::string& key) {
  std::string out;
  for (std::size_t i = 0; i < key.size() && i < 64; ++i) {
    const auto c = static_cast<unsigned char>(key[i]);
    out += (c < 0x20 || c == 0x7F) ? '?' : key[i];
  }
  return key.size() > 64 ? out + "..." : out;
}

std::pair<std::size_t, std::size_t> line_column(std::string_view text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

class StrictBuilder : public nlohmann::json_sax<json> {
 public:
  StrictBuilder(std::size_t max_depth, JsonEcho echo) : max_depth_(max_depth), echo_(echo) {}

  bool null() override { return add(json(nullptr)); }
  bool boolean(bool v) override { return add(json(v)); }
  bool number_integer(number_integer_t v) override { return add(json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return add(json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return add(json(v)); }
  bool string(string_t& v) override { return add(json(std::move(v))); }
  bool binary(binary_t&) override { return fail("binary values are not JSON"); }

  bool start_object(std::size_t) override { return open(json::object()); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    auto& seen = frames_.back().keys;
    if (!seen.insert(k).second) {
      return fail(echo_ == JsonEcho::kShowInput ? "duplicate key \"" + shown_key(k) + "\""
                                                : std::string("duplicate key"));
    }
    pending_key_ = k;
    return true;
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    if (error_.empty()) {
      error_ = ex.what();
      // Drop nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: " prefix.
      if (auto p = error_.find(": "); p != std::string::npos && error_.rfind("[json.", 0) == 0) {
        error_ = error_.substr(p + 2);
      }
      if (echo_ == JsonEcho::kNeverShowInput) error_ = without_input(error_);
      error_position_ = position;
    }
    return false;
  }

  json take_root() { return std::move(root_); }
  const std::string& error() const { return error_; }
  std::size_t error_position() const { return error_position_; }
  bool has_own_position() const { return own_error_; }

 private:
  struct Frame {
    json* value;
    std::set<std::string> keys;
  };

  bool fail(std::string message) {
    if (error_.empty()) {
      error_ = std::move(message);
      own_error_ = true;
    }
    return false;
  }

  json* place(json value) {
    if (frames_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& parent = *frames_.back().value;
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    json& slot = parent[pending_key_];
    slot = std::move(value);
    return &slot;
  }

  bool add(json value) {
    place(std::move(value));
    return true;
  }

  bool open(json container) {
    if (frames_.size() + 1 > max_depth_) {
      return fail("nesting deeper than " + std::to_string(max_depth_) + " levels");
    }
    json* slot = place(std::move(container));
    frames_.push_back(Frame{slot, {}});
    return true;
  }

  bool close() {
    frames_.pop_back();
    return true;
  }

  // nlohmann's lexer errors end in "; last read: '<the token's text>'" and
  // may continue with "; expected <token kind>". The text before it is a
  // fixed phrase; everything from "; last read" on is dropped, since the
  // quoted token (a truncated string, say) is input.
  // The one other message that quotes input is "number overflow parsing
  // '<the number>'".
  static std::string without_input(const std::string& message) {
    if (message.find("number overflow") != std::string::npos) return "number overflow";
    const auto cut = message.find("; last read");
    return cut == std::string::npos ? message : message.substr(0, cut);
  }

  std::size_t max_depth_;
  JsonEcho echo_;
  json root_;
  std::vector<Frame> frames_;
  std::string pending_key_;
  std::string error_;
  std::size_t error_position_ = 0;
  bool own_error_ = false;
};

}  // namespace

Result<nlohmann::json> parse_json_strict(std::string_view text, const std::string& label,
                                         const JsonLimits& limits, JsonEcho echo) {
  if (text.size() > limits.max_bytes) {
    return make_error(ErrorCode::kLimitExceeded,
                      label + ": JSON document is " + std::to_string(text.size()) +
                          " bytes, larger than the limit of " + std::to_string(limits.max_bytes));
  }
  if (text.empty()) return make_error(ErrorCode::kParse, label + ": empty file, expected JSON");
  // nlohmann skips a leading byte order mark and stops reading at a NUL, so
  // either would let bytes the parse never saw ride along with a document.
  if (text.starts_with("\xEF\xBB\xBF")) {
    return make_error(ErrorCode::kParse,
                      label + ": byte 0: a UTF-8 byte order mark before the JSON; save the file without one");
  }
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return make_error(ErrorCode::kParse, label + ": byte " + std::to_string(nul) +
                                             ": a NUL byte, which JSON text never contains");
  }
  StrictBuilder builder(limits.max_depth, echo);
  bool ok = false;
  try {
    ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json, true);
  } catch (const std::exception& ex) {  // nlohmann may still throw on exotic input
    return make_error(ErrorCode::kParse,
                      label + ": invalid JSON" +
                          (echo == JsonEcho::kShowInput ? std::string(": ") + ex.what() : std::string()));
  }
  if (!ok) {
    if (builder.has_own_position()) {
      const bool depth = builder.error().rfind("nesting", 0) == 0;
      return make_error(depth ? ErrorCode::kLimitExceeded : ErrorCode::kParse,
                        label + ": invalid JSON: " + builder.error());
    }
    auto [line, column] = line_column(text, builder.error_position());
    return make_error(ErrorCode::kParse, label + ": line " + std::to_string(line) + ", column " +
                                             std::to_string(column) +
                                             ": invalid JSON: " + builder.error());
  }
  return builder.take_root();
}

Status check_json_keys(const nlohmann::json& object,
                       std::initializer_list<std::string_view> required,
                       std::initializer_list<std::string_view> optional, const std::string& label,
                       JsonEcho echo) {
  if (!object.is_object()) {
    return make_error(ErrorCode::kParse, label + ": expected a JSON object");
  }
  for (auto it = object.begin(); it != object.end(); ++it) {
    bool known = false;
    for (auto k : required) known = known || it.key() == k;
    for (auto k : optional) known = known || it.key() == k;
    if (!known) {
      return make_error(ErrorCode::kParse,
                        echo == JsonEcho::kShowInput
                            ? label + ": unknown field \"" + shown_key(it.key()) + "\""
                            : label + ": unknown field (name not shown: the file holds a secret)");
    }
  }
  for (auto k : required) {
    if (!object.contains(std::string(k))) {
      return make_error(ErrorCode::kParse, label + ": missing field \"" + std::string(k) + "\"");
    }
  }
  return ok_status();
}

}  // namespace pqbpf

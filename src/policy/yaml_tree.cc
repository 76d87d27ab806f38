// Tree builder on yaml-cpp's event parser. Handlers abort the parse by
// throwing a private exception, caught in parse_yaml_tree; no exception
// leaves this file.
#include "yaml_tree.h"

#include <optional>
#include <sstream>
#include <unordered_set>

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include "pqbpf/core/jcs.h"

namespace pqbpf::policy {
namespace {

struct Abort {
  Error error;
};

std::string at(const std::string& label, int line, int column) {
  return label + ": line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
}

class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(const std::string& label, const YamlLimits& limits) : label_(label), limits_(limits) {
    stack_.reserve(limits_.max_depth + 1);
  }

  bool has_root() const { return has_root_; }
  YamlNode take_root() { return std::move(root_); }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (documents_++ > 0) fail(ErrorCode::kParse, mark, "more than one YAML document");
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    check_anchor(mark, anchor);
    YamlNode node = make(YamlNode::Kind::kNull, mark);
    add(std::move(node), mark);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    fail(ErrorCode::kParse, mark, "aliases (*name) are not allowed in a policy file");
  }

  void OnAnchor(const YAML::Mark& mark, const std::string&) override {
    fail(ErrorCode::kParse, mark, "anchors (&name) are not allowed in a policy file");
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    check_anchor(mark, anchor);
    check_tag(mark, tag);
    if (value.size() > limits_.max_string) {
      fail(ErrorCode::kLimitExceeded, mark,
           "string of " + std::to_string(value.size()) + " bytes is longer than the limit of " +
               std::to_string(limits_.max_string));
    }
    for (unsigned char c : value) {
      if (c < 0x20 || c == 0x7f) fail(ErrorCode::kParse, mark, "control characters are not allowed in strings");
    }
    YamlNode node = make(YamlNode::Kind::kScalar, mark);
    node.plain = (tag == "?");
    node.value = value;
    add(std::move(node), mark);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(YamlNode::Kind::kSequence, mark, tag, anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(YamlNode::Kind::kMap, mark, tag, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    YamlNode* node;
    bool have_key = false;  // mapping: a key is waiting for its value
    YamlNode key;
    std::unordered_set<std::string> keys;
  };

  [[noreturn]] void fail(ErrorCode code, const YAML::Mark& mark, const std::string& what) {
    throw Abort{make_error(code, at(label_, mark.line + 1, mark.column + 1) + what)};
  }

  void check_anchor(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) fail(ErrorCode::kParse, mark, "anchors (&name) are not allowed in a policy file");
  }

  void check_tag(const YAML::Mark& mark, const std::string& tag) {
    // "?" = no tag (plain), "!" = non-specific (quoted); anything else is explicit.
    if (!tag.empty() && tag != "?" && tag != "!") {
      fail(ErrorCode::kParse, mark, "explicit tags (" + tag.substr(0, 40) + ") are not allowed in a policy file");
    }
  }

  YamlNode make(YamlNode::Kind kind, const YAML::Mark& mark) {
    if (++nodes_ > limits_.max_nodes) {
      fail(ErrorCode::kLimitExceeded, mark,
           "more than " + std::to_string(limits_.max_nodes) + " YAML nodes");
    }
    YamlNode node;
    node.kind = kind;
    node.line = mark.line + 1;
    node.column = mark.column + 1;
    return node;
  }

  // Attaches a node to the open collection (or makes it the root); returns
  // where it now lives. Collections are attached when they open, so their
  // address must stay put: stack_ never reallocates (reserved), and a
  // collection key is parked in its frame until it closes, then refused.
  YamlNode* add(YamlNode node, const YAML::Mark& mark) {
    if (stack_.empty()) {
      root_ = std::move(node);
      has_root_ = true;
      return &root_;
    }
    Frame& top = stack_.back();
    if (top.node->kind == YamlNode::Kind::kSequence) {
      top.node->items.push_back(std::move(node));
      return &top.node->items.back();
    }
    if (!top.have_key) {
      if (node.kind == YamlNode::Kind::kScalar && !top.keys.insert(node.value).second) {
        fail(ErrorCode::kParse, mark, "duplicate key '" + node.value.substr(0, 80) + "'");
      }
      if (node.kind == YamlNode::Kind::kNull) fail(ErrorCode::kParse, mark, "mapping keys must be strings");
      top.key = std::move(node);
      top.have_key = true;
      return &top.key;
    }
    top.have_key = false;
    if (node.kind == YamlNode::Kind::kNull) {
      // An empty value's mark is the next token; the key's position reads better.
      node.line = top.key.line;
      node.column = top.key.column;
    }
    top.node->entries.emplace_back(std::move(top.key), std::move(node));
    return &top.node->entries.back().second;
  }

  void open(YamlNode::Kind kind, const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor) {
    check_anchor(mark, anchor);
    check_tag(mark, tag);
    if (stack_.size() + 1 > limits_.max_depth) {
      fail(ErrorCode::kLimitExceeded, mark,
           "nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
    }
    YamlNode* placed = add(make(kind, mark), mark);  // never a key: add() refuses those
    stack_.push_back(Frame{placed});
  }

  void close() {
    if (stack_.empty()) return;
    stack_.pop_back();
    if (!stack_.empty()) {
      const Frame& top = stack_.back();
      if (top.node->kind == YamlNode::Kind::kMap && top.have_key &&
          top.key.kind != YamlNode::Kind::kScalar) {
        throw Abort{make_error(ErrorCode::kParse, at(label_, top.key.line, top.key.column) +
                                                      "mapping keys must be strings")};
      }
    }
  }

  const std::string& label_;
  const YamlLimits& limits_;
  std::vector<Frame> stack_;
  YamlNode root_;
  bool has_root_ = false;
  std::size_t nodes_ = 0;
  int documents_ = 0;
};

// yaml-cpp's scanner looks ahead through an unclosed flow collection to
// resolve simple keys, which is quadratic on a megabyte of '['. This cheap
// lexical pass (quotes and comments aware, approximate on purpose: it can
// only over-count) refuses deep flow nesting before yaml-cpp sees it.
std::optional<Error> prescan_flow_depth(std::string_view text, const std::string& label,
                                        std::size_t max_depth) {
  std::size_t depth = 0;
  int line = 1;
  int column = 0;
  char quote = 0;
  bool comment = false;
  char previous = '\n';
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    ++column;
    if (c == '\n') {
      ++line;
      column = 0;
      comment = false;
      if (quote == 0) previous = c;
      continue;
    }
    if (comment) continue;
    if (quote == '"') {
      if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n') {
        ++i;  // skip the escaped character (a newline is counted above)
        ++column;
      } else if (c == '"') {
        quote = 0;
      }
      previous = c;
      continue;
    }
    if (quote == '\'') {
      if (c == '\'') quote = 0;
      previous = c;
      continue;
    }
    const bool token_start = previous == '\n' || previous == ' ' || previous == '\t' ||
                             previous == '[' || previous == '{' || previous == ',' ||
                             previous == ':' || previous == '-' || previous == '?';
    if (c == '#' && (previous == '\n' || previous == ' ' || previous == '\t')) {
      comment = true;
    } else if ((c == '"' || c == '\'') && token_start) {
      quote = c;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return make_error(ErrorCode::kLimitExceeded,
                          at(label, line, column) + "nesting deeper than " +
                              std::to_string(max_depth) + " levels");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
    previous = c;
  }
  return std::nullopt;
}

}  // namespace

std::string yaml_position(const YamlNode& node) {
  return "line " + std::to_string(node.line) + ", column " + std::to_string(node.column);
}

Result<YamlNode> parse_yaml_tree(std::string_view text, const std::string& label,
                                 const YamlLimits& limits) {
  // YAML text is Unicode, but yaml-cpp passes invalid bytes through to rule
  // names and signers (and from there to logs and JSON output): refuse them,
  // naming the first bad line. A '\n' byte never sits inside a UTF-8
  // sequence, so checking line by line is exact.
  if (!is_valid_utf8(text)) {
    std::size_t line = 1, start = 0;
    for (std::size_t end = text.find('\n'); end != std::string_view::npos &&
                                            is_valid_utf8(text.substr(start, end - start));
         start = end + 1, end = text.find('\n', start)) {
      ++line;
    }
    return make_error(ErrorCode::kParse, label + ": line " + std::to_string(line) +
                                             ": not valid UTF-8; policy files must be UTF-8");
  }
  if (auto error = prescan_flow_depth(text, label, limits.max_depth)) return *error;
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    TreeBuilder builder(label, limits);
    while (parser.HandleNextDocument(builder)) {
    }
    if (!builder.has_root()) {
      return make_error(ErrorCode::kParse, label + ": the policy file is empty");
    }
    return builder.take_root();
  } catch (const Abort& abort) {
    return abort.error;
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) return make_error(ErrorCode::kParse, label + ": invalid YAML: " + e.msg);
    return make_error(ErrorCode::kParse,
                      at(label, e.mark.line + 1, e.mark.column + 1) + "invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, label + ": cannot read the policy: " + e.what());
  }
}

}  // namespace pqbpf::policy

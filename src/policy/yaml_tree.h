// A bounded, strict YAML reader for policy files.
//
// yaml-cpp builds its node tree recursively and accepts anchors, aliases,
// tags and duplicate keys. Here yaml-cpp's event parser drives a small tree
// builder that stops the parse (before yaml-cpp recurses any deeper) at the
// first nesting past the depth limit, the first anchor, alias or explicit
// tag, the first duplicate or non-string key, and the first string or node
// count past its limit. Every node keeps its 1-based line and column.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pqbpf/result.h"

namespace pqbpf::policy {

struct YamlLimits {
  std::size_t max_depth = 32;        // nested sequences/mappings
  std::size_t max_nodes = 100000;    // every scalar, null and collection
  std::size_t max_string = 4096;     // bytes per scalar (keys included)
};

struct YamlEntry;  // a mapping's key and value (defined below)

struct YamlNode {
  enum class Kind { kNull, kScalar, kSequence, kMap };
  Kind kind = Kind::kNull;
  int line = 0;  // 1-based
  int column = 0;
  bool plain = false;  // scalar written without quotes (true/false/numbers are plain)
  std::string value;   // scalar text
  std::vector<YamlNode> items;                         // sequence
  std::vector<YamlEntry> entries;  // mapping, in file order; keys are scalars
};

// Not std::pair<YamlNode, YamlNode>: a pair of the type being defined is an
// incomplete-type instantiation that clang rejects. Same member names.
struct YamlEntry {
  YamlEntry(YamlNode key, YamlNode value) : first(std::move(key)), second(std::move(value)) {}
  YamlNode first;
  YamlNode second;
};

// "line L, column C" for a node, as used in every error message.
std::string yaml_position(const YamlNode& node);

// Parses exactly one YAML document. Errors: kParse ("<label>: line L, column
// C: <what>") for malformed or disallowed input, kLimitExceeded past a limit.
Result<YamlNode> parse_yaml_tree(std::string_view text, const std::string& label,
                                 const YamlLimits& limits = {});

}  // namespace pqbpf::policy

// Policy file schema: walks the bounded YAML tree (yaml_tree.h) into a
// LoadPolicy, refusing anything docs/POLICY.md does not describe. Every error
// names the file, line, column and the field's path (rules[2].max_insns).
#include "pqbpf/policy/policy_file.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <utility>

#include "pqbpf/core/file_io.h"
#include "pqbpf/core/public_key_file.h"
#include "yaml_tree.h"

namespace pqbpf::policy {
namespace {

constexpr std::size_t kMaxAttachPatternLength = 256;

// The default .pub reader (core/public_key_file.h checks the DID/key binding).
Result<Did> did_from_public_key_file(const std::string& path) {
  PQBPF_ASSIGN_OR_RETURN(PublicIdentity identity, load_public_key_file(path));
  return identity.did();
}

class SchemaReader {
 public:
  SchemaReader(const std::string& label, const std::string& base_dir, const PolicyLoadOptions& options)
      : label_(label), base_dir_(base_dir), options_(options) {}

  Result<LoadPolicy> read(const YamlNode& root) {
    if (root.kind != YamlNode::Kind::kMap) {
      return fail(root, "(top level)", "expected a mapping with 'rules' (see docs/POLICY.md), got " +
                                           kind_name(root));
    }
    PQBPF_RETURN_IF_ERROR(check_keys(root, "(top level)",
                                     {"version", "default_decision", "revoked_signers",
                                      "revoked_objects", "rules"},
                                     {"rules"}));
    LoadPolicy policy;
    for (const auto& [key, value] : root.entries) {
      const std::string& k = key.value;
      if (k == "version") {
        PQBPF_ASSIGN_OR_RETURN(std::uint64_t version, read_uint(value, "version"));
        if (version != 1) return fail(value, "version", "unsupported policy version; only 1 is known");
      } else if (k == "default_decision") {
        PQBPF_ASSIGN_OR_RETURN(std::string d, read_string(value, "default_decision"));
        if (d == "allow") {
          policy.set_default_decision(Decision::kAllow);
        } else if (d == "deny") {
          policy.set_default_decision(Decision::kDeny);
        } else {
          return fail(value, "default_decision", "expected allow or deny, got " + shown(d));
        }
      } else if (k == "revoked_signers") {
        PQBPF_RETURN_IF_ERROR(check_list(value, "revoked_signers", kMaxRevocationListLength));
        for (std::size_t i = 0; i < value.items.size(); ++i) {
          const std::string path = "revoked_signers[" + std::to_string(i) + "]";
          PQBPF_ASSIGN_OR_RETURN(std::string text, read_string(value.items[i], path));
          Result<Did> did = Did::parse(text);
          if (!did.ok()) return fail(value.items[i], path, did.error().message);
          policy.revoke_signer(std::move(did).value());
        }
      } else if (k == "revoked_objects") {
        PQBPF_RETURN_IF_ERROR(check_list(value, "revoked_objects", kMaxRevocationListLength));
        for (std::size_t i = 0; i < value.items.size(); ++i) {
          const std::string path = "revoked_objects[" + std::to_string(i) + "]";
          PQBPF_ASSIGN_OR_RETURN(std::string hex, read_string(value.items[i], path));
          const bool valid = hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
                               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                             });
          if (!valid) {
            return fail(value.items[i], path,
                        "expected a SHA3-256 as 64 lowercase hex digits, got " + shown(hex));
          }
          PQBPF_RETURN_IF_ERROR(policy.revoke_object(hex));
        }
      } else if (k == "rules") {
        PQBPF_RETURN_IF_ERROR(check_list(value, "rules", kMaxPolicyRules));
        for (std::size_t i = 0; i < value.items.size(); ++i) {
          PQBPF_ASSIGN_OR_RETURN(PolicyRule rule,
                                 read_rule(value.items[i], "rules[" + std::to_string(i) + "]"));
          policy.add_rule(std::move(rule));
        }
      }
    }
    return policy;
  }

 private:
  Result<PolicyRule> read_rule(const YamlNode& node, const std::string& path) {
    if (node.kind != YamlNode::Kind::kMap) {
      return fail(node, path, "expected a mapping (a rule), got " + kind_name(node));
    }
    PQBPF_RETURN_IF_ERROR(check_keys(node, path,
                                     {"name", "program_types", "allowed_signers",
                                      "require_signature", "max_bytecode_size", "attach_targets",
                                      "max_insns", "licenses", "allow_uninspectable",
                                      "allowed_helpers", "denied_helpers", "allowed_capabilities",
                                      "denied_capabilities", "allowed_kfuncs", "denied_kfuncs",
                                      "allowed_map_types"},
                                     {"program_types"}));
    PolicyRule rule;
    for (const auto& [key, value] : node.entries) {
      const std::string& k = key.value;
      const std::string field = path + "." + k;
      if (k == "name") {
        PQBPF_ASSIGN_OR_RETURN(rule.name, read_string(value, field));
      } else if (k == "program_types") {
        PQBPF_RETURN_IF_ERROR(check_list(value, field, kMaxPolicyListLength));
        if (value.items.empty()) return fail(value, field, "must list at least one program type");
        for (std::size_t i = 0; i < value.items.size(); ++i) {
          const std::string item = field + "[" + std::to_string(i) + "]";
          PQBPF_ASSIGN_OR_RETURN(std::string name, read_string(value.items[i], item));
          Result<BPFProgramType> type = parse_program_type(name);
          if (!type.ok()) return fail(value.items[i], item, type.error().message);
          rule.program_types.push_back(*type);
        }
      } else if (k == "allowed_signers") {
        PQBPF_RETURN_IF_ERROR(check_list(value, field, kMaxPolicyListLength));
        for (std::size_t i = 0; i < value.items.size(); ++i) {
          const std::string item = field + "[" + std::to_string(i) + "]";
          PQBPF_ASSIGN_OR_RETURN(Did did, read_signer(value.items[i], item));
          rule.allowed_signers.push_back(std::move(did));
        }
      } else if (k == "require_signature") {
        PQBPF_ASSIGN_OR_RETURN(rule.require_signature, read_bool(value, field));
      } else if (k == "allow_uninspectable") {
        PQBPF_ASSIGN_OR_RETURN(rule.allow_uninspectable, read_bool(value, field));
      } else if (k == "max_bytecode_size") {
        PQBPF_ASSIGN_OR_RETURN(rule.max_bytecode_size, read_uint(value, field));
      } else if (k == "attach_targets") {
        PQBPF_RETURN_IF_ERROR(check_list(value, field, kMaxPolicyListLength));
        for (std::size_t i = 0; i < value.items.size(); ++i) {
          const std::string item = field + "[" + std::to_string(i) + "]";
          PQBPF_ASSIGN_OR_RETURN(std::string pattern, read_string(value.items[i], item));
          if (pattern.empty() || pattern.size() > kMaxAttachPatternLength) {
            return fail(value.items[i], item,
                        "an attach target pattern must be 1 to " +
                            std::to_string(kMaxAttachPatternLength) + " bytes");
          }
          rule.attach_targets.push_back(std::move(pattern));
        }
      } else if (k == "max_insns") {
        PQBPF_ASSIGN_OR_RETURN(std::uint64_t n, read_uint(value, field));
        rule.max_insns = n;
      } else if (k == "allowed_helpers" || k == "denied_helpers") {
        PQBPF_ASSIGN_OR_RETURN(auto names, read_helpers(value, field));
        (k == "allowed_helpers" ? rule.allowed_helpers.emplace() : rule.denied_helpers) = std::move(names);
      } else if (k == "allowed_capabilities" || k == "denied_capabilities") {
        PQBPF_ASSIGN_OR_RETURN(auto classes, read_capabilities(value, field));
        (k == "allowed_capabilities" ? rule.allowed_capabilities.emplace() : rule.denied_capabilities) =
            std::move(classes);
      } else if (k == "allowed_kfuncs" || k == "denied_kfuncs") {
        PQBPF_ASSIGN_OR_RETURN(auto names, read_kfuncs(value, field));
        (k == "allowed_kfuncs" ? rule.allowed_kfuncs.emplace() : rule.denied_kfuncs) = std::move(names);
      } else if (k == "allowed_map_types") {
        PQBPF_RETURN_IF_ERROR(check_list(value, field, kMaxPolicyListLength));
        auto& types = rule.allowed_map_types.emplace();
        for (std::size_t i = 0; i < value.items.size(); ++i) {
          const std::string item = field + "[" + std::to_string(i) + "]";
          PQBPF_ASSIGN_OR_RETURN(std::string type, read_string(value.items[i], item));
          if (!bpf::is_map_type_name(type)) {
            return fail(value.items[i], item,
                        "not a map type name libbpf knows (hash, array, ringbuf, ... or unknown), got " +
                            shown(type));
          }
          types.push_back(std::move(type));
        }
      } else if (k == "licenses") {
        PQBPF_RETURN_IF_ERROR(check_list(value, field, kMaxPolicyListLength));
        for (std::size_t i = 0; i < value.items.size(); ++i) {
          const std::string item = field + "[" + std::to_string(i) + "]";
          PQBPF_ASSIGN_OR_RETURN(std::string license, read_string(value.items[i], item));
          rule.licenses.push_back(std::move(license));
        }
      }
    }
    return rule;
  }

  // Kernel helper names, bpf_ prefix optional; stored with it. A name the
  // table does not know is refused (a typo would otherwise deny nothing).
  Result<std::vector<std::string>> read_helpers(const YamlNode& node, const std::string& path) {
    PQBPF_RETURN_IF_ERROR(check_list(node, path, kMaxPolicyListLength));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < node.items.size(); ++i) {
      const std::string item = path + "[" + std::to_string(i) + "]";
      PQBPF_ASSIGN_OR_RETURN(std::string name, read_string(node.items[i], item));
      const bpf::HelperInfo* h = bpf::find_helper(std::string_view(name));
      if (h == nullptr) {
        return fail(node.items[i], item,
                    "not a kernel helper name (docs/CAPABILITIES.md lists them), got " + shown(name));
      }
      out.emplace_back(h->name);
    }
    return out;
  }

  Result<std::vector<bpf::Capability>> read_capabilities(const YamlNode& node, const std::string& path) {
    PQBPF_RETURN_IF_ERROR(check_list(node, path, kMaxPolicyListLength));
    std::vector<bpf::Capability> out;
    for (std::size_t i = 0; i < node.items.size(); ++i) {
      const std::string item = path + "[" + std::to_string(i) + "]";
      PQBPF_ASSIGN_OR_RETURN(std::string name, read_string(node.items[i], item));
      const auto c = bpf::parse_capability(name);
      if (!c) {
        std::string known;
        for (bpf::Capability k : bpf::all_capabilities()) {
          known += (known.empty() ? "" : ", ") + std::string(bpf::capability_name(k));
        }
        return fail(node.items[i], item, "unknown capability class " + shown(name) + " (known: " + known + ")");
      }
      out.push_back(*c);
    }
    return out;
  }

  // Kfunc names are C identifiers; the kernel's list changes with every
  // release, so any identifier is accepted.
  Result<std::vector<std::string>> read_kfuncs(const YamlNode& node, const std::string& path) {
    PQBPF_RETURN_IF_ERROR(check_list(node, path, kMaxPolicyListLength));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < node.items.size(); ++i) {
      const std::string item = path + "[" + std::to_string(i) + "]";
      PQBPF_ASSIGN_OR_RETURN(std::string name, read_string(node.items[i], item));
      const bool identifier =
          !name.empty() && name.size() <= 256 && !(name[0] >= '0' && name[0] <= '9') &&
          std::all_of(name.begin(), name.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
          });
      if (!identifier) return fail(node.items[i], item, "expected a kfunc name (a C identifier), got " + shown(name));
      out.push_back(std::move(name));
    }
    return out;
  }

  Result<Did> read_signer(const YamlNode& node, const std::string& path) {
    if (node.kind != YamlNode::Kind::kScalar) {
      return fail(node, path, "expected a DID or a path to a .pub file, got " + kind_name(node));
    }
    const std::string& text = node.value;
    if (text.rfind("did:", 0) == 0) {
      Result<Did> did = Did::parse(text);
      if (!did.ok()) return fail(node, path, did.error().message);
      return did;
    }
    if (text.empty()) return fail(node, path, "expected a DID or a path to a .pub file, got an empty string");
    std::filesystem::path file(text);
    if (file.is_relative() && !base_dir_.empty()) file = std::filesystem::path(base_dir_) / file;
    // Each .pub is read once per load, however many rules name it: one file
    // swapped between two reads cannot give two rules two different signers.
    // After the load only the DID is kept; no decision reads the file again.
    const std::string key = file.lexically_normal().string();
    if (auto cached = resolved_.find(key); cached != resolved_.end()) return cached->second;
    Result<Did> did = options_.resolve_public_key_file
                          ? options_.resolve_public_key_file(file.string())
                          : did_from_public_key_file(file.string());
    if (!did.ok()) return fail(node, path, "cannot use signer file: " + did.error().message);
    resolved_.emplace(key, *did);
    return did;
  }

  Status check_keys(const YamlNode& map, const std::string& path,
                    std::initializer_list<std::string_view> known,
                    std::initializer_list<std::string_view> required) {
    for (const auto& [key, value] : map.entries) {
      if (std::find(known.begin(), known.end(), key.value) == known.end()) {
        std::string list;
        for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        return fail(key, path, "unknown key " + shown(key.value) + " (known keys: " + list + ")");
      }
    }
    for (std::string_view r : required) {
      const bool present = std::any_of(map.entries.begin(), map.entries.end(),
                                       [&](const auto& e) { return e.first.value == r; });
      if (!present) return fail(map, path, "missing required key '" + std::string(r) + "'");
    }
    return ok_status();
  }

  Status check_list(const YamlNode& node, const std::string& path, std::size_t max) {
    if (node.kind != YamlNode::Kind::kSequence) {
      return fail(node, path, "expected a list, got " + kind_name(node));
    }
    if (node.items.size() > max) {
      return make_error(ErrorCode::kLimitExceeded,
                        prefix(node) + path + ": " + std::to_string(node.items.size()) +
                            " entries, more than the limit of " + std::to_string(max));
    }
    return ok_status();
  }

  Result<std::string> read_string(const YamlNode& node, const std::string& path) {
    if (node.kind != YamlNode::Kind::kScalar) {
      return fail(node, path, "expected a string, got " + kind_name(node));
    }
    return node.value;
  }

  Result<bool> read_bool(const YamlNode& node, const std::string& path) {
    if (node.kind == YamlNode::Kind::kScalar && node.plain) {
      if (node.value == "true") return true;
      if (node.value == "false") return false;
    }
    return fail(node, path, "expected true or false, got " + described(node));
  }

  Result<std::uint64_t> read_uint(const YamlNode& node, const std::string& path) {
    const std::string& v = node.value;
    const bool digits = node.kind == YamlNode::Kind::kScalar && node.plain && !v.empty() &&
                        v.size() <= 20 &&
                        std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) return fail(node, path, "expected a non-negative integer, got " + described(node));
    std::uint64_t n = 0;
    for (char c : v) {
      const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
      if (n > (UINT64_MAX - d) / 10) return fail(node, path, "integer " + shown(v) + " is too large");
      n = n * 10 + d;
    }
    return n;
  }

  static std::string kind_name(const YamlNode& node) {
    switch (node.kind) {
      case YamlNode::Kind::kNull: return "nothing (null)";
      case YamlNode::Kind::kScalar: return "a scalar";
      case YamlNode::Kind::kSequence: return "a list";
      case YamlNode::Kind::kMap: return "a mapping";
    }
    return "?";
  }

  static std::string described(const YamlNode& node) {
    if (node.kind != YamlNode::Kind::kScalar) return kind_name(node);
    return node.plain ? shown(node.value) : "the quoted string " + shown(node.value);
  }

  static std::string shown(const std::string& value) {
    if (value.size() <= 80) return "'" + value + "'";
    return "'" + value.substr(0, 77) + "...'";
  }

  std::string prefix(const YamlNode& node) const { return label_ + ": " + yaml_position(node) + ": "; }

  Error fail(const YamlNode& node, const std::string& path, const std::string& what) const {
    return make_error(ErrorCode::kParse, prefix(node) + path + ": " + what);
  }

  const std::string& label_;
  const std::string& base_dir_;
  const PolicyLoadOptions& options_;
  std::map<std::string, Did> resolved_;  // .pub path -> its DID, this load only
};

}  // namespace

Result<LoadPolicy> parse_policy(std::string_view text, const std::string& label,
                                const std::string& base_dir, const PolicyLoadOptions& options) {
  if (text.size() > kMaxPolicyFileSize) {
    return make_error(ErrorCode::kLimitExceeded,
                      label + ": policy of " + std::to_string(text.size()) +
                          " bytes is larger than the limit of " + std::to_string(kMaxPolicyFileSize));
  }
  YamlLimits limits;
  limits.max_depth = kMaxPolicyDepth;
  limits.max_nodes = kMaxPolicyNodes;
  limits.max_string = kMaxPolicyStringLength;
  PQBPF_ASSIGN_OR_RETURN(YamlNode root, parse_yaml_tree(text, label, limits));
  try {
    return SchemaReader(label, base_dir, options).read(root);
  } catch (const std::exception& e) {  // a resolver that throws, or bad_alloc
    return make_error(ErrorCode::kInternal, label + ": cannot read the policy: " + e.what());
  }
}

Result<LoadPolicy> load_policy_file(const std::string& path, const PolicyLoadOptions& options) {
  PQBPF_ASSIGN_OR_RETURN(std::string text, read_text_file(path, kMaxPolicyFileSize));
  return parse_policy(text, path, std::filesystem::path(path).parent_path().string(), options);
}

LoadPolicy load_policy_file_or_deny_all(const std::string& path, const PolicyLoadOptions& options,
                                        Error* error) {
  Result<LoadPolicy> loaded = load_policy_file(path, options);
  if (loaded.ok()) return std::move(loaded).value();
  if (error != nullptr) *error = loaded.error();
  return LoadPolicy::deny_all(loaded.error().message);
}

}  // namespace pqbpf::policy

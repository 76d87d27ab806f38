// The `lsm:` configuration block, strictly (see lsm_config.h).
#include "lsm_config.h"

#include <set>

namespace pqbpf::daemon::internal {
namespace {

Error fail(const std::string& label, const std::string& key, const std::string& what) {
  return make_error(ErrorCode::kParse, label + ": lsm." + key + ": " + what);
}

Result<bool> boolean(const YAML::Node& n, const std::string& label, const std::string& key) {
  if (n.IsScalar() && n.Scalar() == "true") return true;
  if (n.IsScalar() && n.Scalar() == "false") return false;
  return fail(label, key, "must be true or false");
}

Result<std::string> absolute(const YAML::Node& n, const std::string& label, const std::string& key) {
  if (!n.IsScalar() || n.Scalar().empty() || n.Scalar().front() != '/' || n.Scalar().size() > 4096)
    return fail(label, key, "must be an absolute path");
  return n.Scalar();
}

}  // namespace

Result<LsmConfig> parse_lsm_config(const YAML::Node& node, const std::string& label) {
  LsmConfig c;
  if (!node.IsMap()) return make_error(ErrorCode::kParse, label + ": lsm: must be a mapping");
  const std::set<std::string> known{"mode", "require_lsm", "persist", "pin_dir", "digest_admission", "scope"};
  std::set<std::string> seen;
  for (const auto& kv : node) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    if (!known.contains(key)) return fail(label, key, "unknown key");
    if (!seen.insert(key).second) return fail(label, key, "duplicate key");
  }
  if (node["mode"]) {
    const YAML::Node m = node["mode"];
    auto mode = m.IsScalar() ? lsm::parse_mode(m.Scalar()) : lsm::parse_mode("");
    if (!mode.ok()) return fail(label, "mode", mode.error().message);
    c.options.mode = *mode;
  }
  if (node["require_lsm"]) {
    PQBPF_ASSIGN_OR_RETURN(c.require_lsm, boolean(node["require_lsm"], label, "require_lsm"));
  }
  if (node["persist"]) {
    PQBPF_ASSIGN_OR_RETURN(c.options.persist, boolean(node["persist"], label, "persist"));
  }
  if (node["digest_admission"]) {
    PQBPF_ASSIGN_OR_RETURN(c.options.digest_admission,
                           boolean(node["digest_admission"], label, "digest_admission"));
  }
  if (node["pin_dir"]) {
    PQBPF_ASSIGN_OR_RETURN(c.options.pin_dir, absolute(node["pin_dir"], label, "pin_dir"));
  }
  if (const YAML::Node scope = node["scope"]) {
    if (!scope.IsSequence()) return fail(label, "scope", "must be a list of cgroup v2 directories");
    if (scope.size() > 16) return fail(label, "scope", "more than 16 cgroups");
    for (const auto& item : scope) {
      PQBPF_ASSIGN_OR_RETURN(std::string p, absolute(item, label, "scope"));
      c.options.scope_cgroups.push_back(std::move(p));
    }
  }
  if (c.require_lsm && c.options.mode == lsm::Mode::kOff)
    return fail(label, "require_lsm", "needs mode audit or enforce");
  if (c.options.digest_admission && c.options.mode != lsm::Mode::kEnforce)
    return fail(label, "digest_admission", "needs mode enforce");
  return c;
}

}  // namespace pqbpf::daemon::internal

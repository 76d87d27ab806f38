// Strict YAML reading of the daemon configuration (see config.h).
#include "pqbpf/daemon/config.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "lsm_config.h"
#include "pqbpf/core/file_io.h"

namespace pqbpf::daemon {
namespace {

struct Reader {
  const std::string& label;

  Error fail(const std::string& key, const std::string& what) const {
    return make_error(ErrorCode::kParse, label + ": " + key + ": " + what);
  }

  Status only_keys(const YAML::Node& map, const std::string& where, std::set<std::string> known) const {
    if (!map.IsMap()) return fail(where.empty() ? "top level" : where, "must be a mapping");
    std::set<std::string> seen;
    for (const auto& kv : map) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
      const std::string name = where.empty() ? key : where + "." + key;
      if (!known.contains(key)) return fail(name, "unknown key");
      if (!seen.insert(key).second) return fail(name, "duplicate key");
    }
    return ok_status();
  }

  Result<std::string> text(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar() || node.Scalar().empty()) return fail(key, "must be a non-empty string");
    if (node.Scalar().size() > 4096) return fail(key, "longer than 4096 bytes");
    return node.Scalar();
  }

  Result<std::string> path(const YAML::Node& node, const std::string& key) const {
    PQBPF_ASSIGN_OR_RETURN(std::string p, text(node, key));
    if (p.front() != '/') return fail(key, "must be an absolute path");
    return p;
  }

  Result<std::uint64_t> number(const YAML::Node& node, const std::string& key, std::uint64_t lo,
                               std::uint64_t hi, int base = 10) const {
    if (!node.IsScalar()) return fail(key, "must be a number");
    const std::string& s = node.Scalar();
    if (s.empty() || s.size() > 20) return fail(key, "must be a number");
    std::uint64_t v = 0;
    for (char c : s) {
      if (c < '0' || c >= '0' + base)
        return fail(key, "'" + s + "' is not a base-" + std::to_string(base) + " number");
      v = v * static_cast<unsigned>(base) + static_cast<unsigned>(c - '0');
    }
    if (v < lo || v > hi)
      return fail(key, std::to_string(v) + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return v;
  }

  template <typename T>
  Result<std::vector<T>> ids(const YAML::Node& node, const std::string& key) const {
    if (!node.IsSequence()) return fail(key, "must be a list of numeric ids");
    if (node.size() > 1024) return fail(key, "more than 1024 ids");
    std::vector<T> out;
    for (const auto& item : node) {
      PQBPF_ASSIGN_OR_RETURN(std::uint64_t v, number(item, key, 0, 0xfffffffeull));
      out.push_back(static_cast<T>(v));
    }
    return out;
  }
};

Result<DaemonConfig> parse_tree(const YAML::Node& root, const Reader& r) {
  DaemonConfig c;
  PQBPF_RETURN_IF_ERROR(
      r.only_keys(root, "",
                  {"version", "policy", "log", "socket", "allowed_uids", "allowed_gids", "pin_root",
                   "state_dir", "envelopes", "limits", "lsm"}));
  if (root["version"]) {
    PQBPF_RETURN_IF_ERROR(r.number(root["version"], "version", 1, 1));
  }
  if (!root["policy"]) return r.fail("policy", "required");
  PQBPF_ASSIGN_OR_RETURN(c.policy_path, r.path(root["policy"], "policy"));

  const YAML::Node log = root["log"];
  if (!log) return r.fail("log", "required");
  PQBPF_RETURN_IF_ERROR(
      r.only_keys(log, "log", {"path", "durability", "checkpoint_key", "checkpoint_every"}));
  if (!log["path"]) return r.fail("log.path", "required");
  PQBPF_ASSIGN_OR_RETURN(c.log_path, r.path(log["path"], "log.path"));
  if (!log["checkpoint_key"]) return r.fail("log.checkpoint_key", "required");
  PQBPF_ASSIGN_OR_RETURN(c.checkpoint_key, r.path(log["checkpoint_key"], "log.checkpoint_key"));
  if (log["durability"]) {
    PQBPF_ASSIGN_OR_RETURN(std::string d, r.text(log["durability"], "log.durability"));
    auto parsed = log::parse_durability(d);
    if (!parsed.ok()) return r.fail("log.durability", "'" + d + "' is not always, batch or none");
    c.durability = *parsed;
  }
  if (log["checkpoint_every"]) {
    PQBPF_ASSIGN_OR_RETURN(c.checkpoint_every,
                           r.number(log["checkpoint_every"], "log.checkpoint_every", 1, 1u << 30));
  }

  if (const YAML::Node sock = root["socket"]) {
    PQBPF_RETURN_IF_ERROR(r.only_keys(sock, "socket", {"path", "mode"}));
    if (sock["path"]) {
      PQBPF_ASSIGN_OR_RETURN(c.socket_path, r.path(sock["path"], "socket.path"));
    }
    if (c.socket_path.size() >= 108)
      return r.fail("socket.path", "longer than a Unix socket path may be (107 bytes)");
    if (sock["mode"]) {
      // Octal text, e.g. "0660"; quoted so YAML does not read it as decimal.
      PQBPF_ASSIGN_OR_RETURN(std::uint64_t m, r.number(sock["mode"], "socket.mode", 0, 0777, 8));
      c.socket_mode = static_cast<mode_t>(m);
      if (c.socket_mode & 0007) return r.fail("socket.mode", "must not give other users access");
    }
  }
  if (root["allowed_uids"]) {
    PQBPF_ASSIGN_OR_RETURN(c.allowed_uids, r.ids<uid_t>(root["allowed_uids"], "allowed_uids"));
  }
  if (root["allowed_gids"]) {
    PQBPF_ASSIGN_OR_RETURN(c.allowed_gids, r.ids<gid_t>(root["allowed_gids"], "allowed_gids"));
  }
  if (root["pin_root"]) {
    PQBPF_ASSIGN_OR_RETURN(c.pin_root, r.path(root["pin_root"], "pin_root"));
  }
  if (root["state_dir"]) {
    PQBPF_ASSIGN_OR_RETURN(c.state_dir, r.path(root["state_dir"], "state_dir"));
  }

  if (root["envelopes"]) {
    PQBPF_ASSIGN_OR_RETURN(c.envelopes_dir, r.path(root["envelopes"], "envelopes"));
  }

  if (const YAML::Node lim = root["limits"]) {
    PQBPF_RETURN_IF_ERROR(r.only_keys(
        lim, "limits",
        {"workers", "max_connections", "request_timeout_ms", "max_object_bytes", "max_envelope_bytes",
         "verification_cache_bytes"}));
    if (lim["workers"]) {
      PQBPF_ASSIGN_OR_RETURN(c.workers, r.number(lim["workers"], "limits.workers", 1, 64));
    }
    if (lim["max_connections"]) {
      PQBPF_ASSIGN_OR_RETURN(c.max_connections,
                             r.number(lim["max_connections"], "limits.max_connections", 1, 4096));
    }
    if (lim["request_timeout_ms"]) {
      PQBPF_ASSIGN_OR_RETURN(std::uint64_t ms,
                             r.number(lim["request_timeout_ms"], "limits.request_timeout_ms", 10, 600000));
      c.request_timeout = std::chrono::milliseconds(ms);
    }
    if (lim["max_object_bytes"]) {
      PQBPF_ASSIGN_OR_RETURN(c.max_object_bytes, r.number(lim["max_object_bytes"], "limits.max_object_bytes",
                                                          1, kMaxObjectFileSize));
    }
    if (lim["max_envelope_bytes"]) {
      PQBPF_ASSIGN_OR_RETURN(
          c.max_envelope_bytes,
          r.number(lim["max_envelope_bytes"], "limits.max_envelope_bytes", 1, kMaxEnvelopeFileSize));
    }
    if (lim["verification_cache_bytes"]) {
      // 0 turns the cache off; at most 1 GiB.
      PQBPF_ASSIGN_OR_RETURN(c.verification_cache_bytes,
                             r.number(lim["verification_cache_bytes"], "limits.verification_cache_bytes", 0,
                                      1ull << 30));
    }
  }
  if (root["lsm"]) {
    PQBPF_ASSIGN_OR_RETURN(c.lsm, internal::parse_lsm_config(root["lsm"], r.label));
  }
  return c;
}

}  // namespace

Result<DaemonConfig> parse_config(std::string_view text, const std::string& label) {
  Reader r{label};
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    return parse_tree(root, r);
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kParse, label + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kParse, label + ": " + e.what());
  }
}

Result<DaemonConfig> load_config(const std::string& path) {
  PQBPF_ASSIGN_OR_RETURN(std::vector<std::uint8_t> bytes, read_file(path, kMaxConfigFileSize));
  return parse_config(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path);
}

}  // namespace pqbpf::daemon

// The gate daemon's configuration file (YAML; docs/DEPLOY.md has the format
// and packaging/pqc-bpf-gated.yaml the default). Strict: unknown keys, wrong
// types and out-of-range values are refused with "<file>: <key>: <what>".
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pqbpf/daemon/lsm_config.h"
#include "pqbpf/log/log_writer.h"
#include "pqbpf/result.h"

namespace pqbpf::daemon {

constexpr std::uint64_t kMaxConfigFileSize = 64 * 1024;

struct DaemonConfig {
  std::string policy_path;  // required
  std::string log_path;     // required
  log::Durability durability = log::Durability::kAlways;
  std::string checkpoint_key;  // required: the log's signing key file
  std::uint64_t checkpoint_every = 1000;
  std::string socket_path = "/run/pqc-bpf/gate.sock";
  mode_t socket_mode = 0660;
  std::vector<uid_t> allowed_uids{0};  // a peer passes with an allowed uid or gid
  std::vector<gid_t> allowed_gids;
  std::string pin_root = "/sys/fs/bpf/pqc-bpf";
  std::string state_dir = "/var/lib/pqc-bpf";
  // The envelope store for loads forwarded by `pqc-bpf run --gate`: a
  // directory of envelopes as for `run --envelopes`. "" = none (every
  // forwarded load is refused).
  std::string envelopes_dir;
  // Limits.
  unsigned workers = 4;                             // 1..64 request threads
  unsigned max_connections = 256;                   // open client connections
  std::chrono::milliseconds request_timeout{5000};  // idle connection -> timeout reply, closed
  std::uint64_t max_object_bytes = 16ull << 20;     // memfd / inline object
  std::uint64_t max_envelope_bytes = 32ull << 20;   // memfd / inline envelope
  std::uint64_t verification_cache_bytes = 64ull << 20;  // envelopes and objects the cache holds
  // The BPF LSM (docs/LSM.md): the `lsm:` block.
  LsmConfig lsm;
};

Result<DaemonConfig> parse_config(std::string_view text, const std::string& label);
Result<DaemonConfig> load_config(const std::string& path);

}  // namespace pqbpf::daemon

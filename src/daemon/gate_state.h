// The daemon's shared state (internal): configuration, the current policy
// (swapped whole on reload), the log, the pin root and the counters.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "fd_closer.h"
#include "key_cache.h"
#include "pqbpf/daemon/config.h"
#include "pqbpf/daemon/protocol.h"
#include "pqbpf/gate/verification_cache.h"
#include "pqbpf/loader/load_privilege.h"
#include "pqbpf/loader/pin_root.h"
#include "pqbpf/log/log_writer.h"
#include "pqbpf/lsm/gate_lsm.h"
#include "pqbpf/policy/load_policy.h"
#include "pqbpf/sandbox/transparent_gate.h"

namespace pqbpf::daemon::internal {

struct PolicySnapshot {
  policy::LoadPolicy policy;
  std::string sha3_256;   // of the exact file bytes parsed
  std::string loaded_at;  // RFC 3339
};

// Reads and parses the policy file once (digest of those bytes).
Result<std::shared_ptr<const PolicySnapshot>> read_policy(const std::string& path);

// The envelope store (config `envelopes: DIR`): a TransparentGate over DIR
// decided with the daemon's policy, for loads that sandbox supervisors
// forward (forwarded_load.cc). Swapped whole on reload.
struct StoreSnapshot {
  std::unique_ptr<const sandbox::TransparentGate> gate;
  std::string dir;
  std::string policy_sha3_256;  // the policy it was decided with
  std::string loaded_at;        // RFC 3339
};

// envelope_store.cc: opens `dir` with `policy` and reports each envelope the
// policy does not allow or no load can match on stderr.
Result<std::shared_ptr<const StoreSnapshot>> open_store(const std::string& dir,
                                                        const PolicySnapshot& policy);

struct Counters {
  std::atomic<std::uint64_t> connections{0};
  std::atomic<std::uint64_t> refused_peers{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> allowed{0};
  std::atomic<std::uint64_t> denied{0};
  std::atomic<std::uint64_t> loaded{0};
  std::atomic<std::uint64_t> load_failures{0};
  std::atomic<std::uint64_t> bad_requests{0};
  std::atomic<std::uint64_t> timeouts{0};
  std::atomic<std::uint64_t> reloads{0};
  std::atomic<std::uint64_t> reload_failures{0};
  std::atomic<std::uint64_t> forwarded{0};  // forwarded loads decided
};

struct GateState {
  DaemonConfig config;
  std::unique_ptr<log::LogWriter> log;
  std::optional<loader::PinRoot> pin_root;
  std::string pin_root_error;  // why pins are unavailable
  Counters counters;
  KeyCache key_cache{64};  // expanded public keys of allowed signers
  // Allowed verifications of the same bytes: 32 results within the
  // configured byte budget (limits.verification_cache_bytes).
  gate::VerificationCache verification_cache{32};
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  // Closes client connections and the descriptors clients pass, never
  // blocking a worker or the loop on them (fd_closer.h).
  FdCloser closer;

  std::shared_ptr<const PolicySnapshot> policy() const {
    std::lock_guard lock(policy_mu);
    return current_policy;
  }
  void set_policy(std::shared_ptr<const PolicySnapshot> p) {
    std::lock_guard lock(policy_mu);
    current_policy = std::move(p);
  }
  nlohmann::json status() const;
  nlohmann::json key_cache_status() const;  // and the verification cache

  // The envelope store; null when `envelopes:` is not configured.
  std::shared_ptr<const StoreSnapshot> store() const {
    std::lock_guard lock(policy_mu);
    return current_store;
  }
  void set_store(std::shared_ptr<const StoreSnapshot> s) {
    std::lock_guard lock(policy_mu);
    current_store = std::move(s);
  }
  // Re-opens the store with the current policy; on failure the old store
  // stays (the error is returned and printed). No-op without `envelopes:`.
  Status reload_store();
  nlohmann::json store_status() const;

  // The BPF LSM (lsm_hook.cc): running, or why not.
  std::unique_ptr<lsm::GateLsm> lsm;
  bool lsm_active = false;  // "bpf" in /sys/kernel/security/lsm
  std::string lsm_list;
  std::string lsm_warning;

  mutable std::mutex policy_mu;
  std::shared_ptr<const PolicySnapshot> current_policy;
  std::shared_ptr<const StoreSnapshot> current_store;
};

// lsm_hook.cc: start (an error only under lsm.require_lsm), stop (before the
// log closes), approve the gate's loads for digest admission, status.
Status start_lsm(GateState& state);
void stop_lsm(GateState& state);
void lsm_approve(GateState& state, std::span<const UniqueFd> program_fds);
nlohmann::json lsm_status(const GateState& state);

// One reply message: JSON text and the descriptors that go with it.
struct Reply {
  std::string json;
  std::vector<UniqueFd> fds;
};

Reply error_reply(const Error& error);
// forwarded_load.cc: decides one Op::kForwardedLoad with the store, records
// it (naming the supervisor, `supervisor`) and answers with the program fd.
Reply forwarded_load(GateState& state, const Request& request, std::vector<UniqueFd>& fds,
                     const log::Actor& supervisor);

// Handles one received message (`fds` arrived with it) from the peer that
// `actor` names; `privilege` is that peer's, read at accept (peer.h): program
// and link descriptors go only to a peer that could load the programs itself.
Reply handle_message(GateState& state, std::span<const std::uint8_t> message,
                     std::vector<UniqueFd> fds, const log::Actor& actor,
                     const loader::CallerPrivilege& privilege);

}  // namespace pqbpf::daemon::internal

// The `status` reply: policy digest, configuration summary, counters.
#include "gate_state.h"
#include "pqbpf/daemon/protocol.h"

namespace pqbpf::daemon::internal {

nlohmann::json GateState::key_cache_status() const {
  const KeyCache::Stats k = key_cache.stats();
  const gate::VerificationCache::Stats v = verification_cache.stats();
  return {{"entries", k.entries},
          {"hits", k.hits},
          {"misses", k.misses},
          {"verified", {{"entries", v.entries}, {"hits", v.hits}, {"misses", v.misses}, {"bytes", v.bytes}}}};
}

nlohmann::json GateState::status() const {
  using nlohmann::json;
  const auto p = policy();
  const auto uptime =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
  const Counters& c = counters;
  json counts{{"connections", c.connections.load()},
              {"refused_peers", c.refused_peers.load()},
              {"requests", c.requests.load()},
              {"allowed", c.allowed.load()},
              {"denied", c.denied.load()},
              {"loaded", c.loaded.load()},
              {"load_failures", c.load_failures.load()},
              {"bad_requests", c.bad_requests.load()},
              {"timeouts", c.timeouts.load()},
              {"reloads", c.reloads.load()},
              {"reload_failures", c.reload_failures.load()},
              {"forwarded", c.forwarded.load()},
              {"deferred_closes", closer.stats().deferred},
              {"leaked_descriptors", closer.stats().leaked}};
  return json{
      {"protocol", kProtocolVersion},
      {"policy",
       {{"path", config.policy_path}, {"sha3_256", p->sha3_256}, {"loaded_at", p->loaded_at}}},
      {"log",
       {{"path", config.log_path},
        {"durability", std::string(log::durability_name(config.durability))}}},
      {"pin_root", pin_root ? json(pin_root->path()) : json(nullptr)},
      {"pin_root_error", pin_root ? json(nullptr) : json(pin_root_error)},
      {"uptime_s", uptime.count()},
      {"counters", counts},
      {"key_cache", key_cache_status()},
      {"envelope_store", store_status()},
      {"lsm", lsm_status(*this)}};
}

}  // namespace pqbpf::daemon::internal

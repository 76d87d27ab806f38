// The daemon's envelope store (see gate_state.h, docs/DEPLOY.md): the same
// sandbox::TransparentGate that `pqc-bpf run --envelopes DIR` opens, decided
// with the daemon's own policy, opened at start and again on SIGHUP after the
// policy (so a policy change reaches the store's decisions).
#include <iostream>

#include "gate_state.h"
#include "pqbpf/log/record.h"

namespace pqbpf::daemon::internal {

Result<std::shared_ptr<const StoreSnapshot>> open_store(const std::string& dir,
                                                        const PolicySnapshot& policy) {
  PQBPF_ASSIGN_OR_RETURN(auto gate, sandbox::TransparentGate::open(dir, policy.policy));
  for (const auto& e : gate->envelopes()) {
    if (e.programs > 0 && e.decision == Decision::kAllow) continue;
    std::cerr << "pqc-bpf-gated: envelope store: " << e.path << ": "
              << (e.programs > 0 ? "matched loads are denied" : "no load can match it") << " ("
              << reason_code_name(e.reason) << "): " << e.sentence << "\n";
  }
  auto snap = std::make_shared<StoreSnapshot>();
  snap->gate = std::move(gate);
  snap->dir = dir;
  snap->policy_sha3_256 = policy.sha3_256;
  snap->loaded_at = log::now_rfc3339();
  return std::shared_ptr<const StoreSnapshot>(std::move(snap));
}

Status GateState::reload_store() {
  if (config.envelopes_dir.empty()) return ok_status();
  auto fresh = open_store(config.envelopes_dir, *policy());
  if (!fresh.ok()) {
    counters.reload_failures++;
    const auto old = store();
    std::cerr << "pqc-bpf-gated: envelope store reload failed, keeping the store of "
              << (old ? old->loaded_at : std::string("(none)")) << ": " << fresh.error().message
              << "\n";
    return fresh.error();
  }
  std::cerr << "pqc-bpf-gated: envelope store reloaded (" << (*fresh)->gate->envelopes().size()
            << " envelopes)\n";
  set_store(std::move(fresh).value());
  return ok_status();
}

nlohmann::json GateState::store_status() const {
  using nlohmann::json;
  const auto s = store();
  if (!s) return json{{"dir", nullptr}, {"entries", 0}, {"allowed", 0}};
  std::size_t allowed = 0, usable = 0;
  for (const auto& e : s->gate->envelopes()) {
    if (e.programs > 0) ++usable;
    if (e.programs > 0 && e.decision == Decision::kAllow) ++allowed;
  }
  return json{
      {"dir", s->dir},      {"entries", s->gate->envelopes().size()}, {"usable", usable},
      {"allowed", allowed}, {"policy_sha3_256", s->policy_sha3_256},  {"loaded_at", s->loaded_at}};
}

}  // namespace pqbpf::daemon::internal

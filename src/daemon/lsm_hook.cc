// The daemon's side of the BPF LSM (docs/LSM.md): detect it at start, start
// it per `lsm:` (refusing to start under require_lsm when it cannot work,
// warning loudly otherwise), append every kernel attempt it reports to the
// audit log, approve the gate's loads for digest admission, stop it before
// the log closes, and say all of it in `status`.
#include <sys/stat.h>

#include <iostream>

#include "gate_state.h"
#include "pqbpf/lsm/availability.h"

namespace pqbpf::daemon::internal {

Status start_lsm(GateState& g) {
  const LsmConfig& c = g.config.lsm;
  const lsm::Availability found = lsm::detect();
  g.lsm_active = found.active;
  g.lsm_list = found.lsm_list;
  if (c.options.mode == lsm::Mode::kOff) {
    g.lsm_warning = "lsm.mode is off: direct bpf() loads on this host are not stopped";
    return ok_status();
  }
  std::string why = found.detail;
  if (found.active) {
    log::LogWriter* writer = g.log.get();
    auto on_attempt = [writer](const lsm::KernelAttempt& a) {
      const auto recorded = log::record_decision(*writer, lsm::to_record(a));
      if (recorded.error) {
        std::cerr << "pqc-bpf-gated: error: kernel attempt by pid " << a.pid
                  << " not recorded: " << recorded.error->message << "\n";
      }
    };
    auto on_loss = [writer](std::uint64_t lost) {
      std::cerr << "pqc-bpf-gated: WARNING: " << lost << " BPF LSM event(s) lost (ring buffer full)\n";
      (void)log::record_decision(*writer, lsm::loss_record(lost));
    };
    if (c.options.persist) ::mkdir(c.options.pin_dir.c_str(), 0700);
    auto started = lsm::GateLsm::start(c.options, on_attempt, on_loss);
    if (started.ok()) {
      g.lsm = std::move(started).value();
      std::cerr << "pqc-bpf-gated: BPF LSM " << lsm::mode_name(c.options.mode)
                << (c.options.digest_admission ? " (digest admission)" : "")
                << (c.options.persist ? ", links pinned in " + c.options.pin_dir : "") << ": "
                << g.lsm->status().dump() << "\n";
      return ok_status();
    }
    why = started.error().message;
  }
  if (c.require_lsm) {
    return make_error(ErrorCode::kUnsupported, "lsm.require_lsm: the BPF LSM cannot run: " + why);
  }
  g.lsm_warning = "the BPF LSM is NOT " + std::string(c.options.mode == lsm::Mode::kEnforce ? "enforcing" : "auditing") +
                  " (lsm.mode " + std::string(lsm::mode_name(c.options.mode)) + "): " + why +
                  "; direct bpf() loads on this host are neither stopped nor recorded";
  std::cerr << "pqc-bpf-gated: WARNING: " << g.lsm_warning << "\n";
  return ok_status();
}

void stop_lsm(GateState& g) { g.lsm.reset(); }

void lsm_approve(GateState& g, std::span<const UniqueFd> program_fds) {
  if (!g.lsm) return;
  const Status approved = g.lsm->approve_programs(program_fds);
  if (!approved.ok()) std::cerr << "pqc-bpf-gated: error: " << approved.error().message << "\n";
}

nlohmann::json lsm_status(const GateState& g) {
  nlohmann::json j{{"mode", std::string(lsm::mode_name(g.config.lsm.options.mode))},
                   {"require_lsm", g.config.lsm.require_lsm},
                   {"active", g.lsm_active},
                   {"lsm_list", g.lsm_list},
                   {"running", g.lsm != nullptr},
                   {"warning", g.lsm_warning.empty() ? nlohmann::json(nullptr) : nlohmann::json(g.lsm_warning)}};
  if (g.lsm) j["kernel"] = g.lsm->status();
  return j;
}

}  // namespace pqbpf::daemon::internal

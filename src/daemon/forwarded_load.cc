// One forwarded load (Op::kForwardedLoad; docs/GATE_API.md,
// docs/TRANSPARENT_GATE.md "--gate"): a sandbox supervisor sends what it
// copied out of its workload once; the store's TransparentGate decides it with
// the same matcher, policy decision and map check as `run --envelopes`, the
// map descriptors coming from the ones the supervisor passed instead of
// pidfd_getfd. The decision is durable in the daemon's log before the reply;
// an admitted load's program fd goes back with SCM_RIGHTS for the supervisor
// to hand to its workload (SECCOMP_IOCTL_NOTIF_ADDFD).
#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "gate_state.h"
#include "memfd_input.h"

namespace pqbpf::daemon::internal {
namespace {

using nlohmann::json;

std::string text(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// "supervisor pid 41 uid 0 (pqc-bpf, /usr/bin/pqc-bpf)": who reported the load.
std::string reporter(const log::Actor& a) {
  std::string s = "supervisor pid " + (a.pid ? std::to_string(*a.pid) : std::string("?")) +
                  " uid " + (a.uid ? std::to_string(*a.uid) : std::string("?"));
  if (a.command || a.exe) s += " (" + a.command.value_or("?") + ", " + a.exe.value_or("?") + ")";
  return s;
}

// The descriptors the supervisor passed, by the workload's fd number.
sandbox::MapFdSource passed_maps(const std::map<std::int32_t, int>& passed) {
  return [&passed](std::int32_t workload_fd) -> Result<UniqueFd> {
    auto it = passed.find(workload_fd);
    if (it == passed.end()) {
      return make_error(ErrorCode::kPermission,
                        "the supervisor did not pass it (not a BPF map in the caller, or gone)");
    }
    UniqueFd dup(::fcntl(it->second, F_DUPFD_CLOEXEC, 0));
    if (!dup.valid())
      return make_error(ErrorCode::kIo, std::string("dup: ") + std::strerror(errno));
    return dup;
  };
}

}  // namespace

Reply forwarded_load(GateState& state, const Request& request, std::vector<UniqueFd>& fds,
                     const log::Actor& supervisor) {
  const ForwardedLoad& f = *request.forwarded;
  sandbox::BpfCall call = f.call;
  std::size_t next = 0;
  if (f.insns_memfd) {
    auto read = read_sealed_memfd(fds[next++].get(),
                                  std::uint64_t{sandbox::kMaxInsns} * sandbox::kInsnBytes,
                                  "instructions memfd");
    if (read.ok() && read->size() != std::uint64_t{call.load->insn_cnt} * sandbox::kInsnBytes) {
      read = make_error(ErrorCode::kInvalidArgument, "instructions memfd: not insn_cnt * 8 bytes");
    }
    if (!read.ok()) {
      state.counters.bad_requests++;
      return error_reply(read.error());
    }
    call.load->insns = std::move(read).value();
  }
  std::map<std::int32_t, int> passed;
  for (std::size_t i = 0; i < f.map_fds.size(); ++i)
    passed.emplace(f.map_fds[i], fds[next + i].get());

  const auto store = state.store();
  sandbox::Admission a =
      store ? store->gate->admit(call, passed_maps(passed))
            : sandbox::TransparentGate::refuse(
                  call, ReasonCode::kNoMatchingEnvelope,
                  "the gate daemon has no envelope store (no `envelopes:` in its configuration)");
  fds.clear();  // the workload's maps: the loaded program holds its own references
  state.counters.forwarded++;
  // The same admission text as the local mode, where the supervisor loads;
  // here the daemon did.
  for (std::string* t : {&a.record.reason_text, &a.verdict.sentence}) {
    for (const auto& [from, to] :
         {std::pair{"loaded by the supervisor", "loaded by the gate daemon"},
          std::pair{"the supervisor's load", "the gate daemon's load"}}) {
      if (auto at = t->find(from); at != std::string::npos) t->replace(at, std::strlen(from), to);
    }
  }
  a.record.reason_text = "forwarded by " + reporter(supervisor) + ": " + a.record.reason_text;
  a.record.reported_by = supervisor;
  // An admitted probe's record is durable with the next fsync
  // (sandbox::Admission::probe), as under run --envelopes.
  const bool defer_sync = a.probe && a.verdict.kind == sandbox::Verdict::Kind::kInjectFd;
  const log::RecordedDecision recorded = log::record_decision(*state.log, a.record, defer_sync);
  if (recorded.error && a.verdict.kind == sandbox::Verdict::Kind::kInjectFd) {
    // Fail closed: an admission the log does not name does not happen.
    a.program = UniqueFd();
    a.verdict.kind = sandbox::Verdict::Kind::kRefuse;
    a.verdict.error = EPERM;
    a.verdict.decision = Decision::kDeny;
    a.verdict.reason = ReasonCode::kLogError;
    a.verdict.sentence =
        "the admission could not be recorded, so it was undone: " + recorded.error->message;
  }
  const bool inject = a.verdict.kind == sandbox::Verdict::Kind::kInjectFd;
  (a.verdict.decision == Decision::kAllow ? state.counters.allowed : state.counters.denied)++;
  if (inject) state.counters.loaded++;

  json reply{{"v", kProtocolVersion}, {"ok", true}};
  reply["decision"] = std::string(decision_name(a.verdict.decision));
  reply["reason"] = std::string(reason_code_name(a.verdict.reason));
  reply["sentence"] = a.verdict.sentence;
  reply["action"] = a.verdict.action;
  reply["errno"] = inject ? 0 : a.verdict.error;
  reply["log_seq"] = recorded.seq ? json(*recorded.seq) : json(nullptr);
  reply["loaded"] = inject;
  Reply out;
  json programs = json::array();
  if (inject) {
    json p{{"fd", 0}};
    if (!a.record.kernel_programs.empty()) {
      const log::KernelProgram& k = a.record.kernel_programs.front();
      p["name"] = k.name;
      p["id"] = k.id;
      p["tag"] = k.tag;
    }
    programs.push_back(std::move(p));
    out.fds.push_back(std::move(a.program));
  }
  reply["programs"] = std::move(programs);
  out.json = text(reply);
  return out;
}

}  // namespace pqbpf::daemon::internal

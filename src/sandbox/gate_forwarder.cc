// GateForwarder (see gate_forwarder.h): one connection per load, so a daemon
// restart between loads costs nothing and no idle connection times out.
//
// The maps: every ld_imm64 of the instructions that is a map reference
// (BPF_PSEUDO_MAP_FD or BPF_PSEUDO_MAP_VALUE) names a fd number in the
// workload. Each distinct one is fetched once with pidfd_getfd and sent only
// if it is a BPF map (no other descriptor of the workload leaves the
// supervisor); the daemon checks each against the signed map.
#include "pqbpf/sandbox/gate_forwarder.h"

#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "map_check.h"
#include "pqbpf/daemon/protocol.h"
#include "pqbpf/gate/client.h"

namespace pqbpf::sandbox {
namespace {

constexpr auto kTimeout = std::chrono::seconds(10);

// The distinct workload fd numbers the instructions use as map references.
std::vector<std::int32_t> referenced_maps(const std::vector<std::uint8_t>& insns) {
  std::vector<std::int32_t> out;
  for (std::size_t i = 0; i + 2 * kInsnBytes <= insns.size(); i += kInsnBytes) {
    const std::uint8_t* in = insns.data() + i;
    if (in[0] != (BPF_LD | BPF_IMM | BPF_DW)) continue;
    const int src = in[1] >> 4;
    if (src == BPF_PSEUDO_MAP_FD || src == BPF_PSEUDO_MAP_VALUE) {
      std::int32_t fd;
      std::memcpy(&fd, in + 4, 4);
      if (fd >= 0 && std::find(out.begin(), out.end(), fd) == out.end()) out.push_back(fd);
    }
    i += kInsnBytes;  // the second half of the ld_imm64
  }
  return out;
}

std::optional<std::string> bounded(const std::optional<std::string>& s) {
  if (!s) return s;
  return s->substr(0, daemon::kMaxForwardedText);
}

ReasonCode reason_by_name(const std::string& name) {
  for (int i = 0; i <= static_cast<int>(kLastReasonCode); ++i) {
    if (reason_code_name(static_cast<ReasonCode>(i)) == name) return static_cast<ReasonCode>(i);
  }
  return ReasonCode::kInternalError;
}

}  // namespace

GateForwarder::GateForwarder(std::string socket_path,
                             std::function<void(const std::string&)> on_failure)
    : socket_path_(std::move(socket_path)), on_failure_(std::move(on_failure)) {}

Admission GateForwarder::failed(const BpfCall& call, const std::string& why) {
  const std::string sentence = "the gate daemon at " + socket_path_ +
                               " could not decide the load (" + why + "), so it is refused";
  if (!reported_ && on_failure_) on_failure_(sentence);
  reported_ = true;
  return TransparentGate::refuse(call, ReasonCode::kInternalError, sentence);
}

Admission GateForwarder::forward(const BpfCall& call, int pidfd) noexcept {
  try {
    return forward_or_throw(call, pidfd);
  } catch (const std::exception& e) {
    return failed(call, std::string("internal error: ") + e.what());
  } catch (...) {
    return failed(call, "internal error");
  }
}

Admission GateForwarder::forward_or_throw(const BpfCall& call, int pidfd) {
  daemon::ForwardedLoad f;
  f.call = call;
  f.call.cmd = daemon::kBpfProgLoadCmd;
  f.call.attr.resize(std::min<std::size_t>(f.call.attr.size(), kMaxAttrBytes));
  Caller& c = f.call.caller;
  c.command = bounded(c.command);
  c.exe = bounded(c.exe);
  c.cgroup = bounded(c.cgroup);
  f.call.read_error = bounded(f.call.read_error);
  std::vector<UniqueFd> fds;
  if (f.call.load) {
    ProgLoadRead& l = *f.call.load;
    l.name = l.name.substr(0, BPF_OBJ_NAME_LEN - 1);
    l.insns_error = bounded(l.insns_error);
    if (l.insns.size() > daemon::kMaxInlineInsnBytes) {
      auto memfd = gate::make_sealed_memfd(l.insns, "pqbpf-insns");
      if (!memfd.ok()) return failed(call, memfd.error().message);
      fds.push_back(std::move(memfd).value());
      f.insns_memfd = true;
    }
    // Our own descriptor of each map the workload names; a fd that is not a
    // BPF map (or cannot be fetched) is not sent, and the daemon refuses a
    // match that needs it.
    if (pidfd >= 0) {
      for (std::int32_t wfd : referenced_maps(l.insns)) {
        if (f.map_fds.size() == daemon::kMaxForwardedMapFds) break;
        UniqueFd got(static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd, wfd, 0)));
        if (!got.valid() || !internal::is_bpf_map(got.get())) continue;
        f.map_fds.push_back(wfd);
        fds.push_back(std::move(got));
      }
    }
    if (f.insns_memfd) l.insns.clear();
  }
  daemon::Request r;
  r.op = daemon::Op::kForwardedLoad;
  r.forwarded = std::move(f);
  const std::vector<std::uint8_t> message = daemon::encode_request(r);
  if (message.size() > daemon::kMaxInlineRequest) return failed(call, "request too large");

  auto client = gate::GateClient::connect(socket_path_, kTimeout);
  if (!client.ok()) return failed(call, client.error().message);
  std::vector<int> raw;
  for (const auto& fd : fds) raw.push_back(fd.get());
  auto reply = client->exchange(message, raw);
  if (!reply.ok()) return failed(call, reply.error().message);
  if (!reply->ok) {
    return failed(call, reply->error ? reply->error->message : std::string("an error reply"));
  }
  const auto j = nlohmann::json::parse(reply->json, nullptr, /*allow_exceptions=*/false);
  int error = EPERM;
  if (j.is_object() && j.contains("errno") && j["errno"].is_number_integer())
    error = j["errno"].get<int>();

  Admission a = TransparentGate::refuse(call, reason_by_name(reply->reason), reply->sentence);
  a.recorded_by_daemon = true;
  a.record.reason_text =
      reply->sentence + "; recorded by the gate daemon" +
      (reply->log_seq ? " as seq " + std::to_string(*reply->log_seq) : std::string());
  a.verdict.sentence = reply->sentence;
  if (j.is_object() && j.contains("action") && j["action"].is_string()) {
    a.record.action = a.verdict.action = j["action"].get<std::string>();
  }
  if (reply->decision) a.record.decision = a.verdict.decision = *reply->decision;
  if (reply->kernel_loaded) {
    if (reply->programs.size() != 1 || reply->programs[0].fd < 0 || reply->fds.size() != 1) {
      return failed(call, "an admission without exactly one program fd");
    }
    a.program = std::move(reply->fds[0]);
    a.verdict.kind = Verdict::Kind::kInjectFd;
    a.verdict.error = 0;
    a.record.kernel_programs.push_back(
        {reply->programs[0].name, reply->programs[0].id, reply->programs[0].tag});
    return a;
  }
  // A refusal: the daemon's errno (EPERM, or the kernel's own error when it
  // refused an allowed load), never 0.
  a.verdict.error = error > 0 && error < 4096 ? error : EPERM;
  return a;
}

}  // namespace pqbpf::sandbox

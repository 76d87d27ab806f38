// TransparentGate (see transparent_gate.h and docs/TRANSPARENT_GATE.md).
//
// open():  each envelope file -> gate::check_load_bytes (verify + policy,
//          unchanged, no record) -> derive_expected_programs(verified bytes)
//          -> an index by instruction count.
// admit(): attribute checks -> probe? -> candidates with the same count ->
//          match_program -> the envelope's decision -> maps (MapFdSource +
//          BPF_OBJ_GET_INFO_BY_FD) -> load the copied instructions -> record.
#include "pqbpf/sandbox/transparent_gate.h"

#include <bpf/libbpf.h>
#include <dirent.h>
#include <linux/bpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>

#include "core_relocs.h"
#include "kernel_values.h"
#include "expected_program.h"
#include "map_check.h"
#include "own_load.h"
#include "probe_cache.h"
#include "pqbpf/core/file_io.h"
#include "pqbpf/crypto/sha3.h"
#include "pqbpf/gate/load_check.h"
#include "pqbpf/sandbox/bpf_command.h"
#include "program_matcher.h"

namespace pqbpf::sandbox {
namespace {

constexpr std::string_view kEnvelopeSuffix = ".sig.json";

struct Envelope {
  EnvelopeStatus status;
  gate::CheckOutcome outcome;   // the gate's decision at start
  log::AttemptRecord base;      // its signed facts as the gate records them (hashes computed once)
  internal::ExpectedObject expected;
  std::string license;
};

log::Actor actor_of(const Caller& c) {
  log::Actor a;
  a.pid = c.pid ? *c.pid : c.tid;
  a.uid = c.uid;
  a.command = c.command;
  a.exe = c.exe;
  a.cgroup = c.cgroup;
  return a;
}

std::string prog_type_label(std::uint32_t type) {
  const char* name = libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(type));
  return name ? std::string(name) : "type_" + std::to_string(type);
}

Admission refusal(const BpfCall& call, const internal::ProgLoadAttr* attr, ReasonCode reason,
                  std::string sentence, int error = EPERM) {
  Admission a;
  a.verdict.kind = Verdict::Kind::kRefuse;
  a.verdict.error = error;
  a.verdict.decision = Decision::kDeny;
  a.verdict.reason = reason;
  a.verdict.action = "transparent_load";
  a.verdict.sentence = sentence;
  a.record.action = "transparent_load";
  a.record.decision = Decision::kDeny;
  a.record.reason = reason;
  a.record.actor = actor_of(call.caller);
  if (call.load) {
    a.record.program_types.push_back(prog_type_label(call.load->prog_type));
    if (!call.load->name.empty()) a.record.program = call.load->name;
    a.record.insn_count = call.load->insn_cnt;
  }
  (void)attr;
  std::string text = std::move(sentence) + "; as read from the caller: cmd prog_load";
  if (call.caller.pid && *call.caller.pid != call.caller.tid) text += ", thread " + std::to_string(call.caller.tid);
  if (call.read_error) text += ", " + *call.read_error;
  if (call.load) {
    text += ", " + std::to_string(call.load->insn_cnt) + " instructions claimed";
    if (!call.load->insns.empty()) {
      text += ", instructions read (sha3-256 " + crypto::to_hex(crypto::sha3_256(call.load->insns)) + ")";
    }
    if (call.load->insns_error) text += ", " + *call.load->insns_error;
  }
  if (!call.still_valid) text += "; the caller exited or was interrupted before it was answered";
  a.record.reason_text = std::move(text);
  return a;
}

}  // namespace

std::set<std::uint32_t> default_loader_commands() {
  std::set<std::uint32_t> out;
  for (const char* name :
       {"map_create", "map_lookup_elem", "map_update_elem", "map_delete_elem", "map_get_next_key",
        "obj_pin", "obj_get", "prog_attach", "prog_detach", "prog_get_next_id", "map_get_next_id",
        "prog_get_fd_by_id", "map_get_fd_by_id", "obj_get_info_by_fd", "prog_query",
        "raw_tracepoint_open", "btf_load", "btf_get_fd_by_id", "task_fd_query",
        "map_lookup_and_delete_elem", "map_freeze", "btf_get_next_id", "map_lookup_batch",
        "map_lookup_and_delete_batch", "map_update_batch", "map_delete_batch", "link_create",
        "link_update", "link_get_fd_by_id", "link_get_next_id", "link_detach", "prog_bind_map"}) {
    out.insert(*bpf_command_by_name(name));
  }
  return out;
}

struct TransparentGate::Impl {
  policy::LoadPolicy policy;
  std::vector<Envelope> envelopes;
  std::vector<EnvelopeStatus> statuses;
  // insn count -> (envelope, program)
  std::multimap<std::size_t, std::pair<std::size_t, std::size_t>> by_count;
  std::size_t usable = 0;
  // Map-free probes are loaded once and handed out again (probe_cache.h).
  mutable internal::ProbeCache probes;

  Admission admit(const BpfCall& call, const MapFdSource& maps) const;
  Admission admit_probe(const BpfCall& call, const internal::ProgLoadAttr& attr,
                        const internal::ProbeShape& shape, const MapFdSource& maps) const;
  Admission admit_match(const BpfCall& call, const internal::ProgLoadAttr& attr,
                        const Envelope& env, const internal::ExpectedProgram& prog,
                        const internal::MatchedProgram& m, const MapFdSource& maps) const;
};

TransparentGate::TransparentGate(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TransparentGate::~TransparentGate() = default;

const std::vector<EnvelopeStatus>& TransparentGate::envelopes() const { return impl_->statuses; }

Result<std::unique_ptr<TransparentGate>> TransparentGate::open(const std::string& dir,
                                                               policy::LoadPolicy policy) {
  auto impl = std::make_unique<Impl>();
  impl->policy = std::move(policy);
  std::vector<std::string> names;
  {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      return make_error(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                        dir + ": cannot read the envelope directory: " + std::strerror(errno));
    }
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n.size() > kEnvelopeSuffix.size() && n.ends_with(kEnvelopeSuffix)) names.push_back(std::move(n));
    }
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  if (names.size() > kMaxEnvelopes) {
    return make_error(ErrorCode::kLimitExceeded, dir + ": more than " + std::to_string(kMaxEnvelopes) +
                                                     " envelopes");
  }
  for (const std::string& n : names) {
    Envelope env;
    env.status.path = dir + "/" + n;
    auto bytes = read_file(env.status.path, kMaxEnvelopeFileSize);
    if (!bytes.ok()) {
      env.status.reason = ReasonCode::kMalformedEnvelope;  // unreadable: never parsed
      env.status.sentence = bytes.error().message;
      impl->statuses.push_back(env.status);
      continue;
    }
    const std::string object_path = env.status.path.substr(0, env.status.path.size() - kEnvelopeSuffix.size());
    std::optional<std::vector<std::uint8_t>> object;
    if (auto o = read_file(object_path, kMaxObjectFileSize); o.ok()) {
      object = std::move(o).value();
    } else if (o.error().code != ErrorCode::kNotFound) {
      env.status.reason = ReasonCode::kObjectMissing;
      env.status.sentence = o.error().message;
      impl->statuses.push_back(env.status);
      continue;
    }
    gate::CheckBytesRequest req;
    req.envelope = *bytes;
    req.envelope_label = env.status.path;
    if (object) {
      req.object = std::span<const std::uint8_t>(*object);
      req.object_label = object_path;
    }
    req.action = "transparent_load";
    env.outcome = gate::check_load_bytes(req, impl->policy, nullptr);
    env.status.verified = env.outcome.verification.valid;
    env.base = gate::make_attempt_record(req, env.outcome);
    env.status.decision = env.outcome.decision;
    env.status.reason = env.outcome.reason;
    env.status.sentence = env.outcome.sentence;
    if (env.status.verified) {
      auto expected = internal::derive_expected_programs(env.outcome.verification.object, env.status.path);
      if (!expected.ok()) {
        env.status.sentence += "; cannot be matched: " + expected.error().message;
      } else {
        env.expected = std::move(expected).value();
        if (env.outcome.verification.facts) {
          env.license = env.outcome.verification.facts->license;
          internal::annotate_core_relocs(env.expected, env.outcome.verification.object,
                                         env.outcome.verification.facts->info);
          const std::string core = internal::apply_kernel_values(
              env.expected, env.outcome.verification.object);
          if (!core.empty()) env.status.sentence += "; CO-RE values for this kernel: " + core;
        }
        env.status.programs = env.expected.programs.size();
      }
    }
    // The verified bytes are kept in outcome.verification.object; the
    // envelope's own bytes are no longer needed.
    impl->statuses.push_back(env.status);
    if (env.status.programs > 0) {
      const std::size_t e = impl->envelopes.size();
      for (std::size_t p = 0; p < env.expected.programs.size(); ++p) {
        impl->by_count.emplace(env.expected.programs[p].insns.size() / 8, std::make_pair(e, p));
      }
      ++impl->usable;
      impl->envelopes.push_back(std::move(env));
    }
  }
  return std::unique_ptr<TransparentGate>(new TransparentGate(std::move(impl)));
}

Admission TransparentGate::refuse(const BpfCall& call, ReasonCode reason, std::string sentence) {
  return refusal(call, nullptr, reason, std::move(sentence));
}

Admission TransparentGate::admit(const BpfCall& call, int pidfd) const noexcept {
  try {
    return impl_->admit(call, pidfd < 0 ? MapFdSource() : internal::map_fds_of_process(pidfd));
  } catch (...) {
    return refusal(call, nullptr, ReasonCode::kInternalError,
                   "internal error while matching the load");
  }
}

Admission TransparentGate::admit(const BpfCall& call, const MapFdSource& maps) const noexcept {
  try {
    return impl_->admit(call, maps);
  } catch (...) {
    return refusal(call, nullptr, ReasonCode::kInternalError, "internal error while matching the load");
  }
}

Admission TransparentGate::Impl::admit(const BpfCall& call, const MapFdSource& maps) const {
  if (!call.load || call.load->insns.empty()) {
    return refusal(call, nullptr, ReasonCode::kDirectLoadRefused,
                   "the load could not be read from the caller, so it is refused");
  }
  if (!call.still_valid) {
    return refusal(call, nullptr, ReasonCode::kDirectLoadRefused,
                   "the caller was gone before its load was decided");
  }
  const internal::ProgLoadAttr attr = internal::parse_prog_load_attr(call.attr);
  if (std::string why = internal::unsupported_attr(attr); !why.empty()) {
    return refusal(call, &attr, ReasonCode::kDirectLoadRefused, "load refused: " + why);
  }
  if (auto shape = internal::probe_shape(attr, call.load->insns))
    return admit_probe(call, attr, *shape, maps);

  // Every program with this instruction count is a candidate, those whose
  // name the loader gave first (two programs may have the same
  // instructions and differ only in their maps). The first one that
  // matches, is allowed and whose maps check out is loaded; otherwise the
  // most specific refusal is recorded.
  std::vector<std::pair<std::size_t, std::size_t>> candidates;
  const auto [lo, hi] = by_count.equal_range(attr.insn_cnt);
  for (auto it = lo; it != hi; ++it) candidates.push_back(it->second);
  std::stable_partition(candidates.begin(), candidates.end(), [&](const auto& c) {
    return envelopes[c.first].expected.programs[c.second].name.substr(0, BPF_OBJ_NAME_LEN - 1) ==
           attr.prog_name;
  });
  std::string closest;
  std::size_t closest_agreed = 0;
  std::optional<Admission> best;  // a matched candidate's refusal
  for (const auto& [e, p] : candidates) {
    const Envelope& env = envelopes[e];
    const internal::ExpectedProgram& prog = env.expected.programs[p];
    internal::MatchResult m = internal::match_program(attr, call.load->insns, prog);
    if (m.matched) {
      Admission a = admit_match(call, attr, env, prog, *m.matched, maps);
      if (a.verdict.reason == ReasonCode::kAllowed) return a;  // loaded, or the kernel refused it
      if (!best || a.verdict.reason == ReasonCode::kMapMismatch) best = std::move(a);
      continue;
    }
    if (closest.empty() || m.agreed > closest_agreed) {
      closest = "program " + prog.name + " of " + env.status.path + ": " + m.why;
      closest_agreed = m.agreed;
    }
  }
  if (best) return std::move(*best);
  std::string sentence = "its instructions match no program of the " + std::to_string(usable) +
                         " usable envelope" + (usable == 1 ? "" : "s");
  if (!closest.empty()) sentence += " (closest: " + closest + ")";
  return refusal(call, &attr, ReasonCode::kNoMatchingEnvelope, std::move(sentence));
}

Admission TransparentGate::Impl::admit_probe(const BpfCall& call,
                                             const internal::ProgLoadAttr& attr,
                                             const internal::ProbeShape& probe,
                                             const MapFdSource& source) const {
  std::vector<std::uint8_t> insns = call.load->insns;
  internal::CheckedMaps maps;
  if (probe.map_fd) {
    // The global data probe's map must be the probe's own small array.
    internal::ExpectedObject object;
    object.maps.push_back({internal::kProbeMapName, false, "", BPF_MAP_TYPE_ARRAY, 4,
                           internal::kProbeMapValueSize});
    internal::ExpectedProgram program;
    program.slots.push_back({0, internal::MapSlot::Kind::kMapValue, 0});
    auto checked = !source
                       ? Result<internal::CheckedMaps>(
                             make_error(ErrorCode::kPermission, "the caller could not be opened"))
                       : internal::fetch_and_check_maps(source, object, program, {*probe.map_fd});
    if (!checked.ok()) {
      return refusal(call, &attr, ReasonCode::kMapMismatch,
                     "a loader's probe (" + probe.description + ") whose map is not the probe's own: " +
                         checked.error().message);
    }
    maps = std::move(checked).value();
    std::memcpy(insns.data() + 4, &maps.slot_fds[0], 4);
  }
  if (probe.load_return_one) insns[4] = 1;  // r0 = 1: an attached copy refuses nothing
  internal::OwnLoadRequest req;
  req.prog_type = attr.prog_type;
  req.expected_attach_type = attr.expected_attach_type;
  req.kern_version = attr.kern_version;
  req.name = attr.prog_name;
  req.license = "GPL";
  req.insns = insns;
  internal::OwnLoadResult loaded =
      probe.map_fd ? internal::load_program(req) : probes.load(req);
  Admission a = refusal(call, &attr, ReasonCode::kAllowed, "", loaded.error);
  a.record.decision = Decision::kAllow;  // what the gate decided, whatever the kernel then said
  a.record.action = "probe";
  a.verdict.action = "probe";
  a.probe = true;
  const std::string shape = "a loader's probe (" + probe.description + ") of type " +
                            prog_type_label(attr.prog_type);
  if (!loaded.fd.valid()) {
    a.verdict.sentence = shape + ", loaded by the supervisor; the kernel refused it: " +
                         std::strerror(loaded.error);
  } else {
    a.verdict.kind = Verdict::Kind::kInjectFd;
    a.verdict.error = 0;
    a.verdict.decision = Decision::kAllow;
    a.record.decision = Decision::kAllow;
    a.verdict.sentence = shape + ", loaded by the supervisor";
    a.record.kernel_programs.push_back(loaded.info);
    a.program = std::move(loaded.fd);
  }
  a.record.reason_text = a.verdict.sentence + a.record.reason_text;
  return a;
}

Admission TransparentGate::Impl::admit_match(const BpfCall& call,
                                             const internal::ProgLoadAttr& attr,
                                             const Envelope& env,
                                             const internal::ExpectedProgram& prog,
                                             const internal::MatchedProgram& m,
                                             const MapFdSource& source) const {
  const std::string what = "program " + prog.name + " of " + env.status.path;
  auto with_envelope = [&](Admission a) {
    // The signed facts, as the gate records them for this envelope.
    const log::AttemptRecord& base = env.base;
    a.record.signer = base.signer;
    a.record.object_sha3_256 = base.object_sha3_256;
    a.record.envelope_sha3_256 = base.envelope_sha3_256;
    a.record.program = prog.name;
    a.record.program_types = {prog_type_label(prog.prog_type)};
    return a;
  };
  if (!prog.unmatchable.empty()) {
    return with_envelope(refusal(call, &attr, ReasonCode::kNoMatchingEnvelope,
                                 "its instructions are those of " + what +
                                     ", which the gate cannot bind: " + prog.unmatchable));
  }
  if (env.outcome.decision != Decision::kAllow) {
    return with_envelope(refusal(call, &attr, env.outcome.reason,
                                 "its instructions are those of " + what + ", which the policy denies: " +
                                     env.outcome.sentence));
  }
  if (!source) {
    return with_envelope(refusal(call, &attr, ReasonCode::kMapMismatch,
                                 "its instructions are those of " + what +
                                     ", but the caller's process could not be opened to check its maps"));
  }
  auto maps = internal::fetch_and_check_maps(source, env.expected, prog, m.map_fds);
  if (!maps.ok()) {
    return with_envelope(refusal(call, &attr, ReasonCode::kMapMismatch,
                                 "its instructions are those of " + what + ", but " + maps.error().message));
  }
  // The copied instructions, with each map reference pointing at the
  // supervisor's own descriptor of the checked map.
  std::vector<std::uint8_t> insns = call.load->insns;
  for (std::size_t s = 0; s < prog.slots.size(); ++s) {
    const std::int32_t fd = maps->slot_fds[s];
    std::memcpy(insns.data() + static_cast<std::size_t>(prog.slots[s].insn) * 8 + 4, &fd, 4);
  }
  internal::OwnLoadRequest req;
  req.prog_type = prog.prog_type;
  req.expected_attach_type = prog.expected_attach_type;
  req.prog_flags = prog.prog_flags;
  req.kern_version = attr.kern_version;
  req.name = prog.name;
  req.license = env.license;
  req.insns = insns;
  internal::OwnLoadResult loaded = internal::load_program(req);
  Admission a = with_envelope(refusal(call, &attr, ReasonCode::kAllowed, "", loaded.error));
  a.maps = std::move(maps->owned);
  a.record.decision = Decision::kAllow;  // what the gate decided, whatever the kernel then said
  if (!loaded.fd.valid()) {
    a.verdict.sentence = "its instructions are those of " + what +
                         ", which the policy allows; the kernel refused the supervisor's load: " +
                         std::strerror(loaded.error);
  } else {
    a.verdict.kind = Verdict::Kind::kInjectFd;
    a.verdict.error = 0;
    a.verdict.decision = Decision::kAllow;
    a.record.decision = Decision::kAllow;
    a.verdict.sentence = "its instructions are those of " + what + " (" + env.outcome.sentence +
                         "), loaded by the supervisor with the caller's checked maps";
    a.record.kernel_programs.push_back(loaded.info);
    a.program = std::move(loaded.fd);
  }
  a.record.reason_text = a.verdict.sentence + a.record.reason_text;
  return a;
}

}  // namespace pqbpf::sandbox

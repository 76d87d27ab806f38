// One request, start to finish (see gate_state.h and docs/GATE_API.md).
//
// load: parse -> read sealed memfds once -> gate::check_load_bytes (verify
// with the signer's cached key, policy) -> descriptors asked for by a peer
// that could not load the programs itself: deny (caller_not_permitted) ->
// deny, pin or attach: a durable record of the decision -> on allow only:
// load the verified bytes -> a durable record naming the kernel ids -> reply
// (with fds). A plain load
// (fds only) has just that last record (see load()).
// If the record after the load cannot be written, the load is undone (fds
// closed, pins removed) and the answer is a deny with log_error: nothing runs
// that the log does not name.
#include <linux/bpf.h>

#include <filesystem>

#include "gate_state.h"
#include "key_cache.h"
#include "memfd_input.h"
#include "pqbpf/core/file_io.h"
#include "pqbpf/core/program_type.h"
#include "pqbpf/crypto/sha3.h"
#include "pqbpf/daemon/protocol.h"
#include "pqbpf/gate/load_check.h"
#include "pqbpf/loader/load_privilege.h"
#include "pqbpf/loader/loader.h"
#include "pqbpf/policy/policy_file.h"

namespace pqbpf::daemon::internal {
namespace {

using nlohmann::json;

// Never throws on invalid UTF-8 (a name or message from hostile bytes): an
// exception after a load must not leave a pinned program behind an error reply.
std::string text(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json base_reply(bool ok) { return json{{"v", kProtocolVersion}, {"ok", ok}}; }

std::string error_code_text(ErrorCode code) { return std::string(error_code_name(code)); }

json error_json(const Error& e) { return json{{"code", error_code_text(e.code)}, {"message", e.message}}; }

json optional_seq(const std::optional<std::uint64_t>& seq) { return seq ? json(*seq) : json(nullptr); }

// "prog xdp_pass_count id 41 tag 3b1f..., map packets id 12" for the record.
std::string kernel_summary(const loader::LoadedObject& loaded) {
  std::string out;
  for (const auto& p : loaded.programs) {
    if (!out.empty()) out += ", ";
    out += "prog " + p.name + " id " + std::to_string(p.id) + " tag " + p.tag;
    if (p.link_id != 0) out += " link " + std::to_string(p.link_id);
    if (!p.attach_target.empty()) out += " on " + p.attach_target;
  }
  for (const auto& m : loaded.maps) out += ", map " + m.name + " id " + std::to_string(m.id);
  if (!loaded.pin_dir.empty()) out += "; pinned in " + loaded.pin_dir;
  return out;
}

// Makes the decision durable (gate::check_load_bytes' own rule: a decision
// that cannot be recorded becomes a deny with log_error).
void record_outcome(GateState& state, const gate::CheckBytesRequest& check, gate::CheckOutcome& outcome) {
  log::RecordedDecision recorded;
  try {
    recorded = log::record_decision(*state.log, gate::make_attempt_record(check, outcome));
  } catch (const std::exception& e) {
    recorded.error = make_error(ErrorCode::kIo, std::string("unexpected error while recording: ") + e.what());
  }
  outcome.log_seq = recorded.seq;
  if (recorded.error) {
    outcome.log_error = recorded.error;
    outcome.decision = Decision::kDeny;
    outcome.reason = ReasonCode::kLogError;
    outcome.sentence = "the attempt could not be recorded, so it is denied: " + recorded.error->message;
  }
}

// Program and link descriptors are the power to run the program: on Linux
// 6.18 BPF_LINK_CREATE checks no capability for xdp or tcx, so whoever holds
// a program fd attaches it anywhere, and a link fd lets its holder swap in
// another program (BPF_LINK_UPDATE) or detach it. So the daemon hands them
// only to a peer that holds what the kernel would ask of it to load each of
// these programs itself: the gate narrows what reaches the kernel, never who
// may load. nullopt when it may have them; otherwise what is missing.
std::optional<std::string> descriptors_refused(const gate::CheckOutcome& outcome,
                                               const loader::CallerPrivilege& privilege) {
  // A type the reader could not tell is judged as freplace (ext), which
  // needs every capability the other types need.
  std::vector<std::uint32_t> types;
  const auto& facts = outcome.verification.facts;
  if (facts) {
    for (const auto& p : facts->info.programs) {
      types.push_back(p.type ? static_cast<std::uint32_t>(kernel_program_type_number(*p.type))
                             : std::uint32_t{BPF_PROG_TYPE_EXT});
    }
  }
  if (!facts || types.empty()) types.push_back(BPF_PROG_TYPE_EXT);
  const int sysctl = loader::unprivileged_bpf_disabled();
  for (const std::uint32_t type : types) {
    if (auto missing = loader::missing_load_privilege(privilege, type, sysctl)) return missing;
  }
  return std::nullopt;
}

Reply load(GateState& state, const Request& request, std::vector<UniqueFd>& fds,
           const log::Actor& actor, const loader::CallerPrivilege& privilege) {
  const auto& cfg = state.config;
  // Inputs: inline bytes are already in memory; memfds are read once here.
  std::vector<std::uint8_t> envelope = request.envelope;
  std::vector<std::uint8_t> object = request.object;
  std::size_t next_fd = 0;
  if (request.envelope_memfd) {
    auto read = read_sealed_memfd(fds[next_fd++].get(), cfg.max_envelope_bytes, "envelope memfd");
    if (!read.ok()) {
      state.counters.bad_requests++;
      return error_reply(read.error());
    }
    envelope = std::move(read).value();
  }
  if (request.object_memfd) {
    auto read = read_sealed_memfd(fds[next_fd++].get(), cfg.max_object_bytes, "object memfd");
    if (!read.ok()) {
      state.counters.bad_requests++;
      return error_reply(read.error());
    }
    object = std::move(read).value();
  }
  fds.clear();
  if (envelope.size() > cfg.max_envelope_bytes || object.size() > cfg.max_object_bytes) {
    return error_reply(make_error(ErrorCode::kLimitExceeded, "request: input past the daemon's size limits"));
  }

  const auto policy = state.policy();
  gate::CheckBytesRequest check;
  check.envelope = envelope;
  check.envelope_label = "envelope from pid " + std::to_string(actor.pid.value_or(0));
  if (request.has_object) check.object = std::span<const std::uint8_t>(object);
  check.object_label = "object from pid " + std::to_string(actor.pid.value_or(0));
  check.actor = actor;
  check.action = "gate_decide";
  // A signer allowed before verifies with its cached, already expanded key.
  std::optional<crypto::mldsa::PublicKey> used_key;
  check.prepared_key = [&state, &used_key](const crypto::mldsa::PublicKey& envelope_key) {
    used_key = state.key_cache.find(envelope_key);
    if (!used_key) used_key = envelope_key;  // a copy: shares the expansion verify builds
    return *used_key;
  };
  // The same envelope and object bytes allowed before: no second parse and
  // verification (the signer screening and the decision are made afresh).
  check.verification_cache = &state.verification_cache;
  // Decide first; what is recorded when depends on the request (below).
  gate::CheckOutcome outcome = gate::check_load_bytes(check, policy->policy, /*log=*/nullptr);
  // Decided before the load: a request whose descriptors may not be handed
  // over never reaches the kernel, and is recorded as a refusal.
  if (outcome.decision == Decision::kAllow && request.return_fds()) {
    if (auto missing = descriptors_refused(outcome, privilege)) {
      outcome.decision = Decision::kDeny;
      outcome.reason = ReasonCode::kCallerNotPermitted;
      outcome.sentence = "allowed by the policy, but program and link descriptors go only to a client that "
                         "could load the programs itself, and " + *missing +
                         "; ask for a pin instead (pqc-bpf load --pin DIR, without descriptors) or run the "
                         "client with those capabilities";
    }
  }
  if (outcome.decision == Decision::kAllow && used_key) state.key_cache.remember(*used_key);

  // A load that is neither pinned nor attached gets one record, written after
  // the load and durable before the reply: until then the program is only
  // descriptors held by this daemon (not attached, not pinned, not handed
  // out), so nothing runs it, and if the record fails or the daemon dies the
  // kernel frees it. Pins and attachments outlive the request (a pin outlives
  // the daemon), so for those the decision is durable before the kernel sees
  // anything, and a second record names the kernel ids.
  const bool one_record = outcome.decision == Decision::kAllow && !request.pin() && !request.attach();
  if (!one_record) record_outcome(state, check, outcome);

  json reply = base_reply(true);
  reply["decision"] = std::string(decision_name(outcome.decision));
  reply["reason"] = std::string(reason_code_name(outcome.reason));
  reply["sentence"] = outcome.sentence;
  reply["log_seq"] = optional_seq(outcome.log_seq);
  reply["loaded"] = false;
  if (outcome.decision != Decision::kAllow) {
    state.counters.denied++;
    return Reply{text(reply), {}};
  }
  state.counters.allowed++;

  // Allowed: the kernel gets exactly the bytes that were verified.
  loader::LoadOptions options;
  options.attach = request.attach();
  // Where to attach is what the signer signed, never the client's choice.
  if (outcome.verification.manifest) options.attach_point = outcome.verification.manifest->metadata().attach_point;
  if (request.pin()) {
    if (!state.pin_root) {
      state.counters.load_failures++;
      return error_reply(
          make_error(ErrorCode::kUnsupported, "pinning is unavailable: " + state.pin_root_error));
    }
    options.pin_root = &*state.pin_root;
    options.pin_path = request.pin_path;
  }
  const std::string label =
      outcome.verification.manifest ? outcome.verification.manifest->metadata().name : std::string("object");
  auto loaded = loader::load_verified_object(outcome.verification.object, label, options);

  log::AttemptRecord record = gate::make_attempt_record(check, outcome);
  record.action = "load";
  if (!loaded.ok()) {
    state.counters.load_failures++;
    record.decision = Decision::kDeny;
    record.reason = ReasonCode::kInternalError;
    record.reason_text = "allowed, but the load failed: " + loaded.error().message;
    const auto recorded = log::record_decision(*state.log, record);
    json err = base_reply(false);
    err["decision"] = reply["decision"];
    err["reason"] = reply["reason"];
    err["sentence"] = reply["sentence"];
    err["log_seq"] = one_record ? optional_seq(recorded.seq) : reply["log_seq"];
    err["load_log_seq"] = optional_seq(recorded.seq);
    err["loaded"] = false;
    err["error"] = error_json(loaded.error());
    return Reply{text(err), {}};
  }
  record.reason_text = "loaded: " + kernel_summary(*loaded);
  for (const auto& p : loaded->programs) {
    if (record.kernel_programs.size() < log::kMaxKernelPrograms) {
      record.kernel_programs.push_back(log::KernelProgram{p.name, p.id, p.tag});
    }
  }
  const auto recorded = log::record_decision(*state.log, record);
  if (recorded.error) {
    // Fail closed: undo the load, since the log does not name it (dropping
    // `loaded` closes the descriptors).
    if (state.pin_root) loaded->unpin_all(*state.pin_root);
    state.counters.load_failures++;
    reply["decision"] = "deny";
    reply["reason"] = std::string(reason_code_name(ReasonCode::kLogError));
    reply["sentence"] = "the load could not be recorded, so it was undone: " + recorded.error->message;
    return Reply{text(reply), {}};
  }
  if (one_record) reply["log_seq"] = optional_seq(recorded.seq);
  state.counters.loaded++;
  lsm_approve(state, loaded->program_fds);  // digest admission (docs/LSM.md); else a no-op
  reply["loaded"] = true;
  reply["load_log_seq"] = optional_seq(recorded.seq);
  reply["pin_dir"] = loaded->pin_dir.empty() ? json(nullptr) : json(loaded->pin_dir);

  Reply out;
  const bool give = request.return_fds();
  auto fd_slot = [&](UniqueFd& fd) -> json {
    if (!give) return nullptr;
    out.fds.push_back(std::move(fd));
    return out.fds.size() - 1;
  };
  json programs = json::array();
  std::size_t link = 0;
  for (std::size_t i = 0; i < loaded->programs.size(); ++i) {
    const auto& p = loaded->programs[i];
    json j{{"name", p.name}, {"section", p.section}, {"id", p.id}, {"tag", p.tag}};
    j["fd"] = fd_slot(loaded->program_fds[i]);
    j["pin"] = p.pinned.empty() ? json(nullptr) : json(loaded->pin_dir + "/" + p.pinned);
    if (p.link_id != 0) {
      j["link_id"] = p.link_id;
      j["attach_target"] = p.attach_target.empty() ? json(nullptr) : json(p.attach_target);
      j["link_fd"] = fd_slot(loaded->link_fds[link++]);
      j["link_pin"] = p.link_pinned.empty() ? json(nullptr) : json(loaded->pin_dir + "/" + p.link_pinned);
    }
    programs.push_back(std::move(j));
  }
  json maps = json::array();
  for (std::size_t i = 0; i < loaded->maps.size(); ++i) {
    const auto& m = loaded->maps[i];
    json j{{"name", m.name}, {"id", m.id}};
    j["fd"] = fd_slot(loaded->map_fds[i]);
    j["pin"] = m.pinned.empty() ? json(nullptr) : json(loaded->pin_dir + "/" + m.pinned);
    maps.push_back(std::move(j));
  }
  reply["programs"] = std::move(programs);
  reply["maps"] = std::move(maps);
  out.json = text(reply);
  if (out.fds.size() > kMaxReplyFds || out.json.size() > kMaxReplySize) {
    if (state.pin_root) loaded->unpin_all(*state.pin_root);
    return error_reply(
        make_error(ErrorCode::kLimitExceeded, "reply: too many programs and maps for one reply"));
  }
  return out;
}

}  // namespace

Result<std::shared_ptr<const PolicySnapshot>> read_policy(const std::string& path) {
  PQBPF_ASSIGN_OR_RETURN(std::vector<std::uint8_t> bytes, read_file(path, policy::kMaxPolicyFileSize));
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const std::string dir = std::filesystem::path(path).parent_path().string();
  PQBPF_ASSIGN_OR_RETURN(policy::LoadPolicy parsed, policy::parse_policy(text, path, dir));
  auto snap = std::make_shared<PolicySnapshot>();
  snap->policy = std::move(parsed);
  snap->sha3_256 = crypto::to_hex(crypto::sha3_256(bytes));
  snap->loaded_at = log::now_rfc3339();
  return std::shared_ptr<const PolicySnapshot>(std::move(snap));
}

Reply error_reply(const Error& error) {
  json reply = base_reply(false);
  reply["error"] = error_json(error);
  return Reply{text(reply), {}};
}

Reply handle_message(GateState& state, std::span<const std::uint8_t> message,
                     std::vector<UniqueFd> fds, const log::Actor& actor,
                     const loader::CallerPrivilege& privilege) {
  try {
    state.counters.requests++;
    auto request = parse_request(message, fds.size());
    if (!request.ok()) {
      state.counters.bad_requests++;
      return error_reply(request.error());
    }
    if (request->op == Op::kStatus) {
      json reply = base_reply(true);
      reply["status"] = state.status();
      return Reply{text(reply), {}};
    }
    if (request->op == Op::kForwardedLoad) return forwarded_load(state, *request, fds, actor);
    Reply reply = load(state, *request, fds, actor, privilege);
    return reply;
  } catch (const std::exception& e) {
    return error_reply(make_error(ErrorCode::kInternal, std::string("internal error: ") + e.what()));
  } catch (...) {
    return error_reply(make_error(ErrorCode::kInternal, "internal error"));
  }
}

}  // namespace pqbpf::daemon::internal

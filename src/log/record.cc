// Serialising and strictly parsing audit log lines (format: docs/AUDIT_LOG.md).
#include "pqbpf/log/record.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <fstream>
#include <unistd.h>

#include "json_text.h"
#include "pqbpf/core/base64.h"
#include "pqbpf/crypto/sha3.h"
#include "pqbpf/core/did.h"
#include "pqbpf/core/json_strict.h"
#include "pqbpf/core/timestamp.h"

namespace pqbpf::log {
namespace {

using internal::append_json_optional;
using internal::append_json_string;
using internal::append_key;
using nlohmann::json;

bool is_hex64(std::string_view s) { return crypto::is_lowercase_hex(s, 64); }

Error bad(const std::string& label, const std::string& what) {
  return make_error(ErrorCode::kParse, label + ": " + what);
}

// Reads a string-or-null field.
Result<std::optional<std::string>> opt_string(const json& j, const char* key,
                                              const std::string& label) {
  const json& v = j.at(key);
  if (v.is_null()) return std::optional<std::string>();
  if (!v.is_string()) return bad(label, std::string("\"") + key + "\" must be a string or null");
  return std::optional<std::string>(v.get<std::string>());
}

Result<std::string> req_string(const json& j, const char* key, const std::string& label) {
  const json& v = j.at(key);
  if (!v.is_string()) return bad(label, std::string("\"") + key + "\" must be a string");
  return v.get<std::string>();
}

Result<std::uint64_t> req_uint(const json& j, const char* key, const std::string& label) {
  const json& v = j.at(key);
  if (!v.is_number_unsigned()) {
    return bad(label, std::string("\"") + key + "\" must be a non-negative integer");
  }
  return v.get<std::uint64_t>();
}

Status check_hex_field(const std::optional<std::string>& v, const char* key,
                       const std::string& label) {
  if (v && !is_hex64(*v)) {
    return bad(label, std::string("\"") + key + "\" must be 64 lowercase hex digits");
  }
  return ok_status();
}

Status check_did_field(const std::optional<std::string>& v, const char* key,
                       const std::string& label) {
  if (v) {
    auto did = Did::parse(*v);
    if (!did.ok()) return bad(label, std::string("\"") + key + "\": " + did.error().message);
  }
  return ok_status();
}

Result<Actor> parse_actor(const json& j, const std::string& label) {
  if (!j.is_object()) return bad(label, "\"actor\" must be an object");
  PQBPF_RETURN_IF_ERROR(check_json_keys(j, {"uid", "pid", "command", "name"}, {"exe", "cgroup"}, label));
  Actor a;
  if (!j["uid"].is_null()) {
    if (!j["uid"].is_number_unsigned() || j["uid"].get<std::uint64_t>() > 0xFFFFFFFFu) {
      return bad(label, "\"actor.uid\" must be a 32-bit unsigned integer or null");
    }
    a.uid = j["uid"].get<std::uint32_t>();
  }
  if (!j["pid"].is_null()) {
    if (!j["pid"].is_number_integer()) return bad(label, "\"actor.pid\" must be an integer or null");
    a.pid = j["pid"].get<std::int64_t>();
  }
  PQBPF_ASSIGN_OR_RETURN(a.command, opt_string(j, "command", label));
  PQBPF_ASSIGN_OR_RETURN(a.name, opt_string(j, "name", label));
  if (j.contains("exe")) {
    PQBPF_ASSIGN_OR_RETURN(a.exe, opt_string(j, "exe", label));
  }
  if (j.contains("cgroup")) {
    PQBPF_ASSIGN_OR_RETURN(a.cgroup, opt_string(j, "cgroup", label));
  }
  return a;
}

Result<std::vector<KernelProgram>> parse_kernel_programs(const json& j, const std::string& label) {
  if (!j.is_array()) return bad(label, "\"kernel_programs\" must be an array");
  if (j.size() > kMaxKernelPrograms) return bad(label, "\"kernel_programs\" has too many entries");
  std::vector<KernelProgram> out;
  for (const json& p : j) {
    if (!p.is_object()) return bad(label, "\"kernel_programs\" must hold objects");
    PQBPF_RETURN_IF_ERROR(check_json_keys(p, {"name", "id", "tag"}, {}, label));
    KernelProgram k;
    PQBPF_ASSIGN_OR_RETURN(k.name, req_string(p, "name", label));
    PQBPF_ASSIGN_OR_RETURN(std::uint64_t id, req_uint(p, "id", label));
    if (id > 0xFFFFFFFFu) return bad(label, "\"kernel_programs\" id must be a 32-bit unsigned integer");
    k.id = static_cast<std::uint32_t>(id);
    PQBPF_ASSIGN_OR_RETURN(k.tag, req_string(p, "tag", label));
    if (k.tag.size() != 16 || !std::all_of(k.tag.begin(), k.tag.end(), [](char c) {
          return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        })) {
      return bad(label, "\"kernel_programs\" tag must be 16 lowercase hex digits");
    }
    out.push_back(std::move(k));
  }
  return out;
}

void append_uint(std::string& out, std::uint64_t v) { out += std::to_string(v); }

}  // namespace

Actor Actor::named(std::string name) {
  Actor a;
  a.name = std::move(name);
  return a;
}

Actor Actor::current_process() {
  Actor a;
  a.uid = static_cast<std::uint32_t>(getuid());
  a.pid = static_cast<std::int64_t>(getpid());
  std::ifstream comm("/proc/self/comm");
  std::string line;
  if (comm && std::getline(comm, line)) a.command = line;
  return a;
}

std::string_view checkpoint_trigger_name(CheckpointTrigger trigger) {
  switch (trigger) {
    case CheckpointTrigger::kInterval: return "interval";
    case CheckpointTrigger::kRotation: return "rotation";
    case CheckpointTrigger::kClose: return "close";
  }
  return "interval";
}

ChainHash record_hash(std::string_view line) { return crypto::sha3_256(line); }

std::string zero_chain_hex() { return std::string(64, '0'); }

std::string checkpoint_signing_bytes(const CheckpointBody& body) {
  // Keys in sorted order, compact: a fixed canonical form (RFC 8785 shape).
  std::string out = "{";
  append_key(out, "count", true);
  append_uint(out, body.count);
  append_key(out, "host");
  append_json_string(out, body.host, kMaxFieldBytes);
  append_key(out, "kind");
  out += "\"checkpoint\"";
  append_key(out, "prev");
  append_json_string(out, body.prev, kMaxFieldBytes);
  append_key(out, "seq");
  append_uint(out, body.seq);
  append_key(out, "signer");
  append_json_string(out, body.signer, kMaxFieldBytes);
  append_key(out, "time");
  append_json_string(out, body.time, kMaxFieldBytes);
  append_key(out, "trigger");
  append_json_string(out, checkpoint_trigger_name(body.trigger), kMaxFieldBytes);
  append_key(out, "v");
  append_uint(out, kFormatVersion);
  out += "}";
  return out;
}

CheckpointBody LogRecord::checkpoint_body() const {
  CheckpointBody b;
  b.seq = seq;
  b.time = time;
  b.host = host;
  b.trigger = trigger;
  b.count = count;
  b.signer = signer.value_or("");
  b.prev = prev;
  return b;
}

void append_actor(std::string& out, const Actor& actor) {
  out += "{";
  append_key(out, "uid", true);
  if (actor.uid) append_uint(out, *actor.uid); else out += "null";
  append_key(out, "pid");
  if (actor.pid) out += std::to_string(*actor.pid); else out += "null";
  append_key(out, "command");
  append_json_optional(out, actor.command, kMaxFieldBytes);
  append_key(out, "name");
  append_json_optional(out, actor.name, kMaxFieldBytes);
  if (actor.exe) {
    append_key(out, "exe");
    append_json_string(out, *actor.exe, kMaxFieldBytes);
  }
  if (actor.cgroup) {
    append_key(out, "cgroup");
    append_json_string(out, *actor.cgroup, kMaxFieldBytes);
  }
  out += "}";
}

std::string serialize_attempt_body(const AttemptRecord& a) {
  std::string out;
  out.reserve(768 + a.reason_text.size());  // one allocation for a typical record
  append_key(out, "actor", true);
  append_actor(out, a.actor);
  append_key(out, "action");
  append_json_string(out, a.action, kMaxFieldBytes);
  append_key(out, "decision");
  append_json_string(out, decision_name(a.decision), kMaxFieldBytes);
  append_key(out, "reason");
  append_json_string(out, reason_code_name(a.reason), kMaxFieldBytes);
  append_key(out, "reason_text");
  append_json_string(out, a.reason_text, kMaxFieldBytes);
  append_key(out, "program");
  append_json_optional(out, a.program, kMaxFieldBytes);
  append_key(out, "program_types");
  out += "[";
  for (std::size_t i = 0; i < a.program_types.size() && i < kMaxProgramTypes; ++i) {
    if (i) out += ",";
    append_json_string(out, a.program_types[i], 64);
  }
  out += "]";
  append_key(out, "object_sha3_256");
  append_json_optional(out, a.object_sha3_256, kMaxHashFieldBytes);
  append_key(out, "signer");
  append_json_optional(out, a.signer, kMaxHashFieldBytes);
  append_key(out, "envelope_sha3_256");
  append_json_optional(out, a.envelope_sha3_256, kMaxHashFieldBytes);
  if (a.insn_count) {
    append_key(out, "insns");
    append_uint(out, *a.insn_count);
  }
  if (!a.kernel_programs.empty()) {
    append_key(out, "kernel_programs");
    out += "[";
    for (std::size_t i = 0; i < a.kernel_programs.size() && i < kMaxKernelPrograms; ++i) {
      const KernelProgram& k = a.kernel_programs[i];
      if (i) out += ",";
      out += "{";
      append_key(out, "name", true);
      append_json_string(out, k.name, 64);
      append_key(out, "id");
      append_uint(out, k.id);
      append_key(out, "tag");
      append_json_string(out, k.tag, 16);
      out += "}";
    }
    out += "]";
  }
  if (a.reported_by) {
    append_key(out, "reported_by");
    append_actor(out, *a.reported_by);
  }
  return out;
}

std::string assemble_attempt_line(std::uint64_t seq, std::string_view time, std::string_view host,
                                  std::string_view body, std::string_view prev_hex) {
  std::string out;
  out.reserve(body.size() + 200);
  append_attempt_line(out, seq, time, host, body, prev_hex);
  return out;
}

void append_attempt_line(std::string& out, std::uint64_t seq, std::string_view time,
                         std::string_view host, std::string_view body, std::string_view prev_hex) {
  out += "{\"v\":1,\"seq\":";
  append_uint(out, seq);
  out += ",\"kind\":\"attempt\",\"time\":";
  append_json_string(out, time, kMaxFieldBytes);
  append_key(out, "host");
  append_json_string(out, host, kMaxFieldBytes);
  out += ",";
  out += body;
  append_key(out, "prev");
  append_json_string(out, prev_hex, 64);
  out += "}";
}

std::string serialize_checkpoint_line(const CheckpointBody& b, std::string_view signature_b64) {
  std::string out = "{\"v\":1,\"seq\":";
  append_uint(out, b.seq);
  out += ",\"kind\":\"checkpoint\",\"time\":";
  append_json_string(out, b.time, kMaxFieldBytes);
  append_key(out, "host");
  append_json_string(out, b.host, kMaxFieldBytes);
  append_key(out, "trigger");
  append_json_string(out, checkpoint_trigger_name(b.trigger), 16);
  append_key(out, "count");
  append_uint(out, b.count);
  append_key(out, "signer");
  append_json_string(out, b.signer, kMaxFieldBytes);
  append_key(out, "prev");
  append_json_string(out, b.prev, 64);
  append_key(out, "sig");
  append_json_string(out, signature_b64, 16384);
  out += "}";
  return out;
}

std::string serialize_recovered_line(std::uint64_t seq, std::string_view time,
                                     std::string_view host, const RecoveredBody& body,
                                     std::string_view prev_hex) {
  std::string out = "{\"v\":1,\"seq\":";
  append_uint(out, seq);
  out += ",\"kind\":\"recovered\",\"time\":";
  append_json_string(out, time, kMaxFieldBytes);
  append_key(out, "host");
  append_json_string(out, host, kMaxFieldBytes);
  append_key(out, "torn_file");
  append_json_string(out, body.torn_file, kMaxFieldBytes);
  append_key(out, "offset");
  append_uint(out, body.offset);
  append_key(out, "length");
  append_uint(out, body.length);
  append_key(out, "sha3_256");
  append_json_string(out, body.sha3_256, 64);
  append_key(out, "prev");
  append_json_string(out, prev_hex, 64);
  out += "}";
  return out;
}

Result<LogRecord> parse_record(std::string_view line, const std::string& label) {
  if (line.size() > kMaxRecordBytes) return bad(label, "record longer than 65536 bytes");
  JsonLimits limits;
  limits.max_bytes = kMaxRecordBytes;
  limits.max_depth = 4;
  PQBPF_ASSIGN_OR_RETURN(json j, parse_json_strict(line, label, limits));
  if (!j.is_object()) return bad(label, "record must be a JSON object");
  if (!j.contains("kind") || !j["kind"].is_string()) return bad(label, "missing \"kind\"");
  LogRecord r;
  r.line = std::string(line);
  const std::string kind = j["kind"].get<std::string>();
  if (kind == "attempt") {
    r.kind = RecordKind::kAttempt;
    PQBPF_RETURN_IF_ERROR(check_json_keys(
        j,
        {"v", "seq", "kind", "time", "host", "actor", "action", "decision", "reason",
         "reason_text", "program", "program_types", "object_sha3_256", "signer",
         "envelope_sha3_256", "prev"},
        {"insns", "kernel_programs", "reported_by"}, label));
  } else if (kind == "checkpoint") {
    r.kind = RecordKind::kCheckpoint;
    PQBPF_RETURN_IF_ERROR(check_json_keys(
        j, {"v", "seq", "kind", "time", "host", "trigger", "count", "signer", "prev", "sig"}, {},
        label));
  } else if (kind == "recovered") {
    r.kind = RecordKind::kRecovered;
    PQBPF_RETURN_IF_ERROR(check_json_keys(
        j, {"v", "seq", "kind", "time", "host", "torn_file", "offset", "length", "sha3_256", "prev"},
        {}, label));
  } else {
    return bad(label, "unknown record kind \"" + kind.substr(0, 40) + "\"");
  }
  PQBPF_ASSIGN_OR_RETURN(std::uint64_t version, req_uint(j, "v", label));
  if (version != static_cast<std::uint64_t>(kFormatVersion)) {
    return make_error(ErrorCode::kUnsupported,
                      label + ": record format version " + std::to_string(version) +
                          " is not supported (expected 1)");
  }
  PQBPF_ASSIGN_OR_RETURN(r.seq, req_uint(j, "seq", label));
  if (r.seq == 0) return bad(label, "\"seq\" must be at least 1");
  PQBPF_ASSIGN_OR_RETURN(r.time, req_string(j, "time", label));
  if (!parse_rfc3339_ns(r.time).ok()) return bad(label, "\"time\" is not an RFC 3339 time");
  PQBPF_ASSIGN_OR_RETURN(r.host, req_string(j, "host", label));
  PQBPF_ASSIGN_OR_RETURN(r.prev, req_string(j, "prev", label));
  if (!is_hex64(r.prev)) return bad(label, "\"prev\" must be 64 lowercase hex digits");
  if (r.kind == RecordKind::kRecovered) {
    PQBPF_ASSIGN_OR_RETURN(r.recovered.torn_file, req_string(j, "torn_file", label));
    PQBPF_ASSIGN_OR_RETURN(r.recovered.offset, req_uint(j, "offset", label));
    PQBPF_ASSIGN_OR_RETURN(r.recovered.length, req_uint(j, "length", label));
    PQBPF_ASSIGN_OR_RETURN(r.recovered.sha3_256, req_string(j, "sha3_256", label));
    if (!is_hex64(r.recovered.sha3_256)) {
      return bad(label, "\"sha3_256\" must be 64 lowercase hex digits");
    }
    return r;
  }
  PQBPF_ASSIGN_OR_RETURN(r.signer, opt_string(j, "signer", label));
  PQBPF_RETURN_IF_ERROR(check_did_field(r.signer, "signer", label));

  if (r.kind == RecordKind::kCheckpoint) {
    PQBPF_ASSIGN_OR_RETURN(std::string trigger, req_string(j, "trigger", label));
    if (trigger == "interval") {
      r.trigger = CheckpointTrigger::kInterval;
    } else if (trigger == "rotation") {
      r.trigger = CheckpointTrigger::kRotation;
    } else if (trigger == "close") {
      r.trigger = CheckpointTrigger::kClose;
    } else {
      return bad(label, "unknown checkpoint trigger \"" + trigger.substr(0, 40) + "\"");
    }
    PQBPF_ASSIGN_OR_RETURN(r.count, req_uint(j, "count", label));
    if (!r.signer) return bad(label, "checkpoint \"signer\" must be a DID");
    PQBPF_ASSIGN_OR_RETURN(r.signature_b64, req_string(j, "sig", label));
    return r;
  }

  auto actor = parse_actor(j["actor"], label);
  if (!actor.ok()) return actor.error();
  r.actor = std::move(actor).value();
  PQBPF_ASSIGN_OR_RETURN(r.action, req_string(j, "action", label));
  PQBPF_ASSIGN_OR_RETURN(r.decision, req_string(j, "decision", label));
  if (r.decision != "allow" && r.decision != "deny") {
    return bad(label, "\"decision\" must be \"allow\" or \"deny\"");
  }
  PQBPF_ASSIGN_OR_RETURN(r.reason, req_string(j, "reason", label));
  PQBPF_ASSIGN_OR_RETURN(r.reason_text, req_string(j, "reason_text", label));
  PQBPF_ASSIGN_OR_RETURN(r.program, opt_string(j, "program", label));
  const json& types = j["program_types"];
  if (!types.is_array()) return bad(label, "\"program_types\" must be an array");
  for (const json& t : types) {
    if (!t.is_string()) return bad(label, "\"program_types\" must hold strings");
    r.program_types.push_back(t.get<std::string>());
  }
  PQBPF_ASSIGN_OR_RETURN(r.object_sha3_256, opt_string(j, "object_sha3_256", label));
  PQBPF_RETURN_IF_ERROR(check_hex_field(r.object_sha3_256, "object_sha3_256", label));
  PQBPF_ASSIGN_OR_RETURN(r.envelope_sha3_256, opt_string(j, "envelope_sha3_256", label));
  PQBPF_RETURN_IF_ERROR(check_hex_field(r.envelope_sha3_256, "envelope_sha3_256", label));
  if (j.contains("insns")) {
    PQBPF_ASSIGN_OR_RETURN(r.insn_count, req_uint(j, "insns", label));
  }
  if (j.contains("reported_by")) {
    auto reporter = parse_actor(j["reported_by"], label);
    if (!reporter.ok()) return reporter.error();
    r.reported_by = std::move(reporter).value();
  }
  if (j.contains("kernel_programs")) {
    PQBPF_ASSIGN_OR_RETURN(r.kernel_programs, parse_kernel_programs(j["kernel_programs"], label));
  }
  return r;
}

std::string format_time_utc(std::int64_t unix_seconds, std::uint32_t nanoseconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09uZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<unsigned>(nanoseconds));
  return buf;
}

std::string now_rfc3339() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  // Hot path of every append: the calendar part changes once a second, so
  // it is formatted once per second per thread and only the nanoseconds are
  // written each time (same bytes as format_time_utc).
  thread_local std::int64_t cached_second = INT64_MIN;
  thread_local std::string cached_prefix;  // "YYYY-MM-DDTHH:MM:SS."
  if (ts.tv_sec != cached_second || cached_prefix.size() != 20) {
    std::string full = format_time_utc(ts.tv_sec, 0);
    if (full.size() != 30) return format_time_utc(ts.tv_sec, static_cast<std::uint32_t>(ts.tv_nsec));
    cached_prefix = full.substr(0, 20);
    cached_second = ts.tv_sec;
  }
  char out[30];
  std::memcpy(out, cached_prefix.data(), 20);
  std::uint32_t ns = static_cast<std::uint32_t>(ts.tv_nsec);
  for (int i = 28; i >= 20; --i) {
    out[i] = static_cast<char>('0' + ns % 10);
    ns /= 10;
  }
  out[29] = 'Z';
  return std::string(out, sizeof out);
}

Result<std::int64_t> parse_rfc3339_ns(std::string_view s) {
  // The shared parser (pqbpf/core/timestamp.h) owns the syntax and the
  // leap-second rule; this adds the int64-nanosecond range.
  const auto fail = [&] {
    return make_error(ErrorCode::kInvalidArgument,
                      "invalid time '" + std::string(s.substr(0, 40)) +
                          "': expected RFC 3339, e.g. 2026-01-31T12:00:00Z or 2026-01-31");
  };
  auto t = parse_timestamp(s, TimestampSyntax::kRfc3339);
  if (!t.ok()) return fail();
  // Nanoseconds since the epoch fit in int64 from 1678 to 2262.
  if (t->seconds > 9223372035LL || t->seconds < -9223372035LL) return fail();
  return t->seconds * 1000000000LL + t->nanos;
}

}  // namespace pqbpf::log

// Audit log records: the plain input a caller fills for one load attempt
// (AttemptRecord), and the parsed form of one line of the log (LogRecord).
//
// The log is JSON Lines. Every line carries `seq` (1, 2, 3, ... across the
// whole log, rotated files included) and `prev`, the lowercase hex SHA3-256 of
// the exact bytes of the previous line without its newline (64 zeros for the
// first record), so the lines form a hash chain. Two kinds of line exist:
// "attempt" (one per load attempt, allowed, denied or malformed) and
// "checkpoint" (the chain head and count, signed by the log's ML-DSA-65 key),
// and "recovered" (crash recovery moved a torn fragment aside).
// docs/AUDIT_LOG.md has the format with an example.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pqbpf/core/reason.h"
#include "pqbpf/crypto/sha3.h"
#include "pqbpf/result.h"

namespace pqbpf::log {

// Who asked for the load. Any subset may be known; an empty Actor is recorded
// as all-null (a malformed request is still recorded).
struct Actor {
  std::optional<std::uint32_t> uid;
  std::optional<std::int64_t> pid;
  std::optional<std::string> command;  // e.g. /proc/<pid>/comm
  std::optional<std::string> name;     // a given name: "admission-controller"
  // Written only when known (the gate daemon's and the sandbox's peers):
  std::optional<std::string> exe;      // /proc/<pid>/exe target
  std::optional<std::string> cgroup;   // cgroup v2 path, /proc/<pid>/cgroup

  static Actor named(std::string name);
  // uid, pid and command (/proc/self/comm) of the calling process.
  static Actor current_process();
  friend bool operator==(const Actor&, const Actor&) = default;
};

// A program the kernel holds after a load: its name, kernel id and tag (the
// kernel's 8-byte program tag in hex), as BPF_OBJ_GET_INFO_BY_FD reports.
struct KernelProgram {
  std::string name;
  std::uint32_t id = 0;
  std::string tag;
  friend bool operator==(const KernelProgram&, const KernelProgram&) = default;
};
constexpr std::size_t kMaxKernelPrograms = 64;

// One load attempt as the caller knows it. Every field but decision/reason is
// optional so malformed attempts (no envelope, unreadable object) are
// recorded too. Strings are stored as given, with invalid UTF-8 replaced by
// U+FFFD and each string capped (kMaxFieldBytes, kMaxHashFieldBytes), so
// a record never exceeds kMaxRecordBytes.
//
// `signer` must be set only when the envelope's signature verified against a
// key whose DID is `signer` (the DID/key binding held): the log records it as
// fact. For an unverified envelope leave it empty (put the claimed DID in
// reason_text if useful).
struct AttemptRecord {
  std::string action = "load";  // "check", "load", "kernel_attempt", ...
  Decision decision = Decision::kDeny;
  ReasonCode reason = ReasonCode::kInternalError;
  std::string reason_text;  // one human sentence
  Actor actor;
  std::optional<std::string> program;         // program (or object) name
  std::vector<std::string> program_types;     // "kprobe", "xdp", ...
  std::optional<std::string> object_sha3_256;    // lowercase hex
  std::optional<std::string> signer;             // DID, see above
  std::optional<std::string> envelope_sha3_256;  // lowercase hex
  // Written only when set (older lines lack them and still parse):
  // instructions of the attempted program as read (e.g. from a workload's
  // bpf() call), and what the kernel holds after an allowed load.
  std::optional<std::uint64_t> insn_count;
  std::vector<KernelProgram> kernel_programs;  // at most kMaxKernelPrograms
  // Who reported the attempt when that is not the actor: the sandbox
  // supervisor that forwarded a workload's load to the gate daemon
  // (`pqc-bpf run --gate`), from the daemon's SO_PEERCRED.
  std::optional<Actor> reported_by;
};

constexpr std::size_t kMaxFieldBytes = 1024;
constexpr std::size_t kMaxHashFieldBytes = 128;  // object/envelope hash, signer
constexpr std::size_t kMaxProgramTypes = 32;      // each capped at 64 bytes
// No line the writer produces is longer; the reader refuses longer lines.
constexpr std::size_t kMaxRecordBytes = 64 * 1024;
constexpr int kFormatVersion = 1;

// kRecovered: crash recovery moved an unterminated fragment to `.torn`.
enum class RecordKind { kAttempt, kCheckpoint, kRecovered };
enum class CheckpointTrigger { kInterval, kRotation, kClose };

std::string_view checkpoint_trigger_name(CheckpointTrigger trigger);

// Hex SHA3-256 chain value: the hash of one record's line (no newline).
using ChainHash = crypto::Sha3_256Digest;
ChainHash record_hash(std::string_view line);
std::string zero_chain_hex();  // 64 '0': prev of record seq 1

// The signed part of a checkpoint (the message is its canonical bytes).
struct CheckpointBody {
  std::uint64_t seq = 0;
  std::string time;
  std::string host;
  CheckpointTrigger trigger = CheckpointTrigger::kInterval;
  std::uint64_t count = 0;  // records before this one in the chain = seq - 1
  std::string signer;       // DID of the log key
  std::string prev;         // chain head: hex hash of the record seq - 1
};
// Sorted-key compact JSON of the body; what ML-DSA signs and verifies.
std::string checkpoint_signing_bytes(const CheckpointBody& body);

// What a `recovered` record names: the bytes crash recovery moved aside.
struct RecoveredBody {
  std::string torn_file;      // where they went (`<log>.torn`)
  std::uint64_t offset = 0;   // where they started in the log file
  std::uint64_t length = 0;   // how many bytes
  std::string sha3_256;       // hex SHA3-256 of those bytes
};

// One parsed line. Attempt fields are set for kAttempt, checkpoint fields
// for kCheckpoint, `recovered` for kRecovered.
struct LogRecord {
  RecordKind kind = RecordKind::kAttempt;
  std::uint64_t seq = 0;
  std::string time;
  std::string host;
  std::string prev;
  // attempt
  std::string action;
  std::string decision;  // "allow" / "deny" as written
  std::string reason;    // reason code name as written
  std::string reason_text;
  Actor actor;
  std::optional<std::string> program;
  std::vector<std::string> program_types;
  std::optional<std::string> object_sha3_256;
  std::optional<std::string> signer;  // attempt: bound signer; checkpoint: log key DID
  std::optional<std::string> envelope_sha3_256;
  std::optional<std::uint64_t> insn_count;
  std::vector<KernelProgram> kernel_programs;
  std::optional<Actor> reported_by;
  // checkpoint
  CheckpointTrigger trigger = CheckpointTrigger::kInterval;
  std::uint64_t count = 0;
  std::string signature_b64;
  // recovered
  RecoveredBody recovered;
  // The exact line (no newline): `log show --json` prints it unchanged.
  std::string line;

  CheckpointBody checkpoint_body() const;
};

// The part of an attempt line that does not depend on its position in the
// chain (everything after "time"), serialised once outside the log lock.
std::string serialize_attempt_body(const AttemptRecord& attempt);
// A full attempt line: {"v":1,"seq":..,"kind":"attempt","time":..,"host":..,<body>,"prev":..}
std::string assemble_attempt_line(std::uint64_t seq, std::string_view time, std::string_view host,
                                  std::string_view body, std::string_view prev_hex);
// The same bytes, appended to `out` (no newline).
void append_attempt_line(std::string& out, std::uint64_t seq, std::string_view time,
                         std::string_view host, std::string_view body, std::string_view prev_hex);
// A full checkpoint line with its base64 signature.
std::string serialize_checkpoint_line(const CheckpointBody& body, std::string_view signature_b64);

// {"v":1,"seq":..,"kind":"recovered","time":..,"host":..,"torn_file":..,
//  "offset":..,"length":..,"sha3_256":..,"prev":..}
std::string serialize_recovered_line(std::uint64_t seq, std::string_view time,
                                     std::string_view host, const RecoveredBody& body,
                                     std::string_view prev_hex);

// Strict parse of one line: known keys only, right types, hex and DID shapes.
// `label` prefixes errors ("audit.log:12").
Result<LogRecord> parse_record(std::string_view line, const std::string& label);

// RFC 3339 UTC with nanoseconds: "2026-11-29T12:00:00.123456789Z".
std::string format_time_utc(std::int64_t unix_seconds, std::uint32_t nanoseconds);
std::string now_rfc3339();
// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ" and fractional seconds
// (1-9 digits) or a numeric offset ("+02:00"); returns nanoseconds since epoch.
Result<std::int64_t> parse_rfc3339_ns(std::string_view text);

}  // namespace pqbpf::log

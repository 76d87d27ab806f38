// Reading an audit log for `pqc-bpf log show`: every record of every file
// (rotated ones first), filtered, plus a one-line text form. Reading does
// not verify the chain (that is verify_log); an unreadable whole line is an
// error naming file and line, and an unterminated final fragment (a crash
// mid-write) is skipped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pqbpf/core/reason.h"
#include "pqbpf/log/record.h"
#include "pqbpf/result.h"

namespace pqbpf::log {

struct RecordFilter {
  std::optional<Decision> decision;       // attempts with this decision only
  std::optional<std::string> signer;      // attempts whose bound signer is this DID
  std::optional<std::int64_t> since_ns;   // records at or after (parse_rfc3339_ns)
  // Checkpoint and `recovered` records; they never match decision/signer.
  bool include_checkpoints = false;
  std::size_t limit = 0;                  // keep only the newest `limit`; 0 = all
};

bool record_matches(const LogRecord& record, const RecordFilter& filter);

// Oldest first.
Result<std::vector<LogRecord>> read_records(const std::string& path,
                                            const RecordFilter& filter = {});

// One line, no newline, e.g.
// 2026-11-29T12:00:00.123456789Z #12 deny untrusted_signer load program=trace [kprobe] ...
std::string format_record_text(const LogRecord& record);

}  // namespace pqbpf::log

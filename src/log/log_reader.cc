// Filtered reading across rotated files, and the text form of a record.
#include "pqbpf/log/log_reader.h"

#include <deque>

#include "line_reader.h"
#include "pqbpf/log/log_files.h"

namespace pqbpf::log {

bool record_matches(const LogRecord& r, const RecordFilter& f) {
  if (r.kind != RecordKind::kAttempt) {
    if (!f.include_checkpoints || f.decision || f.signer) return false;
  } else {
    if (f.decision && r.decision != decision_name(*f.decision)) return false;
    if (f.signer && r.signer != *f.signer) return false;
  }
  if (f.since_ns) {
    auto t = parse_rfc3339_ns(r.time);
    if (!t.ok() || *t < *f.since_ns) return false;
  }
  return true;
}

Result<std::vector<LogRecord>> read_records(const std::string& path, const RecordFilter& filter) {
  PQBPF_ASSIGN_OR_RETURN(std::vector<LogFile> files, list_log_files(path));
  std::deque<LogRecord> kept;
  for (const LogFile& file : files) {
    PQBPF_ASSIGN_OR_RETURN(internal::LineReader reader, internal::LineReader::open(file.path));
    internal::Line line;
    while (true) {
      PQBPF_ASSIGN_OR_RETURN(bool more, reader.next(line));
      if (!more) break;
      if (!line.terminated) break;  // crash fragment
      const std::string label = file.path + ":" + std::to_string(line.number);
      if (line.too_long) {
        return make_error(ErrorCode::kParse, label + ": record longer than 65536 bytes");
      }
      PQBPF_ASSIGN_OR_RETURN(LogRecord rec, parse_record(line.text, label));
      if (!record_matches(rec, filter)) continue;
      kept.push_back(std::move(rec));
      if (filter.limit != 0 && kept.size() > filter.limit) kept.pop_front();
    }
  }
  return std::vector<LogRecord>(std::make_move_iterator(kept.begin()),
                                std::make_move_iterator(kept.end()));
}

std::string format_record_text(const LogRecord& r) {
  std::string out = r.time + " #" + std::to_string(r.seq) + " ";
  if (r.kind == RecordKind::kRecovered) {
    out += "recovered: moved " + std::to_string(r.recovered.length) + " bytes from offset " +
           std::to_string(r.recovered.offset) + " to " + r.recovered.torn_file + " (sha3-256 " +
           r.recovered.sha3_256.substr(0, 16) + "...)";
    for (char& c : out) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
    }
    return out;
  }
  if (r.kind == RecordKind::kCheckpoint) {
    out += "checkpoint (" + std::string(checkpoint_trigger_name(r.trigger)) + ") count=" +
           std::to_string(r.count) + " head=" + r.prev.substr(0, 16) + "... signer=" +
           r.signer.value_or("-");
    return out;
  }
  out += r.decision + " " + r.reason + " " + r.action + " program=" + r.program.value_or("-");
  if (!r.program_types.empty()) {
    out += " [";
    for (std::size_t i = 0; i < r.program_types.size(); ++i) {
      if (i) out += ",";
      out += r.program_types[i];
    }
    out += "]";
  }
  out += " signer=" + r.signer.value_or("-");
  out += " actor=";
  std::string actor;
  if (r.actor.name) actor += *r.actor.name;
  if (r.actor.uid) actor += (actor.empty() ? "" : ",") + std::string("uid=") + std::to_string(*r.actor.uid);
  if (r.actor.pid) actor += (actor.empty() ? "" : ",") + std::string("pid=") + std::to_string(*r.actor.pid);
  if (r.actor.command) actor += (actor.empty() ? "" : ",") + std::string("cmd=") + *r.actor.command;
  out += actor.empty() ? "-" : actor;
  if (!r.reason_text.empty()) out += " \"" + r.reason_text + "\"";
  // Control characters from recorded input must not reach a terminal raw.
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
  }
  return out;
}

}  // namespace pqbpf::log

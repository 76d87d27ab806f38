// The seed-compatible AttestationLog over LogWriter / an in-memory chain.
#include "pqbpf/log/attestation_log.h"

#include "pqbpf/log/log_reader.h"

namespace pqbpf::log {

AttestationLog::AttestationLog(std::size_t capacity)
    : capacity_(capacity), mu_(std::make_unique<std::mutex>()), head_hex_(zero_chain_hex()) {}

AttestationLog::AttestationLog(AttestationLog&&) noexcept = default;
AttestationLog& AttestationLog::operator=(AttestationLog&&) noexcept = default;
AttestationLog::~AttestationLog() = default;

Result<AttestationLog> AttestationLog::open(const std::string& path, LogSigner signer,
                                            const LogOptions& options) {
  PQBPF_ASSIGN_OR_RETURN(std::unique_ptr<LogWriter> writer,
                         LogWriter::open(path, std::move(signer), options));
  AttestationLog log(0);
  log.writer_ = std::move(writer);
  return log;
}

Result<AppendResult> AttestationLog::log(const AttemptRecord& attempt) {
  if (writer_) return writer_->append(attempt);
  std::lock_guard<std::mutex> lk(*mu_);
  if (memory_.size() >= capacity_) {
    return make_error(ErrorCode::kLimitExceeded,
                      "in-memory attestation log is full (" + std::to_string(capacity_) +
                          " records); open a file-backed log");
  }
  const std::uint64_t seq = memory_.size() + 1;
  const std::string line =
      assemble_attempt_line(seq, now_rfc3339(), "", serialize_attempt_body(attempt), head_hex_);
  PQBPF_ASSIGN_OR_RETURN(LogRecord rec, parse_record(line, "memory:" + std::to_string(seq)));
  head_hex_ = crypto::to_hex(record_hash(line));
  memory_.push_back(std::move(rec));
  return AppendResult{seq, head_hex_};
}

Result<AppendResult> AttestationLog::log(AttemptRecord attempt, Decision decision,
                                         ReasonCode reason, std::string reason_text,
                                         const Actor& actor) {
  attempt.decision = decision;
  attempt.reason = reason;
  attempt.reason_text = std::move(reason_text);
  attempt.actor = actor;
  return log(attempt);
}

Result<std::vector<LogRecord>> AttestationLog::entries(std::size_t limit,
                                                       std::optional<Decision> decision,
                                                       std::optional<std::string> signer) const {
  RecordFilter filter;
  filter.limit = limit;
  filter.decision = decision;
  filter.signer = std::move(signer);
  if (writer_) return read_records(writer_->path(), filter);
  std::lock_guard<std::mutex> lk(*mu_);
  std::vector<LogRecord> out;
  for (auto it = memory_.rbegin(); it != memory_.rend(); ++it) {
    if (limit != 0 && out.size() == limit) break;
    if (record_matches(*it, filter)) out.push_back(*it);
  }
  return std::vector<LogRecord>(out.rbegin(), out.rend());
}

Status AttestationLog::close() {
  if (writer_) return writer_->close();
  return ok_status();
}

}  // namespace pqbpf::log

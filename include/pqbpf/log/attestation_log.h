// AttestationLog: the seed's API (log(...) per attempt, entries(limit,
// decision, signer)) on top of the hash-chained log.
//
// Two modes:
// - open(path, signer, options): every log() is a LogWriter append (durable
//   per options.durability, fail closed); entries() reads the file(s), so it
//   also sees records other processes appended.
// - AttestationLog(capacity): in memory only, for tests and embedding. The
//   records are chained the same way (same bytes as the file form) but not
//   checkpointed. Bounded WITHOUT silently dropping: once `capacity` records
//   are held, log() fails with kLimitExceeded (the caller denies, as for any
//   log error) instead of evicting old records, as the seed did.
//
// Thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "pqbpf/core/reason.h"
#include "pqbpf/log/log_writer.h"
#include "pqbpf/log/record.h"
#include "pqbpf/result.h"

namespace pqbpf::log {

class AttestationLog {
 public:
  static constexpr std::size_t kDefaultCapacity = 100000;

  explicit AttestationLog(std::size_t capacity = kDefaultCapacity);
  static Result<AttestationLog> open(const std::string& path, LogSigner signer,
                                     const LogOptions& options = {});
  AttestationLog(AttestationLog&&) noexcept;
  AttestationLog& operator=(AttestationLog&&) noexcept;
  ~AttestationLog();

  // Records one attempt. Any error means it was not recorded: deny.
  Result<AppendResult> log(const AttemptRecord& attempt);
  // The seed's argument order: what was attempted, then decision, reason, actor.
  Result<AppendResult> log(AttemptRecord attempt, Decision decision, ReasonCode reason,
                           std::string reason_text, const Actor& actor);

  // Attempt records, oldest first; the newest `limit` matches (0 = all).
  Result<std::vector<LogRecord>> entries(std::size_t limit = 0,
                                         std::optional<Decision> decision = std::nullopt,
                                         std::optional<std::string> signer = std::nullopt) const;

  bool persistent() const { return writer_ != nullptr; }
  std::size_t capacity() const { return capacity_; }
  // File mode: writes the close checkpoint. Memory mode: no-op.
  Status close();

 private:
  std::unique_ptr<LogWriter> writer_;
  std::size_t capacity_ = kDefaultCapacity;
  std::unique_ptr<std::mutex> mu_;
  std::vector<LogRecord> memory_;
  std::string head_hex_;
};

}  // namespace pqbpf::log

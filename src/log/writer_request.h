// One queued append of a LogWriter (internal to src/log).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include <atomic>
#include "pqbpf/log/log_writer.h"

namespace pqbpf::log {

struct LogWriter::Request {
  // kBatch: the leader of a group sets kDone (after `result`) on each of its
  // requests, and kLead on the first request still queued, which then leads
  // the next group; then it wakes the waiters (LogWriter::groups_done_).
  static constexpr std::uint32_t kQueued = 0, kDone = 1, kLead = 2;

  std::string body;
  std::optional<Result<AppendResult>> result;
  std::thread::id thread = std::this_thread::get_id();
  std::atomic<std::uint32_t> state{kQueued};
};

}  // namespace pqbpf::log

// One queued append of a LogWriter (internal to src/log).
#pragma once

#include <condition_variable>
#include <optional>
#include <string>
#include <thread>

#include "pqbpf/log/log_writer.h"

namespace pqbpf::log {

struct LogWriter::Request {
  std::string body;
  std::optional<Result<AppendResult>> result;
  bool done = false;
  std::thread::id thread = std::this_thread::get_id();
  // kBatch: woken (with queue_mu_) when done, or when it is first in the
  // queue and no group is in flight, to lead the next group.
  std::condition_variable cv;
};

}  // namespace pqbpf::log

// LogWriter::append and kBatch group commit: concurrent appends queue up, one
// of them (the leader) commits everything queued with one write and one
// fsync, and wakes the others (design notes in log_writer.h and
// docs/AUDIT_LOG.md).
#include <algorithm>
#include <vector>

#include "pqbpf/log/log_writer.h"
#include "writer_request.h"

namespace pqbpf::log {
namespace {

void add_writer(std::vector<std::thread::id>& writers, std::thread::id id) {
  if (std::find(writers.begin(), writers.end(), id) == writers.end()) writers.push_back(id);
}

}  // namespace

Result<AppendResult> LogWriter::append(const AttemptRecord& attempt) {
  Request req;
  req.body = serialize_attempt_body(attempt);
  if (options_.durability != Durability::kBatch) {
    std::lock_guard<std::mutex> lk(commit_mu_);
    Request* const group[1] = {&req};
    commit_group(group);
    return std::move(*req.result);
  }
  std::unique_lock<std::mutex> lk(queue_mu_);
  pending_.push_back(&req);
  if (leader_lingering_) linger_cv_.notify_one();
  while (!req.done) {
    if (flushing_) {
      req.cv.wait(lk);
      continue;
    }
    flushing_ = true;
    linger_for_writers(lk);
    std::vector<Request*> group;
    while (!pending_.empty() && group.size() < options_.max_batch) {
      group.push_back(pending_.front());
      pending_.pop_front();
    }
    lk.unlock();
    const auto start = std::chrono::steady_clock::now();
    {
      std::lock_guard<std::mutex> commit(commit_mu_);
      commit_group(group);
    }
    const auto took = std::chrono::steady_clock::now() - start;
    lk.lock();
    last_commit_time_ = std::chrono::duration_cast<std::chrono::microseconds>(took);
    last_group_threads_.clear();
    for (Request* r : group) {
      add_writer(last_group_threads_, r->thread);
      r->done = true;
      if (r != &req) r->cv.notify_one();  // only the group's own writers wake
    }
    flushing_ = false;
    if (!pending_.empty()) pending_.front()->cv.notify_one();  // the next leader
  }
  return std::move(*req.result);
}

// Without this, a closed loop of N writers splits into two alternating
// groups (those woken by the last fsync are still on their way back while
// the others commit), so each fsync carries about N/2 records. The leader
// waits until the writers of the last group are queued again, or for at most
// min(kMaxLinger, a quarter of the last commit's duration): waking writers is
// slow on small VMs, and waiting longer than that costs more than it groups.
// A lone writer never waits: the last group was its own.
void LogWriter::linger_for_writers(std::unique_lock<std::mutex>& lk) {
  std::vector<std::thread::id> writers = last_group_threads_;
  for (const Request* r : pending_) add_writer(writers, r->thread);
  const std::size_t target = std::min(writers.size(), options_.max_batch);
  if (pending_.size() >= target) return;
  const auto deadline = std::chrono::steady_clock::now() + std::min(kMaxLinger, last_commit_time_ / 4);
  leader_lingering_ = true;
  while (pending_.size() < target) {
    if (linger_cv_.wait_until(lk, deadline) == std::cv_status::timeout) break;
  }
  leader_lingering_ = false;
}

}  // namespace pqbpf::log

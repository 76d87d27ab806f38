// LogWriter::append and kBatch group commit: concurrent appends queue up, one
// of them (the leader) commits everything queued with one write and one
// fsync, and wakes the others (design notes in log_writer.h and
// docs/AUDIT_LOG.md).
//
// Each wake-up costs tens of microseconds on a small VM, about as much as a
// fast fsync, so the protocol keeps them off the path to the next fsync:
// - waiting writers sleep on one futex word that the leader bumps once per
//   group, so one system call wakes the group, and a woken writer returns at
//   once instead of queueing for a mutex behind the rest of its group;
// - the writer whose arrival completes the group the leader lingers for
//   commits it itself, instead of waking the leader to do it;
// - they are woken after the queue lock is released.
#include <algorithm>
#include <vector>

#include "pqbpf/log/log_writer.h"
#include "futex.h"
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
  if (!leader_active_) {
    leader_active_ = true;  // nobody leads (so nothing else is queued): this writer does
    lead_group(lk, req, true);
  } else if (lingering_ != nullptr && pending_.size() >= linger_target_) {
    // The group the lingering leader waits for is complete. This writer is
    // running already: it commits the group, and the leader, whose request
    // is the group's first, is woken with the rest.
    lingering_ = nullptr;
    lead_group(lk, req, false);
  } else {
    lk.unlock();
    wait_for_group(req);
  }
  return std::move(*req.result);
}

Result<AppendResult> LogWriter::append_deferred(const AttemptRecord& attempt) {
  Request req;
  req.body = serialize_attempt_body(attempt);
  // Not queued for a group: nothing waits for its fsync. Commits are
  // serialised by commit_mu_, so it lands between groups, in order.
  std::lock_guard<std::mutex> lk(commit_mu_);
  Request* const group[1] = {&req};
  defer_sync_ = true;
  commit_group(group);
  defer_sync_ = false;
  return std::move(*req.result);
}

void LogWriter::wait_for_group(Request& req) {
  for (;;) {
    const std::uint32_t seen = groups_done_.load(std::memory_order_acquire);  // first: no lost wake
    const std::uint32_t state = req.state.load(std::memory_order_acquire);
    if (state == Request::kDone) return;
    if (state == Request::kLead) {
      std::unique_lock<std::mutex> lk(queue_mu_);
      req.state.store(Request::kQueued, std::memory_order_relaxed);
      lead_group(lk, req, true);
      return;
    }
    internal::futex_wait(groups_done_, seen);
  }
}

// Called with queue_mu_ held by the one writer that leads; returns with it
// released once `req` has its result.
void LogWriter::lead_group(std::unique_lock<std::mutex>& lk, Request& req, bool may_linger) {
  if (may_linger && !linger_for_writers(lk, req)) {
    lk.unlock();  // relieved: a writer that completed the group commits it
    wait_for_group(req);
    return;
  }
  std::vector<Request*> group;
  const std::size_t n = std::min(pending_.size(), options_.max_batch);
  group.assign(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
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
  for (const Request* r : group) add_writer(last_group_threads_, r->thread);
  Request* next = pending_.empty() ? nullptr : pending_.front();
  if (next != nullptr) {
    next->state.store(Request::kLead, std::memory_order_release);  // leader_active_ stays set
  } else {
    leader_active_ = false;
  }
  for (Request* r : group) {
    if (r != &req) r->state.store(Request::kDone, std::memory_order_release);  // r may be gone now
  }
  groups_done_.fetch_add(1, std::memory_order_release);
  lk.unlock();
  internal::futex_wake_all(groups_done_);  // one system call for the group and the next leader
}

// Without this, a closed loop of N writers splits into two alternating
// groups (those woken by the last fsync are still on their way back while
// the others commit), so each fsync carries about N/2 records. The leader
// waits until the writers of the last group are queued again (the writer
// that completes the group then commits it, see append()), or for at most
// min(kMaxLinger, a quarter of the last commit's duration): waiting longer
// than that costs more than it groups. A lone writer never waits: the last
// group was its own. Returns false if the leader was relieved while it
// waited.
bool LogWriter::linger_for_writers(std::unique_lock<std::mutex>& lk, Request& req) {
  std::vector<std::thread::id> writers = last_group_threads_;
  for (const Request* r : pending_) add_writer(writers, r->thread);
  const std::size_t target = std::min(writers.size(), options_.max_batch);
  if (pending_.size() >= target) return true;
  const auto deadline =
      std::chrono::steady_clock::now() + std::min(kMaxLinger, last_commit_time_ / 4);
  lingering_ = &req;
  linger_target_ = target;
  while (lingering_ == &req) {
    const std::chrono::nanoseconds left = deadline - std::chrono::steady_clock::now();
    if (left.count() <= 0) break;
    const std::uint32_t seen = groups_done_.load(std::memory_order_acquire);
    lk.unlock();
    internal::futex_wait(groups_done_, seen, &left);  // arrivals do not wake it: see append()
    lk.lock();
  }
  if (lingering_ != &req) return false;
  lingering_ = nullptr;
  return true;
}

}  // namespace pqbpf::log

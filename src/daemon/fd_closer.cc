// Non-blocking disposal of client-controlled descriptors (see fd_closer.h).
#include "fd_closer.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "socket_io.h"

namespace pqbpf::daemon::internal {

bool closes_promptly(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return false;
  // Only shmem (memfd) answers F_GET_SEALS; it has no flush.
  if (S_ISREG(st.st_mode)) return ::fcntl(fd, F_GET_SEALS) >= 0;
  if ((st.st_mode & S_IFMT) != 0) return false;  // anon inodes have no file type
  // Which anon inode: /proc names it. A map's release frees it later, in the
  // kernel, whatever its sender does.
  std::array<char, 64> target{};
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  const ssize_t n = ::readlink(link.c_str(), target.data(), target.size() - 1);
  return n > 0 && std::string_view(target.data(), static_cast<std::size_t>(n)) == "anon_inode:bpf-map";
}

struct FdCloser::Shared {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<int> queue;  // under mu
  bool stopping = false;  // under mu
  bool done = false;      // under mu: the thread has returned
  std::size_t limit = 0;
  std::atomic<std::uint64_t> deferred{0};
  std::atomic<std::uint64_t> leaked{0};
  std::atomic<std::uint64_t> pending{0};
};

FdCloser::FdCloser(std::size_t queue_limit) : shared_(std::make_shared<Shared>()) {
  shared_->limit = queue_limit;
  // The thread owns a reference: it may outlive this object (stop()).
  thread_ = std::thread([s = shared_] {
    std::unique_lock lock(s->mu);
    for (;;) {
      s->cv.wait(lock, [&] { return s->stopping || !s->queue.empty(); });
      if (s->queue.empty()) break;  // stopping, and nothing left
      const int fd = s->queue.front();
      s->queue.pop_front();
      lock.unlock();
      ::close(fd);  // may block: that is why it is here
      s->pending--;
      lock.lock();
    }
    s->done = true;
    s->cv.notify_all();
  });
}

FdCloser::~FdCloser() { (void)stop(kStopWait); }

void FdCloser::dispose(UniqueFd fd) {
  if (!fd.valid() || closes_promptly(fd.get())) return;  // closed here
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && S_ISSOCK(st.st_mode)) {
    const linger reset{1, 0};  // a TCP close sends RST at once instead of lingering
    ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
  }
  enqueue(std::move(fd));
}

void FdCloser::enqueue(UniqueFd fd) {
  std::lock_guard lock(shared_->mu);
  if (shared_->stopping || shared_->queue.size() >= shared_->limit) {
    shared_->leaked++;
    (void)fd.release();  // left open: better than a stuck server thread
    return;
  }
  shared_->deferred++;
  shared_->pending++;
  shared_->queue.push_back(fd.release());
  shared_->cv.notify_one();
}

void FdCloser::close_connection(UniqueFd conn) {
  if (!conn.valid()) return;
  // After SHUT_RD a peer's send fails (EPIPE), so the queue only shrinks;
  // reading an empty one returns 0 at once. A zero-length message also reads
  // as 0, so an empty read does not end the drain: a fixed number of reads
  // does, more than an unprivileged sender's buffer (wmem_max) can queue.
  ::shutdown(conn.get(), SHUT_RD);
  constexpr int kMaxDrain = 1024;
  bool last_was_message = false;
  for (int i = 0; i < kMaxDrain; ++i) {
    std::vector<UniqueFd> fds;
    const ssize_t n = drain_one_message(conn.get(), fds);
    if (n < 0) {
      last_was_message = false;
      break;
    }
    last_was_message = n > 0 || !fds.empty();
    for (UniqueFd& f : fds) dispose(std::move(f));
  }
  // Still full after the drain (a privileged sender's huge buffer): let the
  // closer thread close it.
  if (last_was_message) enqueue(std::move(conn));
}  // closed here: nothing is queued on it any more

bool FdCloser::stop(std::chrono::milliseconds wait) {
  if (!thread_.joinable()) return true;
  std::unique_lock lock(shared_->mu);
  shared_->stopping = true;
  shared_->cv.notify_all();
  const bool finished = shared_->cv.wait_for(lock, wait, [&] { return shared_->done; });
  lock.unlock();
  if (finished) {
    thread_.join();
  } else {
    thread_.detach();  // stuck in a close; it holds its own reference to shared_
  }
  return finished;
}

FdCloser::Stats FdCloser::stats() const {
  return Stats{shared_->deferred.load(), shared_->leaked.load(), shared_->pending.load()};
}

}  // namespace pqbpf::daemon::internal

// The daemon's event loop and worker pool (see server.h).
#include "pqbpf/daemon/server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "gate_state.h"
#include "pqbpf/core/key_file.h"
#include "pqbpf/daemon/peer.h"
#include "pqbpf/daemon/protocol.h"
#include "pqbpf/log/log_signer.h"
#include "socket_io.h"

namespace pqbpf::daemon {

using internal::GateState;
using internal::Reply;

namespace {

Error errno_error(const std::string& what) {
  return make_error(ErrorCode::kIo, what + ": " + std::strerror(errno));
}

Result<UniqueFd> bind_socket(const DaemonConfig& c) {
  struct stat st {};
  if (::lstat(c.socket_path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return make_error(ErrorCode::kAlreadyExists, c.socket_path + ": exists and is not a socket; remove it");
    }
    ::unlink(c.socket_path.c_str());  // a stale socket of an earlier run
  }
  UniqueFd fd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return errno_error("socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, c.socket_path.c_str(), c.socket_path.size());
  // Created 0600 (no window where others may connect), then set to the mode.
  const mode_t old = ::umask(0177);
  const int bound = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  const int bind_errno = errno;
  ::umask(old);
  if (bound != 0) return make_error(ErrorCode::kIo, c.socket_path + ": bind: " + std::strerror(bind_errno));
  if (::chmod(c.socket_path.c_str(), c.socket_mode) != 0) return errno_error(c.socket_path + ": chmod");
  if (::listen(fd.get(), 128) != 0) return errno_error(c.socket_path + ": listen");
  return fd;
}

bool peer_allowed(const DaemonConfig& c, const Peer& p) {
  return std::find(c.allowed_uids.begin(), c.allowed_uids.end(), p.uid) != c.allowed_uids.end() ||
         std::find(c.allowed_gids.begin(), c.allowed_gids.end(), p.gid) != c.allowed_gids.end();
}

}  // namespace

struct GateServer::State {
  GateState gate;
  UniqueFd listen_fd;
  UniqueFd epoll_fd;
  UniqueFd wake_fd;  // eventfd: stop, reload, a connection a worker could not re-arm
  std::atomic<bool> stop{false};
  std::atomic<bool> reload{false};
  std::function<void(GateServer::Event)> event_hook;
  void event(GateServer::Event e) {
    if (event_hook) event_hook(e);
  }
  std::optional<std::chrono::steady_clock::time_point> accept_paused_until;

  void pause_accepting() {
    if (accept_paused_until) return;
    ::epoll_ctl(epoll_fd.get(), EPOLL_CTL_DEL, listen_fd.get(), nullptr);
    accept_paused_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
  }
  void resume_accepting() {
    if (!accept_paused_until || std::chrono::steady_clock::now() < *accept_paused_until) return;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = listen_fd.get();
    if (::epoll_ctl(epoll_fd.get(), EPOLL_CTL_ADD, listen_fd.get(), &ev) == 0) accept_paused_until.reset();
  }

  struct Connection {
    UniqueFd fd;
    log::Actor actor;
    std::chrono::steady_clock::time_point idle_since;
    bool busy = false;
    std::uint64_t request = 0;  // id of the connection's latest request
  };
  std::map<int, Connection> connections;  // loop thread only

  struct Job {
    int fd;
    std::vector<std::uint8_t> message;
    std::vector<UniqueFd> fds;
    log::Actor actor;
    std::uint64_t request;  // unique per request (loop thread's counter)
  };
  // An answered request. The worker re-arms the connection itself (no
  // wake-up of the loop per request); the loop notes it idle when it next
  // runs, unless a newer request has started on it (or the fd now belongs
  // to another connection: request ids are never reused).
  struct Finished {
    int fd;
    std::uint64_t request;
    std::chrono::steady_clock::time_point at;
    bool armed;  // false: re-arming failed, the loop closes the connection
  };
  // One per worker. A new job goes to the worker that became idle last
  // (a stack), not to the one idle longest (a condition variable's order):
  // its caches are warm. With one client, round robin over 8 workers cost
  // ~25 us CPU per load in reading the memfds and in the libbpf load alone.
  struct WorkerSlot {
    std::condition_variable cv;
    bool go = false;  // under mu: woken for a job or for stop
  };
  std::mutex mu;
  std::vector<std::unique_ptr<WorkerSlot>> slots;  // owned here, so a notify never outlives one
  std::vector<WorkerSlot*> idle;                   // under mu; the most recently idle last
  std::deque<Job> jobs;
  std::vector<Finished> finished;
  std::uint64_t next_request = 0;  // loop thread only
  bool workers_stop = false;
  std::vector<std::thread> workers;

  void wake() {
    const std::uint64_t one = 1;
    (void)!::write(wake_fd.get(), &one, sizeof(one));
  }
  void worker_loop(WorkerSlot& me);
  void stop_workers();
  void accept_all();
  void receive(int fd);
  void close_connection(int fd);
  void expire_idle();
  void note_finished();
  void arm(int fd);
  bool arm_from_worker(int fd);
};

void GateServer::State::worker_loop(WorkerSlot& me) {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu);
      while (!workers_stop && jobs.empty()) {
        idle.push_back(&me);
        me.cv.wait(lock, [&] { return me.go; });
        me.go = false;
      }
      if (jobs.empty()) return;
      job = std::move(jobs.front());
      jobs.pop_front();
    }
    Reply reply = internal::handle_message(gate, job.message, std::move(job.fds), job.actor);
    // A client that does not read its replies loses its connection, not a worker.
    (void)internal::send_message(job.fd, reply.json, reply.fds, /*blocking=*/false);
    // The fd stays open until the loop closes it, and the loop closes only
    // connections it is watching: not this one until it is armed here.
    const bool armed = arm_from_worker(job.fd);
    {
      std::lock_guard lock(mu);
      finished.push_back(Finished{job.fd, job.request, std::chrono::steady_clock::now(), armed});
    }
    if (!armed) wake();
  }
}

// Workers finish the jobs already queued, then return.
void GateServer::State::stop_workers() {
  std::lock_guard lock(mu);
  workers_stop = true;
  for (WorkerSlot* w : idle) {
    w->go = true;
    w->cv.notify_one();
  }
  idle.clear();
}

bool GateServer::State::arm_from_worker(int fd) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.fd = fd;
  return ::epoll_ctl(epoll_fd.get(), EPOLL_CTL_MOD, fd, &ev) == 0;
}

void GateServer::State::arm(int fd) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.fd = fd;
  if (::epoll_ctl(epoll_fd.get(), EPOLL_CTL_MOD, fd, &ev) != 0) close_connection(fd);
}

void GateServer::State::close_connection(int fd) {
  auto it = connections.find(fd);
  if (it == connections.end()) return;
  ::epoll_ctl(epoll_fd.get(), EPOLL_CTL_DEL, fd, nullptr);
  connections.erase(it);  // closes
}

void GateServer::State::accept_all() {
  for (;;) {
    UniqueFd conn(::accept4(listen_fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!conn.valid()) {
      // Out of descriptors: the pending connection keeps the listening socket
      // readable, so stop watching it for a moment instead of spinning.
      if (errno == EMFILE || errno == ENFILE) pause_accepting();
      return;  // EAGAIN or a transient error; epoll tells us again
    }
    gate.counters.connections++;
    auto peer = peer_of(conn.get());
    if (!peer.ok() || !peer_allowed(gate.config, *peer)) {
      gate.counters.refused_peers++;
      const Reply r = internal::error_reply(make_error(
          ErrorCode::kPermission, peer.ok() ? "uid " + std::to_string(peer->uid) + " / gid " +
                                                  std::to_string(peer->gid) + " may not use this gate"
                                            : peer.error().message));
      (void)internal::send_message(conn.get(), r.json, std::vector<int>{}, false);
      continue;
    }
    if (connections.size() >= gate.config.max_connections) {
      const Reply r =
          internal::error_reply(make_error(ErrorCode::kLimitExceeded, "too many connections; retry"));
      (void)internal::send_message(conn.get(), r.json, std::vector<int>{}, false);
      continue;
    }
    const int fd = conn.get();
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
    ev.data.fd = fd;
    if (::epoll_ctl(epoll_fd.get(), EPOLL_CTL_ADD, fd, &ev) != 0) continue;
    connections[fd] = Connection{std::move(conn), actor_of(*peer), std::chrono::steady_clock::now(), false};
  }
}

void GateServer::State::receive(int fd) {
  auto it = connections.find(fd);
  if (it == connections.end()) return;
  auto received = internal::receive_message(fd, kMaxInlineRequest, /*blocking=*/false);
  if (received.ok() && received->closed) {
    close_connection(fd);
    return;
  }
  if (received.ok() && received->would_block) {
    arm(fd);
    return;
  }
  if (!received.ok()) {
    // Oversized, too many descriptors: answer and keep the connection.
    gate.counters.requests++;
    gate.counters.bad_requests++;
    const Reply r = internal::error_reply(received.error());
    (void)internal::send_message(fd, r.json, std::vector<int>{}, false);
    it->second.idle_since = std::chrono::steady_clock::now();
    arm(fd);
    return;
  }
  it->second.busy = true;
  it->second.request = ++next_request;
  WorkerSlot* worker = nullptr;
  {
    std::lock_guard lock(mu);
    jobs.push_back(Job{fd, std::move(received->bytes), std::move(received->fds), it->second.actor,
                       it->second.request});
    if (!idle.empty()) {
      worker = idle.back();
      idle.pop_back();
      worker->go = true;
    }
  }
  // None idle: a busy worker takes the job when it finishes its own.
  if (worker != nullptr) worker->cv.notify_one();
}

void GateServer::State::note_finished() {
  std::vector<Finished> done;
  {
    std::lock_guard lock(mu);
    if (finished.empty()) return;
    done.swap(finished);
  }
  for (const Finished& f : done) {
    auto it = connections.find(f.fd);
    if (it == connections.end() || it->second.request != f.request) continue;
    if (!f.armed) {
      close_connection(f.fd);
      continue;
    }
    it->second.busy = false;
    it->second.idle_since = f.at;
  }
}

void GateServer::State::expire_idle() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<int> expired;
  for (auto& [fd, c] : connections) {
    if (!c.busy && now - c.idle_since > gate.config.request_timeout) expired.push_back(fd);
  }
  for (int fd : expired) {
    gate.counters.timeouts++;
    const Reply r = internal::error_reply(
        make_error(ErrorCode::kLimitExceeded, "timeout: no complete request within the request timeout"));
    (void)internal::send_message(fd, r.json, std::vector<int>{}, false);
    close_connection(fd);
  }
}

GateServer::GateServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

GateServer::~GateServer() {
  if (!state_) return;
  state_->stop_workers();
  for (auto& t : state_->workers) {
    if (t.joinable()) t.join();
  }
  if (state_->listen_fd.valid()) ::unlink(state_->gate.config.socket_path.c_str());
  internal::stop_lsm(state_->gate);
  if (state_->gate.log) (void)state_->gate.log->close();
}

Result<std::unique_ptr<GateServer>> GateServer::create(DaemonConfig config) {
  auto state = std::make_unique<State>();
  GateState& g = state->gate;
  g.config = std::move(config);
  const DaemonConfig& c = g.config;

  PQBPF_ASSIGN_OR_RETURN(auto policy, internal::read_policy(c.policy_path));
  g.set_policy(std::move(policy));
  if (!c.envelopes_dir.empty()) {  // the store for `pqc-bpf run --gate` (forwarded_load.cc)
    PQBPF_ASSIGN_OR_RETURN(auto store, internal::open_store(c.envelopes_dir, *g.policy()));
    g.set_store(std::move(store));
  }

  PQBPF_ASSIGN_OR_RETURN(Identity key, load_key_file(c.checkpoint_key));
  PQBPF_ASSIGN_OR_RETURN(log::LogSigner signer, log::LogSigner::create(key.private_key(), key.public_key()));
  log::LogOptions log_options;
  log_options.durability = c.durability;
  log_options.checkpoint_every = c.checkpoint_every;
  // The log's witness (last signed seq and chain head) lives in the daemon's
  // own state directory, apart from the log, so a log cut back behind its
  // last checkpoint is refused at start (docs/AUDIT_LOG.md, Witness).
  if (::mkdir(c.state_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return make_error(ErrorCode::kIo, c.state_dir + ": cannot create the state directory: " +
                                          std::strerror(errno));
  }
  log_options.witness_path =
      c.state_dir + "/" + std::filesystem::path(c.log_path).filename().string() + ".witness";
  PQBPF_ASSIGN_OR_RETURN(g.log, log::LogWriter::open(c.log_path, std::move(signer), log_options));

  // Pins are optional: without a usable bpffs root the daemon still serves
  // fd requests and refuses pin requests with the reason.
  ::mkdir(c.pin_root.c_str(), 0700);
  auto root = loader::PinRoot::open(c.pin_root);
  if (root.ok()) {
    g.pin_root.emplace(std::move(root).value());
  } else {
    g.pin_root_error = root.error().message;
  }
  PQBPF_RETURN_IF_ERROR(internal::start_lsm(g));  // the BPF LSM, per lsm: (docs/LSM.md)

  PQBPF_ASSIGN_OR_RETURN(state->listen_fd, bind_socket(c));
  state->epoll_fd = UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
  state->wake_fd = UniqueFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!state->epoll_fd.valid() || !state->wake_fd.valid()) return errno_error("epoll/eventfd");
  for (int fd : {state->listen_fd.get(), state->wake_fd.get()}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (::epoll_ctl(state->epoll_fd.get(), EPOLL_CTL_ADD, fd, &ev) != 0) return errno_error("epoll_ctl");
  }
  State* raw = state.get();
  for (unsigned i = 0; i < c.workers; ++i) {
    raw->slots.push_back(std::make_unique<State::WorkerSlot>());
    State::WorkerSlot* slot = raw->slots.back().get();
    raw->workers.emplace_back([raw, slot] { raw->worker_loop(*slot); });
  }
  return std::unique_ptr<GateServer>(new GateServer(std::move(state)));
}

void GateServer::request_stop() {
  state_->stop = true;
  state_->wake();
}

void GateServer::request_reload() {
  state_->reload = true;
  state_->wake();
}

Status GateServer::reload_policy() {
  GateState& g = state_->gate;
  auto fresh = internal::read_policy(g.config.policy_path);
  if (!fresh.ok()) {
    g.counters.reload_failures++;
    std::cerr << "pqc-bpf-gated: policy reload failed, keeping policy sha3-256 " << g.policy()->sha3_256
              << ": " << fresh.error().message << "\n";
    return fresh.error();
  }
  g.counters.reloads++;
  std::cerr << "pqc-bpf-gated: policy reloaded (sha3-256 " << (*fresh)->sha3_256 << ")\n";
  g.set_policy(std::move(fresh).value());
  return ok_status();
}

nlohmann::json GateServer::status() const { return state_->gate.status(); }

void GateServer::set_event_hook(std::function<void(Event)> hook) { state_->event_hook = std::move(hook); }

Status GateServer::run(int signal_fd) {
  State& s = *state_;
  if (signal_fd >= 0) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = signal_fd;
    if (::epoll_ctl(s.epoll_fd.get(), EPOLL_CTL_ADD, signal_fd, &ev) != 0) return errno_error("epoll_ctl");
  }
  epoll_event events[64];
  while (!s.stop) {
    const int n = ::epoll_wait(s.epoll_fd.get(), events, 64, 100);
    if (n < 0 && errno != EINTR) return errno_error("epoll_wait");
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == s.listen_fd.get()) {
        s.accept_all();
      } else if (fd == s.wake_fd.get()) {
        std::uint64_t v;
        (void)!::read(fd, &v, sizeof(v));
      } else if (fd == signal_fd) {
        signalfd_siginfo info{};
        while (::read(signal_fd, &info, sizeof(info)) == sizeof(info)) {
          if (info.ssi_signo == SIGHUP) s.reload = true;
          if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) s.stop = true;
        }
      } else {
        s.receive(fd);
      }
    }
    s.note_finished();
    s.resume_accepting();
    if (s.reload.exchange(false) && !s.stop) {
      s.event(Event::kReloading);
      (void)reload_policy();
      (void)s.gate.reload_store();  // decided with the policy now in force
      s.event(Event::kReloaded);
    }
    s.expire_idle();
  }
  // Clean shutdown: no new connections, finish the requests in flight.
  s.event(Event::kStopping);
  if (!s.accept_paused_until) ::epoll_ctl(s.epoll_fd.get(), EPOLL_CTL_DEL, s.listen_fd.get(), nullptr);
  s.stop_workers();
  for (auto& t : s.workers) t.join();
  s.workers.clear();
  s.connections.clear();
  ::unlink(s.gate.config.socket_path.c_str());
  s.listen_fd.reset();
  internal::stop_lsm(s.gate);  // drains its last events into the log
  Status closed = s.gate.log->close();
  return closed;
}

}  // namespace pqbpf::daemon

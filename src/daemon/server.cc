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
#include <mutex>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "gate_state.h"
#include "pqbpf/core/key_file.h"
#include "pqbpf/core/key_purpose.h"
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
  // Created with the configured mode by bind itself, under a umask that
  // yields it: a chmod by path afterwards would follow a symlink someone put
  // there between the bind and the chmod.
  const mode_t old = ::umask(~c.socket_mode & 0777);
  const int bound = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  const int bind_errno = errno;
  ::umask(old);
  if (bound != 0) return make_error(ErrorCode::kIo, c.socket_path + ": bind: " + std::strerror(bind_errno));
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
  UniqueFd epoll_fd;       // the loop's: listening socket, wake_fd, signal fd
  UniqueFd conn_epoll_fd;  // the workers': every connection, one-shot
  UniqueFd wake_fd;        // eventfd: stop, reload
  UniqueFd workers_stop_fd;  // eventfd in conn_epoll_fd, written at stop (level-triggered: wakes all)
  std::atomic<bool> stop{false};
  std::atomic<bool> reload{false};
  std::function<void(GateServer::Event)> event_hook;
  void event(GateServer::Event e) {
    if (event_hook) event_hook(e);
  }
  std::optional<std::chrono::steady_clock::time_point> accept_paused_until;  // loop thread only

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

  // Workers wait in epoll_wait on conn_epoll_fd themselves (leader/followers):
  // the thread the kernel wakes for a readable connection serves it, so a
  // request crosses no thread hand-off between the client's send and its
  // reply. The kernel wakes one waiter per event, the one that began waiting
  // last, so with few clients the same warm thread serves them. A connection
  // is armed one-shot: at most one worker has it at a time.
  struct Connection {
    UniqueFd fd;
    log::Actor actor;
    std::chrono::steady_clock::time_point idle_since;
    bool busy = false;  // a worker is serving it: nobody else closes it
    loader::CallerPrivilege privilege;  // the connecting process's, read at accept (peer.h)
  };
  std::mutex mu;
  // Keyed by an id that is never reused, not by fd: an event for a connection
  // the loop has just closed for idleness finds nothing, even if its fd
  // number already belongs to a new connection.
  std::map<std::uint64_t, Connection> connections;  // under mu
  std::uint64_t next_connection = 0;                // loop thread only
  static constexpr std::uint64_t kStopToken = ~std::uint64_t{0};
  std::atomic<bool> workers_stop{false};
  std::vector<std::thread> workers;

  void wake() {
    const std::uint64_t one = 1;
    (void)!::write(wake_fd.get(), &one, sizeof(one));
  }
  void worker_loop();
  void serve(std::uint64_t id);
  void release(std::uint64_t id, bool answered);
  void stop_workers();
  void accept_all();
  void close_connection(std::uint64_t id);
  void expire_idle();
};

void GateServer::State::worker_loop() {
  for (;;) {
    epoll_event ev{};
    const int n = ::epoll_wait(conn_epoll_fd.get(), &ev, 1, -1);
    // Stopping: requests being served finish; none is started.
    if (workers_stop.load()) return;
    if (n == 1 && ev.data.u64 != kStopToken) serve(ev.data.u64);
  }
}

void GateServer::State::serve(std::uint64_t id) {
  int fd;
  log::Actor actor;
  loader::CallerPrivilege privilege;
  {
    std::lock_guard lock(mu);
    auto it = connections.find(id);
    if (it == connections.end()) return;  // closed for idleness meanwhile
    it->second.busy = true;
    fd = it->second.fd.get();
    actor = it->second.actor;
    privilege = it->second.privilege;
  }
  auto received = internal::receive_message(fd, kMaxInlineRequest, /*blocking=*/false);
  if (received.ok() && received->closed) {
    close_connection(id);
    return;
  }
  if (received.ok() && received->would_block) {
    release(id, /*answered=*/false);
    return;
  }
  // Requests use memfds only (forwarded loads also BPF maps); anything else a
  // client passes could block the thread that closes it, so it is refused at
  // once and closed elsewhere (fd_closer.h).
  std::optional<Error> refused;
  if (!received.ok()) {
    refused = received.error();
  } else if (received->refused) {
    refused = received->refused;
  } else {
    for (std::size_t i = 0; i < received->fds.size() && !refused; ++i) {
      if (!internal::closes_promptly(received->fds[i].get())) {
        refused = make_error(ErrorCode::kInvalidArgument,
                             "descriptor " + std::to_string(i) + " is neither a memfd nor a BPF map");
      }
    }
  }
  Reply reply;
  if (refused) {
    // Oversized, too many or foreign descriptors: answer and keep the connection.
    if (received.ok()) {
      for (UniqueFd& f : received->fds) gate.closer.dispose(std::move(f));
    }
    gate.counters.requests++;
    gate.counters.bad_requests++;
    reply = internal::error_reply(*refused);
  } else {
    reply = internal::handle_message(gate, received->bytes, std::move(received->fds), actor, privilege);
  }
  // Non-blocking: a client that does not read its replies (its queue is
  // full) loses its connection, not a worker.
  if (!internal::send_message(fd, reply.json, reply.fds, /*blocking=*/false).ok()) {
    close_connection(id);
    return;
  }
  release(id, /*answered=*/true);
}

// Re-arms under the lock: once armed, another worker may take the connection,
// and the loop may close it as soon as it is no longer busy.
void GateServer::State::release(std::uint64_t id, bool answered) {
  std::lock_guard lock(mu);
  auto it = connections.find(id);
  if (it == connections.end()) return;
  Connection& c = it->second;
  if (answered) c.idle_since = std::chrono::steady_clock::now();
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.u64 = id;
  if (::epoll_ctl(conn_epoll_fd.get(), EPOLL_CTL_MOD, c.fd.get(), &ev) != 0) {
    UniqueFd fd = std::move(c.fd);
    connections.erase(it);
    gate.closer.close_connection(std::move(fd));
    return;
  }
  c.busy = false;
}

// Workers finish the requests they are serving, then return.
void GateServer::State::stop_workers() {
  workers_stop = true;
  const std::uint64_t one = 1;
  (void)!::write(workers_stop_fd.get(), &one, sizeof(one));
}

// Out of the table and the workers' epoll set, then drained and closed
// without blocking (fd_closer.h).
void GateServer::State::close_connection(std::uint64_t id) {
  UniqueFd fd;
  {
    std::lock_guard lock(mu);
    auto it = connections.find(id);
    if (it == connections.end()) return;
    fd = std::move(it->second.fd);
    connections.erase(it);
  }
  ::epoll_ctl(conn_epoll_fd.get(), EPOLL_CTL_DEL, fd.get(), nullptr);
  gate.closer.close_connection(std::move(fd));
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
      gate.closer.close_connection(std::move(conn));  // drops what it queued, without blocking
      continue;
    }
    std::unique_lock lock(mu);
    if (connections.size() >= gate.config.max_connections) {
      lock.unlock();
      const Reply r =
          internal::error_reply(make_error(ErrorCode::kLimitExceeded, "too many connections; retry"));
      (void)internal::send_message(conn.get(), r.json, std::vector<int>{}, false);
      gate.closer.close_connection(std::move(conn));
      continue;
    }
    const std::uint64_t id = ++next_connection;
    const int fd = conn.get();
    // In the table before it is armed: a worker may see it at once.
    auto [it, inserted] = connections.emplace(
        id, Connection{std::move(conn), actor_of(*peer), std::chrono::steady_clock::now(), false, peer->privilege});
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
    ev.data.u64 = id;
    if (::epoll_ctl(conn_epoll_fd.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
      UniqueFd failed = std::move(it->second.fd);
      connections.erase(it);
      lock.unlock();
      gate.closer.close_connection(std::move(failed));
    }
  }
}

void GateServer::State::expire_idle() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<Connection> expired;
  {
    std::lock_guard lock(mu);
    for (auto it = connections.begin(); it != connections.end();) {
      if (!it->second.busy && now - it->second.idle_since > gate.config.request_timeout) {
        expired.push_back(std::move(it->second));
        it = connections.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (Connection& c : expired) {
    gate.counters.timeouts++;
    const Reply r = internal::error_reply(
        make_error(ErrorCode::kLimitExceeded, "timeout: no complete request within the request timeout"));
    (void)internal::send_message(c.fd.get(), r.json, std::vector<int>{}, false);
    ::epoll_ctl(conn_epoll_fd.get(), EPOLL_CTL_DEL, c.fd.get(), nullptr);
    gate.closer.close_connection(std::move(c.fd));
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
  g.verification_cache.set_max_total_bytes(c.verification_cache_bytes);

  PQBPF_ASSIGN_OR_RETURN(auto policy, internal::read_policy(c.policy_path));
  g.set_policy(std::move(policy));
  if (!c.envelopes_dir.empty()) {  // the store for `pqc-bpf run --gate` (forwarded_load.cc)
    PQBPF_ASSIGN_OR_RETURN(auto store, internal::open_store(c.envelopes_dir, *g.policy()));
    g.set_store(std::move(store));
  }

  PQBPF_ASSIGN_OR_RETURN(Identity key, load_key_file(c.checkpoint_key));
  if (Status purpose = check_key_purpose(key, KeyPurpose::kSignLog); !purpose.ok()) {
    return make_error(purpose.error().code, c.checkpoint_key + ": " + purpose.error().message);
  }
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
  state->conn_epoll_fd = UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
  state->wake_fd = UniqueFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  state->workers_stop_fd = UniqueFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!state->epoll_fd.valid() || !state->conn_epoll_fd.valid() || !state->wake_fd.valid() ||
      !state->workers_stop_fd.valid()) {
    return errno_error("epoll/eventfd");
  }
  epoll_event stop_ev{};
  stop_ev.events = EPOLLIN;
  stop_ev.data.u64 = State::kStopToken;
  if (::epoll_ctl(state->conn_epoll_fd.get(), EPOLL_CTL_ADD, state->workers_stop_fd.get(), &stop_ev) != 0) {
    return errno_error("epoll_ctl");
  }
  for (int fd : {state->listen_fd.get(), state->wake_fd.get()}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (::epoll_ctl(state->epoll_fd.get(), EPOLL_CTL_ADD, fd, &ev) != 0) return errno_error("epoll_ctl");
  }
  State* raw = state.get();
  for (unsigned i = 0; i < c.workers; ++i) raw->workers.emplace_back([raw] { raw->worker_loop(); });
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
      }
    }
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
  std::map<std::uint64_t, State::Connection> open;
  {
    std::lock_guard lock(s.mu);
    open.swap(s.connections);
  }
  for (auto& [id, c] : open) s.gate.closer.close_connection(std::move(c.fd));
  // A closer stuck in a client's close is left to the process exit.
  if (!s.gate.closer.stop(internal::FdCloser::kStopWait)) {
    std::cerr << "pqc-bpf-gated: a client's descriptor is still closing; not waiting for it\n";
  }
  ::unlink(s.gate.config.socket_path.c_str());
  s.listen_fd.reset();
  internal::stop_lsm(s.gate);  // drains its last events into the log
  Status closed = s.gate.log->close();
  return closed;
}

}  // namespace pqbpf::daemon

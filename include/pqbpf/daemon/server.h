// GateServer: the pqc-bpf-gated service (docs/GATE_API.md, docs/DEPLOY.md).
//
// One thread runs an epoll loop over the listening socket: it accepts
// connections (checking the peer's uid/gid against the configuration), and
// closes connections that stay idle past the request timeout (after a
// `timeout` error reply). A fixed pool of worker threads waits on the
// connections themselves (leader/followers: no hand-off between threads per
// request); the worker the kernel wakes receives the request message whole
// (SOCK_SEQPACKET), parses it, reads sealed memfds once, calls
// gate::check_load_bytes (verify -> policy -> durable record) and, only on
// allow, loads exactly the verified bytes, records the kernel ids, and
// answers. Each connection is armed one-shot, so it has at most one request
// in flight and a slow or hostile client ties up at most one worker.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "pqbpf/daemon/config.h"
#include "pqbpf/result.h"

namespace pqbpf::daemon {

class GateServer {
 public:
  // Reads the policy and the log key, opens the log, the pin root and binds
  // the socket. Errors name the file and the problem.
  static Result<std::unique_ptr<GateServer>> create(DaemonConfig config);
  ~GateServer();
  GateServer(const GateServer&) = delete;
  GateServer& operator=(const GateServer&) = delete;

  // Serves until request_stop() (or SIGTERM/SIGINT on `signal_fd`, a
  // signalfd; SIGHUP there reloads the policy, then the envelope store).
  // Closes the log cleanly.
  Status run(int signal_fd = -1);
  // Thread- and signal-safe.
  void request_stop();
  void request_reload();

  // Re-reads the policy file; on failure the old policy stays (the error is
  // returned and printed).
  Status reload_policy();
  // What a `status` request returns.
  nlohmann::json status() const;

  // Lifecycle events, for a service manager (pqc-bpf-gated sends them to
  // systemd with sd_notify). Called on run()'s thread: kReloading before a
  // policy reload, kReloaded after it (whether or not the new policy parsed),
  // kStopping once, when the loop stops accepting. Set before run().
  enum class Event { kReloading, kReloaded, kStopping };
  void set_event_hook(std::function<void(Event)> hook);

  struct State;  // implementation (server.cc)

 private:
  explicit GateServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace pqbpf::daemon

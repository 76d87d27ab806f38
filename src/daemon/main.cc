// pqc-bpf-gated: the gate daemon. Reads its configuration, serves the socket
// until SIGTERM/SIGINT, reloads the policy on SIGHUP (docs/DEPLOY.md).
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "pqbpf/daemon/server.h"
#include "service_notify.h"

namespace {

int usage() {
  std::cerr << "usage: pqc-bpf-gated [--config FILE]   (default /etc/pqc-bpf/gated.yaml)\n";
  return 2;
}

// --help on stdout: the man page pqc-bpf-gated(8) is generated from it (help2man).
void print_help() {
  std::cout
      << "Usage: pqc-bpf-gated [--config FILE]\n"
         "\n"
         "The pqc-bpf gate daemon: clients send a signed envelope and an eBPF object over a\n"
         "Unix socket; the daemon verifies the ML-DSA-65 signature, decides with the load\n"
         "policy, records the attempt durably in the audit log, and only then loads the\n"
         "exact bytes it checked (pinned under pin_root or handed back as descriptors).\n"
         "\n"
         "Options:\n"
         "  -c, --config FILE   configuration file (default /etc/pqc-bpf/gated.yaml)\n"
         "  -h, --help          print this help and exit\n"
         "      --version       print the version and exit\n"
         "\n"
         "Signals:\n"
         "  SIGHUP              re-read the policy; one that does not parse keeps the old one\n"
         "  SIGTERM, SIGINT     stop accepting, finish the requests in flight, close the log\n"
         "\n"
         "Exit status: 0 after a clean stop, 2 for a configuration or start error.\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path = "/etc/pqc-bpf/gated.yaml";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--config" || arg == "-c") && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg == "--help" || arg == "-h") {
      print_help();
      return 0;
    } else if (arg == "--version") {
      std::cout << "pqc-bpf-gated " PQBPF_VERSION "\n";
      return 0;
    } else {
      std::cerr << "pqc-bpf-gated: error: unknown argument " << arg << "\n";
      return usage();
    }
  }
  // Signals are read from a signalfd in the event loop; block them first so
  // every thread inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGPIPE);
  if (pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) return 2;
  const int sfd = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sfd < 0) {
    std::cerr << "pqc-bpf-gated: error: signalfd: " << std::strerror(errno) << "\n";
    return 2;
  }

  auto config = pqbpf::daemon::load_config(config_path);
  if (!config.ok()) {
    std::cerr << "pqc-bpf-gated: error: " << config.error().message << "\n";
    return 2;
  }
  auto server = pqbpf::daemon::GateServer::create(std::move(config).value());
  if (!server.ok()) {
    std::cerr << "pqc-bpf-gated: error: " << server.error().message << "\n";
    return 2;
  }
  const auto status = (*server)->status();
  std::cerr << "pqc-bpf-gated: serving " << config_path << " (policy sha3-256 "
            << status["policy"]["sha3_256"].get<std::string>() << ")\n";
  // The socket listens (create() bound it): now systemd may start clients.
  const std::string ready = "serving, policy sha3-256 " + status["policy"]["sha3_256"].get<std::string>();
  (*server)->set_event_hook([](pqbpf::daemon::GateServer::Event e) {
    using Event = pqbpf::daemon::GateServer::Event;
    if (e == Event::kReloading) pqbpf::daemon::internal::notify_reloading();
    if (e == Event::kReloaded) pqbpf::daemon::internal::notify_ready("reloaded");
    if (e == Event::kStopping) pqbpf::daemon::internal::notify_stopping();
  });
  pqbpf::daemon::internal::notify_ready(ready);
  const pqbpf::Status ran = (*server)->run(sfd);
  if (!ran.ok()) {
    std::cerr << "pqc-bpf-gated: error: " << ran.error().message << "\n";
    return 2;
  }
  std::cerr << "pqc-bpf-gated: stopped\n";
  return 0;
}

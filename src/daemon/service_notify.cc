// sd_notify messages of pqc-bpf-gated (see service_notify.h).
#include "service_notify.h"

#include <systemd/sd-daemon.h>
#include <time.h>

namespace pqbpf::daemon::internal {

void notify_ready(const std::string& status_line) {
  // STATUS= is shown by `systemctl status`; one line, no newline.
  std::string line = status_line;
  for (char& c : line) {
    if (c == '\n') c = ' ';
  }
  (void)sd_notifyf(0, "READY=1\nSTATUS=%s", line.c_str());
}

void notify_reloading() {
  // MONOTONIC_USEC lets systemd (253+, Type=notify-reload) match this reload
  // to its request; older versions ignore it.
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  const unsigned long long usec =
      static_cast<unsigned long long>(ts.tv_sec) * 1000000ull + static_cast<unsigned long long>(ts.tv_nsec) / 1000;
  (void)sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", usec);
}

void notify_stopping() { (void)sd_notify(0, "STOPPING=1"); }

}  // namespace pqbpf::daemon::internal

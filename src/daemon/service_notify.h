// Telling systemd (Type=notify) where the daemon stands, with libsystemd's
// sd_notify: READY=1 once the socket listens, RELOADING=1 / READY=1 around a
// policy reload, STOPPING=1 on SIGTERM. Without $NOTIFY_SOCKET (not started
// by systemd) every call does nothing.
#pragma once

#include <string>

namespace pqbpf::daemon::internal {

void notify_ready(const std::string& status_line);
void notify_reloading();
void notify_stopping();

}  // namespace pqbpf::daemon::internal

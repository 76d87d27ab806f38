// The supervisor loop (see supervisor.h and docs/SANDBOX.md).
//
// One thread polls three fds: the seccomp listener (a pending bpf() call),
// the workload's pidfd (it exited) and a signalfd (SIGINT/SIGTERM/SIGHUP/
// SIGQUIT for us are forwarded to the workload). Each notification is
// answered before the next is read; the work per call is bounded (at most
// kMaxAttrBytes + kMaxInsns * 8 bytes copied, a few small /proc reads).
#include "pqbpf/sandbox/supervisor.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "launch.h"
#include "same_cpu_wake.h"
#include "pqbpf/loader/load_privilege.h"
#include "pqbpf/sandbox/bpf_command.h"
#include "pqbpf/sandbox/gate_forwarder.h"
#include "pqbpf/sandbox/transparent_gate.h"
#include "seccomp_filter.h"
#include "workload_reader.h"

namespace pqbpf::sandbox {
namespace {

// linux/seccomp.h of Linux 6.6; Debian 12's headers are older.
constexpr unsigned long kSeccompIoctlNotifSetFlags = SECCOMP_IOW(4, __u64);
constexpr unsigned long kSeccompNotifFdSyncWakeUp = 1UL << 0;

Error sys_error(const char* what) {
  return make_error(ErrorCode::kInternal, std::string("supervisor: ") + what + ": " + std::strerror(errno));
}

// The caller's identity, and for BPF_PROG_LOAD its request, read once.
// Returns the caller thread's pidfd when one could be opened.
UniqueFd read_call(BpfCall& call, std::int64_t tid, const SupervisorOptions& options) {
  if (options.before_read) options.before_read(tid);
  UniqueFd thread_pidfd;
  call.caller = internal::read_caller(tid, &thread_pidfd);
  if (call.is_bpf && bpf_command_loads_code(call.cmd)) internal::read_prog_load(call);
  return thread_pidfd;
}

class Supervisor {
 public:
  Supervisor(const internal::BpfNotifyFilter& filter, const SupervisorOptions& options, int listener)
      : filter_(filter), options_(options), listener_(listener) {}

  // Receives and answers one pending call. An error means the listener is
  // unusable.
  Status handle_one(SupervisorResult& result) {
    seccomp_notif n;
    std::memset(&n, 0, sizeof(n));  // the kernel requires a zeroed buffer
    if (::ioctl(listener_, SECCOMP_IOCTL_NOTIF_RECV, &n) != 0) {
      // EINTR: a signal; ENOENT: the caller went away before we received it.
      if (errno == EINTR || errno == ENOENT) return ok_status();
      return sys_error("receiving a notification");
    }
    const bool is_bpf = filter_.bpf_syscalls.contains({n.data.arch, n.data.nr});
    BpfCall call = internal::call_from_notification(n, is_bpf);

    // A load is judged by what it asks to load: read it first. Any other
    // command is judged by its number alone (a register: it cannot change).
    const bool loads = is_bpf && bpf_command_loads_code(call.cmd);
    UniqueFd thread_pidfd;
    if (loads) thread_pidfd = read_call(call, n.pid, options_);
    if (loads && (options_.gate != nullptr || options_.forwarder != nullptr)) {
      return handle_gated_load(n, call, std::move(thread_pidfd), result);
    }
    Verdict verdict = decide_bpf_call(call, options_.rules);
    if (verdict.kind == Verdict::Kind::kRefuse && !loads) read_call(call, n.pid, options_);
    call.caller.tid = n.pid;
    // What was read belongs to this call only if the call is still pending.
    call.still_valid = ::ioctl(listener_, SECCOMP_IOCTL_NOTIF_ID_VALID, &n.id) == 0;

    if (verdict.kind == Verdict::Kind::kRefuse) record(call, verdict, result);

    seccomp_notif_resp resp;
    std::memset(&resp, 0, sizeof(resp));
    resp.id = n.id;
    if (verdict.kind == Verdict::Kind::kContinue) {
      // Only for commands that load no code (decide_bpf_call guarantees it).
      resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    } else {
      resp.error = -verdict.error;
    }
    int rc;
    do {
      rc = ::ioctl(listener_, SECCOMP_IOCTL_NOTIF_SEND, &resp);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      if (errno != ENOENT) return sys_error("answering a notification");
      ++result.gone;  // the caller exited or its call was interrupted
      return ok_status();
    }
    if (verdict.kind == Verdict::Kind::kContinue) {
      ++result.continued;
    } else {
      ++result.refused;
    }
    return ok_status();
  }

 private:
  // A load under a transparent gate: admitted (the supervisor's own load,
  // handed over with ADDFD + SEND) or refused; recorded before the answer.
  Status handle_gated_load(const seccomp_notif& n, BpfCall& call, UniqueFd pidfd,
                           SupervisorResult& result) {
    call.caller.tid = n.pid;
    // For pidfd_getfd: the calling thread's pidfd (its descriptor table is
    // the one the load's fd numbers name), else its process's. Either was
    // opened before ID_VALID, so a valid id means it is the caller's, not a
    // reused id's.
    if (!pidfd.valid() && call.caller.pid) {
      pidfd = UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, *call.caller.pid, 0)));
    }
    // Read before ID_VALID, so a valid id means these are the caller's.
    const loader::CallerPrivilege privilege = loader::read_caller_privilege(n.pid);
    call.still_valid = ::ioctl(listener_, SECCOMP_IOCTL_NOTIF_ID_VALID, &n.id) == 0;
    // The supervisor loads with its own privileges: a caller the kernel
    // would refuse is refused here, before any gate sees the load.
    std::optional<std::string> missing;
    if (call.load) missing = loader::missing_load_privilege(privilege, call.load->prog_type);
    Admission a = missing ? TransparentGate::refuse(call, ReasonCode::kCallerNotPermitted,
                                                    *missing + ", so the supervisor does not load for it")
                 : options_.gate != nullptr ? options_.gate->admit(call, pidfd.get())
                                            : options_.forwarder->forward(call, pidfd.get());
    // A load the daemon decided is in the daemon's log; with --gate the
    // local log (if any) holds the loads the daemon could not decide.
    // An admitted probe's record is written now and made durable with the
    // next record's fsync (Admission::probe).
    const bool defer_sync = a.probe && a.verdict.kind == Verdict::Kind::kInjectFd;
    const bool recorded = a.recorded_by_daemon || append(a.record, result, defer_sync);
    if (a.verdict.kind == Verdict::Kind::kInjectFd && !recorded) {
      // Fail closed: an admission that is not in the log does not happen.
      a.program = UniqueFd();
      a.verdict.kind = Verdict::Kind::kRefuse;
      a.verdict.error = EPERM;
    }
    if (a.verdict.kind != Verdict::Kind::kInjectFd && options_.on_refusal) options_.on_refusal(a.record, call);
    int rc;
    if (a.verdict.kind == Verdict::Kind::kInjectFd) {
      seccomp_notif_addfd addfd;
      std::memset(&addfd, 0, sizeof(addfd));
      addfd.id = n.id;
      addfd.flags = SECCOMP_ADDFD_FLAG_SEND;
      addfd.srcfd = static_cast<std::uint32_t>(a.program.get());
      addfd.newfd_flags = O_CLOEXEC;  // as the kernel's own bpf() fds
      internal::SameCpuWake same_cpu;
      do {
        rc = ::ioctl(listener_, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
      } while (rc < 0 && errno == EINTR);
    } else {
      seccomp_notif_resp resp;
      std::memset(&resp, 0, sizeof(resp));
      resp.id = n.id;
      resp.error = -a.verdict.error;
      do {
        rc = ::ioctl(listener_, SECCOMP_IOCTL_NOTIF_SEND, &resp);
      } while (rc < 0 && errno == EINTR);
    }
    if (rc < 0) {
      if (errno != ENOENT) return sys_error("answering a load");
      ++result.gone;
      return ok_status();
    }
    if (a.verdict.kind == Verdict::Kind::kInjectFd) {
      ++result.admitted;
    } else {
      ++result.refused;
    }
    return ok_status();
  }

  // Appends one record; false when it could not be written.
  bool append(const log::AttemptRecord& rec, SupervisorResult& result, bool defer_sync) {
    if (options_.log == nullptr) return true;
    const log::RecordedDecision recorded = log::record_decision(*options_.log, rec, defer_sync);
    if (recorded.error) {
      ++result.log_errors;
      if (options_.on_log_error) options_.on_log_error(*recorded.error);
      return false;
    }
    return true;
  }

  void record(const BpfCall& call, const Verdict& verdict, SupervisorResult& result) {
    const log::AttemptRecord rec = make_refusal_record(call, verdict);
    if (options_.log != nullptr) {
      const log::RecordedDecision recorded = log::record_decision(*options_.log, rec);
      if (recorded.error) {
        ++result.log_errors;
        if (options_.on_log_error) options_.on_log_error(*recorded.error);
      }
    }
    if (options_.on_refusal) options_.on_refusal(rec, call);
  }

  const internal::BpfNotifyFilter& filter_;
  const SupervisorOptions& options_;
  int listener_;
};

// Blocks the forwarded signals in this thread for its lifetime and restores
// the old mask at the end.
class BlockedSignals {
 public:
  BlockedSignals() {
    sigemptyset(&set_);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&set_, s);
    ok_ = ::pthread_sigmask(SIG_BLOCK, &set_, &old_) == 0;
  }
  ~BlockedSignals() {
    if (ok_) ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  bool ok() const { return ok_; }
  const sigset_t& set() const { return set_; }
  const sigset_t& old() const { return old_; }

 private:
  sigset_t set_;
  sigset_t old_;
  bool ok_ = false;
};

void kill_and_reap(pid_t pid) {
  ::kill(pid, SIGKILL);
  int status;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

int shell_exit_status(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 125;
}

Result<SupervisorResult> run_supervised(const std::vector<std::string>& argv,
                                        const SupervisorOptions& options) {
  for (std::uint32_t cmd : options.rules.allowed_commands) {
    if (!bpf_command_may_continue(cmd) || cmd > internal::kLastKnownBpfCommand) {
      return make_error(ErrorCode::kInvalidArgument,
                        "bpf command " + bpf_command_name(cmd) + " can never be allowed: " +
                            why_never_allowed(cmd));
    }
  }
  // Allowed commands are judged on their number alone: the filter passes
  // them in the kernel, and only the rest reaches this process.
  PQBPF_ASSIGN_OR_RETURN(internal::BpfNotifyFilter filter,
                         internal::build_bpf_notify_filter(options.rules.allowed_commands));
  BlockedSignals blocked;
  if (!blocked.ok()) return sys_error("blocking signals");
  UniqueFd sigfd(::signalfd(-1, &blocked.set(), SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sigfd.valid()) return sys_error("signalfd");

  PQBPF_ASSIGN_OR_RETURN(internal::Launched child,
                         internal::launch_workload(argv, filter, blocked.old()));
  // Each notification is a synchronous hand-off (the workload waits for the
  // answer): ask the kernel to wake the supervisor, and then the workload, on
  // the CPU the waker runs on, instead of waking an idle CPU (Linux 6.6+;
  // older kernels refuse the ioctl and keep the ordinary wake-ups).
  (void)::ioctl(child.listener.get(), kSeccompIoctlNotifSetFlags, kSeccompNotifFdSyncWakeUp);
  Supervisor supervisor(filter, options, child.listener.get());
  SupervisorResult result;

  pollfd fds[3] = {{child.listener.get(), POLLIN, 0},
                   {child.pidfd.get(), POLLIN, 0},
                   {sigfd.get(), POLLIN, 0}};
  for (;;) {
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      Error e = sys_error("poll");
      kill_and_reap(child.pid);
      return e;
    }
    if (fds[0].revents & POLLIN) {
      if (Status s = supervisor.handle_one(result); !s.ok()) {
        kill_and_reap(child.pid);
        return s.error();
      }
    } else if (fds[0].revents & (POLLHUP | POLLERR)) {
      fds[0].fd = -1;  // no task uses the filter any more
    }
    if (fds[2].revents & POLLIN) {
      signalfd_siginfo info;
      while (::read(sigfd.get(), &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))) {
        ::syscall(SYS_pidfd_send_signal, child.pidfd.get(), static_cast<int>(info.ssi_signo), nullptr, 0);
      }
    }
    if (fds[1].revents & POLLIN) {
      int status = 0;
      pid_t r;
      do {
        r = ::waitpid(child.pid, &status, WNOHANG);
      } while (r < 0 && errno == EINTR);
      if (r == child.pid) {
        result.wait_status = status;
        return result;
      }
      if (r < 0) return sys_error("waitpid");
    }
  }
}

}  // namespace pqbpf::sandbox

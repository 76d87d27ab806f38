// Answering a load on the supervisor's own CPU (sandbox-internal).
//
// SECCOMP_IOCTL_NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SEND wakes the workload
// with a plain wake-up: SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP covers the
// notification and NOTIF_SEND, not ADDFD. The scheduler then sees the
// supervisor's CPU busy (the supervisor, which is about to wait for the
// workload) and wakes the workload on another CPU: on a VM an idle vCPU,
// woken through the host, tens of microseconds per load, and every hand-off
// after that crosses CPUs again (docs/TRANSPARENT_GATE.md, "Cost").
//
// For the length of the ioctl the supervisor's thread is SCHED_IDLE: a CPU
// running only SCHED_IDLE work counts as idle when the scheduler places a
// waking task, so the workload is woken on this CPU and runs at once. The
// thread's own policy is back when the ioctl has returned and the thread runs
// again: on a CPU the workload keeps busy that is when the workload next
// waits (its next bpf() call, which the supervisor then finds pending), or
// when an idle CPU pulls it. Under full CPU load the supervisor's return is
// delayed by its low weight; nothing depends on it but the next answer.
//
// Only a thread that runs SCHED_OTHER or SCHED_BATCH does this (a real-time
// supervisor keeps its policy), and once restoring the policy fails it is
// never tried again.
#pragma once

namespace pqbpf::sandbox::internal {

class SameCpuWake {
 public:
  SameCpuWake();   // before the answering ioctl
  ~SameCpuWake();  // after it
  SameCpuWake(const SameCpuWake&) = delete;
  SameCpuWake& operator=(const SameCpuWake&) = delete;

 private:
  int policy_ = -1;  // the policy to restore; -1: nothing was changed
};

}  // namespace pqbpf::sandbox::internal

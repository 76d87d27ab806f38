// TransparentGate: admits a sandboxed workload's own BPF_PROG_LOAD when its
// instructions are those of a program in a signed envelope the policy allows
// (issue 13; docs/TRANSPARENT_GATE.md).
//
// At start, every envelope of a directory is read once and decided by the
// gate's own path (gate::check_load_bytes: verify, then the LoadPolicy); from
// each verified object, libbpf's relocation says what a loader hands the
// kernel for each program and which fields it fills in (map references).
// Per request, admit() matches the instructions the supervisor copied out of
// the workload, fetches and checks the maps they name, and loads the copied
// instructions itself; the supervisor hands the new program fd to the
// workload (SECCOMP_IOCTL_NOTIF_ADDFD). Nothing is ever CONTINUEd.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "pqbpf/core/unique_fd.h"
#include "pqbpf/log/record.h"
#include "pqbpf/policy/load_policy.h"
#include "pqbpf/result.h"
#include "pqbpf/sandbox/bpf_call.h"
#include "pqbpf/sandbox/verdict.h"

namespace pqbpf::sandbox {

// The answer to one load request, with its audit record (append it before
// answering; if it cannot be appended, refuse and drop `program`).
struct Admission {
  Verdict verdict;           // kInjectFd (program holds the fd) or kRefuse
  UniqueFd program;          // the program the supervisor loaded
  // The supervisor's descriptors of the checked maps: closed after the
  // answer, off the workload's wait.
  std::vector<UniqueFd> maps;
  log::AttemptRecord record;
  // A loader's probe (docs/TRANSPARENT_GATE.md, "Probes"). An admitted
  // probe's record need not be durable before the answer
  // (log::LogWriter::append_deferred): it admits no code the policy judges.
  bool probe = false;
  // The gate daemon decided and recorded this load in its own log
  // (GateForwarder); the supervisor then records nothing of it.
  bool recorded_by_daemon = false;
};

// What became of one envelope file at start.
struct EnvelopeStatus {
  std::string path;
  bool verified = false;     // signature, hash and programs verified
  Decision decision = Decision::kDeny;  // the policy's decision (deny when not verified)
  ReasonCode reason = ReasonCode::kInternalError;
  std::string sentence;      // why (the gate's sentence, or why it was not read)
  std::size_t programs = 0;  // programs a load can be matched against
};

// Where admit() gets its own descriptor of a map the workload names by fd
// number: pidfd_getfd on the caller's process (the local supervisor), or the
// descriptors a supervisor fetched that way and passed to the gate daemon
// (docs/TRANSPARENT_GATE.md, --gate). An error refuses the load.
using MapFdSource = std::function<Result<UniqueFd>(std::int32_t workload_fd)>;

// Limits on --envelopes DIR (docs/LIMITS.md).
constexpr std::size_t kMaxEnvelopes = 1024;

// bpf() commands a loader needs besides BPF_PROG_LOAD (libbpf, bpftool,
// cilium/ebpf): maps, BTF, pins, info and ids, links and attach. Not in the
// list: iter_create, enable_stats, token_create (prog_test_run never is).
std::set<std::uint32_t> default_loader_commands();

class TransparentGate {
 public:
  // Reads every regular file `*.sig.json` of `dir` (its detached object is
  // the same name without `.sig.json`, when it exists). An envelope that
  // cannot be read, verified or relocated is kept as a status line, not an
  // error; an unreadable directory is kIo/kNotFound.
  static Result<std::unique_ptr<TransparentGate>> open(const std::string& dir,
                                                       policy::LoadPolicy policy);
  ~TransparentGate();
  TransparentGate(const TransparentGate&) = delete;
  TransparentGate& operator=(const TransparentGate&) = delete;

  const std::vector<EnvelopeStatus>& envelopes() const;

  // Decides one BPF_PROG_LOAD copied out of the workload (`call.load`,
  // `call.attr`, read once, `still_valid` checked after). `pidfd` is the
  // caller's process (for pidfd_getfd), or -1. Loads the program when
  // admitted. Never throws.
  Admission admit(const BpfCall& call, int pidfd) const noexcept;
  // The same decision with maps fetched through `maps` (empty: none can be,
  // and a load that names maps is refused).
  Admission admit(const BpfCall& call, const MapFdSource& maps) const noexcept;

  // The refusal admit() would give `call` for `reason` (EPERM, its record),
  // for a decision made without a gate (no store, the daemon unreachable).
  static Admission refuse(const BpfCall& call, ReasonCode reason, std::string sentence);

 private:
  struct Impl;
  explicit TransparentGate(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pqbpf::sandbox

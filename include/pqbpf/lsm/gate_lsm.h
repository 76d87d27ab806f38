// GateLsm: the gate's BPF LSM (bpf/gate_lsm.bpf.c, docs/LSM.md), loaded from
// the skeleton embedded in this library and attached for as long as the
// object lives (persist: also pinned, so it outlives the daemon).
//
// enforce: BPF_PROG_LOAD by anyone but the gate process is refused with EPERM
// (digest_admission: admitted only when the program the kernel copied has
// the tag, type and length of a program the gate approved); nobody else may
// open the gate's programs, maps or links (GET_FD_BY_ID, OBJ_GET) or ptrace
// the gate. audit: everything is allowed and reported. Every attempt in
// scope reaches `sink` from a consumer thread; events the ring buffer had to
// drop are counted in the kernel and reported to `sink` as a loss.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "pqbpf/core/unique_fd.h"
#include "pqbpf/lsm/kernel_attempt.h"
#include "pqbpf/result.h"

namespace pqbpf::lsm {

enum class Mode { kOff, kAudit, kEnforce };
std::string_view mode_name(Mode mode);
Result<Mode> parse_mode(std::string_view text);

struct LsmOptions {
  Mode mode = Mode::kOff;
  bool digest_admission = false;  // admit others' loads of gate-approved programs
  bool persist = false;           // pin the links (and maps) under pin_dir
  std::string pin_dir;            // bpffs directory for persist
  std::vector<std::string> scope_cgroups;  // cgroup v2 directories; empty: the whole host
};

// Called from the consumer thread, one event at a time.
using AttemptSink = std::function<void(const KernelAttempt&)>;
// Called with the number of events lost since the last call (> 0).
using LossSink = std::function<void(std::uint64_t lost)>;

class GateLsm {
 public:
  // Loads and attaches the LSM, marks the calling process as the gate,
  // protects the LSM's own objects, starts the consumer thread. Errors say
  // what the kernel refused (no BPF LSM, locked down, no CAP_BPF).
  static Result<std::unique_ptr<GateLsm>> start(const LsmOptions& options, AttemptSink on_attempt,
                                                LossSink on_loss);
  // Stops the consumer (after draining the ring buffer) and detaches the
  // links, unless persist pinned them.
  ~GateLsm();
  GateLsm(const GateLsm&) = delete;
  GateLsm& operator=(const GateLsm&) = delete;

  // digest_admission: approves the programs behind these descriptors (just
  // loaded by the gate) for loads by other processes: their kernel tag, type
  // and translated length go into the LSM's map. A no-op otherwise.
  Status approve_programs(std::span<const UniqueFd> program_fds);

  // {"mode","digest_admission","persist","scope","program_ids","link_ids",
  //  "map_ids","events","lost_events","approved"}
  nlohmann::json status() const;

  struct Impl;

 private:
  explicit GateLsm(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pqbpf::lsm

// The loader: hands exactly the verified object bytes to the kernel with
// libbpf (bpf_object__open_mem + bpf_object__load), optionally attaches each
// program where its signed section says, pins under the daemon's root and/or
// keeps the descriptors for the caller, and reports what the kernel made of
// it (program ids and tags, map ids).
//
// Only the gate calls this, and only with `CheckOutcome::verification.object`
// of an allowed decision: nothing here reads a file or re-decides.
//
// Attach: section-defined attach points (tracepoint/..., raw_tracepoint/...,
// kprobe/..., fentry/...: what libbpf's bpf_program__attach derives from the
// section name alone), and for xdp, tc (tcx) and cgroup programs the target
// the signed manifest names (LoadOptions::attach_point, loader/attach.h),
// checked and resolved before anything is loaded. Other types (socket
// filters) are refused with kUnsupported before anything is loaded.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "pqbpf/loader/pin_root.h"
#include "pqbpf/core/unique_fd.h"
#include "pqbpf/result.h"

namespace pqbpf::loader {

struct LoadOptions {
  bool attach = false;
  // The signed manifest's metadata.attach_point: where xdp, tc and cgroup
  // programs attach (loader/attach.h). Never a client's choice.
  std::string attach_point;
  const PinRoot* pin_root = nullptr;  // pin when set
  std::string pin_path;               // request's path under pin_root
};

struct KernelProgram {
  std::string name;
  std::string section;
  std::uint32_t id = 0;  // kernel program id (bpftool prog show id N)
  std::string tag;       // 16 hex digits, as bpftool prints it
  // Pin file names in the pin dir ("" when not pinned): the program's name,
  // "link_<name>" and "map_<name>", with any character bpffs refuses as '_'.
  std::string pinned;
  std::uint32_t link_id = 0;  // when attached
  std::string link_pinned;
  std::string attach_target;  // the manifest's target when it named one ("" otherwise)
};

struct KernelMap {
  std::string name;
  std::uint32_t id = 0;
  std::string pinned;
};

// What was loaded. Owns one descriptor per program, map and link; dropping
// it closes them (a program that is neither pinned nor held elsewhere is
// then unloaded by the kernel).
struct LoadedObject {
  std::vector<KernelProgram> programs;
  std::vector<KernelMap> maps;
  std::vector<UniqueFd> program_fds;  // parallel to programs
  std::vector<UniqueFd> map_fds;      // parallel to maps
  std::vector<UniqueFd> link_fds;     // one per attached program, in program order
  std::string pin_dir;                // absolute, "" when not pinned

  // Removes every pin this load made (rollback; tests' teardown).
  void unpin_all(const PinRoot& root);
};

// `label` names the object in errors. Errors: kUnsupported (attach without a
// section-defined target; a map with libbpf's `pinning` attribute),
// kRejected (the kernel refused: its verifier log tail in the message),
// kPermission (a pin path outside the root), kIo, kAlreadyExists (pin
// exists). The pin path, attach targets and map pinning are checked before
// the kernel sees anything; on any error nothing stays loaded or pinned.
Result<LoadedObject> load_verified_object(std::span<const std::uint8_t> verified, const std::string& label,
                                          const LoadOptions& options);

// Kernel ids of every loaded BPF program (for tests and status).
std::vector<std::uint32_t> kernel_program_ids();

}  // namespace pqbpf::loader

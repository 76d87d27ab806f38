// Attach targets named by the signed manifest (metadata.attach_point) for the
// program types whose section does not say where they attach.
//
//   xdp                      IFNAME            e.g. "eth0"
//   sched_cls (tc)           IFNAME:ingress    tcx link, e.g. "eth0:egress"
//                            IFNAME:egress
//   cgroup_* , sock_ops      /abs/cgroup/dir   a cgroup v2 directory
//
// The target is part of what was signed, so it binds: a client can ask for
// an attach but never say where. Interfaces are looked up in the loader's
// own network namespace. Every attachment is a BPF link held by a
// descriptor: when the last descriptor (and pin) goes, the program detaches.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pqbpf/core/unique_fd.h"
#include "pqbpf/result.h"

namespace pqbpf::loader {

enum class AttachKind {
  kSection,  // the section names the attach point (tracepoint/..., kprobe/...)
  kXdp,
  kTcx,
  kCgroup,
  kUnsupported,  // socket filters and the rest: attached by their user
};

// Which kind of attach a kernel program type (enum bpf_prog_type) needs.
AttachKind attach_kind_of(std::uint32_t prog_type);

// A checked, resolved target: what the manifest says, and the kernel object
// it names (interface index, or an open cgroup directory).
struct AttachTarget {
  AttachKind kind = AttachKind::kSection;
  std::string text;      // the manifest's attach_point, for records
  std::uint32_t ifindex = 0;
  bool ingress = true;   // tcx direction
  UniqueFd cgroup;       // kCgroup: O_DIRECTORY descriptor on cgroup2
};

// Parses and resolves `attach_point` for `kind` (kXdp, kTcx or kCgroup):
// kInvalidArgument for a missing or malformed target, kNotFound when the
// interface or cgroup does not exist, kInvalidArgument when a cgroup path is
// not a cgroup v2 directory. Nothing is loaded or attached here.
Result<AttachTarget> resolve_attach_target(AttachKind kind, std::string_view attach_point);

// Attaches the loaded program `prog_fd` (whose expected attach type, for
// cgroup programs, is `expected_attach_type`) to `target`; returns the link.
Result<UniqueFd> attach_to_target(int prog_fd, std::uint32_t expected_attach_type, const AttachTarget& target);

}  // namespace pqbpf::loader

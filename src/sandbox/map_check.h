// Checking the maps a matched load refers to (sandbox-internal).
//
// A matched request names maps by fd numbers in the workload. Each is fetched
// once through a MapFdSource (pidfd_getfd in the local supervisor; in the gate
// daemon, the descriptors the supervisor fetched that way and passed with
// SCM_RIGHTS), so the check and the load use
// the same kernel map, whatever the workload does with its fd table
// meanwhile), must be a BPF map, and must have the signed map's type, key and
// value size and name (BPF_OBJ_GET_INFO_BY_FD), and a .rodata map must hold
// the signed section's bytes (BPF_MAP_LOOKUP_ELEM). One map of the object is one
// kernel map: two references to the same signed map must be the same kernel
// map, and two signed maps must not share one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "expected_program.h"
#include "pqbpf/core/unique_fd.h"
#include "pqbpf/result.h"
#include "pqbpf/sandbox/transparent_gate.h"

namespace pqbpf::sandbox::internal {

struct CheckedMaps {
  // The supervisor's own fd for each slot, in ExpectedProgram::slots order
  // (several slots may share one descriptor).
  std::vector<int> slot_fds;
  std::vector<UniqueFd> owned;
};

// Whether our descriptor `fd` is a BPF map (BPF_OBJ_GET_INFO_BY_FD would
// fill a map_info from a program's info otherwise).
bool is_bpf_map(int fd);

// kPermission with one sentence naming the first map that does not fit.
// pidfd_getfd on the caller's process (`pidfd` >= 0; not owned).
MapFdSource map_fds_of_process(int pidfd);

Result<CheckedMaps> fetch_and_check_maps(const MapFdSource& source, const ExpectedObject& object,
                                         const ExpectedProgram& program,
                                         const std::vector<std::int32_t>& workload_fds);

}  // namespace pqbpf::sandbox::internal

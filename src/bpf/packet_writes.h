// Direct packet writes (internal): does a program store into packet bytes
// through the packet pointers its context hands it, with no helper call?
//
// Only program types whose context gives *writable* packet pointers can
// (the kernel's may_access_direct_pkt_data(): sched_cls, sched_act, xdp,
// lwt_xmit, sk_skb, sk_msg, cgroup_sockopt). For those, a forward dataflow
// over the instructions a loader would load (the program's function and the
// .text subprograms count_reachable_insns found) tracks, per register and
// per 8-byte stack slot, whether a value may be the context pointer, a
// packet pointer or a stack pointer. Any store or atomic operation whose
// base may be a packet pointer is a direct packet write. The analysis only
// over-approximates: when it cannot decode something or passes its work
// cap, it assumes the program writes and says why in `unknown`.
// docs/CAPABILITIES.md ("Direct packet writes") gives the rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "elf_image.h"
#include "pqbpf/bpf/object_info.h"
#include "reachable_insns.h"

namespace pqbpf::bpf::internal {

// Work cap for one object: instructions interpreted, summed over all
// programs. Past it the remaining programs are assumed to write.
constexpr std::uint64_t kMaxPacketWriteSteps = 1u << 24;

// A context field holding a packet pointer the program may write through:
// byte offset and width in the UAPI context struct (<linux/bpf.h>).
struct PacketPointerField {
  std::int32_t offset = 0;
  std::int32_t size = 0;
};

// The data/data_meta fields of the context of kernel program type `type`
// when that type may write packets directly; nullopt for every other type.
std::optional<std::vector<PacketPointerField>> writable_packet_fields(BPFProgramType type);

// Whether the code at `own` (the program's function) plus `reached` (.text
// ranges) stores through a packet pointer. `why_unsure` is set, and the
// answer is true, when the analysis could not finish.
struct PacketWriteAnswer {
  bool writes = false;
  std::string why_unsure;  // "" when the answer is exact for the code read
};
PacketWriteAnswer find_packet_writes(const ElfImage& image, const ElfSection& own,
                                     std::uint64_t offset, std::uint64_t size,
                                     const std::vector<TextRange>& reached,
                                     const std::vector<PacketPointerField>& fields,
                                     std::uint64_t& budget);

// Sets ProgramInfo::writes_packet_directly of every program. `reached[i]`
// are the .text ranges program i reaches (count_reachable_insns); a packet
// program whose subprograms are unknown is assumed to write (`unknown`
// already says why); every other assumption adds one line to `unknown`.
void mark_packet_writes(const ElfImage& image, const std::vector<std::vector<TextRange>>& reached,
                        std::vector<ProgramInfo>& programs, std::vector<std::string>& unknown);

}  // namespace pqbpf::bpf::internal

// What a BPF program can do, by the helpers and kfuncs it calls.
//
// Every kernel helper (enum bpf_func_id in the kernel's UAPI) has one
// capability class here, from what it lets a program touch: kernel or user
// memory, packets, other programs, signals, the syscall's return value...
// docs/CAPABILITIES.md is the table, with the kernel version each helper
// appeared in. A helper id this table does not know is class `unknown`, and
// a policy denies it unless a rule allows `unknown` by name. Every kfunc is
// class `kfunc` (the kernel exports thousands, with no stable list).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pqbpf/bpf/object_info.h"
#include "pqbpf/core/program_type.h"

namespace pqbpf::bpf {

enum class Capability {
  kMapAccess,         // map_access: read/write the program's own maps and storage
  kKernelMemoryRead,  // kernel_memory_read: arbitrary kernel memory, stacks, kernel pointers
  kUserMemoryRead,    // user_memory_read: a process's memory
  kUserMemoryWrite,   // user_memory_write: write a process's memory
  kKernelWrite,       // kernel_write: change kernel state outside the program (sysctl, socket options, input events)
  kPacketRead,        // packet_read: packet bytes and metadata
  kPacketWrite,       // packet_write: rewrite, grow, shrink or encapsulate packets
  kRedirect,          // redirect: send packets, sockets or messages elsewhere
  kSignal,            // signal: send a signal to a process
  kOverrideReturn,    // override_return: change a kernel function's or syscall's return value
  kOutput,            // output: perf buffers, ring buffers, trace_pipe, seq files
  kSyscall,           // syscall: run bpf() and other syscalls from BPF
  kTime,              // time: clocks
  kRandom,            // random: pseudo-random numbers
  kTailCall,          // tail_call: jump into another program
  kContextRead,       // context_read: who and where (pid, comm, cgroup, cpu, arguments)
  kSocket,            // socket: look up, cast and account sockets
  kCompute,           // compute: on the program's own memory (locks, loops, timers, strings)
  kKfunc,             // kfunc: a kernel function called directly (no stable contract)
  kUnknown,           // unknown: a helper id this table does not know
};

// All classes, in the order above (for listings and tests).
std::span<const Capability> all_capabilities();
std::string_view capability_name(Capability c);  // "kernel_memory_read", ...
std::optional<Capability> parse_capability(std::string_view name);

struct HelperInfo {
  std::int32_t id = 0;           // enum bpf_func_id
  std::string_view name;         // kernel name with the bpf_ prefix: "bpf_probe_read_kernel"
  Capability capability = Capability::kUnknown;
  std::string_view since;        // first kernel release with it: "5.5"
};

// The table entry for helper `id`, or nullptr when the id is unknown.
const HelperInfo* find_helper(std::int64_t id);
// By name, with or without the bpf_ prefix ("probe_read_kernel" works).
const HelperInfo* find_helper(std::string_view name);
// Every known helper, ordered by id (1 .. highest).
std::span<const HelperInfo> known_helpers();

// "bpf_probe_read_kernel", or "unknown#<id>" for an id the table does not know.
std::string helper_display_name(std::int64_t id);
// The helper's class; kUnknown for an unknown id.
Capability helper_capability(std::int64_t id);

// A class a program has by what kind of program it is, whatever it calls:
// what the kernel lets that kind do without any helper.
struct ImpliedCapability {
  Capability capability = Capability::kUnknown;
  std::string_view why;  // "reads kernel memory through its BTF-typed arguments"
};

// For the kernel program type `type` (nullopt: none) and libbpf's expected
// attach type name ("modify_return", ...):
// - tracing, lsm and struct_ops programs get BTF-typed pointers to kernel
//   objects and read them with plain loads: kernel_memory_read;
// - fmod_ret (modify_return), lsm and struct_ops programs decide what the
//   kernel function they hook returns: override_return;
// - struct_ops programs may write the kernel structures they are handed, and
//   raw_tracepoint.w programs their tracepoint's buffer: kernel_write.
// Not covered (docs/CAPABILITIES.md, "What the classes cannot see"): a
// packet program's verdict, and freplace (ext) programs, which act as the
// program they replace.
std::vector<ImpliedCapability> implied_capabilities(std::optional<BPFProgramType> type,
                                                    std::string_view expected_attach_type);

// Every class `program` has without calling a helper: those of its kind
// (above) plus packet_write when it writes packet bytes directly
// (ProgramInfo::writes_packet_directly). The one list inspect and the
// policy both judge.
std::vector<ImpliedCapability> implied_capabilities(const ProgramInfo& program);

// True for a map type name the linked libbpf knows ("hash", "ringbuf", ...)
// and for "unknown" (a map whose type the reader could not read).
bool is_map_type_name(std::string_view name);

}  // namespace pqbpf::bpf

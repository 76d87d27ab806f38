// Section-name facts (see section_name.h). The prefix lists below are ours:
// they say which section kinds carry an attach target, not how libbpf maps
// names to types (that comes from the linked libbpf at run time).
#include "section_name.h"

#include <bpf/libbpf.h>

#include <array>

#include "libbpf_quiet.h"

namespace pqbpf::bpf::internal {
namespace {

// Section kinds whose text after "<prefix>/" names what the program attaches
// to (a kernel function, tracepoint, LSM hook, binary:symbol, ...).
constexpr std::array<std::string_view, 38> kTargetPrefixes = {
    "kprobe", "kretprobe", "kprobe.multi", "kretprobe.multi", "ksyscall", "kretsyscall",
    "uprobe", "uretprobe", "uprobe.s", "uretprobe.s", "uprobe.multi", "uretprobe.multi",
    "uprobe.multi.s", "uretprobe.multi.s", "usdt", "usdt.s",
    "tracepoint", "tp", "raw_tracepoint", "raw_tp", "raw_tracepoint.w", "raw_tp.w",
    "tp_btf", "fentry", "fexit", "fmod_ret", "fentry.s", "fexit.s", "fmod_ret.s",
    "freplace", "lsm", "lsm.s", "lsm_cgroup", "iter", "iter.s", "struct_ops", "struct_ops.s",
    "syscall"};

struct Refinement {
  std::string_view prefix;
  BPFProgramType kernel;
  BPFProgramType refined;
};

// A USDT probe is a uprobe to the kernel, so it is judged as one: a rule for
// uprobe programs covers it, and one for kprobe programs only as their kernel
// type. (Section names a linked libbpf does not know get no type at all.)
constexpr std::array<Refinement, 17> kRefinements = {{
    {"kretprobe", BPFProgramType::kKprobe, BPFProgramType::kKretprobe},
    {"kretprobe.multi", BPFProgramType::kKprobe, BPFProgramType::kKretprobe},
    {"kretsyscall", BPFProgramType::kKprobe, BPFProgramType::kKretprobe},
    {"uprobe", BPFProgramType::kKprobe, BPFProgramType::kUprobe},
    {"uprobe.s", BPFProgramType::kKprobe, BPFProgramType::kUprobe},
    {"uretprobe", BPFProgramType::kKprobe, BPFProgramType::kUretprobe},
    {"uretprobe.s", BPFProgramType::kKprobe, BPFProgramType::kUretprobe},
    {"uprobe.multi", BPFProgramType::kKprobe, BPFProgramType::kUprobe},
    {"uprobe.multi.s", BPFProgramType::kKprobe, BPFProgramType::kUprobe},
    {"uretprobe.multi", BPFProgramType::kKprobe, BPFProgramType::kUretprobe},
    {"uretprobe.multi.s", BPFProgramType::kKprobe, BPFProgramType::kUretprobe},
    {"usdt", BPFProgramType::kKprobe, BPFProgramType::kUprobe},
    {"usdt.s", BPFProgramType::kKprobe, BPFProgramType::kUprobe},
    {"fentry", BPFProgramType::kTracing, BPFProgramType::kFentry},
    {"fentry.s", BPFProgramType::kTracing, BPFProgramType::kFentry},
    {"fexit", BPFProgramType::kTracing, BPFProgramType::kFexit},
    {"fexit.s", BPFProgramType::kTracing, BPFProgramType::kFexit},
}};

std::string_view prefix_of(std::string_view section) {
  const auto slash = section.find('/');
  return slash == std::string_view::npos ? section : section.substr(0, slash);
}

}  // namespace

SectionFacts section_facts(std::string_view section) {
  SectionFacts facts;
  const std::string name(section);
  bpf_prog_type type = BPF_PROG_TYPE_UNSPEC;
  bpf_attach_type attach = static_cast<bpf_attach_type>(0);
  int rc = 0;
  with_libbpf_quiet([&] { rc = libbpf_prog_type_by_name(name.c_str(), &type, &attach); });
  if (rc != 0 || type == BPF_PROG_TYPE_UNSPEC) return facts;
  facts.type = program_type_from_kernel(static_cast<int>(type));
  facts.expected_attach_type = attach_type_name(static_cast<int>(attach), section);
  return facts;
}

std::string attach_target_from_section(std::string_view section) {
  const auto slash = section.find('/');
  if (slash == std::string_view::npos) return "";
  const std::string_view prefix = section.substr(0, slash);
  for (auto p : kTargetPrefixes) {
    if (p == prefix) return std::string(section.substr(slash + 1));
  }
  return "";
}

std::optional<BPFProgramType> refined_type_from_section(std::string_view section,
                                                        std::optional<BPFProgramType> kernel_type) {
  if (!kernel_type) return std::nullopt;
  const std::string_view prefix = prefix_of(section);
  for (const auto& r : kRefinements) {
    if (r.prefix == prefix && r.kernel == *kernel_type) return r.refined;
  }
  return std::nullopt;
}

std::string attach_type_name(int attach_type, std::string_view section) {
  // Attach type 0 is BPF_CGROUP_INET_INGRESS; libbpf also uses 0 for "none".
  // Only cgroup ingress sections mean it literally.
  if (attach_type == 0) {
    const std::string_view prefix = prefix_of(section);
    const bool ingress = section.size() > prefix.size() &&
                         section.substr(prefix.size() + 1) == "ingress" &&
                         (prefix == "cgroup_skb" || prefix == "cgroup");
    if (!ingress) return "";
  }
  const char* name = libbpf_bpf_attach_type_str(static_cast<bpf_attach_type>(attach_type));
  return name != nullptr ? name : "unknown(" + std::to_string(attach_type) + ")";
}

}  // namespace pqbpf::bpf::internal

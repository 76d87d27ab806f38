// apply_kernel_core_values (see core_values.h).
#include "core_values.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "../bpf/libbpf_quiet.h"
#include "pqbpf/core/unique_fd.h"

namespace pqbpf::sandbox::internal {
namespace {

constexpr std::uint8_t kOpLdImm64 = BPF_LD | BPF_IMM | BPF_DW;

struct ObjectCloser {
  void operator()(bpf_object* o) const { bpf_object__close(o); }
};

bool wants_kernel_values(const ExpectedProgram& p) {
  return p.unmatchable.empty() && (!p.core_insns.empty() || p.core_in_subprograms > 0);
}

// Whether instruction i may hold a CO-RE value: a relocated instruction of
// the entry function (or the second half of such an ld_imm64), or any
// instruction of the appended subprograms when they carry relocations.
bool is_core_position(const ExpectedProgram& p, std::uint32_t i) {
  auto listed = [&](std::uint32_t at) {
    return std::find(p.core_insns.begin(), p.core_insns.end(), at) != p.core_insns.end();
  };
  if (i >= p.entry_insns) return p.core_in_subprograms > 0;
  if (listed(i)) return true;
  return i > 0 && listed(i - 1) && p.insns[static_cast<std::size_t>(i - 1) * 8] == kOpLdImm64;
}

// Copies the instructions where `relocated` (libbpf's normal-mode relocation
// for this kernel) differs from p.insns into p.insns, when every difference is
// at a CO-RE position and none touches a map slot. Otherwise p is unchanged.
void take_core_values(ExpectedProgram& p, const std::vector<std::uint8_t>& relocated) {
  if (relocated.size() != p.insns.size()) return;
  std::vector<bool> slot(p.insns.size() / 8, false);
  for (const MapSlot& s : p.slots) {
    slot[s.insn] = true;  // the first half carries the fd; the second half is compared
  }
  std::vector<std::uint32_t> differ;
  std::size_t in_subprograms = 0;
  for (std::uint32_t i = 0; i < slot.size(); ++i) {
    if (slot[i]) continue;
    if (std::memcmp(relocated.data() + i * 8, p.insns.data() + i * 8, 8) == 0) continue;
    if (!is_core_position(p, i)) return;
    if (i >= p.entry_insns) ++in_subprograms;
    differ.push_back(i);
  }
  // An ld_imm64 counts once in core_in_subprograms but may change twice.
  if (in_subprograms > 2 * p.core_in_subprograms) return;
  for (std::uint32_t i : differ) {
    std::memcpy(p.insns.data() + i * 8, relocated.data() + i * 8, 8);
  }
  p.core_from_kernel = true;
  p.core_fields_relocated = differ.size();
  p.masked_sha3_256 = masked_digest(p);
}

}  // namespace

std::string apply_kernel_core_values(ExpectedObject& expected, std::span<const std::uint8_t> object) {
  if (std::none_of(expected.programs.begin(), expected.programs.end(), wants_kernel_values)) return "";
  std::string failure;
  std::map<std::string, std::vector<std::uint8_t>> relocated;
  std::vector<std::uint8_t> copy(object.begin(), object.end());
  const std::vector<std::string> warnings = bpf::internal::with_libbpf_quiet([&] {
    // One tiny map stands in for every map of the object: relocation only
    // needs a map fd to write into the ld_imm64s (which the match masks),
    // so no map of the object's own size or type is created.
    UniqueFd placeholder(bpf_map_create(BPF_MAP_TYPE_ARRAY, "pqbpf_core", 4, 4, 1, nullptr));
    if (!placeholder.valid()) {
      failure = "cannot create a placeholder map (" + std::string(std::strerror(errno)) + ")";
      return;
    }
    LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "pqbpf_core");
    std::unique_ptr<bpf_object, ObjectCloser> obj(bpf_object__open_mem(copy.data(), copy.size(), &opts));
    if (!obj) {
      failure = "libbpf cannot open it";
      return;
    }
    bpf_map* map = nullptr;
    bpf_object__for_each_map(map, obj.get()) {
      if (bpf_map__reuse_fd(map, placeholder.get()) != 0) {
        failure = "libbpf cannot relocate its map '" + std::string(bpf_map__name(map)) + "'";
        return;
      }
    }
    // Relocation (CO-RE included) runs for every program before any is
    // loaded; a program type the kernel does not know makes each load fail
    // in its first check, before the verifier, so nothing is loaded.
    bpf_program* prog = nullptr;
    bpf_object__for_each_program(prog, obj.get()) {
      bpf_program__set_type(prog, BPF_PROG_TYPE_UNSPEC);
    }
    (void)bpf_object__load(obj.get());  // fails by design; the insns are relocated
    bpf_object__for_each_program(prog, obj.get()) {
      if (!bpf_program__autoload(prog)) continue;
      const bpf_insn* insns = bpf_program__insns(prog);
      const std::size_t cnt = bpf_program__insn_cnt(prog);
      if (insns == nullptr || cnt == 0) continue;
      const auto* bytes = reinterpret_cast<const std::uint8_t*>(insns);
      relocated[bpf_program__name(prog)].assign(bytes, bytes + cnt * sizeof(bpf_insn));
    }
  });
  if (!failure.empty()) return failure;
  for (ExpectedProgram& p : expected.programs) {
    if (!wants_kernel_values(p)) continue;
    auto it = relocated.find(p.name);
    if (it != relocated.end()) take_core_values(p, it->second);
  }
  (void)warnings;
  return "";
}

}  // namespace pqbpf::sandbox::internal

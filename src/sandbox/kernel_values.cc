// apply_kernel_values (see kernel_values.h).
#include "kernel_values.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "../bpf/bpf_object_ptr.h"
#include "../bpf/libbpf_quiet.h"
#include "pqbpf/core/unique_fd.h"

namespace pqbpf::sandbox::internal {
namespace {

constexpr std::uint8_t kOpLdImm64 = BPF_LD | BPF_IMM | BPF_DW;

bool wants_kernel_values(const ExpectedProgram& p) {
  return (p.unmatchable.empty() || p.kfuncs_pending) &&
         (!p.core_insns.empty() || p.core_in_subprograms > 0 || p.reads_kconfig ||
          !p.kfunc_insns.empty());
}

// Sets each kfunc call's BTF id to libbpf's lookup in this kernel's BTF.
// Only kernel (vmlinux) functions: a module's needs a BTF descriptor in
// fd_array, which the gate does not pass. Leaves `unmatchable` saying why
// when a call cannot be bound.
void take_kfunc_ids(ExpectedProgram& p, const std::vector<std::uint8_t>& relocated) {
  if (!p.kfuncs_pending) return;
  if (relocated.size() != p.insns.size()) return;
  for (std::uint32_t i : p.kfunc_insns) {
    const std::uint8_t* r = relocated.data() + static_cast<std::size_t>(i) * 8;
    std::int16_t off;
    std::int32_t imm;
    std::memcpy(&off, r + 2, 2);
    std::memcpy(&imm, r + 4, 4);
    const std::string at = "instruction " + std::to_string(i) + " calls a kernel function (kfunc)";
    if (r[0] != (BPF_JMP | BPF_CALL) || (r[1] >> 4) != BPF_PSEUDO_KFUNC_CALL || imm <= 0) {
      p.unmatchable = at + " that libbpf could not find in this kernel's BTF";
      return;
    }
    if (off != 0) {
      p.unmatchable = at + " of a kernel module, whose BTF the loader names by a descriptor "
                           "(fd_array) the gate does not pass";
      return;
    }
  }
  for (std::uint32_t i : p.kfunc_insns) {
    std::memcpy(p.insns.data() + static_cast<std::size_t>(i) * 8,
                relocated.data() + static_cast<std::size_t>(i) * 8, 8);
  }
  p.kfuncs_pending = false;
  p.unmatchable.clear();
  p.masked_sha3_256 = masked_digest(p);
}

bool is_kconfig(const ExpectedMap& m) { return m.internal && m.internal_suffix == ".kconfig"; }

// Whether libbpf got as far as relocating `relocated`: its map references
// hold map fds (gen_loader's hold map indexes), which libbpf writes only after
// it resolved the externs (.kconfig included) and created the maps.
bool data_relocated(const ExpectedProgram& p, const std::vector<std::uint8_t>& relocated) {
  if (relocated.size() != p.insns.size() || p.slots.empty()) return false;
  for (const MapSlot& s : p.slots) {
    const std::uint8_t src = relocated[static_cast<std::size_t>(s.insn) * 8 + 1] >> 4;
    if (src != BPF_PSEUDO_MAP_FD && src != BPF_PSEUDO_MAP_VALUE) return false;
  }
  return true;
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

std::string apply_kernel_values(ExpectedObject& expected, std::span<const std::uint8_t> object) {
  if (std::none_of(expected.programs.begin(), expected.programs.end(), wants_kernel_values)) return "";
  std::string failure;
  std::map<std::string, std::vector<std::uint8_t>> relocated;
  std::map<std::size_t, std::vector<std::uint8_t>> kconfig;  // map index -> values
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
    bpf::internal::BpfObjectPtr obj(bpf_object__open_mem(copy.data(), copy.size(), &opts));
    if (!obj) {
      failure = "libbpf cannot open it";
      return;
    }
    // The .kconfig map is the exception: libbpf creates it (a small array)
    // and fills it with what it reads from this kernel's configuration.
    bpf_map* map = nullptr;
    std::size_t index = 0;
    std::vector<std::pair<std::size_t, bpf_map*>> kconfig_maps;
    bpf_object__for_each_map(map, obj.get()) {
      const std::size_t i = index++;
      if (i < expected.maps.size() && is_kconfig(expected.maps[i])) {
        kconfig_maps.emplace_back(i, map);
        continue;
      }
      if (bpf_map__reuse_fd(map, placeholder.get()) != 0) {
        failure = "libbpf cannot relocate its map '" + std::string(bpf_map__name(map)) + "'";
        return;
      }
    }
    if (index != expected.maps.size()) {
      failure = "libbpf sees another number of maps than before";
      return;
    }
    // Relocation (CO-RE included) runs for every program before any is
    // loaded; libbpf refuses to load a program without a type before it
    // calls the kernel, so nothing of the object is loaded.
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
    for (const auto& [i, m] : kconfig_maps) {
      std::size_t size = 0;
      const void* values = bpf_map__initial_value(m, &size);
      if (values != nullptr && size == expected.maps[i].value_size) {
        const auto* b = static_cast<const std::uint8_t*>(values);
        kconfig[i].assign(b, b + size);
      }
    }
  });
  if (!failure.empty()) return failure;
  for (ExpectedProgram& p : expected.programs) {
    if (!wants_kernel_values(p)) continue;
    auto it = relocated.find(p.name);
    if (it == relocated.end()) continue;
    // .kconfig values count only if libbpf got past resolving them.
    if (p.reads_kconfig && data_relocated(p, it->second)) {
      for (const auto& [i, values] : kconfig) expected.maps[i].contents = values;
    }
    take_kfunc_ids(p, it->second);
    if (!p.unmatchable.empty()) continue;
    if (!p.core_insns.empty() || p.core_in_subprograms > 0) take_core_values(p, it->second);
  }
  // A program reading .kconfig whose values libbpf could not read here
  // cannot be matched.
  for (ExpectedProgram& p : expected.programs) {
    if (!p.reads_kconfig || !p.unmatchable.empty()) continue;
    const bool known = std::all_of(expected.maps.begin(), expected.maps.end(), [](const ExpectedMap& m) {
      return !is_kconfig(m) || m.contents.size() == m.value_size;
    });
    if (!known) {
      p.unmatchable = "instruction " + std::to_string(p.kconfig_insn) +
                      " reads kernel configuration (.kconfig), whose values libbpf could not "
                      "read on this machine";
    }
  }
  (void)warnings;
  return "";
}

}  // namespace pqbpf::sandbox::internal

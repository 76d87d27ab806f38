// derive_expected_programs (see expected_program.h).
#include "expected_program.h"

#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <cstring>
#include <memory>

#include "../bpf/bpf_object_ptr.h"
#include "../bpf/libbpf_quiet.h"
#include "pqbpf/crypto/sha3.h"

namespace pqbpf::sandbox::internal {
namespace {

constexpr std::uint8_t kOpLdImm64 = BPF_LD | BPF_IMM | BPF_DW;
constexpr std::uint8_t kOpCall = BPF_JMP | BPF_CALL;

// Not in Debian 12's linux/bpf.h (Linux 5.18+).
constexpr std::uint32_t kXdpHasFrags = 1u << 5;  // BPF_F_XDP_HAS_FRAGS

}  // namespace

// libbpf 1.1 adds these flags from the section name when it prepares each
// load (libbpf_prepare_prog_load), after bpf_program__flags() has been read:
// sleepable for the `.s` section kinds and `syscall`, multi-buffer for
// `xdp.frags` XDP programs.
std::uint32_t flags_libbpf_adds(std::string_view section, std::uint32_t prog_type) {
  const std::string_view kind = section.substr(0, section.find('/'));
  std::uint32_t flags = 0;
  if (kind.ends_with(".s") || kind == "syscall") flags |= BPF_F_SLEEPABLE;
  if (kind == "xdp.frags" && prog_type == BPF_PROG_TYPE_XDP) flags |= kXdpHasFrags;
  return flags;
}

namespace {

// The internal map's name after the object prefix libbpf put in front of it
// (libbpf 1.1 internal_map_name: prefix + section-derived suffix).
std::string internal_suffix(const std::string& name) {
  const auto dot = name.find('.');
  return dot == std::string::npos ? name : name.substr(dot);
}

// Finds the loader-filled fields of one relocated program; says why a
// program cannot be matched.
void classify(ExpectedProgram& p, const ExpectedObject& object) {
  const std::size_t n = p.insns.size() / 8;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* insn = p.insns.data() + i * 8;
    const std::uint8_t code = insn[0];
    const std::uint8_t src = insn[1] >> 4;
    std::int32_t imm;
    std::memcpy(&imm, insn + 4, 4);
    // A kfunc's BTF id is the loader's lookup in this kernel's BTF: bound to
    // libbpf's own lookup (kernel_values.h), unmatchable until then.
    if (code == kOpCall && src == BPF_PSEUDO_KFUNC_CALL) p.kfunc_insns.push_back(static_cast<std::uint32_t>(i));
    if (code != kOpLdImm64) continue;
    if (i + 1 >= n) {
      if (p.unmatchable.empty()) p.unmatchable = "the last instruction is half of an ld_imm64";
      break;
    }
    if (src == BPF_PSEUDO_MAP_IDX || src == BPF_PSEUDO_MAP_IDX_VALUE) {
      if (imm < 0 || static_cast<std::size_t>(imm) >= object.maps.size()) {
        if (p.unmatchable.empty()) p.unmatchable = "instruction " + std::to_string(i) + " names no map";
      } else {
        const ExpectedMap& m = object.maps[static_cast<std::size_t>(imm)];
        // Its contents are the loader's reading of this kernel's config:
        // bound to libbpf's own reading (kernel_values.h), or unmatchable.
        if (m.internal && m.internal_suffix == ".kconfig" && !p.reads_kconfig) {
          p.reads_kconfig = true;
          p.kconfig_insn = static_cast<std::uint32_t>(i);
        }
        p.slots.push_back({static_cast<std::uint32_t>(i),
                           src == BPF_PSEUDO_MAP_IDX ? MapSlot::Kind::kMapFd : MapSlot::Kind::kMapValue,
                           static_cast<std::uint32_t>(imm)});
      }
    } else if (src == BPF_PSEUDO_BTF_ID && p.unmatchable.empty()) {
      p.unmatchable = "instruction " + std::to_string(i) + " reads a kernel variable (ksym), "
                      "whose BTF id the loader fills in and the gate does not check";
    } else if (src == BPF_PSEUDO_FUNC && p.unmatchable.empty()) {
      p.unmatchable = "instruction " + std::to_string(i) + " takes a callback's address; the kernel "
                      "needs BTF func_info for it, which the gate does not pass";
    } else if (src != 0 && p.unmatchable.empty()) {
      p.unmatchable = "instruction " + std::to_string(i) + " is an ld_imm64 of kind " +
                      std::to_string(src) + ", which the gate does not know";
    }
    ++i;  // the second half
  }
  if (p.unmatchable.empty() && !p.kfunc_insns.empty()) {
    p.kfuncs_pending = true;
    p.unmatchable = "instruction " + std::to_string(p.kfunc_insns.front()) +
                    " calls a kernel function (kfunc), whose BTF id the gate could not look up on "
                    "this kernel";
  }
  p.masked_sha3_256 = masked_digest(p);
}

}  // namespace

std::string masked_digest(const ExpectedProgram& p) {
  std::vector<std::uint8_t> masked = p.insns;
  for (const MapSlot& s : p.slots) {
    std::uint8_t* insn = masked.data() + static_cast<std::size_t>(s.insn) * 8;
    insn[1] &= 0x0f;
    std::memset(insn + 4, 0, 4);
  }
  return crypto::to_hex(crypto::sha3_256(masked));
}

Result<ExpectedObject> derive_expected_programs(std::span<const std::uint8_t> object,
                                                const std::string& label) {
  ExpectedObject out;
  std::string failure;
  // libbpf may keep pointers into the buffer while the object is open.
  std::vector<std::uint8_t> copy(object.begin(), object.end());
  const std::vector<std::string> warnings = bpf::internal::with_libbpf_quiet([&] {
    LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "pqbpf_match");
    bpf::internal::BpfObjectPtr obj(bpf_object__open_mem(copy.data(), copy.size(), &opts));
    if (!obj) {
      failure = "libbpf cannot open it";
      return;
    }
    bpf_map* map = nullptr;
    bpf_object__for_each_map(map, obj.get()) {
      ExpectedMap m;
      m.name = bpf_map__name(map);
      m.internal = bpf_map__is_internal(map);
      if (m.internal) m.internal_suffix = internal_suffix(m.name);
      m.type = bpf_map__type(map);
      m.key_size = bpf_map__key_size(map);
      m.value_size = bpf_map__value_size(map);
      if (m.internal && m.internal_suffix == ".kconfig") m.bind_contents = true;  // kernel_values.h
      if (m.internal && m.internal_suffix.starts_with(".rodata")) {
        std::size_t size = 0;
        const void* init = bpf_map__initial_value(map, &size);
        m.bind_contents = true;
        if (init != nullptr && size == m.value_size) {
          const auto* b = static_cast<const std::uint8_t*>(init);
          m.contents.assign(b, b + size);
        }
      }
      out.maps.push_back(std::move(m));
    }
    LIBBPF_OPTS(gen_loader_opts, gen);
    if (bpf_object__gen_loader(obj.get(), &gen) != 0) {
      failure = "libbpf cannot relocate it (gen_loader)";
      return;
    }
    if (bpf_object__load(obj.get()) != 0) {
      failure = "libbpf cannot relocate it";
      return;
    }
    bpf_program* prog = nullptr;
    bpf_object__for_each_program(prog, obj.get()) {
      if (!bpf_program__autoload(prog)) continue;  // libbpf would not load it either
      ExpectedProgram p;
      p.name = bpf_program__name(prog);
      p.section = bpf_program__section_name(prog);
      p.prog_type = bpf_program__type(prog);
      p.expected_attach_type = bpf_program__expected_attach_type(prog);
      p.prog_flags = bpf_program__flags(prog) | flags_libbpf_adds(p.section, p.prog_type);
      const bpf_insn* insns = bpf_program__insns(prog);
      const std::size_t cnt = bpf_program__insn_cnt(prog);
      if (insns == nullptr || cnt == 0) continue;
      const auto* bytes = reinterpret_cast<const std::uint8_t*>(insns);
      p.insns.assign(bytes, bytes + cnt * sizeof(bpf_insn));
      out.programs.push_back(std::move(p));
    }
  });
  if (!failure.empty()) {
    std::string line = label + ": " + failure;
    if (!warnings.empty()) line += " (" + warnings.back() + ")";
    return make_error(ErrorCode::kParse, line);
  }
  for (ExpectedProgram& p : out.programs) classify(p, out);
  return out;
}

}  // namespace pqbpf::sandbox::internal

// Helpers, kfuncs and maps per program (see program_calls.h).
//
// Algorithm: each program's own range and each .text range it reaches are
// scanned once, instruction by instruction, against the relocations of
// their section (validated by parse_elf_image: each points at a whole
// instruction and names an existing symbol). Results are merged per program
// into sorted, unique lists. Work is linear in the code scanned.
#include "program_calls.h"

#include "bpf_insn.h"

#include <elf.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

namespace pqbpf::bpf::internal {
namespace {

constexpr std::size_t kBpfObjNameLen = 16;     // BPF_OBJ_NAME_LEN, NUL included

bool has_prefix(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }

bool is_map_section(const std::string& name) {
  return name == ".maps" || name == "maps" || has_prefix(name, "maps/");
}

// Sections libbpf turns into internal ARRAY maps.
bool is_data_section(const std::string& name) {
  for (std::string_view base : {".data", ".rodata", ".bss"}) {
    if (name == base || has_prefix(name, std::string(base) + ".")) return true;
  }
  return false;
}

// libbpf 1.1's internal_map_name() for object name kLibbpfObjectName: the
// object name's prefix (none when the section name has a second '.'), then
// the section name, cut to 15 bytes, other characters than [A-Za-z0-9_.]
// replaced by '_'.
std::string internal_map_name(const std::string& section) {
  const std::string object = kLibbpfObjectName;
  const std::size_t sfx_len = std::max<std::size_t>(7, section.size());
  std::size_t pfx_len = 0;
  if (section.find('.', 1) == std::string::npos && sfx_len + 1 < kBpfObjNameLen) {
    pfx_len = std::min(kBpfObjNameLen - sfx_len - 1, object.size());
  }
  std::string name = object.substr(0, pfx_len) + section.substr(0, sfx_len);
  if (name.size() > kBpfObjNameLen - 1) name.resize(kBpfObjNameLen - 1);
  for (char& c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.';
    if (!ok) c = '_';
  }
  return name;
}

std::string map_type_of(const std::vector<MapInfo>& maps, const std::string& name,
                        const char* fallback) {
  for (const auto& m : maps) {
    if (m.name == name) return m.type;
  }
  return fallback;
}

// The map a 64-bit load relocated against `sym` refers to, if any.
std::optional<MapReference> map_of(const ElfImage& image, const ElfSymbol& sym,
                                   const std::vector<MapInfo>& maps) {
  if (sym.shndx == SHN_UNDEF || sym.shndx >= image.sections.size()) return std::nullopt;
  const ElfSection& home = image.sections[sym.shndx];
  if (is_map_section(home.name)) {
    // libbpf matches a map by (section, st_value): a section symbol stands
    // for the map defined at its value.
    std::string name = sym.type == STT_SECTION ? std::string() : sym.name;
    if (name.empty()) {
      for (const auto& other : image.symbols) {
        if (other.shndx == sym.shndx && other.value == sym.value && other.type != STT_SECTION &&
            !other.name.empty()) {
          name = other.name;
          break;
        }
      }
    }
    if (name.empty()) return MapReference{home.name + "@" + std::to_string(sym.value), "unknown"};
    return MapReference{name, map_type_of(maps, name, "unknown")};
  }
  if (is_data_section(home.name)) {
    const std::string name = internal_map_name(home.name);
    // libbpf makes every data section an ARRAY map, listed or not.
    return MapReference{name, map_type_of(maps, name, "array")};
  }
  return std::nullopt;
}

class Scanner {
 public:
  Scanner(const ElfImage& image, const std::vector<MapInfo>& maps) : image_(image), maps_(maps) {}

  void scan(const ElfSection& section, std::uint64_t offset, std::uint64_t size,
            std::set<std::int32_t>& helpers, std::set<std::string>& kfuncs,
            std::map<std::string, std::string>& map_refs) {
    const auto& relocs = relocations(section);
    std::uint64_t end = 0;
    if (__builtin_add_overflow(offset, size, &end) || end > section.bytes.size()) return;
    for (std::uint64_t at = offset; at + kInsnSize <= end; at += kInsnSize) {
      const std::uint8_t code = section.bytes[at];
      if (code != kOpCall && code != kOpLdImm64) continue;
      const Insn insn = decode_insn(image_, section.bytes, at);
      const auto r = relocs.find(at);
      const ElfSymbol* sym = r != relocs.end() ? &image_.symbols[r->second] : nullptr;
      if (code == kOpCall) {
        if (sym != nullptr) {
          if (sym->shndx == SHN_UNDEF) kfuncs.insert(sym->name);  // an extern: a kfunc
          continue;  // otherwise a BPF-to-BPF call (reachable_insns follows it)
        }
        if (insn.src == 0) {
          helpers.insert(insn.imm);
        } else if (insn.src == kPseudoKfuncCall) {
          kfuncs.insert("btf_id#" + std::to_string(insn.imm));
        }
      } else if (sym != nullptr) {
        if (auto m = map_of(image_, *sym, maps_)) map_refs.emplace(m->name, m->type);
      }
    }
  }

 private:
  const std::unordered_map<std::uint64_t, std::uint32_t>& relocations(const ElfSection& section) {
    auto [it, fresh] = relocs_.try_emplace(section.index);
    if (fresh) it->second = relocations_by_offset(section);
    return it->second;
  }

  const ElfImage& image_;
  const std::vector<MapInfo>& maps_;
  std::unordered_map<std::size_t, std::unordered_map<std::uint64_t, std::uint32_t>> relocs_;
};

template <typename T>
std::vector<T> to_vector(const std::set<T>& s) {
  return std::vector<T>(s.begin(), s.end());
}

std::vector<MapReference> to_refs(const std::map<std::string, std::string>& m) {
  std::vector<MapReference> out;
  out.reserve(m.size());
  for (const auto& [name, type] : m) out.push_back(MapReference{name, type});
  return out;
}

}  // namespace

CallFacts scan_calls(const ElfImage& image, const ElfSection& section, std::uint64_t offset,
                     std::uint64_t size, const std::vector<MapInfo>& maps) {
  Scanner scanner(image, maps);
  std::set<std::int32_t> helpers;
  std::set<std::string> kfuncs;
  std::map<std::string, std::string> refs;
  scanner.scan(section, offset, size, helpers, kfuncs, refs);
  return CallFacts{to_vector(helpers), to_vector(kfuncs), to_refs(refs)};
}

void collect_program_calls(const ElfImage& image, const std::vector<MapInfo>& maps,
                           const std::vector<std::vector<TextRange>>& reached,
                           std::vector<ProgramInfo>& programs) {
  Scanner scanner(image, maps);
  const ElfSection* text = image.find_code_section(".text");
  for (std::size_t i = 0; i < programs.size(); ++i) {
    ProgramInfo& p = programs[i];
    std::set<std::int32_t> helpers;
    std::set<std::string> kfuncs;
    std::map<std::string, std::string> refs;
    if (const ElfSection* own = image.find_code_section(p.section)) {
      scanner.scan(*own, p.section_offset, p.size, helpers, kfuncs, refs);
    }
    p.calls_known = p.reachable_insns.has_value() && i < reached.size();
    if (p.calls_known && text != nullptr) {
      for (const TextRange& r : reached[i]) scanner.scan(*text, r.offset, r.size, helpers, kfuncs, refs);
    }
    p.helper_ids = to_vector(helpers);
    p.kfuncs = to_vector(kfuncs);
    p.map_refs = to_refs(refs);
  }
}

}  // namespace pqbpf::bpf::internal

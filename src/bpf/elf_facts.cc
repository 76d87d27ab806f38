// ELF-level facts (see elf_facts.h).
#include "elf_facts.h"

#include <bpf/libbpf.h>
#include <elf.h>

#include <algorithm>

#include "pqbpf/crypto/sha3.h"
#include "section_name.h"

namespace pqbpf::bpf::internal {
namespace {

constexpr std::uint64_t kInsnSize = 8;

std::string hash_hex(std::span<const std::uint8_t> bytes) {
  const auto digest = crypto::sha3_256(bytes);
  return crypto::to_hex(digest);
}

bool is_legacy_maps_section(const std::string& name) {
  return name == "maps" || name.rfind("maps/", 0) == 0;
}

}  // namespace

std::vector<CodeSectionInfo> code_sections(const ElfImage& image) {
  std::vector<CodeSectionInfo> out;
  for (const auto& s : image.sections) {
    if (s.index == 0 || !s.executable() || s.bytes.empty()) continue;
    out.push_back(CodeSectionInfo{s.name, s.bytes.size(), hash_hex(s.bytes)});
  }
  return out;
}

Result<std::string> read_license(const ElfImage& image, const std::string& label) {
  const ElfSection* s = image.find_section("license");
  if (s == nullptr) return std::string();
  std::string out;
  for (std::uint8_t c : s->bytes) {
    if (c == 0) break;
    if (c < 0x20 || c > 0x7e) {
      return make_error(ErrorCode::kParse, label + ": license section is not printable ASCII");
    }
    out.push_back(static_cast<char>(c));
  }
  return out;
}

Result<ProgramInfo> make_program(const ElfSection& section, std::string name, std::uint64_t offset,
                                 std::uint64_t size, const std::string& label) {
  // parse_elf_image() already bounds every function; this check keeps the
  // hashing below safe whatever a caller passes (both readers come here).
  std::uint64_t end = 0;
  if (!section.executable() || __builtin_add_overflow(offset, size, &end) ||
      end > section.bytes.size() || offset % kInsnSize != 0 || size % kInsnSize != 0) {
    return make_error(ErrorCode::kParse, label + ": program '" + name + "' lies outside the code of section " +
                                             section.name);
  }
  ProgramInfo p;
  p.name = std::move(name);
  p.section = section.name;
  const SectionFacts facts = section_facts(section.name);
  p.type = facts.type;
  p.refined_type = refined_type_from_section(section.name, facts.type);
  p.expected_attach_type = facts.expected_attach_type;
  p.attach_target = attach_target_from_section(section.name);
  p.section_offset = offset;
  p.size = size;
  p.insn_count = size / kInsnSize;
  p.insn_sha3_256 = hash_hex(section.bytes.subspan(offset, size));
  return p;
}

const ElfSymbol* find_function(const ElfImage& image, const std::string& section,
                               const std::string& name) {
  const ElfSymbol* found = nullptr;
  for (const auto& sym : image.symbols) {
    if (sym.type != STT_FUNC || sym.name != name) continue;
    if (sym.shndx == SHN_UNDEF || sym.shndx >= image.sections.size()) continue;
    const ElfSection& home = image.sections[sym.shndx];
    // Only code counts: a decoy symbol of the same name in a data section
    // of the same name must not stand for the program.
    if (home.name != section || !home.executable() || home.type != SHT_PROGBITS) continue;
    if (found != nullptr) return nullptr;  // ambiguous: let the ELF reader list both
    found = &sym;
  }
  return found;
}

bool text_is_subprograms(const ElfImage& image) {
  for (const auto& s : image.sections) {
    if (s.index != 0 && s.executable() && !s.bytes.empty() && s.name != ".text") return true;
  }
  return false;
}

Result<std::vector<ProgramInfo>> elf_programs(const ElfImage& image, const std::string& label) {
  std::vector<ProgramInfo> out;
  const bool skip_text = text_is_subprograms(image);
  for (const auto& sec : image.sections) {
    if (sec.index == 0 || !sec.executable() || sec.bytes.empty()) continue;
    if (skip_text && sec.name == ".text") continue;
    std::vector<const ElfSymbol*> funcs;
    std::vector<const ElfSymbol*> notype;
    for (const auto& sym : image.symbols) {
      if (sym.shndx != sec.index || sym.name.empty()) continue;
      if (sym.type == STT_FUNC && sym.size > 0) funcs.push_back(&sym);
      if (sym.type == STT_NOTYPE && sym.bind == STB_GLOBAL && sym.value % kInsnSize == 0 &&
          sym.value < sec.bytes.size()) {
        notype.push_back(&sym);
      }
    }
    auto by_offset = [](const ElfSymbol* a, const ElfSymbol* b) { return a->value < b->value; };
    if (!funcs.empty()) {
      std::stable_sort(funcs.begin(), funcs.end(), by_offset);
      for (const ElfSymbol* f : funcs) {
        PQBPF_ASSIGN_OR_RETURN(ProgramInfo p, make_program(sec, f->name, f->value, f->size, label));
        out.push_back(std::move(p));
      }
    } else if (!notype.empty()) {
      std::stable_sort(notype.begin(), notype.end(), by_offset);
      for (std::size_t i = 0; i < notype.size(); ++i) {
        const std::uint64_t start = notype[i]->value;
        std::uint64_t end = sec.bytes.size();
        for (std::size_t j = i + 1; j < notype.size(); ++j) {
          if (notype[j]->value > start) {
            end = notype[j]->value;
            break;
          }
        }
        if (i > 0 && notype[i - 1]->value == start) continue;  // alias at the same offset
        PQBPF_ASSIGN_OR_RETURN(ProgramInfo p,
                               make_program(sec, notype[i]->name, start, end - start, label));
        out.push_back(std::move(p));
      }
    } else {
      PQBPF_ASSIGN_OR_RETURN(ProgramInfo p, make_program(sec, sec.name, 0, sec.bytes.size(), label));
      out.push_back(std::move(p));
    }
  }
  return out;
}

std::optional<std::vector<MapInfo>> legacy_maps(const ElfImage& image) {
  std::vector<MapInfo> out;
  for (const auto& sec : image.sections) {
    if (sec.index == 0 || !is_legacy_maps_section(sec.name)) continue;
    std::vector<const ElfSymbol*> syms;
    for (const auto& sym : image.symbols) {
      if (sym.shndx == sec.index && !sym.name.empty() && sym.type != STT_SECTION) {
        syms.push_back(&sym);
      }
    }
    std::stable_sort(syms.begin(), syms.end(),
                     [](const ElfSymbol* a, const ElfSymbol* b) { return a->value < b->value; });
    for (const ElfSymbol* sym : syms) {
      std::uint64_t end = 0;
      if (__builtin_add_overflow(sym->value, std::uint64_t{16}, &end) || end > sec.bytes.size()) {
        return std::nullopt;
      }
      MapInfo m;
      m.name = sym->name;
      const std::uint32_t type = image.read_u32(sec.bytes, sym->value);
      const char* type_name = libbpf_bpf_map_type_str(static_cast<bpf_map_type>(type));
      m.type = type_name != nullptr ? type_name : "unknown";
      m.key_size = image.read_u32(sec.bytes, sym->value + 4);
      m.value_size = image.read_u32(sec.bytes, sym->value + 8);
      m.max_entries = image.read_u32(sec.bytes, sym->value + 12);
      out.push_back(std::move(m));
    }
  }
  return out;
}

}  // namespace pqbpf::bpf::internal

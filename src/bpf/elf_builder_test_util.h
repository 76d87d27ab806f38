// ElfBuilder: writes small ELF64 little-endian ET_REL EM_BPF objects byte by
// byte for the tests that need exact, hostile layouts (elf_limits_test.cc,
// crafted_elf_test.cc). The constants are spelled out so the builder does not
// lean on the parser it tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace pqbpf::bpf::testing {

using Bytes = std::vector<std::uint8_t>;

// ELF constants spelled out here so the builder does not lean on the parser.
constexpr std::uint32_t kShtProgbits = 1;
constexpr std::uint32_t kShtSymtab = 2;
constexpr std::uint32_t kShtStrtab = 3;
constexpr std::uint32_t kShtNobits = 8;
constexpr std::uint64_t kShfWrite = 0x1;
constexpr std::uint64_t kShfAlloc = 0x2;
constexpr std::uint64_t kShfExecinstr = 0x4;
constexpr std::uint16_t kShnXindex = 0xffff;
constexpr std::size_t kShdrSize = 64;
constexpr std::size_t kSymSize = 24;

inline void put_le(Bytes& b, std::size_t off, std::uint64_t v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) b[off + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// A minimal ELF64 little-endian ET_REL EM_BPF writer. Section 0 is the null
// section and section 1 the section name table; names are deduplicated, so
// thousands of nameless filler sections cost one byte of names.
class ElfBuilder {
 public:
  enum class Numbering { kDirect, kExtended };

  struct Section {
    std::string name;
    std::uint32_t type = kShtProgbits;
    std::uint64_t flags = 0;
    Bytes data;
    std::uint32_t link = 0;
    std::uint32_t info = 0;
    std::uint64_t align = 1;
    std::uint64_t entsize = 0;
  };

  ElfBuilder() {
    sections_.emplace_back();  // SHT_NULL
    sections_.push_back(Section{.name = ".shstrtab", .type = kShtStrtab});
  }

  std::size_t add(Section s) {
    sections_.push_back(std::move(s));
    return sections_.size() - 1;
  }

  // Nameless, empty PROGBITS sections: valid filler for the section count.
  void add_empty(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) add(Section{});
  }

  std::size_t count() const { return sections_.size(); }

  // kExtended stores the count in section 0's sh_size and the name table
  // index in its sh_link (e_shnum 0, e_shstrndx SHN_XINDEX).
  Bytes build(Numbering numbering) const {
    const std::size_t n = sections_.size();
    if (numbering == Numbering::kDirect && n > 0xffff) {
      ADD_FAILURE() << n << " sections need extended numbering";
      return {};
    }
    std::string names(1, '\0');
    std::vector<std::uint32_t> name_off(n, 0);
    for (std::size_t i = 1; i < n; ++i) {
      if (sections_[i].name.empty()) continue;
      name_off[i] = static_cast<std::uint32_t>(names.size());
      names += sections_[i].name;
      names += '\0';
    }

    Bytes out(64, 0);
    std::vector<std::uint64_t> offset(n, 0);
    auto place = [&](std::size_t i, std::span<const std::uint8_t> data, std::uint64_t align) {
      while (align > 1 && out.size() % align != 0) out.push_back(0);
      offset[i] = out.size();
      out.insert(out.end(), data.begin(), data.end());
    };
    place(1, std::span(reinterpret_cast<const std::uint8_t*>(names.data()), names.size()), 1);
    for (std::size_t i = 2; i < n; ++i) {
      // SHT_NOBITS: sh_size is data.size(), but nothing is in the file.
      const bool nobits = sections_[i].type == kShtNobits;
      place(i, nobits ? std::span<const std::uint8_t>() : std::span<const std::uint8_t>(sections_[i].data),
            sections_[i].align);
    }
    while (out.size() % 8 != 0) out.push_back(0);
    const std::uint64_t shoff = out.size();
    out.resize(shoff + n * kShdrSize, 0);

    for (std::size_t i = 1; i < n; ++i) {
      const Section& s = sections_[i];
      const std::size_t h = shoff + i * kShdrSize;
      put_le(out, h + 0, name_off[i], 4);
      put_le(out, h + 4, s.type, 4);
      put_le(out, h + 8, s.flags, 8);
      put_le(out, h + 24, offset[i], 8);
      put_le(out, h + 32, i == 1 ? names.size() : s.data.size(), 8);
      put_le(out, h + 40, s.link, 4);
      put_le(out, h + 44, s.info, 4);
      put_le(out, h + 48, s.align, 8);
      put_le(out, h + 56, s.entsize, 8);
    }

    const std::uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 2 /*64-bit*/, 1 /*LSB*/, 1 /*version*/};
    std::memcpy(out.data(), ident, sizeof ident);
    put_le(out, 16, 1, 2);    // ET_REL
    put_le(out, 18, 247, 2);  // EM_BPF
    put_le(out, 20, 1, 4);    // EV_CURRENT
    put_le(out, 40, shoff, 8);
    put_le(out, 52, 64, 2);  // e_ehsize
    put_le(out, 58, kShdrSize, 2);
    if (numbering == Numbering::kDirect) {
      put_le(out, 60, n, 2);
      put_le(out, 62, 1, 2);
    } else {
      put_le(out, 60, 0, 2);
      put_le(out, 62, kShnXindex, 2);
      put_le(out, shoff + 32, n, 8);  // section 0 sh_size: the real count
      put_le(out, shoff + 40, 1, 4);  // section 0 sh_link: the name table index
    }
    return out;
  }

 private:
  std::vector<Section> sections_;
};

constexpr std::uint8_t kStbGlobal = 1;
constexpr std::uint8_t kSttObject = 1;
constexpr std::uint8_t kSttFunc = 2;
constexpr std::uint32_t kShtRel = 9;
constexpr std::size_t kRelSize = 16;

struct Sym {
  std::string name;
  std::uint8_t type = kSttFunc;
  std::size_t section = 0;
  std::uint64_t value = 0;
  std::uint64_t size = 0;
};

// Adds .strtab and .symtab holding `syms` (all global; symbol i + 1 is
// syms[i]) to `b`; returns the .symtab section index.
inline std::size_t add_symbols(ElfBuilder& b, const std::vector<Sym>& syms) {
  std::string strs(1, '\0');
  Bytes table((syms.size() + 1) * kSymSize, 0);
  for (std::size_t i = 0; i < syms.size(); ++i) {
    const std::size_t at = (i + 1) * kSymSize;
    put_le(table, at + 0, strs.size(), 4);
    strs += syms[i].name + '\0';
    put_le(table, at + 4, (kStbGlobal << 4) | syms[i].type, 1);
    put_le(table, at + 6, syms[i].section, 2);
    put_le(table, at + 8, syms[i].value, 8);
    put_le(table, at + 16, syms[i].size, 8);
  }
  const std::size_t strtab =
      b.add({.name = ".strtab", .type = kShtStrtab, .data = Bytes(strs.begin(), strs.end())});
  return b.add({.name = ".symtab",
                .type = kShtSymtab,
                .data = std::move(table),
                .link = static_cast<std::uint32_t>(strtab),
                .info = 1,  // every symbol after the null one is global
                .align = 8,
                .entsize = kSymSize});
}

// Adds ".rel<target name>": one R_BPF_64_32 (type 10) per (offset, symbol).
inline std::size_t add_call_relocations(ElfBuilder& b, const std::string& target_name,
                                        std::size_t target, std::size_t symtab,
                                        const std::vector<std::pair<std::uint64_t, std::uint32_t>>& relocs) {
  Bytes data(relocs.size() * kRelSize, 0);
  for (std::size_t i = 0; i < relocs.size(); ++i) {
    put_le(data, i * kRelSize, relocs[i].first, 8);
    put_le(data, i * kRelSize + 8, (std::uint64_t{relocs[i].second} << 32) | 10, 8);
  }
  return b.add({.name = ".rel" + target_name,
                .type = kShtRel,
                .data = std::move(data),
                .link = static_cast<std::uint32_t>(symtab),
                .info = static_cast<std::uint32_t>(target),
                .align = 8,
                .entsize = kRelSize});
}

}  // namespace pqbpf::bpf::testing

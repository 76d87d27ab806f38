// ElfImage: a validated, read-only view of a BPF ELF object (internal).
//
// parse_elf_image() checks everything libbpf 1.1 would otherwise trust
// (header, section table bounds, string offsets, symbol and relocation tables)
// using libelf, so hostile bytes are refused with one clear line before any
// other reader sees them. Section bytes are slices of the caller's buffer: the
// raw file bytes, in file byte order, never converted or relocated.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pqbpf/bpf/object_info.h"
#include "pqbpf/result.h"

namespace pqbpf::bpf::internal {

// One relocation record applying to a section (from a SHT_REL/SHT_RELA
// section whose sh_info names it). Checked: the symbol exists, and in code
// the offset is a whole instruction inside the section.
struct ElfRelocation {
  std::uint64_t offset = 0;  // r_offset, bytes into the target section
  std::uint32_t symbol = 0;  // index into ElfImage::symbols
};

struct ElfSection {
  std::size_t index = 0;
  std::string name;
  std::uint32_t type = 0;  // SHT_*
  std::uint64_t flags = 0;
  std::uint64_t size = 0;
  std::uint32_t link = 0;
  std::uint32_t info = 0;
  std::span<const std::uint8_t> bytes;  // empty for SHT_NOBITS
  std::vector<ElfRelocation> relocations;  // code sections only; in file order

  bool executable() const;  // SHF_EXECINSTR
};

struct ElfSymbol {
  std::string name;
  std::uint8_t type = 0;  // STT_*
  std::uint8_t bind = 0;  // STB_*
  std::uint16_t shndx = 0;
  std::uint64_t value = 0;
  std::uint64_t size = 0;
};

struct ElfImage {
  Endianness endianness = Endianness::kLittle;
  std::vector<ElfSection> sections;  // index 0 is the null section
  std::vector<ElfSymbol> symbols;    // index 0 is the null symbol

  const ElfSection* find_section(std::string_view name) const;
  // The executable (SHF_EXECINSTR) section of that name; names of code
  // sections are unique (parse_elf_image checks it).
  const ElfSection* find_code_section(std::string_view name) const;
  // Reads a u32 in the object's byte order; the caller checks bounds.
  std::uint32_t read_u32(std::span<const std::uint8_t> bytes, std::size_t offset) const;
};

// Hard caps on what one object may declare (far above any real object).
constexpr std::size_t kMaxSections = 65535;
constexpr std::size_t kMaxSymbols = 1u << 20;

Result<ElfImage> parse_elf_image(std::span<const std::uint8_t> bytes, const std::string& label);

}  // namespace pqbpf::bpf::internal

// annotate_core_relocs (see core_relocs.h).
#include "core_relocs.h"

#include <cstring>
#include <map>
#include <string>

#include "../bpf/elf_image.h"

namespace pqbpf::sandbox::internal {
namespace {

constexpr std::uint16_t kBtfMagic = 0xeB9F;

std::uint32_t u32(std::span<const std::uint8_t> b, std::size_t off) {
  std::uint32_t v = 0;
  if (off + 4 <= b.size()) std::memcpy(&v, b.data() + off, 4);
  return v;
}

// Section name -> byte offsets (insn_off) of its CO-RE-relocated
// instructions. Empty when anything is out of bounds.
std::map<std::string, std::vector<std::uint32_t>> core_relocs_by_section(std::span<const std::uint8_t> btf,
                                                                         std::span<const std::uint8_t> ext) {
  std::map<std::string, std::vector<std::uint32_t>> out;
  if (btf.size() < 24 || ext.size() < 32) return out;
  std::uint16_t magic;
  std::memcpy(&magic, btf.data(), 2);
  if (magic != kBtfMagic) return out;
  const std::uint32_t btf_hdr = u32(btf, 4), str_off = u32(btf, 16), str_len = u32(btf, 20);
  const std::size_t strings = static_cast<std::size_t>(btf_hdr) + str_off;
  if (strings > btf.size() || str_len > btf.size() - strings) return out;
  std::memcpy(&magic, ext.data(), 2);
  const std::uint32_t hdr = u32(ext, 4);
  if (magic != kBtfMagic || hdr < 32 || hdr > ext.size()) return out;
  const std::size_t start = static_cast<std::size_t>(hdr) + u32(ext, 24);
  const std::uint32_t len = u32(ext, 28);
  if (start > ext.size() || len > ext.size() - start || len < 4) return out;
  const std::size_t end = start + len;
  const std::uint32_t rec = u32(ext, start);
  if (rec < 16) return out;
  std::size_t at = start + 4;
  while (at + 8 <= end) {
    const std::uint32_t name_off = u32(ext, at), count = u32(ext, at + 4);
    at += 8;
    if (name_off >= str_len || count > (end - at) / rec) return {};
    const char* name = reinterpret_cast<const char*>(btf.data() + strings + name_off);
    const std::string sec(name, strnlen(name, str_len - name_off));
    auto& offs = out[sec];
    for (std::uint32_t i = 0; i < count; ++i, at += rec) offs.push_back(u32(ext, at));
  }
  return out;
}

}  // namespace

void annotate_core_relocs(ExpectedObject& expected, std::span<const std::uint8_t> object,
                          const bpf::ObjectInfo& info) {
  auto image = bpf::internal::parse_elf_image(object, "object");
  if (!image.ok() || image->endianness != bpf::Endianness::kLittle) return;
  const auto* btf = image->find_section(".BTF");
  const auto* ext = image->find_section(".BTF.ext");
  if (btf == nullptr || ext == nullptr) return;
  const auto relocs = core_relocs_by_section(btf->bytes, ext->bytes);
  const auto text = relocs.find(".text");
  for (ExpectedProgram& p : expected.programs) {
    const bpf::ProgramInfo* pi = bpf::find_program(info, p.name);
    if (pi == nullptr) continue;
    p.entry_insns = pi->insn_count;
    if (auto it = relocs.find(pi->section); it != relocs.end()) {
      for (std::uint32_t off : it->second) {
        if (off >= pi->section_offset && off < pi->section_offset + pi->size && off % 8 == 0) {
          p.core_insns.push_back(static_cast<std::uint32_t>((off - pi->section_offset) / 8));
        }
      }
    }
    // Subprograms are appended after the entry function; which .text
    // relocations land in this program is libbpf's layout, so only the
    // count is kept (an upper bound).
    if (text != relocs.end() && p.insns.size() / 8 > p.entry_insns && pi->section != ".text") {
      p.core_in_subprograms = text->second.size();
    }
  }
}

}  // namespace pqbpf::sandbox::internal

// inspect_object(): the two readers and how their results are combined.
//
// 1. parse_elf_image() validates the ELF and refuses corrupt input.
// 2. When the object's byte order is the host's, libbpf opens it (never
//    loads it) and lists programs, types and maps.
// 3. When libbpf refuses the object, or lists no program for some code
//    section (old objects whose functions are STT_NOTYPE), the ELF-level
//    reader lists the programs instead and reports what it could not know.
// Either way the instruction bytes hashed for a program are the function's
// bytes in its section (elf_facts.cc), so both readers agree on hashes.
// 4. Each program's reachable instruction count (with its subprograms) is
//    read from the same bytes and relocations (reachable_insns.cc), and so
//    are the helpers, kfuncs and maps the program and those subprograms use
//    (program_calls.cc), and whether it stores into packets through its
//    context's packet pointers (packet_writes.cc).
#include <algorithm>
#include <bit>
#include <map>

#include "btf_check.h"
#include "btf_maps.h"
#include "elf_facts.h"
#include "elf_image.h"
#include "libbpf_reader.h"
#include "packet_writes.h"
#include "program_calls.h"
#include "reachable_insns.h"
#include "pqbpf/bpf/object_info.h"
#include "pqbpf/core/file_io.h"
#include "section_name.h"

namespace pqbpf::bpf {
namespace {

using internal::ElfImage;

// Programs sorted by (section index, offset in section).
void sort_programs(const ElfImage& image, std::vector<ProgramInfo>& programs) {
  std::map<std::string, std::size_t> index;
  for (const auto& s : image.sections) index.emplace(s.name, s.index);
  std::stable_sort(programs.begin(), programs.end(), [&](const ProgramInfo& a, const ProgramInfo& b) {
    const auto ia = index[a.section];
    const auto ib = index[b.section];
    return ia != ib ? ia < ib : a.section_offset < b.section_offset;
  });
}

// Fills info.programs from libbpf's list; returns "" or why it cannot be used.
std::string programs_from_libbpf(const ElfImage& image, const internal::LibbpfObject& obj,
                                 const std::string& label, ObjectInfo& info) {
  for (const auto& lp : obj.programs) {
    const internal::ElfSymbol* sym = internal::find_function(image, lp.section, lp.name);
    const internal::ElfSection* sec = sym != nullptr ? &image.sections[sym->shndx] : nullptr;
    if (sym == nullptr || sec == nullptr) {
      return "libbpf lists program '" + lp.name + "' with no single function symbol in '" +
             lp.section + "'";
    }
    auto made = internal::make_program(*sec, lp.name, sym->value, sym->size, label);
    if (!made.ok()) return made.error().message;
    ProgramInfo p = std::move(made).value();
    p.type = lp.kernel_type == 0 ? std::nullopt : program_type_from_kernel(lp.kernel_type);
    p.refined_type = internal::refined_type_from_section(p.section, p.type);
    p.expected_attach_type =
        p.type ? internal::attach_type_name(lp.expected_attach, p.section) : std::string();
    if (p.insn_count != lp.insn_count) {
      return "libbpf counts " + std::to_string(lp.insn_count) + " instructions in '" + lp.name +
             "', its symbol " + std::to_string(p.insn_count);
    }
    info.programs.push_back(std::move(p));
  }
  // Every code section must be covered, or code would go unlisted.
  const bool skip_text = internal::text_is_subprograms(image);
  for (const auto& cs : info.code_sections) {
    if (skip_text && cs.name == ".text") continue;
    const bool covered = std::any_of(info.programs.begin(), info.programs.end(),
                                     [&](const ProgramInfo& p) { return p.section == cs.name; });
    if (!covered) return "libbpf lists no program in code section '" + cs.name + "'";
  }
  return "";
}

Status read_with_elf(const ElfImage& image, const std::string& label, ObjectInfo& info,
                     const internal::LibbpfObject* opened) {
  info.reader = "elf";
  PQBPF_ASSIGN_OR_RETURN(info.programs, internal::elf_programs(image, label));
  if (opened != nullptr && opened->opened) {
    info.maps = opened->maps;  // libbpf read the maps; only programs were missed
    return ok_status();
  }
  auto legacy = internal::legacy_maps(image);
  if (!legacy) {
    info.unknown.push_back("maps (a legacy map definition is shorter than 16 bytes)");
  } else {
    info.maps = std::move(*legacy);
  }
  if (image.find_section(".maps") != nullptr) {
    const auto* btf = image.find_section(".BTF");
    auto btf_maps = btf != nullptr ? internal::btf_defined_maps(btf->bytes) : std::nullopt;
    if (!btf_maps) {
      info.unknown.push_back("maps defined in .maps (their BTF definitions cannot be read)");
    } else {
      info.maps.insert(info.maps.end(), btf_maps->begin(), btf_maps->end());
    }
  }
  return ok_status();
}

}  // namespace

Result<ObjectInfo> inspect_object(std::span<const std::uint8_t> bytes, const std::string& label) {
  PQBPF_ASSIGN_OR_RETURN(ElfImage image, internal::parse_elf_image(bytes, label));

  ObjectInfo info;
  info.endianness = image.endianness;
  info.has_btf = image.find_section(".BTF") != nullptr;
  info.has_btf_ext = image.find_section(".BTF.ext") != nullptr;
  info.libbpf_version = internal::linked_libbpf_version();
  info.code_sections = internal::code_sections(image);
  PQBPF_ASSIGN_OR_RETURN(info.license, internal::read_license(image, label));

  // libbpf and the fallback both follow BTF references: check them first.
  if (const auto* btf = image.find_section(".BTF")) {
    PQBPF_RETURN_IF_ERROR(internal::check_btf(btf->bytes, label));
  }

  const bool host_big = std::endian::native == std::endian::big;
  const bool object_big = image.endianness == Endianness::kBig;
  if (host_big != object_big) {
    info.fallback_reason = std::string(object_big ? "big" : "little") +
                           "-endian object; libbpf cannot open it on this " +
                           (host_big ? "big" : "little") + "-endian host";
    PQBPF_RETURN_IF_ERROR(read_with_elf(image, label, info, nullptr));
  } else {
    // One fixed object name: libbpf names internal maps after it
    // ("object.rodata"), and those names must not depend on the file name.
    const internal::LibbpfObject obj = internal::open_with_libbpf(bytes, internal::kLibbpfObjectName);
    if (!obj.opened) {
      info.fallback_reason = obj.failure;
      PQBPF_RETURN_IF_ERROR(read_with_elf(image, label, info, nullptr));
    } else {
      info.reader = "libbpf";
      info.maps = obj.maps;
      const std::string why = programs_from_libbpf(image, obj, label, info);
      if (!why.empty()) {
        info.fallback_reason = why;
        info.programs.clear();
        PQBPF_RETURN_IF_ERROR(read_with_elf(image, label, info, &obj));
      }
    }
  }
  sort_programs(image, info.programs);
  std::vector<std::vector<internal::TextRange>> reached;
  internal::count_reachable_insns(image, info.programs, info.unknown, &reached);
  internal::collect_program_calls(image, info.maps, reached, info.programs);
  internal::mark_packet_writes(image, reached, info.programs, info.unknown);
  for (const auto& p : info.programs) {
    if (!p.type) {
      info.unknown.push_back("type of program '" + p.name + "' (section '" + p.section +
                             "' is not a libbpf " + info.libbpf_version + " section name)");
    }
  }
  return info;
}

Result<ObjectInfo> inspect_object_file(const std::string& path) {
  PQBPF_ASSIGN_OR_RETURN(auto bytes, read_file(path, kMaxObjectFileSize));
  return inspect_object(bytes, path);
}

const ProgramInfo* find_program(const ObjectInfo& info, std::string_view name) {
  for (const auto& p : info.programs) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::string_view program_type_label(const ProgramInfo& program) {
  if (program.refined_type) return program_type_name(*program.refined_type);
  if (program.type) return program_type_name(*program.type);
  return "unknown";
}

}  // namespace pqbpf::bpf

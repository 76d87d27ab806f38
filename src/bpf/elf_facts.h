// What can be read from a validated ElfImage without libbpf (internal):
// code sections, program functions and their instruction hashes, license,
// legacy map definitions. Used by both readers, so the hashed bytes are the
// same whichever reader lists the programs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "elf_image.h"
#include "pqbpf/bpf/object_info.h"

namespace pqbpf::bpf::internal {

// Non-empty SHF_EXECINSTR sections, in section-table order, with hashes.
std::vector<CodeSectionInfo> code_sections(const ElfImage& image);

// The "license" section's string (up to its first NUL), "" when absent.
// kParse when it is not printable ASCII.
Result<std::string> read_license(const ElfImage& image, const std::string& label);

// Builds a ProgramInfo for bytes [offset, offset+size) of `section`: hash,
// instruction count, type facts from the section name. kParse (naming
// `label`) when the range is not whole instructions inside the section's
// bytes or the section is not code.
Result<ProgramInfo> make_program(const ElfSection& section, std::string name, std::uint64_t offset,
                                 std::uint64_t size, const std::string& label);

// The one STT_FUNC symbol `name` defined in an executable SHT_PROGBITS
// section called `section`; nullptr when there is none or more than one.
const ElfSymbol* find_function(const ElfImage& image, const std::string& section,
                               const std::string& name);

// Whether libbpf treats functions in `.text` as subprograms here: true when
// any other executable section holds code.
bool text_is_subprograms(const ElfImage& image);

// Fallback program list: in each executable section (except .text when it
// holds subprograms), every STT_FUNC symbol; failing those, every global
// STT_NOTYPE symbol (old LLVM), extending to the next one; failing those, the
// whole section under the section's name.
Result<std::vector<ProgramInfo>> elf_programs(const ElfImage& image, const std::string& label);

// Legacy map definitions (sections "maps" and "maps/..."): one per symbol,
// the first four u32 of struct bpf_map_def / bpf_elf_map (type, key size,
// value size, max entries). nullopt when a definition cannot be read.
std::optional<std::vector<MapInfo>> legacy_maps(const ElfImage& image);

}  // namespace pqbpf::bpf::internal

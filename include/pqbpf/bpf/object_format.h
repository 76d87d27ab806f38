// Presenting an ObjectInfo: a readable table for people and stable JSON for
// tools. `pqc-bpf inspect` is a thin wrapper over these two functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "pqbpf/bpf/object_info.h"

namespace pqbpf::bpf {

// Multi-line text: reader, endianness, license, BTF, then tables of programs
// (section, type, attach type and target, instructions, instructions with
// the subprograms it calls ("?" when unknown), hash prefix), maps and
// code sections, then the parts that are unknown. Between programs and
// maps, a table of what each program calls and references: helpers (with
// their class and first kernel release), kfuncs and maps.
// Ends with a newline.
std::string format_object_info_text(const ObjectInfo& info);

// Stable keys, full hashes; absent values are null (type, reachable_insns)
// or "" (strings).
// Every string in an ObjectInfo is printable ASCII, so dump() never throws.
//   {"reader","libbpf_version","fallback_reason","endianness","license",
//    "license_gpl_compatible","btf","btf_ext",
//    "programs":[{"name","section","type","refined_type","expected_attach_type",
//                 "attach_target","insn_count","reachable_insns","section_offset","size",
//                 "insn_sha3_256","calls_known","capabilities":[class...],
//                 "helpers":[{"id","name","class","since"}],
//                 "kfuncs":[{"name","class"}], "maps":[{"name","type"}]}],
//    "maps":[{"name","type","key_size","value_size","max_entries"}],
//    "code_sections":[{"name","size","sha3_256"}], "unknown":[...]}
nlohmann::json object_info_to_json(const ObjectInfo& info);

std::string_view endianness_name(Endianness e);  // "little" / "big"

}  // namespace pqbpf::bpf

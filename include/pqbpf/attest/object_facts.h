// The facts manifest format 2 signs about an object (its programs, maps and
// license), derived from the object bytes with bpf::inspect_object. The
// signer writes them; the verifier derives them again and compares
// (reason program_mismatch), so a signed list can never disagree with the
// object it is checked against.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pqbpf/bpf/object_info.h"
#include "pqbpf/core/manifest.h"
#include "pqbpf/result.h"

namespace pqbpf {

struct ObjectFacts {
  // In the reader's order (ELF section, then symbol), with every field
  // format 3 signs.
  std::vector<ManifestProgram> programs;
  std::vector<ManifestMap> maps;
  std::string license;
  bpf::ObjectInfo info;  // everything the reader found, for callers (policy)
};

// kUnsupported when this build has no object reader; otherwise the reader's
// error (kParse for corrupt objects) or the facts.
Result<ObjectFacts> derive_object_facts(std::span<const std::uint8_t> object, const std::string& label);

// The program type name recorded for one program: the most specific name the
// reader knows ("kretprobe" rather than "kprobe"), "unknown" when it cannot tell.
std::string manifest_type_name(const bpf::ProgramInfo& program);

// Clears the fields only format 3 signs (kernel_type, helpers, kfuncs,
// maps, calls_known), for a format 2 manifest.
void strip_format3_fields(std::vector<ManifestProgram>& programs);

// nullopt when the format-2 (or format-3) fields of `manifest` equal `facts`; otherwise one
// sentence naming the first difference ("program 'x' is not in the signed list").
std::optional<std::string> describe_facts_difference(const Manifest& manifest, const ObjectFacts& facts);

}  // namespace pqbpf

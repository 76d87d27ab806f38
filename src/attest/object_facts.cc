// ObjectFacts: bpf::ObjectInfo reduced to what manifest format 2 signs, and
// the comparison the verifier uses for program_mismatch.
#include "pqbpf/attest/object_facts.h"

#include <algorithm>

#include "pqbpf/bpf/capabilities.h"

namespace pqbpf {

std::string manifest_type_name(const bpf::ProgramInfo& program) {
  return std::string(bpf::program_type_label(program));
}

Result<ObjectFacts> derive_object_facts(std::span<const std::uint8_t> object, const std::string& label) {
#ifdef PQBPF_ATTEST_HAVE_BPF
  // inspect_object opens every object under one fixed libbpf name, so
  // internal maps are "object.rodata", ... whatever the file is called.
  auto inspected = bpf::inspect_object(object, label);
  if (!inspected.ok()) return inspected.error();
  bpf::ObjectInfo info = std::move(inspected).value();
  ObjectFacts facts;
  for (const auto& p : info.programs) {
    ManifestProgram m{p.name, p.section, manifest_type_name(p), p.attach_target, p.insn_count,
                      p.insn_sha3_256};
    // Format 3's fields (strip_format3_fields removes them for format 2).
    m.kernel_type = p.type ? std::string(program_type_name(*p.type)) : "unknown";
    for (std::int32_t id : p.helper_ids) m.helpers.push_back(bpf::helper_display_name(id));
    m.kfuncs = p.kfuncs;
    for (const auto& ref : p.map_refs) m.maps.push_back(ref.name);
    m.calls_known = p.calls_known;
    facts.programs.push_back(std::move(m));
  }
  for (const auto& m : info.maps) {
    facts.maps.push_back(ManifestMap{m.name, m.type, m.key_size, m.value_size, m.max_entries});
  }
  facts.license = info.license;
  facts.info = std::move(info);
  return facts;
#else
  (void)object;
  return make_error(ErrorCode::kUnsupported,
                    label + ": this build has no BPF object reader; manifest format 2 is unavailable");
#endif
}

namespace {

// Names come from the object and may be hostile: show them bounded and
// without control bytes, so a message stays one printable line.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && i < 200; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    out += (c < 0x20 || c == 0x7F) ? '?' : s[i];
  }
  if (s.size() > 200) out += "...";
  return out + "'";
}

std::string listed(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + quoted(item);
  return "[" + out + "]";
}

std::optional<std::string> compare_program(const ManifestProgram& s, const ManifestProgram& d,
                                           ManifestFormat format) {
  const std::string who = "program " + quoted(s.name);
  if (s.name != d.name) return "signed program " + quoted(s.name) + " is " + quoted(d.name) + " in the object";
  if (s.section != d.section) return who + ": signed section " + quoted(s.section) + ", object has " + quoted(d.section);
  if (s.type != d.type) return who + ": signed type " + s.type + ", object has " + d.type;
  if (s.attach_target != d.attach_target) {
    return who + ": signed attach target " + quoted(s.attach_target) + ", object has " + quoted(d.attach_target);
  }
  if (s.insn_count != d.insn_count) {
    return who + ": signed " + std::to_string(s.insn_count) + " instructions, object has " +
           std::to_string(d.insn_count);
  }
  if (s.insn_sha3_256 != d.insn_sha3_256) return who + ": instruction bytes differ from the signed hash";
  if (format != ManifestFormat::kV3) return std::nullopt;
  if (s.kernel_type != d.kernel_type) {
    return who + ": signed kernel type " + quoted(s.kernel_type) + ", object has " + quoted(d.kernel_type);
  }
  if (s.helpers != d.helpers) return who + ": signed helpers " + listed(s.helpers) + ", object calls " + listed(d.helpers);
  if (s.kfuncs != d.kfuncs) return who + ": signed kfuncs " + listed(s.kfuncs) + ", object calls " + listed(d.kfuncs);
  if (s.maps != d.maps) return who + ": signed maps " + listed(s.maps) + ", object references " + listed(d.maps);
  if (s.calls_known != d.calls_known) return who + ": signed calls_known differs from the object's";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> describe_facts_difference(const Manifest& manifest, const ObjectFacts& facts) {
  if (manifest.format() == ManifestFormat::kV1) return std::nullopt;
  const auto& signed_programs = manifest.programs();
  const std::size_t common = std::min(signed_programs.size(), facts.programs.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (auto diff = compare_program(signed_programs[i], facts.programs[i], manifest.format())) return diff;
  }
  if (facts.programs.size() > signed_programs.size()) {
    return "program " + quoted(facts.programs[common].name) + " (" + facts.programs[common].type +
           ", section " + quoted(facts.programs[common].section) + ") is in the object but not in the signed list";
  }
  if (signed_programs.size() > facts.programs.size()) {
    return "signed program " + quoted(signed_programs[common].name) + " is not in the object";
  }
  if (manifest.maps() != facts.maps) {
    return "signed maps (" + std::to_string(manifest.maps().size()) + ") differ from the object's (" +
           std::to_string(facts.maps.size()) + ")";
  }
  if (manifest.license() != facts.license) {
    return "signed license " + quoted(manifest.license()) + ", object has " + quoted(facts.license);
  }
  return std::nullopt;
}

void strip_format3_fields(std::vector<ManifestProgram>& programs) {
  for (auto& p : programs) {
    p.kernel_type.clear();
    p.helpers.clear();
    p.kfuncs.clear();
    p.maps.clear();
    p.calls_known = false;
  }
}

}  // namespace pqbpf

// Text and JSON presentation of ObjectInfo (see object_format.h).
#include "pqbpf/bpf/object_format.h"

#include <algorithm>
#include <sstream>
#include <vector>

#include "pqbpf/bpf/capabilities.h"
#include "pqbpf/bpf/license.h"

namespace pqbpf::bpf {
namespace {

constexpr std::size_t kHashPrefix = 16;

using Row = std::vector<std::string>;

// Left-aligned columns separated by two spaces; no trailing blanks.
void print_table(std::ostringstream& out, const Row& header, const std::vector<Row>& rows) {
  std::vector<std::size_t> width(header.size(), 0);
  auto widen = [&](const Row& r) {
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  };
  widen(header);
  for (const auto& r : rows) widen(r);
  auto line = [&](const Row& r) {
    std::string s = "  ";
    for (std::size_t i = 0; i < r.size(); ++i) {
      s += r[i];
      if (i + 1 < r.size()) s += std::string(width[i] - r[i].size() + 2, ' ');
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out << s << '\n';
  };
  line(header);
  for (const auto& r : rows) line(r);
}

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

nlohmann::json type_or_null(const std::optional<BPFProgramType>& t) {
  return t ? nlohmann::json(std::string(program_type_name(*t))) : nlohmann::json(nullptr);
}

// The classes a program's helpers and kfuncs fall in, and those it has
// without a helper (its kind, direct packet writes), in class order.
std::vector<std::string> capability_names(const ProgramInfo& p) {
  std::vector<std::string> out;
  const auto implied = implied_capabilities(p);
  for (Capability c : all_capabilities()) {
    bool used = c == Capability::kKfunc && !p.kfuncs.empty();
    for (std::int32_t id : p.helper_ids) used = used || helper_capability(id) == c;
    for (const auto& i : implied) used = used || i.capability == c;
    if (used) out.emplace_back(capability_name(c));
  }
  return out;
}

}  // namespace

std::string_view endianness_name(Endianness e) { return e == Endianness::kBig ? "big" : "little"; }

std::string format_object_info_text(const ObjectInfo& info) {
  std::ostringstream out;
  out << "reader:      " << info.reader << " (libbpf " << info.libbpf_version << ")\n";
  if (!info.fallback_reason.empty()) out << "fallback:    " << info.fallback_reason << '\n';
  out << "endianness:  " << endianness_name(info.endianness) << '\n';
  if (info.license.empty()) {
    out << "license:     (none; not GPL-compatible)\n";
  } else {
    out << "license:     " << info.license
        << (is_gpl_compatible_license(info.license) ? " (GPL-compatible)" : " (not GPL-compatible)")
        << '\n';
  }
  out << "BTF:         " << (info.has_btf ? "yes" : "no") << ", BTF.ext: "
      << (info.has_btf_ext ? "yes" : "no") << '\n';

  out << "\nprograms (" << info.programs.size() << "):\n";
  if (!info.programs.empty()) {
    std::vector<Row> rows;
    for (const auto& p : info.programs) {
      rows.push_back({p.name, p.section, std::string(program_type_label(p)),
                      or_dash(p.expected_attach_type), or_dash(p.attach_target),
                      std::to_string(p.insn_count),
                      p.reachable_insns ? std::to_string(*p.reachable_insns) : "?",
                      p.insn_sha3_256.substr(0, kHashPrefix)});
    }
    print_table(out,
                {"NAME", "SECTION", "TYPE", "ATTACH TYPE", "TARGET", "INSNS", "WITH CALLS", "SHA3-256"},
                rows);
  }
  std::vector<Row> calls;
  for (const auto& p : info.programs) {
    for (std::int32_t id : p.helper_ids) {
      const HelperInfo* h = find_helper(id);
      calls.push_back({p.name, "helper", helper_display_name(id),
                       std::string(capability_name(helper_capability(id))),
                       h != nullptr ? std::string(h->since) : "-"});
    }
    for (const auto& k : p.kfuncs) {
      calls.push_back({p.name, "kfunc", k, std::string(capability_name(Capability::kKfunc)), "-"});
    }
    for (const auto& m : p.map_refs) calls.push_back({p.name, "map", m.name, m.type, "-"});
    if (!p.calls_known) calls.push_back({p.name, "?", "(subprograms unresolved)", "-", "-"});
  }
  out << "\ncalls and maps (" << calls.size() << "):\n";
  if (!calls.empty()) print_table(out, {"PROGRAM", "KIND", "NAME", "CLASS / MAP TYPE", "SINCE"}, calls);
  out << "\nmaps (" << info.maps.size() << "):\n";
  if (!info.maps.empty()) {
    std::vector<Row> rows;
    for (const auto& m : info.maps) {
      rows.push_back({m.name, m.type, std::to_string(m.key_size), std::to_string(m.value_size),
                      std::to_string(m.max_entries)});
    }
    print_table(out, {"NAME", "TYPE", "KEY", "VALUE", "MAX ENTRIES"}, rows);
  }
  out << "\ncode sections (" << info.code_sections.size() << "):\n";
  if (!info.code_sections.empty()) {
    std::vector<Row> rows;
    for (const auto& s : info.code_sections) {
      rows.push_back({s.name, std::to_string(s.size), s.sha3_256.substr(0, kHashPrefix)});
    }
    print_table(out, {"NAME", "BYTES", "SHA3-256"}, rows);
  }
  if (!info.unknown.empty()) {
    out << "\nunknown:\n";
    for (const auto& u : info.unknown) out << "  - " << u << '\n';
  }
  return out.str();
}

nlohmann::json object_info_to_json(const ObjectInfo& info) {
  nlohmann::json j;
  j["reader"] = info.reader;
  j["libbpf_version"] = info.libbpf_version;
  j["fallback_reason"] = info.fallback_reason;
  j["endianness"] = std::string(endianness_name(info.endianness));
  j["license"] = info.license;
  j["license_gpl_compatible"] = is_gpl_compatible_license(info.license);
  j["btf"] = info.has_btf;
  j["btf_ext"] = info.has_btf_ext;
  j["programs"] = nlohmann::json::array();
  for (const auto& p : info.programs) {
    j["programs"].push_back({{"name", p.name},
                             {"section", p.section},
                             {"type", type_or_null(p.type)},
                             {"refined_type", type_or_null(p.refined_type)},
                             {"expected_attach_type", p.expected_attach_type},
                             {"attach_target", p.attach_target},
                             {"insn_count", p.insn_count},
                             {"reachable_insns", p.reachable_insns ? nlohmann::json(*p.reachable_insns)
                                                                   : nlohmann::json(nullptr)},
                             {"section_offset", p.section_offset},
                             {"size", p.size},
                             {"insn_sha3_256", p.insn_sha3_256},
                             {"calls_known", p.calls_known},
                             {"capabilities", capability_names(p)}});
    auto& jp = j["programs"].back();
    jp["helpers"] = nlohmann::json::array();
    for (std::int32_t id : p.helper_ids) {
      const HelperInfo* h = find_helper(id);
      jp["helpers"].push_back({{"id", id},
                               {"name", helper_display_name(id)},
                               {"class", std::string(capability_name(helper_capability(id)))},
                               {"since", h != nullptr ? nlohmann::json(std::string(h->since))
                                                      : nlohmann::json(nullptr)}});
    }
    jp["kfuncs"] = nlohmann::json::array();
    for (const auto& k : p.kfuncs) {
      jp["kfuncs"].push_back({{"name", k}, {"class", std::string(capability_name(Capability::kKfunc))}});
    }
    jp["maps"] = nlohmann::json::array();
    for (const auto& m : p.map_refs) jp["maps"].push_back({{"name", m.name}, {"type", m.type}});
  }
  j["maps"] = nlohmann::json::array();
  for (const auto& m : info.maps) {
    j["maps"].push_back({{"name", m.name},
                         {"type", m.type},
                         {"key_size", m.key_size},
                         {"value_size", m.value_size},
                         {"max_entries", m.max_entries}});
  }
  j["code_sections"] = nlohmann::json::array();
  for (const auto& s : info.code_sections) {
    j["code_sections"].push_back({{"name", s.name}, {"size", s.size}, {"sha3_256", s.sha3_256}});
  }
  j["unknown"] = info.unknown;
  return j;
}

}  // namespace pqbpf::bpf

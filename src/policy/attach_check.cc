// attach_targets judges exactly what the gate attaches to (see attach_check.h):
// the section's target for the types libbpf attaches by section name, the
// signed manifest's attach_point for xdp, tc and cgroup programs. A program
// with neither is denied, since the rule cannot know where it would run. A
// target that is itself a glob (kprobe.multi/vfs_*) must be covered whole
// by one pattern, since libbpf attaches to every symbol it matches.
#include "attach_check.h"

#include <algorithm>
#include <vector>

#include "glob.h"
#include "joined.h"

namespace pqbpf::policy {
namespace {

struct AttachPoint {
  std::string text;
  std::string_view source;  // "" for the section, said after the text otherwise
};

// Every attach point the gate would use for the program. Today at most one
// source applies to a type; were both ever set, both must pass.
std::vector<AttachPoint> attach_points_of(const AttachFacts& facts) {
  std::vector<AttachPoint> points;
  if (!facts.section_target.empty()) points.push_back({facts.section_target, ""});
  if (facts.type && attaches_at_manifest_attach_point(*facts.type) &&
      !facts.manifest_attach_point.empty()) {
    points.push_back({facts.manifest_attach_point, " (the signed manifest's attach_point)"});
  }
  return points;
}

std::string quoted(std::string_view s) {
  std::string out = "'";
  out += s;
  out += '\'';
  return out;
}

bool admitted(const PolicyRule& rule, const std::string& point) {
  const bool is_glob = has_glob_metacharacters(point);
  return std::any_of(rule.attach_targets.begin(), rule.attach_targets.end(),
                     [&](const std::string& pattern) {
                       return is_glob ? glob_covers(pattern, point) : glob_match(pattern, point);
                     });
}

}  // namespace

bool attaches_at_manifest_attach_point(BPFProgramType type) {
  switch (kernel_program_type(type)) {
    case BPFProgramType::kXdp:
    case BPFProgramType::kSchedCls:
    case BPFProgramType::kCgroupSkb:
    case BPFProgramType::kCgroupSock:
    case BPFProgramType::kCgroupSockAddr:
    case BPFProgramType::kCgroupDevice:
    case BPFProgramType::kCgroupSysctl:
    case BPFProgramType::kCgroupSockopt:
    case BPFProgramType::kSockOps:
      return true;
    default:
      return false;
  }
}

std::optional<std::string> check_attach_targets(const PolicyRule& rule, const std::string& where,
                                                const std::string& what, const AttachFacts& facts) {
  if (rule.attach_targets.empty()) return std::nullopt;
  const std::string allowed = joined(rule.attach_targets);
  const std::vector<AttachPoint> points = attach_points_of(facts);
  if (points.empty()) {
    const bool manifest_kind = facts.type && attaches_at_manifest_attach_point(*facts.type);
    return what + " has no known attach target (" +
           (manifest_kind ? "the signed manifest names no attach_point"
                          : "its section names none, and the gate attaches only xdp, tc and "
                            "cgroup programs at the manifest's attach_point") +
           "), and " + where + " allows only " + allowed;
  }
  for (const AttachPoint& point : points) {
    if (admitted(rule, point.text)) continue;
    if (has_glob_metacharacters(point.text)) {
      return what + " attaches to every name matching " + quoted(point.text) +
             std::string(point.source) + ", and no single pattern among the attach_targets of " +
             where + " (" + allowed + ") provably admits all of them";
    }
    return what + " attaches to " + quoted(point.text) + std::string(point.source) +
           ", which matches none of the attach_targets of " + where + " (" + allowed + ")";
  }
  return std::nullopt;
}

}  // namespace pqbpf::policy

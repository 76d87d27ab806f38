// Capability checks (see capability_check.h). Order per program: whether its
// calls are known at all, then each helper (by id), each kfunc, each map;
// for each, the deny lists first, then the allow lists. The first failure
// is the sentence.
#include "capability_check.h"

#include <algorithm>

#include "joined.h"

namespace pqbpf::policy {
namespace {

template <typename T>
bool contains(const std::vector<T>& list, const T& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

template <typename T>
bool contains(const std::optional<std::vector<T>>& list, const T& value) {
  return list && contains(*list, value);
}

std::string class_names(const std::vector<bpf::Capability>& list) {
  std::vector<std::string> names;
  for (bpf::Capability c : list) names.emplace_back(bpf::capability_name(c));
  return joined(names, "none");
}

std::optional<std::string> check_helper(const PolicyRule& rule, const std::string& where,
                                        const std::string& what, std::int32_t id) {
  const std::string name = bpf::helper_display_name(id);
  const bpf::Capability cls = bpf::helper_capability(id);
  const std::string cls_name(bpf::capability_name(cls));
  const std::string called = what + " calls helper " + name + " (" + cls_name + ")";
  if (contains(rule.denied_helpers, name)) return called + ", which " + where + " denies (denied_helpers)";
  if (contains(rule.denied_capabilities, cls)) {
    return called + ", whose class " + where + " denies (denied_capabilities)";
  }
  if (cls == bpf::Capability::kUnknown && !contains(rule.allowed_capabilities, cls)) {
    return called + ": helper ids the gate does not know are denied unless the allowed_capabilities of " +
           where + " list unknown";
  }
  if (rule.allowed_helpers || rule.allowed_capabilities) {
    if (contains(rule.allowed_helpers, name) || contains(rule.allowed_capabilities, cls)) return std::nullopt;
    std::string allowed;
    if (rule.allowed_helpers) allowed += "allowed_helpers: " + joined(*rule.allowed_helpers, "none");
    if (rule.allowed_capabilities) {
      allowed += std::string(allowed.empty() ? "" : "; ") +
                 "allowed_capabilities: " + class_names(*rule.allowed_capabilities);
    }
    return called + ", which " + where + " does not allow (" + allowed + ")";
  }
  return std::nullopt;
}

std::optional<std::string> check_kfunc(const PolicyRule& rule, const std::string& where,
                                       const std::string& what, const std::string& kfunc) {
  const auto cls = bpf::Capability::kKfunc;
  const std::string called = what + " calls kfunc " + kfunc + " (" + std::string(bpf::capability_name(cls)) + ")";
  if (contains(rule.denied_kfuncs, kfunc)) return called + ", which " + where + " denies (denied_kfuncs)";
  if (contains(rule.denied_capabilities, cls)) {
    return called + ", whose class " + where + " denies (denied_capabilities)";
  }
  if (rule.allowed_kfuncs || rule.allowed_capabilities) {
    if (contains(rule.allowed_kfuncs, kfunc) || contains(rule.allowed_capabilities, cls)) return std::nullopt;
    std::string allowed;
    if (rule.allowed_kfuncs) allowed += "allowed_kfuncs: " + joined(*rule.allowed_kfuncs, "none");
    if (rule.allowed_capabilities) {
      allowed += std::string(allowed.empty() ? "" : "; ") +
                 "allowed_capabilities: " + class_names(*rule.allowed_capabilities);
    }
    return called + ", which " + where + " does not allow (" + allowed + ")";
  }
  return std::nullopt;
}

// A class the program has without a helper (its kind, direct packet
// writes): judged by the class lists only (helper lists do not apply).
std::optional<std::string> check_implied(const PolicyRule& rule, const std::string& where, const std::string& what,
                                         const bpf::ImpliedCapability& implied) {
  const std::string has = what + " " + std::string(implied.why) + " (" +
                          std::string(bpf::capability_name(implied.capability)) + ")";
  if (contains(rule.denied_capabilities, implied.capability)) {
    return has + ", a class " + where + " denies (denied_capabilities)";
  }
  if (rule.allowed_capabilities && !contains(rule.allowed_capabilities, implied.capability)) {
    return has + ", a class " + where + " does not allow (allowed_capabilities: " +
           class_names(*rule.allowed_capabilities) + ")";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_capabilities(const PolicyRule& rule, const std::string& where,
                                              const std::string& what,
                                              const bpf::ProgramInfo* program) {
  if (program == nullptr) {
    if (!rule.has_capability_rules()) return std::nullopt;
    return what + ": only its declared type is known, so what it calls cannot be judged, and " + where +
           " has capability rules";
  }
  if (!program->calls_known && rule.has_capability_rules()) {
    return what + ": its subprogram calls cannot be resolved, so what it calls is not known, and " +
           where + " has capability rules";
  }
  for (std::int32_t id : program->helper_ids) {
    if (auto denied = check_helper(rule, where, what, id)) return denied;
  }
  for (const auto& kfunc : program->kfuncs) {
    if (auto denied = check_kfunc(rule, where, what, kfunc)) return denied;
  }
  for (const auto& implied : bpf::implied_capabilities(*program)) {
    if (auto denied = check_implied(rule, where, what, implied)) return denied;
  }
  if (rule.allowed_map_types) {
    for (const auto& map : program->map_refs) {
      if (contains(*rule.allowed_map_types, map.type)) continue;
      return what + " uses map '" + map.name + "' of type " + map.type +
             ", which is not among the allowed_map_types of " + where + " (" +
             joined(*rule.allowed_map_types, "none") + ")";
    }
  }
  return std::nullopt;
}

}  // namespace pqbpf::policy

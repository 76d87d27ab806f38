// LoadPolicy across the boundary. The Python LoadPolicy keeps its rules as
// frozen dataclasses (users read and build them); each evaluation turns them
// into a library LoadPolicy (a handful of rules: cheap) and lets the library
// verify and decide. Policy files are parsed by the library and handed back
// as the same plain spec.
//
// Spec: {"default": "allow"|"deny", "rules": [rule...], "revoked_signers":
// [did...], "revoked_objects": [hex...]}; rule: the PolicyRule fields.
#include "native.h"

#include "pqbpf/gate/load_request_builder.h"
#include "pqbpf/policy/load_policy.h"
#include "pqbpf/policy/policy_file.h"

namespace pqbpf::python {
namespace {

using policy::LoadPolicy;
using policy::PolicyRule;

template <typename T>
T item(const py::dict& d, const char* key, const char* where) {
  if (!d.contains(key)) {
    raise_python_error("InvalidInputError", "invalid_argument",
                       std::string(where) + ": missing '" + key + "'");
  }
  try {
    return d[key].cast<T>();
  } catch (const py::cast_error&) {
    raise_python_error("InvalidInputError", "invalid_argument",
                       std::string(where) + ": '" + key + "' has the wrong type");
  }
}

PolicyRule rule_from_python(const py::dict& d, const std::string& where) {
  PolicyRule rule;
  rule.name = item<std::string>(d, "name", where.c_str());
  for (const auto& t : item<std::vector<std::string>>(d, "program_types", where.c_str())) {
    auto type = parse_program_type(t);
    if (!type.ok()) raise_library_error(type.error());
    rule.program_types.push_back(*type);
  }
  for (const auto& s : item<std::vector<std::string>>(d, "allowed_signers", where.c_str())) {
    auto did = Did::parse(s);
    if (!did.ok()) raise_library_error(did.error());
    rule.allowed_signers.push_back(*did);
  }
  rule.require_signature = item<bool>(d, "require_signature", where.c_str());
  rule.max_bytecode_size = item<std::uint64_t>(d, "max_bytecode_size", where.c_str());
  rule.attach_targets = item<std::vector<std::string>>(d, "attach_targets", where.c_str());
  rule.max_insns = item<std::optional<std::uint64_t>>(d, "max_insns", where.c_str());
  rule.licenses = item<std::vector<std::string>>(d, "licenses", where.c_str());
  rule.allow_uninspectable = item<bool>(d, "allow_uninspectable", where.c_str());
  return rule;
}

py::dict rule_to_python(const PolicyRule& rule) {
  py::dict d;
  d["name"] = rule.name;
  py::list types, signers;
  for (BPFProgramType t : rule.program_types) types.append(std::string(program_type_name(t)));
  for (const Did& s : rule.allowed_signers) signers.append(s.str());
  d["program_types"] = types;
  d["allowed_signers"] = signers;
  d["require_signature"] = rule.require_signature;
  d["max_bytecode_size"] = rule.max_bytecode_size;
  d["attach_targets"] = rule.attach_targets;
  d["max_insns"] = rule.max_insns ? py::cast(*rule.max_insns) : py::none();
  d["licenses"] = rule.licenses;
  d["allow_uninspectable"] = rule.allow_uninspectable;
  return d;
}

LoadPolicy policy_from_python(const py::dict& spec) {
  LoadPolicy p;
  const std::string def = item<std::string>(spec, "default", "policy");
  if (def != "allow" && def != "deny") {
    raise_python_error("InvalidInputError", "invalid_argument",
                       "policy: default_decision must be allow or deny");
  }
  p.set_default_decision(def == "allow" ? Decision::kAllow : Decision::kDeny);
  const auto rules = item<py::list>(spec, "rules", "policy");
  for (std::size_t i = 0; i < rules.size(); ++i) {
    p.add_rule(rule_from_python(rules[i].cast<py::dict>(), "rules[" + std::to_string(i) + "]"));
  }
  for (const auto& s : item<std::vector<std::string>>(spec, "revoked_signers", "policy")) {
    auto did = Did::parse(s);
    if (!did.ok()) raise_library_error(did.error());
    p.revoke_signer(*did);
  }
  for (const auto& h : item<std::vector<std::string>>(spec, "revoked_objects", "policy")) {
    Status st = p.revoke_object(h);
    if (!st.ok()) raise_library_error(st.error());
  }
  return p;
}

py::dict policy_to_python(const LoadPolicy& p) {
  py::dict spec;
  spec["default"] = std::string(decision_name(p.default_decision()));
  py::list rules, signers, objects;
  for (const PolicyRule& r : p.rules()) rules.append(rule_to_python(r));
  for (const Did& d : p.revoked_signers()) signers.append(d.str());
  for (const std::string& h : p.revoked_objects()) objects.append(h);
  spec["rules"] = rules;
  spec["revoked_signers"] = signers;
  spec["revoked_objects"] = objects;
  return spec;
}

}  // namespace

// The decision for a Python SignedBPFProgram: screened verification (a
// signer no rule could admit never gets its object parsed), then evaluate.
policy::PolicyDecision decide_signed(const policy::LoadPolicy& p, const SignedParts& parts,
                                     VerificationResult* verification_out) {
  std::optional<policy::PolicyDecision> screened;
  VerifyOptions options = gate::screening_options(p, screened);
  VerificationResult verification = verify_signed(parts, options);
  policy::PolicyDecision decision = gate::decide(p, verification, screened);
  if (verification_out) *verification_out = std::move(verification);
  return decision;
}

void register_policy(py::module_& m) {
  m.def("check_policy", [](const py::dict& spec) { (void)policy_from_python(spec); },
        py::arg("spec"), "Raises InvalidInputError when the spec is not a valid policy.");

  m.def("evaluate", [](const py::dict& spec, py::handle signed_program) {
    LoadPolicy p = policy_from_python(spec);
    SignedParts parts = signed_parts_from_python(signed_program);
    policy::PolicyDecision d;
    {
      py::gil_scoped_release release;
      d = decide_signed(p, parts, nullptr);
    }
    return py::make_tuple(std::string(decision_name(d.decision)),
                          std::string(reason_code_name(d.reason)), d.sentence,
                          d.rule_index ? py::cast(*d.rule_index) : py::none(),
                          d.program ? py::cast(*d.program) : py::none());
  }, py::arg("spec"), py::arg("signed"));

  m.def("load_policy_file", [](const std::string& path) {
    Result<LoadPolicy> p = make_error(ErrorCode::kInternal, "");
    {
      py::gil_scoped_release release;
      p = policy::load_policy_file(path);
    }
    if (!p.ok()) raise_library_error(p.error());
    return policy_to_python(*p);
  }, py::arg("path"));

  m.def("parse_policy", [](const std::string& text, const std::string& label,
                           const std::string& base_dir) {
    Result<LoadPolicy> p = make_error(ErrorCode::kInternal, "");
    {
      py::gil_scoped_release release;
      p = policy::parse_policy(text, label, base_dir);
    }
    if (!p.ok()) raise_library_error(p.error());
    return policy_to_python(*p);
  }, py::arg("text"), py::arg("label"), py::arg("base_dir"));
}

}  // namespace pqbpf::python

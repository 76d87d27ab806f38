// Key purposes: which capability lets a key sign what (key_purpose.h).
#include "pqbpf/core/key_purpose.h"

#include <algorithm>
#include <string>

namespace pqbpf {
namespace {

bool lists(const std::vector<std::string>& capabilities, std::string_view capability) {
  return std::find(capabilities.begin(), capabilities.end(), capability) != capabilities.end();
}

std::string shown_list(const std::vector<std::string>& capabilities) {
  if (capabilities.empty()) return "none";
  std::string out;
  for (const auto& c : capabilities) out += (out.empty() ? "" : ", ") + c;
  return out;
}

std::string_view purpose_text(KeyPurpose purpose) {
  return purpose == KeyPurpose::kSignObjects ? "sign BPF objects" : "sign the audit log";
}

std::string_view how_to_make(KeyPurpose purpose) {
  return purpose == KeyPurpose::kSignObjects
             ? "make one with 'pqc-bpf keygen' (capability sign)"
             : "make one with 'pqc-bpf log init LOG' or 'pqc-bpf keygen --capability log'";
}

}  // namespace

std::string_view capability_for(KeyPurpose purpose) {
  return purpose == KeyPurpose::kSignObjects ? kSignCapability : kLogCapability;
}

Status validate_key_purposes(const std::vector<std::string>& capabilities) {
  if (lists(capabilities, kSignCapability) && lists(capabilities, kLogCapability)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "a key may not have both capabilities 'sign' and 'log': make one key to sign "
                      "objects and another for the audit log");
  }
  return ok_status();
}

Status check_key_purpose(const Identity& identity, KeyPurpose purpose) {
  const std::vector<std::string>& caps = identity.capabilities();
  const KeyPurpose other = purpose == KeyPurpose::kSignObjects ? KeyPurpose::kSignLog : KeyPurpose::kSignObjects;
  const std::string who = "key '" + identity.name() + "' (" + identity.did().str() + ")";
  if (lists(caps, capability_for(other))) {
    return make_error(ErrorCode::kPermission,
                      who + " may not " + std::string(purpose_text(purpose)) + ": it is a key to " +
                          std::string(purpose_text(other)) + " (capabilities: " + shown_list(caps) +
                          "); use a separate key, " + std::string(how_to_make(purpose)));
  }
  if (!lists(caps, capability_for(purpose))) {
    return make_error(ErrorCode::kPermission,
                      who + " may not " + std::string(purpose_text(purpose)) +
                          ": it lacks the capability '" + std::string(capability_for(purpose)) +
                          "' (capabilities: " + shown_list(caps) + "); " +
                          std::string(how_to_make(purpose)));
  }
  return ok_status();
}

}  // namespace pqbpf

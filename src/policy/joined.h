// Lists named in denial reasons: "a, b, c" (policy-internal).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pqbpf::policy {

// `items` separated by ", "; `if_empty` for an empty list.
inline std::string joined(const std::vector<std::string>& items, std::string_view if_empty = "") {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out.empty() ? std::string(if_empty) : out;
}

}  // namespace pqbpf::policy

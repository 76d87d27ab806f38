// The kernel's notion of a GPL-compatible license string.
//
// The kernel only lets a program call GPL-only helpers when the string in its
// "license" section is one of the exact strings its license_is_gpl_compatible()
// accepts. Policies use the same test ("licenses: [gpl_compatible]").
#pragma once

#include <span>
#include <string_view>

namespace pqbpf::bpf {

// Exact, case-sensitive match against: "GPL", "GPL v2",
// "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL".
// So "GPL-2.0", "MIT" and "" are not GPL-compatible.
bool is_gpl_compatible_license(std::string_view license);

// The accepted strings, in the order above.
std::span<const std::string_view> gpl_compatible_licenses();

}  // namespace pqbpf::bpf

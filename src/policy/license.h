// The kernel's list of GPL-compatible license strings (include/linux/license.h,
// license_is_gpl_compatible): the exact strings a BPF object's "license"
// section must hold to use GPL-only helpers. Comparison is exact, as the
// kernel's strcmp.
#pragma once

#include <string_view>

namespace pqbpf::policy {

bool is_gpl_compatible_license(std::string_view license);

}  // namespace pqbpf::policy

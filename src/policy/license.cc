// GPL-compatible license strings, as the kernel lists them.
#include "license.h"

#include <array>

namespace pqbpf::policy {

bool is_gpl_compatible_license(std::string_view license) {
  static constexpr std::array<std::string_view, 6> kCompatible = {
      "GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL",
  };
  for (std::string_view known : kCompatible) {
    if (license == known) return true;
  }
  return false;
}

}  // namespace pqbpf::policy

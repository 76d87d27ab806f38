// GPL-compatible license strings, as listed by the kernel's
// license_is_gpl_compatible() (include/linux/license.h).
#include "pqbpf/bpf/license.h"

#include <array>

namespace pqbpf::bpf {
namespace {

constexpr std::array<std::string_view, 6> kGplCompatible = {
    "GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL",
};

}  // namespace

bool is_gpl_compatible_license(std::string_view license) {
  for (auto s : kGplCompatible) {
    if (s == license) return true;
  }
  return false;
}

std::span<const std::string_view> gpl_compatible_licenses() { return kGplCompatible; }

}  // namespace pqbpf::bpf

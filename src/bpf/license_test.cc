// GPL-compatible license strings follow the kernel's exact list.
#include "pqbpf/bpf/license.h"

#include <gtest/gtest.h>

namespace pqbpf::bpf {
namespace {

TEST(LicenseTest, KernelListedStringsAreGplCompatible) {
  for (const char* s : {"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
                        "Dual MIT/GPL", "Dual MPL/GPL"}) {
    EXPECT_TRUE(is_gpl_compatible_license(s)) << s;
  }
  EXPECT_EQ(gpl_compatible_licenses().size(), 6u);
}

TEST(LicenseTest, OtherSpellingsAreNotGplCompatible) {
  for (const char* s : {"", "MIT", "GPL-2.0", "gpl", "GPL ", "Dual BSD/GPL\n", "Proprietary",
                        "GPLv2", "Dual MIT/GPL-2.0"}) {
    EXPECT_FALSE(is_gpl_compatible_license(s)) << s;
  }
}

}  // namespace
}  // namespace pqbpf::bpf

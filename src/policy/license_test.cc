// The kernel's GPL-compatible license list.
#include "license.h"

#include <gtest/gtest.h>

namespace pqbpf::policy {
namespace {

TEST(GplCompatibleLicense, KernelListIsAccepted) {
  for (const char* license : {"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
                              "Dual MIT/GPL", "Dual MPL/GPL"}) {
    EXPECT_TRUE(is_gpl_compatible_license(license)) << license;
  }
}

TEST(GplCompatibleLicense, OtherStringsAreRejected) {
  for (const char* license : {"", "gpl", "GPL ", "MIT", "BSD", "Proprietary", "GPLv2", "Dual BSD/GPL\n"}) {
    EXPECT_FALSE(is_gpl_compatible_license(license)) << license;
  }
}

}  // namespace
}  // namespace pqbpf::policy

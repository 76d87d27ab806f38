// The OCI seccomp profile's shape: what container runtimes read.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "pqbpf/sandbox/seccomp_profile.h"

namespace pqbpf::sandbox {
namespace {

TEST(SeccompProfile, AllowsEverythingButBpfWhichFailsWithEperm) {
  const std::string text = oci_seccomp_profile();
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  const nlohmann::json p = nlohmann::json::parse(text);
  ASSERT_TRUE(p.is_object());
  EXPECT_EQ(p.at("defaultAction"), "SCMP_ACT_ALLOW");
  ASSERT_TRUE(p.at("architectures").is_array());
  for (const auto& a : p.at("architectures")) EXPECT_TRUE(a.get<std::string>().starts_with("SCMP_ARCH_"));
  ASSERT_TRUE(p.at("syscalls").is_array());
  ASSERT_EQ(p.at("syscalls").size(), 1u);
  const auto& rule = p.at("syscalls")[0];
  EXPECT_EQ(rule.at("names"), nlohmann::json::array({"bpf"}));
  EXPECT_EQ(rule.at("action"), "SCMP_ACT_ERRNO");
  EXPECT_EQ(rule.at("errnoRet"), EPERM);
  // Only keys the runtime-spec defines.
  for (const auto& [key, value] : p.items()) {
    EXPECT_TRUE(key == "defaultAction" || key == "architectures" || key == "syscalls") << key;
  }
  for (const auto& [key, value] : rule.items()) {
    EXPECT_TRUE(key == "names" || key == "action" || key == "errnoRet") << key;
  }
}

}  // namespace
}  // namespace pqbpf::sandbox

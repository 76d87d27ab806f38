// The daemon's `lsm:` block and start-up without a usable BPF LSM: strict
// keys, require_lsm refusing to start, otherwise a warning in status.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "pqbpf/core/identity.h"
#include "pqbpf/core/key_file.h"
#include "pqbpf/daemon/config.h"
#include "pqbpf/daemon/server.h"
#include "pqbpf/lsm/availability.h"

namespace pqbpf::daemon {
namespace {

const std::string kBase =
    "policy: /etc/pqc-bpf/policy.yaml\n"
    "log:\n  path: /var/log/pqc-bpf/audit.log\n  checkpoint_key: /var/lib/pqc-bpf/log.key\n";

TEST(LsmConfigTest, DefaultIsOffAndNotRequired) {
  auto c = parse_config(kBase, "gated.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->lsm.options.mode, lsm::Mode::kOff);
  EXPECT_FALSE(c->lsm.require_lsm);
  EXPECT_FALSE(c->lsm.options.persist);
  EXPECT_EQ(c->lsm.options.pin_dir, "/sys/fs/bpf/pqc-bpf-lsm");
}

TEST(LsmConfigTest, FullBlockParses) {
  auto c = parse_config(kBase +
                            "lsm:\n  mode: enforce\n  require_lsm: true\n  persist: true\n"
                            "  pin_dir: /sys/fs/bpf/x\n  digest_admission: true\n"
                            "  scope: [/sys/fs/cgroup/a, /sys/fs/cgroup/b]\n",
                        "gated.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->lsm.options.mode, lsm::Mode::kEnforce);
  EXPECT_TRUE(c->lsm.require_lsm);
  EXPECT_TRUE(c->lsm.options.persist);
  EXPECT_TRUE(c->lsm.options.digest_admission);
  EXPECT_EQ(c->lsm.options.scope_cgroups.size(), 2u);
}

TEST(LsmConfigTest, BadValuesNameTheKey) {
  const std::pair<std::string, std::string> bad[] = {
      {"lsm:\n  mode: strict\n", "lsm.mode"},
      {"lsm:\n  mode: audit\n  persist: yes\n", "lsm.persist"},
      {"lsm:\n  colour: blue\n", "lsm.colour"},
      {"lsm:\n  require_lsm: true\n", "lsm.require_lsm"},  // with mode off
      {"lsm:\n  mode: audit\n  digest_admission: true\n", "lsm.digest_admission"},
      {"lsm:\n  mode: audit\n  scope: [relative/cg]\n", "lsm.scope"},
      {"lsm: enforce\n", "lsm"},
  };
  for (const auto& [text, key] : bad) {
    auto c = parse_config(kBase + text, "gated.yaml");
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_NE(c.error().message.find("gated.yaml: " + key), std::string::npos) << c.error().message;
  }
}

// A daemon configuration in a scratch folder (no root needed: no loads).
class LsmStartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (lsm::detect().active && ::geteuid() == 0)
      GTEST_SKIP() << "the BPF LSM is usable here: starting it would act on the whole host (tests/vm covers it)";
    char tmpl[] = "/tmp/pqbpf_lsm_start_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream(dir_ + "/policy.yaml") << "rules: []\n";
    auto key = Identity::create("audit-log", {"log"});
    ASSERT_TRUE(key.ok());
    ASSERT_TRUE(save_key_file(dir_ + "/log.key", *key).ok());
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  DaemonConfig config(const std::string& lsm_block) {
    auto c = parse_config("policy: " + dir_ + "/policy.yaml\nlog:\n  path: " + dir_ +
                              "/audit.log\n  durability: none\n  checkpoint_key: " + dir_ +
                              "/log.key\nsocket:\n  path: " + dir_ + "/gate.sock\n  mode: \"0600\"\n" +
                              "pin_root: " + dir_ + "/pins\nstate_dir: " + dir_ + "\n" + lsm_block,
                          "gated.yaml");
    EXPECT_TRUE(c.ok()) << c.error().message;
    return *c;
  }
  std::string dir_;
};

TEST_F(LsmStartTest, RequireLsmRefusesToStartWithoutIt) {
  auto server = GateServer::create(config("lsm:\n  mode: audit\n  require_lsm: true\n"));
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.error().message.find("lsm.require_lsm"), std::string::npos) << server.error().message;
}

TEST_F(LsmStartTest, WithoutRequireItServesAndStatusWarns) {
  auto server = GateServer::create(config("lsm:\n  mode: enforce\n"));
  ASSERT_TRUE(server.ok()) << server.error().message;
  const auto lsm = (*server)->status()["lsm"];
  EXPECT_EQ(lsm["mode"], "enforce");
  EXPECT_EQ(lsm["running"], false);
  ASSERT_TRUE(lsm["warning"].is_string());
  EXPECT_NE(lsm["warning"].get<std::string>().find("NOT enforcing"), std::string::npos) << lsm.dump();
}

TEST_F(LsmStartTest, ModeOffStillReportsTheLsmState) {
  auto server = GateServer::create(config(""));
  ASSERT_TRUE(server.ok()) << server.error().message;
  const auto lsm = (*server)->status()["lsm"];
  EXPECT_EQ(lsm["mode"], "off");
  EXPECT_EQ(lsm["running"], false);
  EXPECT_TRUE(lsm["active"].is_boolean());
  EXPECT_TRUE(lsm["warning"].is_string());
}

}  // namespace
}  // namespace pqbpf::daemon

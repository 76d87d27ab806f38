// The daemon configuration: defaults, strictness, ranges.
#include "pqbpf/daemon/config.h"

#include <gtest/gtest.h>

namespace pqbpf::daemon {
namespace {

const std::string kMinimal =
    "policy: /etc/pqc-bpf/policy.yaml\n"
    "log:\n  path: /var/log/pqc-bpf/audit.log\n  checkpoint_key: /var/lib/pqc-bpf/log.key\n";

TEST(ConfigTest, MinimalConfigGetsSafeDefaults) {
  auto c = parse_config(kMinimal, "gated.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->durability, log::Durability::kAlways);
  EXPECT_EQ(c->socket_mode, 0660u);
  EXPECT_EQ(c->allowed_uids, std::vector<uid_t>{0});
  EXPECT_TRUE(c->allowed_gids.empty());
  EXPECT_TRUE(c->envelopes_dir.empty()) << "no envelope store unless configured";
  EXPECT_EQ(c->verification_cache_bytes, 64u << 20);
}

TEST(ConfigTest, EnvelopeStoreIsAnAbsoluteDirectory) {
  auto c = parse_config(kMinimal + "envelopes: /etc/pqc-bpf/envelopes\n", "gated.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->envelopes_dir, "/etc/pqc-bpf/envelopes");
  auto relative = parse_config(kMinimal + "envelopes: envelopes\n", "gated.yaml");
  ASSERT_FALSE(relative.ok());
  EXPECT_NE(relative.error().message.find("envelopes"), std::string::npos);
}

TEST(ConfigTest, FullConfigParses) {
  auto c = parse_config(kMinimal +
                            "socket:\n  path: /run/g.sock\n  mode: \"0640\"\n"
                            "allowed_uids: [0, 998]\nallowed_gids: [997]\n"
                            "pin_root: /sys/fs/bpf/x\nstate_dir: /var/lib/x\n"
                            "limits:\n  workers: 2\n  request_timeout_ms: 100\n  max_object_bytes: 1024\n"
                            "  verification_cache_bytes: 1048576\n",
                        "gated.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->verification_cache_bytes, 1048576u);
  EXPECT_EQ(c->socket_mode, 0640u);
  EXPECT_EQ(c->allowed_uids, (std::vector<uid_t>{0, 998}));
  EXPECT_EQ(c->workers, 2u);
  EXPECT_EQ(c->request_timeout, std::chrono::milliseconds(100));
}

TEST(ConfigTest, StrictnessNamesTheKey) {
  const std::pair<std::string, std::string> bad[] = {
      {kMinimal + "colour: blue\n", "colour"},
      {kMinimal + "socket:\n  mode: \"0666\"\n", "socket.mode"},
      {kMinimal + "socket:\n  mode: \"999\"\n", "socket.mode"},
      {kMinimal + "limits:\n  workers: 0\n", "limits.workers"},
      {kMinimal + "limits:\n  verification_cache_bytes: 2147483648\n", "limits.verification_cache_bytes"},
      {kMinimal + "allowed_uids: [-1]\n", "allowed_uids"},
      {"log:\n  path: /a\n  checkpoint_key: /b\n", "policy"},
      {"policy: relative.yaml\nlog:\n  path: /a\n  checkpoint_key: /b\n", "policy"},
      {kMinimal + "log: {}\n", "log: duplicate key"},
  };
  for (const auto& [text, key] : bad) {
    auto c = parse_config(text, "gated.yaml");
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_NE(c.error().message.find(key), std::string::npos) << c.error().message;
  }
}

}  // namespace
}  // namespace pqbpf::daemon

namespace pqbpf::daemon {
namespace {

TEST(ConfigTest, ShippedDefaultConfigParses) {
  auto c = load_config(std::string(std::getenv("PQBPF_SOURCE_DIR")) + "/packaging/pqc-bpf-gated.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->durability, log::Durability::kBatch);
  EXPECT_EQ(c->socket_path, "/run/pqc-bpf/gate.sock");
}

}  // namespace
}  // namespace pqbpf::daemon

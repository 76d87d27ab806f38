// Program and link descriptors go only to a client that could load the
// programs itself (request_handler.cc, descriptors_refused): a client
// without capabilities asking for descriptors is refused before anything
// reaches the kernel, and the refusal is recorded; the same client asking
// for a pin is served; a privileged client still gets descriptors.
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include "daemon_test_util.h"

namespace pqbpf::testing {
namespace {

// Runs `body` in a forked child that holds no capabilities (still uid 0, so
// allowed_uids admits it) and returns what the body returned ("" on failure).
std::string without_capabilities(const std::function<std::string()>& body) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return "";
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(out[0]);
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct none[2]{};
    if (::syscall(SYS_capset, &header, none) != 0) ::_exit(3);
    const std::string text = body();
    (void)!::write(out[1], text.data(), text.size());
    ::_exit(0);
  }
  ::close(out[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof(buf))) > 0;) text.append(buf, static_cast<std::size_t>(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? text : "";
}

class DescriptorPrivilegeTest : public GateFixture {
 protected:
  // The child's reply, as JSON text.
  std::string load_without_capabilities(const SignedSample& s, gate::ClientLoadRequest request) {
    return without_capabilities([&] {
      auto client = gate::GateClient::connect(socket_path(), std::chrono::seconds(10));
      if (!client.ok()) return std::string();
      request.envelope = as_bytes(s.envelope);
      request.object = std::span<const std::uint8_t>(s.object);
      auto reply = client->load(request);
      return reply.ok() ? reply->json : std::string();
    });
  }
};

TEST_F(DescriptorPrivilegeTest, ClientWithoutCapabilitiesGetsNoDescriptorsAndNothingIsLoaded) {
  start();
  const SignedSample xdp = signed_sample(7, "xdp_pass", BPFProgramType::kXdp);
  const std::string text = load_without_capabilities(xdp, {.return_fds = true});
  ASSERT_FALSE(text.empty());
  const auto reply = nlohmann::json::parse(text);
  EXPECT_EQ(reply["decision"], "deny") << text;
  EXPECT_EQ(reply["reason"], "caller_not_permitted") << text;
  EXPECT_EQ(reply["loaded"], false) << text;
  const std::string sentence = reply["sentence"];
  EXPECT_NE(sentence.find("lacks CAP_BPF"), std::string::npos) << sentence;
  EXPECT_NE(sentence.find("--pin"), std::string::npos) << sentence;
  // One record, the refusal; no load record: the kernel never saw it.
  const auto recs = records();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].action, "gate_decide");
  EXPECT_EQ(recs[0].decision, "deny");
  EXPECT_EQ(recs[0].reason, "caller_not_permitted");
  EXPECT_TRUE(recs[0].kernel_programs.empty());
  EXPECT_NE(recs[0].actor.pid, ::getpid()) << "the child is the actor";
  EXPECT_EQ(loader::kernel_program_ids(), before_);

  // With descriptors and a pin together, still refused: a pin does not
  // make handing out the program safe.
  const auto both = nlohmann::json::parse(load_without_capabilities(xdp, {.return_fds = true, .pin_path = "x"}));
  EXPECT_EQ(both["reason"], "caller_not_permitted") << both.dump();
  EXPECT_FALSE(std::filesystem::exists(pin_root() + "/x"));
}

TEST_F(DescriptorPrivilegeTest, ClientWithoutCapabilitiesMayPin) {
  start();
  const SignedSample xdp = signed_sample(7, "xdp_pass", BPFProgramType::kXdp);
  const std::string text = load_without_capabilities(xdp, {.return_fds = false, .pin_path = "nocaps"});
  ASSERT_FALSE(text.empty());
  const auto reply = nlohmann::json::parse(text);
  EXPECT_EQ(reply["loaded"], true) << text;
  EXPECT_TRUE(std::filesystem::exists(pin_root() + "/nocaps/xdp_pass_count"));
  std::filesystem::remove_all(pin_root() + "/nocaps");
}

TEST_F(DescriptorPrivilegeTest, PrivilegedClientStillGetsDescriptors) {
  start();
  gate::LoadReply reply = load(signed_sample(7, "xdp_pass", BPFProgramType::kXdp));
  ASSERT_TRUE(reply.loaded()) << reply.json;
  ASSERT_EQ(reply.programs.size(), 1u);
  EXPECT_GE(reply.programs[0].fd, 0);
  EXPECT_FALSE(reply.fds.empty());
}

}  // namespace
}  // namespace pqbpf::testing

// Attach targets named by the signed manifest, against the real kernel: xdp
// and tcx on an interface of a private network namespace, cgroup_skb on a
// cgroup directory of our own. A missing or malformed target is an error
// before anything is loaded; every test leaves the kernel as it found it.
#include "pqbpf/loader/attach.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>
#include <net/if.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "attach_test_util.h"
#include "bpffs_test_util.h"
#include "program_ids_test_util.h"
#include "pqbpf/core/file_io.h"
#include "pqbpf/loader/loader.h"
#include "pqbpf/loader/pin_path.h"

namespace pqbpf::loader {
namespace {

std::vector<std::uint8_t> object(const std::string& dir, const std::string& name) {
  auto bytes = read_file(dir + "/" + name + ".bpf.o", kMaxObjectFileSize);
  EXPECT_TRUE(bytes.ok()) << (bytes.ok() ? "" : bytes.error().message);
  return bytes.ok() ? std::move(bytes).value() : std::vector<std::uint8_t>{};
}
std::vector<std::uint8_t> sample(const std::string& name) { return object(PQBPF_SAMPLES_DIR, name); }
std::vector<std::uint8_t> testdata(const std::string& name) { return object(PQBPF_LOADER_TESTDATA, name); }

bool has_id(std::uint32_t id) {
  const auto ids = kernel_program_ids();
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// Program ids attached at (target fd or ifindex, attach type).
std::vector<std::uint32_t> attached(int target, std::uint32_t type) {
  std::uint32_t ids[16] = {};
  __u32 count = 16;
  __u32 flags = 0;
  if (bpf_prog_query(target, static_cast<bpf_attach_type>(type), 0, &flags, ids, &count) != 0) return {};
  return std::vector<std::uint32_t>(ids, ids + count);
}

class AttachTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF, CAP_NET_ADMIN) to attach programs";
    before_ = kernel_program_ids();
  }
  void TearDown() override {
    // Links and programs are freed by the kernel shortly after their last fd.
    EXPECT_EQ(test_util::program_ids_settled_to(before_), before_) << "a test left a program loaded";
  }
  Result<LoadedObject> load(const std::vector<std::uint8_t>& bytes, const std::string& point) {
    LoadOptions options;
    options.attach = true;
    options.attach_point = point;
    return load_verified_object(bytes, "test object", options);
  }
  std::vector<std::uint32_t> before_;
};

TEST_F(AttachTest, XdpAttachesToTheManifestsInterfaceAndDetachesWithItsLink) {
  testing::PrivateNetns netns;
  if (!netns.ok()) GTEST_SKIP() << netns.why();
  auto loaded = load(sample("xdp_pass"), netns.ifname());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  ASSERT_EQ(loaded->programs.size(), 1u);
  const KernelProgram& p = loaded->programs[0];
  EXPECT_NE(p.link_id, 0u);
  EXPECT_EQ(p.attach_target, netns.ifname());
  ASSERT_EQ(loaded->link_fds.size(), 1u);
  const int ifindex = static_cast<int>(::if_nametoindex(netns.ifname().c_str()));
  __u32 on_interface = 0;
  ASSERT_EQ(bpf_xdp_query_id(ifindex, 0, &on_interface), 0);
  EXPECT_EQ(on_interface, p.id) << "the program runs on " << netns.ifname();
  const std::uint32_t id = p.id;
  loaded = make_error(ErrorCode::kInternal, "dropped");  // closes program, map and link fds
  on_interface = 0;
  for (int i = 0; i < 100; ++i) {
    if (bpf_xdp_query_id(ifindex, 0, &on_interface) == 0 && on_interface == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(on_interface, 0u) << "detached with its last link descriptor";
  for (int i = 0; i < 100 && has_id(id); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(has_id(id));
}

// A link's pin name already taken: the load fails before anything is
// attached (no link is ever made, so nothing ran), and the pins it made are
// removed.
TEST_F(AttachTest, TakenLinkPinNameFailsBeforeAnythingIsAttached) {
  testing::PrivateNetns netns;
  if (!netns.ok()) GTEST_SKIP() << netns.why();
  testing::TempBpffs bpffs;
  if (!bpffs.ok()) GTEST_SKIP() << "no private bpffs: " << bpffs.why();
  const std::string root_path = bpffs.path() + "/root";
  ASSERT_EQ(::mkdir(root_path.c_str(), 0700), 0);
  ASSERT_EQ(::mkdir((root_path + "/p").c_str(), 0700), 0);
  auto root = PinRoot::open(root_path);
  ASSERT_TRUE(root.ok()) << root.error().message;
  const int ifindex = static_cast<int>(::if_nametoindex(netns.ifname().c_str()));

  // Link ids count up: the id of a link made before and one made after tell
  // whether the refused load made a link in between.
  std::uint32_t link_before = 0;
  std::string program;
  {
    auto first = load(sample("xdp_pass"), netns.ifname());
    ASSERT_TRUE(first.ok()) << first.error().message;
    link_before = first->programs[0].link_id;
    program = first->programs[0].name;
  }
  const std::string taken = root_path + "/p/" + pin_name_for("link_", program);
  {
    auto other = load_verified_object(sample("xdp_pass"), "other", {});
    ASSERT_TRUE(other.ok()) << other.error().message;
    ASSERT_EQ(bpf_obj_pin(other->program_fds[0].get(), taken.c_str()), 0) << std::strerror(errno);
  }
  LoadOptions options;
  options.attach = true;
  options.attach_point = netns.ifname();
  options.pin_root = &*root;
  options.pin_path = "p";
  auto refused = load_verified_object(sample("xdp_pass"), "xdp_pass.bpf.o", options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kAlreadyExists) << refused.error().message;
  EXPECT_NE(refused.error().message.find("nothing was attached"), std::string::npos) << refused.error().message;
  EXPECT_FALSE(std::filesystem::exists(root_path + "/p/" + pin_name_for("", program))) << "the program's pin was removed";
  EXPECT_TRUE(std::filesystem::exists(taken)) << "the other pin stays";
  __u32 on_interface = 0;
  ASSERT_EQ(bpf_xdp_query_id(ifindex, 0, &on_interface), 0);
  EXPECT_EQ(on_interface, 0u);
  {
    auto after = load(sample("xdp_pass"), netns.ifname());
    ASSERT_TRUE(after.ok()) << after.error().message;
    EXPECT_EQ(after->programs[0].link_id, link_before + 1) << "the refused load made a link";
  }
  ASSERT_EQ(::unlink(taken.c_str()), 0);
}

TEST_F(AttachTest, TcAttachesAsTcxInTheSignedDirection) {
  testing::PrivateNetns netns;
  if (!netns.ok()) GTEST_SKIP() << netns.why();
  const int ifindex = static_cast<int>(::if_nametoindex(netns.ifname().c_str()));
  for (const std::string dir : {"ingress", "egress"}) {
    auto loaded = load(testdata("loader_tc"), netns.ifname() + ":" + dir);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    ASSERT_EQ(loaded->programs.size(), 1u);
    EXPECT_NE(loaded->programs[0].link_id, 0u);
    const std::uint32_t type = dir == "ingress" ? 46 : 47;  // BPF_TCX_INGRESS / BPF_TCX_EGRESS
    const auto ids = attached(ifindex, type);
    EXPECT_EQ(ids, std::vector<std::uint32_t>{loaded->programs[0].id}) << dir;
    const auto other = attached(ifindex, type == 46 ? 47 : 46);
    EXPECT_TRUE(other.empty()) << "only the signed direction";
  }
}

TEST_F(AttachTest, CgroupSkbAttachesToTheSignedCgroupDirectory) {
  testing::TempCgroup cgroup;
  if (!cgroup.ok()) GTEST_SKIP() << cgroup.why();
  {
    auto loaded = load(testdata("loader_cgroup_skb"), cgroup.path());
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    ASSERT_EQ(loaded->programs.size(), 1u);
    EXPECT_NE(loaded->programs[0].link_id, 0u);
    UniqueFd dir(::open(cgroup.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(dir.valid());
    EXPECT_EQ(attached(dir.get(), BPF_CGROUP_INET_INGRESS), std::vector<std::uint32_t>{loaded->programs[0].id});
  }
}

// Each bad target: an error naming the problem, and nothing reached the kernel.
TEST_F(AttachTest, MissingOrInvalidTargetsAreErrorsAndNothingStaysLoaded) {
  testing::PrivateNetns netns;
  if (!netns.ok()) GTEST_SKIP() << netns.why();
  testing::TempCgroup cgroup;
  const std::string link_dir = std::filesystem::temp_directory_path() / ("pqbpf-cg-link-" + std::to_string(::getpid()));
  std::filesystem::create_directories(link_dir);
  if (cgroup.ok()) std::filesystem::create_directory_symlink(cgroup.path(), link_dir + "/cg");
  struct Case {
    const char* what;
    std::vector<std::uint8_t> object;
    std::string point;
    ErrorCode code;
  } cases[] = {
      {"xdp, no target", sample("xdp_pass"), "", ErrorCode::kInvalidArgument},
      {"xdp, no such interface", sample("xdp_pass"), "nosuch0", ErrorCode::kNotFound},
      {"xdp, not an interface name", sample("xdp_pass"), "a/b", ErrorCode::kInvalidArgument},
      {"tc, no direction", testdata("loader_tc"), netns.ifname(), ErrorCode::kInvalidArgument},
      {"tc, bad direction", testdata("loader_tc"), netns.ifname() + ":sideways", ErrorCode::kInvalidArgument},
      {"cgroup, relative", testdata("loader_cgroup_skb"), "unified/x", ErrorCode::kInvalidArgument},
      {"cgroup, dot-dot", testdata("loader_cgroup_skb"), "/sys/fs/cgroup/../cgroup", ErrorCode::kInvalidArgument},
      {"cgroup, not cgroup2", testdata("loader_cgroup_skb"), "/tmp", ErrorCode::kInvalidArgument},
      {"cgroup, missing", testdata("loader_cgroup_skb"), "/sys/fs/cgroup/pqbpf-no-such", ErrorCode::kNotFound},
      {"socket filter", sample("socket_filter"), netns.ifname(), ErrorCode::kUnsupported},
  };
  for (const Case& c : cases) {
    auto loaded = load(c.object, c.point);
    ASSERT_FALSE(loaded.ok()) << c.what;
    EXPECT_EQ(loaded.error().code, c.code) << c.what << ": " << loaded.error().message;
    EXPECT_EQ(kernel_program_ids(), before_) << c.what << ": something reached the kernel";
  }
  if (cgroup.ok()) {
    // A symlink to a real cgroup is not followed.
    auto loaded = load(testdata("loader_cgroup_skb"), link_dir + "/cg");
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.error().code, ErrorCode::kInvalidArgument) << loaded.error().message;
  }
  std::filesystem::remove_all(link_dir);
}

}  // namespace
}  // namespace pqbpf::loader

// The loader against the real kernel: load, pin, attach, ids, and that
// nothing stays behind (every test checks the kernel's program id list).
#include "pqbpf/loader/loader.h"

#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "bpffs_test_util.h"
#include "pqbpf/core/file_io.h"

namespace pqbpf::loader {
namespace {

std::vector<std::uint8_t> object(const std::string& dir, const std::string& name) {
  auto bytes = read_file(dir + "/" + name + ".bpf.o", kMaxObjectFileSize);
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? std::move(bytes).value() : std::vector<std::uint8_t>{};
}
std::vector<std::uint8_t> sample(const std::string& name) { return object(PQBPF_SAMPLES_DIR, name); }

bool has_id(std::uint32_t id) {
  const auto ids = kernel_program_ids();
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF) to load programs";
    bpffs_ = std::make_unique<testing::TempBpffs>();
    if (!bpffs_->ok()) GTEST_SKIP() << "no private bpffs: " << bpffs_->why();
    root_path_ = bpffs_->path() + "/root";
    ASSERT_EQ(::mkdir(root_path_.c_str(), 0700), 0);
    auto root = PinRoot::open(root_path_);
    ASSERT_TRUE(root.ok()) << root.error().message;
    root_.emplace(std::move(root).value());
    before_ = kernel_program_ids();
  }
  void TearDown() override {
    if (root_path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(root_path_, ec);
    bpffs_.reset();
    EXPECT_EQ(kernel_program_ids(), before_) << "a test left a program loaded";
  }

  std::unique_ptr<testing::TempBpffs> bpffs_;
  std::string root_path_;
  std::optional<PinRoot> root_;
  std::vector<std::uint32_t> before_;
};

TEST_F(LoaderTest, LoadWithFdsReportsKernelIdsAndUnloadsOnClose) {
  std::uint32_t id = 0;
  {
    auto loaded = load_verified_object(sample("xdp_pass"), "xdp_pass.bpf.o", {});
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    ASSERT_EQ(loaded->programs.size(), 1u);
    EXPECT_EQ(loaded->programs[0].name, "xdp_pass_count");
    EXPECT_EQ(loaded->programs[0].tag.size(), 16u);
    id = loaded->programs[0].id;
    EXPECT_TRUE(has_id(id));
    EXPECT_FALSE(loaded->maps.empty());
    EXPECT_EQ(loaded->map_fds.size(), loaded->maps.size());
  }
  EXPECT_FALSE(has_id(id)) << "closing the descriptors unloads an unpinned program";
}

TEST_F(LoaderTest, PinKeepsProgramUntilUnpinned) {
  auto loaded =
      load_verified_object(sample("xdp_pass"), "xdp_pass.bpf.o", {.pin_root = &*root_, .pin_path = "a/b"});
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  const std::uint32_t id = loaded->programs[0].id;
  EXPECT_EQ(loaded->pin_dir, root_path_ + "/a/b");
  const std::string pin = root_path_ + "/a/b/xdp_pass_count";
  const int fd = bpf_obj_get(pin.c_str());
  ASSERT_GE(fd, 0) << pin;
  ::close(fd);
  loaded->program_fds.clear();
  loaded->map_fds.clear();
  EXPECT_TRUE(has_id(id)) << "the pin holds the program";
  loaded->unpin_all(*root_);
  EXPECT_FALSE(std::filesystem::exists(pin));
  EXPECT_FALSE(has_id(id));
}

TEST_F(LoaderTest, PinOutsideRootIsRefusedBeforeLoading) {
  for (const std::string bad : {"/tmp/elsewhere", "../escape", "a/../../x", "a//b", ""}) {
    auto loaded =
        load_verified_object(sample("xdp_pass"), "xdp_pass.bpf.o", {.pin_root = &*root_, .pin_path = bad});
    EXPECT_FALSE(loaded.ok()) << bad;
  }
  EXPECT_EQ(kernel_program_ids(), before_);
}

// The pin path is judged before the object is even opened: with an object
// the kernel would refuse, the error is still the pin path's.
TEST_F(LoaderTest, PinOutsideRootFailsBeforeTheObjectIsOpened) {
  std::vector<std::uint8_t> junk(512, 0x41);
  auto loaded = load_verified_object(junk, "junk", {.attach = true, .pin_root = &*root_, .pin_path = "/tmp/x"});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kPermission) << loaded.error().message;
  EXPECT_NE(loaded.error().message.find("nothing was loaded"), std::string::npos) << loaded.error().message;
}

// libbpf's own pinning (LIBBPF_PIN_BY_NAME) would pin the map at
// /sys/fs/bpf/<name> or reuse one pinned there: refused before the load,
// naming the map, with or without a gate pin.
TEST_F(LoaderTest, MapWithLibbpfPinningIsRefusedBeforeLoading) {
  const auto bytes = object(PQBPF_LOADER_TESTDATA, "loader_pinned_map");
  for (const LoadOptions& options : {LoadOptions{}, LoadOptions{.pin_root = &*root_, .pin_path = "m"}}) {
    auto loaded = load_verified_object(bytes, "loader_pinned_map.bpf.o", options);
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.error().code, ErrorCode::kUnsupported) << loaded.error().message;
    EXPECT_NE(loaded.error().message.find("map pqbpf_pinned_by_name asks libbpf to pin it"), std::string::npos)
        << loaded.error().message;
  }
  EXPECT_FALSE(std::filesystem::exists("/sys/fs/bpf/pqbpf_pinned_by_name"));
  EXPECT_FALSE(std::filesystem::exists(root_path_ + "/m"));
  EXPECT_EQ(kernel_program_ids(), before_);
}

TEST_F(LoaderTest, PinThroughSymlinkIsRefused) {
  // A symlink inside the root that points at the bpffs above it.
  ASSERT_EQ(::symlink(bpffs_->path().c_str(), (root_path_ + "/link").c_str()), 0);
  auto loaded =
      load_verified_object(sample("xdp_pass"), "xdp_pass.bpf.o", {.pin_root = &*root_, .pin_path = "link/x"});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kPermission) << loaded.error().message;
  EXPECT_FALSE(std::filesystem::exists(bpffs_->path() + "/x"));
}

TEST_F(LoaderTest, ExistingPinFailsAndRollsBack) {
  auto first =
      load_verified_object(sample("xdp_pass"), "xdp_pass.bpf.o", {.pin_root = &*root_, .pin_path = "p"});
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto second =
      load_verified_object(sample("xdp_pass"), "xdp_pass.bpf.o", {.pin_root = &*root_, .pin_path = "p"});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kAlreadyExists);
  EXPECT_TRUE(std::filesystem::exists(root_path_ + "/p/xdp_pass_count")) << "the first pin survives";
  first->unpin_all(*root_);
}

TEST_F(LoaderTest, AttachWithoutAnyTargetIsRefusedBeforeLoading) {
  // xdp needs the manifest's attach_point (none given); a socket filter
  // cannot be attached by the loader at all.
  auto loaded = load_verified_object(sample("xdp_pass"), "xdp_pass.bpf.o", {.attach = true});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kInvalidArgument) << loaded.error().message;
  EXPECT_NE(loaded.error().message.find("no attach_point"), std::string::npos) << loaded.error().message;
  auto filter = load_verified_object(sample("socket_filter"), "socket_filter.bpf.o", {.attach = true});
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.error().code, ErrorCode::kUnsupported) << filter.error().message;
  EXPECT_EQ(kernel_program_ids(), before_);
}

// Tracepoint attach needs tracefs for the event id. This machine does not
// mount it, so mount one in a private mount namespace of this test process.
bool ensure_tracefs(std::string& why) {
  if (std::filesystem::exists("/sys/kernel/tracing/events/sched")) return true;
  if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
      ::mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, nullptr) != 0) {
    why = std::string("no tracefs and cannot mount one privately: ") + std::strerror(errno);
    return false;
  }
  return std::filesystem::exists("/sys/kernel/tracing/events/sched");
}

TEST_F(LoaderTest, TracepointAttachMakesALinkThatGoesWithItsFd) {
  std::string why;
  if (!ensure_tracefs(why)) GTEST_SKIP() << why;
  auto loaded = load_verified_object(sample("tracepoint_exec"), "tracepoint_exec.bpf.o", {.attach = true});
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  ASSERT_EQ(loaded->link_fds.size(), 1u);
  const std::uint32_t link_id = loaded->programs[0].link_id;
  EXPECT_NE(link_id, 0u);
  const int fd = bpf_link_get_fd_by_id(link_id);
  ASSERT_GE(fd, 0) << "bpftool link show finds the link";
  ::close(fd);
  loaded->link_fds.clear();
  const int gone = bpf_link_get_fd_by_id(link_id);
  EXPECT_LT(gone, 0) << "closing the link fd detaches";
  if (gone >= 0) ::close(gone);
}

TEST_F(LoaderTest, GarbageIsRefusedWithoutLoading) {
  std::vector<std::uint8_t> junk(512, 0x41);
  auto loaded = load_verified_object(junk, "junk", {});
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("junk"), std::string::npos);
}

}  // namespace
}  // namespace pqbpf::loader

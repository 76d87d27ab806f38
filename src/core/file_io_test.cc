// read_file / read_text_file / InputFile on what an attacker can plant at an
// input path (issue 11.8): a FIFO must be refused at once, not hang the gate;
// devices and directories are refused with one line naming the file.
#include "pqbpf/core/file_io.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace pqbpf {
namespace {

namespace fs = std::filesystem;

class FileIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pqbpf-file-io.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // A regression would block in open() or read(): end the process
    // (a failed test) instead of hanging the suite.
    ::alarm(20);
  }
  void TearDown() override {
    ::alarm(0);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  std::string dir_;
};

std::string error_of(const Result<std::vector<std::uint8_t>>& r) {
  return r.ok() ? "(read " + std::to_string(r->size()) + " bytes)" : r.error().message;
}

TEST_F(FileIoTest, ReadRegularFileReturnsItsBytes) {
  std::ofstream(path("a.txt")) << "hello";
  auto r = read_file(path("a.txt"), 16);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(std::string(r->begin(), r->end()), "hello");
  auto t = read_text_file(path("a.txt"), 16);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, "hello");
}

TEST_F(FileIoTest, ReadFifoWithoutWriterFailsAtOnce) {
  const std::string fifo = path("planted.bpf.o");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto r = read_file(fifo, kMaxObjectFileSize);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message, fifo + ": not a regular file (FIFO); expected a file");
  auto t = read_text_file(fifo, kMaxSmallFileSize);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().message, fifo + ": not a regular file (FIFO); expected a file");
}

TEST_F(FileIoTest, ReadSymlinkToFifoFails) {
  const std::string fifo = path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  fs::create_symlink(fifo, path("link.sig.json"));
  EXPECT_EQ(error_of(read_file(path("link.sig.json"), kMaxEnvelopeFileSize)),
            path("link.sig.json") + ": not a regular file (FIFO); expected a file");
}

TEST_F(FileIoTest, ReadSymlinkToDevZeroFails) {
  fs::create_symlink("/dev/zero", path("zero.bpf.o"));
  EXPECT_EQ(error_of(read_file(path("zero.bpf.o"), kMaxObjectFileSize)),
            path("zero.bpf.o") + ": not a regular file (character device); expected a file");
}

TEST_F(FileIoTest, ReadDirectoryFails) {
  fs::create_directory(path("dir.key"));
  EXPECT_EQ(error_of(read_file(path("dir.key"), kMaxSmallFileSize)),
            path("dir.key") + ": not a regular file (directory); expected a file");
}

TEST_F(FileIoTest, ReadSocketFails) {
  const std::string sock = path("s");
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(sock.size(), sizeof(addr.sun_path));
  sock.copy(addr.sun_path, sock.size());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_EQ(error_of(read_file(sock, kMaxSmallFileSize)),
            sock + ": not a regular file (socket); expected a file");
  ::close(fd);
}

TEST_F(FileIoTest, ReadMissingFileIsNotFound) {
  auto r = read_file(path("missing"), 16);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(r.error().message.rfind(path("missing") + ": cannot open: ", 0), 0u);
}

TEST_F(FileIoTest, InputFileOpensRegularFileBlocking) {
  std::ofstream(path("b")) << "xyz";
  auto f = InputFile::open(path("b"));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_TRUE(S_ISREG(f->stat().st_mode));
  EXPECT_EQ(f->stat().st_size, 3);
  const int flags = ::fcntl(f->fd(), F_GETFL);
  EXPECT_EQ(flags & O_NONBLOCK, 0);
  EXPECT_NE(::fcntl(f->fd(), F_GETFD) & FD_CLOEXEC, 0);
  // Moving keeps exactly one owner of the descriptor.
  InputFile moved = std::move(f).value();
  EXPECT_GE(moved.fd(), 0);
}

// A NUL byte would cut the path short inside the system call: "x.bpf.o\0"
// after a name that ends in ".yaml" would read another file.
TEST_F(FileIoTest, PathWithNulIsRefusedForReadingAndWriting) {
  std::ofstream(path("secret")) << "root:hash";
  const std::string hostile = path("secret") + std::string(1, '\0') + ".bpf.o";
  auto r = read_file(hostile, 1024);
  ASSERT_FALSE(r.ok()) << "read " << error_of(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message, path("secret") + "\\0...: path contains a NUL byte");
  const std::string out = path("new") + std::string(1, '\0') + "x";
  const Status w = write_file_atomic(out, std::string_view("data"), WriteOptions{});
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(path("new")));
  EXPECT_TRUE(check_path_text(path("plain")).ok());
}

// --force replaces a regular file, never a FIFO, device, directory or
// symlink (as root, "-o /dev/null --force" would have made /dev/null a file).
TEST_F(FileIoTest, OverwriteReplacesOnlyRegularFiles) {
  WriteOptions force;
  force.overwrite = true;
  std::ofstream(path("old")) << "old";
  ASSERT_TRUE(write_file_atomic(path("old"), std::string_view("new"), force).ok());
  auto back = read_text_file(path("old"), 16);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "new");

  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0600), 0);
  ASSERT_EQ(::symlink(path("old").c_str(), path("link").c_str()), 0);
  ASSERT_EQ(::mkdir(path("dir").c_str(), 0700), 0);
  const bool root = ::geteuid() == 0;
  if (root) ASSERT_EQ(::mknod(path("null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  for (const char* name : {"fifo", "link", "dir", "null"}) {
    if (std::string(name) == "null" && !root) continue;
    struct stat before {};
    ASSERT_EQ(::lstat(path(name).c_str(), &before), 0) << name;
    const Status s = write_file_atomic(path(name), std::string_view("data"), force);
    ASSERT_FALSE(s.ok()) << name << " was replaced";
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument) << s.error().message;
    EXPECT_NE(s.error().message.find("--force replaces only regular files"), std::string::npos)
        << s.error().message;
    struct stat after {};
    ASSERT_EQ(::lstat(path(name).c_str(), &after), 0) << name;
    EXPECT_EQ(after.st_mode, before.st_mode) << name << " changed kind";
  }
  auto target = read_text_file(path("old"), 16);
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(*target, "new") << "the symlink's target is untouched";
  std::size_t left = 0;
  for (const auto& e : fs::directory_iterator(dir_)) left += e.path().filename().string().find(".tmp.") != std::string::npos;
  EXPECT_EQ(left, 0u) << "no temporary file left behind";
}

}  // namespace
}  // namespace pqbpf

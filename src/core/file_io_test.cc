// read_file / read_text_file / InputFile on what an attacker can plant at an
// input path (issue 11.8): a FIFO must be refused at once, not hang the gate;
// devices and directories are refused with one line naming the file.
#include "pqbpf/core/file_io.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

}  // namespace
}  // namespace pqbpf

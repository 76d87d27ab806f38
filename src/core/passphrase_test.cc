// Passphrase sources: files, environment variables, and the terminal refusal
// when there is no controlling terminal.
#include "pqbpf/core/passphrase.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "identity_test_util.h"

namespace pqbpf {
namespace {

using test_util::ScratchDir;
using test_util::write_all;

std::string as_string(const crypto::SecureBytes& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

TEST(Passphrase, ReadFromFileReturnsFirstLineWithoutNewline) {
  ScratchDir dir;
  const auto path = dir.file("pass");
  write_all(path, "correct horse\nsecond line\n");
  auto pass = read_passphrase(PassphraseSource::file(path));
  ASSERT_TRUE(pass.ok()) << pass.error().message;
  EXPECT_EQ(as_string(*pass), "correct horse");
}

TEST(Passphrase, ReadFromFileStripsCarriageReturn) {
  ScratchDir dir;
  const auto path = dir.file("pass");
  write_all(path, "battery staple\r\n");
  auto pass = read_passphrase(PassphraseSource::file(path));
  ASSERT_TRUE(pass.ok()) << pass.error().message;
  EXPECT_EQ(as_string(*pass), "battery staple");
}

TEST(Passphrase, ReadFromFileWithoutTrailingNewlineReturnsWholeFile) {
  ScratchDir dir;
  const auto path = dir.file("pass");
  write_all(path, "no newline here");
  auto pass = read_passphrase(PassphraseSource::file(path));
  ASSERT_TRUE(pass.ok()) << pass.error().message;
  EXPECT_EQ(as_string(*pass), "no newline here");
}

TEST(Passphrase, ReadFromEmptyFileFails) {
  ScratchDir dir;
  const auto path = dir.file("pass");
  write_all(path, "\nsecret on line two\n");
  auto pass = read_passphrase(PassphraseSource::file(path));
  ASSERT_FALSE(pass.ok());
  EXPECT_EQ(pass.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(pass.error().message.find("empty"), std::string::npos) << pass.error().message;
  EXPECT_EQ(pass.error().message.rfind(path, 0), 0u) << pass.error().message;
}

TEST(Passphrase, ReadFromMissingFileFailsNotFound) {
  ScratchDir dir;
  auto pass = read_passphrase(PassphraseSource::file(dir.file("absent")));
  ASSERT_FALSE(pass.ok());
  EXPECT_EQ(pass.error().code, ErrorCode::kNotFound);
}

TEST(Passphrase, ReadFromDirectoryFails) {
  ScratchDir dir;
  auto pass = read_passphrase(PassphraseSource::file(dir.file("")));
  ASSERT_FALSE(pass.ok());
  EXPECT_EQ(pass.error().code, ErrorCode::kInvalidArgument);
}

TEST(Passphrase, ReadOverlongFromFileFails) {
  ScratchDir dir;
  const auto path = dir.file("pass");
  write_all(path, std::string(kMaxPassphraseSize + 1, 'x') + "\n");
  auto pass = read_passphrase(PassphraseSource::file(path));
  ASSERT_FALSE(pass.ok());
  EXPECT_EQ(pass.error().code, ErrorCode::kLimitExceeded);
}

TEST(Passphrase, ReadNewFromFileReadsOnce) {
  ScratchDir dir;
  const auto path = dir.file("pass");
  write_all(path, "only once\n");
  auto pass = read_new_passphrase(PassphraseSource::file(path));
  ASSERT_TRUE(pass.ok()) << pass.error().message;
  EXPECT_EQ(as_string(*pass), "only once");
}

TEST(Passphrase, ReadFromSetEnvironmentVariableReturnsValue) {
  ::setenv("PQBPF_TEST_PASSPHRASE", "from the environment", 1);
  auto pass = read_passphrase(PassphraseSource::environment("PQBPF_TEST_PASSPHRASE"));
  ::unsetenv("PQBPF_TEST_PASSPHRASE");
  ASSERT_TRUE(pass.ok()) << pass.error().message;
  EXPECT_EQ(as_string(*pass), "from the environment");
}

// Issue 11.11: a passphrase read from the environment is removed from it,
// so no child process (an editor, a loader, a hook) inherits it.
TEST(Passphrase, ReadFromEnvironmentRemovesTheVariable) {
  ::setenv("PQBPF_TEST_PASSPHRASE_GONE", "leaves no trace", 1);
  auto pass = read_passphrase(PassphraseSource::environment("PQBPF_TEST_PASSPHRASE_GONE"));
  ASSERT_TRUE(pass.ok()) << pass.error().message;
  EXPECT_EQ(as_string(*pass), "leaves no trace");
  EXPECT_EQ(std::getenv("PQBPF_TEST_PASSPHRASE_GONE"), nullptr);
  // A child started afterwards does not see it either.
  const int status = std::system("test -z \"${PQBPF_TEST_PASSPHRASE_GONE+set}\"");
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "a child process inherited the passphrase variable";
  ::unsetenv("PQBPF_TEST_PASSPHRASE_GONE");
}

// Issue 11.11: a passphrase file others may read (or rewrite) is refused,
// with the fix in the message.
TEST(Passphrase, ReadFromGroupOrOtherAccessibleFileFails) {
  ScratchDir dir;
  const auto path = dir.file("pass");
  for (mode_t mode : {0644, 0640, 0604, 0620, 0602, 0660}) {
    write_all(path, "correct horse\n", mode);
    auto pass = read_passphrase(PassphraseSource::file(path));
    ASSERT_FALSE(pass.ok()) << std::oct << mode;
    EXPECT_EQ(pass.error().code, ErrorCode::kPermission);
    EXPECT_NE(pass.error().message.find(path + ": permissions"), std::string::npos)
        << pass.error().message;
    EXPECT_NE(pass.error().message.find("run chmod 600 " + path), std::string::npos)
        << pass.error().message;
  }
  for (mode_t mode : {0600, 0400, 0700}) {
    write_all(path, "correct horse\n", mode);
    EXPECT_TRUE(read_passphrase(PassphraseSource::file(path)).ok()) << std::oct << mode;
  }
}

// Someone else's passphrase file is refused, as someone else's key file is:
// its owner could replace the passphrase a new key gets sealed with.
TEST(Passphrase, ReadFromFileOwnedByAnotherUserFails) {
  if (::geteuid() != 0) GTEST_SKIP() << "skipped: giving a file to another user needs root";
  ScratchDir dir;
  const auto path = dir.file("pass");
  write_all(path, "correct horse\n", 0600);
  ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
  auto pass = read_passphrase(PassphraseSource::file(path));
  ASSERT_FALSE(pass.ok());
  EXPECT_EQ(pass.error().code, ErrorCode::kPermission);
  EXPECT_NE(pass.error().message.find(path + ": owned by uid 65534"), std::string::npos) << pass.error().message;
  ASSERT_EQ(::chown(path.c_str(), ::geteuid(), ::getegid()), 0);
  EXPECT_TRUE(read_passphrase(PassphraseSource::file(path)).ok());
}

// Issue 11.8: a FIFO planted at the passphrase path is refused at once.
TEST(Passphrase, ReadFromFifoFailsWithoutBlocking) {
  ScratchDir dir;
  const auto path = dir.file("pass");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  auto pass = read_passphrase(PassphraseSource::file(path));
  ASSERT_FALSE(pass.ok());
  EXPECT_NE(pass.error().message.find("not a regular file"), std::string::npos)
      << pass.error().message;
}

TEST(Passphrase, ReadFromUnsetEnvironmentVariableFailsNotFound) {
  ::unsetenv("PQBPF_TEST_PASSPHRASE_UNSET");
  auto pass = read_passphrase(PassphraseSource::environment("PQBPF_TEST_PASSPHRASE_UNSET"));
  ASSERT_FALSE(pass.ok());
  EXPECT_EQ(pass.error().code, ErrorCode::kNotFound);
  EXPECT_NE(pass.error().message.find("PQBPF_TEST_PASSPHRASE_UNSET"), std::string::npos);
}

TEST(Passphrase, ReadFromEmptyEnvironmentVariableFails) {
  ::setenv("PQBPF_TEST_PASSPHRASE_EMPTY", "", 1);
  auto pass = read_passphrase(PassphraseSource::environment("PQBPF_TEST_PASSPHRASE_EMPTY"));
  ::unsetenv("PQBPF_TEST_PASSPHRASE_EMPTY");
  ASSERT_FALSE(pass.ok());
  EXPECT_EQ(pass.error().code, ErrorCode::kInvalidArgument);
}

// In a new session there is no controlling terminal, so /dev/tty cannot be
// opened and the prompt must refuse with a hint at the other sources.
TEST(PassphraseDeathTest, PromptWithoutTerminalFailsNamingAlternatives) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        ::setsid();
        auto pass = read_passphrase(PassphraseSource::terminal());
        const bool right = !pass.ok() && pass.error().code == ErrorCode::kInvalidArgument &&
                           pass.error().message.find("--passphrase-file") != std::string::npos;
        std::_Exit(right ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

// A child process gets a fresh pseudo-terminal as its controlling terminal
// and asks for a passphrase; the parent plays the user. This drives the real
// /dev/tty path: the prompt, echo off, and the line read.
class PtySession {
 public:
  PtySession() {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (master_ >= 0 && ::grantpt(master_) == 0 && ::unlockpt(master_) == 0) {
      slave_name_ = ::ptsname(master_);
    }
  }
  ~PtySession() {
    if (master_ >= 0) ::close(master_);
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool usable() const { return !slave_name_.empty(); }

  // Runs `body` in a child whose controlling terminal is the pty; its return
  // value becomes the exit code. False if the child could not take the pty
  // as its controlling terminal (a restricted sandbox): the caller skips.
  template <typename Body>
  bool start(Body body) {
    int ready[2];
    if (::pipe(ready) != 0) return false;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(master_);
      ::close(ready[0]);
      ::setsid();
      const int slave = ::open(slave_name_.c_str(), O_RDWR);
      const bool ok = slave >= 0 && ::ioctl(slave, TIOCSCTTY, 0) == 0;
      const char answer = ok ? 'y' : 'n';
      (void)!::write(ready[1], &answer, 1);
      ::close(ready[1]);
      if (!ok) std::_Exit(99);
      std::_Exit(body());
    }
    ::close(ready[1]);
    char answer = 'n';
    const bool ok = pid_ > 0 && ::read(ready[0], &answer, 1) == 1 && answer == 'y';
    ::close(ready[0]);
    return ok;
  }

  // Reads from the terminal until `needle` has appeared (or 10 s pass).
  bool wait_for(const std::string& needle) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (output_.find(needle, consumed_) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      if (!read_some(100)) continue;
    }
    consumed_ = output_.find(needle, consumed_) + needle.size();
    return true;
  }

  void type(const std::string& text) { (void)!::write(master_, text.data(), text.size()); }

  // Collects the remaining output and the child's exit code.
  int finish() {
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) return -1;
      read_some(50);
    }
    while (read_some(0)) {
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  const std::string& output() const { return output_; }
  // Linux ptys share one termios between master and slave.
  bool echo_on() const {
    struct termios t {};
    return ::tcgetattr(master_, &t) == 0 && (t.c_lflag & ECHO) != 0;
  }

 private:
  bool read_some(int timeout_ms) {
    struct pollfd p {master_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0 || !(p.revents & POLLIN)) return false;
    char buf[256];
    const ssize_t n = ::read(master_, buf, sizeof(buf));
    if (n <= 0) return false;
    output_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int master_ = -1;
  pid_t pid_ = -1;
  std::string slave_name_;
  std::string output_;
  std::size_t consumed_ = 0;
};

TEST(PassphraseTerminal, PromptReadsLineWithEchoOff) {
  PtySession pty;
  if (!pty.usable()) GTEST_SKIP() << "no pseudo-terminals here";
  const bool started = pty.start([] {
    auto pass = read_passphrase(PassphraseSource::terminal("Key passphrase: "));
    return pass.ok() && as_string(*pass) == "s3cret words" ? 0 : 1;
  });
  if (!started) GTEST_SKIP() << "cannot give a child process a controlling terminal here";
  ASSERT_TRUE(pty.wait_for("Key passphrase: ")) << pty.output();
  pty.type("s3cret words\n");
  EXPECT_EQ(pty.finish(), 0) << pty.output();
  EXPECT_EQ(pty.output().find("s3cret"), std::string::npos) << "echoed: " << pty.output();
  EXPECT_TRUE(pty.echo_on());
}

TEST(PassphraseTerminal, NewPassphraseAsksTwiceAndAcceptsMatch) {
  PtySession pty;
  if (!pty.usable()) GTEST_SKIP() << "no pseudo-terminals here";
  const bool started = pty.start([] {
    auto pass = read_new_passphrase(PassphraseSource::terminal());
    return pass.ok() && as_string(*pass) == "same" ? 0 : 1;
  });
  if (!started) GTEST_SKIP() << "cannot give a child process a controlling terminal here";
  ASSERT_TRUE(pty.wait_for("Passphrase: ")) << pty.output();
  pty.type("same\n");
  ASSERT_TRUE(pty.wait_for("Repeat passphrase: ")) << pty.output();
  pty.type("same\n");
  EXPECT_EQ(pty.finish(), 0) << pty.output();
}

TEST(PassphraseTerminal, NewPassphraseWithMismatchFails) {
  PtySession pty;
  if (!pty.usable()) GTEST_SKIP() << "no pseudo-terminals here";
  const bool started = pty.start([] {
    auto pass = read_new_passphrase(PassphraseSource::terminal());
    return !pass.ok() && pass.error().message.find("differ") != std::string::npos ? 0 : 1;
  });
  if (!started) GTEST_SKIP() << "cannot give a child process a controlling terminal here";
  ASSERT_TRUE(pty.wait_for("Passphrase: ")) << pty.output();
  pty.type("first\n");
  ASSERT_TRUE(pty.wait_for("Repeat passphrase: ")) << pty.output();
  pty.type("second\n");
  EXPECT_EQ(pty.finish(), 0) << pty.output();
}

TEST(PassphraseTerminal, InterruptAtPromptRestoresEchoAndRaisesSignal) {
  PtySession pty;
  if (!pty.usable()) GTEST_SKIP() << "no pseudo-terminals here";
  const bool started = pty.start([] {
    (void)read_passphrase(PassphraseSource::terminal());
    return 1;  // not reached: SIGINT's default action ends the process
  });
  if (!started) GTEST_SKIP() << "cannot give a child process a controlling terminal here";
  ASSERT_TRUE(pty.wait_for("Passphrase: ")) << pty.output();
  EXPECT_FALSE(pty.echo_on());
  pty.type("\x03");  // Ctrl-C: the terminal sends SIGINT to the child
  EXPECT_EQ(pty.finish(), 128 + SIGINT) << pty.output();
  EXPECT_TRUE(pty.echo_on());
}

}  // namespace
}  // namespace pqbpf

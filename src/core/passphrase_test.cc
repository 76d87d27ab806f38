// Passphrase sources: files, environment variables, and the terminal refusal
// when there is no controlling terminal.
#include "pqbpf/core/passphrase.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

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

}  // namespace
}  // namespace pqbpf

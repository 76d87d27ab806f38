// Issue 11.11 and 11.8 for key files: a key file someone else owns is
// refused (they could swap the key under us), a FIFO planted at a key path is
// refused at once instead of hanging the reader, and a created_at with a leap
// second is refused like every other ":60" time.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

#include "identity_test_util.h"
#include "pqbpf/core/key_file.h"

namespace pqbpf {
namespace {

using test_util::ScratchDir;
using test_util::test_seed;

Identity test_identity() {
  auto id = Identity::from_seed(test_seed(), "bpf-signer", {"sign"}, "2026-11-29T12:00:00Z");
  EXPECT_TRUE(id.ok());
  return std::move(id).value();
}

TEST(KeyFileHygiene, LoadKeyOwnedByAnotherUserFailsNamingFileAndFix) {
  ScratchDir dir;
  std::string path = dir.file("signer.key");
  ASSERT_TRUE(save_key_file(path, test_identity()).ok());
  ASSERT_TRUE(load_key_file(path).ok());
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);  // nobody, mode still 0600
  } else {
    path = "/etc/passwd";  // owned by root, readable: only the owner check can refuse it first
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || st.st_uid == ::geteuid()) {
      GTEST_SKIP() << "not root and no file owned by another user to try";
    }
  }
  auto loaded = load_key_file(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kPermission);
  const std::string& m = loaded.error().message;
  EXPECT_EQ(m.rfind(path + ": owned by uid ", 0), 0u) << m;
  EXPECT_NE(m.find("run chown " + std::to_string(::geteuid()) + " " + path), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
}

TEST(KeyFileHygiene, LoadKeyFromFifoFailsWithoutBlocking) {
  ScratchDir dir;
  const std::string path = dir.file("signer.key");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  auto loaded = load_key_file(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().message, path + ": not a regular file");
}

TEST(KeyFileHygiene, ParseKeyWithLeapSecondCreatedAtFails) {
  auto text = serialize_key_file(test_identity(), {});
  ASSERT_TRUE(text.ok());
  std::string doc(reinterpret_cast<const char*>(text->data()), text->size());
  const auto at = doc.find("2026-11-29T12:00:00Z");
  ASSERT_NE(at, std::string::npos);
  doc.replace(at, 20, "2026-12-31T23:59:60Z");
  auto loaded = parse_key_file(doc, "leap.key");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kParse);
  EXPECT_NE(loaded.error().message.find("field \"created_at\""), std::string::npos)
      << loaded.error().message;
}

}  // namespace
}  // namespace pqbpf

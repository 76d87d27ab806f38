// Which files make up a log: the listing must never mistake a symlink at
// the current path for the two names of an interrupted rotation.
#include "pqbpf/log/log_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "log_test_util.h"

namespace pqbpf::log {
namespace {

using testing::TempDir;
using testing::write_all_text;

class LogFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("audit.log");
    write_all_text(rotated_file_path(path_, 1), "one\n");
    write_all_text(rotated_file_path(path_, 2), "two\n");
  }
  TempDir dir_;
  std::string path_;
};

TEST_F(LogFilesTest, RegularCurrentFileComesAfterTheRotatedFilesInOrder) {
  write_all_text(path_, "current\n");
  auto files = list_log_files(path_);
  ASSERT_TRUE(files.ok()) << files.error().message;
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ((*files)[0].path, rotated_file_path(path_, 1));
  EXPECT_EQ((*files)[1].path, rotated_file_path(path_, 2));
  EXPECT_TRUE((*files)[2].current);
  for (const LogFile& f : *files) EXPECT_FALSE(f.symlink || f.also_current) << f.path;
}

TEST_F(LogFilesTest, HardLinkToTheNewestRotatedFileIsListedOnceAsAlsoCurrent) {
  ASSERT_EQ(::link(rotated_file_path(path_, 2).c_str(), path_.c_str()), 0);
  auto files = list_log_files(path_);
  ASSERT_TRUE(files.ok()) << files.error().message;
  ASSERT_EQ(files->size(), 2u);
  EXPECT_TRUE(files->back().also_current);
  EXPECT_FALSE(files->back().symlink);
}

TEST_F(LogFilesTest, SymlinkToTheNewestRotatedFileIsListedAsASymlinkedCurrentFile) {
  ASSERT_EQ(::symlink("audit.log.2", path_.c_str()), 0);
  auto files = list_log_files(path_);
  ASSERT_TRUE(files.ok()) << files.error().message;
  ASSERT_EQ(files->size(), 3u);
  EXPECT_FALSE((*files)[1].also_current) << "a symlink passed for an interrupted rotation";
  EXPECT_TRUE(files->back().current);
  EXPECT_TRUE(files->back().symlink);
}

TEST_F(LogFilesTest, DanglingSymlinkAtTheCurrentPathIsStillListed) {
  ASSERT_EQ(::symlink("nowhere", path_.c_str()), 0);
  auto files = list_log_files(path_);
  ASSERT_TRUE(files.ok()) << files.error().message;
  ASSERT_EQ(files->size(), 3u);
  EXPECT_TRUE(files->back().current && files->back().symlink);
}

TEST_F(LogFilesTest, SymlinkedRotatedFileIsMarked) {
  const std::string second = rotated_file_path(path_, 2);
  ASSERT_EQ(::unlink(second.c_str()), 0);
  ASSERT_EQ(::symlink("audit.log.1", second.c_str()), 0);
  auto files = list_log_files(path_);
  ASSERT_TRUE(files.ok()) << files.error().message;
  ASSERT_EQ(files->size(), 2u);
  EXPECT_FALSE((*files)[0].symlink);
  EXPECT_TRUE((*files)[1].symlink);
}

}  // namespace
}  // namespace pqbpf::log

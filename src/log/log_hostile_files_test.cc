// The writer runs as root on paths others may plant: symlinks, FIFOs,
// foreign or group-writable files, files that are not our log, and logs cut
// back behind the writer's back (issue 11, items 2 and 4). Each test names
// the attack; on the earlier code the writer followed the link, hung, moved
// complete lines aside, or re-sealed the truncated log.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "log_test_util.h"
#include "pqbpf/log/log_files.h"
#include "pqbpf/log/log_reader.h"
#include "pqbpf/log/log_verify.h"
#include "pqbpf/log/log_writer.h"
#include "pqbpf/log/witness.h"

namespace pqbpf::log {
namespace {

using testing::read_all;
using testing::sample_attempt;
using testing::TempDir;
using testing::test_public_key;
using testing::test_signer;
using testing::write_all_text;

const std::string kVictimText = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/bin/false\n";

bool exists(const std::string& p) {
  std::error_code ec;
  return std::filesystem::exists(std::filesystem::symlink_status(p, ec));
}

Result<std::unique_ptr<LogWriter>> open_log(const std::string& path, LogOptions o = {}) {
  return LogWriter::open(path, test_signer(), o);
}

// A closed log with `n` attempts, checkpoint_every 4.
void write_closed_log(const std::string& path, int n) {
  LogOptions o;
  o.checkpoint_every = 4;
  auto w = open_log(path, o);
  ASSERT_TRUE(w.ok()) << w.error().message;
  for (int i = 0; i < n; ++i) ASSERT_TRUE((*w)->append(sample_attempt("p" + std::to_string(i))).ok());
  ASSERT_TRUE((*w)->close().ok());
}

void expect_refused(const Result<std::unique_ptr<LogWriter>>& w, ErrorCode code,
                    const std::string& needle) {
  ASSERT_FALSE(w.ok()) << "the writer accepted a hostile file";
  EXPECT_EQ(w.error().code, code) << w.error().message;
  EXPECT_NE(w.error().message.find(needle), std::string::npos) << w.error().message;
}

// The attack from the review: the log path planted as a symlink to a text
// file. One `check` later the file's lines sat in .torn and the file held
// audit records.
TEST(LogHostileFilesTest, LogPathSymlinkIsRefusedAndItsTargetUntouched) {
  TempDir dir;
  const std::string victim = dir.file("victim.txt");
  const std::string path = dir.file("audit.log");
  write_all_text(victim, kVictimText);
  ASSERT_EQ(::symlink(victim.c_str(), path.c_str()), 0);
  expect_refused(open_log(path), ErrorCode::kPermission, "symbolic link");
  EXPECT_EQ(read_all(victim), kVictimText);
  EXPECT_FALSE(exists(torn_file_path(path)));
}

TEST(LogHostileFilesTest, DanglingLogSymlinkCreatesNothingThroughIt) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  ASSERT_EQ(::symlink(dir.file("created-through-link").c_str(), path.c_str()), 0);
  expect_refused(open_log(path), ErrorCode::kPermission, "symbolic link");
  EXPECT_FALSE(exists(dir.file("created-through-link")));
}

TEST(LogHostileFilesTest, LockFileSymlinkIsRefused) {
  TempDir dir;
  const std::string victim = dir.file("victim.txt");
  const std::string path = dir.file("audit.log");
  write_all_text(victim, kVictimText);
  ASSERT_EQ(::symlink(victim.c_str(), lock_file_path(path).c_str()), 0);
  expect_refused(open_log(path), ErrorCode::kPermission, "symbolic link");
  EXPECT_EQ(read_all(victim), kVictimText);
}

TEST(LogHostileFilesTest, TornFileSymlinkIsRefusedAndNothingIsMoved) {
  TempDir dir;
  const std::string victim = dir.file("victim.txt");
  const std::string path = dir.file("audit.log");
  write_closed_log(path, 2);
  const std::string fragment = "{\"v\":1,\"seq\":4,\"kind\":\"att";
  write_all_text(path, read_all(path) + fragment);
  const std::string before = read_all(path);
  write_all_text(victim, kVictimText);
  ASSERT_EQ(::symlink(victim.c_str(), torn_file_path(path).c_str()), 0);
  expect_refused(open_log(path), ErrorCode::kPermission, "symbolic link");
  EXPECT_EQ(read_all(victim), kVictimText);
  EXPECT_EQ(read_all(path), before);
}

TEST(LogHostileFilesTest, WitnessSymlinkIsRefused) {
  TempDir dir;
  const std::string victim = dir.file("victim.txt");
  const std::string path = dir.file("audit.log");
  write_all_text(victim, kVictimText);
  ASSERT_EQ(::symlink(victim.c_str(), default_witness_path(path).c_str()), 0);
  expect_refused(open_log(path), ErrorCode::kPermission, "symbolic link");
  EXPECT_EQ(read_all(victim), kVictimText);
}

// Readers (log show, log verify's witness) may run as another user than
// the writer, but they too never read through a symlink at a log's path.
TEST(LogHostileFilesTest, ReadersRefuseASymlinkedLogAndWitness) {
  TempDir dir;
  const std::string real = dir.file("real.log");
  write_closed_log(real, 3);
  const std::string path = dir.file("audit.log");
  ASSERT_EQ(::symlink(real.c_str(), path.c_str()), 0);
  auto records = read_records(path, {});
  ASSERT_FALSE(records.ok()) << "log show read through a symlink";
  EXPECT_EQ(records.error().code, ErrorCode::kPermission);
  EXPECT_NE(records.error().message.find(path + ": "), std::string::npos)
      << records.error().message;
  EXPECT_NE(records.error().message.find("symbolic link"), std::string::npos)
      << records.error().message;
  const std::string witness_link = dir.file("copy.witness");
  ASSERT_EQ(::symlink(default_witness_path(real).c_str(), witness_link.c_str()), 0);
  ASSERT_TRUE(read_witness(default_witness_path(real), false).ok());
  auto w = read_witness(witness_link, false);
  ASSERT_FALSE(w.ok()) << "a symlinked witness was followed";
  EXPECT_EQ(w.error().code, ErrorCode::kPermission);
  EXPECT_NE(w.error().message.find("symbolic link"), std::string::npos) << w.error().message;
}

TEST(LogHostileFilesTest, RotatedFileSymlinkIsRefused) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  LogOptions o;
  o.rotate_bytes = 1;  // rotate after every append
  o.close_checkpoint = false;
  {
    auto w = open_log(path, o);
    ASSERT_TRUE(w.ok()) << w.error().message;
    ASSERT_TRUE((*w)->append(sample_attempt("a")).ok());
  }
  // The current file is empty: the writer reads the head from audit.log.1.
  ASSERT_EQ(read_all(path), "");
  const std::string moved = dir.file("elsewhere");
  ASSERT_EQ(::rename(rotated_file_path(path, 1).c_str(), moved.c_str()), 0);
  ASSERT_EQ(::symlink(moved.c_str(), rotated_file_path(path, 1).c_str()), 0);
  expect_refused(open_log(path, o), ErrorCode::kPermission, "symbolic link");
}

TEST(LogHostileFilesTest, FifoAtLogPathIsRefusedWithoutHanging) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  const auto start = std::chrono::steady_clock::now();
  expect_refused(open_log(path), ErrorCode::kPermission, "not a regular file");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(LogHostileFilesTest, FifoAtLockPathIsRefusedWithoutHanging) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  ASSERT_EQ(::mkfifo(lock_file_path(path).c_str(), 0600), 0);
  expect_refused(open_log(path), ErrorCode::kPermission, "not a regular file");
}

TEST(LogHostileFilesTest, ReadersRefuseAFifoWithoutHanging) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  const auto start = std::chrono::steady_clock::now();
  auto report = verify_log(path, test_public_key());
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().message.find("not a regular file"), std::string::npos)
      << report.error().message;
  auto records = read_records(path);
  ASSERT_FALSE(records.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(LogHostileFilesTest, MalformedWitnessIsRefusedAndTheLogUntouched) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  write_closed_log(path, 2);
  const std::string before = read_all(path);
  const std::string witness = default_witness_path(path);
  for (const std::string bad : {std::string("{\"v\":1,\"seq\":3}\n"),
                                std::string("{\"v\":1,\"seq\":3,\"head\":\"zz\",\"time\":\"x\"}\n"),
                                std::string("{\"v\":2,\"seq\":3,\"head\":\"") +
                                    std::string(64, 'a') + "\",\"time\":\"x\"}\n",
                                std::string(5000, ' ') + "\n"}) {
    write_all_text(witness, bad);
    ::chmod(witness.c_str(), 0600);
    expect_refused(open_log(path), ErrorCode::kParse, "witness");
    EXPECT_EQ(read_all(path), before);
  }
}

TEST(LogHostileFilesTest, GroupWritableLogIsRefused) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  write_closed_log(path, 1);
  ASSERT_EQ(::chmod(path.c_str(), 0660), 0);
  expect_refused(open_log(path), ErrorCode::kPermission, "writable by group or others");
}

TEST(LogHostileFilesTest, LogOwnedBySomeoneElseIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another user";
  TempDir dir;
  const std::string path = dir.file("audit.log");
  write_closed_log(path, 1);
  ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
  expect_refused(open_log(path), ErrorCode::kPermission, "owned by uid 65534");
}

TEST(LogHostileFilesTest, DirectoryWritableByOthersWithoutStickyBitIsRefused) {
  TempDir dir;
  const std::string sub = dir.file("shared");
  ASSERT_EQ(::mkdir(sub.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(sub.c_str(), 0777), 0);
  expect_refused(open_log(sub + "/audit.log"), ErrorCode::kPermission, "not sticky");
  EXPECT_FALSE(exists(sub + "/audit.log"));
  ASSERT_EQ(::chmod(sub.c_str(), 01777), 0);  // like /tmp: accepted
  EXPECT_TRUE(open_log(sub + "/audit.log").ok());
}

// Recovery used to move every trailing line that did not parse; a regular
// file of ours that is not a log lost its content to .torn.
TEST(LogHostileFilesTest, FileWhoseLinesAreNotOurLogIsRefusedUntouched) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  write_all_text(path, kVictimText);
  ::chmod(path.c_str(), 0600);
  expect_refused(open_log(path), ErrorCode::kParse, "is not an audit log record");
  EXPECT_EQ(read_all(path), kVictimText);
  EXPECT_FALSE(exists(torn_file_path(path)));
}

TEST(LogHostileFilesTest, CompleteForeignLineAfterRecordsIsNeverMoved) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  write_closed_log(path, 2);
  const std::string edited = read_all(path) + "not a record\n";
  write_all_text(path, edited);
  expect_refused(open_log(path), ErrorCode::kParse, "is not an audit log record");
  EXPECT_EQ(read_all(path), edited);
  EXPECT_FALSE(exists(torn_file_path(path)));
}

TEST(LogHostileFilesTest, FragmentThatIsNotTheStartOfARecordIsNotMoved) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  write_closed_log(path, 2);
  const std::string edited = read_all(path) + "daemon:x:1:1::/:/bin/false";
  write_all_text(path, edited);
  expect_refused(open_log(path), ErrorCode::kParse, "not the start of an audit record");
  EXPECT_EQ(read_all(path), edited);
  EXPECT_FALSE(exists(torn_file_path(path)));
}

TEST(LogHostileFilesTest, ZeroFilledFragmentFromPowerLossIsRecovered) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  write_closed_log(path, 2);
  const std::string whole = read_all(path);
  write_all_text(path, whole + std::string(4096, '\0'));
  auto w = open_log(path);
  ASSERT_TRUE(w.ok()) << w.error().message;
  ASSERT_TRUE((*w)->close().ok());
  EXPECT_EQ(read_all(path).substr(0, whole.size()), whole);
  auto report = verify_log(path, test_public_key(), VerifyOptions{.require_closed = true});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->recovered, 1u);
}

// 11.4b: cutting the log at a record boundary and letting one more append
// run gave a log that verified as closed: the writer re-sealed the cut log.
TEST(LogHostileFilesTest, LogCutAtRecordBoundaryIsNotResealed) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  write_closed_log(path, 6);  // 1-4, cp 5, 6-7, close 8
  std::string text = read_all(path);
  // Cut the close checkpoint and the two attempts before it.
  for (int i = 0; i < 3; ++i) text.erase(text.rfind('\n', text.size() - 2) + 1);
  write_all_text(path, text);
  auto w = open_log(path);
  expect_refused(w, ErrorCode::kRejected, "cut back");
  EXPECT_NE(w.error().message.find(default_witness_path(path)), std::string::npos);
  EXPECT_EQ(read_all(path), text) << "the writer wrote to a log cut behind its back";
}

TEST(LogHostileFilesTest, LogCutBackToAnEarlierCheckpointIsNotResealed) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  write_closed_log(path, 6);
  std::string text = read_all(path);
  // Back to the interval checkpoint at seq 5, a "valid" signed state.
  for (int i = 0; i < 3; ++i) text.erase(text.rfind('\n', text.size() - 2) + 1);
  write_all_text(path, text);
  ASSERT_TRUE(verify_log(path, test_public_key()).ok());  // verify alone cannot tell
  expect_refused(open_log(path), ErrorCode::kRejected, "seq 8");
}

TEST(LogHostileFilesTest, WitnessRecordsEveryDurableCheckpoint) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  write_closed_log(path, 6);
  auto w = read_witness(default_witness_path(path), true);
  ASSERT_TRUE(w.ok()) << w.error().message;
  ASSERT_TRUE(w->has_value());
  auto report = verify_log(path, test_public_key());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ((*w)->seq, report->last_seq);
  EXPECT_EQ((*w)->head_hex, report->head_hex);
  struct stat st{};
  ASSERT_EQ(::stat(default_witness_path(path).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 022, 0u);
  // Reopening a log that holds the witnessed record works, and the
  // witness then follows the new close checkpoint.
  auto again = open_log(path);
  ASSERT_TRUE(again.ok()) << again.error().message;
  ASSERT_TRUE((*again)->append(sample_attempt("more")).ok());
  ASSERT_TRUE((*again)->close().ok());
  auto w2 = read_witness(default_witness_path(path), true);
  ASSERT_TRUE(w2.ok() && w2->has_value());
  EXPECT_EQ((*w2)->seq, report->last_seq + 2);
}

// In `none` mode an interval checkpoint is not durable when append()
// returns; the witness must not name it before an fsync covered it.
TEST(LogHostileFilesTest, NoneModeWitnessWaitsForTheFsync) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  LogOptions o;
  o.durability = Durability::kNone;
  o.checkpoint_every = 2;
  o.close_checkpoint = false;
  o.lease_max_commits = 16;
  o.lease_max_hold = std::chrono::seconds(30);
  auto w = open_log(path, o);
  ASSERT_TRUE(w.ok()) << w.error().message;
  ASSERT_TRUE((*w)->append(sample_attempt("a")).ok());
  ASSERT_TRUE((*w)->append(sample_attempt("b")).ok());  // + interval checkpoint 3, gathered
  EXPECT_FALSE(exists(default_witness_path(path)));
  ASSERT_TRUE((*w)->sync().ok());
  auto wit = read_witness(default_witness_path(path), true);
  ASSERT_TRUE(wit.ok() && wit->has_value());
  EXPECT_EQ((*wit)->seq, 3u);
}

TEST(LogHostileFilesTest, WitnessedRecordInARotatedFileIsFoundAndChecked) {
  TempDir dir;
  const std::string path = dir.file("audit.log");
  ASSERT_EQ(::mkdir(dir.file("state").c_str(), 0700), 0);
  LogOptions o;
  o.rotate_bytes = 1;  // every append rotates: [attempt, rotation checkpoint] per file
  o.close_checkpoint = false;
  o.witness_path = dir.file("state/audit.witness");
  {
    auto w = open_log(path, o);
    ASSERT_TRUE(w.ok()) << w.error().message;
    for (int i = 0; i < 3; ++i) ASSERT_TRUE((*w)->append(sample_attempt("r" + std::to_string(i))).ok());
  }
  EXPECT_FALSE(exists(default_witness_path(path)));  // the configured path is used
  auto w = read_witness(*o.witness_path, true);
  ASSERT_TRUE(w.ok() && w->has_value());
  EXPECT_EQ((*w)->seq, 6u);  // the rotation checkpoint at the end of audit.log.3
  // One more record in the current file: the witnessed one is now in .3.
  o.rotate_bytes = 0;
  {
    auto w2 = open_log(path, o);
    ASSERT_TRUE(w2.ok()) << w2.error().message;
    ASSERT_TRUE((*w2)->append(sample_attempt("after")).ok());
  }
  EXPECT_TRUE(open_log(path, o).ok());
  // Replace audit.log.3 by a copy of audit.log.2's content: the witnessed
  // record is gone, the writer refuses.
  const std::string p3 = rotated_file_path(path, 3);
  write_all_text(p3, read_all(rotated_file_path(path, 2)));
  expect_refused(open_log(path, o), ErrorCode::kRejected, "no longer holds record seq 6");
}

}  // namespace
}  // namespace pqbpf::log

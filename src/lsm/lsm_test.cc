// The LSM module's host-side behaviour: detection, event decoding, the audit
// record, and that starting where the BPF LSM cannot run fails with a reason
// (the kernel side is proven in a VM: tests/vm).
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>

#include "gate_lsm.h"
#include "pqbpf/lsm/availability.h"
#include "pqbpf/lsm/gate_lsm.h"
#include "pqbpf/lsm/kernel_attempt.h"

namespace pqbpf::lsm {
namespace {

TEST(LsmAvailabilityTest, ListHasBpfOnlyAsAWholeName) {
  EXPECT_TRUE(lsm_list_has_bpf("lockdown,capability,landlock,bpf"));
  EXPECT_TRUE(lsm_list_has_bpf("bpf\n"));
  EXPECT_TRUE(lsm_list_has_bpf("bpf,yama"));
  EXPECT_FALSE(lsm_list_has_bpf("lockdown,capability,bpfx"));
  EXPECT_FALSE(lsm_list_has_bpf("xbpf,landlock"));
  EXPECT_FALSE(lsm_list_has_bpf(""));
}

TEST(LsmAvailabilityTest, MissingListSaysWhy) {
  const Availability a = detect("/nonexistent/security/lsm");
  EXPECT_FALSE(a.active);
  EXPECT_NE(a.detail.find("/nonexistent/security/lsm"), std::string::npos) << a.detail;
}

TEST(LsmAvailabilityTest, ListWithoutBpfIsInactiveAndNamesTheBootParameter) {
  char path[] = "/tmp/pqbpf_lsm_list_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  const char text[] = "lockdown,capability,landlock\n";
  ASSERT_EQ(write(fd, text, sizeof(text) - 1), static_cast<ssize_t>(sizeof(text) - 1));
  close(fd);
  const Availability a = detect(path);
  unlink(path);
  EXPECT_FALSE(a.active);
  EXPECT_EQ(a.lsm_list, "lockdown,capability,landlock");
  EXPECT_NE(a.detail.find("lsm=...,bpf"), std::string::npos) << a.detail;
}

gate_event sample_event() {
  gate_event e{};
  e.pid = 4242;
  e.tid = 4243;
  e.uid = 1000;
  e.gid = 100;
  e.cgroup_id = 77;
  e.cmd = BPF_PROG_LOAD;
  e.prog_type = BPF_PROG_TYPE_XDP;
  e.insn_cnt = 12;
  e.verdict = GATE_DENY;
  e.hook = GATE_HOOK_BPF;
  std::memcpy(e.comm, "bpftool", 7);
  std::memset(e.name, 'n', sizeof(e.name));  // no terminator: must stay within 16 bytes
  return e;
}

TEST(LsmEventTest, ShortEventIsRefused) {
  const gate_event e = sample_event();
  KernelAttempt a;
  EXPECT_FALSE(decode_event(&e, sizeof(e) - 1, a));
  EXPECT_FALSE(decode_event(nullptr, sizeof(e), a));
}

TEST(LsmEventTest, DeniedLoadBecomesAKernelAttemptRecord) {
  const gate_event e = sample_event();
  KernelAttempt a;
  ASSERT_TRUE(decode_event(&e, sizeof(e), a));
  EXPECT_EQ(a.command, "bpftool");
  EXPECT_EQ(a.program_name, std::string(16, 'n'));
  EXPECT_EQ(a.verdict, Verdict::kDeny);
  const log::AttemptRecord r = to_record(a);
  EXPECT_EQ(r.action, "kernel_attempt");
  EXPECT_EQ(r.decision, Decision::kDeny);
  EXPECT_EQ(r.reason, ReasonCode::kDirectLoadRefused);
  EXPECT_EQ(r.actor.pid, 4242);
  EXPECT_EQ(r.actor.uid, 1000u);
  EXPECT_EQ(r.actor.command, "bpftool");
  EXPECT_EQ(r.actor.cgroup, "id 77");  // pid 4242 is (almost surely) not ours to read
  EXPECT_EQ(r.insn_count, 12u);
  ASSERT_EQ(r.program_types.size(), 1u);
  EXPECT_EQ(r.program_types[0], "xdp");
  EXPECT_NE(r.reason_text.find("BPF_PROG_LOAD (cmd 5)"), std::string::npos) << r.reason_text;
  EXPECT_NE(r.reason_text.find("verdict deny"), std::string::npos) << r.reason_text;
}

TEST(LsmEventTest, DigestAdmissionCarriesTheTag) {
  gate_event e = sample_event();
  e.verdict = GATE_ALLOW_DIGEST;
  e.hook = GATE_HOOK_PROG;
  const unsigned char tag[8] = {0x8b, 0x87, 0x43, 0x82, 0x88, 0xe1, 0x1e, 0xd4};
  std::memcpy(e.tag, tag, 8);
  KernelAttempt a;
  ASSERT_TRUE(decode_event(&e, sizeof(e), a));
  EXPECT_EQ(a.tag, "8b87438288e11ed4");
  const log::AttemptRecord r = to_record(a);
  EXPECT_EQ(r.decision, Decision::kAllow);
  EXPECT_NE(r.reason_text.find("tag 8b87438288e11ed4"), std::string::npos) << r.reason_text;
}

TEST(LsmEventTest, UnknownVerdictFailsClosedInTheRecord) {
  gate_event e = sample_event();
  e.verdict = 99;
  KernelAttempt a;
  ASSERT_TRUE(decode_event(&e, sizeof(e), a));
  EXPECT_EQ(to_record(a).decision, Decision::kDeny);
}

TEST(LsmEventTest, LostEventsBecomeARecordThatSaysHowMany) {
  const log::AttemptRecord r = loss_record(17);
  EXPECT_EQ(r.action, "kernel_attempt");
  EXPECT_EQ(r.reason, ReasonCode::kLogError);
  EXPECT_NE(r.reason_text.find("17 kernel attempt event(s) lost"), std::string::npos) << r.reason_text;
}

TEST(LsmModeTest, ParsesTheThreeModesOnly) {
  EXPECT_EQ(*parse_mode("enforce"), Mode::kEnforce);
  EXPECT_EQ(*parse_mode("audit"), Mode::kAudit);
  EXPECT_EQ(*parse_mode("off"), Mode::kOff);
  EXPECT_FALSE(parse_mode("Enforce").ok());
  EXPECT_FALSE(parse_mode("").ok());
}

TEST(GateLsmTest, StartWhereTheBpfLsmCannotRunFailsWithAReason) {
  if (detect().active && geteuid() == 0) GTEST_SKIP() << "the BPF LSM is active here; tests/vm covers it";
  LsmOptions o;
  o.mode = Mode::kEnforce;
  auto started = GateLsm::start(o, nullptr, nullptr);
  ASSERT_FALSE(started.ok());
  EXPECT_FALSE(started.error().message.empty());
}

}  // namespace
}  // namespace pqbpf::lsm

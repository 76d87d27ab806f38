// The bpf() command table and the sandbox's rule set (decide_bpf_call).
#include <linux/bpf.h>

#include <gtest/gtest.h>

#include "pqbpf/sandbox/bpf_command.h"
#include "pqbpf/sandbox/verdict.h"

namespace pqbpf::sandbox {
namespace {

TEST(BpfCommand, NamesResolveInEverySpelling) {
  EXPECT_EQ(bpf_command_by_name("map_create"), BPF_MAP_CREATE);
  EXPECT_EQ(bpf_command_by_name("BPF_MAP_CREATE"), BPF_MAP_CREATE);
  EXPECT_EQ(bpf_command_by_name("bpf_btf_load"), BPF_BTF_LOAD);
  EXPECT_EQ(bpf_command_by_name("prog_bind_map"), BPF_PROG_BIND_MAP);
  EXPECT_EQ(bpf_command_by_name("token_create"), 36u);
  EXPECT_FALSE(bpf_command_by_name("map_creat"));
  EXPECT_FALSE(bpf_command_by_name(""));
  EXPECT_EQ(bpf_command_name(BPF_OBJ_GET_INFO_BY_FD), "obj_get_info_by_fd");
  EXPECT_EQ(bpf_command_name(4000), "cmd_4000");
  for (const std::string& name : known_bpf_command_names()) {
    auto cmd = bpf_command_by_name(name);
    ASSERT_TRUE(cmd) << name;
    EXPECT_EQ(bpf_command_name(*cmd), name);
  }
}

TEST(BpfCommand, ProgLoadAndUnknownCommandsCanNeverContinue) {
  EXPECT_TRUE(bpf_command_loads_code(BPF_PROG_LOAD));
  EXPECT_FALSE(bpf_command_may_continue(BPF_PROG_LOAD));
  EXPECT_FALSE(bpf_command_may_continue(37));  // not in the table: might load code
  EXPECT_FALSE(bpf_command_may_continue(0xffffffffu));
  EXPECT_TRUE(bpf_command_may_continue(BPF_MAP_CREATE));
  EXPECT_EQ(why_never_allowed(BPF_MAP_CREATE), "");
}

// A syscall program run with BPF_PROG_TEST_RUN loads whatever its context
// holds (bpf_sys_bpf): allowing the command would admit unsigned code.
TEST(BpfCommand, ProgTestRunCanNeverContinue) {
  EXPECT_FALSE(bpf_command_loads_code(BPF_PROG_TEST_RUN));
  EXPECT_FALSE(bpf_command_may_continue(BPF_PROG_TEST_RUN));
  EXPECT_NE(why_never_allowed(BPF_PROG_TEST_RUN).find("bpf_sys_bpf"), std::string::npos);
}

BpfCall bpf_call(std::uint32_t cmd) {
  BpfCall c;
  c.is_bpf = true;
  c.cmd = cmd;
  return c;
}

TEST(DecideBpfCall, ProgLoadIsRefusedEvenWhenAllowListed) {
  SandboxRules rules;
  rules.allowed_commands = {BPF_PROG_LOAD, BPF_MAP_CREATE};  // a caller bypassing the checks
  const Verdict v = decide_bpf_call(bpf_call(BPF_PROG_LOAD), rules);
  EXPECT_EQ(v.kind, Verdict::Kind::kRefuse);
  EXPECT_EQ(v.error, EPERM);
  EXPECT_EQ(v.reason, ReasonCode::kDirectLoadRefused);
  EXPECT_EQ(v.action, "direct_load");
}

TEST(DecideBpfCall, CommandsAreDeniedUnlessAllowListed) {
  SandboxRules rules;
  Verdict v = decide_bpf_call(bpf_call(BPF_MAP_CREATE), rules);
  EXPECT_EQ(v.kind, Verdict::Kind::kRefuse);
  EXPECT_EQ(v.reason, ReasonCode::kBpfCommandDenied);
  rules.allowed_commands = {BPF_MAP_CREATE};
  v = decide_bpf_call(bpf_call(BPF_MAP_CREATE), rules);
  EXPECT_EQ(v.kind, Verdict::Kind::kContinue);
  EXPECT_EQ(v.decision, Decision::kAllow);
  // Unknown command numbers stay refused even if someone put them in the set.
  rules.allowed_commands = {99};
  EXPECT_EQ(decide_bpf_call(bpf_call(99), rules).kind, Verdict::Kind::kRefuse);
}

TEST(DecideBpfCall, ANonBpfSyscallIsRefused) {
  SandboxRules rules;
  rules.allowed_commands = {BPF_MAP_CREATE};
  BpfCall c = bpf_call(BPF_MAP_CREATE);
  c.is_bpf = false;
  c.syscall_nr = 59;
  EXPECT_EQ(decide_bpf_call(c, rules).kind, Verdict::Kind::kRefuse);
}

}  // namespace
}  // namespace pqbpf::sandbox

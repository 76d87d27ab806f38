// Op 3 (forwarded load) against an in-process daemon without an envelope
// store: refused with no_matching_envelope, recorded with the workload as the
// actor and the supervisor (this process) in the text; malformed bodies get
// error replies and no record. tests/cli/gate_run_test.sh runs the store.
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "daemon_test_util.h"
#include "pqbpf/daemon/protocol.h"

namespace pqbpf::testing {
namespace {

daemon::ForwardedLoad probe_load() {
  daemon::ForwardedLoad f;
  sandbox::BpfCall& c = f.call;
  c.cmd = daemon::kBpfProgLoadCmd;
  c.attr.assign(128, 0);
  c.attr[0] = 1;  // BPF_PROG_TYPE_SOCKET_FILTER
  c.attr[4] = 2;  // insn_cnt
  c.attr_size = 128;
  c.still_valid = true;
  c.caller.tid = 4242;
  c.caller.pid = 4242;
  c.caller.uid = 0;
  c.caller.command = "workload";
  auto& l = c.load.emplace();
  l.prog_type = 1;
  l.insn_cnt = 2;
  l.name = "pqbpf_direct";
  l.insns = {0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0};  // r0 = 0; exit
  return f;
}

class ForwardedLoadDaemonTest : public GateFixture {};

TEST_F(ForwardedLoadDaemonTest, WithoutAStoreEveryForwardedLoadIsRefusedAndRecorded) {
  start();
  daemon::Request r;
  r.op = daemon::Op::kForwardedLoad;
  r.forwarded = probe_load();
  auto client = connect();
  auto reply = client.exchange(daemon::encode_request(r), {});
  ASSERT_TRUE(reply.ok()) << reply.error().message;
  ASSERT_TRUE(reply->ok) << reply->json;
  EXPECT_TRUE(reply->denied());
  EXPECT_EQ(reply->reason, "no_matching_envelope");
  EXPECT_FALSE(reply->kernel_loaded);
  EXPECT_TRUE(reply->fds.empty());
  const auto j = nlohmann::json::parse(reply->json);
  EXPECT_EQ(j["errno"], 1) << "EPERM";

  const auto recs = records();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].action, "transparent_load");
  EXPECT_EQ(recs[0].reason, "no_matching_envelope");
  EXPECT_EQ(recs[0].actor.pid, 4242) << "the actor is the workload";
  EXPECT_EQ(recs[0].actor.command, "workload");
  EXPECT_EQ(recs[0].reason_text.rfind(
                "forwarded by supervisor pid " + std::to_string(::getpid()) + " uid 0", 0),
            0u)
      << recs[0].reason_text;

  auto status = connect().status();
  ASSERT_TRUE(status.ok());
  const auto s = nlohmann::json::parse(*status);
  EXPECT_TRUE(s["envelope_store"]["dir"].is_null());
  EXPECT_EQ(s["counters"]["forwarded"], 1);
}

TEST_F(ForwardedLoadDaemonTest, MalformedForwardedLoadGetsAnErrorAndNoRecord) {
  start();
  daemon::Request r;
  r.op = daemon::Op::kForwardedLoad;
  daemon::ForwardedLoad f = probe_load();
  f.map_fds = {3};  // promises a descriptor that is not sent
  r.forwarded = f;
  auto reply = connect().exchange(daemon::encode_request(r), {});
  ASSERT_TRUE(reply.ok());
  EXPECT_FALSE(reply->ok);
  ASSERT_TRUE(reply->error);
  EXPECT_EQ(reply->error->code, ErrorCode::kInvalidArgument) << reply->error->message;
  EXPECT_TRUE(records().empty());
}

TEST_F(ForwardedLoadDaemonTest, LargeInstructionsTravelAsASealedMemfdAndAreReadOnce) {
  start();
  daemon::ForwardedLoad f = probe_load();
  auto& l = *f.call.load;
  l.insn_cnt = 20000;  // 160,000 bytes: past the inline limit
  l.insns.assign(std::size_t{l.insn_cnt} * 8, 0);
  f.call.attr[4] = static_cast<std::uint8_t>(l.insn_cnt);
  f.call.attr[5] = static_cast<std::uint8_t>(l.insn_cnt >> 8);
  auto sealed = gate::make_sealed_memfd(l.insns, "insns");
  ASSERT_TRUE(sealed.ok());
  f.insns_memfd = true;
  daemon::Request r;
  r.op = daemon::Op::kForwardedLoad;
  r.forwarded = f;
  auto reply = connect().exchange(daemon::encode_request(r), {sealed->get()});
  ASSERT_TRUE(reply.ok());
  ASSERT_TRUE(reply->ok) << reply->json;
  EXPECT_EQ(reply->reason, "no_matching_envelope");
  auto recs = records();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].insn_count, 20000u);

  // The same bytes in a memfd that is not sealed: an error, no record.
  auto unsealed = gate::make_sealed_memfd(l.insns, "insns", /*seal=*/false);
  ASSERT_TRUE(unsealed.ok());
  reply = connect().exchange(daemon::encode_request(r), {unsealed->get()});
  ASSERT_TRUE(reply.ok());
  EXPECT_FALSE(reply->ok) << reply->json;
  EXPECT_EQ(records().size(), 1u);
}

}  // namespace
}  // namespace pqbpf::testing

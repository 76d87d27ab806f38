// The forwarded-load request (op 3): round trips through parse_request, and
// every malformed or contradictory body refused.
#include "pqbpf/daemon/forwarded_load.h"

#include <gtest/gtest.h>

#include "pqbpf/daemon/protocol.h"

namespace pqbpf::daemon {
namespace {

ForwardedLoad sample() {
  ForwardedLoad f;
  sandbox::BpfCall& c = f.call;
  c.arch = 0xc000003e;  // AUDIT_ARCH_X86_64
  c.cmd = kBpfProgLoadCmd;
  c.attr_size = 148;
  c.attr.assign(148, 0);
  c.attr[0] = 1;  // socket filter
  c.still_valid = true;
  c.caller.tid = 101;
  c.caller.pid = 100;
  c.caller.uid = 0;
  c.caller.command = "bpftool";
  c.caller.exe = "/usr/sbin/bpftool";
  c.caller.cgroup = "/user.slice";
  sandbox::ProgLoadRead& l = c.load.emplace();
  l.prog_type = 1;
  l.insn_cnt = 2;
  l.insns_addr = 0x7fff0000;
  l.name = "xdp_count";
  l.insns = {0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0};
  f.map_fds = {4, 7};
  return f;
}

std::vector<std::uint8_t> encode(const ForwardedLoad& f) {
  Request r;
  r.op = Op::kForwardedLoad;
  r.forwarded = f;
  return encode_request(r);
}

TEST(ForwardedLoadTest, EncodedLoadParsesBackWithItsDescriptors) {
  const ForwardedLoad f = sample();
  const auto bytes = encode(f);
  auto parsed = parse_request(bytes, 2);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->op, Op::kForwardedLoad);
  ASSERT_TRUE(parsed->forwarded);
  const ForwardedLoad& g = *parsed->forwarded;
  EXPECT_EQ(g.call.caller.tid, 101);
  EXPECT_EQ(g.call.caller.pid, 100);
  EXPECT_EQ(g.call.caller.uid, 0u);
  EXPECT_EQ(g.call.caller.command, "bpftool");
  EXPECT_EQ(g.call.caller.exe, "/usr/sbin/bpftool");
  EXPECT_EQ(g.call.caller.cgroup, "/user.slice");
  EXPECT_EQ(g.call.attr, f.call.attr);
  EXPECT_TRUE(g.call.still_valid);
  ASSERT_TRUE(g.call.load);
  EXPECT_EQ(g.call.load->insns, f.call.load->insns);
  EXPECT_EQ(g.call.load->name, "xdp_count");
  EXPECT_EQ(g.map_fds, (std::vector<std::int32_t>{4, 7}));
  EXPECT_EQ(encode_request(*parsed), bytes) << "one reading of one message";
}

TEST(ForwardedLoadTest, AbsentFieldsStayAbsent) {
  ForwardedLoad f = sample();
  f.call.caller.pid.reset();
  f.call.caller.exe.reset();
  f.call.load.reset();
  f.call.read_error = "the attribute could not be read";
  f.map_fds.clear();
  auto parsed = parse_request(encode(f), 0);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_FALSE(parsed->forwarded->call.caller.pid);
  EXPECT_FALSE(parsed->forwarded->call.caller.exe);
  EXPECT_FALSE(parsed->forwarded->call.load);
  EXPECT_EQ(parsed->forwarded->call.read_error, "the attribute could not be read");
}

TEST(ForwardedLoadTest, DescriptorCountMustBeTheMapsAndTheMemfd) {
  const auto bytes = encode(sample());
  EXPECT_FALSE(parse_request(bytes, 0).ok());
  EXPECT_FALSE(parse_request(bytes, 1).ok());
  EXPECT_FALSE(parse_request(bytes, 3).ok());
  ForwardedLoad f = sample();
  f.insns_memfd = true;
  const auto memfd = encode(f);
  auto parsed = parse_request(memfd, 3);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_TRUE(parsed->forwarded->insns_memfd);
  EXPECT_TRUE(parsed->forwarded->call.load->insns.empty());
  EXPECT_FALSE(parse_request(memfd, 2).ok());
}

TEST(ForwardedLoadTest, TruncatedAndExtendedBodiesAreRefused) {
  const auto good = encode(sample());
  for (std::size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(parse_request(std::span(good.data(), n), 2).ok()) << "truncated to " << n;
  }
  auto extra = good;
  extra.push_back(0);
  EXPECT_FALSE(parse_request(extra, 2).ok());
}

TEST(ForwardedLoadTest, ContradictoryFieldsAreRefused) {
  auto with = [](auto change) {
    ForwardedLoad f = sample();
    change(f);
    return encode(f);
  };
  // Inline instructions that are not insn_cnt * 8 bytes.
  EXPECT_FALSE(parse_request(with([](ForwardedLoad& f) { f.call.load->insn_cnt = 3; }), 2).ok());
  // Another bpf command.
  EXPECT_FALSE(parse_request(with([](ForwardedLoad& f) { f.call.cmd = 0; }), 2).ok());
  // A workload fd given twice, or negative.
  EXPECT_FALSE(parse_request(with([](ForwardedLoad& f) { f.map_fds = {4, 4}; }), 2).ok());
  EXPECT_FALSE(parse_request(with([](ForwardedLoad& f) { f.map_fds = {-1, 4}; }), 2).ok());
  // A name longer than the kernel's.
  EXPECT_FALSE(
      parse_request(with([](ForwardedLoad& f) { f.call.load->name = std::string(16, 'a'); }), 2)
          .ok());
  // More than 256 attribute bytes.
  EXPECT_FALSE(parse_request(with([](ForwardedLoad& f) { f.call.attr.assign(257, 0); }), 2).ok());
  // No caller thread.
  EXPECT_FALSE(parse_request(with([](ForwardedLoad& f) { f.call.caller.tid = 0; }), 2).ok());
  // Too many map descriptors.
  ForwardedLoad many = sample();
  many.map_fds.clear();
  for (int i = 0; i < 16; ++i) many.map_fds.push_back(i);
  EXPECT_EQ(parse_request(encode(many), 16).error().code, ErrorCode::kLimitExceeded);
}

TEST(ForwardedLoadTest, AbsentFieldWithBytesIsRefused) {
  auto bytes = encode(sample());
  bytes[kRequestHeaderSize + 13] &=
      static_cast<std::uint8_t>(~4);  // command absent, bytes still sent
  EXPECT_FALSE(parse_request(bytes, 2).ok());
  auto still = encode(sample());
  still[kRequestHeaderSize + 12] = 2;  // still_valid is a boolean
  EXPECT_FALSE(parse_request(still, 2).ok());
}

TEST(ForwardedLoadTest, HeaderCarriesOnlyItsFlagAndOneLength) {
  auto flags = encode(sample());
  flags[6] |= kFlagReturnFds;
  EXPECT_FALSE(parse_request(flags, 2).ok());
  Request load;
  load.op = Op::kLoad;
  load.flags = kFlagReturnFds | kFlagInsnsMemfd;
  load.envelope = {'{', '}'};
  EXPECT_FALSE(parse_request(encode_request(load), 0).ok()) << "the memfd flag is for op 3 only";
}

TEST(ForwardedLoadTest, OversizedInlineInstructionsAreRefused) {
  ForwardedLoad f = sample();
  f.call.load->insn_cnt = kMaxInlineInsnBytes / 8 + 1;
  f.call.load->insns.assign(std::size_t{f.call.load->insn_cnt} * 8, 0);
  f.map_fds.clear();
  EXPECT_EQ(parse_request(encode(f), 0).error().code, ErrorCode::kLimitExceeded);
}

}  // namespace
}  // namespace pqbpf::daemon

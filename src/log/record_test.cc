// Record serialisation, strict parsing and RFC 3339 handling.
#include "pqbpf/log/record.h"

#include <gtest/gtest.h>

#include "log_test_util.h"

namespace pqbpf::log {
namespace {

std::string line_for(const AttemptRecord& a, std::uint64_t seq = 1) {
  return assemble_attempt_line(seq, "2026-11-29T12:00:00.000000001Z", "host1",
                               serialize_attempt_body(a), zero_chain_hex());
}

TEST(RecordTest, AttemptLineRoundTripsEveryField) {
  AttemptRecord a = testing::sample_attempt("trace_read", Decision::kDeny);
  a.program_types = {"kprobe", "tracepoint"};
  a.actor.command = "pqc-bpf";
  auto r = parse_record(line_for(a, 5), "t");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->kind, RecordKind::kAttempt);
  EXPECT_EQ(r->seq, 5u);
  EXPECT_EQ(r->host, "host1");
  EXPECT_EQ(r->decision, "deny");
  EXPECT_EQ(r->reason, "untrusted_signer");
  EXPECT_EQ(r->program, "trace_read");
  EXPECT_EQ(r->program_types, (std::vector<std::string>{"kprobe", "tracepoint"}));
  EXPECT_EQ(r->actor, a.actor);
  EXPECT_EQ(r->object_sha3_256, a.object_sha3_256);
  EXPECT_EQ(r->signer, a.signer);
  EXPECT_EQ(r->prev, zero_chain_hex());
  EXPECT_EQ(r->line, line_for(a, 5));
}

TEST(RecordTest, KernelLoadFieldsRoundTripAndAreOmittedWhenUnset) {
  AttemptRecord a = testing::sample_attempt("xdp_pass", Decision::kAllow);
  a.actor.exe = "/usr/sbin/bpftool";
  a.actor.cgroup = "/system.slice/agent.service";
  a.insn_count = 2;
  a.kernel_programs = {{"xdp_pass", 4242, "0123456789abcdef"}};
  auto r = parse_record(line_for(a), "t");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->actor, a.actor);
  EXPECT_EQ(r->insn_count, 2u);
  EXPECT_EQ(r->kernel_programs, a.kernel_programs);

  // Lines written before these fields existed stay byte-identical and parse.
  const AttemptRecord plain = testing::sample_attempt("xdp_pass", Decision::kAllow);
  const std::string old_line = line_for(plain);
  EXPECT_EQ(old_line.find("\"exe\""), std::string::npos);
  EXPECT_EQ(old_line.find("\"insns\""), std::string::npos);
  EXPECT_EQ(old_line.find("\"kernel_programs\""), std::string::npos);
  auto parsed = parse_record(old_line, "t");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_FALSE(parsed->insn_count.has_value());
  EXPECT_TRUE(parsed->kernel_programs.empty());
}

TEST(RecordTest, ReporterRoundTripsAndIsOmittedWhenUnset) {
  AttemptRecord a = testing::sample_attempt("xdp_pass", Decision::kDeny);
  log::Actor supervisor;
  supervisor.uid = 0;
  supervisor.pid = 41;
  supervisor.command = "pqc-bpf";
  supervisor.exe = "/usr/bin/pqc-bpf";
  a.reported_by = supervisor;
  const std::string line = line_for(a);
  EXPECT_NE(line.find(R"("reported_by":{"uid":0,"pid":41,"command":"pqc-bpf","name":null,"exe":"/usr/bin/pqc-bpf"})"),
            std::string::npos)
      << line;
  auto r = parse_record(line, "t");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->reported_by, a.reported_by);
  EXPECT_EQ(r->actor, a.actor);

  const AttemptRecord plain = testing::sample_attempt("xdp_pass", Decision::kDeny);
  EXPECT_EQ(line_for(plain).find("reported_by"), std::string::npos);
  auto parsed = parse_record(line_for(plain), "t");
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->reported_by.has_value());

  // A reporter that is not an actor object is refused like a bad actor.
  std::string bad = line;
  const std::size_t at = bad.find(R"("reported_by":{)") + 14;
  bad.replace(at, bad.find('}', at) + 1 - at, R"("supervisor")");
  auto refused = parse_record(bad, "t");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("must be an object"), std::string::npos) << refused.error().message;
}

TEST(RecordTest, ParseBadKernelProgramTagFails) {
  AttemptRecord a = testing::sample_attempt("xdp_pass", Decision::kAllow);
  a.kernel_programs = {{"xdp_pass", 1, "XYZ"}};
  auto r = parse_record(line_for(a), "t");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("tag"), std::string::npos) << r.error().message;
}

TEST(RecordTest, MalformedAttemptWithNothingKnownIsRecordedWithNulls) {
  AttemptRecord a;
  a.reason = ReasonCode::kMalformedEnvelope;
  auto r = parse_record(line_for(a), "t");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->program.has_value());
  EXPECT_FALSE(r->signer.has_value());
  EXPECT_FALSE(r->actor.uid.has_value());
  EXPECT_EQ(r->reason, "malformed_envelope");
  EXPECT_NE(line_for(a).find("\"signer\":null"), std::string::npos);
}

TEST(RecordTest, HostileStringsAreEscapedAndInvalidUtf8Replaced) {
  AttemptRecord a = testing::sample_attempt("x");
  a.program = std::string("a\"b\\c\nd\x01\xff\xc3\xa9", 11);
  a.reason_text = "line1\nline2";
  const std::string line = line_for(a);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto r = parse_record(line, "t");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r->program, "a\"b\\c\nd\x01\xef\xbf\xbd\xc3\xa9");
}

TEST(RecordTest, OverlongFieldsAreCappedSoRecordStaysBounded) {
  AttemptRecord a = testing::sample_attempt(std::string(100000, '\x01'));
  a.reason_text = std::string(100000, '"');
  a.program_types.assign(1000, std::string(1000, 'k'));
  const std::string line = line_for(a);
  EXPECT_LE(line.size(), kMaxRecordBytes);
  EXPECT_TRUE(parse_record(line, "t").ok());
}

TEST(RecordTest, ParseUnknownKeyFails) {
  std::string line = line_for(testing::sample_attempt("x"));
  line.insert(line.size() - 1, ",\"extra\":1");
  auto r = parse_record(line, "audit.log:3");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("audit.log:3"), std::string::npos);
}

TEST(RecordTest, ParseDuplicateKeyFails) {
  std::string line = line_for(testing::sample_attempt("x"));
  line.insert(line.size() - 1, ",\"seq\":2");
  EXPECT_FALSE(parse_record(line, "t").ok());
}

TEST(RecordTest, ParseBadPrevOrDecisionFails) {
  std::string line = line_for(testing::sample_attempt("x"));
  std::string bad_prev = line;
  bad_prev.replace(bad_prev.find(zero_chain_hex()), 1, "Z");
  EXPECT_FALSE(parse_record(bad_prev, "t").ok());
  std::string bad_decision = line;
  bad_decision.replace(bad_decision.find("\"allow\""), 7, "\"maybe\"");
  EXPECT_FALSE(parse_record(bad_decision, "t").ok());
}

TEST(RecordTest, CheckpointSigningBytesAreSortedCompactJson) {
  CheckpointBody b;
  b.seq = 11;
  b.time = "2026-11-29T12:00:00.000000000Z";
  b.host = "h";
  b.trigger = CheckpointTrigger::kClose;
  b.count = 10;
  b.signer = "did:pqaid:" + std::string(64, 'd');
  b.prev = std::string(64, 'e');
  EXPECT_EQ(checkpoint_signing_bytes(b),
            "{\"count\":10,\"host\":\"h\",\"kind\":\"checkpoint\",\"prev\":\"" +
                std::string(64, 'e') + "\",\"seq\":11,\"signer\":\"did:pqaid:" +
                std::string(64, 'd') +
                "\",\"time\":\"2026-11-29T12:00:00.000000000Z\",\"trigger\":\"close\",\"v\":1}");
  auto r = parse_record(serialize_checkpoint_line(b, "AAAA"), "t");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->kind, RecordKind::kCheckpoint);
  EXPECT_EQ(checkpoint_signing_bytes(r->checkpoint_body()), checkpoint_signing_bytes(b));
}

TEST(RecordTest, TimeFormatsWithNanosecondsAndParsesBack) {
  const std::string t = format_time_utc(1764417600, 123456789);
  EXPECT_EQ(t, "2025-11-29T12:00:00.123456789Z");
  auto ns = parse_rfc3339_ns(t);
  ASSERT_TRUE(ns.ok());
  EXPECT_EQ(*ns, 1764417600LL * 1000000000LL + 123456789);
  EXPECT_EQ(*parse_rfc3339_ns("2025-11-29"), 1764374400LL * 1000000000LL);
  EXPECT_EQ(*parse_rfc3339_ns("2025-11-29T14:00:00+02:00"), 1764417600LL * 1000000000LL);
  EXPECT_FALSE(parse_rfc3339_ns("yesterday").ok());
  EXPECT_FALSE(parse_rfc3339_ns("2025-11-29T12:00:00").ok());
  EXPECT_FALSE(parse_rfc3339_ns("2999-01-01").ok());  // past int64 nanoseconds
  // Issue 11.11: a leap second is refused here as by every time parser (core/timestamp.h).
  EXPECT_FALSE(parse_rfc3339_ns("2026-12-31T23:59:60Z").ok());
}

}  // namespace
}  // namespace pqbpf::log

// Capability rules (issue 17): allowed/denied helpers, classes, kfuncs and
// map types, read from policy files and judged on what the object reader
// found in real objects; the ready-made profiles of examples/policies.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "pqbpf/bpf/object_info.h"
#include "pqbpf/policy/load_policy.h"
#include "pqbpf/policy/policy_file.h"

namespace pqbpf::policy {
namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : fallback;
}

std::string binary_dir() { return env_or("PQBPF_BINARY_DIR", "."); }
std::string capability_object() { return binary_dir() + "/src/bpf/capability_calls.bpf.o"; }
std::string packet_writes_object() { return binary_dir() + "/src/bpf/packet_writes.bpf.o"; }
std::string sample(const std::string& name) { return binary_dir() + "/examples/bpf/" + name + ".bpf.o"; }
std::string profile(const std::string& name) {
  return env_or("PQBPF_SOURCE_DIR", ".") + "/examples/policies/" + name + ".yaml";
}

bpf::ObjectInfo inspect(const std::string& path) {
  auto info = bpf::inspect_object_file(path);
  EXPECT_TRUE(info.ok()) << (info.ok() ? "" : info.error().message);
  return info.ok() ? std::move(info).value() : bpf::ObjectInfo{};
}

// A request whose envelope verified, holding `programs` of an object.
LoadRequest verified(const bpf::ObjectInfo& info, std::vector<bpf::ProgramInfo> programs) {
  LoadRequest r;
  r.envelope_present = r.envelope_well_formed = r.did_bound = r.signature_valid = true;
  r.hash_consistent = r.programs_consistent = true;
  r.signer = Did::parse("did:pqaid:" + std::string(64, '1')).value();
  r.object_sha3_256 = std::string(64, 'a');
  r.object_size = 4096;
  set_object_facts(r, info);
  r.programs = std::move(programs);
  return r;
}

LoadRequest verified(const bpf::ObjectInfo& info) { return verified(info, info.programs); }

LoadPolicy parse(const std::string& yaml) {
  auto p = parse_policy(yaml, "p.yaml");
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
  return p.ok() ? std::move(p).value() : LoadPolicy::deny_all("unparsed");
}

const bpf::ProgramInfo& program_named(const bpf::ObjectInfo& info, const std::string& name) {
  const bpf::ProgramInfo* p = bpf::find_program(info, name);
  EXPECT_NE(p, nullptr) << name;
  static const bpf::ProgramInfo none;
  return p != nullptr ? *p : none;
}

constexpr const char* kAllTypes = "[kprobe, tracepoint, xdp]";

TEST(CapabilityPolicy, DeniedHelperTheObjectUsesDeniesAndWithoutTheLineAllows) {
  const bpf::ObjectInfo info = inspect(capability_object());
  const std::string base = std::string("rules:\n  - program_types: ") + kAllTypes + "\n";
  const PolicyDecision without = parse(base).evaluate(verified(info));
  EXPECT_TRUE(without.allowed()) << without.sentence;

  for (const char* name : {"probe_write_user", "bpf_probe_write_user"}) {
    const PolicyDecision d =
        parse(base + "    denied_helpers: [" + name + "]\n").evaluate(verified(info));
    EXPECT_FALSE(d.allowed());
    EXPECT_EQ(d.reason, ReasonCode::kCapabilityDenied);
    EXPECT_EQ(reason_code_name(d.reason), "capability_denied");
    EXPECT_EQ(d.program, "write_user");
    EXPECT_EQ(d.sentence,
              "program 'write_user' (kprobe) calls helper bpf_probe_write_user (user_memory_write), "
              "which rules[0] denies (denied_helpers)");
  }
}

TEST(CapabilityPolicy, HelperReachedOnlyThroughASubprogramIsJudged) {
  const bpf::ObjectInfo info = inspect(capability_object());
  const LoadPolicy policy = parse(std::string("rules:\n  - program_types: ") + kAllTypes +
                                  "\n    denied_capabilities: [output]\n");
  const PolicyDecision d = policy.evaluate(verified(info));
  EXPECT_EQ(d.reason, ReasonCode::kCapabilityDenied);
  EXPECT_EQ(d.program, "read_kernel");  // bpf_ringbuf_output is in send_word, in .text
  EXPECT_NE(d.sentence.find("calls helper bpf_ringbuf_output (output), whose class rules[0] denies"),
            std::string::npos)
      << d.sentence;
}

TEST(CapabilityPolicy, KfuncsAreDeniedByNameByClassAndByAnEmptyAllowList) {
  const bpf::ObjectInfo info = inspect(capability_object());
  const LoadRequest r = verified(info, {program_named(info, "use_kfunc")});
  const std::string base = "rules:\n  - program_types: [tracepoint]\n";
  EXPECT_TRUE(parse(base).evaluate(r).allowed());
  EXPECT_TRUE(parse(base + "    allowed_kfuncs: [bpf_rcu_read_lock]\n").evaluate(r).allowed());
  for (const char* line : {"    denied_kfuncs: [bpf_rcu_read_lock]\n", "    denied_capabilities: [kfunc]\n",
                           "    allowed_kfuncs: []\n", "    allowed_capabilities: [map_access]\n"}) {
    const PolicyDecision d = parse(base + line).evaluate(r);
    EXPECT_EQ(d.reason, ReasonCode::kCapabilityDenied) << line;
    EXPECT_NE(d.sentence.find("program 'use_kfunc' (tracepoint) calls kfunc bpf_rcu_read_lock (kfunc)"),
              std::string::npos)
        << d.sentence;
  }
}

TEST(CapabilityPolicy, AllowListsAdmitByNameOrByClass) {
  const bpf::ObjectInfo info = inspect(capability_object());
  const LoadRequest r = verified(info, {program_named(info, "rewrite_and_redirect")});
  const std::string base = "rules:\n  - program_types: [xdp]\n";
  EXPECT_TRUE(parse(base + "    allowed_capabilities: [packet_write, redirect]\n").evaluate(r).allowed());
  EXPECT_TRUE(parse(base + "    allowed_helpers: [xdp_adjust_head, redirect_map]\n").evaluate(r).allowed());
  EXPECT_TRUE(parse(base + "    allowed_helpers: [xdp_adjust_head]\n    allowed_capabilities: [redirect]\n")
                  .evaluate(r)
                  .allowed());
  const PolicyDecision d = parse(base + "    allowed_capabilities: [packet_write]\n").evaluate(r);
  EXPECT_EQ(d.reason, ReasonCode::kCapabilityDenied);
  EXPECT_EQ(d.sentence,
            "program 'rewrite_and_redirect' (xdp) calls helper bpf_redirect_map (redirect), which rules[0] "
            "does not allow (allowed_capabilities: packet_write)");
}

TEST(CapabilityPolicy, MapTypesOutsideTheAllowListDeny) {
  const bpf::ObjectInfo info = inspect(capability_object());
  const LoadRequest r = verified(info, {program_named(info, "rewrite_and_redirect")});
  const std::string base = "rules:\n  - program_types: [xdp]\n";
  EXPECT_TRUE(parse(base + "    allowed_map_types: [devmap]\n").evaluate(r).allowed());
  const PolicyDecision d = parse(base + "    allowed_map_types: [hash, array]\n").evaluate(r);
  EXPECT_EQ(d.reason, ReasonCode::kCapabilityDenied);
  EXPECT_EQ(d.sentence,
            "program 'rewrite_and_redirect' (xdp) uses map 'ports' of type devmap, which is not among the "
            "allowed_map_types of rules[0] (hash, array)");
}

bpf::ProgramInfo hand_made(std::vector<std::int32_t> helpers, bool calls_known = true) {
  bpf::ProgramInfo p;
  p.name = "odd";
  p.section = "kprobe/x";
  p.type = BPFProgramType::kKprobe;
  p.insn_count = 4;
  p.reachable_insns = 4;
  p.helper_ids = std::move(helpers);
  p.calls_known = calls_known;
  return p;
}

TEST(CapabilityPolicy, UnknownHelperIdIsDeniedUnlessUnknownIsAllowed) {
  const bpf::ObjectInfo none;
  const LoadRequest r = verified(none, {hand_made({14, 4242})});
  // A rule without any capability key still denies it.
  const PolicyDecision d = parse("rules:\n  - program_types: [kprobe]\n").evaluate(r);
  EXPECT_EQ(d.reason, ReasonCode::kCapabilityDenied);
  EXPECT_NE(d.sentence.find("calls helper unknown#4242 (unknown)"), std::string::npos) << d.sentence;
  EXPECT_TRUE(parse("rules:\n  - program_types: [kprobe]\n    allowed_capabilities: [context_read, unknown]\n")
                  .evaluate(r)
                  .allowed());
}

// What a program's kind lets it do without a helper is judged too: an
// fmod_ret program decides a kernel function's return value, a tracing
// program reads kernel memory through its typed arguments.
TEST(CapabilityPolicy, ClassesAProgramHasByItsKindAreJudged) {
  const bpf::ObjectInfo none;
  bpf::ProgramInfo fmod_ret = hand_made({});
  fmod_ret.section = "fmod_ret/security_bprm_check";
  fmod_ret.type = BPFProgramType::kTracing;
  fmod_ret.expected_attach_type = "modify_return";
  const LoadRequest r = verified(none, {fmod_ret});
  const PolicyDecision d =
      parse("rules:\n  - program_types: [tracing]\n    denied_capabilities: [override_return]\n").evaluate(r);
  EXPECT_EQ(d.reason, ReasonCode::kCapabilityDenied);
  EXPECT_NE(d.sentence.find("decides what the kernel function it hooks returns (override_return)"),
            std::string::npos)
      << d.sentence;
  const PolicyDecision reads =
      parse("rules:\n  - program_types: [tracing]\n    allowed_capabilities: [override_return, context_read]\n")
          .evaluate(r);
  EXPECT_EQ(reads.reason, ReasonCode::kCapabilityDenied);
  EXPECT_NE(reads.sentence.find("(kernel_memory_read), a class rules[0] does not allow"), std::string::npos)
      << reads.sentence;
  EXPECT_TRUE(parse("rules:\n  - program_types: [tracing]\n    allowed_capabilities: [override_return, "
                    "kernel_memory_read]\n")
                  .evaluate(r)
                  .allowed());
  // Helper lists do not judge them: no helper is called.
  EXPECT_TRUE(parse("rules:\n  - program_types: [tracing]\n    allowed_helpers: []\n").evaluate(r).allowed());
  // A kprobe has none: it reads memory only through helpers.
  EXPECT_TRUE(parse("rules:\n  - program_types: [kprobe]\n    allowed_capabilities: []\n")
                  .evaluate(verified(none, {hand_made({})}))
                  .allowed());
}

// An xdp program rewriting the Ethernet header with plain stores calls no
// packet-writing helper; the reader's direct-write finding still puts it in
// packet_write, and a rule denying that class denies it.
TEST(CapabilityPolicy, DenyingPacketWriteDeniesADirectPacketWriter) {
  const bpf::ObjectInfo info = inspect(packet_writes_object());
  const std::string rule = "rules:\n  - program_types: [xdp]\n    denied_capabilities: [packet_write]\n";
  const PolicyDecision d = parse(rule).evaluate(verified(info, {program_named(info, "xdp_swap_mac")}));
  EXPECT_FALSE(d.allowed());
  EXPECT_EQ(d.reason, ReasonCode::kCapabilityDenied);
  EXPECT_EQ(reason_code_name(d.reason), "capability_denied");
  EXPECT_EQ(d.program, "xdp_swap_mac");
  EXPECT_EQ(d.sentence,
            "program 'xdp_swap_mac' (xdp) writes packet bytes through its context's packet pointers "
            "(packet_write), a class rules[0] denies (denied_capabilities)");
  // The program that only reads the packet passes the same rule.
  EXPECT_TRUE(parse(rule).evaluate(verified(info, {program_named(info, "xdp_read_only")})).allowed());
  // An allow-list without packet_write denies the writer too; with it, it admits it.
  const std::string allow = "rules:\n  - program_types: [xdp]\n    allowed_capabilities: ";
  const PolicyDecision a = parse(allow + "[map_access]\n").evaluate(verified(info, {program_named(info, "xdp_swap_mac")}));
  EXPECT_EQ(a.reason, ReasonCode::kCapabilityDenied);
  EXPECT_NE(a.sentence.find("(packet_write), a class rules[0] does not allow"), std::string::npos) << a.sentence;
  EXPECT_TRUE(parse(allow + "[packet_write]\n").evaluate(verified(info, {program_named(info, "xdp_swap_mac")})).allowed());
}

TEST(CapabilityPolicy, UnresolvedCallsOrDeclaredTypeOnlyDenyUnderCapabilityRules) {
  const bpf::ObjectInfo none;
  const LoadRequest unresolved = verified(none, {hand_made({14}, false)});
  EXPECT_TRUE(parse("rules:\n  - program_types: [kprobe]\n").evaluate(unresolved).allowed());
  const PolicyDecision d =
      parse("rules:\n  - program_types: [kprobe]\n    denied_helpers: [send_signal]\n").evaluate(unresolved);
  EXPECT_EQ(d.reason, ReasonCode::kCapabilityDenied);
  EXPECT_NE(d.sentence.find("subprogram calls cannot be resolved"), std::string::npos) << d.sentence;

  LoadRequest uninspectable = verified(none, {});
  uninspectable.declared_type = BPFProgramType::kKprobe;
  const std::string base = "rules:\n  - program_types: [kprobe]\n    allow_uninspectable: true\n";
  EXPECT_TRUE(parse(base).evaluate(uninspectable).allowed());
  const PolicyDecision u = parse(base + "    denied_capabilities: [signal]\n").evaluate(uninspectable);
  EXPECT_EQ(u.reason, ReasonCode::kCapabilityDenied);
  EXPECT_NE(u.sentence.find("only its declared type is known"), std::string::npos) << u.sentence;
}

TEST(CapabilityPolicy, BadNamesInPolicyFilesAreRefusedWithTheirLine) {
  const std::string base = "rules:\n  - program_types: [kprobe]\n";
  struct Case {
    const char* line;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {"    denied_helpers: [probe_read_kernal]\n", "not a kernel helper name"},
           {"    allowed_capabilities: [kernel_memory]\n", "unknown capability class 'kernel_memory'"},
           {"    denied_capabilities: [Signal]\n", "unknown capability class 'Signal'"},
           {"    allowed_kfuncs: [\"btf_id#5\"]\n", "expected a kfunc name"},
           {"    allowed_map_types: [hashmap]\n", "not a map type name"},
           {"    denied_helpers: probe_read\n", "expected a list"},
       }) {
    auto p = parse_policy(base + c.line, "p.yaml");
    ASSERT_FALSE(p.ok()) << c.line;
    EXPECT_NE(p.error().message.find("p.yaml: line 3"), std::string::npos) << p.error().message;
    EXPECT_NE(p.error().message.find(c.message), std::string::npos) << p.error().message;
  }
}

// Every corpus object the reader accepts: a rule covering its programs'
// types allows it, and the same rule with one more line denying a helper
// the object uses denies it, naming that helper.
TEST(CapabilityPolicy, OnTheCorpusDenyingAUsedHelperDeniesAndWithoutItAllows) {
  if (env_or("PQBPF_HAVE_SHARED", "OFF") != "ON") GTEST_SKIP() << "no shared corpus (PQBPF_SHARED_DIR)";
  int judged = 0;
  std::error_code ec;
  const std::string corpus = env_or("PQBPF_SHARED_DIR", "../shared") + "/bpf-corpus";
  for (const auto& e : std::filesystem::recursive_directory_iterator(corpus, ec)) {
    if (!e.is_regular_file() || e.path().extension() == ".tsv") continue;
    auto info = bpf::inspect_object_file(e.path().string());
    if (!info.ok() || info->programs.empty()) continue;  // refused: nothing to judge
    PolicyRule rule;
    std::int32_t used = 0;
    bool judgeable = true;
    for (const auto& p : info->programs) {
      judgeable = judgeable && p.type.has_value() && p.calls_known;
      if (!judgeable) break;
      rule.program_types.push_back(p.refined_type ? *p.refined_type : *p.type);
      for (std::int32_t id : p.helper_ids) {
        judgeable = judgeable && bpf::find_helper(id) != nullptr;  // unknown ids deny anyway
        if (used == 0) used = id;
      }
    }
    if (!judgeable || used == 0) continue;
    const LoadRequest r = verified(*info);
    LoadPolicy plain;
    plain.add_rule(rule);
    const PolicyDecision allowed = plain.evaluate(r);
    EXPECT_TRUE(allowed.allowed()) << e.path() << ": " << allowed.sentence;

    const std::string name(bpf::find_helper(used)->name);
    rule.denied_helpers = {name};
    LoadPolicy strict;
    strict.add_rule(rule);
    const PolicyDecision denied = strict.evaluate(r);
    EXPECT_EQ(denied.reason, ReasonCode::kCapabilityDenied) << e.path() << ": " << denied.sentence;
    EXPECT_NE(denied.sentence.find("calls helper " + name + " ("), std::string::npos) << denied.sentence;
    ++judged;
  }
  std::cout << "corpus: " << judged << " objects judged with and without a denied helper\n";
  EXPECT_GE(judged, 25);  // 31 with the corpus of 2026-12; the others use no helper or have unknown types
}

// Expected verdict of one program under one profile.
struct Verdict {
  const char* object;  // "capability" or a sample name
  const char* program;
  ReasonCode reason;
};

void check_profile(const std::string& name, const std::vector<Verdict>& verdicts) {
  auto policy = load_policy_file(profile(name));
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  for (const Verdict& v : verdicts) {
    const std::string object = std::string(v.object) == "capability" ? capability_object() : sample(v.object);
    const bpf::ObjectInfo info = inspect(object);
    const PolicyDecision d = policy->evaluate(verified(info, {program_named(info, v.program)}));
    EXPECT_EQ(d.reason, v.reason) << name << ": " << v.program << ": " << d.sentence;
  }
}

TEST(CapabilityProfiles, ObserveOnlyAllowsReadersAndDeniesEveryWriteSignalAndOverride) {
  check_profile("observe-only", {
                                    {"capability", "read_kernel", ReasonCode::kAllowed},
                                    {"trace_read", "trace_read_entry", ReasonCode::kAllowed},
                                    {"trace_read", "trace_read_return", ReasonCode::kAllowed},
                                    {"tracepoint_exec", "count_exec", ReasonCode::kAllowed},
                                    {"capability", "write_user", ReasonCode::kCapabilityDenied},
                                    {"capability", "kill_caller", ReasonCode::kCapabilityDenied},
                                    {"capability", "override", ReasonCode::kCapabilityDenied},
                                    {"capability", "use_kfunc", ReasonCode::kCapabilityDenied},
                                    {"capability", "rewrite_and_redirect", ReasonCode::kNoRule},
                                    {"xdp_pass", "xdp_pass_count", ReasonCode::kNoRule},
                                });
}

TEST(CapabilityProfiles, NetworkingAllowsPacketWritesAndRedirectsButNoMemoryReads) {
  check_profile("networking", {
                                  {"capability", "rewrite_and_redirect", ReasonCode::kAllowed},
                                  {"capability", "only_count", ReasonCode::kAllowed},
                                  {"xdp_pass", "xdp_pass_count", ReasonCode::kAllowed},
                                  {"socket_filter", "accept_all", ReasonCode::kAllowed},
                                  {"capability", "read_kernel", ReasonCode::kNoRule},
                                  {"trace_read", "trace_read_entry", ReasonCode::kNoRule},
                              });
}

TEST(CapabilityProfiles, InferenceHostAdmitsOnlyCountersAndPacketMonitors) {
  check_profile("inference-host", {
                                      {"trace_read", "trace_read_entry", ReasonCode::kAllowed},
                                      {"capability", "only_count", ReasonCode::kAllowed},
                                      {"xdp_pass", "xdp_pass_count", ReasonCode::kAllowed},
                                      {"capability", "read_kernel", ReasonCode::kCapabilityDenied},
                                      {"capability", "write_user", ReasonCode::kCapabilityDenied},
                                      {"capability", "kill_caller", ReasonCode::kCapabilityDenied},
                                      {"capability", "override", ReasonCode::kCapabilityDenied},
                                      {"capability", "use_kfunc", ReasonCode::kCapabilityDenied},
                                      {"capability", "rewrite_and_redirect", ReasonCode::kCapabilityDenied},
                                      {"lsm_bpf", "check_bpf", ReasonCode::kNoRule},
                                  });
}

}  // namespace
}  // namespace pqbpf::policy

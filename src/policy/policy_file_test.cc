// Policy files: the documented format loads, and hostile or mistaken files are
// refused with "<file>: line L, column C: <what>".
#include "pqbpf/policy/policy_file.h"

#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

#include "pqbpf/core/identity.h"
#include "pqbpf/core/public_key_file.h"

namespace pqbpf::policy {
namespace {

const std::string kDidA = "did:pqaid:" + std::string(64, 'a');
const std::string kDidB = "did:pqaid:" + std::string(64, 'b');
const std::string kHash = std::string(64, 'c');

Result<LoadPolicy> parse(const std::string& text, const PolicyLoadOptions& options = {}) {
  return parse_policy(text, "policy.yaml", "/etc/pqc-bpf", options);
}

// Parses `text`, expects failure with a positioned message containing `what`.
void expect_refused(const std::string& text, const std::string& what, int line = 0) {
  auto policy = parse(text);
  ASSERT_FALSE(policy.ok()) << text;
  const std::string& message = policy.error().message;
  EXPECT_TRUE(std::regex_search(message, std::regex("^policy\\.yaml: line [0-9]+, column [0-9]+: ")))
      << message;
  EXPECT_NE(message.find(what), std::string::npos) << message;
  if (line > 0) {
    EXPECT_EQ(message.rfind("policy.yaml: line " + std::to_string(line) + ",", 0), 0u) << message;
  }
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

const std::string kFullExample =
    "version: 1\n"
    "default_decision: deny\n"
    "revoked_signers: [" + kDidB + "]\n"
    "revoked_objects:\n"
    "  - " + kHash + "\n"
    "rules:\n"
    "  - name: tracing\n"
    "    program_types: [kprobe, tracepoint]\n"
    "    allowed_signers:\n"
    "      - " + kDidA + "\n"
    "    require_signature: true\n"
    "    max_bytecode_size: 1048576\n"
    "    attach_targets: [\"do_sys_*\", vfs_read]\n"
    "    max_insns: 4096\n"
    "    licenses: [gpl_compatible]\n"
    "  - program_types: [xdp]\n";

TEST(ParsePolicy, FullExampleLoadsEveryField) {
  auto policy = parse(kFullExample);
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy->default_decision(), Decision::kDeny);
  EXPECT_EQ(policy->revoked_signers().size(), 1u);
  EXPECT_EQ(policy->revoked_objects().count(kHash), 1u);
  ASSERT_EQ(policy->rules().size(), 2u);
  const PolicyRule& r = policy->rules()[0];
  EXPECT_EQ(r.name, "tracing");
  ASSERT_EQ(r.program_types.size(), 2u);
  EXPECT_EQ(r.program_types[1], BPFProgramType::kTracepoint);
  ASSERT_EQ(r.allowed_signers.size(), 1u);
  EXPECT_EQ(r.allowed_signers[0].str(), kDidA);
  EXPECT_TRUE(r.require_signature);
  EXPECT_EQ(r.max_bytecode_size, 1048576u);
  EXPECT_EQ(r.attach_targets.size(), 2u);
  EXPECT_EQ(r.max_insns, 4096u);
  EXPECT_EQ(r.licenses[0], "gpl_compatible");
  const PolicyRule& defaults = policy->rules()[1];
  EXPECT_TRUE(defaults.require_signature);
  EXPECT_EQ(defaults.max_bytecode_size, kDefaultMaxBytecodeSize);
  EXPECT_FALSE(defaults.max_insns.has_value());
  EXPECT_TRUE(defaults.allowed_signers.empty());
}

TEST(ParsePolicy, JsonPolicyLoads) {
  auto policy = parse("{\"default_decision\": \"allow\", \"rules\": [{\"program_types\": [\"xdp\"], "
                      "\"require_signature\": false, \"max_insns\": 7}]}");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy->default_decision(), Decision::kAllow);
  EXPECT_FALSE(policy->rules()[0].require_signature);
  EXPECT_EQ(policy->rules()[0].max_insns, 7u);
}

TEST(ParsePolicy, DefaultDecisionIsDenyWhenOmitted) {
  auto policy = parse("rules: []\n");
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->default_decision(), Decision::kDeny);
}

TEST(ParsePolicy, EmptyFileIsRefused) {
  auto policy = parse("");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().message, "policy.yaml: the policy file is empty");
}

TEST(ParsePolicy, InvalidYamlIsRefusedWithPosition) {
  expect_refused("rules:\n  - program_types: [xdp\n", "invalid YAML");
  expect_refused("rules: [\n  {program_types: \"xdp}\n", "invalid YAML");
}

TEST(ParsePolicy, TopLevelMustBeAMapping) {
  expect_refused("- program_types: [xdp]\n", "expected a mapping", 1);
  expect_refused("just text\n", "expected a mapping", 1);
  expect_refused("---\n", "expected a mapping");
}

TEST(ParsePolicy, MissingRulesIsRefused) {
  expect_refused("default_decision: deny\n", "missing required key 'rules'", 1);
}

TEST(ParsePolicy, UnknownTopLevelKeyIsRefusedAtItsPosition) {
  auto policy = parse("rules: []\ndefault: allow\n");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().message.rfind("policy.yaml: line 2, column 1: (top level): unknown key 'default'", 0), 0u)
      << policy.error().message;
}

TEST(ParsePolicy, UnknownRuleKeyNamesTheRule) {
  expect_refused("rules:\n  - program_types: [xdp]\n  - program_types: [xdp]\n    signers: []\n",
                 "rules[1]: unknown key 'signers'", 4);
}

TEST(ParsePolicy, DuplicateKeyIsRefused) {
  expect_refused("rules: []\nrules: []\n", "duplicate key 'rules'", 2);
  expect_refused("rules:\n  - program_types: [xdp]\n    program_types: [kprobe]\n", "duplicate key", 3);
}

TEST(ParsePolicy, BooleansMustBeUnquotedTrueOrFalse) {
  for (const char* value : {"\"true\"", "yes", "on", "1", "True", "[true]", ""}) {
    expect_refused(std::string("rules:\n  - program_types: [xdp]\n    require_signature: ") + value + "\n",
                   "rules[0].require_signature: expected true or false", 3);
  }
}

TEST(ParsePolicy, SizesMustBeNonNegativeIntegers) {
  for (const char* value : {"-1", "1.5", "\"1024\"", "1e6", "0x10", "+5", "2MiB", "~"}) {
    expect_refused(std::string("rules:\n  - program_types: [xdp]\n    max_bytecode_size: ") + value + "\n",
                   "expected a non-negative integer", 3);
  }
  expect_refused("rules:\n  - program_types: [xdp]\n    max_insns: 18446744073709551616\n", "too large", 3);
  auto max = parse("rules:\n  - program_types: [xdp]\n    max_insns: 18446744073709551615\n");
  ASSERT_TRUE(max.ok()) << max.error().message;
  EXPECT_EQ(max->rules()[0].max_insns, UINT64_MAX);
}

TEST(ParsePolicy, ListFieldsRejectScalarsAndMappings) {
  expect_refused("rules:\n  - program_types: xdp\n", "rules[0].program_types: expected a list", 2);
  expect_refused("rules: {a: 1}\n", "rules: expected a list", 1);
  expect_refused("rules:\n  - program_types: [[xdp]]\n", "expected a string, got a list", 2);
}

TEST(ParsePolicy, UnknownProgramTypeIsRefused) {
  expect_refused("rules:\n  - program_types: [xdp, KPROBE]\n", "rules[0].program_types[1]: unknown program type 'KPROBE'", 2);
}

TEST(ParsePolicy, EmptyProgramTypesIsRefused) {
  expect_refused("rules:\n  - program_types: []\n", "at least one program type", 2);
  expect_refused("rules:\n  - name: x\n", "missing required key 'program_types'", 2);
}

TEST(ParsePolicy, InvalidDidIsRefused) {
  expect_refused("rules:\n  - program_types: [xdp]\n    allowed_signers: [did:pqaid:abc]\n", "invalid DID", 3);
  expect_refused("revoked_signers: [\"did:pqaid:" + std::string(64, 'A') + "\"]\nrules: []\n",
                 "revoked_signers[0]: invalid DID", 1);
  expect_refused("rules:\n  - program_types: [xdp]\n    allowed_signers: [did:web:example.com]\n", "invalid DID", 3);
}

TEST(ParsePolicy, InvalidRevokedHashIsRefused) {
  expect_refused("revoked_objects: [" + std::string(64, 'C') + "]\nrules: []\n", "64 lowercase hex", 1);
  expect_refused("revoked_objects: [abc]\nrules: []\n", "64 lowercase hex", 1);
  expect_refused("revoked_objects: [" + std::string(65, 'c') + "]\nrules: []\n", "64 lowercase hex", 1);
}

TEST(ParsePolicy, BadDefaultDecisionOrVersionIsRefused) {
  expect_refused("default_decision: maybe\nrules: []\n", "expected allow or deny", 1);
  expect_refused("version: 2\nrules: []\n", "unsupported policy version", 1);
}

TEST(ParsePolicy, MissingSignerFileIsRefusedWithItsPath) {
  expect_refused("rules:\n  - program_types: [xdp]\n    allowed_signers: [keys/ops.pub]\n",
                 "rules[0].allowed_signers[0]: cannot use signer file: /etc/pqc-bpf/keys/ops.pub", 3);
}

TEST(ParsePolicy, SignerFileIsResolvedRelativeToPolicyDirectory) {
  std::string seen;
  PolicyLoadOptions options;
  options.resolve_public_key_file = [&](const std::string& path) -> Result<Did> {
    seen = path;
    return Did::parse(kDidA);
  };
  auto policy = parse("rules:\n  - program_types: [xdp]\n    allowed_signers: [keys/ops.pub]\n", options);
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(seen, "/etc/pqc-bpf/keys/ops.pub");
  EXPECT_EQ(policy->rules()[0].allowed_signers[0].str(), kDidA);
}

// Issue 11.11: a .pub named by several rules is read once per load, so one
// file swapped between two reads cannot give two rules two different signers.
TEST(ParsePolicy, SignerFileNamedTwiceIsReadOnce) {
  int reads = 0;
  PolicyLoadOptions options;
  options.resolve_public_key_file = [&](const std::string&) -> Result<Did> {
    return Did::parse(++reads == 1 ? kDidA : kDidB);  // a file that changes between reads
  };
  auto policy = parse("rules:\n"
                      "  - program_types: [xdp]\n    allowed_signers: [keys/ops.pub]\n"
                      "  - program_types: [lsm]\n    allowed_signers: [keys/../keys/ops.pub, " + kDidB + "]\n",
                      options);
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(reads, 1);
  EXPECT_EQ(policy->rules()[0].allowed_signers[0].str(), kDidA);
  EXPECT_EQ(policy->rules()[1].allowed_signers[0].str(), kDidA);
}

TEST(ParsePolicy, AllowUninspectableIsOffByDefaultAndABoolean) {
  auto policy = parse("rules:\n  - program_types: [xdp]\n  - program_types: [lsm]\n    allow_uninspectable: true\n");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_FALSE(policy->rules()[0].allow_uninspectable);
  EXPECT_TRUE(policy->rules()[1].allow_uninspectable);
  auto json = parse(R"({"rules": [{"program_types": ["xdp"], "allow_uninspectable": true}]})");
  ASSERT_TRUE(json.ok()) << json.error().message;
  EXPECT_TRUE(json->rules()[0].allow_uninspectable);
  expect_refused("rules:\n  - program_types: [xdp]\n    allow_uninspectable: yes\n",
                 "rules[0].allow_uninspectable: expected true or false", 3);
}

TEST(ParsePolicy, SignerFileResolverErrorIsPositioned) {
  PolicyLoadOptions options;
  options.resolve_public_key_file = [](const std::string& path) -> Result<Did> {
    return make_error(ErrorCode::kNotFound, path + ": no such file");
  };
  auto policy = parse("rules:\n  - program_types: [xdp]\n    allowed_signers: [/k/x.pub]\n", options);
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().message,
            "policy.yaml: line 3, column 23: rules[0].allowed_signers[0]: cannot use signer file: "
            "/k/x.pub: no such file");
}

TEST(ParsePolicy, RuleCountAtLimitLoadsAndPastItIsRefused) {
  std::string text = "rules:\n";
  for (std::size_t i = 0; i < kMaxPolicyRules; ++i) text += "  - program_types: [xdp]\n";
  auto at_limit = parse(text);
  ASSERT_TRUE(at_limit.ok()) << at_limit.error().message;
  EXPECT_EQ(at_limit->rules().size(), kMaxPolicyRules);
  auto past = parse(text + "  - program_types: [xdp]\n");
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().code, ErrorCode::kLimitExceeded);
  EXPECT_NE(past.error().message.find("rules: 1025 entries, more than the limit of 1024"), std::string::npos);
}

TEST(ParsePolicy, ListLengthAtLimitLoadsAndPastItIsRefused) {
  std::string items;
  for (std::size_t i = 0; i < kMaxPolicyListLength; ++i) items += "f" + std::to_string(i) + ",";
  auto at_limit = parse("rules:\n  - program_types: [xdp]\n    attach_targets: [" + items + "]\n");
  ASSERT_TRUE(at_limit.ok()) << at_limit.error().message;
  auto past = parse("rules:\n  - program_types: [xdp]\n    attach_targets: [" + items + "extra]\n");
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().code, ErrorCode::kLimitExceeded);
}

TEST(ParsePolicy, StringLengthAtLimitLoadsAndPastItIsRefused) {
  auto at_limit = parse("rules:\n  - program_types: [xdp]\n    name: " + std::string(kMaxPolicyStringLength, 'n') + "\n");
  ASSERT_TRUE(at_limit.ok()) << at_limit.error().message;
  auto past = parse("rules:\n  - program_types: [xdp]\n    name: " + std::string(kMaxPolicyStringLength + 1, 'n') + "\n");
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().code, ErrorCode::kLimitExceeded);
  EXPECT_EQ(past.error().message.rfind("policy.yaml: line 3, column 11: ", 0), 0u) << past.error().message;
}

TEST(ParsePolicy, NodeCountPastLimitIsRefused) {
  std::string items;
  for (std::size_t i = 0; i < kMaxPolicyNodes; ++i) items += "a,";
  auto policy = parse("revoked_objects: [" + items + "]\nrules: []\n");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().code, ErrorCode::kLimitExceeded);
  EXPECT_NE(policy.error().message.find("more than 100000 YAML nodes"), std::string::npos);
}

TEST(ParsePolicy, DeepNestingIsRefusedWithPosition) {
  auto policy = parse("rules: " + std::string(100000, '[') + "\n");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().message, "policy.yaml: line 1, column 40: nesting deeper than 32 levels");
}

TEST(ParsePolicy, TextPastSizeLimitIsRefused) {
  auto policy = parse("# " + std::string(kMaxPolicyFileSize, 'x') + "\nrules: []\n");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().code, ErrorCode::kLimitExceeded);
}

TEST(ParsePolicy, MutatedExamplesNeverCrashAndFailWithOnePositionedLine) {
  std::mt19937 rng(20261129);
  const std::string alphabet = "[]{}:,-#&*!|>'\"\n \t?%@`0aZ~\\\xff";
  int refused = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = kFullExample;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t pos = rng() % (text.size() + 1);
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0: text.insert(pos, 1, c); break;
        case 1: if (pos < text.size()) text.erase(pos, 1); break;
        default: if (pos < text.size()) text[pos] = c; break;
      }
    }
    auto policy = parse(text);
    if (policy.ok()) continue;
    ++refused;
    const std::string& message = policy.error().message;
    EXPECT_EQ(message.rfind("policy.yaml: ", 0), 0u) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  EXPECT_GT(refused, 0);
}

class PolicyFileOnDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pqbpf_policy_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }
  std::filesystem::path dir_;
};

TEST_F(PolicyFileOnDisk, LoadValidFileSucceeds) {
  auto policy = load_policy_file(write("p.yaml", kFullExample));
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy->rules().size(), 2u);
}

TEST_F(PolicyFileOnDisk, PubFileNextToPolicyGivesItsDid) {
  auto identity = Identity::create("ops");
  ASSERT_TRUE(identity.ok()) << identity.error().message;
  const PublicIdentity pub = identity->public_identity();
  ASSERT_TRUE(save_public_key_file((dir_ / "ops.pub").string(), pub, false).ok());
  auto policy = load_policy_file(
      write("p.yaml", "rules:\n  - program_types: [xdp]\n    allowed_signers: [ops.pub]\n"));
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy->rules()[0].allowed_signers.at(0), pub.did());
}

// Issue 11.11: after the load, decisions use the DID; the .pub file can go.
TEST_F(PolicyFileOnDisk, PubFileIsNotNeededAfterTheLoad) {
  auto identity = Identity::create("ops");
  ASSERT_TRUE(identity.ok()) << identity.error().message;
  const PublicIdentity pub = identity->public_identity();
  ASSERT_TRUE(save_public_key_file((dir_ / "ops.pub").string(), pub, false).ok());
  auto policy = load_policy_file(
      write("p.yaml", "rules:\n  - program_types: [xdp]\n    allowed_signers: [ops.pub]\n"));
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  std::filesystem::remove(dir_ / "ops.pub");
  EXPECT_FALSE(policy->screen_signer(pub.did(), kHash).has_value());
  EXPECT_EQ(policy->rules()[0].allowed_signers.at(0), pub.did());
}

TEST_F(PolicyFileOnDisk, LoadErrorStartsWithThePath) {
  const std::string path = write("p.yaml", "rules: []\nextra: 1\n");
  auto policy = load_policy_file(path);
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().message.rfind(path + ": line 2, column 1: ", 0), 0u) << policy.error().message;
}

TEST_F(PolicyFileOnDisk, LoadHugeFileIsRefusedWithoutParsing) {
  auto policy = load_policy_file(write("big.yaml", std::string(2u << 20, '[')));
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().code, ErrorCode::kLimitExceeded);
}

TEST_F(PolicyFileOnDisk, UnreadablePolicyBecomesDenyAll) {
  Error error;
  const LoadPolicy policy = load_policy_file_or_deny_all((dir_ / "missing.yaml").string(), {}, &error);
  EXPECT_TRUE(policy.is_deny_all());
  EXPECT_EQ(error.code, ErrorCode::kNotFound);
  LoadRequest request;
  request.envelope_present = true;
  EXPECT_EQ(policy.evaluate(request).reason, ReasonCode::kPolicyError);
}

TEST_F(PolicyFileOnDisk, InvalidPolicyBecomesDenyAllCarryingTheError) {
  const LoadPolicy policy = load_policy_file_or_deny_all(write("bad.yaml", "rules: 5\n"));
  ASSERT_TRUE(policy.is_deny_all());
  EXPECT_NE(policy.deny_all_reason().find("line 1, column 8"), std::string::npos) << policy.deny_all_reason();
}

}  // namespace
}  // namespace pqbpf::policy

// Capabilities through the decision path (issue 17), via
// gate::check_load_bytes: format 3 signs what every program calls, the
// verifier holds that list to the bytes, and the policy judges the facts
// read from the verified bytes in every format, never the manifest's copy.
#include <gtest/gtest.h>

#include "attest_test_util.h"
#include "pqbpf/gate/load_check.h"

namespace pqbpf::gate {
namespace {
namespace mldsa = crypto::mldsa;
using namespace pqbpf::testing;

std::vector<std::uint8_t> built_object(const std::string& relative) {
  auto bytes = read_file(std::string(PQBPF_BUILD_DIR) + "/" + relative, kMaxObjectFileSize);
  EXPECT_TRUE(bytes.ok()) << (bytes.ok() ? "" : bytes.error().message);
  return bytes.ok() ? std::move(bytes).value() : std::vector<std::uint8_t>{};
}

std::vector<std::uint8_t> capability_object() { return built_object("src/bpf/capability_calls.bpf.o"); }
std::vector<std::uint8_t> trace_read_object() { return built_object("examples/bpf/trace_read.bpf.o"); }

std::span<const std::uint8_t> as_bytes(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

SignedBPFProgram sign(const std::vector<std::uint8_t>& object, ManifestFormat format,
                      BPFProgramType type = BPFProgramType::kUnspec) {
  auto program = BPFProgram::from_bytes(metadata(type), object, "obj.bpf.o");
  EXPECT_TRUE(program.ok());
  return sign_ok(signer(7), *program, fixed_time_options(format));
}

// Signs `fields` with `key` whatever they say.
std::string sign_raw(ManifestFields fields, const mldsa::KeyPair& key) {
  auto manifest = Manifest::create(fields);
  EXPECT_TRUE(manifest.ok()) << (manifest.ok() ? "" : manifest.error().message);
  const std::string msg = manifest->canonical_bytes();
  auto sig = mldsa::sign(key.private_key, as_bytes(msg), signature_context(), mldsa::SigningMode::kDeterministic);
  EXPECT_TRUE(sig.ok());
  auto envelope = Envelope::create(*manifest, key.public_key, std::move(sig).value(), std::nullopt);
  EXPECT_TRUE(envelope.ok()) << (envelope.ok() ? "" : envelope.error().message);
  return serialize_envelope(*envelope);
}

CheckOutcome check(const std::string& envelope, std::span<const std::uint8_t> object,
                   const policy::LoadPolicy& policy) {
  CheckBytesRequest request{.envelope = as_bytes(envelope), .object = object};
  return check_load_bytes(request, policy, nullptr);
}

policy::LoadPolicy trusting_signer(std::vector<std::string> denied_helpers = {}) {
  policy::PolicyRule rule;
  rule.program_types = {BPFProgramType::kKprobe, BPFProgramType::kTracepoint, BPFProgramType::kXdp};
  rule.allowed_signers = {Did::from_public_key(key_pair(7).public_key)};
  rule.denied_helpers = std::move(denied_helpers);
  policy::LoadPolicy policy;
  policy.add_rule(rule);
  return policy;
}

const ManifestProgram& signed_program(const Manifest& m, const std::string& name) {
  for (const auto& p : m.programs()) {
    if (p.name == name) return p;
  }
  ADD_FAILURE() << "no signed program " << name;
  static const ManifestProgram none;
  return none;
}

TEST(CapabilityGate, FormatThreeSignsCallsAndBothTypes) {
  const auto signed_caps = sign(capability_object(), ManifestFormat::kV3);
  const Manifest& m = signed_caps.envelope.manifest();
  EXPECT_EQ(m.format(), ManifestFormat::kV3);
  const ManifestProgram& reader = signed_program(m, "read_kernel");
  EXPECT_EQ(reader.helpers, (std::vector<std::string>{"bpf_get_current_pid_tgid", "bpf_probe_read_kernel",
                                                      "bpf_ringbuf_output"}));
  EXPECT_EQ(reader.maps, (std::vector<std::string>{"events", "object.rodata"}));
  EXPECT_TRUE(reader.calls_known);
  EXPECT_EQ(signed_program(m, "use_kfunc").kfuncs, std::vector<std::string>{"bpf_rcu_read_lock"});
  // The internal map's name does not depend on the file name.
  bool has_rodata = false;
  for (const auto& map : m.maps()) has_rodata = has_rodata || map.name == "object.rodata";
  EXPECT_TRUE(has_rodata);

  // The refined type is signed next to the kernel type.
  const auto signed_trace = sign(trace_read_object(), ManifestFormat::kV3);
  const ManifestProgram& ret = signed_program(signed_trace.envelope.manifest(), "trace_read_return");
  EXPECT_EQ(ret.type, "kretprobe");
  EXPECT_EQ(ret.kernel_type, "kprobe");
  const std::string canonical = signed_trace.envelope.manifest().canonical_bytes();
  EXPECT_NE(canonical.find("\"kernel_type\":\"kprobe\""), std::string::npos);
  EXPECT_NE(canonical.find("\"type\":\"kretprobe\""), std::string::npos);
  // Format 2 signs neither calls nor kernel types.
  const auto v2 = sign(trace_read_object(), ManifestFormat::kV2);
  EXPECT_EQ(v2.envelope.manifest().canonical_bytes().find("helpers"), std::string::npos);
}

// The signer itself lists fewer helpers than the code calls: the
// signature is good, the list is not the object's.
TEST(CapabilityGate, SignedHelperListThatHidesAHelperIsProgramMismatch) {
  const auto object = capability_object();
  const auto honest = sign(object, ManifestFormat::kV3);
  ManifestFields fields = honest.envelope.manifest().fields();
  for (auto& p : fields.programs) {
    if (p.name == "write_user") p.helpers.clear();  // hide bpf_probe_write_user
  }
  const CheckOutcome outcome = check(sign_raw(fields, key_pair(7)), object, trusting_signer());
  EXPECT_EQ(outcome.decision, Decision::kDeny);
  EXPECT_EQ(reason_code_name(outcome.reason), "program_mismatch") << outcome.sentence;
  EXPECT_NE(outcome.sentence.find("signed helpers [], object calls ['bpf_probe_write_user']"), std::string::npos)
      << outcome.sentence;
  // The honest envelope is allowed by the same policy.
  const CheckOutcome good = check(serialize_envelope(honest.envelope), object, trusting_signer());
  EXPECT_EQ(good.decision, Decision::kAllow) << good.sentence;
}

// Older formats carry no call list: the facts come from the verified bytes.
TEST(CapabilityGate, EveryFormatIsJudgedOnTheHelpersInTheBytes) {
  struct Case {
    std::vector<std::uint8_t> object;
    ManifestFormat format;
    BPFProgramType type;
    std::string helper;
  };
  const std::vector<Case> cases = {
      {capability_object(), ManifestFormat::kV3, BPFProgramType::kUnspec, "bpf_probe_write_user"},
      {capability_object(), ManifestFormat::kV2, BPFProgramType::kUnspec, "bpf_probe_write_user"},
      {trace_read_object(), ManifestFormat::kV1, BPFProgramType::kKprobe, "bpf_get_current_pid_tgid"},
  };
  for (const Case& c : cases) {
    const std::string envelope = serialize_envelope(sign(c.object, c.format, c.type).envelope);
    const CheckOutcome allowed = check(envelope, c.object, trusting_signer());
    EXPECT_EQ(allowed.decision, Decision::kAllow) << allowed.sentence;
    const CheckOutcome denied = check(envelope, c.object, trusting_signer({c.helper}));
    EXPECT_EQ(denied.decision, Decision::kDeny);
    EXPECT_EQ(reason_code_name(denied.reason), "capability_denied") << denied.sentence;
    EXPECT_NE(denied.sentence.find("calls helper " + c.helper), std::string::npos) << denied.sentence;
  }
}

}  // namespace
}  // namespace pqbpf::gate

// verify_envelope_files: many envelopes across threads, results in input
// order and equal to verifying each file alone.
#include "pqbpf/attest/batch_verify.h"

#include "attest_test_util.h"

namespace pqbpf {
namespace {

using namespace pqbpf::testing;

TEST(BatchVerify, ResultsComeBackInInputOrderAndMatchSingleVerification) {
  ScratchDir dir;
  const auto object = object_bytes("attest_kprobe");
  const std::string envelope = sign_ok(signer(1), program("attest_kprobe"), fixed_time_options()).to_json();
  std::vector<std::string> paths;
  for (int i = 0; i < 24; ++i) {
    const std::string base = dir.file("p" + std::to_string(i) + ".bpf.o");
    auto bytes = object;
    if (i % 5 == 3) bytes[bytes.size() / 2] ^= 1;  // tampered: hash_mismatch
    write_bytes(base, bytes);
    if (i % 7 == 6) {
      write_text(base + ".sig.json", "{broken");  // malformed_envelope
    } else {
      write_text(base + ".sig.json", envelope);
    }
    paths.push_back(base + ".sig.json");
  }
  paths.push_back(dir.file("missing.bpf.o.sig.json"));

  const auto results = verify_envelope_files(paths, 4);
  ASSERT_EQ(results.size(), paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const VerificationResult alone = verify_envelope_file(paths[i]);
    EXPECT_EQ(results[i].valid, alone.valid) << paths[i];
    EXPECT_EQ(results[i].reason, alone.reason) << paths[i];
    EXPECT_EQ(results[i].envelope_sha3_256, alone.envelope_sha3_256) << paths[i];
    EXPECT_EQ(results[i].error, alone.error) << paths[i];
  }
  EXPECT_TRUE(results[0].valid);
  EXPECT_EQ(results[3].reason, ReasonCode::kHashMismatch);
  EXPECT_EQ(results[6].reason, ReasonCode::kMalformedEnvelope);
  EXPECT_TRUE(results.back().input_error);

  // One thread, or more threads than paths, gives the same answers.
  const auto serial = verify_envelope_files(paths, 1);
  const auto wide = verify_envelope_files(paths, 64);
  for (std::size_t i = 0; i < paths.size(); ++i) {
    EXPECT_EQ(serial[i].reason, results[i].reason);
    EXPECT_EQ(wide[i].reason, results[i].reason);
  }
  EXPECT_TRUE(verify_envelope_files({}, 0).empty());
}

}  // namespace
}  // namespace pqbpf

// FIPS 204 conformance that needs nothing outside the source tree: the NIST
// ACVP cases embedded in testdata/mldsa_acvp_embedded.txt (one keyGen, one
// deterministic sigGen, and a passing and a failing sigVer per parameter
// set; the file names each case's source file and tcId). The full vector
// sets in ../shared are run by mldsa_acvp_test when present; this test always
// runs, so a plain `ctest` cannot pass with a broken ML-DSA.
#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "pqbpf/crypto/mldsa.h"
#include "pqbpf/crypto/sha3.h"

#ifndef PQBPF_ACVP_EMBEDDED_FILE
#error "PQBPF_ACVP_EMBEDDED_FILE must name testdata/mldsa_acvp_embedded.txt"
#endif

namespace pqbpf::crypto::mldsa {
namespace {

// One `[kind]` block; every attribute must be read (take) before it ends.
struct Block {
  std::string kind;
  std::map<std::string, std::string> attributes;
  std::set<std::string> taken;

  std::string take(const std::string& name) {
    auto it = attributes.find(name);
    EXPECT_NE(it, attributes.end()) << kind << " block has no " << name;
    if (it == attributes.end()) return {};
    taken.insert(name);
    return it->second;
  }
  std::vector<std::uint8_t> bytes(const std::string& name) {
    auto b = from_hex(take(name));
    EXPECT_TRUE(b.ok()) << name << " is not hex";
    return b.ok() ? *b : std::vector<std::uint8_t>{};
  }
  std::string label() const {
    auto set = attributes.find("parameterSet");
    auto tc = attributes.find("tcId");
    return kind + " " + (set == attributes.end() ? "?" : set->second) + " tcId " +
           (tc == attributes.end() ? "?" : tc->second);
  }
  void expect_all_taken() const {
    for (const auto& [name, value] : attributes) {
      EXPECT_TRUE(taken.count(name)) << label() << ": attribute " << name << " was not used";
    }
  }
};

std::vector<Block> read_blocks() {
  std::ifstream in(PQBPF_ACVP_EMBEDDED_FILE);
  EXPECT_TRUE(in.good()) << "cannot open " << PQBPF_ACVP_EMBEDDED_FILE;
  std::vector<Block> blocks;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.front() == '[' && line.back() == ']') {
      blocks.push_back(Block{line.substr(1, line.size() - 2), {}, {}});
      continue;
    }
    const auto eq = line.find(" = ");
    EXPECT_TRUE(eq != std::string::npos && !blocks.empty()) << "bad line: " << line.substr(0, 60);
    if (eq == std::string::npos || blocks.empty()) continue;
    EXPECT_TRUE(blocks.back().attributes.emplace(line.substr(0, eq), line.substr(eq + 3)).second)
        << "attribute given twice: " << line.substr(0, eq);
  }
  return blocks;
}

std::string digest_hex(std::span<const std::uint8_t> bytes) { return to_hex(sha3_256(bytes)); }

ParameterSet set_of(Block& b) {
  auto set = parameter_set_from_name(b.take("parameterSet"));
  EXPECT_TRUE(set.ok()) << b.label();
  return set.ok() ? *set : ParameterSet::kMlDsa65;
}

// FIPS 204 Algorithm 6 (ML-DSA.KeyGen_internal).
void check_key_gen(Block& b) {
  const ParameterSet set = set_of(b);
  b.take("tcId");
  auto kp = key_pair_from_seed(set, b.bytes("seed"));
  ASSERT_TRUE(kp.ok()) << b.label();
  EXPECT_EQ(digest_hex(kp->public_key.bytes()), b.take("pk_sha3_256")) << b.label();
  EXPECT_EQ(digest_hex(kp->private_key.expose_secret_encoding()), b.take("sk_sha3_256")) << b.label();
}

// FIPS 204 Algorithm 7 (ML-DSA.Sign_internal), deterministic: rnd = 0^32.
void check_sig_gen(Block& b) {
  const ParameterSet set = set_of(b);
  b.take("tcId");
  auto key = PrivateKey::parse(set, b.bytes("sk"));
  ASSERT_TRUE(key.ok()) << b.label();
  const std::array<std::uint8_t, kRandomnessSize> rnd{};
  const auto sig = sign_internal(*key, b.bytes("message"), rnd);
  EXPECT_EQ(sig.size(), sizes(set).signature) << b.label();
  EXPECT_EQ(digest_hex(sig), b.take("signature_sha3_256")) << b.label();
}

// FIPS 204 Algorithm 8 (ML-DSA.Verify_internal).
void check_sig_ver(Block& b) {
  const ParameterSet set = set_of(b);
  b.take("tcId");
  auto key = PublicKey::parse(set, b.bytes("pk"));
  ASSERT_TRUE(key.ok()) << b.label();
  const std::string passed = b.take("testPassed");
  ASSERT_TRUE(passed == "true" || passed == "false") << b.label();
  const bool got = verify_internal(*key, b.bytes("message"), b.bytes("signature")).ok();
  EXPECT_EQ(got, passed == "true") << b.label();
}

TEST(MlDsaAcvpEmbedded, EveryEmbeddedCaseMatches) {
  auto blocks = read_blocks();
  // What the file must cover: per parameter set one keyGen, one sigGen,
  // one passing and one failing sigVer.
  std::map<std::string, int> coverage;
  for (auto& b : blocks) {
    SCOPED_TRACE(b.label());
    const std::string set = b.attributes.count("parameterSet") ? b.attributes["parameterSet"] : "?";
    if (b.kind == "keyGen") {
      check_key_gen(b);
    } else if (b.kind == "sigGen") {
      check_sig_gen(b);
    } else if (b.kind == "sigVer") {
      check_sig_ver(b);
    } else {
      ADD_FAILURE() << "unknown block [" << b.kind << "]";
      continue;
    }
    std::string what = b.kind;
    if (b.kind == "sigVer") what += b.attributes["testPassed"] == "true" ? "-pass" : "-fail";
    ++coverage[set + " " + what];
    b.expect_all_taken();
  }
  for (const char* set : {"ML-DSA-44", "ML-DSA-65", "ML-DSA-87"}) {
    for (const char* what : {"keyGen", "sigGen", "sigVer-pass", "sigVer-fail"}) {
      EXPECT_GE(coverage[std::string(set) + " " + what], 1) << set << " has no " << what << " case";
    }
  }
}

}  // namespace
}  // namespace pqbpf::crypto::mldsa

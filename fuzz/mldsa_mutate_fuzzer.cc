// Fuzz target (structure-aware): mutations of a VALID ML-DSA signature.
//
// At start-up one key pair per parameter set is derived from a fixed seed
// and a fixed message is signed deterministically with a fixed context. The
// fuzz input is not a signature but an edit script applied to that valid
// (signature, message, context) triple, so every input starts one edit away
// from an accepting verify, where the interesting checks live (the hint
// encoding, the z bound, c~ recomputation):
//   [set] then 4-byte edits [what][pos_hi][pos_lo][value]
//   what % 8: 0-3 xor sig[pos] ^= value; 4 xor msg; 5 xor ctx;
//             6 truncate sig to pos; 7 append `value` to msg
// Invariant: verify accepts exactly when the triple is unchanged (ML-DSA is
// strongly unforgeable: no other encoding of a signature verifies).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "pqbpf/crypto/mldsa.h"

namespace mldsa = pqbpf::crypto::mldsa;

namespace {

struct Fixture {
  mldsa::PublicKey public_key;
  std::vector<std::uint8_t> message;
  std::vector<std::uint8_t> context;
  std::vector<std::uint8_t> signature;
};

Fixture make_fixture(mldsa::ParameterSet set) {
  std::array<std::uint8_t, mldsa::kSeedSize> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(0x5a ^ i);
  auto pair = mldsa::generate_key_pair(set, std::span<const std::uint8_t, mldsa::kSeedSize>(seed));
  const std::string_view msg = "pqc-bpf fuzz: a manifest stands here";
  const std::string_view ctx = "pqc-bpf/v1";
  std::vector<std::uint8_t> m(msg.begin(), msg.end());
  std::vector<std::uint8_t> c(ctx.begin(), ctx.end());
  auto sig = mldsa::sign(pair.private_key, m, c, mldsa::SigningMode::kDeterministic);
  FUZZ_CHECK(sig.ok(), "fixture signs");
  FUZZ_CHECK(mldsa::verify(pair.public_key, m, c, *sig).ok(), "fixture verifies");
  return Fixture{pair.public_key, std::move(m), std::move(c), std::move(*sig)};
}

const Fixture& fixture(mldsa::ParameterSet set) {
  static const std::array<Fixture, 3> fixtures = {make_fixture(mldsa::ParameterSet::kMlDsa44),
                                                  make_fixture(mldsa::ParameterSet::kMlDsa65),
                                                  make_fixture(mldsa::ParameterSet::kMlDsa87)};
  return fixtures[static_cast<std::size_t>(set)];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const auto set = static_cast<mldsa::ParameterSet>(data[0] % 3);
  const Fixture& f = fixture(set);
  std::vector<std::uint8_t> sig = f.signature;
  std::vector<std::uint8_t> msg = f.message;
  std::vector<std::uint8_t> ctx = f.context;

  for (std::size_t i = 1; i + 4 <= size; i += 4) {
    const std::uint8_t what = data[i] % 8;
    const std::size_t pos = (std::size_t{data[i + 1]} << 8) | data[i + 2];
    const std::uint8_t value = data[i + 3];
    switch (what) {
      case 0: case 1: case 2: case 3:
        if (!sig.empty()) sig[pos % sig.size()] ^= value;
        break;
      case 4:
        if (!msg.empty()) msg[pos % msg.size()] ^= value;
        break;
      case 5:
        if (!ctx.empty()) ctx[pos % ctx.size()] ^= value;
        break;
      case 6:
        if (pos < sig.size()) sig.resize(pos);
        break;
      case 7:
        msg.push_back(value);
        break;
    }
  }
  const bool unchanged = sig == f.signature && msg == f.message && ctx == f.context;
  const bool ok = mldsa::verify(f.public_key, msg, ctx, sig).ok();
  FUZZ_CHECK(ok == unchanged, unchanged ? "the original signature must verify"
                                        : "a modified signature/message/context must not verify");
  return 0;
}

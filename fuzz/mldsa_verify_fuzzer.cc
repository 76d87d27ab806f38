// Fuzz target: ML-DSA verify on arbitrary public keys, signatures, messages
// and contexts, for all three parameter sets.
//
// Input layout: [set][flags][ctx_len][len_delta] ctx pk sig msg... where
// flags bit 0 makes the signature length nominal + (len_delta - 128) and
// bit 1 the public key length, so wrong lengths are exercised too.
// Invariants: the three ways to verify (verify, compute_mu + verify_mu,
// verify_internal on M' = 0 || |ctx| || ctx || M) agree, and nothing of the
// wrong length or with a context past 255 bytes is ever accepted.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "fuzz_check.h"
#include "pqbpf/crypto/mldsa.h"

namespace mldsa = pqbpf::crypto::mldsa;

namespace {
// Takes up to n bytes from the front of `in` (fewer when it runs out).
std::span<const std::uint8_t> take(std::span<const std::uint8_t>& in, std::size_t n) {
  n = n < in.size() ? n : in.size();
  auto out = in.first(n);
  in = in.subspan(n);
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const mldsa::ParameterSet set = static_cast<mldsa::ParameterSet>(data[0] % 3);
  const std::uint8_t flags = data[1];
  // ctx_len 0..255 plus, with flags bit 2, 256..511: an over-long context.
  const std::size_t ctx_len = data[2] + ((flags & 4) ? 256 : 0);
  const int delta = static_cast<int>(data[3]) - 128;
  std::span<const std::uint8_t> in(data + 4, size - 4);

  const mldsa::Sizes nominal = mldsa::sizes(set);
  std::size_t sig_len = nominal.signature;
  std::size_t pk_len = nominal.public_key;
  if (flags & 1) sig_len = static_cast<std::size_t>(static_cast<long>(sig_len) + delta);
  if (flags & 2) pk_len = static_cast<std::size_t>(static_cast<long>(pk_len) + delta);

  const auto ctx = take(in, ctx_len);
  const auto pk_bytes = take(in, pk_len);
  const auto sig = take(in, sig_len);
  const auto msg = in;

  auto key = mldsa::PublicKey::parse(set, pk_bytes);
  if (!key.ok()) {
    FUZZ_CHECK(pk_bytes.size() != nominal.public_key, "only wrong-length keys are refused");
    return 0;
  }
  const bool ok = mldsa::verify(*key, msg, ctx, sig).ok();
  if (ok) {
    FUZZ_CHECK(sig.size() == nominal.signature, "accepted signatures have the nominal length");
    FUZZ_CHECK(ctx.size() <= mldsa::kMaxContextSize, "accepted contexts are <= 255 bytes");
  }
  auto mu = mldsa::compute_mu(*key, msg, ctx);
  if (ctx.size() > mldsa::kMaxContextSize) {
    FUZZ_CHECK(!mu.ok(), "compute_mu refuses an over-long context");
    return 0;
  }
  FUZZ_CHECK(mu.ok(), "compute_mu accepts a context <= 255 bytes");
  FUZZ_CHECK(mldsa::verify_mu(*key, *mu, sig).ok() == ok, "verify and verify_mu agree");
  std::vector<std::uint8_t> formatted;
  formatted.push_back(0);
  formatted.push_back(static_cast<std::uint8_t>(ctx.size()));
  formatted.insert(formatted.end(), ctx.begin(), ctx.end());
  formatted.insert(formatted.end(), msg.begin(), msg.end());
  FUZZ_CHECK(mldsa::verify_internal(*key, formatted, sig).ok() == ok,
             "verify and verify_internal agree");
  return 0;
}

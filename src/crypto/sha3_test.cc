// SHA3-256, SHA3-512, SHAKE128 and SHAKE256 checked against OpenSSL 3.0's EVP
// implementation (an independent FIPS 202 implementation) on random inputs of
// every length 0..1000 and around every rate boundary, plus the sponge's
// contract: incremental absorb equals one-shot, squeeze in any chunk sizes
// equals one long squeeze, absorb after squeeze is refused. A few published
// FIPS 202 digests anchor both implementations. The PRNG seed is fixed so a
// failure reproduces; it is printed in every failure message.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "pqbpf/crypto/sha3.h"

namespace pqbpf::crypto {
namespace {

constexpr std::uint32_t kSeed = 0x5a3c0ffe;

using Bytes = std::vector<std::uint8_t>;

Bytes random_bytes_of(std::mt19937_64& rng, std::size_t n) {
  Bytes out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

// OpenSSL reference: md is EVP_sha3_256(), EVP_shake128(), ...; out_len is the
// digest size for SHA3 and any length for SHAKE (EVP_DigestFinalXOF).
Bytes openssl_digest(const EVP_MD* md, std::span<const std::uint8_t> in, std::size_t out_len) {
  Bytes out(out_len);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EXPECT_NE(ctx, nullptr);
  EXPECT_EQ(EVP_DigestInit_ex(ctx, md, nullptr), 1);
  EXPECT_EQ(EVP_DigestUpdate(ctx, in.data(), in.size()), 1);
  if (EVP_MD_flags(md) & EVP_MD_FLAG_XOF) {
    EXPECT_EQ(EVP_DigestFinalXOF(ctx, out.data(), out.size()), 1);
  } else {
    unsigned int len = 0;
    EXPECT_EQ(EVP_DigestFinal_ex(ctx, out.data(), &len), 1);
    EXPECT_EQ(len, out_len);
  }
  EVP_MD_CTX_free(ctx);
  return out;
}

Bytes ours_sha3_256(std::span<const std::uint8_t> in) {
  const auto d = sha3_256(in);
  return Bytes(d.begin(), d.end());
}
Bytes ours_sha3_512(std::span<const std::uint8_t> in) {
  const auto d = sha3_512(in);
  return Bytes(d.begin(), d.end());
}

// Squeezes `total` bytes from `shake` in random chunk sizes (0 included).
Bytes squeeze_in_chunks(Shake& shake, std::size_t total, std::mt19937_64& rng,
                        std::size_t max_chunk) {
  Bytes out(total);
  std::size_t done = 0;
  while (done < total) {
    std::size_t n = std::min<std::size_t>(rng() % (max_chunk + 1), total - done);
    shake.squeeze(std::span(out).subspan(done, n));
    done += n;
  }
  return out;
}

// Input lengths: every length 0..1000, plus k*rate-1, k*rate, k*rate+1 for the
// four FIPS 202 rates (72, 104, 136, 168) and k up to 12.
std::vector<std::size_t> interesting_lengths() {
  std::vector<std::size_t> lengths;
  for (std::size_t n = 0; n <= 1000; ++n) lengths.push_back(n);
  for (std::size_t rate : {72u, 104u, 136u, 168u}) {
    for (std::size_t k = 1; k <= 12; ++k) {
      for (std::size_t n : {k * rate - 1, k * rate, k * rate + 1}) {
        if (n > 1000) lengths.push_back(n);
      }
    }
  }
  return lengths;
}

std::string where(std::size_t len) {
  return "input length " + std::to_string(len) + ", PRNG seed " + std::to_string(kSeed);
}

TEST(Sha3Test, Sha3_256OfPublishedInputsMatchesFips202Digests) {
  EXPECT_EQ(to_hex(sha3_256(std::string_view(""))),
            "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
  EXPECT_EQ(to_hex(sha3_256(std::string_view("abc"))),
            "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
}

TEST(Sha3Test, Sha3_512AndShakeOfPublishedInputsMatchFips202Digests) {
  const std::uint8_t abc[] = {'a', 'b', 'c'};
  EXPECT_EQ(to_hex(sha3_512(abc)),
            "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e"
            "10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0");
  std::uint8_t out[32];
  shake128({}, out);
  EXPECT_EQ(to_hex(out), "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26");
  shake256({}, out);
  EXPECT_EQ(to_hex(out), "46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762f");
}

TEST(Sha3Test, Sha3_256OfRandomInputsOfEveryLengthMatchesOpenSsl) {
  std::mt19937_64 rng(kSeed);
  for (std::size_t len : interesting_lengths()) {
    const Bytes in = random_bytes_of(rng, len);
    ASSERT_EQ(ours_sha3_256(in), openssl_digest(EVP_sha3_256(), in, 32)) << where(len);
  }
}

TEST(Sha3Test, Sha3_512OfRandomInputsOfEveryLengthMatchesOpenSsl) {
  std::mt19937_64 rng(kSeed + 1);
  for (std::size_t len : interesting_lengths()) {
    const Bytes in = random_bytes_of(rng, len);
    ASSERT_EQ(ours_sha3_512(in), openssl_digest(EVP_sha3_512(), in, 64)) << where(len);
  }
}

// For SHAKE the output side matters as much as the input: each input is
// squeezed to a random length up to four rates, in random chunk sizes.
void check_shake_against_openssl(bool is128, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  const EVP_MD* md = is128 ? EVP_shake128() : EVP_shake256();
  const std::size_t rate = is128 ? 168 : 136;
  for (std::size_t len : interesting_lengths()) {
    const Bytes in = random_bytes_of(rng, len);
    const std::size_t out_len = 1 + rng() % (4 * rate + 2);
    Shake shake = is128 ? Shake::shake128() : Shake::shake256();
    ASSERT_TRUE(shake.absorb(in).ok());
    const Bytes ours = squeeze_in_chunks(shake, out_len, rng, rate + 9);
    ASSERT_EQ(ours, openssl_digest(md, in, out_len))
        << where(len) << ", output length " << out_len;
  }
}

TEST(Sha3Test, Shake128SqueezedInRandomChunksMatchesOpenSsl) {
  check_shake_against_openssl(true, kSeed + 2);
}

TEST(Sha3Test, Shake256SqueezedInRandomChunksMatchesOpenSsl) {
  check_shake_against_openssl(false, kSeed + 3);
}

TEST(Sha3Test, ShakeSqueezedAcrossManyBlocksMatchesOpenSsl) {
  // Long outputs exercise the permutation between squeezed blocks (the
  // pattern ML-DSA's ExpandA and ExpandMask rely on).
  std::mt19937_64 rng(kSeed + 4);
  const Bytes in = random_bytes_of(rng, 34);
  for (bool is128 : {true, false}) {
    Shake shake = is128 ? Shake::shake128() : Shake::shake256();
    ASSERT_TRUE(shake.absorb(in).ok());
    const Bytes ours = squeeze_in_chunks(shake, 20000, rng, 500);
    EXPECT_EQ(ours, openssl_digest(is128 ? EVP_shake128() : EVP_shake256(), in, 20000));
  }
}

TEST(Sha3Test, IncrementalAbsorbInRandomChunksEqualsOneShot) {
  std::mt19937_64 rng(kSeed + 5);
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t len = rng() % 2000;
    const Bytes in = random_bytes_of(rng, len);
    Sha3_256 h256;
    Sha3_512 h512;
    Shake s128 = Shake::shake128();
    Shake s256 = Shake::shake256();
    std::size_t done = 0;
    while (done < len) {
      // Mostly small, odd-sized chunks so lane and block boundaries are crossed
      // at every alignment; sometimes a big one.
      std::size_t n = (rng() % 4 == 0) ? rng() % 400 : rng() % 17;
      n = std::min(n, len - done);
      const auto chunk = std::span(in).subspan(done, n);
      h256.update(chunk);
      h512.update(chunk);
      ASSERT_TRUE(s128.absorb(chunk).ok());
      ASSERT_TRUE(s256.absorb(chunk).ok());
      done += n;
    }
    const auto d256 = h256.finish();
    const auto d512 = h512.finish();
    EXPECT_EQ(Bytes(d256.begin(), d256.end()), ours_sha3_256(in)) << where(len);
    EXPECT_EQ(Bytes(d512.begin(), d512.end()), ours_sha3_512(in)) << where(len);
    Bytes o128(200), o256(200), want(200);
    s128.squeeze(o128);
    s256.squeeze(o256);
    shake128(in, want);
    EXPECT_EQ(o128, want) << where(len);
    shake256(in, want);
    EXPECT_EQ(o256, want) << where(len);
  }
}

TEST(Sha3Test, ShakeAbsorbAfterSqueezeIsRefused) {
  Shake shake = Shake::shake256();
  ASSERT_TRUE(shake.absorb(std::span<const std::uint8_t>()).ok());
  std::uint8_t out[16];
  shake.squeeze(out);
  const std::uint8_t more[] = {1, 2, 3};
  const Status st = shake.absorb(more);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  // Even an empty absorb is refused: the state is already producing output.
  EXPECT_FALSE(shake.absorb(std::span<const std::uint8_t>()).ok());
}

TEST(Sha3Test, ShakeOutputIsUnchangedByARefusedAbsorb) {
  const std::uint8_t in[] = {'x', 'y'};
  Shake a = Shake::shake128();
  Shake b = Shake::shake128();
  ASSERT_TRUE(a.absorb(in).ok());
  ASSERT_TRUE(b.absorb(in).ok());
  std::uint8_t first_a[10], first_b[10], next_a[300], next_b[300];
  a.squeeze(first_a);
  b.squeeze(first_b);
  EXPECT_FALSE(a.absorb(in).ok());
  a.squeeze(next_a);
  b.squeeze(next_b);
  EXPECT_EQ(Bytes(std::begin(next_a), std::end(next_a)), Bytes(std::begin(next_b), std::end(next_b)));
}

TEST(Sha3Test, SpongeAbsorbAfterSqueezeIsRefusedUntilReset) {
  KeccakSponge sponge(136, 0x06);
  const std::uint8_t abc[] = {'a', 'b', 'c'};
  ASSERT_TRUE(sponge.absorb(abc).ok());
  std::uint8_t out[32];
  sponge.squeeze(out);
  EXPECT_TRUE(sponge.squeezing());
  EXPECT_FALSE(sponge.absorb(abc).ok());
  sponge.reset();
  EXPECT_FALSE(sponge.squeezing());
  ASSERT_TRUE(sponge.absorb(abc).ok());
  std::uint8_t again[32];
  sponge.squeeze(again);
  EXPECT_EQ(to_hex(again), to_hex(out));
  EXPECT_EQ(to_hex(again), "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
}

TEST(Sha3Test, HasherFinishResetsSoItCanBeReused) {
  Sha3_256 h;
  const auto first = h.update("abc").finish();
  const auto second = h.update("abc").finish();
  EXPECT_EQ(first, second);
  h.update("junk");
  h.reset();
  EXPECT_EQ(h.update("abc").finish(), first);

  Sha3_512 h512;
  const std::uint8_t abc[] = {'a', 'b', 'c'};
  const auto f512 = h512.update(abc).finish();
  EXPECT_EQ(h512.update(abc).finish(), f512);
}

TEST(Sha3Test, ShakeResetStartsANewAbsorbPhase) {
  const std::uint8_t abc[] = {'a', 'b', 'c'};
  Shake s = Shake::shake256();
  ASSERT_TRUE(s.absorb(abc).ok());
  std::uint8_t a[40], b[40];
  s.squeeze(a);
  s.reset();
  ASSERT_TRUE(s.absorb(abc).ok());
  s.squeeze(b);
  EXPECT_EQ(to_hex(a), to_hex(b));
}

TEST(HexTest, ToHexWritesLowercaseTwoDigitsPerByte) {
  const std::uint8_t bytes[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
  EXPECT_EQ(to_hex(bytes), "00017f80abff");
  EXPECT_EQ(to_hex(std::span<const std::uint8_t>()), "");
}

TEST(HexTest, FromHexOfToHexRoundTripsEveryByteValue) {
  Bytes all(256);
  for (int i = 0; i < 256; ++i) all[i] = static_cast<std::uint8_t>(i);
  const auto back = from_hex(to_hex(all));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, all);
  const auto empty = from_hex("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(HexTest, FromHexWithOddLengthFails) {
  const auto r = from_hex("abc");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
}

TEST(HexTest, FromHexWithUppercaseOrNonHexCharactersFails) {
  for (std::string_view bad : {"AB", "aB", "0g", "zz", "0x00", " 0", "00 ", "+1"}) {
    const auto r = from_hex(bad);
    ASSERT_FALSE(r.ok()) << "accepted '" << bad << "'";
    EXPECT_EQ(r.error().code, ErrorCode::kParse);
  }
  // Every non-hex byte value is refused in both nibble positions.
  for (int c = 0; c < 256; ++c) {
    const bool is_hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    const std::string hi{static_cast<char>(c), '0'};
    const std::string lo{'0', static_cast<char>(c)};
    EXPECT_EQ(from_hex(hi).ok(), is_hex) << "byte " << c;
    EXPECT_EQ(from_hex(lo).ok(), is_hex) << "byte " << c;
  }
}

}  // namespace
}  // namespace pqbpf::crypto

// FIPS 204, Section 4, Table 1: the ML-DSA parameter sets, and the byte sizes
// derived from them (Table 2). One implementation is instantiated for each of
// the three structs below; nothing else in src/crypto/mldsa/ names a set.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pqbpf::crypto::mldsa::internal {

constexpr int kN = 256;            // polynomial degree
constexpr std::int32_t kQ = 8380417;  // 2^23 - 2^13 + 1
constexpr int kD = 13;             // dropped bits of t
constexpr std::size_t kSeedBytes = 32;
constexpr std::size_t kCrhBytes = 64;  // tr, mu, rho', rho''
constexpr std::size_t kTrBytes = 64;

// bitlen(x): number of bits needed to write x (FIPS 204, Section 2.3).
constexpr int bitlen(std::uint32_t x) {
  int n = 0;
  while (x != 0) {
    ++n;
    x >>= 1;
  }
  return n;
}

template <int K, int L, int Eta, int Tau, int Gamma1Log, std::int32_t Gamma2, int Omega,
          int Lambda>
struct ParamsBase {
  static constexpr int k = K;
  static constexpr int l = L;
  static constexpr std::int32_t eta = Eta;
  static constexpr int tau = Tau;
  static constexpr std::int32_t beta = Tau * Eta;
  static constexpr std::int32_t gamma1 = std::int32_t{1} << Gamma1Log;
  static constexpr std::int32_t gamma2 = Gamma2;
  static constexpr int omega = Omega;
  static constexpr int lambda = Lambda;

  static constexpr std::size_t ctilde_bytes = Lambda / 4;
  static constexpr int eta_bits = bitlen(2 * Eta);                  // 3 or 4
  static constexpr int z_bits = 1 + bitlen(gamma1 - 1);             // 18 or 20
  static constexpr int w1_bits = bitlen((kQ - 1) / (2 * Gamma2) - 1);  // 6 or 4
  static constexpr std::size_t t1_poly_bytes = 32 * 10;
  static constexpr std::size_t t0_poly_bytes = 32 * kD;
  static constexpr std::size_t eta_poly_bytes = 32 * eta_bits;
  static constexpr std::size_t z_poly_bytes = 32 * z_bits;
  static constexpr std::size_t w1_poly_bytes = 32 * w1_bits;

  // FIPS 204, Table 2.
  static constexpr std::size_t public_key_bytes = kSeedBytes + K * t1_poly_bytes;
  static constexpr std::size_t private_key_bytes =
      2 * kSeedBytes + kTrBytes + (K + L) * eta_poly_bytes + K * t0_poly_bytes;
  static constexpr std::size_t signature_bytes =
      ctilde_bytes + L * z_poly_bytes + Omega + K;
};

//                              k  l eta tau g1  gamma2           omega lambda
using Params44 = ParamsBase<4, 4, 2, 39, 17, (kQ - 1) / 88, 80, 128>;
using Params65 = ParamsBase<6, 5, 4, 49, 19, (kQ - 1) / 32, 55, 192>;
using Params87 = ParamsBase<8, 7, 2, 60, 19, (kQ - 1) / 32, 75, 256>;

static_assert(Params44::public_key_bytes == 1312 && Params44::private_key_bytes == 2560 &&
              Params44::signature_bytes == 2420);
static_assert(Params65::public_key_bytes == 1952 && Params65::private_key_bytes == 4032 &&
              Params65::signature_bytes == 3309);
static_assert(Params87::public_key_bytes == 2592 && Params87::private_key_bytes == 4896 &&
              Params87::signature_bytes == 4627);

}  // namespace pqbpf::crypto::mldsa::internal

// Coefficient-wise polynomial arithmetic for ML-DSA (FIPS 204, Sections 7.4
// and 7.5). Fixed trip counts, no data-dependent branches.
#include "poly.h"

#include "../cpu_dispatch.h"

namespace pqbpf::crypto::mldsa::internal {

void poly_add(Poly& r, const Poly& a, const Poly& b) {
#if defined(PQBPF_MLDSA_AVX2_POLY)
  if (crypto::internal::use_avx2()) return poly_add_avx2(r, a, b);
#endif
  for (int i = 0; i < kN; ++i) r.c[i] = a.c[i] + b.c[i];
}

void poly_sub(Poly& r, const Poly& a, const Poly& b) {
#if defined(PQBPF_MLDSA_AVX2_POLY)
  if (crypto::internal::use_avx2()) return poly_sub_avx2(r, a, b);
#endif
  for (int i = 0; i < kN; ++i) r.c[i] = a.c[i] - b.c[i];
}

void poly_reduce(Poly& a) {
#if defined(PQBPF_MLDSA_AVX2_POLY)
  if (crypto::internal::use_avx2()) return poly_reduce_avx2(a);
#endif
  for (int i = 0; i < kN; ++i) a.c[i] = reduce32(a.c[i]);
}

void poly_caddq(Poly& a) {
#if defined(PQBPF_MLDSA_AVX2_POLY)
  if (crypto::internal::use_avx2()) return poly_caddq_avx2(a);
#endif
  for (int i = 0; i < kN; ++i) a.c[i] = caddq(a.c[i]);
}

void poly_freeze(Poly& a) {
#if defined(PQBPF_MLDSA_AVX2_POLY)
  if (crypto::internal::use_avx2()) return poly_freeze_avx2(a);
#endif
  for (int i = 0; i < kN; ++i) a.c[i] = freeze(a.c[i]);
}

void poly_shiftl(Poly& a) {
#if defined(PQBPF_MLDSA_AVX2_POLY)
  if (crypto::internal::use_avx2()) return poly_shiftl_avx2(a);
#endif
  for (int i = 0; i < kN; ++i) a.c[i] *= (1 << kD);
}

void poly_pointwise_montgomery(Poly& r, const Poly& a, const Poly& b) {
  if (crypto::internal::use_avx2()) {
    pointwise_montgomery_avx2(r.c, a.c, b.c);
    return;
  }
  for (int i = 0; i < kN; ++i) {
    r.c[i] = montgomery_reduce(static_cast<std::int64_t>(a.c[i]) * b.c[i]);
  }
}

std::uint32_t poly_norm_exceeds_mask(const Poly& a, std::int32_t bound) {
  // (bound - 1 - |a_i|) is negative exactly when |a_i| >= bound; OR the sign
  // bits together instead of returning at the first hit.
#if defined(PQBPF_MLDSA_AVX2_POLY)
  if (crypto::internal::use_avx2()) return ct::mask_negative(poly_norm_acc_avx2(a, bound));
#endif
  std::int32_t acc = 0;
  for (int i = 0; i < kN; ++i) acc |= (bound - 1) - ct::abs(a.c[i]);
  return ct::mask_negative(acc);
}

void poly_power2round(Poly& a1, Poly& a0, const Poly& a) {
#if defined(PQBPF_MLDSA_AVX2_POLY)
  if (crypto::internal::use_avx2()) return poly_power2round_avx2(a1, a0, a);
#endif
  for (int i = 0; i < kN; ++i) {
    const std::int32_t hi = (a.c[i] + (1 << (kD - 1)) - 1) >> kD;
    a0.c[i] = a.c[i] - (hi << kD);
    a1.c[i] = hi;
  }
}

}  // namespace pqbpf::crypto::mldsa::internal

// FIPS 204, Algorithms 41 (NTT) and 42 (NTT^-1), in Montgomery form.
//
// Kept in its own file behind two functions on one polynomial so that a
// vectorised (AVX2) NTT can replace this portable one without touching the
// callers.
#pragma once

#include <cstdint>

#include "params.h"

namespace pqbpf::crypto::mldsa::internal {

// Forward NTT in place; output in bit-reversed order. No reduction after the
// butterflies: for inputs with |a| <= q the outputs satisfy |a| < 9q.
void ntt(std::int32_t a[kN]);

// Inverse NTT in place, multiplying by the Montgomery factor 2^32 as it goes
// (so an NTT-domain product of two Montgomery multiplications comes back in
// normal form). Inputs must satisfy |a| < q; outputs satisfy |a| < q.
void invntt_tomont(std::int32_t a[kN]);

}  // namespace pqbpf::crypto::mldsa::internal

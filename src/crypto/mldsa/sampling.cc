// FIPS 204, Algorithms 29 (SampleInBall) and 30 (RejNTTPoly, parsing); the templated
// samplers live in sampling.h.
#include "sampling.h"

#include "../cpu_dispatch.h"

namespace pqbpf::crypto::mldsa::internal {

int rej_uniform(std::int32_t* a, int ctr, const std::uint8_t* buf, std::size_t len) {
  return crypto::internal::use_avx2() ? rej_uniform_avx2(a, ctr, buf, len)
                                      : rej_uniform_scalar(a, ctr, buf, len);
}

int rej_uniform_scalar(std::int32_t* a, int ctr, const std::uint8_t* buf, std::size_t len) {
  // The block length is a multiple of 3, so no candidate straddles blocks.
  for (std::size_t i = 0; i + 3 <= len && ctr < kN; i += 3) {
    const std::uint32_t t =
        (buf[i] | (std::uint32_t{buf[i + 1]} << 8) | (std::uint32_t{buf[i + 2]} << 16)) &
        0x7FFFFF;
    if (t < static_cast<std::uint32_t>(kQ)) a[ctr++] = static_cast<std::int32_t>(t);
  }
  return ctr;
}

void sample_in_ball(Poly& c, const std::uint8_t* c_tilde, std::size_t c_tilde_len, int tau) {
  Shake256 xof;
  xof.absorb(c_tilde, c_tilde_len);
  xof.finalize();
  std::uint8_t buf[Shake256::kRate];
  xof.squeeze_blocks(buf, 1);

  std::uint64_t signs = 0;
  for (int i = 0; i < 8; ++i) signs |= static_cast<std::uint64_t>(buf[i]) << (8 * i);
  std::size_t pos = 8;

  for (auto& x : c.c) x = 0;
  for (int i = kN - tau; i < kN; ++i) {
    unsigned j;
    do {
      if (pos >= sizeof(buf)) {
        xof.squeeze_blocks(buf, 1);
        pos = 0;
      }
      j = buf[pos++];
    } while (j > static_cast<unsigned>(i));
    c.c[i] = c.c[j];
    c.c[j] = 1 - 2 * static_cast<std::int32_t>(signs & 1);
    signs >>= 1;
  }
}

}  // namespace pqbpf::crypto::mldsa::internal

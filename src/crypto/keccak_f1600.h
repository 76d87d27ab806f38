// Keccak-f[1600] permutation (FIPS 202, Algorithm 7, 24 rounds), one state
// at a time or several independent states at once.
//
// keccak_f1600() and keccak_f1600_batch() pick the implementation by the
// run-time dispatch level (cpu_dispatch.h); the named kernels are exposed so
// tests can check each against the others and against the spec.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pqbpf::crypto::internal {

// Lanes are indexed A[x + 5y], each lane little-endian as in FIPS 202.
void keccak_f1600(std::uint64_t state[25]);

// Up to kKeccakBatch states, interleaved: lane i of state j is
// lanes[i * kKeccakBatch + j]. Permutes states 0 .. n-1 (1 <= n <= 8); the
// other columns may change too (callers ignore them).
inline constexpr std::size_t kKeccakBatch = 8;
void keccak_f1600_batch(std::uint64_t lanes[25 * kKeccakBatch], int n);
// keccak_f1600_batch, then writes the first rate_words lanes of each state
// j < n to out[j] as 8 * rate_words little-endian bytes (a sponge squeeze).
void keccak_f1600_batch_squeeze(std::uint64_t lanes[25 * kKeccakBatch], int n,
                                std::size_t rate_words, std::uint8_t* const* out);

// Absorbs nblocks whole blocks of rate_words little-endian lanes each from
// data into state, permuting after each (the sponge's bulk absorb, FIPS 202
// Algorithm 8 step 6). The AVX-512 form keeps the state in registers from
// block to block.
void keccak_absorb_blocks(std::uint64_t state[25], const std::uint8_t* data, std::size_t nblocks,
                          std::size_t rate_words);
void keccak_absorb_blocks_avx512(std::uint64_t state[25], const std::uint8_t* data,
                                 std::size_t nblocks, std::size_t rate_words);

// The kernels. Only call a vector one when impl_supported() says the CPU and
// OS can run it.
void keccak_f1600_scalar(std::uint64_t state[25]);  // portable
void keccak_f1600_v3(std::uint64_t state[25]);      // x86-64-v3: andn, rorx
void keccak_f1600_avx512(std::uint64_t state[25]);  // AVX-512VL, one lane per register
// Four states; lane i of state j at lanes[i * stride + j], j < 4.
void keccak_f1600_x4_scalar(std::uint64_t* lanes, std::size_t stride);
void keccak_f1600_x4_avx2(std::uint64_t* lanes, std::size_t stride);
void keccak_f1600_x4_avx512vl(std::uint64_t* lanes, std::size_t stride);
// Eight states; lane i of state j at lanes[8 * i + j].
void keccak_f1600_x8_avx512(std::uint64_t* lanes);
// The same, plus the squeeze of keccak_f1600_batch_squeeze for j < n.
void keccak_f1600_x8_avx512_squeeze(std::uint64_t* lanes, std::size_t rate_words,
                                    std::uint8_t* const* out, int n);

}  // namespace pqbpf::crypto::internal

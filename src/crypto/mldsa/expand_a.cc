// FIPS 204, Algorithm 32 ExpandA on the eight lanes of the multi-state
// Keccak, optionally with tr = H(pk, 64) (Algorithm 8 step 6) in a lane of
// its own.
//
// Every matrix entry is an independent SHAKE128 stream (rho || s || r) of
// five blocks, rarely six; tr is one SHAKE256 stream absorbing the 1312 to
// 2592 bytes of the public key, 10 to 20 permutations in a row. Run one at a
// time, tr's permutations cost as much as a whole eight-state step each; here
// each lane takes the next job as soon as its own is done, so tr rides along
// with the matrix and a cold verification pays for it almost nothing. When
// at most four lanes are still busy the four-state kernel runs them.
//
// Everything here is public (rho and the public key), so the schedule may
// depend on the data. The integers produced are exactly those of running
// each stream alone: every stream sees the same bytes in the same order.
#include <cstring>

#include "../keccak_f1600.h"
#include "../keccak_lanes.h"
#include "sampling.h"

namespace pqbpf::crypto::mldsa::internal {
namespace {

using crypto::internal::kKeccakBatch;
using crypto::internal::load_le64;
using crypto::internal::store_le64;

constexpr std::size_t kRate128 = Shake128::kRate;  // 168 bytes, 21 lanes
constexpr std::size_t kRate256 = Shake256::kRate;  // 136 bytes, 17 lanes
constexpr std::size_t kFirstBlocks = 5;            // squeezed before the first parse

// What a lane is doing.
enum class Job { kIdle, kEntry, kTr };

struct Lane {
  Job job = Job::kIdle;
  int entry = 0;       // index into dst / suffix (kEntry)
  int blocks = 0;      // permutations done on this job
  int ctr = 0;         // coefficients accepted (kEntry)
};

}  // namespace

void expand_a_lanes(std::int32_t* const* dst, const std::uint8_t (*suffix)[2], int count,
                    const std::uint8_t rho[kSeedBytes], const std::uint8_t* pk,
                    std::size_t pk_len, std::uint8_t tr[kTrBytes]) {
  alignas(64) std::uint64_t lanes[25 * kKeccakBatch];
  // Each entry's first five blocks (840 bytes: 280 candidates, enough with
  // probability about 1 - 2^-60) are parsed at once, as one stream alone
  // would; a further block, if needed, lands at the start of the buffer.
  alignas(32) std::uint8_t buf[kKeccakBatch][kFirstBlocks * kRate128];
  alignas(32) std::uint8_t sink[kRate128];  // the squeeze output of idle / tr lanes
  Lane lane[kKeccakBatch];

  // SHAKE128(rho || s || r): one padded block (FIPS 202, B.2), capacity zero.
  const std::uint64_t rho_words[4] = {load_le64(rho), load_le64(rho + 8), load_le64(rho + 16),
                                      load_le64(rho + 24)};
  auto start_entry = [&](int j, int entry) {
    lane[j] = Lane{Job::kEntry, entry, 0, 0};
    for (int w = 0; w < 25; ++w) lanes[8 * w + j] = 0;
    for (int w = 0; w < 4; ++w) lanes[8 * w + j] = rho_words[w];
    lanes[8 * 4 + j] = std::uint64_t{suffix[entry][0]} | std::uint64_t{suffix[entry][1]} << 8 |
                       std::uint64_t{0x1F} << 16;
    lanes[8 * (kRate128 / 8 - 1) + j] = std::uint64_t{0x80} << 56;
  };
  // SHAKE256(pk): block b of the message (or the padded last one) into lane j.
  const std::size_t tr_blocks = pk_len / kRate256 + 1;
  auto absorb_tr_block = [&](int j, std::size_t b) {
    std::uint8_t block[kRate256] = {};
    const std::size_t off = b * kRate256;
    const std::size_t take = pk_len - off < kRate256 ? pk_len - off : kRate256;
    std::memcpy(block, pk + off, take);
    if (take < kRate256) {  // the last block: SHAKE suffix and pad10*1
      block[take] ^= 0x1F;
      block[kRate256 - 1] ^= 0x80;
    }
    for (std::size_t w = 0; w < kRate256 / 8; ++w) lanes[8 * w + j] ^= load_le64(block + 8 * w);
  };

  int next = 0;
  if (tr != nullptr) {
    // tr goes in the last lane, so that the entries left at the end sit in
    // the low lanes, where the four-state kernel can take them.
    const int j = kKeccakBatch - 1;
    lane[j] = Lane{Job::kTr, 0, 0, 0};
    for (int w = 0; w < 25; ++w) lanes[8 * w + j] = 0;
    absorb_tr_block(j, 0);
  }
  for (int j = 0; j < static_cast<int>(kKeccakBatch) && next < count; ++j) {
    if (lane[j].job == Job::kIdle) start_entry(j, next++);
  }

  for (;;) {
    int n = 0;
    for (int j = 0; j < static_cast<int>(kKeccakBatch); ++j) {
      if (lane[j].job != Job::kIdle) n = j + 1;
    }
    if (n == 0) break;
    std::uint8_t* out[kKeccakBatch];
    for (int j = 0; j < n; ++j) {
      const Lane& l = lane[j];
      out[j] = l.job != Job::kEntry ? sink
               : l.blocks < static_cast<int>(kFirstBlocks)
                   ? buf[j] + static_cast<std::size_t>(l.blocks) * kRate128
                   : buf[j];
    }
    crypto::internal::keccak_f1600_batch_squeeze(lanes, n, kRate128 / 8, out);
    for (int j = 0; j < n; ++j) {
      Lane& l = lane[j];
      if (l.job == Job::kIdle) continue;
      ++l.blocks;
      bool done = false;
      if (l.job == Job::kTr) {
        if (static_cast<std::size_t>(l.blocks) == tr_blocks) {
          for (std::size_t w = 0; w < kTrBytes / 8; ++w) store_le64(tr + 8 * w, lanes[8 * w + j]);
          done = true;
        } else {
          absorb_tr_block(j, static_cast<std::size_t>(l.blocks));
        }
      } else if (l.blocks == static_cast<int>(kFirstBlocks)) {
        l.ctr = rej_uniform(dst[l.entry], 0, buf[j], sizeof(buf[j]));
        done = l.ctr >= kN;
      } else if (l.blocks > static_cast<int>(kFirstBlocks)) {  // rare
        l.ctr = rej_uniform(dst[l.entry], l.ctr, buf[j], kRate128);
        done = l.ctr >= kN;
      }
      if (done) {
        if (next < count) {
          start_entry(j, next++);
        } else {
          l.job = Job::kIdle;
        }
      }
    }
  }
}

}  // namespace pqbpf::crypto::mldsa::internal

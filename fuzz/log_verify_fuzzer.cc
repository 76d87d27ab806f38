// Fuzz target: verify_log, the audit log chain and checkpoint verifier.
//
// The operator's key is fixed (derived from kLogSeed, the same key the seed
// corpus log was written with, see fuzz/seeds/make_seeds.cc), so mutations
// of a real signed log reach the chain, count and signature checks.
// Invariants: a verified log's counts add up, and every record it counted
// parses on its own.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "fuzz_check.h"
#include "log_file_util.h"
#include "pqbpf/crypto/mldsa.h"
#include "pqbpf/log/log_reader.h"
#include "pqbpf/log/log_verify.h"

namespace mldsa = pqbpf::crypto::mldsa;

namespace {
const mldsa::PublicKey& log_key() {
  static const mldsa::PublicKey key = [] {
    std::array<std::uint8_t, mldsa::kSeedSize> seed;
    seed.fill(0x4c);  // kLogSeed: 32 x 'L'
    return mldsa::generate_key_pair(mldsa::ParameterSet::kMlDsa65,
                                    std::span<const std::uint8_t, mldsa::kSeedSize>(seed))
        .public_key;
  }();
  return key;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::write_scratch_log(data, size);
  pqbpf::log::VerifyOptions options;
  options.require_closed = (size % 2) == 1;
  options.allow_unsealed = (size / 2) % 2 == 1;
  auto report = pqbpf::log::verify_log(fuzz::scratch_log_path(), log_key(), options);
  if (!report.ok()) return 0;
  FUZZ_CHECK(report->attempts + report->checkpoints + report->recovered == report->records,
             "counts add up");
  FUZZ_CHECK(options.allow_unsealed || report->checkpoints > 0, "a signed checkpoint is required");
  FUZZ_CHECK(report->records == report->last_seq, "seq runs 1..N");
  FUZZ_CHECK(report->last_checkpoint_seq <= report->last_seq, "checkpoint within the chain");
  FUZZ_CHECK(report->head_hex.size() == 64, "head is a SHA3-256 hex digest");
  if (options.require_closed) FUZZ_CHECK(report->closed && report->torn_bytes == 0, "closed");
  pqbpf::log::RecordFilter filter;
  filter.include_checkpoints = true;
  auto records = pqbpf::log::read_records(fuzz::scratch_log_path(), filter);
  FUZZ_CHECK(records.ok(), "a verified log reads");
  FUZZ_CHECK(records->size() == report->records, "reader and verifier count the same records");
  return 0;
}

// VerificationCache: results of valid verifications that the policy allowed,
// for a long-running gate that sees the same signed objects again (restarts,
// one program per container). Keyed by the exact envelope bytes and the exact
// detached object bytes, compared in full (a 64-bit fingerprint only picks
// the candidates), so a hit costs no cryptographic hashing: a verification
// result is a function of those bytes alone, and the digests it holds (of the
// envelope, of the object) are those of the same bytes. The exceptions are
// the policy's pre-parse screening of the signer, which check_load_bytes runs
// again on every hit (so a reload that distrusts a signer or revokes an
// object takes effect at once), and the policy decision itself, which is
// always made afresh.
//
// Bounded: at most `capacity` results and at most `max_total_bytes` of kept
// envelope and object bytes together (an envelope may be 32 MiB: a count
// alone would let clients make the gate hold a gigabyte), least recently used
// out first; only results whose object is at most `max_object_bytes` are
// kept; results with an inspection error (format 1, object unreadable) are
// not kept.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "pqbpf/attest/verifier.h"

namespace pqbpf::gate {

class VerificationCache {
 public:
  using Bytes = std::span<const std::uint8_t>;

  static constexpr std::size_t kDefaultMaxTotalBytes = 64u << 20;

  explicit VerificationCache(std::size_t capacity, std::size_t max_object_bytes = 256u << 10,
                             std::size_t max_total_bytes = kDefaultMaxTotalBytes)
      : capacity_(capacity), max_object_bytes_(max_object_bytes), max_total_bytes_(max_total_bytes) {}

  // The result remembered for exactly these envelope bytes and this detached
  // object (nullopt: the request had none), if any.
  std::optional<VerificationResult> find(Bytes envelope, std::optional<Bytes> object);
  // Keeps `result` (the verification of exactly these bytes) if it may be
  // kept: valid, inspectable, small enough, and, for a detached object, the
  // very bytes the result holds.
  void remember(Bytes envelope, std::optional<Bytes> object, const VerificationResult& result);

  // A new byte budget (e.g. from the configuration); evicts down to it.
  void set_max_total_bytes(std::size_t max_total_bytes);

  struct Stats {
    std::size_t entries = 0;
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::size_t bytes = 0;  // kept envelope and object bytes
  };
  Stats stats() const;

 private:
  struct Entry {
    std::uint64_t fingerprint = 0;
    std::vector<std::uint8_t> envelope;
    bool detached = false;  // the request sent result.object as a detached object
    VerificationResult result;
  };
  using Lru = std::list<Entry>;  // front: most recently used
  static std::uint64_t fingerprint(Bytes envelope, std::optional<Bytes> object);
  static std::size_t size_of(const Entry& e) { return e.envelope.size() + e.result.object.size(); }
  void evict_oldest();  // under mu_
  static bool same(const Entry& e, Bytes envelope, std::optional<Bytes> object);
  Lru::iterator lookup(std::uint64_t fp, Bytes envelope, std::optional<Bytes> object);

  std::size_t capacity_;
  std::size_t max_object_bytes_;
  std::size_t max_total_bytes_;
  mutable std::mutex mu_;
  std::size_t total_bytes_ = 0;  // under mu_
  Lru lru_;
  std::unordered_multimap<std::uint64_t, Lru::iterator> index_;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace pqbpf::gate

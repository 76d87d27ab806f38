// VerificationCache: results of valid verifications that the policy allowed,
// for a long-running gate that sees the same signed objects again (restarts,
// one program per container). Keyed by the SHA3-256 of the exact envelope
// bytes and of the exact detached object bytes: a verification result is a
// function of those bytes alone, except for the policy's pre-parse screening
// of the signer, which check_load_bytes runs again on every hit (so a reload
// that distrusts a signer or revokes an object takes effect at once), and the
// policy decision itself, which is always made afresh.
//
// Bounded: at most `capacity` results, least recently used out first; only
// results whose object is at most `max_object_bytes` are kept; results with
// an inspection error (format 1, object unreadable) are not kept.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "pqbpf/attest/verifier.h"

namespace pqbpf::gate {

class VerificationCache {
 public:
  explicit VerificationCache(std::size_t capacity, std::size_t max_object_bytes = 256u << 10)
      : capacity_(capacity), max_object_bytes_(max_object_bytes) {}

  // "<envelope sha3>:<object sha3 or ->"
  static std::string key_of(std::string_view envelope_sha3_256, std::string_view object_sha3_256);

  std::optional<VerificationResult> find(const std::string& key);
  void remember(const std::string& key, const VerificationResult& result);

  struct Stats {
    std::size_t entries = 0;
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
  };
  Stats stats() const;

 private:
  using Entry = std::pair<std::string, VerificationResult>;
  std::size_t capacity_;
  std::size_t max_object_bytes_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // front: most recently used
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace pqbpf::gate

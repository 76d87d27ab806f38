// The daemon's per-signer cache of expanded ML-DSA public keys (internal).
//
// ML-DSA verification first expands the public key (matrix A by SHAKE128,
// NTT(t1)): about two thirds of a cold verification. A PublicKey keeps that
// expansion in a cache shared by its copies, but every request parses a fresh
// key from its envelope. This cache keeps one copy per signer key, keyed by
// the key's exact bytes, so later requests of that signer verify warm.
//
// Only keys of requests the gate allowed are remembered (`remember`), so a
// client cannot fill the cache with keys of its own making; the cache holds
// at most `capacity` keys (least recently used out first). A cached key can
// only give the result the fresh key would: the expansion is a function of
// the bytes, and the verifier checks that the bytes are the envelope's.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "pqbpf/crypto/mldsa.h"

namespace pqbpf::daemon::internal {

class KeyCache {
 public:
  explicit KeyCache(std::size_t capacity) : capacity_(capacity) {}

  // The cached copy of `key` (same bytes, expansion shared), or nullopt.
  std::optional<crypto::mldsa::PublicKey> find(const crypto::mldsa::PublicKey& key);
  // Keeps `key` (a copy sharing its expansion) for later requests.
  void remember(const crypto::mldsa::PublicKey& key);

  struct Stats {
    std::size_t entries = 0;
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
  };
  Stats stats() const;

 private:
  using Lru = std::list<crypto::mldsa::PublicKey>;  // front: most recently used
  static std::string key_of(const crypto::mldsa::PublicKey& key);

  std::size_t capacity_;
  mutable std::mutex mu_;
  Lru lru_;
  std::unordered_map<std::string, Lru::iterator> index_;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace pqbpf::daemon::internal

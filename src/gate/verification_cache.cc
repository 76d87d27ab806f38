// Bounded LRU of allowed verification results (see verification_cache.h).
#include "pqbpf/gate/verification_cache.h"

namespace pqbpf::gate {

std::string VerificationCache::key_of(std::string_view envelope_sha3_256, std::string_view object_sha3_256) {
  std::string key(envelope_sha3_256);
  key += ':';
  key += object_sha3_256.empty() ? std::string_view("-") : object_sha3_256;
  return key;
}

std::optional<VerificationResult> VerificationCache::find(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

void VerificationCache::remember(const std::string& key, const VerificationResult& result) {
  if (capacity_ == 0 || !result.valid || !result.signer_did || !result.manifest ||
      !result.inspection_error.empty() || result.object.size() > max_object_bytes_) {
    return;
  }
  std::lock_guard lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  if (index_.size() >= capacity_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
  lru_.emplace_front(key, result);
  index_.emplace(key, lru_.begin());
}

VerificationCache::Stats VerificationCache::stats() const {
  std::lock_guard lock(mu_);
  return Stats{index_.size(), hits_, misses_};
}

}  // namespace pqbpf::gate

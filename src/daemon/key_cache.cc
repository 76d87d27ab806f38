// Per-signer cache of expanded ML-DSA public keys (see key_cache.h).
#include "key_cache.h"

namespace pqbpf::daemon::internal {

std::string KeyCache::key_of(const crypto::mldsa::PublicKey& key) {
  const auto bytes = key.bytes();
  std::string out(1, static_cast<char>(key.parameter_set()));
  out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return out;
}

std::optional<crypto::mldsa::PublicKey> KeyCache::find(const crypto::mldsa::PublicKey& key) {
  const std::string k = key_of(key);
  std::lock_guard lock(mu_);
  auto it = index_.find(k);
  if (it == index_.end()) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  return *it->second;
}

void KeyCache::remember(const crypto::mldsa::PublicKey& key) {
  if (capacity_ == 0) return;
  std::string k = key_of(key);
  std::lock_guard lock(mu_);
  if (auto it = index_.find(k); it != index_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  if (index_.size() >= capacity_) {
    index_.erase(key_of(lru_.back()));
    lru_.pop_back();
  }
  lru_.push_front(key);
  index_.emplace(std::move(k), lru_.begin());
}

KeyCache::Stats KeyCache::stats() const {
  std::lock_guard lock(mu_);
  return Stats{index_.size(), hits_, misses_};
}

}  // namespace pqbpf::daemon::internal

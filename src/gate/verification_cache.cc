// Bounded LRU of allowed verification results (see verification_cache.h).
#include "pqbpf/gate/verification_cache.h"

#include <algorithm>
#include <functional>
#include <string_view>

namespace pqbpf::gate {
namespace {

std::uint64_t hash_bytes(std::span<const std::uint8_t> b) {
  return std::hash<std::string_view>{}(
      std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

bool equal_bytes(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace

// Not a security boundary: it only narrows the candidates; same() compares
// every byte.
std::uint64_t VerificationCache::fingerprint(Bytes envelope, std::optional<Bytes> object) {
  std::uint64_t h = hash_bytes(envelope);
  const std::uint64_t o = object ? hash_bytes(*object) + 1 : 0;
  return h ^ (o + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

bool VerificationCache::same(const Entry& e, Bytes envelope, std::optional<Bytes> object) {
  if (e.detached != object.has_value() || !equal_bytes(e.envelope, envelope)) return false;
  return !object || equal_bytes(e.result.object, *object);
}

VerificationCache::Lru::iterator VerificationCache::lookup(std::uint64_t fp, Bytes envelope,
                                                           std::optional<Bytes> object) {
  auto [it, end] = index_.equal_range(fp);
  for (; it != end; ++it) {
    if (same(*it->second, envelope, object)) return it->second;
  }
  return lru_.end();
}

std::optional<VerificationResult> VerificationCache::find(Bytes envelope,
                                                          std::optional<Bytes> object) {
  const std::uint64_t fp = fingerprint(envelope, object);
  std::lock_guard lock(mu_);
  auto it = lookup(fp, envelope, object);
  if (it == lru_.end()) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it);
  return it->result;
}

void VerificationCache::remember(Bytes envelope, std::optional<Bytes> object,
                                 const VerificationResult& result) {
  if (capacity_ == 0 || !result.valid || !result.signer_did || !result.manifest ||
      !result.inspection_error.empty() || result.object.size() > max_object_bytes_) {
    return;
  }
  // A valid result holds the detached object it checked; anything else is
  // not a result of these bytes.
  if (object && !equal_bytes(result.object, *object)) return;
  const std::size_t size = envelope.size() + result.object.size();
  const std::uint64_t fp = fingerprint(envelope, object);
  std::lock_guard lock(mu_);
  if (size > max_total_bytes_) return;
  if (auto it = lookup(fp, envelope, object); it != lru_.end()) {
    lru_.splice(lru_.begin(), lru_, it);
    return;
  }
  while (!lru_.empty() && (index_.size() >= capacity_ || total_bytes_ + size > max_total_bytes_)) {
    evict_oldest();
  }
  lru_.push_front(Entry{fp, std::vector<std::uint8_t>(envelope.begin(), envelope.end()),
                        object.has_value(), result});
  index_.emplace(fp, lru_.begin());
  total_bytes_ += size_of(lru_.front());
}

void VerificationCache::evict_oldest() {
  const Entry& old = lru_.back();
  auto [it, end] = index_.equal_range(old.fingerprint);
  for (; it != end; ++it) {
    if (&*it->second == &old) {
      index_.erase(it);
      break;
    }
  }
  total_bytes_ -= size_of(old);
  lru_.pop_back();
}

void VerificationCache::set_max_total_bytes(std::size_t max_total_bytes) {
  std::lock_guard lock(mu_);
  max_total_bytes_ = max_total_bytes;
  while (!lru_.empty() && total_bytes_ > max_total_bytes_) evict_oldest();
}

VerificationCache::Stats VerificationCache::stats() const {
  std::lock_guard lock(mu_);
  return Stats{index_.size(), hits_, misses_, total_bytes_};
}

}  // namespace pqbpf::gate

// ProbeCache (see probe_cache.h).
#include "probe_cache.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>

namespace pqbpf::sandbox::internal {
namespace {

void append_u32(std::string& out, std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }

std::string key_of(const OwnLoadRequest& r) {
  std::string key;
  append_u32(key, r.prog_type);
  append_u32(key, r.expected_attach_type);
  append_u32(key, r.prog_flags);
  append_u32(key, r.kern_version);
  append_u32(key, static_cast<std::uint32_t>(r.name.size()));
  key += r.name;
  append_u32(key, static_cast<std::uint32_t>(r.license.size()));
  key += r.license;
  key.append(reinterpret_cast<const char*>(r.insns.data()), r.insns.size());
  return key;
}

}  // namespace

OwnLoadResult ProbeCache::load(const OwnLoadRequest& request) {
  const std::string key = key_of(request);
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    OwnLoadResult out;
    out.fd = UniqueFd(::fcntl(it->second.fd.get(), F_DUPFD_CLOEXEC, 0));
    if (out.fd.valid()) {
      out.info = it->second.info;
      return out;
    }
    // No descriptor to spare: load afresh, as without the cache.
  }
  OwnLoadResult loaded = load_program(request);
  if (loaded.fd.valid() && entries_.size() < kMaxEntries && !entries_.contains(key)) {
    UniqueFd kept(::fcntl(loaded.fd.get(), F_DUPFD_CLOEXEC, 0));
    if (kept.valid()) entries_.emplace(key, Entry{std::move(kept), loaded.info});
  }
  return loaded;
}

}  // namespace pqbpf::sandbox::internal

// The shape of a pin path and a pin name, shared by the request parser (which
// refuses bad paths before anything else happens) and the loader (which pins).
// Header-only so the client library does not need libbpf.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pqbpf::loader {

constexpr std::size_t kMaxPinPath = 256;
constexpr std::size_t kMaxPinName = 200;

inline bool pin_char_is_safe(char c) {
  // No '.': bpffs refuses names containing one (and "." / ".." never arise).
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// 1..kMaxPinName bytes of [A-Za-z0-9_-].
inline bool pin_name_is_safe(std::string_view name) {
  if (name.empty() || name.size() > kMaxPinName) return false;
  for (char c : name) {
    if (!pin_char_is_safe(c)) return false;
  }
  return true;
}

// 1..kMaxPinPath bytes; components separated by single '/', each a safe
// name; an optional leading '/' (absolute paths must still lie under the
// pin root, which the loader checks).
inline bool pin_path_is_safe(std::string_view path) {
  if (path.empty() || path.size() > kMaxPinPath) return false;
  std::size_t start = path.front() == '/' ? 1 : 0;
  if (start == path.size()) return false;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (!pin_name_is_safe(path.substr(start, end - start))) return false;
    start = end + 1;
  }
  return true;
}

// A pin name for a kernel object's name: unsafe characters become '_'
// (".rodata" -> "_rodata"), cut to kMaxPinName.
inline std::string pin_name_for(std::string_view prefix, std::string_view name) {
  std::string out(prefix);
  for (char c : name) out += pin_char_is_safe(c) ? c : '_';
  if (out.size() > kMaxPinName) out.resize(kMaxPinName);
  return out;
}

}  // namespace pqbpf::loader

// libbpf print-hook capture (see libbpf_quiet.h).
#include "libbpf_quiet.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <mutex>

namespace pqbpf::bpf::internal {
namespace {

std::recursive_mutex g_mutex;                 // guards the hook and g_lines
std::vector<std::string>* g_lines = nullptr;  // the active collector

constexpr std::size_t kMaxLines = 64;
constexpr std::size_t kMaxLineLength = 512;

int capture(enum libbpf_print_level level, const char* format, va_list args) {
  if (level != LIBBPF_WARN || g_lines == nullptr || g_lines->size() >= kMaxLines) return 0;
  char buf[kMaxLineLength];
  va_list copy;
  va_copy(copy, args);
  const int n = std::vsnprintf(buf, sizeof buf, format, copy);
  va_end(copy);
  if (n < 0) return 0;
  std::string line(buf);
  constexpr std::string_view kPrefix = "libbpf: ";
  if (line.rfind(kPrefix, 0) == 0) line.erase(0, kPrefix.size());
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  for (char& c : line) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  }
  if (!line.empty()) g_lines->push_back(std::move(line));
  return 0;
}

}  // namespace

std::vector<std::string> with_libbpf_quiet(const std::function<void()>& fn) {
  std::lock_guard<std::recursive_mutex> lock(g_mutex);
  std::vector<std::string> lines;
  std::vector<std::string>* outer = g_lines;
  g_lines = &lines;
  const libbpf_print_fn_t previous = libbpf_set_print(capture);
  fn();
  libbpf_set_print(previous);
  g_lines = outer;
  return lines;
}

}  // namespace pqbpf::bpf::internal

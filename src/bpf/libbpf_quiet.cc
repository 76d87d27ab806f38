// libbpf print-hook capture (see libbpf_quiet.h).
#include "libbpf_quiet.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <mutex>

namespace pqbpf::bpf::internal {
namespace {

// libbpf calls its print hook on the thread that made the call, so each
// thread collects into its own vector, and the libbpf calls of different
// threads (the gate's workers loading objects) run in parallel. Only
// installing and restoring the process-wide hook is under the mutex.
std::mutex g_install;                       // guards g_active and g_previous
int g_active = 0;                           // with_libbpf_quiet calls running, all threads
libbpf_print_fn_t g_previous = nullptr;     // the hook before the first of them
thread_local std::vector<std::string>* t_lines = nullptr;  // this thread's collector

constexpr std::size_t kMaxLines = 64;
constexpr std::size_t kMaxLineLength = 512;

int capture(enum libbpf_print_level level, const char* format, va_list args) {
  if (level != LIBBPF_WARN || t_lines == nullptr || t_lines->size() >= kMaxLines) return 0;
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
  if (!line.empty()) t_lines->push_back(std::move(line));
  return 0;
}

}  // namespace

std::vector<std::string> with_libbpf_quiet(const std::function<void()>& fn) {
  std::vector<std::string> lines;
  std::vector<std::string>* const outer = t_lines;  // nested calls: the inner one collects
  t_lines = &lines;
  {
    std::lock_guard lock(g_install);
    if (g_active++ == 0) g_previous = libbpf_set_print(capture);
  }
  struct Restore {
    std::vector<std::string>* outer;
    ~Restore() {
      std::lock_guard lock(g_install);
      if (--g_active == 0) libbpf_set_print(g_previous);
      t_lines = outer;
    }
  } restore{outer};
  fn();
  return lines;
}

}  // namespace pqbpf::bpf::internal

// Run-time choice of the crypto implementation (see cpu_dispatch.h).
//
// CPUID says what the processor implements; XGETBV says which register
// states the OS saves on a context switch. Using AVX registers the OS does
// not save would corrupt them silently, so both must agree: AVX2 needs XCR0
// bits 1-2 (SSE, AVX), AVX-512 additionally bits 5-7 (opmask, ZMM_Hi256,
// Hi16_ZMM).
#include "cpu_dispatch.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace pqbpf::crypto::internal {
namespace {

#if defined(__x86_64__)
std::uint64_t xgetbv0() {
  std::uint32_t lo = 0;
  std::uint32_t hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (std::uint64_t{hi} << 32) | lo;
}

CryptoImpl detect() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0) return CryptoImpl::kScalar;
  const bool osxsave = (c >> 27) & 1;
  const bool avx = (c >> 28) & 1;
  if (!osxsave || !avx) return CryptoImpl::kScalar;
  const std::uint64_t xcr0 = xgetbv0();
  if ((xcr0 & 0x6) != 0x6) return CryptoImpl::kScalar;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return CryptoImpl::kScalar;
  const bool bmi1 = (b >> 3) & 1;
  const bool avx2 = (b >> 5) & 1;
  const bool bmi2 = (b >> 8) & 1;
  if (!(avx2 && bmi1 && bmi2)) return CryptoImpl::kScalar;
  const bool avx512f = (b >> 16) & 1;
  const bool avx512vl = (b >> 31) & 1;
  if (avx512f && avx512vl && (xcr0 & 0xE0) == 0xE0) return CryptoImpl::kAvx512;
  return CryptoImpl::kAvx2;
}
#else
CryptoImpl detect() { return CryptoImpl::kScalar; }
#endif

CryptoImpl clamp(CryptoImpl want) {
  const CryptoImpl best = best_supported_impl();
  return want > best ? best : want;
}

// -1 until the first active_impl(): a constant initialiser, so no ordering
// question arises whoever calls first, even from another static initialiser.
constinit std::atomic<int> g_active{-1};

}  // namespace

CryptoImpl best_supported_impl() {
  static const CryptoImpl best = detect();  // thread-safe function-local static
  return best;
}

bool impl_supported(CryptoImpl impl) { return impl <= best_supported_impl(); }

std::string_view impl_name(CryptoImpl impl) {
  switch (impl) {
    case CryptoImpl::kScalar: return "scalar";
    case CryptoImpl::kAvx2: return "avx2";
    case CryptoImpl::kAvx512: return "avx512";
  }
  return "?";
}

bool parse_impl_name(std::string_view name, CryptoImpl& out) {
  for (CryptoImpl impl : {CryptoImpl::kScalar, CryptoImpl::kAvx2, CryptoImpl::kAvx512}) {
    if (name == impl_name(impl)) {
      out = impl;
      return true;
    }
  }
  return false;
}

CryptoImpl active_impl() {
  const int v = g_active.load(std::memory_order_relaxed);
  if (v >= 0) return static_cast<CryptoImpl>(v);
  CryptoImpl chosen = best_supported_impl();
  if (const char* env = std::getenv("PQBPF_CRYPTO_IMPL"); env != nullptr) {
    CryptoImpl wanted;
    if (parse_impl_name(env, wanted)) chosen = clamp(wanted);
  }
  // Two threads racing here compute the same value; the first store wins.
  int expected = -1;
  g_active.compare_exchange_strong(expected, static_cast<int>(chosen), std::memory_order_relaxed);
  return static_cast<CryptoImpl>(g_active.load(std::memory_order_relaxed));
}

bool force_impl(CryptoImpl impl) {
  if (!impl_supported(impl)) return false;
  g_active.store(static_cast<int>(impl), std::memory_order_relaxed);
  return true;
}

}  // namespace pqbpf::crypto::internal

// Constant-time helpers and the SECRET / DECLASSIFY markers.
//
// Secret-dependent code in pqbpf_crypto must not branch on, or index memory
// with, secret values. The helpers below compute on masks (all-ones or zero)
// instead of booleans, and pass values through an empty asm "value barrier" so
// the optimiser cannot turn the arithmetic back into a branch.
//
// PQBPF_SECRET(p, n) marks n bytes as secret: under valgrind's memcheck they
// become "undefined", so any branch or address that depends on them is
// reported as an error. PQBPF_DECLASSIFY(p, n) marks bytes as public again; it
// is used only where FIPS 204 allows a value to be observed, and every use
// carries a comment saying why. Outside valgrind both markers cost a handful of
// no-op instructions, so they are always compiled in when the valgrind headers
// are available (define PQBPF_NO_CT_MARKERS to drop them).
#pragma once

#include <cstddef>
#include <cstdint>

#if !defined(PQBPF_NO_CT_MARKERS) && defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define PQBPF_CT_MARKERS_ENABLED 1
#endif
#endif

#if defined(PQBPF_CT_MARKERS_ENABLED)
#define PQBPF_SECRET(ptr, len) ((void)VALGRIND_MAKE_MEM_UNDEFINED((ptr), (len)))
#define PQBPF_DECLASSIFY(ptr, len) ((void)VALGRIND_MAKE_MEM_DEFINED((ptr), (len)))
#else
#define PQBPF_SECRET(ptr, len) ((void)(ptr), (void)(len))
#define PQBPF_DECLASSIFY(ptr, len) ((void)(ptr), (void)(len))
#endif

namespace pqbpf::crypto::ct {

// True when PQBPF_SECRET / PQBPF_DECLASSIFY are real memcheck requests.
#if defined(PQBPF_CT_MARKERS_ENABLED)
inline constexpr bool kMarkersEnabled = true;
#else
inline constexpr bool kMarkersEnabled = false;
#endif

// Hides a value from the optimiser so it cannot reason about its range and
// reintroduce a branch (BoringSSL's value_barrier).
inline std::uint32_t value_barrier(std::uint32_t x) {
  __asm__("" : "+r"(x) : :);
  return x;
}
inline std::int32_t value_barrier(std::int32_t x) {
  __asm__("" : "+r"(x) : :);
  return x;
}
inline std::uint64_t value_barrier(std::uint64_t x) {
  __asm__("" : "+r"(x) : :);
  return x;
}

// All-ones if x is negative, else zero.
inline std::uint32_t mask_negative(std::int32_t x) {
  return value_barrier(static_cast<std::uint32_t>(x >> 31));
}

// All-ones if x == 0, else zero.
inline std::uint32_t mask_is_zero(std::uint32_t x) {
  // (~x & (x - 1)) has its top bit set only for x == 0.
  return value_barrier(static_cast<std::uint32_t>(
      static_cast<std::int32_t>(~x & (x - 1)) >> 31));
}

// All-ones if a == b, else zero.
inline std::uint32_t mask_eq(std::uint32_t a, std::uint32_t b) { return mask_is_zero(a ^ b); }

// All-ones if a < b (signed, |a - b| < 2^31), else zero.
inline std::uint32_t mask_lt(std::int32_t a, std::int32_t b) { return mask_negative(a - b); }

// mask ? a : b, for mask all-ones or zero.
inline std::uint32_t select(std::uint32_t mask, std::uint32_t a, std::uint32_t b) {
  return b ^ (value_barrier(mask) & (a ^ b));
}
inline std::int32_t select(std::uint32_t mask, std::int32_t a, std::int32_t b) {
  return static_cast<std::int32_t>(
      select(mask, static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(b)));
}

// |x| for x > INT32_MIN, without a branch.
inline std::int32_t abs(std::int32_t x) {
  const std::int32_t m = x >> 31;
  return (x ^ m) - m;
}

// 1 if mask is all-ones, 0 if zero.
inline std::uint32_t mask_to_bit(std::uint32_t mask) { return mask & 1U; }

}  // namespace pqbpf::crypto::ct

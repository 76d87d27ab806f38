// Which implementation of the hot crypto loops runs: the portable scalar code,
// AVX2 (x86-64-v3: AVX2, BMI1, BMI2), or AVX-512 (F and VL on top of that).
//
// Chosen once per process, lazily on first use (no static initialiser, so no
// initialisation-order hazard): the best level the CPU reports through CPUID
// *and* the OS enables in XCR0 (XGETBV), lowered by the environment variable
// PQBPF_CRYPTO_IMPL=scalar|avx2|avx512 when it is set. A request above what
// the machine supports falls back to the best supported level below it; an
// unknown value is ignored. Every level computes bit-identical results
// (dispatch_test.cc checks keys and signatures on the ACVP suites).
//
// Tests switch levels with ScopedCryptoImpl, which restores the previous
// level even when an assertion returns early.
#pragma once

#include <string_view>

namespace pqbpf::crypto::internal {

enum class CryptoImpl : int { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

// What this CPU and OS can run (computed once, cached).
bool impl_supported(CryptoImpl impl);
CryptoImpl best_supported_impl();

// The level in use now (a relaxed atomic load after the first call).
CryptoImpl active_impl();
inline bool use_avx2() { return active_impl() >= CryptoImpl::kAvx2; }
inline bool use_avx512() { return active_impl() >= CryptoImpl::kAvx512; }

// "scalar", "avx2", "avx512".
std::string_view impl_name(CryptoImpl impl);
// Parses a PQBPF_CRYPTO_IMPL value; false if unknown.
bool parse_impl_name(std::string_view name, CryptoImpl& out);

// Tests and benchmarks: selects `impl` for all later calls in every thread.
// Returns false and changes nothing if the machine cannot run it.
bool force_impl(CryptoImpl impl);

// Selects a level for one scope and restores the previous one on exit.
class ScopedCryptoImpl {
 public:
  explicit ScopedCryptoImpl(CryptoImpl impl) : previous_(active_impl()) { ok_ = force_impl(impl); }
  ~ScopedCryptoImpl() { force_impl(previous_); }
  ScopedCryptoImpl(const ScopedCryptoImpl&) = delete;
  ScopedCryptoImpl& operator=(const ScopedCryptoImpl&) = delete;
  // Whether the requested level is now active.
  bool ok() const { return ok_; }

 private:
  CryptoImpl previous_;
  bool ok_ = false;
};

}  // namespace pqbpf::crypto::internal

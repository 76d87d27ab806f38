// crypto_bench: speed of our FIPS 202 and FIPS 204 code against OpenSSL 3.0
// baselines measured in the same run, so the ratios hold on any machine.
//
// Benchmarks: SHA3-256 at 64 B, 4 KiB and 1 MiB (ours and OpenSSL's EVP);
// ML-DSA-44/65/87 keygen, sign, cold verify (parse the public key, then
// verify: what every `pqc-bpf verify` and every first sight of a signer
// pays; the headline) and warm verify (the key's expanded matrix cached);
// OpenSSL Ed25519 and ECDSA P-256 keygen, sign and verify; each Keccak-f[1600]
// kernel alone (keccak_f1600_*, skipped when the CPU lacks it). After the usual
// table it prints one `ratio <ours>/<baseline> = X.XX` line per pair and a
// PASS/MISS line per target of issue 15:
//   - ML-DSA-65 cold verify <= 0.25x Ed25519 verify;
//   - ML-DSA-65 sign <= 2.5x Ed25519 sign; keygen <= 0.75x Ed25519 sign;
//   - SHA3-256 throughput >= 1.1x OpenSSL's at 1 MiB and >= 1.5x at 64 B.
// Ratios use the fastest repetition (or, with aggregates only, the median) of
// each benchmark's time. On a busy machine pass --benchmark_repetitions=N,
// and --ratio_time=cpu to compare CPU time instead of wall-clock time. The
// implementation level (scalar, avx2, avx512) is the library's run-time
// choice; PQBPF_CRYPTO_IMPL=scalar|avx2|avx512 forces one. Not a test: the
// exit status is 0 whatever the ratios.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cpu_dispatch.h"
#include "keccak_f1600.h"
#include "pqbpf/crypto/sha3.h"
#ifdef PQBPF_BENCH_MLDSA
#include "pqbpf/crypto/mldsa.h"
#endif

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes pattern_bytes(std::size_t n, std::uint8_t salt) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(i * 131 + salt);
  return out;
}

// The message every signature benchmark signs or verifies: 64 bytes, the
// size of a digest-bearing manifest field; long messages only add hashing.
const Bytes& bench_message() {
  static const Bytes msg = pattern_bytes(64, 7);
  return msg;
}

// ---- SHA3-256, ours and OpenSSL's ----

void sha3_ours(benchmark::State& state, std::size_t size) {
  const Bytes data = pattern_bytes(size, 1);
  for (auto _ : state) {
    auto digest = pqbpf::crypto::sha3_256(data);
    benchmark::DoNotOptimize(digest);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

void sha3_openssl(benchmark::State& state, std::size_t size) {
  const Bytes data = pattern_bytes(size, 1);
  unsigned char digest[32];
  unsigned int len = 0;
  for (auto _ : state) {
    if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha3_256(), nullptr) != 1) {
      state.SkipWithError("EVP_Digest failed");
      break;
    }
    benchmark::DoNotOptimize(digest);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

// ---- Keccak-f[1600] kernels (per call; items = permutations) ----

namespace ki = pqbpf::crypto::internal;

template <typename Kernel>
void keccak_kernel(benchmark::State& state, ki::CryptoImpl needs, int ways, Kernel kernel) {
  if (!ki::impl_supported(needs)) {
    state.SkipWithError("not supported on this CPU");
    return;
  }
  alignas(64) std::uint64_t lanes[25 * ki::kKeccakBatch] = {};
  for (auto _ : state) {
    kernel(lanes);
    benchmark::DoNotOptimize(lanes);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * ways));
}

void register_keccak_benchmarks() {
  using ki::CryptoImpl;
  benchmark::RegisterBenchmark("keccak_f1600_scalar", keccak_kernel<void (*)(std::uint64_t*)>,
                               CryptoImpl::kScalar, 1,
                               [](std::uint64_t* l) { ki::keccak_f1600_scalar(l); });
  benchmark::RegisterBenchmark("keccak_f1600_v3", keccak_kernel<void (*)(std::uint64_t*)>,
                               CryptoImpl::kAvx2, 1,
                               [](std::uint64_t* l) { ki::keccak_f1600_v3(l); });
  benchmark::RegisterBenchmark("keccak_f1600_avx512", keccak_kernel<void (*)(std::uint64_t*)>,
                               CryptoImpl::kAvx512, 1,
                               [](std::uint64_t* l) { ki::keccak_f1600_avx512(l); });
  benchmark::RegisterBenchmark("keccak_f1600_x4_avx2", keccak_kernel<void (*)(std::uint64_t*)>,
                               CryptoImpl::kAvx2, 4,
                               [](std::uint64_t* l) { ki::keccak_f1600_x4_avx2(l, 8); });
  benchmark::RegisterBenchmark("keccak_f1600_x4_avx512vl",
                               keccak_kernel<void (*)(std::uint64_t*)>, CryptoImpl::kAvx512, 4,
                               [](std::uint64_t* l) { ki::keccak_f1600_x4_avx512vl(l, 8); });
  benchmark::RegisterBenchmark("keccak_f1600_x8_avx512", keccak_kernel<void (*)(std::uint64_t*)>,
                               CryptoImpl::kAvx512, 8,
                               [](std::uint64_t* l) { ki::keccak_f1600_x8_avx512(l); });
}

// ---- OpenSSL signature baselines ----

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// Signs bench_message() once with key into sig; false on failure.
bool openssl_sign_once(EVP_PKEY* key, const EVP_MD* md, Bytes& sig) {
  const Bytes& msg = bench_message();
  sig.resize(EVP_PKEY_get_size(key));
  std::size_t sig_len = sig.size();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = ctx != nullptr && EVP_DigestSignInit(ctx, nullptr, md, nullptr, key) == 1 &&
                  EVP_DigestSign(ctx, sig.data(), &sig_len, msg.data(), msg.size()) == 1;
  EVP_MD_CTX_free(ctx);
  sig.resize(sig_len);
  return ok;
}

PkeyPtr openssl_keygen(bool ed25519) {
  return ed25519 ? PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"))
                 : PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
}

void openssl_keygen_bench(benchmark::State& state, bool ed25519) {
  for (auto _ : state) {
    PkeyPtr key = openssl_keygen(ed25519);
    if (!key) {
      state.SkipWithError("key generation failed");
      break;
    }
    benchmark::DoNotOptimize(key.get());
  }
}

// One-shot EVP_DigestSign (init included: what a caller pays per signature).
void openssl_sign_bench(benchmark::State& state, bool ed25519) {
  PkeyPtr key = openssl_keygen(ed25519);
  const EVP_MD* md = ed25519 ? nullptr : EVP_sha256();
  Bytes sig;
  if (!key) {
    state.SkipWithError("key generation failed");
    return;
  }
  for (auto _ : state) {
    if (!openssl_sign_once(key.get(), md, sig)) {
      state.SkipWithError("signing failed");
      break;
    }
    benchmark::DoNotOptimize(sig.data());
  }
}

// One-shot EVP_DigestVerify with an already decoded key (init included).
void openssl_verify_bench(benchmark::State& state, bool ed25519) {
  PkeyPtr key = openssl_keygen(ed25519);
  const EVP_MD* md = ed25519 ? nullptr : EVP_sha256();
  Bytes sig;
  if (!key || !openssl_sign_once(key.get(), md, sig)) {
    state.SkipWithError("key generation or signing failed");
    return;
  }
  const Bytes& msg = bench_message();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  for (auto _ : state) {
    EVP_MD_CTX_reset(ctx);
    if (EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key.get()) != 1 ||
        EVP_DigestVerify(ctx, sig.data(), sig.size(), msg.data(), msg.size()) != 1) {
      state.SkipWithError("verification failed");
      break;
    }
  }
  EVP_MD_CTX_free(ctx);
}

// ---- ML-DSA ----

#ifdef PQBPF_BENCH_MLDSA
namespace mldsa = pqbpf::crypto::mldsa;

std::array<std::uint8_t, mldsa::kSeedSize> bench_seed() {
  std::array<std::uint8_t, mldsa::kSeedSize> seed;
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(i);
  return seed;
}

void mldsa_keygen(benchmark::State& state, mldsa::ParameterSet set) {
  auto seed = bench_seed();
  for (auto _ : state) {
    auto kp = mldsa::generate_key_pair(set, seed);
    benchmark::DoNotOptimize(kp);
    seed[0]++;  // a fresh key each time, as in real use
  }
}

// Deterministic signing: same work as hedged minus one getrandom(2) call, and
// repeatable (the rejection-loop count depends on the message and key).
void mldsa_sign(benchmark::State& state, mldsa::ParameterSet set) {
  const auto kp = mldsa::generate_key_pair(set, bench_seed());
  const Bytes& msg = bench_message();
  for (auto _ : state) {
    auto sig = mldsa::sign(kp.private_key, msg, {}, mldsa::SigningMode::kDeterministic);
    if (!sig.ok()) {
      state.SkipWithError("sign failed");
      break;
    }
    benchmark::DoNotOptimize(sig);
  }
}

// Warm: one parsed key, verified against again and again, so the expanded
// matrix A and NTT(t1) are cached after the first iteration.
void mldsa_verify_warm(benchmark::State& state, mldsa::ParameterSet set) {
  const auto kp = mldsa::generate_key_pair(set, bench_seed());
  const Bytes& msg = bench_message();
  auto sig = mldsa::sign(kp.private_key, msg, {}, mldsa::SigningMode::kDeterministic);
  if (!sig.ok()) {
    state.SkipWithError("sign failed");
    return;
  }
  for (auto _ : state) {
    if (!mldsa::verify(kp.public_key, msg, {}, *sig).ok()) {
      state.SkipWithError("verification failed");
      break;
    }
  }
}

// Cold: parse the encoded public key, then verify (tr = H(pk), ExpandA and
// NTT(t1) every time), as a one-shot `pqc-bpf verify` does.
void mldsa_verify_cold(benchmark::State& state, mldsa::ParameterSet set) {
  const auto kp = mldsa::generate_key_pair(set, bench_seed());
  const Bytes pk(kp.public_key.bytes().begin(), kp.public_key.bytes().end());
  const Bytes& msg = bench_message();
  auto sig = mldsa::sign(kp.private_key, msg, {}, mldsa::SigningMode::kDeterministic);
  if (!sig.ok()) {
    state.SkipWithError("sign failed");
    return;
  }
  for (auto _ : state) {
    auto key = mldsa::PublicKey::parse(set, pk);
    if (!key.ok() || !mldsa::verify(*key, msg, {}, *sig).ok()) {
      state.SkipWithError("verification failed");
      break;
    }
  }
}
#endif  // PQBPF_BENCH_MLDSA

void register_benchmarks() {
  register_keccak_benchmarks();
  for (auto [size, label] : {std::pair<std::size_t, const char*>{64, "64B"},
                             {4096, "4KiB"},
                             {1 << 20, "1MiB"}}) {
    benchmark::RegisterBenchmark((std::string("sha3_256_") + label).c_str(), sha3_ours, size);
    benchmark::RegisterBenchmark((std::string("openssl_sha3_256_") + label).c_str(), sha3_openssl,
                                 size);
  }
#ifdef PQBPF_BENCH_MLDSA
  for (auto [set, label] : {std::pair{mldsa::ParameterSet::kMlDsa44, "mldsa44"},
                            {mldsa::ParameterSet::kMlDsa65, "mldsa65"},
                            {mldsa::ParameterSet::kMlDsa87, "mldsa87"}}) {
    const std::string name = label;
    benchmark::RegisterBenchmark((name + "_keygen").c_str(), mldsa_keygen, set)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark((name + "_sign").c_str(), mldsa_sign, set)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark((name + "_verify_cold").c_str(), mldsa_verify_cold, set)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark((name + "_verify_warm").c_str(), mldsa_verify_warm, set)
        ->Unit(benchmark::kMicrosecond);
  }
#endif
  for (auto [ed25519, label] : {std::pair{true, "ed25519"}, {false, "ecdsa_p256"}}) {
    const std::string name = label;
    benchmark::RegisterBenchmark((name + "_keygen").c_str(), openssl_keygen_bench, ed25519)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark((name + "_sign").c_str(), openssl_sign_bench, ed25519)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark((name + "_verify").c_str(), openssl_verify_bench, ed25519)
        ->Unit(benchmark::kMicrosecond);
  }
}

// Which per-iteration time the ratio lines compare: wall-clock (default, as
// Google Benchmark's "Time" column) or CPU time (steadier on a shared machine;
// select with --ratio_time=cpu).
enum class RatioTime { kReal, kCpu };

// The console table as usual, plus the fastest time (seconds per iteration)
// of every benchmark, kept for the ratio lines.
class RecordingReporter : public benchmark::ConsoleReporter {
 public:
  // Colour only on a terminal, so logs and pipes stay plain text.
  explicit RecordingReporter(RatioTime which)
      : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular), which_(which) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const double t =
          which_ == RatioTime::kReal ? run.GetAdjustedRealTime() : run.GetAdjustedCPUTime();
      const double seconds = t / benchmark::GetTimeUnitMultiplier(run.time_unit);
      const std::string name = run.run_name.str();  // without any aggregate suffix
      if (run.run_type == Run::RT_Iteration) {
        auto [it, inserted] = fastest_.emplace(name, seconds);
        if (!inserted && seconds < it->second) it->second = seconds;
      } else if (run.aggregate_name == "median") {
        // --benchmark_report_aggregates_only hides the repetitions themselves.
        median_[name] = seconds;
      }
    }
  }
  // Seconds per iteration (the fastest repetition, else the median), or NaN
  // if the benchmark did not run (filtered out or failed).
  double seconds(const std::string& name) const {
    if (const auto it = fastest_.find(name); it != fastest_.end()) return it->second;
    if (const auto it = median_.find(name); it != median_.end()) return it->second;
    return std::numeric_limits<double>::quiet_NaN();
  }

 private:
  RatioTime which_;
  std::map<std::string, double> fastest_;
  std::map<std::string, double> median_;
};

// Prints `ratio ours/baseline = X.XX` (time ratio: lower is better for ours).
[[maybe_unused]] double print_time_ratio(const RecordingReporter& r, const std::string& ours,
                        const std::string& baseline) {
  const double ratio = r.seconds(ours) / r.seconds(baseline);
  if (ratio == ratio) std::printf("ratio %s/%s = %.2f\n", ours.c_str(), baseline.c_str(), ratio);
  return ratio;
}

// Prints a throughput ratio (higher is better for ours).
double print_throughput_ratio(const RecordingReporter& r, const std::string& ours,
                              const std::string& baseline) {
  const double ratio = r.seconds(baseline) / r.seconds(ours);
  if (ratio == ratio) {  // not NaN: both sides ran
    std::printf("ratio %s_throughput/%s_throughput = %.2f\n", ours.c_str(), baseline.c_str(),
                ratio);
  }
  return ratio;
}

void print_target(const char* what, double value, bool met) {
  if (value != value) {  // NaN: one side of the pair did not run
    std::printf("SKIP target %s (not measured in this run)\n", what);
    return;
  }
  std::printf("%s target %s (measured %.2f)\n", met ? "PASS" : "MISS", what, value);
}

}  // namespace

int main(int argc, char** argv) {
  // Our one flag, removed before Google Benchmark parses the rest.
  RatioTime which = RatioTime::kReal;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--ratio_time=cpu") {
      which = RatioTime::kCpu;
    } else if (arg == "--ratio_time=real") {
      which = RatioTime::kReal;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  register_benchmarks();
  std::printf("pqbpf_crypto implementation: %s (best on this machine: %s)\n",
              std::string(pqbpf::crypto::internal::impl_name(
                  pqbpf::crypto::internal::active_impl())).c_str(),
              std::string(pqbpf::crypto::internal::impl_name(
                  pqbpf::crypto::internal::best_supported_impl())).c_str());
  RecordingReporter reporter(which);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  std::printf("\nratios of the %s time per iteration (lower time is better; "
              "throughput ratios: higher is better)\n",
              which == RatioTime::kReal ? "real" : "CPU");
  for (const char* size : {"64B", "4KiB", "1MiB"}) {
    print_throughput_ratio(reporter, std::string("sha3_256_") + size,
                           std::string("openssl_sha3_256_") + size);
  }
  const double sha3_64 =
      reporter.seconds("openssl_sha3_256_64B") / reporter.seconds("sha3_256_64B");
  const double sha3_1mib =
      reporter.seconds("openssl_sha3_256_1MiB") / reporter.seconds("sha3_256_1MiB");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  double cold65 = nan, sign65 = nan, keygen65 = nan;
#ifdef PQBPF_BENCH_MLDSA
  for (const char* set : {"mldsa44", "mldsa65", "mldsa87"}) {
    const std::string s = set;
    const double cold = print_time_ratio(reporter, s + "_verify_cold", "ed25519_verify");
    print_time_ratio(reporter, s + "_verify_warm", "ed25519_verify");
    print_time_ratio(reporter, s + "_verify_cold", "ecdsa_p256_verify");
    print_time_ratio(reporter, s + "_verify_warm", "ecdsa_p256_verify");
    const double sgn = print_time_ratio(reporter, s + "_sign", "ed25519_sign");
    print_time_ratio(reporter, s + "_sign", "ecdsa_p256_sign");
    const double kg = print_time_ratio(reporter, s + "_keygen", "ed25519_sign");
    print_time_ratio(reporter, s + "_keygen", "ed25519_keygen");
    if (s == "mldsa65") {
      cold65 = cold;
      sign65 = sgn;
      keygen65 = kg;
    }
  }
#else
  std::printf("(ML-DSA not in pqbpf_crypto at build time: no ML-DSA benchmarks)\n");
#endif
  print_target("mldsa65_verify_cold <= 0.25x ed25519_verify", cold65, cold65 <= 0.25);
  print_target("mldsa65_sign <= 2.50x ed25519_sign", sign65, sign65 <= 2.5);
  print_target("mldsa65_keygen <= 0.75x ed25519_sign", keygen65, keygen65 <= 0.75);
  print_target("sha3_256_1MiB throughput >= 1.10x openssl_sha3_256_1MiB", sha3_1mib,
               sha3_1mib >= 1.1);
  print_target("sha3_256_64B throughput >= 1.50x openssl_sha3_256_64B", sha3_64, sha3_64 >= 1.5);
  return 0;
}

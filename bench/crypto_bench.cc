// crypto_bench: speed of our FIPS 202 and FIPS 204 code against OpenSSL 3.0
// baselines measured in the same run, so the ratios hold on any machine.
//
// Benchmarks: ML-DSA-44/65/87 keygen, sign and verify; SHA3-256 at 64 B,
// 4 KiB and 1 MiB (ours and OpenSSL's EVP); OpenSSL Ed25519 and ECDSA P-256
// verify. After the usual table it prints one `ratio <ours>/<baseline> = X.XX`
// line per pair and a PASS/MISS line per issue-2 target:
//   - ML-DSA-65 verify no slower than 2x Ed25519 verify;
//   - SHA3-256 at 1 MiB at least 0.7x OpenSSL's throughput.
// Ratios use the fastest repetition (or, with aggregates only, the median) of
// each benchmark's real time. On a busy machine pass --benchmark_repetitions=N,
// or --ratio_time=cpu to compare CPU time instead. Not a test: the exit status
// is 0 whatever the ratios.
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

// ---- OpenSSL signature baselines ----

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// Generates a key, signs bench_message() once, then measures one-shot
// EVP_DigestVerify (init included: that is what a caller pays per check).
void openssl_verify(benchmark::State& state, PkeyPtr key, const EVP_MD* md) {
  if (!key) {
    state.SkipWithError("key generation failed");
    return;
  }
  const Bytes& msg = bench_message();
  Bytes sig(EVP_PKEY_get_size(key.get()));
  std::size_t sig_len = sig.size();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (EVP_DigestSignInit(ctx, nullptr, md, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx, sig.data(), &sig_len, msg.data(), msg.size()) != 1) {
    EVP_MD_CTX_free(ctx);
    state.SkipWithError("signing failed");
    return;
  }
  for (auto _ : state) {
    EVP_MD_CTX_reset(ctx);
    if (EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key.get()) != 1 ||
        EVP_DigestVerify(ctx, sig.data(), sig_len, msg.data(), msg.size()) != 1) {
      state.SkipWithError("verification failed");
      break;
    }
  }
  EVP_MD_CTX_free(ctx);
}

void ed25519_verify(benchmark::State& state) {
  openssl_verify(state, PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")), nullptr);
}

void ecdsa_p256_verify(benchmark::State& state) {
  openssl_verify(state, PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")),
                 EVP_sha256());
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

void mldsa_verify(benchmark::State& state, mldsa::ParameterSet set) {
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
#endif  // PQBPF_BENCH_MLDSA

void register_benchmarks() {
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
    benchmark::RegisterBenchmark((name + "_verify").c_str(), mldsa_verify, set)
        ->Unit(benchmark::kMicrosecond);
  }
#endif
  benchmark::RegisterBenchmark("ed25519_verify", ed25519_verify)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("ecdsa_p256_verify", ecdsa_p256_verify)
      ->Unit(benchmark::kMicrosecond);
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
  const double sha3_1mib =
      reporter.seconds("openssl_sha3_256_1MiB") / reporter.seconds("sha3_256_1MiB");
  double verify65 = std::numeric_limits<double>::quiet_NaN();
#ifdef PQBPF_BENCH_MLDSA
  for (const char* set : {"mldsa44", "mldsa65", "mldsa87"}) {
    const double r = print_time_ratio(reporter, std::string(set) + "_verify", "ed25519_verify");
    if (std::string(set) == "mldsa65") verify65 = r;
    print_time_ratio(reporter, std::string(set) + "_verify", "ecdsa_p256_verify");
  }
#else
  std::printf("(ML-DSA not in pqbpf_crypto at build time: no ML-DSA benchmarks)\n");
#endif
  print_target("mldsa65_verify <= 2.00x ed25519_verify", verify65, verify65 <= 2.0);
  print_target("sha3_256_1MiB throughput >= 0.70x openssl_sha3_256_1MiB", sha3_1mib,
               sha3_1mib >= 0.7);
  return 0;
}

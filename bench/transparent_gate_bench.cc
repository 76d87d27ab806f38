// transparent_gate_bench: an unmodified libbpf skeleton loader
// (examples/skeleton_loader) loading the xdp_counter sample 1,000 times,
// once on its own and once under `pqc-bpf run --envelopes` (every load
// matched, its maps checked, loaded by the supervisor and recorded; every
// probe and map/BTF command passes through the supervisor too), side by
// side in one run, with the log's durability none (records written, never
// fsynced) and batch (each load's record fsynced before the answer, the
// probe's before it with the load's: the loader is single-threaded, so one
// fsync per load). Then
// `ratio run/bare (durability D) = X.XX` (wall time; target < 2), the same
// by medians, and the disk floor of batch: bare_write_fdatasync times an
// append of a record-sized line and its fdatasync beside the log, and as the
// loader is single-threaded each durable load waits for one, so batch cannot
// go below (bare per-load time + fdatasync p50) / bare per-load time.
// Needs root (CAP_BPF).
// Work files go to $PQBPF_BENCH_DIR (default /var/tmp), removed afterwards.
// Not a test: exit 0 whatever the ratio; --benchmark_repetitions=N uses the best.
// On a machine whose speed drifts add --benchmark_enable_random_interleaving=true,
// so that bare and gated runs alternate.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "write_fdatasync.h"

namespace {

constexpr int kLoads = 1000;
std::string g_dir;
std::map<std::string, double> g_best_seconds;
std::map<std::string, std::vector<double>> g_all_seconds;
std::vector<double> g_fdatasync_us;

// Runs `command` through sh; false when it fails.
bool sh(const std::string& command) { return std::system(command.c_str()) == 0; }

std::string quoted(const std::string& s) { return "'" + s + "'"; }

void run_loader(benchmark::State& state, const std::string& name, const std::string& command) {
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    const bool ok = sh(command);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!ok) {
      state.SkipWithError(("failed: " + command).c_str());
      return;
    }
    state.SetIterationTime(s);
    auto [it, fresh] = g_best_seconds.emplace(name, s);
    if (!fresh) it->second = std::min(it->second, s);
    g_all_seconds[name].push_back(s);
  }
  state.counters["loads_per_s"] = benchmark::Counter(kLoads, benchmark::Counter::kIsRate);
}

void bare(benchmark::State& state) {
  run_loader(state, "bare", quoted(PQBPF_SKELETON_LOADER) + " " + std::to_string(kLoads) + " >/dev/null");
}

void under_run(benchmark::State& state, const std::string& durability) {
  // A fresh log each time.
  sh("rm -f " + quoted(g_dir + "/audit.log") + " " + quoted(g_dir + "/audit.log.witness"));
  run_loader(state, "run_" + durability,
             quoted(PQBPF_CLI) + " run --quiet --envelopes " + quoted(g_dir + "/env") + " --policy " +
                 quoted(g_dir + "/policy.yaml") + " --log " + quoted(g_dir + "/audit.log") +
                 " --log-key " + quoted(g_dir + "/log.key") + " --durability " + durability + " -- " +
                 quoted(PQBPF_SKELETON_LOADER) + " " + std::to_string(kLoads) + " >/dev/null 2>&1");
}

void bare_write_fdatasync(benchmark::State& state) {
  pqbpf::bench::WriteFdatasync probe(g_dir);
  if (!probe.ok()) {
    state.SkipWithError(("cannot create " + probe.path()).c_str());
    return;
  }
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    if (!probe.once()) {
      state.SkipWithError("write or fdatasync failed");
      return;
    }
    g_fdatasync_us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
}

BENCHMARK(bare)->Name("skeleton_loader_bare/loads:1000")->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(under_run, none, std::string("none"))
    ->Name("skeleton_loader_under_run/durability:none/loads:1000")->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(under_run, batch, std::string("batch"))
    ->Name("skeleton_loader_under_run/durability:batch/loads:1000")->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(bare_write_fdatasync)->Iterations(200)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  if (::geteuid() != 0) {
    std::fprintf(stderr, "transparent_gate_bench: needs root (it loads BPF programs)\n");
    return 0;
  }
  const char* base = std::getenv("PQBPF_BENCH_DIR");
  std::string tmpl = std::string(base ? base : "/var/tmp") + "/pqbpf-tgate-bench.XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return 1;
  g_dir = tmpl;
  const std::string cli = quoted(PQBPF_CLI);
  const bool ready =
      sh("mkdir " + quoted(g_dir + "/env")) &&
      sh("cp " + quoted(PQBPF_BENCH_SAMPLE) + " " + quoted(g_dir + "/env/xdp_counter.bpf.o")) &&
      sh(cli + " keygen --name bench -o " + quoted(g_dir + "/ops.key") + " >/dev/null") &&
      sh(cli + " sign " + quoted(g_dir + "/env/xdp_counter.bpf.o") + " --key " + quoted(g_dir + "/ops.key") +
         " --name xdp-counter >/dev/null") &&
      sh(cli + " keygen --name log --capability log -o " + quoted(g_dir + "/log.key") + " >/dev/null");
  if (ready) {
    std::ofstream(g_dir + "/policy.yaml") << "rules:\n  - program_types: [xdp]\n    allowed_signers: ["
                                          << g_dir << "/ops.key.pub]\n";
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    for (const char* d : {"none", "batch"}) {
      const std::string key = std::string("run_") + d;
      if (!g_best_seconds.count("bare") || !g_best_seconds.count(key)) continue;
      std::printf("ratio run/bare (durability %s) = %.2f (bare %.1f ms, under run %.1f ms for %d loads; "
                  "target < 2)\n",
                  d, g_best_seconds[key] / g_best_seconds["bare"], g_best_seconds["bare"] * 1e3,
                  g_best_seconds[key] * 1e3, kLoads);
      const double bare_median = pqbpf::bench::percentile(g_all_seconds["bare"], 0.5);
      const double run_median = pqbpf::bench::percentile(g_all_seconds[key], 0.5);
      if (g_all_seconds["bare"].size() > 1 && bare_median > 0) {
        std::printf("ratio run/bare (durability %s, medians of %zu and %zu runs) = %.2f\n", d,
                    g_all_seconds["bare"].size(), g_all_seconds[key].size(), run_median / bare_median);
      }
    }
    // With one single-threaded loader every durable load waits for one fdatasync.
    const double bare_us = pqbpf::bench::percentile(g_all_seconds["bare"], 0.5) * 1e6 / kLoads;
    const double sync_us = pqbpf::bench::percentile(g_fdatasync_us, 0.5);
    if (bare_us > 0 && sync_us > 0) {
      std::printf("disk floor run/bare (durability batch) = %.2f  (median bare load %.0f us + write+fdatasync "
                  "p50 %.0f us)%s\n",
                  (bare_us + sync_us) / bare_us, bare_us, sync_us,
                  (bare_us + sync_us) / bare_us >= 2 ? "  the target 2 is below it" : "");
    }
  } else {
    std::fprintf(stderr, "transparent_gate_bench: could not prepare %s\n", g_dir.c_str());
  }
  std::error_code ec;
  std::filesystem::remove_all(g_dir, ec);
  return 0;
}

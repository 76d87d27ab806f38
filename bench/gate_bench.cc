// gate_bench: allowed loads per second through pqc-bpf-gated against a bare
// libbpf load of the same object, side by side in one run, with p50/p99.
//
//   bare_libbpf_load   bpf_object__open_mem + bpf_object__load + close of
//                      the xdp_pass sample (what a loader does without a gate)
//   gate_load_batch    the same object through a GateServer in this process
//                      (durability batch, 8 workers): the client's default
//                      transport (inline: the request fits one message), verify
//                      (the same envelope every time: the daemon's cache of
//                      allowed verifications answers), policy, libbpf load,
//                      one durable record (decision + kernel ids), fds back
//                      over the socket, close
//   gate_load_*_fresh  the same with 64 distinct envelopes of the same signer
//                      round robin: a full verification each time (with the
//                      signer's cached expanded key)
//   gate_load_none     durability none: everything but the fsync
//   gate_load_none_memfd  the same with the inputs as sealed memfds
//   bare_write_fdatasync  an append of a record-sized line and its fdatasync
//                      in the log's directory: what one durable record costs
//                      on this disk, whatever writes it
// Then `ratio gate/bare = X.XX` (time per load; target < 1.5), the latency
// percentiles, and the CPU time the whole process (clients, event loop,
// workers) spent per load: on a shared machine the CPU ratio says more than
// the wall-clock one. Needs root (CAP_BPF). Log files go to $PQBPF_GATE_BENCH_DIR
// (default /var/tmp), removed afterwards. Not a test: exit 0 whatever the
// ratio; on a busy machine pass --benchmark_repetitions=N (best is used).
#include <benchmark/benchmark.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "pqbpf/attest/signer.h"
#include "pqbpf/core/file_io.h"
#include "pqbpf/core/identity.h"
#include "pqbpf/core/key_file.h"
#include "pqbpf/daemon/server.h"
#include "pqbpf/gate/client.h"
#include "write_fdatasync.h"

namespace {

using Clock = std::chrono::steady_clock;
using pqbpf::bench::percentile;

std::string g_dir;
std::vector<std::uint8_t> g_object;
std::string g_envelope;
// Envelopes of the same signer and object that differ in their metadata:
// more than the daemon's verification cache holds, used round robin, so
// every request of gate_load_*_fresh is verified afresh (a known signer's
// key stays cached).
std::vector<std::string> g_fresh_envelopes;
constexpr int kFreshEnvelopes = 64;
std::map<std::string, std::vector<double>> g_latency_us;
std::mutex g_latency_mu;

// CPU time (user + system) of the whole process, in microseconds.
double process_cpu_us() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

// Process CPU per load over one loop, measured by thread 0 (the others share
// its start and end barriers), reported as the counter "cpu_us/load".
class CpuPerLoad {
 public:
  explicit CpuPerLoad(benchmark::State& state) : state_(state) {}
  void start() {
    if (state_.thread_index() == 0) start_ = process_cpu_us();
  }
  void stop() {
    if (state_.thread_index() != 0 || state_.iterations() == 0) return;
    const double loads = static_cast<double>(state_.iterations()) * state_.threads();
    state_.counters["cpu_us/load"] = (process_cpu_us() - start_) / loads;
  }

 private:
  benchmark::State& state_;
  double start_ = 0;
};

// Per-thread samples, merged under the lock when the loop ends.
struct Latencies {
  explicit Latencies(std::string name) : name_(std::move(name)) {}
  ~Latencies() {
    std::lock_guard lock(g_latency_mu);
    auto& all = g_latency_us[name_];
    all.insert(all.end(), v.begin(), v.end());
  }
  void push_back(double us) { v.push_back(us); }
  std::string name_;
  std::vector<double> v;
};

void bare_load(benchmark::State& state) {
  const std::string name = "bare_libbpf_load/threads:" + std::to_string(state.threads());
  libbpf_set_print([](libbpf_print_level, const char*, va_list) { return 0; });
  Latencies lat(name);
  CpuPerLoad cpu(state);
  cpu.start();
  for (auto _ : state) {
    const auto t0 = Clock::now();
    bpf_object* obj = bpf_object__open_mem(g_object.data(), g_object.size(), nullptr);
    if (obj == nullptr || bpf_object__load(obj) != 0) {
      state.SkipWithError("libbpf load failed (root?)");
      bpf_object__close(obj);
      break;
    }
    bpf_object__close(obj);
    lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  cpu.stop();
  state.SetItemsProcessed(state.iterations());
}

// The disk's floor under durability batch with one client: each load waits
// for the fdatasync of its own record.
void bare_write_fdatasync(benchmark::State& state) {
  pqbpf::bench::WriteFdatasync probe(g_dir);
  if (!probe.ok()) {
    state.SkipWithError(("cannot create " + probe.path()).c_str());
    return;
  }
  Latencies lat("bare_write_fdatasync/threads:1");
  for (auto _ : state) {
    const auto t0 = Clock::now();
    if (!probe.once()) {
      state.SkipWithError("write or fdatasync failed");
      break;
    }
    lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  state.SetItemsProcessed(state.iterations());
}

void gate_load(benchmark::State& state, const std::string& socket, const std::string& label,
               bool fresh = false, pqbpf::gate::Transport transport = pqbpf::gate::Transport::kAuto) {
  const std::string name = label + "/threads:" + std::to_string(state.threads());
  auto client = pqbpf::gate::GateClient::connect(socket);
  if (!client.ok()) {
    state.SkipWithError(client.error().message.c_str());
    return;
  }
  Latencies lat(name);
  const std::span<const std::uint8_t> envelope(reinterpret_cast<const std::uint8_t*>(g_envelope.data()),
                                               g_envelope.size());
  std::size_t next = static_cast<std::size_t>(state.thread_index()) * 7;
  CpuPerLoad cpu(state);
  cpu.start();
  for (auto _ : state) {
    std::span<const std::uint8_t> env = envelope;
    if (fresh) {
      const std::string& e = g_fresh_envelopes[next++ % g_fresh_envelopes.size()];
      env = std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(e.data()), e.size());
    }
    const auto t0 = Clock::now();
    auto reply = client->load(
        {.envelope = env, .object = std::span<const std::uint8_t>(g_object), .transport = transport});
    if (!reply.ok() || !reply->loaded()) {
      state.SkipWithError(reply.ok() ? reply->json.c_str() : reply.error().message.c_str());
      break;
    }
    reply->fds.clear();
    lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  cpu.stop();
  state.SetItemsProcessed(state.iterations());
}

class RecordingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred) continue;
      auto it = run.counters.find("items_per_second");
      if (it == run.counters.end()) continue;
      double& best = rates_[run.run_name.str()];
      best = std::max(best, static_cast<double>(it->second.value));
      auto cpu = run.counters.find("cpu_us/load");
      if (cpu != run.counters.end()) cpu_[run.run_name.str()].push_back(cpu->second.value);
    }
  }
  // Median over the repetitions of the process CPU time per load.
  double cpu_us(const std::string& prefix) const {
    for (const auto& [name, v] : cpu_) {
      if (name.rfind(prefix, 0) != 0 || v.empty()) continue;
      std::vector<double> s = v;
      std::sort(s.begin(), s.end());
      return s[s.size() / 2];
    }
    return 0;
  }
  double rate(const std::string& prefix) const {
    for (const auto& [name, r] : rates_) {
      if (name.rfind(prefix, 0) == 0) return r;
    }
    return 0;
  }

 private:
  std::map<std::string, double> rates_;
  std::map<std::string, std::vector<double>> cpu_;
};

}  // namespace

int main(int argc, char** argv) {
  if (::geteuid() != 0) {
    std::fprintf(stderr, "gate_bench: needs root (CAP_BPF) to load programs\n");
    return 0;
  }
  const char* base = std::getenv("PQBPF_GATE_BENCH_DIR");
  std::string tmpl = std::string(base ? base : "/var/tmp") + "/pqbpf-gate-bench-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return 2;
  g_dir = tmpl;

  auto object = pqbpf::read_file(PQBPF_BENCH_SAMPLE, pqbpf::kMaxObjectFileSize);
  std::array<std::uint8_t, 32> seed{};
  seed.fill(7);
  auto kp = pqbpf::crypto::mldsa::generate_key_pair(pqbpf::crypto::mldsa::ParameterSet::kMlDsa65, seed);
  auto signer = pqbpf::BPFSigner::create(kp.private_key, kp.public_key);
  pqbpf::BPFProgramMetadata meta;
  meta.name = "xdp_pass";
  meta.program_type = pqbpf::BPFProgramType::kXdp;
  if (!object.ok() || !signer.ok()) return 2;
  g_object = *object;
  auto program = pqbpf::BPFProgram::from_bytes(meta, g_object, PQBPF_BENCH_SAMPLE);
  if (!program.ok()) return 2;
  auto signed_program = signer->sign(*program, {});
  auto log_key = pqbpf::Identity::create("audit-log", {"log"});
  if (!signed_program.ok() || !log_key.ok() || !pqbpf::save_key_file(g_dir + "/log.key", *log_key).ok())
    return 2;
  g_envelope = signed_program->to_json();
  for (int i = 0; i < kFreshEnvelopes; ++i) {
    pqbpf::BPFProgramMetadata m = meta;
    m.version = "1." + std::to_string(i);
    auto p = pqbpf::BPFProgram::from_bytes(m, g_object, PQBPF_BENCH_SAMPLE);
    if (!p.ok()) return 2;
    auto sp = signer->sign(*p, {});
    if (!sp.ok()) return 2;
    g_fresh_envelopes.push_back(sp->to_json());
  }
  std::ofstream(g_dir + "/policy.yaml")
      << "rules:\n  - program_types: [xdp]\n    allowed_signers: [" << signer->did().str() << "]\n";
  // Two gates on the same object: durability batch (the target) and none
  // (what verification, policy, IPC and the load cost without any fsync).
  std::vector<std::unique_ptr<pqbpf::daemon::GateServer>> servers;
  std::vector<std::thread> loops;
  for (const std::string mode : {"batch", "none"}) {
    auto config = pqbpf::daemon::parse_config(
        "policy: " + g_dir + "/policy.yaml\nlog:\n  path: " + g_dir + "/audit-" + mode +
            ".log\n  durability: " + mode + "\n  checkpoint_key: " + g_dir + "/log.key\nsocket:\n  path: " +
            g_dir + "/gate-" + mode + ".sock\npin_root: " + g_dir + "/nopins\nstate_dir: " + g_dir +
            "\nlimits:\n  workers: 8\n",
        "bench config");
    if (!config.ok()) {
      std::fprintf(stderr, "gate_bench: %s\n", config.error().message.c_str());
      return 2;
    }
    auto server = pqbpf::daemon::GateServer::create(std::move(config).value());
    if (!server.ok()) {
      std::fprintf(stderr, "gate_bench: %s\n", server.error().message.c_str());
      return 2;
    }
    servers.push_back(std::move(server).value());
    pqbpf::daemon::GateServer* raw = servers.back().get();
    loops.emplace_back([raw] { (void)raw->run(); });
  }

  const std::string batch_socket = g_dir + "/gate-batch.sock";
  const std::string none_socket = g_dir + "/gate-none.sock";
  benchmark::RegisterBenchmark("bare_libbpf_load", bare_load)->UseRealTime()->Threads(1)->Threads(8);
  benchmark::RegisterBenchmark("bare_write_fdatasync", bare_write_fdatasync)->UseRealTime()->Threads(1);
  benchmark::RegisterBenchmark(
      "gate_load_batch",
      [batch_socket](benchmark::State& s) { gate_load(s, batch_socket, "gate_load_batch"); })
      ->UseRealTime()
      ->Threads(1)
      ->Threads(8);
  benchmark::RegisterBenchmark(
      "gate_load_batch_fresh",
      [batch_socket](benchmark::State& s) { gate_load(s, batch_socket, "gate_load_batch_fresh", true); })
      ->UseRealTime()
      ->Threads(1)
      ->Threads(8);
  benchmark::RegisterBenchmark(
      "gate_load_none", [none_socket](benchmark::State& s) { gate_load(s, none_socket, "gate_load_none"); })
      ->UseRealTime()
      ->Threads(1);
  benchmark::RegisterBenchmark("gate_load_none_memfd",
                               [none_socket](benchmark::State& s) {
                                 gate_load(s, none_socket, "gate_load_none_memfd", false,
                                           pqbpf::gate::Transport::kMemfd);
                               })
      ->UseRealTime()
      ->Threads(1);
  benchmark::RegisterBenchmark(
      "gate_load_none_fresh",
      [none_socket](benchmark::State& s) { gate_load(s, none_socket, "gate_load_none_fresh", true); })
      ->UseRealTime()
      ->Threads(1);
  benchmark::Initialize(&argc, argv);
  RecordingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  for (auto& s : servers) s->request_stop();
  for (auto& t : loops) t.join();
  servers.clear();

  std::printf("\n");
  for (const auto& [name, v] : g_latency_us) {
    std::printf("latency %-36s p50 %6.0f us, p99 %6.0f us (%zu loads)\n", name.c_str(), percentile(v, 0.5),
                percentile(v, 0.99), v.size());
  }
  // Time per load through the gate over time per bare load (loads/s inverted).
  auto ratio = [&](const char* label, const std::string& gate, const std::string& bare, bool target) {
    const double g = reporter.rate(gate), b = reporter.rate(bare);
    if (g <= 0 || b <= 0) return;
    std::printf("ratio %s = %.2f  (%.0f vs %.0f loads/s)%s\n", label, b / g, g, b,
                target ? (b / g < 1.5 ? "  target < 1.5: PASS" : "  target < 1.5: MISS") : "");
  };
  ratio("gate_batch/bare (1 client)", "gate_load_batch/real_time/threads:1",
        "bare_libbpf_load/real_time/threads:1", true);
  ratio("gate_batch/bare (8 clients)", "gate_load_batch/real_time/threads:8",
        "bare_libbpf_load/real_time/threads:8", true);
  ratio("gate_batch_fresh/bare (1 client)", "gate_load_batch_fresh/real_time/threads:1",
        "bare_libbpf_load/real_time/threads:1", true);
  ratio("gate_batch_fresh/bare (8 clients)", "gate_load_batch_fresh/real_time/threads:8",
        "bare_libbpf_load/real_time/threads:8", true);
  ratio("gate_none/bare (1 client)", "gate_load_none/real_time/threads:1",
        "bare_libbpf_load/real_time/threads:1", false);
  ratio("gate_none_fresh/bare (1 client)", "gate_load_none_fresh/real_time/threads:1",
        "bare_libbpf_load/real_time/threads:1", false);
  // The same at the median: one slow fsync or a neighbour's burst moves
  // loads/s more than it moves p50.
  auto p50_ratio = [&](const char* label, const std::string& gate, const std::string& bare) {
    const auto g = g_latency_us.find(gate), b = g_latency_us.find(bare);
    if (g == g_latency_us.end() || b == g_latency_us.end()) return;
    const double pg = percentile(g->second, 0.5), pb = percentile(b->second, 0.5);
    if (pb > 0) std::printf("p50 ratio %s = %.2f  (%.0f vs %.0f us)\n", label, pg / pb, pg, pb);
  };
  p50_ratio("gate_batch/bare (1 client)", "gate_load_batch/threads:1", "bare_libbpf_load/threads:1");
  p50_ratio("gate_batch_fresh/bare (1 client)", "gate_load_batch_fresh/threads:1", "bare_libbpf_load/threads:1");
  p50_ratio("gate_none/bare (1 client)", "gate_load_none/threads:1", "bare_libbpf_load/threads:1");
  // With one client every load waits for its own record's fdatasync, so no
  // gate can do better than (bare load + fdatasync) / bare load on this disk.
  {
    const auto f = g_latency_us.find("bare_write_fdatasync/threads:1");
    const auto b = g_latency_us.find("bare_libbpf_load/threads:1");
    if (f != g_latency_us.end() && b != g_latency_us.end()) {
      const double pf = percentile(f->second, 0.5), pb = percentile(b->second, 0.5);
      if (pb > 0) {
        std::printf("disk floor gate_batch/bare (1 client) = %.2f  (p50: bare load %.0f us + write+fdatasync "
                    "%.0f us)%s\n",
                    (pb + pf) / pb, pb, pf, (pb + pf) / pb >= 1.5 ? "  the target 1.5 is below it" : "");
      }
    }
  }
  // CPU time of the whole process per load (clients, event loop, workers,
  // log): what the gate costs the machine, less sensitive to neighbours.
  auto cpu_ratio = [&](const char* label, const std::string& gate, const std::string& bare) {
    const double g = reporter.cpu_us(gate), b = reporter.cpu_us(bare);
    if (g <= 0 || b <= 0) return;
    std::printf("cpu ratio %s = %.2f  (%.0f vs %.0f us CPU per load)\n", label, g / b, g, b);
  };
  cpu_ratio("gate_batch/bare (1 client)", "gate_load_batch/real_time/threads:1",
            "bare_libbpf_load/real_time/threads:1");
  cpu_ratio("gate_batch/bare (8 clients)", "gate_load_batch/real_time/threads:8",
            "bare_libbpf_load/real_time/threads:8");
  cpu_ratio("gate_batch_fresh/bare (1 client)", "gate_load_batch_fresh/real_time/threads:1",
            "bare_libbpf_load/real_time/threads:1");
  cpu_ratio("gate_none/bare (1 client)", "gate_load_none/real_time/threads:1",
            "bare_libbpf_load/real_time/threads:1");
  cpu_ratio("gate_none_fresh/bare (1 client)", "gate_load_none_fresh/real_time/threads:1",
            "bare_libbpf_load/real_time/threads:1");
  std::error_code ec;
  std::filesystem::remove_all(g_dir, ec);
  return 0;
}

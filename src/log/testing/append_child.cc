// append_child: a real process that appends to an audit log, for the crash
// and multi-process tests. After each acknowledged append it writes
// "<seq> <program>\n" to stdout (one write(2) of < PIPE_BUF bytes, so lines
// from several threads never interleave).
//
// usage: append_child LOG DURABILITY THREADS COUNT TAG [CHECKPOINT_EVERY [ROTATE_BYTES [PAD]]]
//   COUNT appends per thread (0: until killed); program names are
//   TAG-<thread>-<k>; PAD bytes of reason_text make records (and group
//   writes) span pages, so a kill can land inside one write(2).
//   Exit 0 after closing the log, 1 on an append error.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "log_test_util.h"
#include "pqbpf/log/log_writer.h"

using namespace pqbpf::log;

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: append_child LOG DURABILITY THREADS COUNT TAG [CP_EVERY [ROTATE]]\n");
    return 2;
  }
  const std::string path = argv[1];
  auto durability = parse_durability(argv[2]);
  if (!durability.ok()) return 2;
  const int threads = std::atoi(argv[3]);
  const long count = std::atol(argv[4]);
  const std::string tag = argv[5];
  LogOptions options;
  options.durability = *durability;
  if (argc > 6) options.checkpoint_every = std::strtoull(argv[6], nullptr, 10);
  if (argc > 7) options.rotate_bytes = std::strtoull(argv[7], nullptr, 10);
  const std::size_t pad = argc > 8 ? std::strtoull(argv[8], nullptr, 10) : 0;
  auto writer = LogWriter::open(path, testing::test_signer(), options);
  if (!writer.ok()) {
    std::fprintf(stderr, "append_child: %s\n", writer.error().message.c_str());
    return 1;
  }
  std::atomic<bool> failed{false};
  auto work = [&](int t) {
    for (long k = 0; count == 0 || k < count; ++k) {
      const std::string program = tag + "-" + std::to_string(t) + "-" + std::to_string(k);
      AttemptRecord attempt = testing::sample_attempt(program);
      if (pad != 0) attempt.reason_text = std::string(std::min<std::size_t>(pad, kMaxFieldBytes), 'x');
      auto r = (*writer)->append(attempt);
      if (!r.ok()) {
        std::fprintf(stderr, "append_child: %s\n", r.error().message.c_str());
        failed = true;
        return;
      }
      const std::string ack = std::to_string(r->seq) + " " + program + "\n";
      if (::write(1, ack.data(), ack.size()) != static_cast<ssize_t>(ack.size())) {
        failed = true;
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
  for (auto& th : pool) th.join();
  auto st = (*writer)->close();
  if (!st.ok()) {
    std::fprintf(stderr, "append_child: %s\n", st.error().message.c_str());
    return 1;
  }
  return failed ? 1 : 0;
}

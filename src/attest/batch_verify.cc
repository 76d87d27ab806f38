// verify_envelope_files (see batch_verify.h): a fixed pool of workers pulling
// indices from one atomic counter and writing each result into its own slot,
// so no lock is held while verifying and the output order is the input order.
#include "pqbpf/attest/batch_verify.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace pqbpf {

std::vector<VerificationResult> verify_envelope_files(const std::vector<std::string>& envelope_paths,
                                                      unsigned threads, const VerifyOptions& options) {
  std::vector<VerificationResult> results(envelope_paths.size());
  if (envelope_paths.empty()) return results;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, envelope_paths.size()));

  std::atomic<std::size_t> next{0};
  auto work = [&]() noexcept {
    for (std::size_t i = next.fetch_add(1); i < envelope_paths.size(); i = next.fetch_add(1)) {
      try {
        results[i] = verify_envelope_file(envelope_paths[i], std::nullopt, options);
      } catch (...) {  // verify_envelope_file does not throw; fail closed if it ever does
        results[i] = VerificationResult{};
        results[i].error = envelope_paths[i] + ": internal error during verification";
      }
    }
  };
  std::vector<std::thread> pool;
  try {
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  } catch (...) {
    // Could not start a thread: the calling thread does the rest alone.
  }
  work();
  for (auto& thread : pool) thread.join();
  return results;
}

}  // namespace pqbpf

// verify_envelope_files: verifies many envelope files across all cores
// (issue 15). Each file is verified exactly as verify_envelope_file does
// (read once, detached object next to it or embedded); the results come back
// in input order, whatever order the threads finished in. Never throws.
#pragma once

#include <string>
#include <vector>

#include "pqbpf/attest/verifier.h"

namespace pqbpf {

// `threads` 0: one per online CPU (std::thread::hardware_concurrency), never
// more than there are paths. Workers take the next path from a shared
// counter, so a slow envelope does not hold up the others. A given
// options.before_parse is called from several threads at once.
std::vector<VerificationResult> verify_envelope_files(const std::vector<std::string>& envelope_paths,
                                                      unsigned threads = 0,
                                                      const VerifyOptions& options = {});

}  // namespace pqbpf

// Paths the bpf tests read, from the environment CTest sets
// (cmake/PqbpfTest.cmake): our compiled samples and the shared corpus.
#pragma once

#include <cstdlib>
#include <string>

namespace pqbpf::bpf::testing {

inline std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : fallback;
}

// <build>/examples/bpf/<name>.bpf.o
inline std::string sample_object(const std::string& name) {
  return env_or("PQBPF_BINARY_DIR", ".") + "/examples/bpf/" + name + ".bpf.o";
}

inline bool have_shared() { return env_or("PQBPF_HAVE_SHARED", "OFF") == "ON"; }

inline std::string corpus_dir() { return env_or("PQBPF_SHARED_DIR", "../shared") + "/bpf-corpus"; }

}  // namespace pqbpf::bpf::testing

#!/usr/bin/env bash
# Builds everything and runs the whole test suite (the README's test command).
#   scripts/test.sh              normal build in build/, all tests
#   scripts/test.sh --sanitize   ASan+UBSan build in build-asan/ (clang), all tests;
#                                the same build holds the libFuzzer targets, so
#                                CI's fuzz step (scripts/fuzz-ci.sh) reuses it
# On a fresh Debian 12 machine (as root) it first installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
extra=()
ctest_extra=()
if [ "${1:-}" = "--sanitize" ]; then
  build_dir=build-asan
  ctest_extra+=(-LE vm)   # the qemu VM tests (tests/vm) run in the normal suite only
  extra+=(-DPQBPF_SANITIZE=ON -DPQBPF_FUZZ=ON -DPQBPF_BENCH=OFF)
  export CC=clang CXX=clang++
fi

bash scripts/install-deps.sh
# Independent ML-DSA implementation for the differential test (pinned by package-lock.json).
if [ -f tests/npm/package-lock.json ] && [ ! -d tests/npm/node_modules ]; then
  npm ci --prefix tests/npm --no-audit --no-fund --loglevel=error
fi

# In CI the shared test vectors and BPF corpus must be present.
require_shared=OFF
[ "${CI:-}" = "true" ] && require_shared=ON

# ...and the constant-time test must run under valgrind, not report SKIPPED.
cmake -S . -B "$build_dir" -DPQBPF_REQUIRE_SHARED="$require_shared" \
  -DPQBPF_REQUIRE_VALGRIND="$require_shared" "${extra[@]}" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
cd "$build_dir"
ctest --output-on-failure -j"$(nproc)" --timeout 900 "${ctest_extra[@]}"

#!/usr/bin/env bash
# CI step 3 (.ci/run): every fuzz target for a short fixed time, failing on
# any finding. Budget: PQBPF_FUZZ_CI_SECONDS per target (default 45), so the eleven
# targets take about 8.5 minutes plus the build. Runs the targets one after
# another (the CI machine has few cores) through scripts/fuzz.sh, keeps
# going after a finding so one report lists them all, and exits 1 if any
# target found something.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${PQBPF_FUZZ_CI_SECONDS:-45}
build=${PQBPF_FUZZ_BUILD_DIR:-build-fuzz}
export PQBPF_FUZZ_BUILD_DIR=$build

if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -DPQBPF_FUZZ=ON -DPQBPF_BENCH=OFF >/dev/null
fi
if ! cmake --build "$build" -j"$(nproc)" --target fuzzers >"$build/fuzz-build.log" 2>&1; then
  tail -n 60 "$build/fuzz-build.log" >&2
  echo "fuzz-ci: building the fuzz targets failed" >&2
  exit 1
fi

failed=()
ran=0
for target in $(bash scripts/fuzz.sh --list); do
  if [ ! -x "$build/fuzz/${target}_fuzzer" ]; then
    echo "fuzz-ci: $target not built (its module is not available): skipped"
    continue
  fi
  ran=$((ran + 1))
  if ! PQBPF_FUZZ_NICE=0 bash scripts/fuzz.sh "$target" "$seconds"; then
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz-ci: FINDINGS in: ${failed[*]} (inputs in fuzz/findings/<target>/)" >&2
  exit 1
fi
echo "fuzz-ci: $ran targets, ${seconds}s each, no finding"

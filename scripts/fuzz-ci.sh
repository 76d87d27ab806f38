#!/usr/bin/env bash
# CI step 3 (.ci/run): every fuzz target for a short fixed time, failing on
# any finding. Budget: PQBPF_FUZZ_CI_SECONDS per target (default 45). Runs
# the targets through scripts/fuzz.sh, one per core at a time, keeps going
# after a finding so one report lists them all, and exits 1 if any target
# found something.
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

# As many targets at once as there are cores (each fuzzer is one process);
# each target's output is printed when it ends, and its status kept in a file.
parallel=$(nproc)
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
run_one() {  # TARGET: fuzz it, print its output, record its status
  local rc=0
  PQBPF_FUZZ_NO_BUILD=1 PQBPF_FUZZ_NICE=0 bash scripts/fuzz.sh "$1" "$seconds" \
    >"$logs/$1.out" 2>&1 || rc=$?
  cat "$logs/$1.out"
  echo "$rc" >"$logs/$1.rc"
}
ran=0
for target in $(bash scripts/fuzz.sh --list); do
  if [ ! -x "$build/fuzz/${target}_fuzzer" ]; then
    echo "fuzz-ci: $target not built (its module is not available): skipped"
    continue
  fi
  ran=$((ran + 1))
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  run_one "$target" &
done
wait
failed=()
for rc_file in "$logs"/*.rc; do
  [ -e "$rc_file" ] || continue
  [ "$(cat "$rc_file")" = 0 ] || failed+=("$(basename "$rc_file" .rc)")
done
if [ "$(ls "$logs"/*.rc 2>/dev/null | wc -l)" -ne "$ran" ]; then
  echo "fuzz-ci: only $(ls "$logs"/*.rc 2>/dev/null | wc -l) of $ran targets reported" >&2
  exit 1
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz-ci: FINDINGS in: ${failed[*]} (inputs in fuzz/findings/<target>/)" >&2
  exit 1
fi
echo "fuzz-ci: $ran targets, ${seconds}s each, $parallel at a time, no finding"

#!/usr/bin/env bash
# Runs one libFuzzer target for a fixed time (docs/FUZZING.md).
#   scripts/fuzz.sh TARGET SECONDS [EXTRA_CORPUS_DIR ...]
#   scripts/fuzz.sh --list
# TARGET is a name from fuzz/targets.cmake (envelope, policy, elf, ...).
# Builds build-fuzz/ (clang, -DPQBPF_FUZZ=ON) if needed. New coverage goes to
# fuzz/findings/TARGET/corpus (gitignored); the committed seeds in
# fuzz/corpus/TARGET and fuzz/regressions/TARGET are only read. A crash,
# leak, timeout or failed invariant is saved as fuzz/findings/TARGET/crash-*
# (or leak-*, timeout-*, oom-*) and the script exits 1; make it a regression
# test by fixing the bug and copying the input into fuzz/regressions/TARGET/.
# Each run appends one line to fuzz/findings/TARGET/runs.log.
# Environment: PQBPF_FUZZ_BUILD_DIR (default build-fuzz), PQBPF_FUZZ_JOBS
# (build parallelism, default 2), PQBPF_FUZZ_NICE (default 10),
# PQBPF_SHARED_DIR (its bpf-corpus/ is added to the elf target's corpus),
# PQBPF_FUZZ_NO_BUILD=1 (run the existing binary, do not build),
# PQBPF_FUZZ_TIMEOUT (seconds one input may take, default 25: every real input
# takes well under a second, but a niced fuzzer on a busy machine can be
# starved for many seconds, and a 10 s limit then reports false hangs).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

targets() { sed -n 's/^ *"\([a-z_0-9]*\)|.*/\1/p' fuzz/targets.cmake; }

if [ "${1:-}" = "--list" ]; then targets; exit 0; fi
if [ $# -lt 2 ]; then
  echo "usage: scripts/fuzz.sh TARGET SECONDS [EXTRA_CORPUS_DIR ...] | --list" >&2
  exit 2
fi
target=$1
seconds=$2
shift 2
if ! targets | grep -x "$target" >/dev/null; then
  echo "fuzz.sh: unknown target '$target'; known: $(targets | tr '\n' ' ')" >&2
  exit 2
fi
case "$seconds" in ''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a number" >&2; exit 2;; esac

build=${PQBPF_FUZZ_BUILD_DIR:-build-fuzz}
jobs=${PQBPF_FUZZ_JOBS:-2}
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -DPQBPF_FUZZ=ON -DPQBPF_BENCH=OFF >/dev/null
fi
# PQBPF_FUZZ_NO_BUILD=1: use the binary as built (another job is building).
if [ -n "${PQBPF_FUZZ_NO_BUILD:-}" ]; then :
elif ! cmake --build "$build" -j"$jobs" --target "${target}_fuzzer" >"$build/fuzz-build-$target.log" 2>&1; then
  tail -n 40 "$build/fuzz-build-$target.log" >&2
  echo "fuzz.sh: building ${target}_fuzzer failed (log: $build/fuzz-build-$target.log)" >&2
  exit 2
fi
binary=$(find "$build/fuzz" -maxdepth 1 -type f -name "${target}_fuzzer" | sed -n 1p)
if [ -z "$binary" ]; then
  echo "fuzz.sh: ${target}_fuzzer was not built (module not available yet?)" >&2
  exit 2
fi

out="fuzz/findings/$target"
mkdir -p "$out/corpus"
corpora=("$out/corpus")
for d in "fuzz/corpus/$target" "fuzz/regressions/$target" "$@"; do
  [ -d "$d" ] && corpora+=("$d")
done
shared=${PQBPF_SHARED_DIR:-$root/../shared}
if [ "$target" = elf ] && [ -d "$shared/bpf-corpus" ]; then corpora+=("$shared/bpf-corpus"); fi
# Dictionary: fuzz/dict/TARGET.dict, else the one of its input family.
dict_file=fuzz/dict/$target.dict
case "$target" in
  envelope|manifest|key_file|public_key_file|verifier) [ -f "$dict_file" ] || dict_file=fuzz/dict/json.dict ;;
  log_reader|log_verify) [ -f "$dict_file" ] || dict_file=fuzz/dict/log.dict ;;
esac
dict=()
[ -f "$dict_file" ] && dict=(-dict="$dict_file")

# Inputs libFuzzer would flag as findings before this run (older artifacts).
before=$(find "$out" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
t0=$SECONDS
set +e
nice -n "${PQBPF_FUZZ_NICE:-10}" "$binary" \
  -max_total_time="$seconds" -timeout="${PQBPF_FUZZ_TIMEOUT:-25}" -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$out/" "${dict[@]}" "${corpora[@]}" \
  2>"$out/last-run.log"
rc=$?
set -e
elapsed=$((SECONDS - t0))
after=$(find "$out" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/last-run.log" | tail -n1)
result=ok
if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then result=finding; fi
echo "$start target=$target seconds=$elapsed execs=${execs:-?} result=$result" >>"$out/runs.log"
if [ "$result" != ok ]; then
  tail -n 60 "$out/last-run.log" >&2
  echo "fuzz.sh: $target: FINDING after ${elapsed}s (exit $rc); inputs in $out/" >&2
  exit 1
fi
echo "fuzz.sh: $target: ${elapsed}s, ${execs:-?} executions, no finding"

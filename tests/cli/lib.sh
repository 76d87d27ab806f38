# Shared helpers for the CLI behaviour scripts (sourced, not run).
# Each script runs the real pqc-bpf binary ($PQBPF_CLI) in a fresh temp dir.
set -euo pipefail

: "${PQBPF_CLI:?PQBPF_CLI must point at the pqc-bpf binary}"
: "${PQBPF_BINARY_DIR:?}"
: "${PQBPF_SOURCE_DIR:?}"
SAMPLES="$PQBPF_BINARY_DIR/examples/bpf"
WORK=$(mktemp -d /tmp/pqbpf-cli.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

passed=0
failed=0

pqc() { "$PQBPF_CLI" "$@"; }

# run EXPECTED_EXIT CMD...: runs, captures stdout/stderr into $WORK/out, $WORK/err.
run() {
  local expected=$1; shift
  set +e
  "$@" >"$WORK/out" 2>"$WORK/err"
  local code=$?
  set -e
  if [ "$code" -ne "$expected" ]; then
    echo "FAIL: '$*' exited $code, expected $expected"
    echo "  stdout: $(head -c 600 "$WORK/out")"
    echo "  stderr: $(head -c 600 "$WORK/err")"
    failed=$((failed + 1))
    return 1
  fi
  # A crash would be a signal exit (>= 128); never acceptable.
  return 0
}

ok() { passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# check NAME EXPECTED_EXIT CMD...: run and count.
check() {
  local name=$1; shift
  if run "$@"; then ok; else echo "  in: $name"; fi
}

# The error contract: exactly one line on stderr, starting with "pqc-bpf: error: ".
expect_one_error_line() {
  local name=$1 pattern=${2:-}
  local lines
  lines=$(wc -l <"$WORK/err")
  if [ "$lines" -ne 1 ] || ! grep -q '^pqc-bpf: error: ' "$WORK/err"; then
    fail "$name: expected one 'pqc-bpf: error:' line, got: $(cat "$WORK/err")"
    return
  fi
  if [ -n "$pattern" ] && ! grep -qE -- "$pattern" "$WORK/err"; then
    fail "$name: error line does not match /$pattern/: $(cat "$WORK/err")"
    return
  fi
  ok
}

expect_stdout() {
  local name=$1 pattern=$2
  if grep -qE -- "$pattern" "$WORK/out"; then ok; else fail "$name: stdout lacks /$pattern/: $(head -c 400 "$WORK/out")"; fi
}

expect_stderr() {
  local name=$1 pattern=$2
  if grep -qE -- "$pattern" "$WORK/err"; then ok; else fail "$name: stderr lacks /$pattern/: $(head -c 400 "$WORK/err")"; fi
}

expect_no_file() {
  local name=$1 path=$2
  if [ -e "$path" ]; then fail "$name: $path should not exist"; else ok; fi
  # No temp leftovers from atomic writes either.
  if ls "$path".tmp.* >/dev/null 2>&1; then fail "$name: temp file left behind"; else ok; fi
}

json_field() {  # json_field FILE KEY -> value printed by node (no jq dependency)
  node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));const v=process.argv[2].split(".").reduce((o,k)=>o==null?o:o[k],d);console.log(typeof v==="object"?JSON.stringify(v):String(v))' "$1" "$2"
}

finish() {
  echo "$(basename "$0" .sh): $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

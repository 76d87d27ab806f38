#!/bin/sh
# verify_process.sh: `pqc-bpf verify` of the bundled sample as a whole
# process (exec, dynamic loading, key and envelope parsing, reading and
# hashing the object, ML-DSA-65) against `openssl pkeyutl -verify` of an
# Ed25519 signature over the same file, run in turn; prints the ratio
# (issue 15: pqc-bpf no slower, ratio <= 1.00).
#
#   bench/verify_process.sh [BUILD_DIR [RUNS]]      (defaults: build, 300)
#
# Uses hyperfine (Debian package `hyperfine`) when it is installed, without
# an intermediate shell (-N); otherwise it times the same commands itself:
# blocks of 20 runs of each, alternating, and the median over the blocks of
# the mean time per run. Either way the two commands run interleaved on the
# same machine in the same minute. Not a test: exit status 0 whatever the
# ratio (2 if something is missing).
set -eu

build=${1:-build}
runs=${2:-300}
cli="$build/src/cli/pqc-bpf"
obj="$build/examples/bpf/xdp_pass.bpf.o"
for f in "$cli" "$obj"; do
  if [ ! -f "$f" ]; then
    echo "verify_process.sh: $f is missing; build it: cmake --build $build --target pqc-bpf bpf_xdp_pass" >&2
    exit 2
  fi
done
command -v openssl >/dev/null || { echo "verify_process.sh: openssl not found" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# The same object, signed both ways.
cp "$obj" "$tmp/xdp_pass.bpf.o"
"$cli" keygen --name bench-signer -o "$tmp/bench.key" >/dev/null
"$cli" sign "$tmp/xdp_pass.bpf.o" --key "$tmp/bench.key" --name xdp-pass \
  -o "$tmp/xdp_pass.bpf.o.sig.json" >/dev/null
openssl genpkey -algorithm ed25519 -out "$tmp/ed25519.pem" 2>/dev/null
openssl pkey -in "$tmp/ed25519.pem" -pubout -out "$tmp/ed25519.pub"
openssl pkeyutl -sign -rawin -inkey "$tmp/ed25519.pem" -in "$tmp/xdp_pass.bpf.o" \
  -out "$tmp/xdp_pass.bpf.o.ed25519"

ours="$cli verify $tmp/xdp_pass.bpf.o.sig.json --object $tmp/xdp_pass.bpf.o"
theirs="openssl pkeyutl -verify -pubin -inkey $tmp/ed25519.pub -rawin -in $tmp/xdp_pass.bpf.o -sigfile $tmp/xdp_pass.bpf.o.ed25519"
# Both must succeed before anything is timed.
$ours >/dev/null || { echo "verify_process.sh: pqc-bpf verify failed" >&2; exit 2; }
$theirs >/dev/null || { echo "verify_process.sh: openssl pkeyutl -verify failed" >&2; exit 2; }

echo "object: $obj ($(wc -c <"$tmp/xdp_pass.bpf.o") bytes); $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 20 --runs "$runs" --export-json "$tmp/h.json" \
    -n pqc-bpf "$ours" -n openssl "$theirs"
  python3 - "$tmp/h.json" <<'EOF'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
a, b = r["pqc-bpf"], r["openssl"]
print("pqc-bpf verify:        median %.3f ms (mean %.3f)" % (a["median"] * 1e3, a["mean"] * 1e3))
print("openssl pkeyutl -verify: median %.3f ms (mean %.3f)" % (b["median"] * 1e3, b["mean"] * 1e3))
ratio = a["median"] / b["median"]
print("ratio pqc-bpf/openssl (median wall time per process) = %.2f" % ratio)
print("%s target pqc-bpf verify no slower than openssl pkeyutl -verify (measured %.2f)"
      % ("PASS" if ratio <= 1.0 else "MISS", ratio))
EOF
  exit 0
fi

# No hyperfine: time blocks of 20 runs of each command in turn.
now_ns() { date +%s%N; }
block() {  # block CMD...: mean ns per run over 20 runs
  t0=$(now_ns)
  i=0
  while [ $i -lt 20 ]; do "$@" >/dev/null; i=$((i + 1)); done
  t1=$(now_ns)
  echo $(((t1 - t0) / 20))
}
blocks=$((runs / 20))
[ "$blocks" -ge 3 ] || blocks=3
: >"$tmp/ours"
: >"$tmp/theirs"
block $ours >/dev/null
block $theirs >/dev/null  # warm-up
b=0
while [ $b -lt $blocks ]; do
  block $ours >>"$tmp/ours"
  block $theirs >>"$tmp/theirs"
  b=$((b + 1))
done
median() { sort -n "$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
m_ours=$(median "$tmp/ours")
m_theirs=$(median "$tmp/theirs")
awk -v a="$m_ours" -v b="$m_theirs" -v n="$blocks" 'BEGIN {
  printf "(hyperfine not installed: %d blocks of 20 runs each, median of the block means)\n", n
  printf "pqc-bpf verify:          %.3f ms per process\n", a / 1e6
  printf "openssl pkeyutl -verify: %.3f ms per process\n", b / 1e6
  r = a / b
  printf "ratio pqc-bpf/openssl (wall time per process) = %.2f\n", r
  printf "%s target pqc-bpf verify no slower than openssl pkeyutl -verify (measured %.2f)\n",
         (r <= 1.0 ? "PASS" : "MISS"), r
}'

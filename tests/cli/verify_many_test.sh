#!/usr/bin/env bash
# pqc-bpf verify A B C ...: many envelopes in one run (verified in parallel),
# reported in the order given; the exit code is the worst of all.
source "$(dirname "$0")/lib.sh"

pqc keygen --name ops -o ops.key >/dev/null
for i in 1 2 3 4 5; do
  cp "$SAMPLES/xdp_pass.bpf.o" "x$i.bpf.o"
  pqc sign "x$i.bpf.o" --key ops.key --name "x$i" >/dev/null
done

check "five good envelopes" 0 pqc verify x1.bpf.o.sig.json x2.bpf.o.sig.json x3.bpf.o.sig.json \
  x4.bpf.o.sig.json x5.bpf.o.sig.json
order=$(grep '^OK ' "$WORK/out" | cut -d' ' -f2 | tr '\n' ,)
[ "$order" = "x1.bpf.o.sig.json,x2.bpf.o.sig.json,x3.bpf.o.sig.json,x4.bpf.o.sig.json,x5.bpf.o.sig.json," ] \
  && ok || fail "order: $order"

printf '\x01' | dd of=x3.bpf.o bs=1 seek=300 conv=notrunc status=none
check "one tampered: exit 1" 1 pqc verify x1.bpf.o.sig.json x2.bpf.o.sig.json x3.bpf.o.sig.json --threads 2 --json
[ "$(json_field "$WORK/out" ok)" = "false" ] && ok || fail "ok should be false"
reasons=$(node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(d.results.map(r=>r.envelope+":"+r.reason).join(","))' "$WORK/out")
[ "$reasons" = "x1.bpf.o.sig.json:allowed,x2.bpf.o.sig.json:allowed,x3.bpf.o.sig.json:hash_mismatch" ] \
  && ok || fail "reasons: $reasons"
expect_stderr "the failure is named" 'x3.bpf.o'

check "a missing envelope makes it exit 2" 2 pqc verify x1.bpf.o.sig.json x3.bpf.o.sig.json missing.sig.json
expect_stdout "the good one is still reported" '^OK x1.bpf.o.sig.json'

check "--object with several envelopes is a usage error" 2 pqc verify x1.bpf.o.sig.json x2.bpf.o.sig.json --object x1.bpf.o
expect_one_error_line "usage error" 'exactly one envelope'
finish

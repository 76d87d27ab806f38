#!/usr/bin/env bash
# Issue 11.6: a policy's max_insns counts what a loader hands the kernel, the
# entry function with every subprogram it calls, not the entry function
# alone. subprog_calls.bpf.o (src/bpf/testdata) has small entry functions
# whose callees are hundreds of instructions.
source "$(dirname "$0")/lib.sh"

obj="$PQBPF_BINARY_DIR/src/bpf/subprog_calls.bpf.o"
[ -f "$obj" ] || { echo "SKIP: $obj not built"; exit 77; }
cp "$obj" calls.bpf.o
pqc keygen --name ops -o ops.key >/dev/null
pqc sign calls.bpf.o --key ops.key --name calls >/dev/null

check "inspect" 0 pqc inspect calls.bpf.o --json
entry=$(json_field "$WORK/out" programs.0.insn_count)
reach=$(json_field "$WORK/out" programs.0.reachable_insns)
name=$(json_field "$WORK/out" programs.0.name)
[ "$name" = small_entry ] && ok || fail "first program is '$name', expected small_entry"
[ "$entry" -lt 20 ] && [ "$reach" -gt 200 ] && ok ||
  fail "small_entry: $entry own instructions, $reach with calls; expected < 20 and > 200"

# A cap between the entry's own size and what is loaded: denied.
policy() {
  printf 'rules:\n  - program_types: [xdp]\n    allowed_signers: [ops.key.pub]\n    max_insns: %s\n' "$1" > p.yaml
}
policy 100
check "cap below the reachable count denies" 1 pqc check calls.bpf.o.sig.json --policy p.yaml --log audit.log --json
[ "$(json_field "$WORK/out" reason)" = too_many_insns ] && ok || fail "reason: $(cat "$WORK/out")"
[ "$(json_field "$WORK/out" program)" = small_entry ] && ok || fail "program: $(cat "$WORK/out")"
expect_stdout "sentence gives the reachable count" "has $reach instructions"

# A cap at exactly the reachable count: allowed.
policy "$reach"
check "cap at the reachable count allows" 0 pqc check calls.bpf.o.sig.json --policy p.yaml --log audit.log
finish

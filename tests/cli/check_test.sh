#!/usr/bin/env bash
# check: verify + policy + audit record, for allowed, denied and malformed
# attempts; then the log verifies, and a tampered log does not.
source "$(dirname "$0")/lib.sh"

pqc keygen --name ops -o ops.key >/dev/null
pqc keygen --name vendor -o vendor.key >/dev/null
pqc keygen --name rogue -o rogue.key >/dev/null
cp "$SAMPLES/tracepoint_exec.bpf.o" trace.bpf.o
cp "$SAMPLES/xdp_pass.bpf.o" xdp.bpf.o
pqc sign trace.bpf.o --key ops.key --name exec-trace >/dev/null
pqc sign xdp.bpf.o --key rogue.key --name xdp-pass >/dev/null
cp trace.bpf.o vtrace.bpf.o
pqc sign vtrace.bpf.o --key vendor.key --name vendor-trace >/dev/null

cat > policy.yaml <<YAML
rules:
  - name: tracing
    program_types: [tracepoint]
    allowed_signers: [ops.key.pub, $(json_field vendor.key.pub did)]
  - name: networking
    program_types: [xdp]
    allowed_signers: [ops.key.pub]
YAML

check "trusted signer allowed" 0 pqc check trace.bpf.o.sig.json --policy policy.yaml --log audit.log --actor ci
expect_stdout "allow line" '^ALLOW'
check "second trusted signer allowed" 0 pqc check vtrace.bpf.o.sig.json --policy policy.yaml --log audit.log
check "rogue signer denied" 1 pqc check xdp.bpf.o.sig.json --policy policy.yaml --log audit.log --json
[ "$(json_field "$WORK/out" reason)" = "untrusted_signer" ] && ok || fail "untrusted_signer: $(cat "$WORK/out")"
[ "$(json_field "$WORK/out" decision)" = "deny" ] && ok || fail "deny"

# Tampered object: denied with the verifier's reason.
printf '\x01' | dd of=trace.bpf.o bs=1 seek=300 conv=notrunc status=none
check "tampered object denied" 1 pqc check trace.bpf.o.sig.json --policy policy.yaml --log audit.log --json
[ "$(json_field "$WORK/out" reason)" = "hash_mismatch" ] && ok || fail "hash_mismatch: $(cat "$WORK/out")"

# Revocation is checked before any rule.
cat > revoked.yaml <<YAML
revoked_signers: [$(json_field vendor.key.pub did)]
rules:
  - program_types: [tracepoint]
YAML
check "revoked signer denied" 1 pqc check vtrace.bpf.o.sig.json --policy revoked.yaml --log audit.log --json
[ "$(json_field "$WORK/out" reason)" = "revoked_signer" ] && ok || fail "revoked_signer: $(cat "$WORK/out")"

# No rule for the type: default deny.
echo 'rules: []' > empty.yaml
check "no rule denies" 1 pqc check vtrace.bpf.o.sig.json --policy empty.yaml --log audit.log --json
[ "$(json_field "$WORK/out" reason)" = "no_rule" ] && ok || fail "no_rule: $(cat "$WORK/out")"

# A malformed envelope is denied, reported as an input error, and recorded.
echo '{"manifest": ' > broken.sig.json
check "malformed envelope" 2 pqc check broken.sig.json --policy policy.yaml --log audit.log --json
[ "$(json_field "$WORK/out" reason)" = "malformed_envelope" ] && ok || fail "malformed_envelope: $(cat "$WORK/out")"

# A policy that cannot be read denies everything (still recorded).
check "unreadable policy denies" 2 pqc check vtrace.bpf.o.sig.json --policy missing.yaml --log audit.log
expect_stderr "policy error named" 'missing.yaml'
echo 'rules: [ {program_types: [kprobe], colour: red} ]' > unknown-key.yaml
check "policy with unknown key denies" 2 pqc check vtrace.bpf.o.sig.json --policy unknown-key.yaml --log audit.log
expect_stderr "unknown key named with position" 'unknown-key.yaml.*line 1.*colour'

# Every attempt above is in the log: 3 allowed... count them.
check "log show" 0 pqc log show audit.log --json
n=$(node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(d.records.length)' "$WORK/out")
[ "$n" = "9" ] && ok || fail "expected 9 attempt records, got $n"
check "log show --decision allow" 0 pqc log show audit.log --decision allow --json
n=$(node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(d.records.length)' "$WORK/out")
[ "$n" = "2" ] && ok || fail "expected 2 allowed, got $n"
check "log show --signer" 0 pqc log show audit.log --signer "$(json_field ops.key.pub did)" --json
n=$(node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(d.records.length)' "$WORK/out")
[ "$n" = "1" ] && ok || fail "expected 1 record bound to ops, got $n"

check "log verify" 0 pqc log verify audit.log --key audit.log.key.pub
check "log verify with the wrong key" 1 pqc log verify audit.log --key ops.key.pub

# Tamper: flip a decision in the first record.
sed -i '1s/"allow"/"deny"/' audit.log
check "tampered log rejected" 1 pqc log verify audit.log --key audit.log.key.pub
expect_one_error_line "tamper names the record" 'audit.log.*(line|seq|record) [12]'
finish

#!/usr/bin/env bash
# Issue 11.1/11.3/11.10 through the real binary: the policy judges the
# programs read from the verified object, never the type the signer typed.
# The attack: `sign --format 1 --type xdp` on an object holding an lsm
# program, then `check` under a policy that allows only xdp.
source "$(dirname "$0")/lib.sh"

pqc keygen --name ops -o ops.key >/dev/null
pqc keygen --name rogue -o rogue.key >/dev/null
ops_did=$(json_field ops.key.pub did)
cp "$SAMPLES/lsm_bpf.bpf.o" lsm.bpf.o
cp "$SAMPLES/xdp_pass.bpf.o" xdp.bpf.o

cat > xdp-only.yaml <<YAML
rules:
  - name: networking
    program_types: [xdp]
    allowed_signers: [$ops_did]
YAML

# The issue's attack, exactly: the envelope is genuine (signed by a trusted key).
check "format 1 envelope claiming xdp for an lsm object is made" 0 \
  pqc sign lsm.bpf.o --key ops.key --name fw --format 1 --type xdp
check "its signature verifies" 0 pqc verify lsm.bpf.o.sig.json
expect_stdout "verify shows the program read from the object" 'check_bpf.*lsm'
check "check denies it" 1 pqc check lsm.bpf.o.sig.json --policy xdp-only.yaml --json
[ "$(json_field "$WORK/out" reason)" = "program_mismatch" ] && ok || fail "program_mismatch: $(cat "$WORK/out")"
[ "$(json_field "$WORK/out" program)" = "check_bpf" ] && ok || fail "program not named: $(cat "$WORK/out")"
sentence=$(json_field "$WORK/out" sentence)
case "$sentence" in *check_bpf*lsm*xdp*) ok ;; *) fail "sentence lacks program and both types: $sentence" ;; esac

# The honest envelope for an xdp object still passes the same policy.
check "honest format 1 xdp envelope allowed" 0 pqc sign xdp.bpf.o --key ops.key --name x --format 1 --type xdp
check "honest xdp allowed" 0 pqc check xdp.bpf.o.sig.json --policy xdp-only.yaml

# An object the reader cannot inspect: denied unless the rule opts in.
head -c 2000 /dev/urandom > blob.o
check "format 1 over a non-ELF blob is signable" 0 pqc sign blob.o --key ops.key --name b --format 1 --type xdp
check "uninspectable object denied" 1 pqc check blob.o.sig.json --policy xdp-only.yaml --json
[ "$(json_field "$WORK/out" reason)" = "uninspectable_object" ] && ok || fail "uninspectable_object: $(cat "$WORK/out")"
cat > opt-in.yaml <<YAML
rules:
  - program_types: [xdp]
    allowed_signers: [$ops_did]
    allow_uninspectable: true
YAML
check "rule with allow_uninspectable allows it" 0 pqc check blob.o.sig.json --policy opt-in.yaml

# A rogue key's valid signature is refused before the object is parsed.
cp blob.o rogue.o
check "rogue signs" 0 pqc sign rogue.o --key rogue.key --name r --format 1 --type xdp
check "rogue signer denied" 1 pqc check rogue.o.sig.json --policy opt-in.yaml --json
[ "$(json_field "$WORK/out" reason)" = "untrusted_signer" ] && ok || fail "untrusted_signer: $(cat "$WORK/out")"

# A revoked object is denied even when its envelope fails (here: the xdp
# envelope presented with the revoked lsm object).
cat > revoked.yaml <<YAML
default_decision: allow
revoked_objects: [$(node -e 'console.log(require("crypto").createHash("sha3-256").update(require("fs").readFileSync(process.argv[1])).digest("hex"))' lsm.bpf.o)]
rules: []
YAML
check "revoked object behind a failing envelope" 1 \
  pqc check xdp.bpf.o.sig.json --object lsm.bpf.o --policy revoked.yaml --json
[ "$(json_field "$WORK/out" reason)" = "revoked_object" ] && ok || fail "revoked_object: $(cat "$WORK/out")"
finish

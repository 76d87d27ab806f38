#!/usr/bin/env bash
# Issue 11.1 with an envelope made by an independent implementation
# (tests/npm/forge_envelope.mjs: @noble/post-quantum ML-DSA-65, its own
# canonical JSON and DID): a genuine format-1 signature that declares xdp for
# an object holding an lsm program is denied, so the gate does not rely on
# our signer's honesty. The same tool's honest xdp envelope is allowed.
source "$(dirname "$0")/lib.sh"

forge="$PQBPF_SOURCE_DIR/tests/npm/forge_envelope.mjs"
if [ ! -d "$PQBPF_SOURCE_DIR/tests/npm/node_modules/@noble/post-quantum" ]; then
  echo "SKIPPED: needs tests/npm/node_modules (run: npm ci --prefix tests/npm --no-audit --no-fund)"
  exit 77
fi

cp "$SAMPLES/lsm_bpf.bpf.o" lsm.bpf.o
cp "$SAMPLES/xdp_pass.bpf.o" xdp.bpf.o
did=$(node "$forge" lsm.bpf.o xdp lsm.bpf.o.sig.json)
[ "$(node "$forge" xdp.bpf.o xdp xdp.bpf.o.sig.json)" = "$did" ] && ok || fail "same key, same DID"

cat > xdp-only.yaml <<YAML
rules:
  - program_types: [xdp]
    allowed_signers: [$did]
YAML

check "the independent envelope's signature verifies" 0 pqc verify lsm.bpf.o.sig.json --json
[ "$(json_field "$WORK/out" signer_did)" = "$did" ] && ok || fail "signer: $(cat "$WORK/out")"
check "its xdp claim over an lsm object is denied" 1 pqc check lsm.bpf.o.sig.json --policy xdp-only.yaml --json
[ "$(json_field "$WORK/out" reason)" = "program_mismatch" ] && ok || fail "program_mismatch: $(cat "$WORK/out")"
check "the honest independent xdp envelope is allowed" 0 pqc check xdp.bpf.o.sig.json --policy xdp-only.yaml
finish

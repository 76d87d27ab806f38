#!/usr/bin/env bash
# sign + verify + info round trips, and each attack rejected with its reason.
source "$(dirname "$0")/lib.sh"

pqc keygen --name ops -o ops.key >/dev/null
pqc keygen --name other -o other.key >/dev/null
cp "$SAMPLES/tracepoint_exec.bpf.o" prog.bpf.o

check "sign" 0 pqc sign prog.bpf.o --key ops.key --name exec-trace --author ops-team
[ -f prog.bpf.o.sig.json ] && ok || fail "default envelope path"
check "sign refuses to overwrite" 2 pqc sign prog.bpf.o --key ops.key --name exec-trace
expect_one_error_line "sign overwrite" 'prog.bpf.o.sig.json.*--force'

check "verify" 0 pqc verify prog.bpf.o.sig.json
expect_stdout "verify shows the signer" "$(json_field ops.key.pub did)"
check "verify --json" 0 pqc verify prog.bpf.o.sig.json --json
[ "$(json_field "$WORK/out" valid)" = "true" ] && ok || fail "json valid"
[ "$(json_field "$WORK/out" signer_did)" = "$(json_field ops.key.pub did)" ] && ok || fail "json signer"

check "info labels the envelope unverified" 0 pqc info prog.bpf.o.sig.json
expect_stdout "info unverified" 'UNVERIFIED'
check "info --json" 0 pqc info prog.bpf.o.sig.json --json
[ "$(json_field "$WORK/out" verified)" = "false" ] && ok || fail "info json verified=false"

# Manifest format 1 (whole-object hash only) still signs and verifies.
check "sign --format 1" 0 pqc sign prog.bpf.o --key ops.key --name v1 --type tracepoint --format 1 -o v1.sig.json
check "verify format 1" 0 pqc verify v1.sig.json --object prog.bpf.o --json
[ "$(json_field "$WORK/out" manifest.format)" = "pqc-bpf-manifest/1" ] && ok || fail "format 1: $(head -c 300 "$WORK/out")"
check "sign --format 4 refused" 2 pqc sign prog.bpf.o --key ops.key --name v4 --format 4 -o v4.sig.json
expect_no_file "no envelope for --format 4" v4.sig.json
# Format 2 (programs without their calls) still signs and verifies; 3 is the default.
check "sign --format 2" 0 pqc sign prog.bpf.o --key ops.key --name v2 --format 2 -o v2.sig.json
check "verify format 2" 0 pqc verify v2.sig.json --object prog.bpf.o --json
[ "$(json_field "$WORK/out" manifest.format)" = "pqc-bpf-manifest/2" ] && ok || fail "format 2: $(head -c 300 "$WORK/out")"
check "verify default format" 0 pqc verify prog.bpf.o.sig.json --json
[ "$(json_field "$WORK/out" manifest.format)" = "pqc-bpf-manifest/3" ] && ok || fail "format 3: $(head -c 300 "$WORK/out")"

# Type checks at sign time: the object is a tracepoint program.
check "sign --type mismatch refused" 2 pqc sign prog.bpf.o --key ops.key --name t --type xdp -o t.sig.json
expect_one_error_line "type mismatch" 'tracepoint'
expect_no_file "no envelope on type mismatch" t.sig.json
check "sign --type unknown refused" 2 pqc sign prog.bpf.o --key ops.key --name t --type bogus -o t.sig.json

# Tampered object: one byte changed.
cp prog.bpf.o tampered.bpf.o
printf '\x01' | dd of=tampered.bpf.o bs=1 seek=200 conv=notrunc status=none
check "tampered object rejected" 1 pqc verify prog.bpf.o.sig.json --object tampered.bpf.o --json
[ "$(json_field "$WORK/out" reason)" = "hash_mismatch" ] && ok || fail "reason hash_mismatch: $(cat "$WORK/out")"

# Truncated object.
head -c 100 prog.bpf.o > short.bpf.o
check "truncated object rejected" 1 pqc verify prog.bpf.o.sig.json --object short.bpf.o --json
[ "$(json_field "$WORK/out" reason)" = "size_mismatch" ] && ok || fail "reason size_mismatch: $(cat "$WORK/out")"

# Another signed object swapped in.
cp "$SAMPLES/xdp_pass.bpf.o" xdp.bpf.o
check "swapped object rejected" 1 pqc verify prog.bpf.o.sig.json --object xdp.bpf.o

# A DID claimed by a different key: put ops' DID over other's signature.
pqc sign prog.bpf.o --key other.key --name exec-trace -o other.sig.json >/dev/null
ops_did=$(json_field ops.key.pub did); other_did=$(json_field other.key.pub did)
sed "s/$other_did/$ops_did/" other.sig.json > claimed.sig.json
check "DID claimed by another key rejected" 1 pqc verify claimed.sig.json --object prog.bpf.o --json
[ "$(json_field "$WORK/out" reason)" = "did_mismatch" ] && ok || fail "reason did_mismatch: $(cat "$WORK/out")"

# A public key swapped in (ops' key, other's signature, manifest says ops).
ops_pk=$(json_field prog.bpf.o.sig.json public_key); other_pk=$(json_field other.sig.json public_key)
sed "s|$other_pk|$ops_pk|; s/$other_did/$ops_did/" other.sig.json > swapped.sig.json
check "swapped public key rejected" 1 pqc verify swapped.sig.json --object prog.bpf.o --json
[ "$(json_field "$WORK/out" reason)" = "bad_signature" ] && ok || fail "reason bad_signature: $(cat "$WORK/out")"

# Any manifest field changed: the signature no longer covers it.
for edit in 's/"exec-trace"/"exec-trace2"/' 's/"ops-team"/"ops-tean"/' 's/"signed_at": "20/"signed_at": "19/'; do
  sed "$edit" prog.bpf.o.sig.json > edited.sig.json
  if cmp -s edited.sig.json prog.bpf.o.sig.json; then fail "edit $edit changed nothing"; continue; fi
  check "edited manifest ($edit) rejected" 1 pqc verify edited.sig.json --object prog.bpf.o --json
  [ "$(json_field "$WORK/out" reason)" = "bad_signature" ] && ok || fail "edit $edit: $(cat "$WORK/out")"
done

# Embedded and detached objects that differ.
check "sign --embed" 0 pqc sign prog.bpf.o --key ops.key --name exec-trace --embed -o embedded.sig.json
check "verify embedded alone" 0 pqc verify embedded.sig.json --object prog.bpf.o
check "embedded vs different detached" 1 pqc verify embedded.sig.json --object tampered.bpf.o --json
reason=$(json_field "$WORK/out" reason)
[ "$reason" = "object_conflict" ] || [ "$reason" = "hash_mismatch" ] && ok || fail "conflict reason: $reason"

# No object at all.
cp prog.bpf.o.sig.json lonely.sig.json
check "no object to check" 2 pqc verify lonely.sig.json --json
[ "$(json_field "$WORK/out" reason)" = "object_missing" ] && ok || fail "object_missing: $(cat "$WORK/out")"
finish

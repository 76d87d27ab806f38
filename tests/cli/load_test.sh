#!/usr/bin/env bash
# load: pqc-bpf load through a real pqc-bpf-gated on a temp socket: a signed
# sample is loaded and pinned (bpftool finds it), a rogue one is denied
# (exit 1), no daemon / no file is an error (exit 2); a client without
# capabilities (uid nobody) gets no descriptors but may pin; nothing stays
# loaded.
source "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then echo "skipped: needs root to load BPF programs"; exit 77; fi
GATED="$PQBPF_BINARY_DIR/src/daemon/pqc-bpf-gated"
mkdir bpffs
if ! mount -t bpf bpf "$WORK/bpffs" 2>/dev/null; then echo "skipped: cannot mount a private bpffs"; exit 77; fi
DAEMON_PID=
cleanup() {
  [ -n "$DAEMON_PID" ] && kill -9 "$DAEMON_PID" 2>/dev/null || true
  rm -rf "$WORK/bpffs/root" 2>/dev/null || true
  umount -l "$WORK/bpffs" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
prog_ids() { bpftool prog show 2>/dev/null | sed -n 's/^\([0-9]*\):.*/\1/p' | sort; }
BEFORE=$(prog_ids)

pqc keygen --name ops -o ops.key >/dev/null
pqc keygen --name rogue -o rogue.key >/dev/null
pqc keygen --name audit-log --capability log -o log.key >/dev/null
cp "$SAMPLES/xdp_pass.bpf.o" xdp.bpf.o
cp "$SAMPLES/xdp_pass.bpf.o" rogue.bpf.o
pqc sign xdp.bpf.o --key ops.key --name xdp-pass >/dev/null
pqc sign rogue.bpf.o --key rogue.key --name xdp-pass >/dev/null
cat > policy.yaml <<YAML
rules:
  - program_types: [xdp]
    allowed_signers: [ops.key.pub]
YAML
cat > gated.yaml <<YAML
policy: $WORK/policy.yaml
log:
  path: $WORK/audit.log
  durability: always
  checkpoint_key: $WORK/log.key
socket:
  path: $WORK/gate.sock
  mode: "0660"
allowed_uids: [0, 65534]
pin_root: $WORK/bpffs/root
state_dir: $WORK
YAML
"$GATED" --config gated.yaml 2>gated.err &
DAEMON_PID=$!
for _ in $(seq 100); do [ -S gate.sock ] && break; sleep 0.05; done
[ -S gate.sock ] || { echo "FAIL: pqc-bpf-gated did not start: $(cat gated.err)"; exit 1; }

# uid nobody reaches the socket through its group (mode 0660 allows no others).
chgrp 65534 gate.sock
chmod 0755 "$WORK"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all "$PQBPF_CLI")
check "no descriptors for a client without capabilities" 1 "${NOBODY[@]}" load xdp.bpf.o.sig.json --gate gate.sock
expect_one_error_line "says what is missing and the way" 'denied \(caller_not_permitted\).*lacks CAP_BPF.*--pin'
grep -q '"action":"gate_decide".*"reason":"caller_not_permitted"' audit.log && ok || fail "the refusal is not recorded"
[ "$(prog_ids)" = "$BEFORE" ] && ok || fail "a refused descriptor request loaded something"
check "a client without capabilities may pin" 0 "${NOBODY[@]}" load xdp.bpf.o.sig.json --pin nobody --gate gate.sock
[ -e bpffs/root/nobody/xdp_pass_count ] && ok || fail "no pin at bpffs/root/nobody/xdp_pass_count"
rm -rf bpffs/root/nobody

check "signed sample loaded and pinned" 0 pqc load xdp.bpf.o.sig.json --pin team/xdp --gate gate.sock
expect_stdout "loaded line" '^LOADED'
ID=$(sed -n 's/^  prog xdp_pass_count id \([0-9]*\) .*/\1/p' "$WORK/out")
[ -n "$ID" ] && bpftool prog show id "$ID" >/dev/null 2>&1 && ok || fail "bpftool does not find prog id '$ID'"
[ -e bpffs/root/team/xdp/xdp_pass_count ] && ok || fail "no pin at bpffs/root/team/xdp/xdp_pass_count"
grep -q "\"kernel_programs\":\[{[^]]*\"id\":$ID" audit.log && ok || fail "the audit log does not name kernel id $ID"
rm -rf bpffs/root/team
bpftool prog show id "$ID" >/dev/null 2>&1 && fail "prog $ID still loaded after unpin" || ok

check "rogue signer denied" 1 pqc load rogue.bpf.o.sig.json --pin team/rogue --gate gate.sock
expect_one_error_line "denial names the reason" 'denied \(untrusted_signer\)'
check "unpinned load held only while pqc-bpf runs" 0 pqc load xdp.bpf.o.sig.json --gate gate.sock --json
check "pin outside the root is an error" 2 pqc load xdp.bpf.o.sig.json --pin /etc/x --gate gate.sock
expect_one_error_line "outside the root" 'outside the pin root'
check "no daemon" 2 pqc load xdp.bpf.o.sig.json --gate "$WORK/nothing.sock"
expect_one_error_line "no daemon" 'cannot connect to the gate'
check "missing envelope" 2 pqc load missing.sig.json --gate gate.sock
expect_one_error_line "missing envelope" 'missing.sig.json'

[ "$(prog_ids)" = "$BEFORE" ] && ok || fail "programs left loaded: $(comm -13 <(echo "$BEFORE") <(prog_ids) | tr '\n' ' ')"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" && ok || fail "pqc-bpf-gated did not stop cleanly: $(cat gated.err)"
DAEMON_PID=
check "log verifies" 0 pqc log verify audit.log --key log.key.pub
finish

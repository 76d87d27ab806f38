#!/usr/bin/env bash
# run --gate (docs/TRANSPARENT_GATE.md): the workload's loads are decided by a
# real pqc-bpf-gated with an envelope store. An unmodified bpftool loads a
# signed, allowed object under `pqc-bpf run --gate`, and its kernel id is in
# the daemon's log with the workload's and the supervisor's identity; a
# skeleton loader works (its .rodata checked through the passed descriptor);
# a workload racing its instruction buffer only gets the signed program; one
# instruction changed, a rogue signer, an unsigned object and a map of another
# shape get EPERM, are recorded by the daemon and nothing is loaded; a daemon
# without a store refuses and records a direct load; without a daemon the
# load gets EPERM and the workload goes on. Nothing stays loaded or pinned.
source "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then echo "skipped: needs root to load BPF programs"; exit 77; fi
if ! command -v bpftool >/dev/null; then echo "skipped: bpftool is not installed"; exit 77; fi
GATED="$PQBPF_BINARY_DIR/src/daemon/pqc-bpf-gated"
DIRECT="$PQBPF_BINARY_DIR/src/sandbox/pqbpf_bpf_direct"
VARIANTS="$PQBPF_BINARY_DIR/src/sandbox"
mkdir bpffs
if ! mount -t bpf bpf "$WORK/bpffs" 2>/dev/null; then echo "skipped: cannot mount a private bpffs"; exit 77; fi
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$WORK/bpffs/"* 2>/dev/null || true
  umount -l "$WORK/bpffs" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
T=(timeout --kill-after=5 60)
# Programs of this test by name (the samples', the race's, bpf_direct's): tests
# without the kernel lock may load programs of their own meanwhile.
prog_ids() {
  bpftool prog show 2>/dev/null |
    sed -nE 's/^([0-9]+):.* name (xdp_count|xdp_pass_count|count_exec|accept_all|pqbpf_direct) .*/\1/p' | sort
}
BEFORE=$(prog_ids)

pqc keygen --name ops -o ops.key >/dev/null
pqc keygen --name rogue -o rogue.key >/dev/null
pqc keygen --name audit-log --capability log -o log.key >/dev/null
mkdir store
cp "$SAMPLES/xdp_counter.bpf.o" "$SAMPLES/socket_filter.bpf.o" "$SAMPLES/xdp_pass.bpf.o" store/
pqc sign store/xdp_counter.bpf.o --key ops.key --name xdp-counter >/dev/null
pqc sign store/socket_filter.bpf.o --key ops.key --name accept-all >/dev/null
pqc sign store/xdp_pass.bpf.o --key rogue.key --name xdp-pass >/dev/null
cp "$SAMPLES/xdp_counter.bpf.o" "$SAMPLES/xdp_pass.bpf.o" "$SAMPLES/tracepoint_exec.bpf.o" .
cp "$VARIANTS/xdp_counter_drop.bpf.o" "$VARIANTS/xdp_counter_array.bpf.o" .
cat > policy.yaml <<YAML
rules:
  - program_types: [xdp, socket_filter]
    allowed_signers: [ops.key.pub]
YAML

start_gated() {  # NAME [STORE]: a daemon on NAME.sock logging to NAME.log
  local name=$1 store=${2:-}
  {
    echo "policy: $WORK/policy.yaml"
    echo "log: {path: $WORK/$name.log, durability: always, checkpoint_key: $WORK/log.key}"
    echo "socket: {path: $WORK/$name.sock, mode: \"0600\"}"
    echo "allowed_uids: [0]"
    echo "pin_root: $WORK/bpffs/$name"
    echo "state_dir: $WORK"
    if [ -n "$store" ]; then echo "envelopes: $store"; fi
  } > "$name.yaml"
  "$GATED" --config "$name.yaml" 2>"$name.err" &
  PIDS+=($!)
  for _ in $(seq 100); do [ -S "$name.sock" ] && break; sleep 0.05; done
  [ -S "$name.sock" ] || { echo "FAIL: pqc-bpf-gated did not start: $(cat "$name.err")"; exit 1; }
}
# The daemon's status document (protocol 1, op status) over its socket.
gate_status() {
  python3 - "$1" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(b"PQBG\x01\x02" + bytes(18))
print(json.dumps(json.loads(s.recv(65536))["status"]))
PY
}
start_gated gate "$WORK/store"
RUN=("${T[@]}" "$PQBPF_CLI" run --gate gate.sock)
records() { grep -c "\"reason\":\"$1\"" gate.log || true; }

# 0. The store as the daemon reports it: three envelopes, two allowed.
gate_status gate.sock > status.json
[ "$(json_field status.json envelope_store.entries)" = 3 ] && [ "$(json_field status.json envelope_store.allowed)" = 2 ] &&
  ok || fail "status does not show the store: $(cat status.json)"

# 1. The signed, allowed object: bpftool loads and pins it, unchanged.
check "bpftool loadall under run --gate" 0 "${RUN[@]}" -- bpftool prog loadall xdp_counter.bpf.o bpffs/ok
[ -e bpffs/ok/xdp_count ] && ok || fail "bpftool pinned no xdp_count"
id=$(bpftool prog show pinned bpffs/ok/xdp_count 2>/dev/null | sed -n 's/^\([0-9]*\):.*name xdp_count.*/\1/p')
[ -n "$id" ] && ok || fail "bpftool prog show does not list the pinned program"
line=$(grep '"action":"transparent_load"' gate.log | grep '"decision":"allow"' | tail -1)
echo "$line" | grep "\"kernel_programs\":\[{\"name\":\"xdp_count\",\"id\":$id," >/dev/null && ok ||
  fail "the daemon's allow record does not name kernel id $id: $line"
echo "$line" | grep '"actor":{"uid":0,"pid":[0-9]*,"command":"bpftool"' >/dev/null && ok ||
  fail "the allow record does not name the workload: $line"
echo "$line" | grep '"reason_text":"forwarded by supervisor pid [0-9]* uid 0 (pqc-bpf, ' >/dev/null && ok ||
  fail "the allow record does not name the supervisor: $line"
echo "$line" | grep '"reported_by":{"uid":0,"pid":[0-9]*,"command":"pqc-bpf","name":null,"exe":"' >/dev/null &&
  ok || fail "the allow record has no reported_by field naming the supervisor: $line"
echo "$line" | grep '"signer":"did:pqaid:' >/dev/null && ok || fail "the allow record lacks the signer: $line"
[ "$(grep -c '"action":"probe"' gate.log)" -ge 1 ] && ok || fail "no probe record in the daemon's log"
rm -rf bpffs/ok
[ "$(prog_ids)" = "$BEFORE" ] && ok || fail "xdp_count still loaded after unpinning"

# 1b. A libbpf skeleton loader works unchanged; its .rodata map (frozen, the
# signed bytes) is checked by the daemon through the descriptor the supervisor
# passed, and other read-only data is a map_mismatch.
SKEL="$PQBPF_BINARY_DIR/examples/skeleton_loader"
if [ -x "$SKEL" ]; then
  check "skeleton loader under run --gate" 0 "${RUN[@]}" --quiet -- "$SKEL" 2
  expect_stdout "skeleton loaded" '^loaded xdp_count id [0-9]+$'
  sid=$(sed -n 's/^loaded xdp_count id \([0-9]*\)$/\1/p' "$WORK/out")
  grep '"decision":"allow"' gate.log | grep "\"kernel_programs\":\[{\"name\":\"xdp_count\",\"id\":$sid," >/dev/null &&
    ok || fail "the skeleton's program id $sid is not in the daemon's log"
  before_n=$(records map_mismatch)
  check "skeleton loader with other read-only data" 1 "${RUN[@]}" --quiet -- "$SKEL" 1 4
  [ "$(records map_mismatch)" -gt "$before_n" ] && ok || fail "no map_mismatch record for changed .rodata"
else
  echo "note: $SKEL not built (no bpftool at build time); skeleton case skipped"
fi

# 1c. A workload flipping its instruction buffer while its load is pending:
# the daemon loads the supervisor's one copy, so every admitted program is
# the signed one (one kernel tag).
check "race under run --gate" 0 "$PQBPF_CLI" run --quiet --gate gate.sock -- \
  "$PQBPF_BINARY_DIR/src/sandbox/pqbpf_race_load" 300
expect_stdout "race admitted some, one tag" '^admitted [1-9][0-9]* refused [0-9]+ tags 1$'
[ "$(prog_ids)" = "$BEFORE" ] && ok || fail "left loaded after the skeleton and race runs"

# 2. Refusals: EPERM to the loader, a record in the daemon's log, nothing loaded.
refused() {  # NAME REASON OBJECT
  local before_n; before_n=$(records "$2")
  check "$1" 255 "${RUN[@]}" --quiet -- bpftool prog loadall "$3" bpffs/no
  grep 'Operation not permitted' "$WORK/err" >/dev/null && ok || fail "$1: the loader did not get EPERM"
  [ "$(records "$2")" -gt "$before_n" ] && ok || fail "$1: no $2 record in the daemon's log"
  [ ! -e bpffs/no ] || [ -z "$(ls bpffs/no)" ] && [ "$(prog_ids)" = "$BEFORE" ] && ok || fail "$1: something was loaded"
  rm -rf bpffs/no
}
refused "one instruction changed" no_matching_envelope xdp_counter_drop.bpf.o
grep '"reason":"no_matching_envelope"' gate.log | grep 'instruction 21 is b700000001000000, signed b700000002000000' >/dev/null &&
  ok || fail "the refusal does not name the changed instruction"
refused "rogue signer" no_matching_envelope xdp_pass.bpf.o
refused "unsigned" no_matching_envelope tracepoint_exec.bpf.o
refused "map of another shape" map_mismatch xdp_counter_array.bpf.o
grep '"reason":"map_mismatch"' gate.log | grep "map 'class_counts' (fd [0-9]* in the caller) has type 2" >/dev/null &&
  ok || { fail "the map refusal does not say which map"; grep '"reason":"map_mismatch"' gate.log | tail -3; }

# 3. A store that cannot be opened on SIGHUP: the old one stays, and says why.
mv store store.moved
kill -HUP "${PIDS[0]}"
for _ in $(seq 100); do grep 'envelope store reload failed' gate.err >/dev/null && break; sleep 0.05; done
grep 'envelope store reload failed' gate.err >/dev/null && ok || fail "no reload failure on stderr: $(cat gate.err)"
check "old store still admits" 0 "${RUN[@]}" --quiet -- bpftool prog loadall xdp_counter.bpf.o bpffs/again
rm -rf bpffs/again
mv store.moved store

# 4. A daemon without a store refuses every forwarded load and records it.
start_gated bare
check "no store: direct load refused" 10 "${T[@]}" "$PQBPF_CLI" run --gate bare.sock -- "$DIRECT" load
expect_stdout "no store: EPERM" '^prog_load: EPERM$'
grep '"reason":"no_matching_envelope"' bare.log | grep '"command":"pqbpf_bpf_direc"' |
  grep 'no envelope store' >/dev/null && ok || fail "no refusal record in the storeless daemon's log: $(cat bare.log)"

# 5. No daemon: EPERM (fail closed), one notice, and the workload goes on.
check "no daemon" 0 "${T[@]}" "$PQBPF_CLI" run --gate "$WORK/nothing.sock" -- sh -c "\"$DIRECT\" load; \"$DIRECT\" load; echo after"
expect_stdout "no daemon: EPERM" '^prog_load: EPERM$'
expect_stdout "no daemon: workload went on" '^after$'
[ "$(grep -c 'could not decide the load' "$WORK/err")" -eq 1 ] && ok || fail "not one failure notice: $(cat "$WORK/err")"
# With --log, those refusals are recorded locally (no lost record); loads the
# daemon decided are in the daemon's log only.
check "no daemon, local log" 10 "${T[@]}" "$PQBPF_CLI" run --quiet --gate "$WORK/nothing.sock" \
  --log fallback.log -- "$DIRECT" load
grep '"decision":"deny"' fallback.log | grep '"command":"pqbpf_bpf_direc"' |
  grep 'could not decide the load' >/dev/null && ok || fail "no local record of the undecided load: $(cat fallback.log)"
check "daemon decides, local log" 0 "${T[@]}" "$PQBPF_CLI" run --quiet --gate bare.sock --log local.log -- true
check "daemon refuses, local log" 10 "${T[@]}" "$PQBPF_CLI" run --quiet --gate bare.sock --log local.log -- "$DIRECT" load
[ "$(grep -c '"kind":"attempt"' local.log || true)" -eq 0 ] && ok || fail "a load the daemon decided was recorded locally too"
check "the local log verifies" 0 pqc log verify fallback.log --key fallback.log.key.pub

# Usage: --gate decides with the daemon's store and policy.
for extra in "--envelopes store" "--policy policy.yaml"; do
  # shellcheck disable=SC2086
  check "--gate with $extra" 2 "$PQBPF_CLI" run --gate gate.sock $extra -- true
  expect_one_error_line "--gate with $extra" 'not with --'
done

[ "$(prog_ids)" = "$BEFORE" ] && ok || fail "programs left loaded: $(comm -13 <(echo "$BEFORE") <(prog_ids) | tr '\n' ' ')"
for i in 0 1; do
  kill -TERM "${PIDS[$i]}"; wait "${PIDS[$i]}" && ok || fail "pqc-bpf-gated $i did not stop cleanly"
done
PIDS=()
check "the daemon's log verifies" 0 pqc log verify gate.log --key log.key.pub
check "the storeless daemon's log verifies" 0 pqc log verify bare.log --key log.key.pub
finish

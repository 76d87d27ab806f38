#!/bin/sh
# Runs inside the test VM (busybox sh, as root): the checks of issue 14, each
# ending in one "PQBPF-VM: <check> PASS|FAIL <why>" line on the console.
cd /data || exit 1
log() { echo "PQBPF-VM-LOG: $CHECK $*"; }
pass() { echo "PQBPF-VM: $CHECK PASS $*"; }
fail() { echo "PQBPF-VM: $CHECK FAIL $*"; }

GATED_PID=
# start_gate NAME [lsm yaml lines]: a gate with its own log, socket and state.
start_gate() {
  name=$1; shift
  mkdir -p "/run/$name" && rm -f "/run/$name/gate.sock"
  {
    echo "policy: /data/policy.yaml"
    echo "log: {path: /run/$name/audit.log, durability: none, checkpoint_key: /data/log.key}"
    echo "socket: {path: /run/$name/gate.sock, mode: \"0600\"}"
    echo "pin_root: /sys/fs/bpf/$name"
    echo "state_dir: /run/$name"
    for line in "$@"; do echo "$line"; done
  } >"/run/$name/gated.yaml"
  pqc-bpf-gated --config "/run/$name/gated.yaml" 2>"/run/$name/gated.err" &
  GATED_PID=$!
  i=0
  while [ ! -S "/run/$name/gate.sock" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
  [ -S "/run/$name/gate.sock" ] || { log "gate did not start: $(cat /run/$name/gated.err)"; return 1; }
}
stop_gate() {
  [ -n "$GATED_PID" ] && kill -TERM "$GATED_PID" 2>/dev/null && wait "$GATED_PID" 2>/dev/null
  GATED_PID=
}

# (1) a signed sample loads through the gate.
CHECK=signed_load
if start_gate g1; then
  if pqc-bpf load xdp.bpf.o.sig.json --gate /run/g1/gate.sock --pin s1 >/tmp/out 2>&1; then
    pass "$(grep -m1 'prog ' /tmp/out)"
  else
    fail "pqc-bpf load: $(cat /tmp/out)"
  fi
  rm -rf /sys/fs/bpf/g1/s1
  stop_gate
else
  fail "the gate did not start"
fi

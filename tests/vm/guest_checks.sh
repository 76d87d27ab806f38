#!/bin/sh
# Runs inside the test VM (busybox sh, as root): the checks of issue 14, each
# ending in one "PQBPF-VM: <check> PASS|FAIL <why>" line on the console
# (details as "PQBPF-VM-LOG: <check> ..."). tests/vm/check.sh reads them.
cd /data || exit 1
log() { echo "PQBPF-VM-LOG: $CHECK $*"; }
pass() { echo "PQBPF-VM: $CHECK PASS $*"; }
fail() { echo "PQBPF-VM: $CHECK FAIL $*"; }

GATED_PID=
GATE=
# start_gate NAME [yaml lines...]: a gate with its own log, socket and pins.
start_gate() {
  GATE=$1; shift
  mkdir -p "/run/$GATE" && rm -f "/run/$GATE/gate.sock"
  {
    echo "policy: /data/policy.yaml"
    echo "log: {path: /run/$GATE/audit.log, durability: none, checkpoint_key: /data/log.key}"
    echo "socket: {path: /run/$GATE/gate.sock, mode: \"0600\"}"
    echo "pin_root: /sys/fs/bpf/$GATE"
    echo "state_dir: /run/$GATE"
    for line in "$@"; do echo "$line"; done
  } >"/run/$GATE/gated.yaml"
  pqc-bpf-gated --config "/run/$GATE/gated.yaml" 2>"/run/$GATE/gated.err" &
  GATED_PID=$!
  i=0
  while [ ! -S "/run/$GATE/gate.sock" ] && [ $i -lt 600 ]; do
    kill -0 "$GATED_PID" 2>/dev/null || break
    sleep 0.1; i=$((i + 1))
  done
  [ -S "/run/$GATE/gate.sock" ] || { log "gate did not start: $(cat /run/$GATE/gated.err)"; return 1; }
  log "gate: $(grep -m1 'BPF LSM' /run/$GATE/gated.err)"
}
stop_gate() {
  [ -n "$GATED_PID" ] && kill -TERM "$GATED_PID" 2>/dev/null && wait "$GATED_PID" 2>/dev/null
  GATED_PID=
}
# The audit log's kernel_attempt records of one pid.
attempts_of() { grep '"action":"kernel_attempt"' "/run/$GATE/audit.log" | grep "\"pid\":$1,"; }
# direct_load OBJECT PIN: bpftool prog load in the background, so $! is its pid.
direct_load() {
  bpftool prog load "$1" "$2" >/tmp/direct.out 2>&1 &
  DIRECT_PID=$!
  wait "$DIRECT_PID"
  DIRECT_RC=$?
  rm -f "$2"
  return $DIRECT_RC
}
ids_of() {  # ids_of program_ids|link_ids|map_ids: from the gate's start line
  sed -n "s/.*\"$1\":\[\([0-9,]*\)\].*/\1/p" "/run/$GATE/gated.err" | sed -n 1p | tr ',' ' '
}

# --- gate 1: enforce ---------------------------------------------------------
CHECK=signed_load
if start_gate g1 "lsm: {mode: enforce, require_lsm: true}"; then
  G1=ok
  if pqc-bpf load xdp.bpf.o.sig.json --gate /run/g1/gate.sock --pin s1 >/tmp/out 2>&1; then
    pass "$(grep -m1 'prog ' /tmp/out)"
  else
    fail "pqc-bpf load: $(cat /tmp/out)"
  fi
else
  G1=
  fail "the gate did not start in enforce mode"
fi

# (2) a direct load by another process: EPERM, recorded with its command and pid.
CHECK=direct_load_denied
if [ -n "$G1" ]; then
  if direct_load other.bpf.o /sys/fs/bpf/d2; then
    fail "bpftool prog load succeeded under enforce"
  elif ! grep -q 'Operation not permitted' /tmp/direct.out; then
    fail "bpftool failed, but not with EPERM: $(tail -2 /tmp/direct.out)"
  else
    sleep 0.5  # the consumer appends within its 100 ms poll
    rec=$(attempts_of "$DIRECT_PID" | grep '"command":"bpftool"' | grep '"decision":"deny"' | grep 'verdict deny' | sed -n 1p)
    if [ -n "$rec" ]; then
      log "$rec"
      pass "EPERM, recorded as kernel_attempt by bpftool pid $DIRECT_PID"
    else
      log "$(grep kernel_attempt /run/g1/audit.log | tail -3)"
      fail "no kernel_attempt deny record for bpftool pid $DIRECT_PID"
    fi
  fi
  # Without digest admission, even the object the gate approved is refused
  # to anyone else (check digest_admission uses this).
  if direct_load xdp.bpf.o /sys/fs/bpf/d2x; then APPROVED_WITHOUT_DIGEST=loaded; else APPROVED_WITHOUT_DIGEST=refused; fi
else
  fail "no gate"
fi

# (3) self-protection: nobody else opens the gate's links, maps or programs,
# or reads the gate's descriptors.
CHECK=self_protection
if [ -n "$G1" ]; then
  bad=
  links=$(ids_of link_ids); maps=$(ids_of map_ids); progs=$(ids_of program_ids)
  [ -n "$links" ] && [ -n "$maps" ] && [ -n "$progs" ] || bad="$bad; no ids in the start line"
  for id in $links; do
    bpftool link detach id "$id" >/tmp/p.out 2>&1 && bad="$bad; link $id detached"
  done
  for id in $maps; do
    bpftool map update id "$id" key hex 00 00 00 00 00 00 00 00 value hex 00 >/tmp/p.out 2>&1 \
      && bad="$bad; map $id updated"
    bpftool map delete id "$id" key hex 00 00 00 00 00 00 00 00 >/tmp/p.out 2>&1 && bad="$bad; map $id delete passed"
  done
  log "map delete said: $(grep -m1 -i 'error' /tmp/p.out)"
  for id in $progs; do
    bpftool prog show id "$id" >/tmp/p.out 2>&1 && bad="$bad; prog $id opened"
  done
  for fd in /proc/$GATED_PID/fd/*; do
    readlink "$fd" >/tmp/p.out 2>&1 && bad="$bad; $fd resolved" && break
  done
  log "links [$links] maps [$maps] programs [$progs]"
  # Still enforcing afterwards.
  direct_load other.bpf.o /sys/fs/bpf/d3 && bad="$bad; a direct load passed after the attempts"
  sleep 0.5
  n=$(grep -c 'verdict deny_protect' /run/g1/audit.log)
  [ "$n" -gt 0 ] || bad="$bad; no deny_protect records"
  if [ -z "$bad" ]; then pass "detach, map update/delete, prog open, /proc/<gate>/fd/* all refused ($n deny_protect records)"; else fail "${bad#; }"; fi
else
  fail "no gate"
fi
rm -rf /sys/fs/bpf/g1/s1
stop_gate
if [ -n "$G1" ]; then
  CHECK=signed_load
  pqc-bpf log verify /run/g1/audit.log --key log.key.pub >/tmp/v.out 2>&1 || log "log verify: $(cat /tmp/v.out)"
fi

# (4) audit mode allows and records.
CHECK=audit_mode
if start_gate g2 "lsm: {mode: audit}"; then
  if direct_load other.bpf.o /sys/fs/bpf/d4; then
    sleep 0.5
    rec=$(attempts_of "$DIRECT_PID" | grep '"decision":"allow"' | grep 'verdict allow_audit' | sed -n 1p)
    # What enforce refuses to touch of the gate's own is allowed, and recorded.
    prog=$(ids_of program_ids | cut -d' ' -f1)
    bpftool prog show id "$prog" >/tmp/p.out 2>&1 || rec="$rec (but prog $prog could not be opened: $(cat /tmp/p.out))"
    sleep 0.5
    if [ -z "$rec" ]; then fail "no allow_audit record for pid $DIRECT_PID"
    elif ! grep -q 'verdict audit_protect' /run/g2/audit.log; then fail "no audit_protect record for opening prog $prog"
    elif [ "${rec%(but*}" != "$rec" ]; then fail "$rec"
    else log "$rec"; pass "loaded, recorded as allow_audit for pid $DIRECT_PID; the gate's prog $prog opened, recorded as audit_protect"; fi
  else
    fail "bpftool prog load refused in audit mode: $(tail -2 /tmp/direct.out)"
  fi
  stop_gate
else
  fail "the gate did not start in audit mode"
fi

# (5) killing a non-persistent gate releases enforcement.
CHECK=kill_releases
if start_gate g3 "lsm: {mode: enforce}"; then
  if direct_load other.bpf.o /sys/fs/bpf/d5; then
    fail "not enforcing before the kill"
  else
    kill -9 "$GATED_PID"; wait "$GATED_PID" 2>/dev/null; GATED_PID=
    i=0
    until direct_load other.bpf.o /sys/fs/bpf/d5 || [ $i -ge 20 ]; do sleep 0.2; i=$((i + 1)); done
    if [ "$DIRECT_RC" -eq 0 ]; then pass "denied before, loaded after SIGKILL"
    else fail "still refused after the gate was killed: $(tail -2 /tmp/direct.out)"; fi
  fi
else
  fail "the gate did not start"
fi

# (6) digest-bound admission: another process's load of the program the gate
# approved passes only in digest mode; anything else is still refused.
CHECK=digest_admission
if start_gate g4 "lsm: {mode: enforce, digest_admission: true}"; then
  bad=
  direct_load xdp.bpf.o /sys/fs/bpf/d6a && bad="$bad; admitted before the gate approved it"
  pqc-bpf load xdp.bpf.o.sig.json --gate /run/g4/gate.sock --pin s6 >/tmp/out 2>&1 || bad="$bad; gate load failed: $(cat /tmp/out)"
  if direct_load xdp.bpf.o /sys/fs/bpf/d6b; then
    sleep 0.5
    rec=$(attempts_of "$DIRECT_PID" | grep 'verdict allow_digest' | sed -n 1p)
    [ -n "$rec" ] && log "$rec" || bad="$bad; no allow_digest record"
  else
    bad="$bad; approved object refused: $(grep -m1 -i 'error\|permitted' /tmp/direct.out)"
    sleep 0.5
    log "gate's load: $(grep -o '"kernel_programs":[^]]*' /run/g4/audit.log | tail -1)"
    attempts_of "$DIRECT_PID" | while read -r rec; do log "$(echo "$rec" | grep -o '"reason_text":"[^"]*"')"; done
  fi
  direct_load other.bpf.o /sys/fs/bpf/d6c && bad="$bad; an unapproved object was admitted"
  sleep 0.5
  attempts_of "$DIRECT_PID" | grep 'verdict deny_digest' >/dev/null || bad="$bad; no deny_digest record for the unapproved object"
  [ "$APPROVED_WITHOUT_DIGEST" = refused ] || bad="$bad; without digest admission the approved object was $APPROVED_WITHOUT_DIGEST"
  rm -rf /sys/fs/bpf/g4/s6
  stop_gate
  if [ -z "$bad" ]; then pass "approved object admitted by tag, unapproved refused, refused without digest mode"; else fail "${bad#; }"; fi
else
  fail "the gate did not start"
fi

# Scope: only loads from inside the listed cgroup v2 subtrees are judged.
CHECK=scope
mkdir -p /sys/fs/cgroup/scoped/child
if start_gate g7 "lsm: {mode: enforce, scope: [/sys/fs/cgroup/scoped]}"; then
  bad=
  sh -c 'echo $$ >/sys/fs/cgroup/scoped/child/cgroup.procs; exec bpftool prog load other.bpf.o /sys/fs/bpf/d8a' \
    >/tmp/direct.out 2>&1 && bad="$bad; a load inside the scope passed"
  rm -f /sys/fs/bpf/d8a
  direct_load other.bpf.o /sys/fs/bpf/d8b || bad="$bad; a load outside the scope was refused: $(grep -m1 -i error /tmp/direct.out)"
  stop_gate
  if [ -z "$bad" ]; then pass "refused inside /sys/fs/cgroup/scoped (a child cgroup), allowed outside"; else fail "${bad#; }"; fi
else
  fail "the gate did not start with a scope"
fi

# (7) persist: the links are pinned and nobody unpins them; the gate's death
# does not end enforcement; a new gate is told why it cannot take over.
# Last, since it leaves this VM locked, as documented.
CHECK=persist
if start_gate g5 "lsm: {mode: enforce, persist: true, pin_dir: /sys/fs/bpf/gate-lsm}"; then
  bad=
  n=$(ls /sys/fs/bpf/gate-lsm | wc -l)
  [ "$n" -ge 4 ] || bad="$bad; $n pins in /sys/fs/bpf/gate-lsm"
  rm -f /sys/fs/bpf/gate-lsm/gate_bpf 2>/dev/null; [ -e /sys/fs/bpf/gate-lsm/gate_bpf ] || bad="$bad; pin removed"
  mv /sys/fs/bpf/gate-lsm/gate_bpf_prog /sys/fs/bpf/moved 2>/dev/null && bad="$bad; pin renamed"
  bpftool link detach pinned /sys/fs/bpf/gate-lsm/gate_bpf >/tmp/p.out 2>&1 && bad="$bad; pinned link detached"
  log "detach pinned said: $(grep -m1 -i error /tmp/p.out)"
  kill -9 "$GATED_PID"; wait "$GATED_PID" 2>/dev/null; GATED_PID=
  sleep 0.5
  direct_load other.bpf.o /sys/fs/bpf/d7 && bad="$bad; a direct load passed after the persistent gate died"
  rm -f /sys/fs/bpf/gate-lsm/gate_bpf 2>/dev/null; [ -e /sys/fs/bpf/gate-lsm/gate_bpf ] || bad="$bad; pin removed after the gate died"
  umount /sys/fs/bpf 2>/dev/null && bad="$bad; the bpffs holding the pins was unmounted"
  if start_gate g6 "lsm: {mode: enforce, persist: true, pin_dir: /sys/fs/bpf/gate-lsm, require_lsm: true}"; then
    bad="$bad; a second gate started over the pinned LSM"; stop_gate
  else
    grep -q 'earlier gate' /run/g6/gated.err || bad="$bad; the second gate did not say why: $(cat /run/g6/gated.err)"
  fi
  if [ -z "$bad" ]; then pass "$n pins; unlink, rename, umount, opening a pin (detach) refused; still enforcing after SIGKILL; restart refused with the reason"; else fail "${bad#; }"; fi
else
  fail "the gate did not start with persist"
fi

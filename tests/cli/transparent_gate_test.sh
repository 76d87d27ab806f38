#!/usr/bin/env bash
# run --envelopes (docs/TRANSPARENT_GATE.md): an unmodified bpftool loads a
# signed, allowed object with maps and a subprogram under `pqc-bpf run`, and
# its kernel id is in the log; the same object with one instruction changed,
# signed by a rogue key, unsigned, or with a map of another shape gets EPERM,
# is recorded and nothing is loaded; a workload racing its own instruction
# buffer never gets an unsigned program. Pins go to a private bpffs mount;
# nothing stays loaded.
source "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then echo "skipped: needs root to load BPF programs"; exit 77; fi
if ! command -v bpftool >/dev/null; then echo "skipped: bpftool is not installed"; exit 77; fi
RACE="$PQBPF_BINARY_DIR/src/sandbox/pqbpf_race_load"
VARIANTS="$PQBPF_BINARY_DIR/src/sandbox"
mkdir bpffs
if ! mount -t bpf bpf "$WORK/bpffs" 2>/dev/null; then echo "skipped: cannot mount a private bpffs"; exit 77; fi
cleanup() {
  rm -rf "$WORK/bpffs/"* 2>/dev/null || true
  umount -l "$WORK/bpffs" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
T=(timeout --kill-after=5 60)
loaded() { bpftool prog show 2>/dev/null | grep -c 'name xdp_count ' || true; }
BEFORE=$(loaded)

pqc keygen --name ops -o ops.key >/dev/null
pqc keygen --name rogue -o rogue.key >/dev/null
mkdir env rogue unsigned
cp "$SAMPLES/xdp_counter.bpf.o" "$SAMPLES/socket_filter.bpf.o" env/
cp "$SAMPLES/xdp_counter.bpf.o" rogue/
cp "$SAMPLES/socket_filter.bpf.o" unsigned/
pqc sign env/xdp_counter.bpf.o --key ops.key --name xdp-counter >/dev/null
pqc sign env/socket_filter.bpf.o --key ops.key --name accept-all >/dev/null
pqc sign rogue/xdp_counter.bpf.o --key rogue.key --name xdp-counter >/dev/null
pqc sign unsigned/socket_filter.bpf.o --key ops.key --name accept-all >/dev/null
cp "$SAMPLES/xdp_counter.bpf.o" "$VARIANTS/xdp_counter_drop.bpf.o" "$VARIANTS/xdp_counter_array.bpf.o" .
cat > policy.yaml <<YAML
rules:
  - program_types: [xdp, socket_filter]
    allowed_signers: [ops.key.pub]
YAML
RUN=("${T[@]}" "$PQBPF_CLI" run --policy policy.yaml --log audit.log)
records() { grep -c "\"reason\":\"$1\"" audit.log || true; }

# 1. The signed, allowed object: bpftool loads and pins it, unchanged.
check "bpftool loadall under run" 0 "${RUN[@]}" --envelopes env -- bpftool prog loadall xdp_counter.bpf.o bpffs/ok
[ -e bpffs/ok/xdp_count ] && ok || fail "bpftool pinned no xdp_count"
id=$(bpftool prog show pinned bpffs/ok/xdp_count 2>/dev/null | sed -n 's/^\([0-9]*\):.*name xdp_count.*/\1/p')
[ -n "$id" ] && ok || fail "bpftool prog show does not list the pinned program"
line=$(grep '"action":"transparent_load"' audit.log | grep '"decision":"allow"' | tail -1)
echo "$line" | grep "\"kernel_programs\":\[{\"name\":\"xdp_count\",\"id\":$id," >/dev/null && ok ||
  fail "the allow record does not name kernel id $id: $line"
echo "$line" | grep '"signer":"did:pqaid:' >/dev/null && echo "$line" | grep '"insns":43' >/dev/null &&
  echo "$line" | grep '"actor":{"uid":0,"pid":[0-9]*,"command":"bpftool"' >/dev/null && ok ||
  fail "the allow record lacks signer, instruction count or actor: $line"
[ "$(grep -c '"action":"probe"' audit.log)" -ge 1 ] && ok || fail "no probe record"
rm -rf bpffs/ok

# 1a. A program calling a kernel function (kfunc): its BTF id, filled in by
# the loader, must be libbpf's own lookup on this kernel.
mkdir kfunc
cp "$VARIANTS/xdp_kfunc.bpf.o" kfunc/
pqc sign kfunc/xdp_kfunc.bpf.o --key ops.key --name xdp-kfunc >/dev/null
check "kfunc program under run" 0 "${RUN[@]}" --envelopes kfunc -- bpftool prog loadall kfunc/xdp_kfunc.bpf.o bpffs/kf
kid=$(bpftool prog show pinned bpffs/kf/xdp_kfunc 2>/dev/null | sed -n 's/^\([0-9]*\):.*name xdp_kfunc.*/\1/p')
[ -n "$kid" ] && grep '"decision":"allow"' audit.log |
  grep "\"kernel_programs\":\[{\"name\":\"xdp_kfunc\",\"id\":$kid," >/dev/null && ok ||
  fail "the kfunc program was not loaded and recorded (id '$kid')"
rm -rf bpffs/kf
[ -z "$(bpftool prog show 2>/dev/null | grep 'name xdp_kfunc ')" ] && ok || fail "xdp_kfunc left loaded"
[ "$(loaded)" -eq "$BEFORE" ] && ok || fail "xdp_count still loaded after unpinning"

# 1a'. A multi-buffer XDP program (SEC("xdp.frags")): libbpf adds
# BPF_F_XDP_HAS_FRAGS when it loads it, and the gate expects exactly that.
mkdir frags
cp "$VARIANTS/xdp_frags.bpf.o" frags/
pqc sign frags/xdp_frags.bpf.o --key ops.key --name xdp-frags >/dev/null
check "xdp.frags program under run" 0 "${RUN[@]}" --envelopes frags -- bpftool prog loadall frags/xdp_frags.bpf.o bpffs/fr
fid=$(bpftool prog show pinned bpffs/fr/xdp_frags_pass 2>/dev/null | sed -n 's/^\([0-9]*\):.*name xdp_frags_pass.*/\1/p')
[ -n "$fid" ] && ok || fail "the xdp.frags program was not loaded"
rm -rf bpffs/fr

# 1b. A libbpf skeleton loader (bpftool gen skeleton, examples/) works unchanged.
SKEL="$PQBPF_BINARY_DIR/examples/skeleton_loader"
if [ -x "$SKEL" ]; then
  check "skeleton loader under run" 0 "${RUN[@]}" --quiet --envelopes env -- "$SKEL" 2
  expect_stdout "skeleton loaded" '^loaded xdp_count id [0-9]+$'
  sid=$(sed -n 's/^loaded xdp_count id \([0-9]*\)$/\1/p' "$WORK/out")
  grep '"decision":"allow"' audit.log | grep "\"kernel_programs\":\[{\"name\":\"xdp_count\",\"id\":$sid," >/dev/null &&
    ok || fail "the skeleton's program id $sid is not in the log"
  check "skeleton loader without its envelope" 1 "${RUN[@]}" --quiet --envelopes unsigned -- "$SKEL"
  # Read-only data set by the skeleton before the load is not what was signed.
  before_n=$(records map_mismatch)
  check "skeleton loader with other read-only data" 1 "${RUN[@]}" --quiet --envelopes env -- "$SKEL" 1 4
  [ "$(records map_mismatch)" -gt "$before_n" ] && grep '"reason":"map_mismatch"' audit.log |
    grep -q 'does not hold the signed read-only data' && ok || fail "no map_mismatch record for changed .rodata"
else
  echo "note: $SKEL not built (no bpftool at build time); skeleton case skipped"
fi

# 1c. Read-only data the loader can still write (its own .rodata map, handed to
# libbpf with bpf_map__reuse_fd: not frozen, or writable by the program) would
# let it change the signed constants after the check: refused, nothing loaded.
REUSE="$PQBPF_BINARY_DIR/src/sandbox/pqbpf_rodata_reuse"
check "own .rodata outside: loads" 0 "${T[@]}" "$REUSE" xdp_counter.bpf.o
expect_stdout "own .rodata outside: loaded" '^loaded$'
before_n=$(records map_mismatch)
check "own unfrozen .rodata under run" 1 "${RUN[@]}" --quiet --envelopes env -- "$REUSE" xdp_counter.bpf.o
check "own program-writable .rodata under run" 1 "${RUN[@]}" --quiet --envelopes env -- "$REUSE" xdp_counter.bpf.o rw
[ "$(records map_mismatch)" -ge $((before_n + 2)) ] && ok || fail "no map_mismatch records for writable .rodata"
grep '"reason":"map_mismatch"' audit.log | grep 'is read-only data that is not frozen' >/dev/null && ok ||
  fail "the record does not say the .rodata map is not frozen"
grep '"reason":"map_mismatch"' audit.log | grep 'no BPF_F_RDONLY_PROG' >/dev/null && ok ||
  fail "the record does not say the program could write the .rodata map"
[ "$(loaded)" -eq "$BEFORE" ] && ok || fail "own .rodata left xdp_count loaded"
[ "$(loaded)" -eq "$BEFORE" ] && ok || fail "the skeleton left xdp_count loaded"

# 2. Refusals: EPERM to the loader, a record, nothing loaded.
refused() {  # NAME REASON OBJECT ENVELOPES
  local before_n; before_n=$(records "$2")
  check "$1" 255 "${RUN[@]}" --quiet --envelopes "$4" -- bpftool prog loadall "$3" bpffs/no
  grep -q 'Operation not permitted' "$WORK/err" && ok || fail "$1: the loader did not get EPERM"
  [ "$(records "$2")" -gt "$before_n" ] && ok || fail "$1: no $2 record"
  [ ! -e bpffs/no/xdp_count ] && [ "$(loaded)" -eq "$BEFORE" ] && ok || fail "$1: something was loaded"
  rm -rf bpffs/no
}
refused "one instruction changed" no_matching_envelope xdp_counter_drop.bpf.o env
grep '"reason":"no_matching_envelope"' audit.log | grep 'instruction 21 is b700000001000000, signed b700000002000000' >/dev/null &&
  ok || fail "the refusal does not name the changed instruction"
refused "rogue signer" no_matching_envelope xdp_counter.bpf.o rogue
refused "unsigned" no_matching_envelope xdp_counter.bpf.o unsigned
refused "map of another shape" map_mismatch xdp_counter_array.bpf.o env
grep '"reason":"map_mismatch"' audit.log | grep "map 'class_counts' (fd [0-9]* in the caller) has type 2" >/dev/null &&
  ok || { fail "the map refusal does not say which map"; grep '"reason":"map_mismatch"' audit.log | tail -3; }

# A signed program whose envelope the policy denies (no rule covers xdp): refused with the
# policy's own reason (the gate's decision path), signer recorded.
cat > sockets_only.yaml <<YAML
rules:
  - program_types: [socket_filter]
    allowed_signers: [ops.key.pub]
YAML
check "policy denies the type" 255 "${T[@]}" "$PQBPF_CLI" run --quiet --policy sockets_only.yaml \
  --log audit.log --envelopes env -- bpftool prog loadall xdp_counter.bpf.o bpffs/no
grep '"reason":"no_rule"' audit.log | grep '"action":"transparent_load"' | grep '"signer":"did:pqaid:' >/dev/null &&
  ok || fail "no no_rule record with the signer"
[ ! -e bpffs/no/xdp_count ] && [ "$(loaded)" -eq "$BEFORE" ] && ok || fail "policy-denied program loaded"
rm -rf bpffs/no

# 2b. The supervisor loads with its own privileges, so it loads only for a
# caller that holds what the kernel asks of it: with every capability dropped
# (no CAP_BPF) or without CAP_NET_ADMIN (xdp), the signed sample is refused
# as caller_not_permitted; with CAP_BPF and CAP_NET_ADMIN it loads.
if [ -x "$SKEL" ] && command -v setpriv >/dev/null && setpriv --bounding-set=-all,+bpf -- true 2>/dev/null; then
  before=$(records caller_not_permitted)
  check "no capabilities: refused" 1 "${RUN[@]}" --quiet --envelopes env -- setpriv --bounding-set=-all -- "$SKEL" 1
  [ "$(records caller_not_permitted)" -gt "$before" ] && ok || fail "no caller_not_permitted record (no caps)"
  grep '"reason":"caller_not_permitted"' audit.log | grep -q 'lacks CAP_BPF' && ok ||
    fail "the record does not name CAP_BPF: $(grep caller_not_permitted audit.log | tail -1)"
  before=$(records caller_not_permitted)
  check "CAP_BPF without CAP_NET_ADMIN: xdp refused" 1 "${RUN[@]}" --quiet --envelopes env -- \
    setpriv --bounding-set=-all,+bpf -- "$SKEL" 1
  grep '"reason":"caller_not_permitted"' audit.log | tail -1 | grep -q 'CAP_NET_ADMIN' && ok ||
    fail "the xdp refusal does not name CAP_NET_ADMIN: $(grep caller_not_permitted audit.log | tail -1)"
  check "CAP_BPF and CAP_NET_ADMIN: loads" 0 "${RUN[@]}" --quiet --envelopes env -- \
    setpriv --bounding-set=-all,+bpf,+net_admin -- "$SKEL" 1
  [ "$(loaded)" -eq "$BEFORE" ] && ok || fail "left loaded after the capability cases"
else
  echo "skipped (capability cases): needs the skeleton loader and setpriv with CAP_BPF"
fi

# 3. Without --envelopes nothing changes: every load is refused.
check "no envelopes: refused" 255 "${T[@]}" "$PQBPF_CLI" run --quiet --log audit.log \
  --allow-bpf-cmd map_create --allow-bpf-cmd btf_load --allow-bpf-cmd obj_get_info_by_fd \
  -- bpftool prog loadall xdp_counter.bpf.o bpffs/no
[ "$(loaded)" -eq "$BEFORE" ] && ok || fail "loaded without envelopes"

# 4. A workload flipping its instruction buffer while its load is pending:
# whatever was admitted is the signed program (one kernel tag). Outside the
# sandbox the same race loads both versions: the test can see a swap.
check "race outside: both versions load" 1 "${T[@]}" "$RACE" 3000
expect_stdout "race outside: two tags" '^admitted 3000 refused 0 tags 2$'
check "race" 0 "${T[@]}" "$PQBPF_CLI" run --quiet --envelopes env --policy policy.yaml \
  --log race.log --durability none -- "$RACE" 3000
expect_stdout "race admitted some" '^admitted [1-9][0-9]* refused [0-9]+ tags 1$'

# Hostile entries in the envelope directory (a FIFO, a directory, a link to
# /dev/zero, a truncated envelope) are reported and skipped; nothing hangs,
# and the good envelope still admits.
mkdir hostile
cp env/xdp_counter.bpf.o env/xdp_counter.bpf.o.sig.json hostile/
mkfifo hostile/fifo.sig.json
mkdir hostile/dir.sig.json
ln -s /dev/zero hostile/zero.sig.json
head -c 100 env/socket_filter.bpf.o.sig.json > hostile/cut.sig.json
check "hostile envelope dir" 0 "${RUN[@]}" --envelopes hostile -- bpftool prog loadall xdp_counter.bpf.o bpffs/h
expect_stderr "fifo reported" 'fifo.sig.json.*(not a regular file|FIFO)'
expect_stderr "truncated reported" 'cut.sig.json'
rm -rf bpffs/h
[ "$(loaded)" -eq "$BEFORE" ] && ok || fail "left loaded after the hostile-dir run"

# Usage: --envelopes needs --policy; an unreadable directory starts nothing.
check "envelopes without policy" 2 "$PQBPF_CLI" run --envelopes env -- true
check "missing envelope dir" 125 "$PQBPF_CLI" run --envelopes nodir --policy policy.yaml -- true

check "log verifies" 0 "$PQBPF_CLI" log verify audit.log --key audit.log.key.pub
[ "$(loaded)" -eq "$BEFORE" ] && ok || fail "programs left loaded"
finish

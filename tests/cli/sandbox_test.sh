#!/usr/bin/env bash
# run / seccomp-profile: under `pqc-bpf run` a workload's own bpf(BPF_PROG_LOAD)
# gets EPERM and is in the audit log with pid, command, exe, cgroup, type,
# name and instruction count; outside it the same load works. bpf() commands
# pass only when allowed. Every run is under timeout(1): a hang fails.
source "$(dirname "$0")/lib.sh"

DIRECT="$PQBPF_BINARY_DIR/src/sandbox/pqbpf_bpf_direct"
if [ "$(id -u)" != 0 ]; then echo "skipped: needs root to load BPF programs"; exit 77; fi
if [ ! -x "$DIRECT" ]; then echo "skipped: $DIRECT is not built"; exit 77; fi
T=(timeout --kill-after=5 60)
loaded_direct() { bpftool prog show 2>/dev/null | grep -c 'name pqbpf_direct' || true; }
before=$(loaded_direct)

# Outside the sandbox the program loads (and bpf_direct closes its fd).
check "load outside the sandbox" 0 "${T[@]}" "$DIRECT" load
expect_stdout "outside: loaded" '^prog_load: ok$'

# Under run: EPERM, a notice, a record.
check "load under run" 10 "${T[@]}" "$PQBPF_CLI" run --log audit.log -- "$DIRECT" load
expect_stdout "under run: EPERM" '^prog_load: EPERM$'
expect_stderr "notice" '^pqc-bpf: run: refused bpf prog_load from pid [0-9]+ \(pqbpf_bpf_direc\): direct_load_refused$'
check "log show" 0 "$PQBPF_CLI" log show audit.log --json
node -e '
const recs = require("fs").readFileSync(process.argv[1], "utf8");
const d = JSON.parse(recs); const r = Array.isArray(d) ? d : (d.records || [d]);
const a = r.filter(x => x.kind === "attempt");
const fail = m => { console.log("FAIL: " + m + ": " + JSON.stringify(a)); process.exit(1); };
if (a.length !== 1) fail("one attempt");
const x = a[0];
if (x.action !== "direct_load" || x.decision !== "deny" || x.reason !== "direct_load_refused") fail("decision");
if (!(x.actor.pid > 1) || x.actor.uid !== 0 || x.actor.command !== "pqbpf_bpf_direc") fail("actor");
if (x.actor.exe !== process.argv[2] || !String(x.actor.cgroup).startsWith("/")) fail("exe/cgroup");
if (x.program !== "pqbpf_direct" || JSON.stringify(x.program_types) !== "[\"socket_filter\"]") fail("program");
if (x.insns !== 2 || !x.reason_text.includes("as read from the caller")) fail("insns");
' "$WORK/out" "$DIRECT" && ok || fail "record of the refused load"
check "log verifies" 0 "$PQBPF_CLI" log verify audit.log --key audit.log.key.pub

# The filter is inherited: a forked child and a second thread are caught.
check "forked child" 10 "${T[@]}" "$PQBPF_CLI" run --quiet --log audit.log -- "$DIRECT" fork-load
check "second thread" 10 "${T[@]}" "$PQBPF_CLI" run --quiet --log audit.log -- "$DIRECT" thread-load
check "cmd with high bits" 10 "${T[@]}" "$PQBPF_CLI" run --quiet --log audit.log -- "$DIRECT" load-hicmd
# ... and through a shell.
check "through sh" 10 "${T[@]}" "$PQBPF_CLI" run --quiet --log audit.log -- sh -c "\"$DIRECT\" load"

# The workload never holds the seccomp listener (it could answer its own calls).
check "no listener in the workload" 0 "${T[@]}" "$PQBPF_CLI" run -- sh -c '! ls -l /proc/$$/fd/ | grep -q seccomp'

# Other commands: denied and recorded by default, run when allowed.
check "map_create denied" 10 "${T[@]}" "$PQBPF_CLI" run --log audit.log -- "$DIRECT" map
expect_stderr "map notice" 'refused bpf map_create .*: bpf_command_denied$'
check "map_create allowed" 0 "${T[@]}" "$PQBPF_CLI" run --log audit.log --allow-bpf-cmd map_create -- "$DIRECT" map
expect_stdout "map created" '^map_create: ok$'
check "allowing map_create does not admit loads" 10 "${T[@]}" "$PQBPF_CLI" run --log audit.log \
  --allow-bpf-cmd map_create --allow-bpf-cmd BPF_BTF_LOAD -- "$DIRECT" load
check "log show all" 0 "$PQBPF_CLI" log show audit.log --json
n=$(grep -c '"reason": *"direct_load_refused"\|"reason":"direct_load_refused"' "$WORK/out" || true)
m=$(grep -c '"reason": *"bpf_command_denied"\|"reason":"bpf_command_denied"' "$WORK/out" || true)
[ "$n" -eq 6 ] && ok || fail "6 direct_load_refused records, got $n"
[ "$m" -eq 1 ] && ok || fail "1 bpf_command_denied record, got $m"
check "log still verifies" 0 "$PQBPF_CLI" log verify audit.log --key audit.log.key.pub

# prog_load can never be allowed; unknown commands are a usage error.
check "prog_load not allowable" 2 "$PQBPF_CLI" run --allow-bpf-cmd prog_load -- true
expect_one_error_line "prog_load not allowable" 'loads code'
# Nor prog_test_run: a syscall program run with it loads code (bpf_sys_bpf).
check "prog_test_run not allowable" 2 "$PQBPF_CLI" run --allow-bpf-cmd prog_test_run -- true
expect_one_error_line "prog_test_run not allowable" 'prog_test_run.*can never be allowed.*bpf_sys_bpf'
check "unknown bpf command" 2 "$PQBPF_CLI" run --allow-bpf-cmd map_creat -- true
expect_one_error_line "unknown bpf command" 'unknown bpf command'

# Exit status is the command's; 127 / 126 when it cannot be run.
check "exit status passes through" 7 "${T[@]}" "$PQBPF_CLI" run -- sh -c 'exit 7'
check "killed by signal" 137 "${T[@]}" "$PQBPF_CLI" run -- sh -c 'kill -9 $$'
check "not found" 127 "$PQBPF_CLI" run -- "$WORK/no-such-command"
expect_one_error_line "not found" 'no-such-command: cannot execute'
touch notexec
check "not executable" 126 "$PQBPF_CLI" run -- "$WORK/notexec"
# SIGTERM to pqc-bpf reaches the workload (which says so, and exits 3).
"$PQBPF_CLI" run -- sh -c 'trap "kill \$p; echo term > term.out; exit 3" TERM
  sleep 30 & p=$!; echo ready > ready.out; wait $p' & sup=$!
for _ in $(seq 100); do [ -e ready.out ] && break; sleep 0.1; done
kill -TERM "$sup"
set +e; wait "$sup"; code=$?; set -e
[ "$code" -eq 3 ] && [ "$(cat term.out 2>/dev/null)" = term ] && ok ||
  fail "SIGTERM forwarded: exit $code, expected 3 from the workload's trap"
# An unusable log: the command is not started.
check "bad log dir" 125 "$PQBPF_CLI" run --log "$WORK/missing/audit.log" -- "$DIRECT" load
[ ! -s "$WORK/out" ] && ok || fail "the command ran although the log could not be opened"

# Nothing left loaded.
[ "$(loaded_direct)" = "$before" ] && ok || fail "pqbpf_direct programs left loaded"

# seccomp-profile: the OCI shape.
check "seccomp-profile" 0 "$PQBPF_CLI" seccomp-profile
node -e '
const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const keys = Object.keys(p).sort().join(",");
if (keys !== "architectures,defaultAction,syscalls") throw new Error("keys " + keys);
if (p.defaultAction !== "SCMP_ACT_ALLOW") throw new Error("defaultAction");
if (!p.architectures.includes("SCMP_ARCH_X86_64")) throw new Error("arch");
if (p.syscalls.length !== 1) throw new Error("one rule");
const r = p.syscalls[0];
if (JSON.stringify(r.names) !== "[\"bpf\"]" || r.action !== "SCMP_ACT_ERRNO" || r.errnoRet !== 1) throw new Error("rule");
' "$WORK/out" && ok || fail "seccomp-profile shape: $(cat "$WORK/out")"

finish

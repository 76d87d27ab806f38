#!/usr/bin/env bash
# The audit log from the CLI (issue 11): `log init`, a loud first-use key,
# --no-create-key, the witness (check refuses a cut-back log; log verify
# checks LOG.witness by default, --witness COPY, --no-witness),
# --allow-unsealed, and log paths planted as symlinks (check and verify).
source "$(dirname "$0")/lib.sh"

pqc keygen --name ops -o ops.key >/dev/null
cp "$SAMPLES/tracepoint_exec.bpf.o" trace.bpf.o
pqc sign trace.bpf.o --key ops.key --name exec-trace >/dev/null
cat > policy.yaml <<YAML
rules:
  - program_types: [tracepoint]
    allowed_signers: [ops.key.pub]
YAML
gate() { pqc check trace.bpf.o.sig.json --policy policy.yaml "$@"; }

# --- log init: explicit key creation, 0600, never overwritten silently.
check "log init" 0 pqc log init audit.log
expect_stdout "init names key and DID" 'audit.log.key \(did:pqaid:[0-9a-f]{64}'
expect_stdout "init says verify checks the witness" 'audit.log.witness'
[ "$(stat -c %a audit.log.key)" = "600" ] && ok || fail "log key mode $(stat -c %a audit.log.key)"
[ -f audit.log.key.pub ] && ok || fail "no audit.log.key.pub"
did=$(json_field audit.log.key.pub did)
check "log init refuses to overwrite" 2 pqc log init audit.log
expect_one_error_line "overwrite refusal" 'already exists'
[ "$(json_field audit.log.key.pub did)" = "$did" ] && ok || fail "key replaced without --force"
check "log init --force" 0 pqc log init audit.log --force --json
[ "$(json_field "$WORK/out" did)" != "$did" ] && ok || fail "--force kept the old key"

# --- check with an initialised key: no notice about a new key.
check "check with init'ed key" 0 gate --log audit.log
if grep -q 'NEW' "$WORK/err"; then fail "notice printed for an existing key"; else ok; fi

# --- --no-create-key refuses (deny) instead of creating a key.
check "--no-create-key denies without a key" 2 gate --log other.log --no-create-key
expect_stderr "names log init" "log init other.log"
expect_no_file "no key created" other.log.key
expect_no_file "no log created" other.log

# --- A key made to sign objects never signs the log.
check "a signing key does not sign the log" 2 gate --log wrongkey.log --log-key ops.key
expect_one_error_line "signing key refused for the log" "ops.key: key 'ops' \(did:pqaid:[0-9a-f]{64}\) may not sign the audit log"
expect_no_file "no log from a signing key" wrongkey.log

# --- First use without init: created, loudly (file and DID on stderr).
check "first use creates the key" 0 gate --log first.log
expect_stderr "first-use notice names the key" 'NEW one was created: first.log.key \(did:pqaid:[0-9a-f]{64}'

# --- Witness: kept beside the log, checked by check and by log verify.
echo 'rules: []' > empty.yaml
check "second check (denied)" 1 pqc check trace.bpf.o.sig.json --policy empty.yaml --log audit.log
[ -f audit.log.witness ] && ok || fail "no audit.log.witness"
[ "$(json_field audit.log.witness seq)" = "4" ] && ok || fail "witness seq $(cat audit.log.witness)"
check "log verify --witness" 0 pqc log verify audit.log --key audit.log.key.pub --witness audit.log.witness
expect_stdout "witness reported" 'witness: the log holds seq 4'
check "log verify uses LOG.witness by default" 0 pqc log verify audit.log --key audit.log.key.pub
expect_stdout "default witness named" 'witness: the log holds seq 4 .*audit\.log\.witness'
check "default witness in --json" 0 pqc log verify audit.log --key audit.log.key.pub --json
[ "$(json_field "$WORK/out" witness_source)" = "default" ] && ok || fail "json witness_source: $(cat "$WORK/out")"
[ "$(json_field "$WORK/out" witness_seq)" = "4" ] && ok || fail "json witness_seq: $(cat "$WORK/out")"
[ "$(json_field "$WORK/out" witness_file)" = "audit.log.witness" ] && ok || fail "json witness_file: $(cat "$WORK/out")"
check "--witness and --no-witness conflict" 2 pqc log verify audit.log --key audit.log.key.pub --witness audit.log.witness --no-witness
# Cut the log back to its first closed session (2 records): a valid closed
# log on its own, which verify (by default, with LOG.witness) and every
# writer refuse.
head -n 2 audit.log > cut && cat cut > audit.log
check "cut log fails against the default witness" 1 pqc log verify audit.log --key audit.log.key.pub
expect_one_error_line "default witness failure says why" 'witness saw seq 4 \(audit\.log\.witness\)'
check "cut log verifies only with --no-witness" 0 pqc log verify audit.log --key audit.log.key.pub --no-witness
expect_stdout "--no-witness said" 'witness: not checked'
check "--no-witness --json" 0 pqc log verify audit.log --key audit.log.key.pub --no-witness --json
[ "$(json_field "$WORK/out" witness_source)" = "skipped" ] && ok || fail "json witness_source: $(cat "$WORK/out")"
[ "$(json_field "$WORK/out" witness_seq)" = "null" ] && ok || fail "json witness_seq: $(cat "$WORK/out")"
check "cut log fails against the witness" 1 pqc log verify audit.log --key audit.log.key.pub --witness audit.log.witness
expect_stderr "witness failure says why" 'witness saw seq 4'
check "check refuses to re-seal a cut log" 1 gate --log audit.log
expect_stderr "check names the witness" 'audit.log.witness'
cmp -s cut audit.log && ok || fail "check wrote to the cut log"
check "log verify --witness with a missing file" 2 pqc log verify audit.log --key audit.log.key.pub --witness nope.witness

# --- Without LOG.witness: still OK, with a one-line note that a cut at the
# end cannot be seen; a symlink there is refused, not followed.
cp first.log copy.log
check "no default witness still verifies" 0 pqc log verify copy.log --key first.log.key.pub
[ "$(grep -c 'note: .*copy\.log\.witness' "$WORK/out")" = "1" ] && ok || fail "no one-line note: $(cat "$WORK/out")"
check "no default witness --json" 0 pqc log verify copy.log --key first.log.key.pub --json
[ "$(json_field "$WORK/out" witness_source)" = "missing" ] && ok || fail "json witness_source: $(cat "$WORK/out")"
[ "$(json_field "$WORK/out" notes.length)" = "1" ] && ok || fail "json notes: $(cat "$WORK/out")"
ln -s first.log.witness copy.log.witness
check "symlinked default witness refused" 2 pqc log verify copy.log --key first.log.key.pub
expect_one_error_line "symlinked witness named" 'copy\.log\.witness: .*symbolic link'
ln -s first.log.witness link.witness
check "symlinked --witness refused" 2 pqc log verify first.log --key first.log.key.pub --witness link.witness
expect_one_error_line "symlinked --witness named" 'link\.witness: .*symbolic link'

# --- The review's attack on verify: the current file replaced by a symlink
# to an older copy of the log (with rotation: to the newest rotated file),
# hiding what came after it. Refused even without a witness.
pqc log init sym.log >/dev/null
gate --log sym.log >/dev/null
cp -p sym.log sym.old
gate --log sym.log >/dev/null
rm sym.log && ln -s sym.old sym.log
check "symlinked current file fails verify" 1 pqc log verify sym.log --key sym.log.key.pub --no-witness --require-closed
expect_one_error_line "symlinked current file named" '^pqc-bpf: error: sym\.log: .*symbolic link'
check "symlinked current file: show refuses it" 2 pqc log show sym.log
expect_one_error_line "show names the symlink" 'sym\.log: .*symbolic link'

# --- A chain that no checkpoint signs is not OK unless --allow-unsealed.
head -n 1 first.log > unsealed.log
check "unsigned chain rejected" 1 pqc log verify unsealed.log --key first.log.key.pub
expect_stderr "says no checkpoint" 'no checkpoint signed by the supplied key'
check "--allow-unsealed accepts it" 0 pqc log verify unsealed.log --key first.log.key.pub --allow-unsealed
expect_stdout "unsealed count in text" 'unsealed: 1 record'
check "--allow-unsealed --json" 0 pqc log verify unsealed.log --key first.log.key.pub --allow-unsealed --json
[ "$(json_field "$WORK/out" unsealed)" = "1" ] && ok || fail "json unsealed: $(cat "$WORK/out")"
check "sealed log reports 0 unsealed" 0 pqc log verify first.log --key first.log.key.pub
expect_stdout "unsealed 0 in text" 'unsealed: 0 record'

# --- The review's attack: the log path planted as a symlink to a text file.
printf 'line one\nline two\n' > victim.txt
ln -s victim.txt planted.log
check "symlinked log refused" 2 gate --log planted.log
expect_stderr "symlink named" 'planted.log: log file is a symbolic link'
[ "$(cat victim.txt)" = "$(printf 'line one\nline two')" ] && ok || fail "victim changed: $(cat victim.txt)"
expect_no_file "no torn file" planted.log.torn

# --- A regular file that is not our log is refused untouched.
printf 'line one\nline two\n' > notalog.log
chmod 600 notalog.log
check "foreign file refused" 2 gate --log notalog.log
expect_stderr "not an audit record" 'not an audit log record'
[ "$(cat notalog.log)" = "$(printf 'line one\nline two')" ] && ok || fail "foreign file changed"
expect_no_file "no torn file for foreign file" notalog.log.torn

finish

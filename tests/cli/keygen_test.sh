#!/usr/bin/env bash
# keygen: 0600 key + .pub, no overwrite without --force, too-open keys refused,
# passphrase-protected keys.
source "$(dirname "$0")/lib.sh"

check "keygen writes a key" 0 pqc keygen --name ops -o ops.key
[ "$(stat -c %a ops.key)" = "600" ] && ok || fail "key mode is $(stat -c %a ops.key)"
[ -f ops.key.pub ] && ok || fail "no ops.key.pub"
expect_stdout "keygen prints the DID" 'did:pqaid:[0-9a-f]{64}'

check "keygen --json" 0 pqc keygen --name json-id -o json.key --json
[ "$(json_field "$WORK/out" did | cut -c1-10)" = "did:pqaid:" ] && ok || fail "json did"

cp ops.key.pub before.pub
check "keygen refuses to overwrite" 2 pqc keygen --name ops2 -o ops.key
expect_one_error_line "overwrite refused" 'ops.key.*already exists.*--force'
cmp -s before.pub ops.key.pub && ok || fail "refused keygen changed ops.key.pub"

check "keygen --force overwrites" 0 pqc keygen --name ops2 -o ops.key --force
cmp -s before.pub ops.key.pub && fail "--force did not replace the .pub" || ok

chmod 644 ops.key
check "sign refuses a group/world-readable key" 2 pqc sign "$SAMPLES/xdp_pass.bpf.o" --key ops.key --name x -o x.sig.json
expect_one_error_line "too-open key" 'ops.key.*(permissions|too open).*chmod 600'
expect_no_file "no envelope from a refused key" x.sig.json
chmod 600 ops.key

export PQBPF_TEST_PASS="correct horse battery staple"
check "keygen with a passphrase" 0 pqc keygen --name locked -o locked.key --passphrase-env PQBPF_TEST_PASS
grep -q '"seed"' locked.key && fail "encrypted key file holds a plain seed" || ok
check "sign with the right passphrase" 0 pqc sign "$SAMPLES/xdp_pass.bpf.o" --key locked.key --name x -o ok.sig.json --passphrase-env PQBPF_TEST_PASS
export PQBPF_WRONG_PASS="wrong"
check "sign with a wrong passphrase" 2 pqc sign "$SAMPLES/xdp_pass.bpf.o" --key locked.key --name x -o bad.sig.json --passphrase-env PQBPF_WRONG_PASS
expect_one_error_line "wrong passphrase" 'locked.key.*passphrase'
expect_no_file "no envelope with a wrong passphrase" bad.sig.json

# One key, one purpose: objects ("sign", the default) or the audit log ("log").
check "keygen refuses a key for objects and the log" 2 pqc keygen --name both --capability sign --capability log -o both.key
expect_one_error_line "both purposes refused" "both capabilities 'sign' and 'log'"
expect_no_file "no key for both purposes" both.key
check "keygen --capability log" 0 pqc keygen --name audit -o audit.key --capability log
grep -q '"capabilities": \["log"\]' audit.key && ok || fail "--capability log did not replace the default: $(grep capabilities audit.key)"
check "a log key does not sign objects" 2 pqc sign "$SAMPLES/xdp_pass.bpf.o" --key audit.key --name x -o log-signed.sig.json
expect_one_error_line "log key refused for objects" "audit.key: key 'audit' \(did:pqaid:[0-9a-f]{64}\) may not sign BPF objects"
expect_no_file "no envelope from a log key" log-signed.sig.json
check "keygen --capability deploy" 0 pqc keygen --name deployer -o deployer.key --capability deploy
check "a key without 'sign' does not sign objects" 2 pqc sign "$SAMPLES/xdp_pass.bpf.o" --key deployer.key --name x -o deploy-signed.sig.json
expect_one_error_line "key without sign refused" "lacks the capability 'sign'"
expect_no_file "no envelope from a key without sign" deploy-signed.sig.json

check "keygen without --name is a usage error" 2 pqc keygen -o nameless.key
finish

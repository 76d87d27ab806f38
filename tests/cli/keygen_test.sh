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

check "keygen without --name is a usage error" 2 pqc keygen -o nameless.key
finish

#!/usr/bin/env bash
# Issue 11.5 and 11.11 through the real binary: truncated and corrupted key
# files (plain and sealed) are refused with one error line that never quotes
# their secret text (stdout, stderr and --json are all searched for the seed
# in hex and base64 and for every 8-character piece of the secret fields);
# key files owned by someone else, passphrase files others can read, and
# FIFOs at key paths are refused; a leap second is refused by --since.
source "$(dirname "$0")/lib.sh"

OBJ="$SAMPLES/xdp_pass.bpf.o"
export PQBPF_TEST_PASS="correct horse battery staple"
pqc keygen --name plain -o plain.key >/dev/null
pqc keygen --name sealed -o sealed.key --passphrase-env PQBPF_TEST_PASS >/dev/null
pqc sign "$OBJ" --key plain.key --name x -o good.sig.json >/dev/null

# --- what must never be printed ---------------------------------------------------------
seed_b64=$(json_field plain.key seed)
seed_hex=$(printf '%s' "$seed_b64" | base64 -d | od -An -v -tx1 | tr -d ' \n')
[ ${#seed_hex} -eq 64 ] && ok || fail "could not read the plain seed ($seed_hex)"
secrets=("$seed_b64" "$seed_hex" "${seed_hex^^}")
for f in ciphertext nonce salt; do secrets+=("$(json_field sealed.key "encryption.$f")"); done
: > pieces
for s in "${secrets[@]}"; do
  for ((i = 0; i + 8 <= ${#s}; i++)); do printf '%s\n' "${s:i:8}" >> pieces; done
done

# --- corrupted key files ------------------------------------------------------------------
# offset_of FILE TEXT: byte offset of TEXT in FILE.
offset_of() { grep -boF -- "$2" "$1" | sed -n 1p | cut -d: -f1; }
make_variant() {  # make_variant NAME < content (runs in a pipeline: lists names in a file)
  cat > "$1"
  chmod 600 "$1"
  echo "$1" >> variants.txt
}
sealed_ct=$(json_field sealed.key encryption.ciphertext)
for src in plain sealed; do
  if [ "$src" = plain ]; then secret=$seed_b64; else secret=$sealed_ct; fi
  at=$(offset_of "$src.key" "$secret")
  for cut in 1 8 9 20 $(( ${#secret} - 1 )) ${#secret} $(( ${#secret} + 1 )); do
    head -c $(( at + cut )) "$src.key" | make_variant "$src-trunc-$cut.key"
  done
  head -c $(( $(stat -c %s "$src.key") / 2 )) "$src.key" | make_variant "$src-half.key"
  for pos in 3 17; do
    for bad in '"' '\001' '\377' '\\' '\n'; do
      name="$src-bad-$pos-$(printf '%s' "$bad" | od -An -tx1 | tr -d ' ')"
      { head -c $(( at + pos )) "$src.key"; printf "$bad"; tail -c +$(( at + pos + 2 )) "$src.key"; } \
        | make_variant "$name.key"
    done
  done
  # The closing quote cut out, and the secret turned into a key name.
  { head -c $(( at + ${#secret} )) "$src.key"; tail -c +$(( at + ${#secret} + 2 )) "$src.key"; } \
    | make_variant "$src-unclosed.key"
  sed "s|\"[a-z]*\": \"$secret\"|\"$secret\": \"$secret\"|" "$src.key" | make_variant "$src-as-key.key"
  # The secret in fields whose errors used to quote their values.
  for field in format algorithm did created_at; do
    sed "s|\"$field\": \"[^\"]*\"|\"$field\": \"$secret\"|" "$src.key" | make_variant "$src-in-$field.key"
  done
  sed "s|\"capabilities\": \[[^]]*\]|\"capabilities\": [\"$secret\"]|" "$src.key" \
    | make_variant "$src-in-capabilities.key"
done

: > all_output
mapfile -t variants < variants.txt
for v in "${variants[@]}"; do
  for json in "" --json; do
    if run 2 pqc sign "$OBJ" --key "$v" --name x -o "$v.sig.json" $json --passphrase-env PQBPF_TEST_PASS; then
      ok
    else
      echo "  in: corrupted key $v $json"
    fi
    cat "$WORK/out" "$WORK/err" >> all_output
    [ -z "$json" ] && expect_one_error_line "corrupted key $v" "$v"
    [ -n "$json" ] && { grep -q '"ok": *false' "$WORK/out" && ok || fail "$v --json: no ok:false report: $(head -c 300 "$WORK/out")"; }
  done
  # The audit log key is loaded the same way (a missing policy only denies).
  check "check with corrupted log key $v" 2 pqc check good.sig.json --policy none.yaml --log a.log \
    --log-key "$v" --json --passphrase-env PQBPF_TEST_PASS
  grep -q "$v" "$WORK/out" && ok || fail "check --log-key $v: error does not name the key file"
  cat "$WORK/out" "$WORK/err" >> all_output
done
[ ${#variants[@]} -ge 50 ] && ok || fail "only ${#variants[@]} corrupted key files"

if grep -F -f pieces all_output > leaked; then
  fail "secret text printed: $(head -n3 leaked | cut -c1-200)"
else
  ok
fi
for s in "${secrets[@]}"; do
  grep -qF -- "$s" all_output && fail "a whole secret field was printed" || ok
done

# --- owner, mode and type checks ----------------------------------------------------------
if [ "$(id -u)" = 0 ] && getent passwd nobody >/dev/null; then
  cp plain.key theirs.key && chmod 600 theirs.key && chown nobody theirs.key
  check "sign refuses a key someone else owns" 2 pqc sign "$OBJ" --key theirs.key --name x -o t.sig.json
  expect_one_error_line "foreign key" 'theirs.key: owned by uid [0-9]+.*run chown'
  expect_no_file "no envelope from a foreign key" t.sig.json
else
  echo "skipped: the foreign-owner case needs root (to chown a key to nobody)"
fi

printf '%s\n' "$PQBPF_TEST_PASS" > pass.txt
chmod 644 pass.txt
check "sign refuses a world-readable passphrase file" 2 pqc sign "$OBJ" --key sealed.key --name x -o p2.sig.json --passphrase-file pass.txt
expect_one_error_line "open passphrase file" 'pass.txt: permissions 0644 are too open; run chmod 600'
chmod 600 pass.txt
check "sign reads a private passphrase file" 0 pqc sign "$OBJ" --key sealed.key --name x -o p3.sig.json --passphrase-file pass.txt

mkfifo fifo.key
if run 2 timeout 20 "$PQBPF_CLI" sign "$OBJ" --key fifo.key --name x -o f.sig.json; then ok; else echo "  in: FIFO key"; fi
expect_one_error_line "FIFO key" 'fifo.key: not a regular file'

# --- one leap-second rule ------------------------------------------------------------------
: > empty.log
check "log show --since refuses a leap second" 2 pqc log show empty.log --since 2026-12-31T23:59:60Z
expect_one_error_line "leap second" 'since'
check "log show --since accepts the second before" 0 pqc log show empty.log --since 2026-12-31T23:59:59Z
finish

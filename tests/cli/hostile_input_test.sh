#!/usr/bin/env bash
# Hostile files: every command gives exit 2, exactly one clear error line
# naming the file, never a crash, and never a partial output file.
source "$(dirname "$0")/lib.sh"

pqc keygen --name ops -o ops.key >/dev/null
cp "$SAMPLES/xdp_pass.bpf.o" good.bpf.o
pqc sign good.bpf.o --key ops.key --name good >/dev/null
good=good.bpf.o.sig.json

: > empty.sig.json
head -c 500 "$good" > truncated.sig.json
echo '{"manifest": {"format": "pqc-bpf-manifest/1",,}}' > invalid.sig.json
printf '{"manifest": "\xff\xfe", "public_key": "", "signature": ""}' > utf8.sig.json
node -e 'process.stdout.write("[".repeat(100000) + "]".repeat(100000))' > deep.sig.json
sed 's/"public_key": "/"public_key": 7, "x": "/' "$good" > wrongtype.sig.json
sed 's/"signature": "/"signature": "!!!!/' "$good" > badbase64.sig.json
node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1]));d.extra=1;console.log(JSON.stringify(d))' "$good" > unknown.sig.json
sed '0,/"manifest"/s//"manifest": {}, "manifest"/' "$good" > duplicate.sig.json
truncate -s 100M big.sig.json
node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1]));d.signature=d.signature.slice(0,-8);console.log(JSON.stringify(d))' "$good" > shortsig.sig.json
# Bytes the JSON parser would not see: after a NUL, or a leading byte order mark.
{ cat "$good"; printf '\0{"anything": "here"}'; } > nul.sig.json
{ printf '\xef\xbb\xbf'; cat "$good"; } > bom.sig.json

for f in empty truncated invalid utf8 deep wrongtype badbase64 unknown duplicate big shortsig nul bom; do
  check "verify $f" 2 pqc verify $f.sig.json --object good.bpf.o
  expect_one_error_line "verify $f" "$f.sig.json"
  check "info $f" 2 pqc info $f.sig.json
  expect_one_error_line "info $f" "$f.sig.json"
done
check "verify nul names the offset" 2 pqc verify nul.sig.json --object good.bpf.o
grep -q "nul.sig.json: byte $(stat -c %s "$good"): a NUL byte" "$WORK/err" ||
  fail "verify nul: the error names the file and the NUL's offset: $(cat "$WORK/err")"

# Hostile objects for sign and inspect: no envelope may be left behind.
: > empty.bpf.o
head -c 64 good.bpf.o > truncated.bpf.o
head -c 4096 /dev/urandom > random.bpf.o
echo "not an ELF file" > text.bpf.o
truncate -s 100M huge.bpf.o
mkdir dir.bpf.o
for f in empty truncated random text huge dir; do
  check "inspect $f" 2 pqc inspect $f.bpf.o
  expect_one_error_line "inspect $f" "$f.bpf.o"
  check "sign $f" 2 pqc sign $f.bpf.o --key ops.key --name x
  expect_one_error_line "sign $f" "$f.bpf.o"
  expect_no_file "sign $f leaves no envelope" $f.bpf.o.sig.json
done

# Hostile key files.
: > empty.key; chmod 600 empty.key
echo '{"format": "pqc-bpf-key/1"}' > partial.key; chmod 600 partial.key
for f in empty partial missing; do
  check "sign with $f key" 2 pqc sign good.bpf.o --key $f.key --name x -o out-$f.sig.json
  expect_one_error_line "key $f" "$f.key"
  expect_no_file "no envelope with $f key" out-$f.sig.json
done

# Hostile policies (check): exit 2, positioned error.
printf 'rules:\n  - program_types: [xdp]\n    require_signature: "yes"\n' > badtype.yaml
printf 'rules: [' > unterminated.yaml
node -e 'process.stdout.write("rules: " + "[".repeat(5000) + "]".repeat(5000))' > deep.yaml
for f in badtype unterminated deep; do
  check "check with $f policy" 2 pqc check "$good" --policy $f.yaml
  expect_stderr "policy $f named" "$f.yaml"
done

# Usage errors.
check "no command" 2 pqc
check "unknown command" 2 pqc frobnicate
check "unknown option" 2 pqc verify "$good" --bogus
finish

#!/usr/bin/env bash
# Objects holding several programs of different types (issue 4): the type is
# taken from the object, every program is bound by the signature, and the
# policy judges every program.
source "$(dirname "$0")/lib.sh"

pqc keygen --name ops -o ops.key >/dev/null
cp "$SAMPLES/mixed_kprobe_lsm.bpf.o" mixed.bpf.o
ops_did=$(json_field ops.key.pub did)

check "inspect lists both programs" 0 pqc inspect mixed.bpf.o --json
types=$(node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(d.programs.map(p=>p.section).join(","))' "$WORK/out")
[ "$types" = "kprobe/do_sys_openat2,lsm/file_open" ] && ok || fail "sections: $types"

check "signing the mixed object as kprobe is refused" 2 pqc sign mixed.bpf.o --key ops.key --name m --type kprobe -o m.sig.json
expect_one_error_line "mismatch names the lsm program" 'lsm'
expect_no_file "no envelope for a refused type" m.sig.json

check "signing without --type infers both" 0 pqc sign mixed.bpf.o --key ops.key --name m
check "verify" 0 pqc verify mixed.bpf.o.sig.json --json
progs=$(node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(d.manifest.programs.length)' "$WORK/out")
[ "$progs" = "2" ] && ok || fail "signed programs: $progs"

# An envelope edited to drop the lsm program is rejected.
node -e '
const fs=require("fs");const d=JSON.parse(fs.readFileSync(process.argv[1]));
d.manifest.programs=d.manifest.programs.filter(p=>!p.section.startsWith("lsm/"));
fs.writeFileSync(process.argv[2], JSON.stringify(d));' mixed.bpf.o.sig.json dropped.sig.json
check "dropped program rejected" 1 pqc verify dropped.sig.json --object mixed.bpf.o --json
reason=$(json_field "$WORK/out" reason)
[ "$reason" = "bad_signature" ] || [ "$reason" = "program_mismatch" ] && ok || fail "dropped: $reason"

# A policy that allows only kprobes denies the object, naming the lsm program.
cat > kprobes.yaml <<YAML
rules:
  - program_types: [kprobe]
    allowed_signers: [$ops_did]
YAML
check "kprobe-only policy denies the mixed object" 1 pqc check mixed.bpf.o.sig.json --policy kprobes.yaml --json
[ "$(json_field "$WORK/out" program)" != "null" ] && ok || fail "no program named"
grep -q 'file_open\|lsm' "$WORK/out" && ok || fail "denial does not name the lsm program: $(cat "$WORK/out")"

cat > both.yaml <<YAML
rules:
  - program_types: [kprobe, lsm]
    allowed_signers: [$ops_did]
YAML
check "a policy covering both allows it" 0 pqc check mixed.bpf.o.sig.json --policy both.yaml

cat > targets.yaml <<YAML
rules:
  - program_types: [kprobe]
    allowed_signers: [$ops_did]
    attach_targets: ["vfs_*"]
  - program_types: [lsm]
    allowed_signers: [$ops_did]
YAML
check "attach target outside the glob denied" 1 pqc check mixed.bpf.o.sig.json --policy targets.yaml --json
[ "$(json_field "$WORK/out" reason)" = "attach_target_denied" ] && ok || fail "attach_target_denied: $(cat "$WORK/out")"
finish

#!/usr/bin/env bash
# attach_targets through the real binary: for xdp and cgroup programs it
# judges the signed attach_point (where the gate attaches them), and a
# kprobe.multi glob target passes only a pattern that covers every function
# it expands to.
source "$(dirname "$0")/lib.sh"

TESTDATA="$PQBPF_BINARY_DIR/tests"
pqc keygen --name netops -o netops.key >/dev/null
did=$(json_field netops.key.pub did)
cp "$SAMPLES/xdp_pass.bpf.o" xdp.bpf.o
cp "$TESTDATA/cgroup_skb_pass.bpf.o" cgroup.bpf.o
cp "$TESTDATA/kprobe_multi_glob.bpf.o" multi.bpf.o

# One rule per kind of attach point: an interface, a cgroup subtree, kernel functions.
cat > targets.yaml <<YAML
rules:
  - name: xdp-on-eth0
    program_types: [xdp]
    allowed_signers: [$did]
    attach_targets: [eth0]
  - name: app-cgroups
    program_types: [cgroup_skb]
    allowed_signers: [$did]
    attach_targets: ["/sys/fs/cgroup/app.slice/*"]
  - name: read-probes
    program_types: [kprobe]
    allowed_signers: [$did]
    attach_targets: ["vfs_rea?"]
YAML

# denied NAME ENVELOPE OBJECT PATTERN: check exits 1 with attach_target_denied
# and a sentence matching PATTERN.
denied() {
  check "$1" 1 pqc check "$2" --object "$3" --policy targets.yaml --json
  [ "$(json_field "$WORK/out" reason)" = "attach_target_denied" ] && ok || fail "$1: $(cat "$WORK/out")"
  case "$(json_field "$WORK/out" sentence)" in $4) ok ;; *) fail "$1: sentence: $(json_field "$WORK/out" sentence)" ;; esac
}

check "xdp signed for eth0" 0 pqc sign xdp.bpf.o --key netops.key --name x --attach-point eth0 -o eth0.sig.json
check "xdp on the allowed interface passes" 0 pqc check eth0.sig.json --object xdp.bpf.o --policy targets.yaml
check "xdp signed for eth1" 0 pqc sign xdp.bpf.o --key netops.key --name x --attach-point eth1 -o eth1.sig.json
denied "xdp on another interface denied" eth1.sig.json xdp.bpf.o "*'eth1' (the signed manifest's attach_point)*rules\[0\] (xdp-on-eth0)*"
check "xdp signed with no attach point" 0 pqc sign xdp.bpf.o --key netops.key --name x -o nowhere.sig.json
denied "xdp with no attach point denied" nowhere.sig.json xdp.bpf.o "*no known attach target*names no attach_point*"

check "cgroup_skb signed for an app cgroup" 0 pqc sign cgroup.bpf.o --key netops.key --name c \
  --attach-point /sys/fs/cgroup/app.slice/web.service -o app.sig.json
check "cgroup_skb in the allowed subtree passes" 0 pqc check app.sig.json --object cgroup.bpf.o --policy targets.yaml
check "cgroup_skb signed for the root cgroup" 0 pqc sign cgroup.bpf.o --key netops.key --name c --attach-point / -o root.sig.json
denied "cgroup_skb on the root cgroup denied" root.sig.json cgroup.bpf.o "*'/' (the signed manifest's attach_point)*app-cgroups*"

check "kprobe.multi glob signed" 0 pqc sign multi.bpf.o --key netops.key --name m
denied "a pattern narrower than the glob target denies it" multi.bpf.o.sig.json multi.bpf.o "*every name matching 'vfs_rea\*'*vfs_rea?*"
sed 's/"vfs_rea?"/"vfs_*"/' targets.yaml > wide.yaml
check "a pattern covering the whole glob target allows it" 0 pqc check multi.bpf.o.sig.json --policy wide.yaml
finish

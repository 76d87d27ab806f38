#!/usr/bin/env bash
# The end-to-end demo (README's first command): build only the CLI and the
# BPF samples (with cmake's progress lines), then walk through keygen,
# inspect, sign, verify, policy allow and deny, tampering, and the audit log,
# on our own BPF samples compiled from examples/bpf/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

echo "== demo: 1/3 installing the Debian packages the build needs (scripts/install-deps.sh)"
bash scripts/install-deps.sh
echo "== demo: 2/3 configuring (cmake)"
cmake -S . -B build >/dev/null
echo "== demo: 3/3 building the pqc-bpf CLI and the BPF samples only"
cmake --build build -j"$(nproc)" --target pqc-bpf bpf_samples

pqc="$root/build/src/cli/pqc-bpf"
samples="$root/build/examples/bpf"
demo=$(mktemp -d /tmp/pqc-bpf-demo.XXXXXX)
cd "$demo"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; set +e; "$@"; local code=$?; set -e; echo "(exit $code)"; }

cp "$samples/tracepoint_exec.bpf.o" "$samples/xdp_pass.bpf.o" "$samples/mixed_kprobe_lsm.bpf.o" .

step "1. Two signing identities: the ops team (trusted) and a rogue insider"
show "$pqc" keygen --name ops-team -o ops.key
show "$pqc" keygen --name rogue-insider -o rogue.key

step "2. What is inside the objects (read from the bytes, never loaded)"
show "$pqc" inspect tracepoint_exec.bpf.o
show "$pqc" inspect mixed_kprobe_lsm.bpf.o

step "3. Sign: every program of the object is bound by the ML-DSA-65 signature"
show "$pqc" sign tracepoint_exec.bpf.o --key ops.key --name exec-trace --author ops-team
show "$pqc" sign xdp_pass.bpf.o --key rogue.key --name xdp-pass
echo "(the next one is refused on purpose: the object also holds an lsm program)"
show "$pqc" sign mixed_kprobe_lsm.bpf.o --key ops.key --name opens --type kprobe

step "4. Verify offline"
show "$pqc" verify tracepoint_exec.bpf.o.sig.json

step "5. Policy: tracepoints and XDP from the ops team only"
cat > policy.yaml <<YAML
rules:
  - name: tracing
    program_types: [tracepoint]
    allowed_signers: [ops.key.pub]
  - name: networking
    program_types: [xdp]
    allowed_signers: [ops.key.pub]
    licenses: [gpl_compatible]
YAML
cat policy.yaml
show "$pqc" check tracepoint_exec.bpf.o.sig.json --policy policy.yaml --log audit.log --actor demo
show "$pqc" check xdp_pass.bpf.o.sig.json --policy policy.yaml --log audit.log --actor demo

step "6. Tamper with the signed object after signing"
printf '\x01' | dd of=tracepoint_exec.bpf.o bs=1 seek=400 conv=notrunc status=none
show "$pqc" verify tracepoint_exec.bpf.o.sig.json
show "$pqc" check tracepoint_exec.bpf.o.sig.json --policy policy.yaml --log audit.log --actor demo

step "7. The audit log: every attempt, hash-chained, with signed checkpoints"
show "$pqc" log show audit.log
show "$pqc" log verify audit.log --key audit.log.key.pub
sed -i '1s/"allow"/"deny"/' audit.log
echo "(edited the first record)"
show "$pqc" log verify audit.log --key audit.log.key.pub

echo
echo "demo files are in $demo"

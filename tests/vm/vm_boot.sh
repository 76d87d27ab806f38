#!/usr/bin/env bash
# vm_boot.sh: the VM fixture of the `vm` tests (docs/LSM.md, tests/vm/README).
# Builds an initramfs (busybox-static, our binaries with their shared
# libraries, signed samples, keys and configurations made here on the host),
# boots Debian 12's cloud kernel under qemu TCG, and saves the serial console
# in $OUT/serial.log, where every check prints one "PQBPF-VM: <check> PASS|FAIL"
# line (tests/vm/check.sh reads them). Exit 0 when the guest ran to its end,
# 77 (SKIPPED, the reason in $OUT/skip.txt) when something needed is missing,
# 1 otherwise. With CI=true a missing prerequisite is a failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${PQBPF_BINARY_DIR:?}" "${PQBPF_CLI:?}"
out="$PQBPF_BINARY_DIR/tests/vm"
gated="$PQBPF_BINARY_DIR/src/daemon/pqc-bpf-gated"
samples="$PQBPF_BINARY_DIR/examples/bpf"
mkdir -p "$out"
rm -f "$out/serial.log" "$out/serial.txt" "$out/skip.txt"

skip() {
  echo "$*" >"$out/skip.txt"
  if [ "${CI:-}" = "true" ]; then echo "FAIL (CI=true, nothing may be missing): $*"; exit 1; fi
  echo "SKIPPED: $*"
  exit 77
}
for tool in qemu-system-x86_64 cpio gzip bpftool ldd; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/install-deps.sh installs it)"
done
busybox=$(command -v busybox || true)
[ -n "$busybox" ] && ! ldd "$busybox" >/dev/null 2>&1 \
  || skip "no static busybox (apt-get install busybox-static)"
for f in "$gated" "$PQBPF_CLI" "$samples/xdp_pass.bpf.o" "$samples/tracepoint_exec.bpf.o"; do
  [ -e "$f" ] || skip "$f is not built"
done
[ -f "$PQBPF_BINARY_DIR/src/lsm/gen/gate_lsm.skel.h" ] \
  || skip "pqc-bpf-gated was built without the BPF LSM (no bpftool or kernel BTF at build time)"
vmlinuz=$("$here/fetch_kernel.sh" "$out/cache" 2>"$out/fetch.err") \
  || skip "no Debian 12 kernel: $(cat "$out/fetch.err")"

# --- the guest's files -------------------------------------------------------
root="$out/initramfs"
rm -rf "$root" && mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,run,etc,data}
cp "$busybox" "$root/bin/busybox"
copy_with_libs() {  # binary -> /bin/<name>, its libraries at their own paths
  cp "$1" "$root/bin/$(basename "$1")"
  ldd "$1" | grep -o '/[^ ]*' | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib"
  done
}
copy_with_libs "$gated"
copy_with_libs "$PQBPF_CLI"
copy_with_libs "$(command -v bpftool)"
cp "$here/guest_init.sh" "$root/init"
cp "$here/guest_checks.sh" "$root/checks.sh"
chmod 0755 "$root/init" "$root/checks.sh"
echo "root:x:0:0:root:/:/bin/sh" >"$root/etc/passwd"

# Keys, signed samples and the policy are made here (ML-DSA keygen is quick
# natively, slow under TCG).
data="$root/data"
(
  set -e
  cd "$data"
  "$PQBPF_CLI" keygen --name ops -o ops.key >/dev/null
  "$PQBPF_CLI" keygen --name audit-log --capability log -o log.key >/dev/null
  cp "$samples/xdp_pass.bpf.o" xdp.bpf.o
  cp "$samples/tracepoint_exec.bpf.o" other.bpf.o
  "$PQBPF_CLI" sign xdp.bpf.o --key ops.key --name xdp-pass >/dev/null
  cat >policy.yaml <<YAML
rules:
  - program_types: [xdp]
    allowed_signers: [ops.key.pub]
YAML
) || skip "could not prepare keys and signed samples with $PQBPF_CLI"

(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1 >"$out/initramfs.cpio.gz")

# --- boot ----------------------------------------------------------------------
# TCG: /dev/kvm may exist but nested KVM hangs. panic=-1 and -no-reboot make a
# kernel panic end qemu instead of hanging the test.
timeout 240 qemu-system-x86_64 -accel tcg -cpu max -m 512 -smp 1 -nographic -no-reboot \
  -kernel "$vmlinuz" -initrd "$out/initramfs.cpio.gz" \
  -append "console=ttyS0 lsm=lockdown,capability,landlock,bpf panic=-1 quiet" \
  </dev/null >"$out/serial.log" 2>&1
rc=$?
tr -d '\r' <"$out/serial.log" >"$out/serial.txt"
grep -ao 'PQBPF-VM: .*' "$out/serial.txt"
if ! grep -aq 'PQBPF-VM: end' "$out/serial.txt"; then
  echo "FAIL: the guest did not run to its end (qemu exit $rc); serial console tail:"
  tail -30 "$out/serial.txt"
  exit 1
fi
exit 0

#!/usr/bin/env bash
# Where the CLI writes: --force replaces regular files only (never a FIFO,
# device or symlink planted at -o), and output that cannot be written is
# exit 2 with one error line, never a silent exit 0.
source "$(dirname "$0")/lib.sh"

pqc keygen --name ops -o ops.key >/dev/null
cp "$SAMPLES/xdp_pass.bpf.o" prog.bpf.o
pqc sign prog.bpf.o --key ops.key --name prog >/dev/null

# --- --force and what is already at the destination.
mkfifo planted.fifo
check "sign --force onto a FIFO" 2 pqc sign prog.bpf.o --key ops.key --name prog -o planted.fifo --force
expect_one_error_line "FIFO refused" 'planted.fifo: not a regular file \(FIFO\); --force replaces only regular files'
[ -p planted.fifo ] && ok || fail "the FIFO was replaced"
echo "keep" > target.txt
ln -s target.txt planted.link
check "sign --force onto a symlink" 2 pqc sign prog.bpf.o --key ops.key --name prog -o planted.link --force
expect_one_error_line "symlink refused" 'planted.link: is a symbolic link; --force replaces only regular files'
[ -L planted.link ] && [ "$(cat target.txt)" = "keep" ] && ok || fail "the symlink or its target changed"
check "keygen --force onto a FIFO" 2 pqc keygen --name x -o planted.fifo --force
[ -p planted.fifo ] && ok || fail "keygen replaced the FIFO"
expect_no_file "no .pub beside a refused key" planted.fifo.pub
if [ "$(id -u)" = 0 ]; then
  mknod planted.null c 1 3
  check "keygen --force onto a device" 2 pqc keygen --name x -o planted.null --force
  [ -c planted.null ] && ok || fail "keygen replaced the device node"
else
  echo "skipped: device node destination (needs root for mknod)"
fi
check "sign --force onto a regular file" 0 pqc sign prog.bpf.o --key ops.key --name prog -o again.sig.json
check "sign --force replaces it" 0 pqc sign prog.bpf.o --key ops.key --name prog -o again.sig.json --force

# --- Standard output that cannot be written (a full disk): exit 2, not 0.
if [ -w /dev/full ]; then
  for cmd in "inspect --json prog.bpf.o" "verify --json prog.bpf.o.sig.json" "info prog.bpf.o.sig.json" \
             "keygen --name full -o full.key --json"; do
    set +e
    # shellcheck disable=SC2086
    pqc $cmd >/dev/full 2>"$WORK/err"
    code=$?
    set -e
    if [ "$code" -eq 2 ] && grep -q '^pqc-bpf: error: cannot write standard output' "$WORK/err"; then
      ok
    else
      fail "'$cmd' >/dev/full exited $code: $(cat "$WORK/err")"
    fi
  done
else
  echo "skipped: output to a full device (no writable /dev/full)"
fi
finish

#!/usr/bin/env bash
# check.sh NAME: one `vm` test; reads the line "PQBPF-VM: NAME PASS|FAIL ..."
# that the guest printed on the serial console (tests/vm/vm_boot.sh ran it).
set -uo pipefail
name=$1
out="$PQBPF_BINARY_DIR/tests/vm"
if [ -f "$out/skip.txt" ]; then echo "SKIPPED: $(cat "$out/skip.txt")"; exit 77; fi
[ -f "$out/serial.txt" ] || { echo "FAIL: no serial log (the vm_run fixture did not run)"; exit 1; }
line=$(grep -ao "PQBPF-VM: $name .*" "$out/serial.txt" | tail -1)
# The check's own details (the guest prints them as "PQBPF-VM-LOG: NAME ...").
grep -ao "PQBPF-VM-LOG: $name .*" "$out/serial.txt" | sed "s/^PQBPF-VM-LOG: //"
[ -n "$line" ] || { echo "FAIL: the guest printed no result for $name"; exit 1; }
echo "$line"
case "$line" in
  "PQBPF-VM: $name PASS"*) exit 0 ;;
  *) exit 1 ;;
esac

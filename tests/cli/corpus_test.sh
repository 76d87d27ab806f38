#!/usr/bin/env bash
# Every third-party object of the shared corpus goes through inspect, sign,
# verify and check via the real CLI: each works or ends with exit 2 and one
# clear line; nothing crashes (a signal exit is >= 128).
source "$(dirname "$0")/lib.sh"
corpus="$PQBPF_SHARED_DIR/bpf-corpus"
if [ "${PQBPF_HAVE_SHARED:-OFF}" != "ON" ] || [ ! -d "$corpus" ]; then
  echo "corpus not found at $corpus (set PQBPF_SHARED_DIR)"; exit 77
fi

pqc keygen --name corpus-signer -o signer.key >/dev/null
printf 'rules:\n  - program_types: [%s]\n    max_bytecode_size: 67108864\n' \
  "socket_filter, kprobe, sched_cls, sched_act, tracepoint, xdp, perf_event, cgroup_skb, cgroup_sock, lwt_in, lwt_out, lwt_xmit, sock_ops, sk_skb, cgroup_device, sk_msg, raw_tracepoint, cgroup_sock_addr, lwt_seg6local, lirc_mode2, sk_reuseport, flow_dissector, cgroup_sysctl, raw_tracepoint_writable, cgroup_sockopt, tracing, struct_ops, ext, lsm, sk_lookup, syscall, netfilter" > any.yaml

inspected=0 refused=0 crashed=0 signed=0 verified=0
outcome() {  # outcome CODE STEP FILE: classify an exit code
  local code=$1 step=$2 file=$3
  if [ "$code" -ge 128 ]; then
    crashed=$((crashed + 1)); fail "$step crashed on $file (exit $code)"; return 1
  fi
  if [ "$code" -eq 2 ]; then
    if [ "$(wc -l <"$WORK/err")" -ne 1 ] || ! grep -qF "pqc-bpf: error: $file" "$WORK/err"; then
      fail "$step on $file: exit 2 without one clear line naming the file: $(cat "$WORK/err")"
    fi
    return 1
  fi
  return 0
}

while IFS=$'\t' read -r file _sha _size _endian _btf _license sections; do
  [ "$file" = "file" ] && continue
  path="$corpus/$file"
  set +e; pqc inspect "$path" --json >"$WORK/out" 2>"$WORK/err"; code=$?; set -e
  if outcome $code inspect "$path"; then
    inspected=$((inspected + 1))
    # Where the manifest lists sections, inspect must find the same set.
    if [ "$sections" != "-" ]; then
      found=$(node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log([...new Set(d.code_sections.map(p=>p.name))].sort().join(","))' "$WORK/out")
      want=$(echo "$sections" | tr ',' '\n' | sort -u | paste -sd, -)
      [ "$found" = "$want" ] && ok || fail "$file: sections '$found' != manifest '$want'"
    fi
  else
    refused=$((refused + 1))
  fi

  set +e; pqc sign "$path" --key signer.key --name corpus -o obj.sig.json >"$WORK/out" 2>"$WORK/err"; code=$?; set -e
  if outcome $code sign "$path"; then
    signed=$((signed + 1))
    set +e; pqc verify obj.sig.json --object "$path" >"$WORK/out" 2>"$WORK/err"; code=$?; set -e
    if [ "$code" -eq 0 ]; then verified=$((verified + 1)); ok; else fail "$file: signed but does not verify: $(cat "$WORK/err")"; fi
    set +e; pqc check obj.sig.json --object "$path" --policy any.yaml >"$WORK/out" 2>"$WORK/err"; code=$?; set -e
    [ "$code" -lt 128 ] && ok || fail "check crashed on $file"
  else
    [ -e obj.sig.json ] && fail "$file: refused sign left an envelope" || ok
  fi
  rm -f obj.sig.json
done < "$corpus/MANIFEST.tsv"

echo "corpus: $inspected inspected, $refused refused with a clear error, $crashed crashed ($signed signed, $verified verified)"
[ "$inspected" -gt 0 ] && ok || fail "nothing inspected"
finish

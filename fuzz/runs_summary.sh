#!/usr/bin/env bash
# Prints the "Time fuzzed" table of docs/FUZZING.md from the run logs that
# scripts/fuzz.sh appends to fuzz/findings/<target>/runs.log.
set -euo pipefail
cd "$(dirname "$0")/.."
for log in fuzz/findings/*/runs.log; do
  [ -f "$log" ] || continue
  target=$(basename "$(dirname "$log")")
  awk -v t="$target" '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      secs += v["seconds"]; if (v["execs"] ~ /^[0-9]+$/) execs += v["execs"]
      if (v["seconds"] + 0 > longest) longest = v["seconds"] + 0
      runs++; if (v["result"] != "ok") bad++ }
    END { printf "| `%s` | %d min %02d s | %d min %02d s (%d runs) | %d | %d |\n", t,
                 longest / 60, longest % 60, secs / 60, secs % 60, runs, execs, bad }' "$log"
done

#!/usr/bin/env bash
# commands_h2m.sh PROGRAM OUTPUT: writes a help2man include file with a
# COMMANDS section built from `PROGRAM CMD --help` of every command that
# `PROGRAM --help` lists (recursively: `log` -> `log init`, ...), so that
# pqc-bpf(1) documents each command from the program's own help. Reads
# CLI11's layout: a description line, "Usage: ...", then blocks such as
# "Options:" whose entries are "  NAME  DESCRIPTION" (or the description on
# the next, deeper indented line).
set -euo pipefail
program=$1
output=$2

roff() {  # escape text for roff: backslashes, hyphens, a leading dot or quote
  sed -e 's/\\/\\\\/g' -e 's/-/\\-/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
}

subcommands() {  # the names in the "Subcommands:" block of a help text
  sed -n '/^Subcommands:/,/^$/p' <<<"$1" | awk 'NR > 1 && NF {print $1}'
}

emit() {  # emit WORD...: one .SS per leaf command, recursing into groups
  local help
  help=$("$program" "$@" --help)
  local subs
  subs=$(subcommands "$help")
  if [ -n "$subs" ]; then
    local s
    for s in $subs; do emit "$@" "$s"; done
    return
  fi
  local usage
  usage=$(sed -n 's/^Usage: //p' <<<"$help" | sed -n 1p)
  printf '.SS "%s"\n' "$(roff <<<"$usage")"
  head -n1 <<<"$help" | roff
  # Entries of the Positionals/Options blocks; -h/--help-all are the same everywhere.
  awk '
    /^(Positionals|Options):$/ { block = 1; next }
    /^$/ { if (block) { block = 0; after = 1 }; next }
    block && /^                              / {
      sub(/^ +/, ""); if (!skip) print "DESC\t" $0; next }
    block {
      line = $0; sub(/^ +/, "", line)
      # The name ends at the first run of two spaces (names hold single ones);
      # a name too long for its column has its description on the next line.
      if (match(line, /  +/)) { name = substr(line, 1, RSTART - 1); desc = substr(line, RSTART + RLENGTH) }
      else { name = line; desc = "" }
      skip = (name ~ /^-h,--help/ || name ~ /^--help-all/)
      if (!skip) { print "NAME\t" name; if (desc != "") print "DESC\t" desc }
      next }
    # The text after the blocks, but not the footer every command repeats.
    after && !/^Exit codes: 0 valid/ && !/^Run .pqc-bpf COMMAND --help./ { print "TEXT\t" $0 }
  ' <<<"$help" | {
  local kind text previous=""
  while IFS=$'\t' read -r kind text; do
    text=$(roff <<<"$text")
    case "$kind" in
      NAME) printf '.TP\n\\fB%s\\fR%s\n' "${text%% *}" "$([[ $text == *" "* ]] && printf ' %s' "${text#* }")" ;;
      DESC) printf '%s\n' "$text" ;;
      TEXT) [ "$previous" = TEXT ] || echo ".PP"; printf '%s\n' "$text" ;;
    esac
    previous=$kind
  done
  }
}

{
  echo "[COMMANDS]"
  for c in $(subcommands "$("$program" --help)"); do emit "$c"; done
} >"$output.tmp"
mv "$output.tmp" "$output"

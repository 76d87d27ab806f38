#!/usr/bin/env bash
# completion: `pqc-bpf completion bash` (hidden) prints a script generated
# from the command table; sourced in a clean bash it completes exactly the
# commands --help lists, nested commands, options, and leaves option values
# to file-name completion. An unknown shell is a usage error.
source "$(dirname "$0")/lib.sh"

check "completion bash prints a script" 0 pqc completion bash
cp "$WORK/out" completion.bash
bash --norc --noprofile -n completion.bash && ok || fail "the script does not parse in bash"
check "completion for an unknown shell is refused" 2 pqc completion fish
expect_one_error_line "unknown shell" 'fish'
run 0 pqc --help && ok
grep -q completion "$WORK/out" && fail "--help lists the hidden completion command" || ok

complete_words() {  # completions for the last word of WORD...
  bash --norc --noprofile -c '
    source "$1" || exit 3
    shift
    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
    _pqc_bpf
    printf "%s\n" "${COMPREPLY[@]}"' bash completion.bash "$@" | sort | tr '\n' ' '
}
listed=$(pqc --help | sed -n '/^Subcommands:/,/^$/p' | awk 'NR > 1 && NF {print $1}' | sort | tr '\n' ' ')
[ -n "$listed" ] && ok || fail "--help lists no commands"
got=$(complete_words pqc-bpf "")
[ "$got" = "$listed" ] && ok || fail "'pqc-bpf <TAB>' gives '$got', --help lists '$listed'"
got=$(complete_words pqc-bpf log "")
[ "$got" = "init show verify " ] && ok || fail "'pqc-bpf log <TAB>' gives '$got'"
got=$(complete_words pqc-bpf ch)
[ "$got" = "check " ] && ok || fail "'pqc-bpf ch<TAB>' gives '$got'"
got=$(complete_words pqc-bpf check e.json --policy p.yaml --dur)
[ "$got" = "--durability " ] && ok || fail "'check ... --dur<TAB>' gives '$got'"
got=$(complete_words pqc-bpf check --policy "")
[ "$got" = " " ] || [ -z "$got" ] && ok || fail "the value of --policy completes as '$got', want file names"
got=$(complete_words pqc-bpf log verify audit.log --key k.pub --wit)
[ "$got" = "--witness " ] && ok || fail "'log verify ... --wit<TAB>' gives '$got'"
got=$(complete_words pqc-bpf run --log a.log -- ./agent --l)
[ "$got" = " " ] || [ -z "$got" ] && ok || fail "words after -- complete as options: '$got'"
# Every option of sign that --help shows is completed.
for opt in $(pqc sign --help | grep -oE '^  (-[a-z],)?--[a-z-]+' | sed -E 's/^  (-[a-z],)?//'); do
  [[ " $(complete_words pqc-bpf sign x.bpf.o --) " == *" $opt "* ]] && ok ||
    fail "'sign --<TAB>' lacks $opt"
done

finish

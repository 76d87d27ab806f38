#!/usr/bin/env bash
# Compiles fuzz/seeds/tiny.bpf.c into the elf target's seeds: with BTF, without
# BTF, big-endian (libbpf 1.1 refuses it: the libelf fallback path), and a
# truncated copy. Run from the repository root; needs clang and libbpf-dev.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=fuzz/corpus/elf
mkdir -p "$out"
src=fuzz/seeds/tiny.bpf.c
export CPATH=/usr/include/$(gcc -dumpmachine)${CPATH:+:$CPATH}
clang -target bpfel -O2 -g -c "$src" -o "$out/tiny_btf.bpf.o"
clang -target bpfel -O2 -c "$src" -o "$out/tiny_nobtf.bpf.o"
clang -target bpfeb -O2 -g -c "$src" -o "$out/tiny_be.bpf.o"
llvm-strip -g "$out/tiny_btf.bpf.o" -o "$out/tiny_stripped.bpf.o" 2>/dev/null || true
head -c 300 "$out/tiny_btf.bpf.o" >"$out/truncated.bpf.o"
ls -l "$out"

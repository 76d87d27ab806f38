#!/usr/bin/env bash
# The Debian package, built and used as an operator would: cpack builds
# pqc-bpf_<version>_amd64.deb, dpkg -x unpacks it into a scratch root (never
# into the live system), and everything below runs from the unpacked files:
# the CLI's sign/verify/check on a sample, the man pages, the bash completion,
# the declared dependencies, a C++ consumer of find_package(pqbpf), and the
# Python module when it is built.
set -euo pipefail

skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ "${PQBPF_SANITIZE:-OFF}" = "ON" ]; then
  skip "sanitizer build: its binaries need the ASan/UBSan runtimes (dpkg-shlibdeps would" \
       "declare libasan8/libubsan1), so it is no release package; the normal build tests it"
fi
for tool in cpack dpkg-deb dpkg-shlibdeps apt-cache groff man gzip; do
  command -v "$tool" >/dev/null || skip "$tool not installed (scripts/install-deps.sh installs it)"
done
[ "${PQBPF_HAVE_MAN:-0}" = "1" ] || skip "help2man was not found at configure time: no man pages"

bin=${PQBPF_BINARY_DIR:?}
work=$(mktemp -d /tmp/pqbpf-package-test.XXXXXX)
trap 'rm -rf "$work"' EXIT

# 1. Build the package (cpack's scratch files go to $work, not the build tree).
if ! cpack -G DEB --config "$bin/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1; then
  cat "$work/cpack.log"
  fail "cpack failed"
fi
debs=("$work"/out/pqc-bpf_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one pqc-bpf_*.deb, got: ${debs[*]}"
deb=${debs[0]}
arch=$(dpkg --print-architecture)
[ "$(basename "$deb")" = "pqc-bpf_${PQBPF_VERSION:?}_${arch}.deb" ] ||
  fail "package file name $(basename "$deb"), expected pqc-bpf_${PQBPF_VERSION}_${arch}.deb"
echo "built $(basename "$deb") ($(stat -c %s "$deb") bytes)"

# 2. Control data: conffiles, maintainer scripts, dependencies.
info=$(dpkg-deb -I "$deb")
dpkg-deb -f "$deb" Package Version Architecture Depends
dpkg-deb --ctrl-tarfile "$deb" | tar -tf - >"$work/control.list"
for f in conffiles postinst prerm postrm; do
  grep -qx "./$f" "$work/control.list" || fail "control archive has no $f"
done
mkdir "$work/control"
dpkg-deb -e "$deb" "$work/control"
for f in postinst prerm postrm; do
  [ -x "$work/control/$f" ] && sh -n "$work/control/$f" || fail "maintainer script $f: not executable or not sh"
done
grep -qx "/etc/pqc-bpf/gated.yaml" "$work/control/conffiles" || fail "gated.yaml is not a conffile"
depends=$(dpkg-deb -f "$deb" Depends)
[ -n "$depends" ] || fail "the package declares no dependencies"
for lib in libc6 libstdc++6 libbpf1 libsodium23 libssl3 libseccomp2 libyaml-cpp0.7 libelf1; do
  [[ ", $depends" == *", $lib "* || ", $depends" == *", $lib,"* || ", $depends" == *", $lib" ]] ||
    fail "Depends lacks $lib (a library we link): $depends"
done
# Every alternative of every dependency must be a Debian package apt knows,
# in a version that satisfies the constraint.
IFS=',|' read -ra alternatives <<<"$depends"
for alt in "${alternatives[@]}"; do
  name=$(sed -E 's/^[[:space:]]*([^[:space:](]+).*/\1/' <<<"$alt")
  policy=$(apt-cache policy "$name")
  version=$(sed -nE 's/^ *Installed: ([^(].*)$/\1/p' <<<"$policy")
  [ -n "$version" ] || version=$(sed -nE 's/^ *Candidate: ([^(].*)$/\1/p' <<<"$policy")
  [ -n "$version" ] || fail "dependency $name is not a package apt knows (apt-cache policy: ${policy:-nothing})"
  constraint='\(([<>=]+)[[:space:]]*([^[:space:])]+)\)'
  if [[ $alt =~ $constraint ]]; then
    op=${BASH_REMATCH[1]}
    case "$op" in ">=") op=ge ;; "<=") op=le ;; ">>") op=gt ;; "<<") op=lt ;; "=") op=eq ;; esac
    dpkg --compare-versions "$version" "$op" "${BASH_REMATCH[2]}" ||
      fail "dependency $alt: apt has $name $version"
  fi
done
echo "dependencies known to apt: $depends"

# 3. Files: only FHS locations, the expected payload present.
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/files.list"
if grep -vE '^/(usr/(bin|sbin|include|lib|share)(/|$)|etc/pqc-bpf(/|$)|lib/systemd/system(/|$)|usr/?$|etc/?$|lib/?$|lib/systemd/?$|/?$)' \
     "$work/files.list"; then
  fail "files outside the FHS locations above"
fi
for f in /usr/bin/pqc-bpf /usr/sbin/pqc-bpf-gated /etc/pqc-bpf/gated.yaml \
         /lib/systemd/system/pqc-bpf-gated.service /usr/share/man/man1/pqc-bpf.1.gz \
         /usr/share/man/man8/pqc-bpf-gated.8.gz /usr/share/bash-completion/completions/pqc-bpf \
         /usr/include/pqbpf/result.h /usr/share/doc/pqc-bpf/copyright /usr/share/doc/pqc-bpf/changelog.gz \
         /usr/share/doc/pqc-bpf/docs/DEPLOY.md; do
  grep -qx "$f" "$work/files.list" || fail "package lacks $f"
done
grep -qE '^/usr/lib/([a-z0-9_]+-linux-gnu/)?libpqbpf\.a$' "$work/files.list" || fail "package lacks libpqbpf.a"
grep -qE '^/usr/lib/([a-z0-9_]+-linux-gnu/)?cmake/pqbpf/pqbpfConfig\.cmake$' "$work/files.list" ||
  fail "package lacks the CMake package config"

root="$work/root"
dpkg-deb -x "$deb" "$root"
pqc="$root/usr/bin/pqc-bpf"
[ -z "$(find "$root" -perm -0002 ! -type l)" ] || fail "world-writable files in the package"

# The unit's hardening, as systemd itself judges it (offline: no systemd needed).
unit="$root/lib/systemd/system/pqc-bpf-gated.service"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze security --offline=true "$unit" >"$work/security.txt" 2>&1 || true
  for setting in ProtectKernelTunables NoNewPrivileges ProtectKernelModules ProtectSystem; do
    grep -q "^✓ $setting=" "$work/security.txt" || fail "unit: systemd-analyze does not count $setting as set"
  done
else
  echo "skipped: the unit's hardening check (no systemd-analyze)"
fi

# 4. The installed programs run.
"$pqc" --version | grep "^pqc-bpf ${PQBPF_VERSION} " >/dev/null || fail "pqc-bpf --version: $("$pqc" --version)"
"$root/usr/sbin/pqc-bpf-gated" --version | grep -x "pqc-bpf-gated ${PQBPF_VERSION}" >/dev/null ||
  fail "pqc-bpf-gated --version"

# 5. The demo's sign / verify / check, with the installed CLI, on a bundled sample.
cd "$work"
cp "${PQBPF_SAMPLES_DIR:?}/tracepoint_exec.bpf.o" .
"$pqc" keygen --name ops-team -o ops.key >/dev/null
"$pqc" sign tracepoint_exec.bpf.o --key ops.key --name exec-trace >/dev/null
"$pqc" verify tracepoint_exec.bpf.o.sig.json >/dev/null || fail "verify of a fresh envelope"
cat >policy.yaml <<YAML
rules:
  - name: tracing
    program_types: [tracepoint]
    allowed_signers: [ops.key.pub]
YAML
"$pqc" log init audit.log >/dev/null
"$pqc" check tracepoint_exec.bpf.o.sig.json --policy policy.yaml --log audit.log >/dev/null ||
  fail "check of an allowed envelope"
printf '\x01' | dd of=tracepoint_exec.bpf.o bs=1 seek=400 conv=notrunc status=none
set +e
"$pqc" verify tracepoint_exec.bpf.o.sig.json >/dev/null 2>&1; verify_code=$?
"$pqc" check tracepoint_exec.bpf.o.sig.json --policy policy.yaml --log audit.log >/dev/null 2>&1
check_code=$?
set -e
[ $verify_code -eq 1 ] && [ $check_code -eq 1 ] ||
  fail "a tampered object: verify exit $verify_code, check exit $check_code (want 1, 1)"
"$pqc" log verify audit.log --key audit.log.key.pub >/dev/null || fail "log verify"
echo "sign/verify/check from the package: ok"

# 6. Man pages render without groff warnings and name every command.
for page in man1/pqc-bpf.1.gz man8/pqc-bpf-gated.8.gz; do
  file="$root/usr/share/man/$page"
  warnings=$(zcat "$file" | groff -man -Tutf8 -ww -z 2>&1)
  [ -z "$warnings" ] || fail "$page: groff warnings: $warnings"
  MANWIDTH=100 MANPAGER=cat man -l "$file" >"$work/page.txt" 2>&1 || fail "man -l $page"
  grep -q "^NAME" "$work/page.txt" || fail "$page has no NAME section"
done
# The command list of pqc-bpf --help (CLI11's "Subcommands:" block).
mapfile -t commands < <("$pqc" --help | sed -n '/^Subcommands:/,/^$/p' | awk 'NR > 1 && NF {print $1}')
[ ${#commands[@]} -ge 8 ] || fail "pqc-bpf --help lists ${#commands[@]} commands: ${commands[*]}"
MANWIDTH=100 MANPAGER=cat man -l "$root/usr/share/man/man1/pqc-bpf.1.gz" >"$work/page.txt" 2>/dev/null
for c in "${commands[@]}"; do
  grep -q "pqc-bpf $c" "$work/page.txt" || fail "pqc-bpf(1) does not describe '$c'"
done
MANWIDTH=100 MANPAGER=cat man -l "$root/usr/share/man/man8/pqc-bpf-gated.8.gz" >"$work/page.txt" 2>/dev/null
grep -q -- "--config" "$work/page.txt" || fail "pqc-bpf-gated(8) does not describe --config"
echo "man pages: ok"

# 7. The completion script loads in bash and completes from the command table.
completion="$root/usr/share/bash-completion/completions/pqc-bpf"
complete_words() {  # complete_words WORD... : completions for the last word
  bash --norc --noprofile -c '
    source "$1" || exit 3
    shift
    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
    _pqc_bpf pqc-bpf "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf "%s\n" "${COMPREPLY[@]}"' bash "$completion" "$@"
}
got=$(complete_words pqc-bpf "" | sort | tr '\n' ' ')
want=$(printf '%s\n' "${commands[@]}" | sort | tr '\n' ' ')
[ "$got" = "$want" ] || fail "completing 'pqc-bpf ': got '$got', want '$want'"
[ "$(complete_words pqc-bpf log "" | sort | tr '\n' ' ')" = "init show verify " ] ||
  fail "completing 'pqc-bpf log ': $(complete_words pqc-bpf log "")"
[ "$(complete_words pqc-bpf sign x.bpf.o --ke | sort | tr "\n" " ")" = "--kernel-min --key " ] ||
  fail "completing 'sign --ke'"
[ -z "$(complete_words pqc-bpf sign --key "")" ] || fail "the value of --key completes as a word"
complete_words pqc-bpf check e.json --policy p.yaml --dur | grep -x -- "--durability" >/dev/null ||
  fail "completing 'check ... --dur'"
[ "$(complete_words pqc-bpf log verify f --w)" = "--witness" ] || fail "completing 'log verify --w'"
echo "bash completion: ok"

# 8. A C++ program built against the installed headers and libpqbpf.a.
cat >"$work/consumer.cc" <<'CC'
#include <iostream>
#include "pqbpf/attest/program.h"
#include "pqbpf/attest/signer.h"
#include "pqbpf/attest/verifier.h"
#include "pqbpf/core/identity.h"
int main(int, char** argv) {
  using namespace pqbpf;
  auto identity = Identity::create("consumer", {"sign"});
  BPFProgramMetadata metadata{.name = "exec", .program_type = BPFProgramType::kTracepoint};
  auto program = BPFProgram::from_file(metadata, argv[1]);
  if (!identity.ok() || !program.ok()) return 2;
  auto signed_program = BPFSigner::create(*identity).value().sign(*program);
  if (!signed_program.ok()) return 2;
  const VerificationResult result = BPFVerifier::verify(*signed_program);
  std::cout << (result.valid ? "valid" : "invalid") << "\n";
  return result.valid ? 0 : 1;
}
CC
cat >"$work/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.25)
project(consumer CXX)
find_package(pqbpf 0.1 REQUIRED)
add_executable(consumer consumer.cc)
target_link_libraries(consumer PRIVATE pqbpf::pqbpf)
CM
if ! { cmake -S "$work" -B "$work/consumer-build" -DCMAKE_PREFIX_PATH="$root/usr" \
         -DCMAKE_CXX_FLAGS=-O0 -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON &&
       cmake --build "$work/consumer-build"; } >"$work/consumer.log" 2>&1; then
  cat "$work/consumer.log"
  fail "a consumer of find_package(pqbpf) does not build"
fi
grep -q "$root/usr/lib" "$work/consumer-build/CMakeCache.txt" || fail "pqbpf was not found in the scratch root"
cp "${PQBPF_SAMPLES_DIR}/tracepoint_exec.bpf.o" fresh.bpf.o
[ "$("$work/consumer-build/consumer" fresh.bpf.o)" = "valid" ] || fail "the consumer's signature does not verify"
echo "C++ consumer of find_package(pqbpf): ok"

# 9. The Python module, from the installed files.
if [ "${PQBPF_HAVE_PYTHON:-0}" = "1" ]; then
  site="$root/usr/lib/python3/dist-packages"
  [ -d "$site" ] || fail "no $site in the package"
  where=$(cd "$work" && PYTHONPATH="$site" /usr/bin/python3 -s -c \
            'import pqc_ebpf_attestation as m; print(m.__file__)') ||
    fail "python3 -c 'import pqc_ebpf_attestation' against the installed module"
  [[ $where == "$site"/* ]] || fail "imported $where, not the installed module"
  echo "python module from the package: ok ($where)"
else
  echo "python: skipped, the module (target pqbpf_python) is not built yet"
fi
echo "package test: all checks passed"

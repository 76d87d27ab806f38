#!/usr/bin/env bash
# Installs the Debian 12 packages the build and the tests need. Idempotent.
set -euo pipefail
packages=(
  build-essential cmake pkg-config git
  dpkg-dev help2man groff-base man-db xz-utils  # the Debian package: shlibdeps, man pages (scripts/package.sh)
  clang llvm libclang-rt-14-dev          # BPF C (-target bpf), libFuzzer, sanitizer runtimes
  libbpf-dev libelf-dev zlib1g-dev linux-libc-dev bpftool
  libsodium-dev libssl-dev
  libseccomp-dev                         # the sandbox's seccomp filter (pqc-bpf run)
  libsystemd-dev                         # sd_notify of pqc-bpf-gated (Type=notify)
  iproute2                               # attach tests: a veth pair in a private network namespace
  nlohmann-json3-dev libyaml-cpp-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  valgrind
  python3-dev pybind11-dev python3-pytest python3-mypy  # the Python module and its tests
  qemu-system-x86 busybox-static cpio  # tests/vm: the BPF LSM under a Debian 12 kernel in qemu
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep "install ok installed" >/dev/null || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  echo "install-deps: apt-get update, then installing ${#missing[@]} packages: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}"
fi
# Node.js + npm for the differential tests (tests/npm). Machines may already carry
# a newer Node.js than Debian's; only install Debian's when none is present.
if ! command -v npm >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nodejs npm
fi

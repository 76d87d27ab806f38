#!/usr/bin/env bash
# Builds the Debian package pqc-bpf_<version>_amd64.deb in build/ (the README's
# "Install the package"): installs the build dependencies, configures, builds,
# and runs CPack. Install the result with: apt install ./build/pqc-bpf_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== package: 1/3 installing the Debian packages the build needs (scripts/install-deps.sh)"
bash scripts/install-deps.sh
echo "== package: 2/3 configuring (cmake)"
cmake -S . -B build >/dev/null
echo "== package: 3/3 building and packaging (cmake --build build --target package)"
cmake --build build -j"$(nproc)"
cmake --build build --target package
ls -l build/pqc-bpf_*.deb

#!/usr/bin/env bash
# fetch_kernel.sh CACHE_DIR: makes sure CACHE_DIR/kernel/boot/vmlinuz-* holds
# Debian 12's cloud kernel (6.1, BTF, BPF LSM built in), downloading the
# package with `apt-get download` once and unpacking it with dpkg-deb -x.
# Prints the vmlinuz path; on failure prints why on stderr and exits 1.
set -euo pipefail
cache=$1
mkdir -p "$cache"
found=$(ls "$cache"/kernel/boot/vmlinuz-* 2>/dev/null | sed -n 1p || true)
if [ -n "$found" ]; then echo "$found"; exit 0; fi
command -v apt-get >/dev/null || { echo "no apt-get to download the Debian 12 kernel package" >&2; exit 1; }
command -v dpkg-deb >/dev/null || { echo "no dpkg-deb to unpack the kernel package" >&2; exit 1; }
# The metapackage names the current 6.1 ABI (e.g. linux-image-6.1.0-57-cloud-amd64).
pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
[ -n "$pkg" ] || { echo "apt-cache does not know linux-image-cloud-amd64 (not Debian 12, or no apt-get update)" >&2; exit 1; }
rm -rf "$cache/download" && mkdir -p "$cache/download"
if ! (cd "$cache/download" && apt-get -o APT::Sandbox::User=root download "$pkg" >"$cache/download.log" 2>&1); then
  echo "apt-get download $pkg failed: $(tail -1 "$cache/download.log")" >&2
  exit 1
fi
rm -rf "$cache/kernel.tmp"
dpkg-deb -x "$cache"/download/*.deb "$cache/kernel.tmp"
ls "$cache"/kernel.tmp/boot/vmlinuz-* >/dev/null 2>&1 || { echo "$pkg has no /boot/vmlinuz-*" >&2; exit 1; }
rm -rf "$cache/kernel" && mv "$cache/kernel.tmp" "$cache/kernel"
ls "$cache"/kernel/boot/vmlinuz-* | sed -n 1p

#!/usr/bin/env bash
# Build a CPython release from the source tarball in Debian's archive (the `.orig.tar.xz` of
# Debian's python3.X package is the upstream release) into a prefix of its own, for testing the
# project on a Python the machine lacks. Plain `make -j2`: no PGO or LTO, which would triple the
# time for speed the tests do not need. The system's Python and libc are left alone.
#
#   scripts/build_python.sh 3.13.5 [PREFIX]    # default prefix: ~/.local/opt/python-3.13.5
#   then: make install PYTHON=~/.local/opt/python-3.13.5/bin/python3.13
set -euo pipefail

usage() {
  echo "usage: scripts/build_python.sh VERSION [PREFIX]  (make python PY=VERSION)"
  sed -n '2,8p' "$0" | cut -c3-
}
case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  "") usage >&2; exit 2 ;;
esac
version=$1
if [[ ! $version =~ ^3\.[0-9]+\.[0-9]+$ ]]; then
  echo "build_python.sh: $version is not a release like 3.13.5" >&2
  exit 2
fi
minor=${version%.*}
prefix=${2:-$HOME/.local/opt/python-$version}
# the Debian mirror apt uses here, unless DEBIAN_MIRROR names one
mirror=${DEBIAN_MIRROR:-$(grep -shoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list.d/*.sources \
  /etc/apt/sources.list | head -1 | tr -d ' ')}
if [ -z "$mirror" ]; then
  echo "build_python.sh: no Debian mirror in apt's sources: set DEBIAN_MIRROR" >&2
  exit 2
fi
mirror=${mirror%/}
tarball=python${minor}_${version}.orig.tar.xz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# the headers the standard library's extension modules build against (ssl, sqlite3, ctypes...)
need=(libssl-dev libsqlite3-dev libffi-dev zlib1g-dev libbz2-dev liblzma-dev libreadline-dev uuid-dev)
missing=()
for package in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential "${missing[@]}"
fi

curl -fsS --retry 3 -o "$work/$tarball" "$mirror/pool/main/p/python$minor/$tarball"
tar -xJf "$work/$tarball" -C "$work"
cd "$work"/Python-"$version"
./configure --prefix="$prefix" --with-ensurepip=install >"$work/configure.log" 2>&1 ||
  { tail -30 "$work/configure.log" >&2; exit 1; }
make -j"${JOBS:-2}" >"$work/make.log" 2>&1 || { tail -30 "$work/make.log" >&2; exit 1; }
make altinstall >"$work/install.log" 2>&1 || { tail -30 "$work/install.log" >&2; exit 1; }
"$prefix/bin/python$minor" -c 'import ssl, sqlite3, ctypes, lzma, bz2, zlib, readline, uuid'
echo "$prefix/bin/python$minor"

#!/usr/bin/env bash
# scripts/deps.sh NAME... - make sure the build's tools and packages exist.
#
# Each NAME is a Debian package, which counts as present if a command of
# that name exists or dpkg says the package is installed (e.g. gcc, make,
# clang-19, libclang-rt-19-dev, libpcap-dev). Missing packages are
# installed with apt-get when running as root (one apt-get update first);
# otherwise the apt-get command is printed and the script fails.
set -euo pipefail

have() { # NAME: command on PATH, or installed package
	command -v "$1" >/dev/null 2>&1 && return 0
	command -v dpkg-query >/dev/null 2>&1 &&
		[[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

missing=()
for name in "$@"; do
	have "$name" || missing+=("$name")
done
(( ${#missing[@]} == 0 )) && exit 0

echo "deps: missing: ${missing[*]}" >&2
if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: no apt-get here; install these packages with your package manager: ${missing[*]}" >&2
	exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
	echo "deps: run as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}"
for name in "${missing[@]}"; do
	have "$name" || { echo "deps: '$name' is still missing after apt-get install" >&2; exit 1; }
done

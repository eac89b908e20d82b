#!/usr/bin/env bash
# fetch-trixie.sh PKG DESTDIR [SUITE]: download Debian trixie's PKG (.deb) and
# unpack it into DESTDIR, using a private apt list so the machine's apt setup
# is untouched. Used for the 6.12 kernel source and uAPI headers
# (linux-source-6.12, linux-libc-dev); the host may run an older Debian.
# SUITE (or $FETCH_SUITE) picks another suite, e.g. trixie-backports for the
# 7.x kernels, bookworm-backports for QEMU 10 (scripts/qemu10.sh); each suite
# keeps its own private index.
# fetch-trixie.sh --list REGEX [SUITE] prints the package names matching
# REGEX in that suite's index, one a line, so callers can find versioned
# names such as linux-image-7.3.4+bpo-amd64.
set -euo pipefail

usage='usage: fetch-trixie.sh PKG DESTDIR [SUITE] | --list REGEX [SUITE]'
pkg=${1:?$usage}
dest=${2:?$usage}
suite=${3:-${FETCH_SUITE:-trixie}}
case $suite in
trixie | trixie-* | bookworm-backports) ;;
*) echo "fetch-trixie: unknown suite '$suite'" >&2; exit 2 ;;
esac
list_only=0
if [ "$pkg" = --list ]; then
	list_only=1
	pkg=$dest
	dest=
fi
if [ "$list_only" = 0 ]; then
	mkdir -p "$dest"
	dest=$(cd "$dest" && pwd)
fi
if [ -z "${DIRTYSCOPE_CACHE:-}" ]; then
	DIRTYSCOPE_CACHE=/var/cache/dirtyscope
	mkdir -p "$DIRTYSCOPE_CACHE" 2>/dev/null && [ -w "$DIRTYSCOPE_CACHE" ] ||
		DIRTYSCOPE_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/dirtyscope
fi
cache=$DIRTYSCOPE_CACHE
# trixie keeps the folder it always had, so its index is reused as is.
apt_dir=$cache/apt-$suite

mirror=$(sed -n 's/^URIs:[[:space:]]*\(http[^[:space:]]*debian\)$/\1/p' \
	/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}

mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
# One apt at a time on a suite's private index (its own lock, not the
# builders': they call this script while holding theirs).
exec 8>>"$apt_dir/.lock"
flock 8
# Only the one suite: a backports package is then the sole candidate, even
# though the suite's Release file marks it NotAutomatic (priority 1).
cat >"$apt_dir/$suite.sources" <<SRC
Types: deb
URIs: $mirror
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC

opts=(-o "Dir::Etc::sourcelist=$apt_dir/$suite.sources"
	-o Dir::Etc::sourceparts=/dev/null
	-o "Dir::State::Lists=$apt_dir/lists"
	-o "Dir::Cache::Archives=$apt_dir/archives"
	-o APT::Architecture=amd64 -o Debug::NoLocking=1)

# Refresh the private index at most once a day.
if [ -z "$(find "$apt_dir/lists" -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
	apt-get -qq "${opts[@]}" update >"$apt_dir/update.log" 2>&1 || {
		echo "fetch-trixie: apt-get update failed, see $apt_dir/update.log" >&2
		exit 1
	}
fi

if [ "$list_only" = 1 ]; then
	# No match is an empty list, not a failure.
	apt-cache "${opts[@]}" pkgnames | { grep -E -- "$pkg" || true; } | LC_ALL=C sort
	exit 0
fi

cd "$apt_dir/archives"
ver=$(apt-cache "${opts[@]}" policy "$pkg" | sed -n 's/^  Candidate: //p')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	echo "fetch-trixie: $pkg not found in $suite" >&2
	exit 1
fi
# Already unpacked there: nothing to do (the kernel source is 150 MB).
stamp="$dest/.dirtyscope-$pkg-$ver"
if [ -f "$stamp" ]; then
	echo "$ver"
	exit 0
fi
deb=$(ls "${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
	apt-get -qq "${opts[@]}" download "$pkg" >/dev/null 2>&1 || {
		echo "fetch-trixie: download of $pkg failed" >&2
		exit 1
	}
	deb=$(ls "${pkg}_${ver//:/%3a}_"*.deb | head -n 1)
fi
dpkg-deb -x "$deb" "$dest"
touch "$stamp"
echo "$ver"

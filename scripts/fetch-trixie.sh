#!/usr/bin/env bash
# fetch-trixie.sh PKG DESTDIR: download Debian trixie's PKG (.deb) and unpack it
# into DESTDIR, using a private apt list so the machine's apt setup is untouched.
# Used for the 6.12 kernel source and uAPI headers (linux-source-6.12,
# linux-libc-dev); the host may run an older Debian.
set -euo pipefail

pkg=${1:?usage: fetch-trixie.sh PKG DESTDIR}
dest=${2:?usage: fetch-trixie.sh PKG DESTDIR}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
if [ -z "${DIRTYSCOPE_CACHE:-}" ]; then
	DIRTYSCOPE_CACHE=/var/cache/dirtyscope
	mkdir -p "$DIRTYSCOPE_CACHE" 2>/dev/null && [ -w "$DIRTYSCOPE_CACHE" ] ||
		DIRTYSCOPE_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/dirtyscope
fi
cache=$DIRTYSCOPE_CACHE
apt_dir=$cache/apt-trixie

mirror=$(sed -n 's/^URIs:[[:space:]]*\(http[^[:space:]]*debian\)$/\1/p' \
	/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}

mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
cat >"$apt_dir/trixie.sources" <<SRC
Types: deb
URIs: $mirror
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC

opts=(-o "Dir::Etc::sourcelist=$apt_dir/trixie.sources"
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

cd "$apt_dir/archives"
ver=$(apt-cache "${opts[@]}" policy "$pkg" | sed -n 's/^  Candidate: //p')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	echo "fetch-trixie: $pkg not found in trixie" >&2
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

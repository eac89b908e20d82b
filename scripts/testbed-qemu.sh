#!/usr/bin/env bash
# testbed-qemu.sh: build (or reuse) the testbed's QEMU: Debian bookworm's
# QEMU 7.2 source with Debian's own patch series, then ours
# (scripts/qemu/*.patch: intel-iommu x-ssads and x-inv-latency-ns, edu
# x-dma-sync), x86_64 system emulator only. Prints the path of the
# qemu-system-x86_64 binary. Cached outside the repo, keyed by the source
# version, our patches and this recipe, so a second run is instant.
#
# Why 7.2: it is the QEMU the rest of the testbed runs (Debian 12's), so
# the vtd-dirty profile differs from the vtd one only by our patch, and
# it builds with bookworm's own meson; 10.0 needs a newer meson and
# Python than bookworm has.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${DIRTYSCOPE_CACHE:-/var/cache/dirtyscope}
jobs=${JOBS:-$(nproc)}
log() { echo "testbed-qemu: $*" >&2; }

# Bump when a change here alters the binary built.
recipe=1
key=$( (echo "recipe $recipe"; cat "$here"/qemu/*.patch) | sha256sum | cut -c1-12)

mkdir -p "$cache"
# One builder at a time in the cache: a second make (a test build beside a
# check) would otherwise build into the same folder at once. The next one
# waits, then finds the result cached.
exec 9>>"$cache/.build.lock"
flock 9

apt_dir=$cache/apt-bookworm-src
mkdir -p "$apt_dir/lists/partial"
mirror=$(sed -n 's/^URIs:[[:space:]]*\(http[^[:space:]]*debian\)$/\1/p' \
	/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}
cat >"$apt_dir/src.sources" <<SRC
Types: deb-src
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: $mirror-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
opts=(-o "Dir::Etc::sourcelist=$apt_dir/src.sources"
	-o Dir::Etc::sourceparts=/dev/null -o "Dir::State::Lists=$apt_dir/lists"
	-o Debug::NoLocking=1)

# A cached build is used without asking the network anything.
built=$(ls -d "$cache"/qemu-7.2*-"$key" 2>/dev/null | tail -n 1 || true)
if [ -n "$built" ] && [ -x "$built/qemu-system-x86_64" ]; then
	echo "$built/qemu-system-x86_64"
	exit 0
fi

if ! apt-get -qq "${opts[@]}" update >"$apt_dir/update.log" 2>&1; then
	log "apt-get update failed, see $apt_dir/update.log"
	exit 1
fi
ver=$(apt-cache "${opts[@]}" showsrc qemu | sed -n 's/^Version: //p' |
	sort -V | tail -n 1)
case $ver in *:7.2*) ;; *) log "no QEMU 7.2 source in bookworm (found '$ver')"; exit 1 ;; esac
sver=${ver#*:}
out=$cache/qemu-$sver-$key

dl=$cache/qemu-src-$sver
if [ ! -f "$dl/.done" ]; then
	log "downloading Debian's qemu $sver source"
	rm -rf "$dl"
	mkdir -p "$dl"
	(cd "$dl" && apt-get -qq "${opts[@]}" source --download-only "qemu=$ver" \
		>download.log 2>&1) || { log "download failed, see $dl/download.log"; exit 1; }
	touch "$dl/.done"
fi

build=$cache/qemu-build-$sver-$key
rm -rf "$build"
mkdir -p "$build/src"
log "unpacking and patching in $build"
tar -xJf "$dl"/qemu_*.orig.tar.xz -C "$build/src" --strip-components=1
tar -xJf "$dl"/qemu_*.debian.tar.xz -C "$build"
while read -r p; do
	case $p in '' | '#'*) continue ;; esac
	patch -s -d "$build/src" -p1 <"$build/debian/patches/${p%% *}" ||
		{ log "Debian patch $p did not apply"; exit 1; }
done <"$build/debian/patches/series"
for p in "$here"/qemu/*.patch; do
	patch -s -d "$build/src" -p1 <"$p" || { log "$(basename "$p") did not apply"; exit 1; }
done
# Debian's dfsg tarball drops the firmware blobs, but meson unpacks the
# edk2 ones whenever bzip2 exists; the testbed uses Debian's installed
# firmware (-L /usr/share/qemu) instead.
sed -i 's/unpack_edk2_blobs = bzip2.found()/unpack_edk2_blobs = false/' "$build/src/meson.build"

log "building qemu-system-x86_64 with $jobs jobs (about 3 minutes on 2 cores)"
if ! (cd "$build/src" && mkdir -p b && cd b &&
	../configure --target-list=x86_64-softmmu --without-default-features \
		--enable-virtfs --enable-attr --enable-cap-ng --disable-docs \
		--disable-install-blobs --disable-werror &&
	ninja -j"$jobs" qemu-system-x86_64) >"$build/build.log" 2>&1; then
	log "build failed, last lines of $build/build.log:"
	tail -n 20 "$build/build.log" >&2
	exit 1
fi
mkdir -p "$out.tmp"
cp "$build/src/b/qemu-system-x86_64" "$out.tmp/"
rm -rf "$out" "$build"
mv "$out.tmp" "$out"
echo "$out/qemu-system-x86_64"

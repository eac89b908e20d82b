#!/usr/bin/env bash
# testbed-kernel.sh: build (or reuse) the testbed kernel from Debian's
# linux-source-6.12 with scripts/testbed.config. Prints the folder holding
# bzImage, vmlinux (with BTF) and .config. The build is cached outside the
# repo, keyed by source version and config hash, so a second run is instant.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${DIRTYSCOPE_CACHE:-/var/cache/dirtyscope}
frag=$here/testbed.config
jobs=${JOBS:-$(nproc)}
log() { echo "testbed-kernel: $*" >&2; }

mkdir -p "$cache"
src_ver=$("$here/fetch-trixie.sh" linux-source-6.12 "$cache/linux-source-deb")
# The cache key covers the source version, the fragment and the recipe
# version below: bump it when a change here alters the kernel built.
recipe=1
key=$( (echo "recipe $recipe"; cat "$frag") | sha256sum | cut -c1-12)
out=$cache/kernel-$src_ver-$key
src=$cache/linux-$src_ver
if [ -f "$out/bzImage" ] && [ -f "$out/vmlinux" ] && [ -f "$src/Makefile" ]; then
	echo "$out"
	exit 0
fi

if [ ! -f "$src/Makefile" ]; then
	log "unpacking linux-source $src_ver"
	tarball=$(ls "$cache"/linux-source-deb/usr/src/linux-source-6.12*.tar.xz | head -n 1)
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xJf "$tarball" -C "$src.tmp" --strip-components=1
	mv "$src.tmp" "$src"
fi

build=$cache/build-$src_ver-$key
mkdir -p "$build"
log "configuring in $build"
make -s -C "$src" O="$build" tinyconfig >/dev/null
(cd "$build" && "$src/scripts/kconfig/merge_config.sh" -m .config "$frag" >/dev/null)
make -s -C "$src" O="$build" olddefconfig >/dev/null

# Every requested option must have survived olddefconfig; a silently dropped
# one (a missing dependency) would make later tests fail in confusing ways.
missing=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=y) ;; *) continue ;; esac
	grep -qx "$line" "$build/.config" || { log "option lost: $line"; missing=1; }
done <"$frag"
[ "$missing" -eq 0 ] || exit 1

log "building bzImage with $jobs jobs (about 11 minutes on 2 cores)"
if ! make -C "$src" O="$build" -j"$jobs" bzImage >"$build/build.log" 2>&1; then
	log "build failed, last lines of $build/build.log:"
	tail -n 20 "$build/build.log" >&2
	exit 1
fi
mkdir -p "$out.tmp"
cp "$build/arch/x86/boot/bzImage" "$build/vmlinux" "$build/.config" "$out.tmp/"
# Tests compare our ABI definitions with headers of this very source.
ln -sfn "$src" "$out.tmp/source"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out"

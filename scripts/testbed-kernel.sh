#!/usr/bin/env bash
# testbed-kernel.sh [VERSION]: build (or reuse) a testbed kernel and print the
# folder holding bzImage, vmlinux (with BTF), .config and a source symlink.
# The build is cached outside the repo, keyed by version, source version,
# config fragments and recipe, so a second run is instant.
#
# VERSION 6.12 (the default): Debian trixie's linux-source-6.12 with
# scripts/testbed.config, everything built in.
# Any other VERSION (e.g. 7.3): Debian's linux-source-VERSION, from trixie or
# else trixie-backports, with scripts/testbed.config plus
# scripts/testbed-modules.config: iommufd and VFIO as modules, installed
# (stripped, module BTF kept) under lib/modules/RELEASE in the folder.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${DIRTYSCOPE_CACHE:-/var/cache/dirtyscope}
ver=${1:-6.12}
jobs=${JOBS:-$(nproc)}
log() { echo "testbed-kernel: $*" >&2; }

[[ $ver =~ ^[1-9][0-9]*\.[0-9]+$ ]] || {
	echo "usage: testbed-kernel.sh [VERSION], e.g. 6.12 or 7.3" >&2
	exit 2
}
frags=("$here/testbed.config")
if [ "$ver" = 6.12 ]; then
	# The paths and key of the first testbed kernel, as they always were.
	debdir=$cache/linux-source-deb
	targets=(bzImage)
	estimate="about 11 minutes on 2 cores"
else
	debdir=$cache/linux-source-$ver-deb
	frags+=("$here/testbed-modules.config")
	targets=(bzImage modules)
	estimate="measured 15 min 43 s on 2 cores beside the 6.12 kernel and QEMU builds"
fi
mkdir -p "$cache"
# One builder at a time in the cache: a second make (a test build beside a
# check) would otherwise build into the same folder at once. The next one
# waits, then finds the result cached.
exec 9>>"$cache/.build.lock"
flock 9
suite=trixie
# A newer kernel than trixie's own comes from backports.
if [ -z "$("$here/fetch-trixie.sh" --list "^linux-source-$ver\$" trixie)" ]; then
	suite=trixie-backports
fi
src_ver=$("$here/fetch-trixie.sh" "linux-source-$ver" "$debdir" "$suite")
# The cache key covers the source version (in the folder name), the
# fragments and the recipe version below: bump it when a change here alters
# the kernel built. 6.12's key is the one it always had (no version line),
# so existing caches stay valid.
recipe=1
if [ "$ver" = 6.12 ]; then
	key=$( (echo "recipe $recipe"; cat "${frags[@]}") | sha256sum | cut -c1-12)
else
	key=$( (echo "recipe $recipe"; echo "version $ver"; cat "${frags[@]}") |
		sha256sum | cut -c1-12)
fi
out=$cache/kernel-$src_ver-$key
src=$cache/linux-$src_ver
if [ -f "$out/bzImage" ] && [ -f "$out/vmlinux" ] && [ -f "$src/Makefile" ] &&
	{ [ "$ver" = 6.12 ] || [ -d "$out/lib/modules" ]; }; then
	echo "$out"
	exit 0
fi

if [ ! -f "$src/Makefile" ]; then
	log "unpacking linux-source $src_ver"
	tarball=$(ls "$debdir"/usr/src/linux-source-"$ver"*.tar.xz | head -n 1)
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xJf "$tarball" -C "$src.tmp" --strip-components=1
	mv "$src.tmp" "$src"
fi

build=$cache/build-$src_ver-$key
mkdir -p "$build"
log "configuring in $build"
make -s -C "$src" O="$build" tinyconfig >/dev/null
(cd "$build" && "$src/scripts/kconfig/merge_config.sh" -m .config "${frags[@]}" >/dev/null)
make -s -C "$src" O="$build" olddefconfig >/dev/null

# Every requested option must have survived olddefconfig; a silently dropped
# one (a missing dependency) would make later tests fail in confusing ways.
# A later fragment overrides an earlier one, as in merge_config.sh.
declare -A want=()
while IFS= read -r line; do
	case "$line" in CONFIG_*=[ym]) ;; *) continue ;; esac
	want[${line%%=*}]=$line
done < <(cat "${frags[@]}")
missing=0
for opt in "${!want[@]}"; do
	grep -qx "${want[$opt]}" "$build/.config" ||
		{ log "option lost: ${want[$opt]}"; missing=1; }
done
[ "$missing" -eq 0 ] || exit 1

log "building ${targets[*]} with $jobs jobs ($estimate)"
start=$SECONDS
if ! make -C "$src" O="$build" -j"$jobs" "${targets[@]}" >"$build/build.log" 2>&1; then
	log "build failed, last lines of $build/build.log:"
	tail -n 20 "$build/build.log" >&2
	exit 1
fi
rm -rf "$out.tmp"
mkdir -p "$out.tmp"
cp "$build/arch/x86/boot/bzImage" "$build/vmlinux" "$build/.config" "$out.tmp/"
if [ "$ver" != 6.12 ]; then
	# Stripping drops only the .debug_* sections; module BTF (.BTF) stays,
	# checked below, and the folder shrinks from hundreds of MB to a few.
	make -s -C "$src" O="$build" INSTALL_MOD_PATH="$out.tmp" INSTALL_MOD_STRIP=1 \
		modules_install >>"$build/build.log" 2>&1
	# The build tree's link would point into the cache's build folder.
	rm -f "$out.tmp"/lib/modules/*/build
	ko=$(find "$out.tmp/lib/modules" -name iommufd.ko | head -n 1)
	if [ -z "$ko" ] || ! readelf -S "$ko" | grep -q '\.BTF'; then
		log "iommufd.ko missing or without .BTF after modules_install"
		exit 1
	fi
fi
log "built in $(((SECONDS - start) / 60)) min $(((SECONDS - start) % 60)) s"
# Tests compare our ABI definitions with headers of this very source.
ln -sfn "$src" "$out.tmp/source"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out"

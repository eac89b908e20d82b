#!/usr/bin/env bash
# stock-kernel.sh VERSION: fetch Debian's own amd64 kernel VERSION (6.12 from
# trixie, 7.x from trixie-backports), unmodified, and print a folder in the
# layout of testbed-kernel.sh that scripts/vm-run.sh --kernel boots: bzImage
# (Debian's vmlinuz), .config and lib/modules/RELEASE with modules.dep. No
# vmlinux: a stock kernel's BTF is read at run time from /sys/kernel/btf.
# Cached outside the repo, keyed by the packages' versions and the recipe.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${DIRTYSCOPE_CACHE:-/var/cache/dirtyscope}
ver=${1:-}
log() { echo "stock-kernel: $*" >&2; }

[[ $ver =~ ^[1-9][0-9]*\.[0-9]+$ ]] || {
	echo "usage: stock-kernel.sh VERSION, e.g. 6.12 or 7.3" >&2
	exit 2
}
mkdir -p "$cache"
# One builder at a time in the cache: a second make (a test build beside a
# check) would otherwise build into the same folder at once. The next one
# waits, then finds the result cached.
exec 9>>"$cache/.build.lock"
flock 9
for tool in depmod xz; do
	command -v "$tool" >/dev/null ||
		{ log "$tool missing (scripts/deps.sh installs it)"; exit 1; }
done

# The newest release of VERSION, e.g. 6.12.117+deb13-amd64. Trixie first:
# backports also carries older trixie ABIs we do not want to pick.
img_re="^linux-image-${ver//./\\.}\.[0-9]+\+[a-z0-9]+-amd64(-unsigned)?\$"
for suite in trixie trixie-backports; do
	names=$("$here/fetch-trixie.sh" --list "$img_re" "$suite")
	[ -z "$names" ] || break
done
if [ -z "$names" ]; then
	log "no linux-image-$ver.*-amd64 in trixie or trixie-backports"
	exit 1
fi
rel=$(sed -e 's/^linux-image-//' -e 's/-unsigned$//' <<<"$names" | sort -uV | tail -n 1)

# 6.12 ships the image and its modules in one package; the unsigned one has
# the same kernel without a signature to check. 7.x splits it: vmlinuz in
# linux-binary, modules in linux-modules, config and modules.order etc. in
# linux-base (linux-image itself is then only a meta package).
have() { [ -n "$("$here/fetch-trixie.sh" --list "^${1//+/\\+}\$" "$suite")" ]; }
pkgs=()
if have "linux-binary-$rel"; then
	for p in "linux-binary-$rel" "linux-modules-$rel" "linux-base-$rel"; do
		! have "$p" || pkgs+=("$p")
	done
elif have "linux-image-$rel-unsigned"; then
	pkgs=("linux-image-$rel-unsigned")
else
	pkgs=("linux-image-$rel")
fi

# The key: every package's version plus the recipe (bump it when a change
# here alters the folder's contents).
recipe=1
start=$SECONDS
mkdir -p "$cache"
unpack=$cache/stock-$rel.debs
vers=()
for p in "${pkgs[@]}"; do
	vers+=("$p=$("$here/fetch-trixie.sh" "$p" "$unpack" "$suite")")
done
key=$(printf 'recipe %s\n' "$recipe" | cat - <(printf '%s\n' "${vers[@]}") |
	sha256sum | cut -c1-12)
out=$cache/stock-kernel-$rel-$key
if [ -f "$out/bzImage" ] && [ -f "$out/lib/modules/$rel/modules.dep" ]; then
	echo "$out"
	exit 0
fi
log "preparing $rel from ${pkgs[*]}"

# Merged /usr (trixie) or not: take the files from wherever they are.
pick() {
	local f
	for f in "$@"; do
		[ -f "$unpack/$f" ] && { echo "$unpack/$f"; return 0; }
	done
	return 1
}
vmlinuz=$(pick "boot/vmlinuz-$rel" "usr/lib/modules/$rel/vmlinuz" \
	"lib/modules/$rel/vmlinuz") || { log "no vmlinuz for $rel"; exit 1; }
config=$(pick "boot/config-$rel" "usr/lib/modules/$rel/config" \
	"lib/modules/$rel/config") || { log "no config for $rel"; exit 1; }
moddir=$unpack/usr/lib/modules/$rel
[ -d "$moddir" ] || moddir=$unpack/lib/modules/$rel
[ -d "$moddir/kernel" ] || { log "no modules for $rel"; exit 1; }

rm -rf "$out.tmp"
mkdir -p "$out.tmp/lib/modules"
cp "$vmlinuz" "$out.tmp/bzImage"
cp "$config" "$out.tmp/.config"
cp -a "$moddir" "$out.tmp/lib/modules/$rel"
rm -f "$out.tmp/lib/modules/$rel"/{vmlinuz,config,System.map}
# Uncompressed modules: busybox insmod in the initramfs cannot decompress,
# and neither needs the kernel's in-kernel decompression then.
find "$out.tmp/lib/modules" -name '*.ko.xz' -print0 |
	xargs -0 -r -n 64 -P "$(nproc)" xz -d
if [ -n "$(find "$out.tmp/lib/modules" -name '*.ko.zst' -print -quit)" ]; then
	command -v zstd >/dev/null || { log "zstd missing for .ko.zst modules"; exit 1; }
	find "$out.tmp/lib/modules" -name '*.ko.zst' -print0 |
		xargs -0 -r -n 64 -P "$(nproc)" zstd -q -d --rm
fi
depmod -b "$out.tmp" "$rel"
rm -rf "$out"
mv "$out.tmp" "$out"
# The unpacked packages stay (a few hundred MB): their stamps let a second
# run find the versions, hence the key, without unpacking again.
log "prepared in $((SECONDS - start)) s"
echo "$out"

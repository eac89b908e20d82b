#!/usr/bin/env bash
# qemu10.sh: fetch (or reuse) Debian bookworm-backports' QEMU 10 x86_64
# system emulator, unpacked, and print its folder: the binary is
# FOLDER/usr/bin/qemu-system-x86_64, its firmware FOLDER/usr/share/qemu
# (pass -L). The host tests run it as the VMM that trace -p follows
# (tests/system/test_qemu_host.c, and test_qemu_vfio_vm.c in the testbed
# VM): 10.x exports the migration and VFIO
# dirty-tracking functions trace's uprobes need, bookworm's 7.2 does not.
# Nothing is installed: the packages are unpacked into the cache, keyed by
# their version, so a second run is instant and asks the network nothing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${DIRTYSCOPE_CACHE:-/var/cache/dirtyscope}
suite=bookworm-backports
# The emulator and the two packages it needs to start (its firmware and
# keymaps, its common files); its shared libraries are bookworm's own.
pkgs=(qemu-system-x86 qemu-system-common qemu-system-data)
log() { echo "qemu10: $*" >&2; }

# The unpacked QEMU if the cache has it. Looked for before the lock too: the
# testbed VM sees the cache read-only (test_qemu_vfio_vm runs it there).
cached() {
	local found
	found=$(ls -d "$cache"/qemu-10.*-bpo 2>/dev/null | tail -n 1 || true)
	[ -n "$found" ] && [ -x "$found/usr/bin/qemu-system-x86_64" ] &&
		echo "$found"
}
cached && exit 0

mkdir -p "$cache"
# One builder at a time in the cache, as the testbed builders.
exec 9>>"$cache/.build.lock"
flock 9
cached && exit 0

tmp=$cache/qemu10.tmp
rm -rf "$tmp"
ver=
for p in "${pkgs[@]}"; do
	log "fetching $p from $suite"
	v=$("$here/fetch-trixie.sh" "$p" "$tmp" "$suite")
	[ -n "$ver" ] || ver=$v
done
# "1:10.0.2+ds-2+deb13u1~bpo12+1" -> "10.0.2"
upstream=${ver#*:}
upstream=${upstream%%[+~-]*}
case $upstream in
10.*) ;;
*)
	echo "qemu10: $suite has QEMU $ver, not 10.x" >&2
	rm -rf "$tmp"
	exit 1
	;;
esac
if ! "$tmp/usr/bin/qemu-system-x86_64" -L "$tmp/usr/share/qemu" --version \
	>/dev/null; then
	echo "qemu10: the unpacked QEMU $ver does not run on this host" >&2
	rm -rf "$tmp"
	exit 1
fi
out=$cache/qemu-$upstream-bpo
rm -rf "$out"
mv "$tmp" "$out"
echo "$out"

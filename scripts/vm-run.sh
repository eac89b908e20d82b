#!/usr/bin/env bash
# vm-run.sh: boot the testbed kernel under QEMU (TCG) and run one command in
# the guest, which sees the host's root read-only over 9p, so host binaries
# run unchanged. Prints the command's output and exits with its exit code;
# 124 on timeout, 125 on a kernel splat, 126 if the guest gave no exit code.
set -euo pipefail

usage='usage: vm-run.sh [--profile mock|vtd|vtd-dirty] [--inv-latency NS] [--timeout SECONDS] [--kernel-version V|stock-V | --kernel DIR] [--log FILE] [--mem SIZE] [--smp N] [--fault-injection] [--icount SHIFT] -- CMD [ARGS...]'
here=$(cd "$(dirname "$0")" && pwd)
cache=${DIRTYSCOPE_CACHE:-/var/cache/dirtyscope}

bad_usage() {
	echo "vm-run: $1; $usage" >&2
	exit 2
}

need_arg() {
	[ "$2" -ge 2 ] || bad_usage "$1 needs a value"
}

profile=mock
timeout_s=600
kernel=
kernel_version=${DIRTYSCOPE_KERNEL:-6.12}
log=
mem=2G
smp=2
fault_injection=0
inv_latency=0
icount=
while [ $# -gt 0 ]; do
	case $1 in
	--profile) need_arg "$1" $#; profile=$2; shift 2 ;;
	--timeout) need_arg "$1" $#; timeout_s=$2; shift 2 ;;
	--kernel) need_arg "$1" $#; kernel=$2; shift 2 ;;
	--kernel-version) need_arg "$1" $#; kernel_version=$2; shift 2 ;;
	--log) need_arg "$1" $#; log=$2; shift 2 ;;
	--mem) need_arg "$1" $#; mem=$2; shift 2 ;;
	--smp) need_arg "$1" $#; smp=$2; shift 2 ;;
	--fault-injection) fault_injection=1; shift ;;
	--inv-latency) need_arg "$1" $#; inv_latency=$2; shift 2 ;;
	--icount) need_arg "$1" $#; icount=$2; shift 2 ;;
	-h | --help) echo "$usage"; exit 0 ;;
	--) shift; break ;;
	*) bad_usage "unknown option '$1' (the command goes after --)" ;;
	esac
done
[ $# -gt 0 ] || bad_usage "no command given"
case $profile in mock | vtd | vtd-dirty) ;; *) bad_usage "unknown profile '$profile'" ;; esac
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || bad_usage "--timeout must be a positive integer"
[[ $inv_latency =~ ^(0|[1-9][0-9]{0,9})$ ]] || bad_usage "--inv-latency must be nanoseconds (0 to 9999999999)"
[[ -z $icount || $icount =~ ^([0-9]|10)$ ]] || bad_usage "--icount must be a shift from 0 to 10"
[[ $smp =~ ^[1-9][0-9]?$ ]] || bad_usage "--smp must be a number of vCPUs"
[[ $mem =~ ^[1-9][0-9]*[KMGT]?$ ]] || bad_usage "--mem must look like 2G or 1536M"

[[ $kernel_version =~ ^(stock-)?[1-9][0-9]*\.[0-9]+$ ]] ||
	bad_usage "--kernel-version must look like 6.12, 7.3 or stock-7.3"

if [ -z "$kernel" ]; then
	# Cached after the first build, so this is instant from then on.
	# stock-V: Debian's own kernel V, unmodified (scripts/stock-kernel.sh).
	case $kernel_version in
	stock-*) kernel=$("$here/stock-kernel.sh" "${kernel_version#stock-}") ;;
	*) kernel=$("$here/testbed-kernel.sh" "$kernel_version") ;;
	esac
fi
[ -f "$kernel/bzImage" ] || { echo "vm-run: no bzImage in $kernel" >&2; exit 1; }

# The kernel's release, for the guest (DIRTYSCOPE_VM_KERNEL) and its module
# tree: the one folder under lib/modules of a modular kernel, else the
# version string the bzImage header points to (offset 0x20e, plus 0x200).
mods=
release=
for d in "$kernel"/lib/modules/*/; do
	[ -f "$d/modules.dep" ] || continue
	release=$(basename "$d")
	mods=$kernel/lib/modules
done
if [ -z "$release" ]; then
	off=$(od -An -tu2 -j 526 -N 2 "$kernel/bzImage" 2>/dev/null | tr -d ' ')
	[ -z "$off" ] || release=$(dd if="$kernel/bzImage" bs=1 skip=$((off + 512)) \
		count=128 2>/dev/null | tr '\0' '\n' | head -n 1 | cut -d ' ' -f 1)
	[[ $release =~ ^[0-9][0-9A-Za-z.+_~-]*$ ]] || release=$kernel_version
fi

# Modules to load, in dependency order (modules.dep), as paths under
# lib/modules; absent ones (built in, or not built at all) are skipped.
declare -A mod_path=() mod_deps=() mod_seen=()
mod_order=()
if [ -n "$mods" ]; then
	while IFS= read -r line; do
		path=${line%%:*}
		name=$(basename "$path" .ko)
		name=${name//-/_}
		mod_path[$name]=$path
		mod_deps[$path]=${line#*:}
	done <"$mods/$release/modules.dep"
fi
mod_visit() {
	local dep
	[ -z "${mod_seen[$1]:-}" ] || return 0
	mod_seen[$1]=1
	for dep in ${mod_deps[$1]}; do mod_visit "$dep"; done
	mod_order+=("$1")
}
mod_closure() {
	local m
	mod_order=()
	for m in "$@"; do
		[ -z "${mod_path[$m]:-}" ] || mod_visit "${mod_path[$m]}"
	done
}
# Before the 9p root: 9p and its virtio transport (modules in Debian's
# kernels; virtio-pci itself is built in there).
mod_closure 9pnet_virtio 9p
early=("${mod_order[@]}")
# After it: what the tool and the tests drive.
mod_closure iommufd vfio vfio_iommu_type1 vfio_pci mtty
late=("${mod_order[@]}")

# The initramfs is only busybox and /init; rebuild it when either changes.
init=$here/vm-init.sh
bb=/bin/busybox
# A dynamically linked busybox (Debian's plain "busybox") has no libc in
# the initramfs and init would die at once.
if [ ! -x "$bb" ] || readelf -l "$bb" 2>/dev/null | grep -q INTERP; then
	echo "vm-run: $bb must be busybox-static (scripts/deps.sh)" >&2
	exit 1
fi
# With early modules the key covers their list and contents too; without
# (every testbed kernel) it stays the plain busybox + init one.
if [ ${#early[@]} -eq 0 ]; then
	key=$(cat "$init" "$bb" | sha256sum | cut -c1-12)
else
	key=$( (cat "$init" "$bb"; printf '%s\n' "$release" "${early[@]}"
		for m in "${early[@]}"; do cat "$mods/$release/$m"; done) |
		sha256sum | cut -c1-12)
fi
initrd=$cache/initramfs-$key.cpio.gz
if [ ! -f "$initrd" ]; then
	mkdir -p "$cache"
	stage=$(mktemp -d)
	mkdir -p "$stage/bin"
	cp "$bb" "$stage/bin/busybox"
	install -m 755 "$init" "$stage/init"
	for m in "${early[@]}"; do
		mkdir -p "$stage/lib/modules/$release/$(dirname "$m")"
		cp "$mods/$release/$m" "$stage/lib/modules/$release/$m"
		echo "$release/$m" >>"$stage/early-modules"
	done
	# A unique temp name then mv: concurrent runs never see a partial file.
	(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
		gzip -9 >"$initrd.$$"
	mv "$initrd.$$" "$initrd"
	rm -rf "$stage"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vm-run.XXXXXX")
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	if [ "${DIRTYSCOPE_KEEP_VM_TMP:-0}" = 1 ]; then
		echo "vm-run: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
share=$tmp/share
console=$tmp/console.log
mkdir "$share"

# POSIX single quoting, not printf %q: the guest runs cmd.sh with the host's
# /bin/sh (dash), which cannot read the $'...' form %q emits for newlines.
q() {
	printf "'%s'" "${1//\'/\'\\\'\'}"
}

{
	# All output, a failing cd's included, goes to the log the host prints.
	echo "exec </dev/null >/run/dirtyscope/out.log 2>&1"
	# vm-init.sh mounts the cwd (the dscwd share) at the same path.
	echo "cd $(q "$PWD") || exit 126"
	echo "export PATH=$(q "$PATH") HOME=$(q "${HOME:-/root}") TMPDIR=/tmp"
	echo "export DIRTYSCOPE_VM=1 DIRTYSCOPE_VM_PROFILE=$profile DIRTYSCOPE_VM_INV_LATENCY_NS=$inv_latency"
	echo "export DIRTYSCOPE_VM_KERNEL=$(q "$release")"
	# Tests expect the testbed's features (iommufd, its mock) only on a
	# testbed kernel.
	case $kernel_version in
	stock-*) echo "export DIRTYSCOPE_VM_STOCK=1" ;;
	esac
	# The project's own knobs reach the guest too.
	while IFS= read -r v; do
		case $v in DIRTYSCOPE_VM* | DIRTYSCOPE_KEEP_VM_TMP) continue ;; esac
		echo "export $v=$(q "${!v}")"
	done < <(compgen -e | grep '^DIRTYSCOPE_' || true)
	printf 'exec'
	for a in "$@"; do printf ' %s' "$(q "$a")"; done
	echo
} >"$share/cmd.sh"
printf '%s\n' "$PWD" >"$share/cwd"

append="console=ttyS0 rdinit=/init panic=-1"
devices=(-device "intel-iommu,intremap=off")
qemu_bin=qemu-system-x86_64
firmware=()
case $profile in
mock) append+=" intel_iommu=off" ;;
vtd)
	append+=" intel_iommu=on"
	# The emulated VT-d runs without interrupt remapping (intremap=off), so
	# VFIO type1 refuses to attach a group (EPERM) unless told to accept it.
	append+=" vfio_iommu_type1.allow_unsafe_interrupts=1"
	# QEMU's edu PCI device: something for vfio-pci to bind in the guest.
	devices+=(-device edu)
	;;
vtd-dirty)
	# Our QEMU (scripts/testbed-qemu.sh): scalable mode with second-stage
	# A/D flags, so the Intel driver does iommufd dirty tracking, and edu
	# as a fast DMA engine over the whole IOVA space.
	qemu_bin=$("$here/testbed-qemu.sh")
	firmware=(-L /usr/share/qemu -L /usr/share/seabios)
	devices=(-device "intel-iommu,intremap=off,x-scalable-mode=on,x-ssads=on,x-inv-latency-ns=$inv_latency"
		-device "edu,x-dma-sync=on,dma_mask=0xffffffffffffffff")
	append+=" intel_iommu=on,sm_on iommufd.allow_unsafe_interrupts=1"
	append+=" vfio_iommu_type1.allow_unsafe_interrupts=1"
	;;
esac

# The modules vm-init.sh loads from the dsmods share, one a line with its
# parameters. A loadable module does not see its parameters on the kernel
# command line (modprobe would read /proc/cmdline, busybox insmod does not):
# hand each the ones the profile put there.
modshare=()
if [ -n "$mods" ]; then
	for m in "${late[@]}"; do
		name=$(basename "$m" .ko)
		name=${name//-/_}
		args=
		for tok in $append; do
			case $tok in "$name".*=*) args+=" ${tok#"$name".}" ;; esac
		done
		echo "$release/$m$args"
	done >"$share/modules"
	modshare=(-virtfs "local,path=$mods,mount_tag=dsmods,security_model=none,readonly=on,multidevs=remap")
fi

# intel-iommu must precede every other PCI device, the 9p ones included.
qemu=("$qemu_bin" "${firmware[@]}" -machine q35 -accel tcg -smp "$smp" -m "$mem"
	-display none -no-reboot -nodefaults
	-kernel "$kernel/bzImage" -initrd "$initrd" -append "$append"
	"${devices[@]}"
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$share,mount_tag=dsrun,security_model=none,multidevs=remap"
	-virtfs "local,path=$PWD,mount_tag=dscwd,security_model=none,readonly=on,multidevs=remap"
	"${modshare[@]}"
	-serial "file:$console")
# Guest time from instructions executed, 2^SHIFT ns each, not the host's
# clock: timings that do not move with the host's load (one thread runs
# every vCPU then).
[ -z "$icount" ] || qemu+=(-icount "shift=$icount,align=off,sleep=on")

# In the background so that a Ctrl-C or kill interrupts the wait at once
# and the trap stops QEMU (timeout passes the TERM on) before cleaning up.
# -k: a QEMU that ignores SIGTERM is killed 10 s later.
run_qemu() {
	timeout -k 10 "$timeout_s" "${qemu[@]}" </dev/null >"$tmp/qemu.out" 2>&1 &
	qpid=$!
	trap 'kill $qpid 2>/dev/null; wait $qpid; echo "vm-run: interrupted" >&2; exit 130' INT TERM
	qrc=0
	wait $qpid || qrc=$?
	trap - INT TERM
}
run_qemu
# A guest kernel that panicked before the command started (cmd.sh's first
# line creates out.log) ran nothing of ours. Seen under TCG with 2 vCPUs on
# a loaded host: an int3 oops in early boot, the kernel's own code patching
# seen half done by the other vCPU (docs/reliability.md), twice in a row
# once. Boot up to three times, and say so; a panic once the command runs
# is the test's.
boots=1
while [ "$boots" -lt 3 ] && [ "$qrc" -eq 0 ] && [ ! -s "$share/rc" ] &&
	[ ! -e "$share/out.log" ] &&
	grep -q 'Kernel panic' "$console" 2>/dev/null; do
	echo "vm-run: the guest kernel panicked while booting, before the command ran ($(grep -m 1 -E 'Oops|BUG:|panic' "$console" | tr -d '\r')): booting again" >&2
	[ -z "$log" ] || cp "$console" "$log.boot$boots"
	: >"$console"
	boots=$((boots + 1))
	run_qemu
done
[ -z "$log" ] || cp "$console" "$log"
[ ! -f "$share/out.log" ] || cat "$share/out.log"

tail_console() {
	echo "vm-run: last 30 console lines:" >&2
	tail -n 30 "$console" 2>/dev/null | tr -d '\r' >&2 || true
}

# 137: timeout had to SIGKILL a QEMU that ignored the SIGTERM.
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	echo "vm-run: timed out after $timeout_s s" >&2
	tail_console
	exit 124
fi
if [ ! -s "$share/rc" ]; then
	echo "vm-run: the guest returned no exit code (qemu exit $qrc)" >&2
	# QEMU's own complaints (a bad option, a missing file) say why.
	tail -n 10 "$tmp/qemu.out" >&2
	tail_console
	exit 126
fi
rc=$(cat "$share/rc")

splat='WARNING:|BUG:|Oops|Kernel panic|general protection fault|possible circular locking|possible recursive locking|inconsistent lock state|INFO: task .* blocked|UBSAN:|KASAN:|Call Trace:'
# --fault-injection: the command makes allocations fail on purpose, and the
# kernel reports a failed allocation made without __GFP_NOWARN (warn_alloc:
# "page allocation failure:" or "vmalloc error:", then a stack dump up to
# </TASK>). Those reports are left out; a splat inside one still counts.
# So is the WARN of a bpf link release whose trampoline rebuild met a
# failed allocation (kernel/bpf/trampoline.c; docs/reliability.md).
alloc_reports() {
	if [ "$fault_injection" = 1 ]; then
		awk -v splat="${splat%|Call Trace:}" '
			/(page allocation failure|vmalloc error): / { skip = 1; next }
			/WARNING:.*bpf_tracing_link_release/ { skip = 1; next }
			skip && $0 ~ splat { skip = 0 }
			skip && /<\/TASK>/ { skip = 0; next }
			!skip'
	else
		cat
	fi
}
first=$(tr -d '\r' <"$console" | alloc_reports | grep -m 1 -E "$splat" || true)
if [ -n "$first" ]; then
	echo "vm-run: kernel splat in the console: $first" >&2
	[ "$rc" -ne 0 ] || rc=125
fi
exit "$rc"

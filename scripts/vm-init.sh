#!/bin/busybox sh
# vm-init.sh: /init of the testbed initramfs (busybox sh in the guest).
# Mounts the host's root (9p, read-only) at /host with fresh kernel
# filesystems over it, runs the command script that vm-run.sh left on the
# writable run share, writes its exit code back there and powers off.
# Not "set -e": whatever fails, the guest must still power off so the host
# does not wait for its timeout.

/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev /host
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

# The initramfs holds no /dev/console node (so building it needs no mknod)
# and init starts without stdio: take the console from devtmpfs.
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys

off() {
	sync
	reboot -f
	# reboot -f does not return; if it somehow did, a panic still ends
	# the VM (panic=-1 with -no-reboot).
	exit 1
}

fail() {
	echo "vm-init: $*"
	echo "DIRTYSCOPE-VM-INIT-FAILED"
	off
}

# A modular kernel (Debian's own) has 9p as modules: vm-run.sh put them in
# the initramfs, listed in load order.
if [ -f /early-modules ]; then
	while read -r m; do
		insmod "/lib/modules/$m" || echo "vm-init: cannot load $m"
	done </early-modules
fi

# A large msize means fewer 9p round trips when loading big host binaries.
ninep=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o "$ninep,ro" hostroot /host || fail "cannot mount hostroot"

# Required: the kernel filesystems a program run from the host tree expects.
mount -t proc proc /host/proc || fail "cannot mount /host/proc"
mount -t sysfs sysfs /host/sys || fail "cannot mount /host/sys"
mount -t devtmpfs devtmpfs /host/dev || fail "cannot mount /host/dev"
mount -t tmpfs -o mode=1777 tmpfs /host/tmp || fail "cannot mount /host/tmp"
mount -t tmpfs -o mode=755 tmpfs /host/run || fail "cannot mount /host/run"

# Optional: present when the kernel has them, harmless to miss.
mount -t debugfs debugfs /host/sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /host/sys/kernel/tracing 2>/dev/null
mount -t bpf bpf /host/sys/fs/bpf 2>/dev/null
mkdir -p /host/dev/pts /host/dev/shm
mount -t devpts devpts /host/dev/pts 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /host/dev/shm 2>/dev/null

# Loopback, for what listens on 127.0.0.1 (trace --metrics, Prometheus).
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up 2>/dev/null

run=/host/run/dirtyscope
mkdir -p "$run"
mount -t 9p -o "$ninep" dsrun "$run" || fail "cannot mount the run share"
[ -f "$run/cmd.sh" ] || fail "no cmd.sh on the run share"

# A modular kernel's tree (the dsmods share): load what the tool drives
# (the list holds only modules this kernel has, with their parameters) and
# put the tree where the host's modprobe and modinfo look in the chroot; the
# host's own /lib/modules belongs to another kernel.
if [ -f "$run/modules" ]; then
	mkdir -p /modules
	if mount -t 9p -o "$ninep,ro" dsmods /modules; then
		while read -r m args; do
			# shellcheck disable=SC2086 # one word per parameter
			insmod "/modules/$m" $args || echo "vm-init: cannot load $m"
		done <"$run/modules"
		[ ! -d /host/lib/modules ] || mount --bind /modules /host/lib/modules
	else
		echo "vm-init: cannot mount the module share"
	fi
fi

# The host's working directory (the checkout) is shared on its own and
# mounted at its own path, over the fresh /tmp and /run: a checkout under
# /tmp, as a CI clone may be, is then visible in the guest too.
if read -r cwd <"$run/cwd" && [ -n "$cwd" ]; then
	mkdir -p "/host$cwd" 2>/dev/null
	mount -t 9p -o "$ninep,ro" dscwd "/host$cwd" ||
		fail "cannot mount the working directory $cwd"
fi

chroot /host /bin/sh /run/dirtyscope/cmd.sh
rc=$?

# The rc file is what tells vm-run.sh the command ran to the end; the
# console marker helps when reading a kept console log.
echo "$rc" >"$run/rc"
echo "DIRTYSCOPE-VM-EXIT rc=$rc"
off

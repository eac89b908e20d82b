#!/bin/sh
# vfio-bind.sh VENDOR:DEVICE: bind the one PCI device with that ID to
# vfio-pci (driver_override + drivers_probe, unbinding its driver first) and
# print its VFIO group device, e.g. /dev/vfio/1. For the testbed VM and real
# machines alike. Idempotent: a device already on vfio-pci is left as it is.
# Exit 0 on success, 1 on failure, 2 on bad usage; errors are one line.
set -u

die() {
	echo "vfio-bind: $*" >&2
	exit 1
}

# put VALUE FILE: write to a sysfs file, the shell's own message silenced.
put() {
	{ printf '%s\n' "$1" >"$2"; } 2>/dev/null
}

if [ $# -ne 1 ] || ! echo "$1" | grep -Eqi '^[0-9a-f]{4}:[0-9a-f]{4}$'; then
	echo "vfio-bind: usage: vfio-bind.sh VENDOR:DEVICE (hex, e.g. 1234:11e8)" >&2
	exit 2
fi
want_vendor=0x$(echo "${1%%:*}" | tr 'A-F' 'a-f')
want_device=0x$(echo "${1##*:}" | tr 'A-F' 'a-f')

sys=/sys/bus/pci
found=
for d in "$sys"/devices/*; do
	[ -f "$d/vendor" ] || continue
	[ "$(cat "$d/vendor")" = "$want_vendor" ] || continue
	[ "$(cat "$d/device")" = "$want_device" ] || continue
	[ -z "$found" ] || die "more than one PCI device $1 ($(basename "$found"), $(basename "$d")): bind one by hand"
	found=$d
done
[ -n "$found" ] || die "no PCI device $1"
bdf=$(basename "$found")

[ -e "$found/iommu_group" ] ||
	die "$bdf has no IOMMU group (is the IOMMU on, e.g. intel_iommu=on?)"
group=$(basename "$(readlink "$found/iommu_group")")

if [ ! -d "$sys/drivers/vfio-pci" ]; then
	modprobe vfio-pci 2>/dev/null
	[ -d "$sys/drivers/vfio-pci" ] || die "no vfio-pci driver (CONFIG_VFIO_PCI)"
fi

driver() {
	[ -e "$found/driver" ] && basename "$(readlink "$found/driver")"
}

cur=$(driver)
if [ "$cur" != vfio-pci ]; then
	put vfio-pci "$found/driver_override" ||
		die "cannot set driver_override of $bdf (not root?)"
	if [ -n "$cur" ]; then
		put "$bdf" "$found/driver/unbind" || die "cannot unbind $bdf from $cur"
	fi
	put "$bdf" "$sys/drivers_probe"
	[ "$(driver)" = vfio-pci ] ||
		die "vfio-pci did not bind $bdf (driver now: $(driver || echo none))"
fi

# devtmpfs creates the node at once; udev on a real machine may lag.
i=0
while [ ! -c "/dev/vfio/$group" ]; do
	i=$((i + 1))
	[ $i -le 100 ] || die "/dev/vfio/$group did not appear for $bdf"
	sleep 0.1
done
echo "/dev/vfio/$group"

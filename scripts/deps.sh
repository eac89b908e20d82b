#!/usr/bin/env bash
# Install every Debian package dirtyscope needs to build, test and run its
# testbed. Idempotent: packages already present are not touched.
set -euo pipefail

PKGS=(
	# build: BPF objects, skeletons, the binary
	make gcc clang llvm pkg-config bpftool libbpf-dev libelf-dev zlib1g-dev
	# unit tests; ASan/UBSan come with gcc, libFuzzer (make fuzz) with
	# clang's runtime
	libcmocka-dev libclang-rt-14-dev
	# tests: an independent JSON and XML parser
	python3
	# testbed kernel build; kmod: depmod for the modular kernels' modules.dep
	# (testbed-kernel.sh 7.x, stock-kernel.sh), modprobe/lsmod in the guest
	bc bison flex libssl-dev dwarves cpio xz-utils kmod
	# testbed VM
	qemu-system-x86 busybox-static
	# testbed QEMU with dirty-tracking VT-d, built from Debian's source
	# (scripts/testbed-qemu.sh)
	patch meson ninja-build libglib2.0-dev libpixman-1-dev libcap-ng-dev
	libattr1-dev libfdt-dev
	# dirtyscope plot
	gnuplot-nox
	# formatting check
	clang-format
	# make bench-self: the per-event comparison (the guest runs the host's)
	bpftrace jq
	# tests: Prometheus scraping trace --metrics, promtool check metrics
	prometheus
)

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: must run as root (apt-get install)" >&2
	exit 1
fi

# Where the guest mounts its kernel's module tree (vm-init.sh): the host
# root is shared read-only, so the mount point has to exist on the host. A
# machine without an installed kernel (a container) has none.
mkdir -p /lib/modules

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get -qq update >/tmp/dirtyscope-apt.log 2>&1 ||
	! apt-get -qq install -y --no-install-recommends "${missing[@]}" \
		>>/tmp/dirtyscope-apt.log 2>&1; then
	echo "deps.sh: apt-get failed, see /tmp/dirtyscope-apt.log" >&2
	tail -n 5 /tmp/dirtyscope-apt.log >&2
	exit 1
fi

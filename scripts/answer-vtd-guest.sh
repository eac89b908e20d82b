#!/bin/sh
# answer-vtd-guest.sh ARGS...: the guest side of scripts/answer-vtd.sh, in
# the vtd-dirty profile: bind edu to vfio-pci, run bench on the iommufd
# backend with ARGS, print its sweep.csv rows prefixed with "SWEEP ".
set -eu
scripts/vfio-bind.sh 1234:11e8 >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
./dirtyscope bench --backend iommufd --device /dev/vfio/devices/vfio0 \
	--csv "$out/bench" "$@" >&2
sed 's/^/SWEEP /' "$out/bench/sweep.csv"

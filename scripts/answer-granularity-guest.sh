#!/bin/sh
# answer-granularity-guest.sh BACKEND SIZE_MB ARGS...: the guest side of
# scripts/answer-granularity.sh: reserve the 2 MiB hugetlb pages the buffer
# needs, run bench on BACKEND once per backing (4k, thp, hugetlb-2m) with
# ARGS, print each runs.csv's rows prefixed with "RUNS ", give the pages
# back.
set -eu
backend=$1 size_mb=$2
shift 2
pool=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
dev=
if [ "$backend" = iommufd ]; then
	scripts/vfio-bind.sh 1234:11e8 >/dev/null
	dev="--device /dev/vfio/devices/vfio0"
fi
out=$(mktemp -d)
trap 'echo 0 >$pool; rm -rf "$out"' EXIT
echo $((size_mb / 2)) >$pool
first=1
for backing in 4k thp hugetlb-2m; do
	# shellcheck disable=SC2086 # $dev is two words or none
	./dirtyscope bench --backend "$backend" $dev --size "${size_mb}M" \
		--backing "$backing" --csv "$out/$backing" "$@" >&2
	if [ $first = 1 ]; then
		sed -n '1s/^/RUNS /p' "$out/$backing/runs.csv"
		first=0
	fi
	sed -n '2,$s/^/RUNS /p' "$out/$backing/runs.csv"
done

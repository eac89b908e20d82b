#!/bin/sh
# bench-self-vtd-guest.sh: the vtd-dirty part of `make bench-self` (run by
# scripts/bench-self.sh through vm-run.sh, as root in the vtd-dirty
# testbed): the real Intel driver's dirty reads, untraced and traced.
# bench drives edu's DMA into a dirty-tracked mapping on the iommufd
# backend (the same pages each round, --schedule) with the profiler off
# (--no-trace); beside it runs nothing, `trace`, `trace --iopte-stats`,
# `trace --bitmap-analysis` or, as the floor of any per-IOPTE probe,
# bpftrace counting iova_bitmap_set calls (one per-CPU add), $runs runs of
# each, every one of them between two untraced runs (plain, trace, plain,
# iopte, plain, ... plain). A run's auto strategy times read-and-clear
# syncs and its manual strategy NO_CLEAR syncs. A traced run's ratio is
# the median of its reads over the mean of the medians of the untraced
# runs before and after it: the host's speed drifts over minutes, which
# pooling all runs of a mode would count as the tracer's cost. A mode's
# ratio is the median of its runs' ratios; its ms rows the median of all
# its reads.
# Prints "ROW section,metric,value,unit,notes" lines as bench-self-guest.sh.
# shellcheck disable=SC2086
set -eu
cd "$(dirname "$0")/.."

ds=./dirtyscope
runs=${DIRTYSCOPE_BENCH_SELF_RUNS:-15}
size=${DIRTYSCOPE_BENCH_SELF_VTD_SIZE:-64M}
modes="plain trace iopte analysis floor"
# Before each of the 6 rounds' syncs edu writes the same 2000 pages: every
# read from round 2 on reads exactly 2000 dirty pages, in every mode.
dirty=${DIRTYSCOPE_BENCH_SELF_VTD_DIRTY:-2000}
sched=$(awk -v n="$dirty" 'BEGIN { for (r = 1; r <= 6; r++)
	printf "%s%d@sync:0-%d", (r > 1 ? ";" : ""), r, n - 1 }')
tmp=$(mktemp -d)
. scripts/bench-self-lib.sh
tracer=
bt=

cleanup() {
	[ -z "$bt" ] || kill -INT "$bt" 2>/dev/null || true
	[ -z "$tracer" ] || kill -INT "$tracer" 2>/dev/null || true
	[ -z "$tracer" ] || wait "$tracer" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# sync_ms STRATEGY: the run's whole-range reads of exactly $dirty dirty
# pages, ms, one a line: rounds 2 on, each one read (rounds.csv: round 1's
# read is the first after tracking starts, the last round's two reads
# include an empty one, and runs.csv's percentiles are log-linear buckets,
# 3 % wide, too coarse for a 5 % bound)
sync_ms() {
	awk -F, -v st="$1" -v d="$dirty" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["strategy"] == st && $c["round"] >= 2 && $c["syncs"] == 1 &&
		$c["dirty_reported"] == d { printf "%.3f\n", $c["sync_ns"] / 1e6 }' \
		"$tmp/bench/rounds.csv"
}

scripts/vfio-bind.sh 1234:11e8 >/dev/null
# edu's page writes per second through the IOMMU, flat out (the issue's
# floor for the DMA engine: 10 000); it checks that every page it wrote
# read back dirty.
dma=$(build/tests/bench_dma_rate /dev/vfio/devices/vfio0 "${size%M}")
echo "vtd-dirty: $dma"
row vtd dma_pages_per_s "$(echo "$dma" | sed -n 's/.*pages_per_s=\([0-9]*\).*/\1/p')" \
	pages/s "edu DMAing 8 bytes into each page of $size, dirty tracking on, untraced (target >= 10000)"
for mode in $modes; do
	: >"$tmp/$mode.clear"
	: >"$tmp/$mode.noclear"
	: >"$tmp/$mode.runs"
done

# bench_run MODE: one bench run beside MODE; its reads go to the mode's
# files, and "MODE CLEAR_MEDIAN NOCLEAR_MEDIAN" to $tmp/order
bench_run() {
	case $1 in
	trace) trace_start "$tmp/trace" ;;
	iopte) trace_start "$tmp/trace" --iopte-stats ;;
	analysis) trace_start "$tmp/trace" --bitmap-analysis ;;
	floor) bt_start 'kfunc:iova_bitmap_set { @calls = count(); }' ;;
	esac
	rm -rf "$tmp/bench"
	$ds bench --backend iommufd --device /dev/vfio/devices/vfio0 \
		--no-trace --size "$size" --rate 0 --schedule "$sched" \
		--downtime 0 --max-rounds 6 --bandwidth 4G \
		--csv "$tmp/bench" >/dev/null
	case $1 in
	floor) bt_stop ;;
	plain) ;;
	*) trace_stop ;;
	esac
	# The schedule makes rounds 2-5 read exactly $dirty pages once:
	# fewer means the write log and the device disagreed.
	for st in auto manual; do
		if [ "$(sync_ms $st | wc -l)" -ne 4 ]; then
			echo "vtd-dirty: FAILED: $1 $i $st: not 4 reads of $dirty pages" >&2
			exit 1
		fi
	done
	sync_ms auto >>"$tmp/$1.clear"
	sync_ms manual >>"$tmp/$1.noclear"
	echo "$1 $(sync_ms auto | median) $(sync_ms manual | median)" >>"$tmp/order"
	echo "vtd-dirty: $1 $i: read-and-clear" \
		"$(sync_ms auto | tr '\n' ' ')ms, NO_CLEAR" \
		"$(sync_ms manual | tr '\n' ' ')ms"
}

: >"$tmp/order"
i=1
while [ $i -le "$runs" ]; do
	for mode in $modes; do
		[ "$mode" = plain ] || { bench_run plain; bench_run "$mode"; }
	done
	i=$((i + 1))
done
bench_run plain
# Each traced run against the untraced runs on either side of it.
awk '$1 == "plain" { if (m != "") printf "%s %.6f %.6f\n", m, c / ((pc + $2) / 2), n / ((pn + $3) / 2) >> (dir "/" m ".runs"); pc = $2; pn = $3; m = ""; next }
	{ m = $1; c = $2; n = $3 }' dir="$tmp" "$tmp/order"
note="median of the reads of $runs bench runs (4 each) per mode, each traced run between two untraced ones; $size; edu DMAs $dirty pages a round"
for mode in $modes; do
	c=$(median <"$tmp/$mode.clear")
	n=$(median <"$tmp/$mode.noclear")
	row vtd "${mode}_clear_ms" "$c" ms "$note; Intel driver read-and-clear"
	row vtd "${mode}_noclear_ms" "$n" ms "$note; Intel driver NO_CLEAR read"
done
for mode in trace iopte analysis floor; do
	c=$(awk '{ print $2 }' "$tmp/$mode.runs" | median)
	n=$(awk '{ print $3 }' "$tmp/$mode.runs" | median)
	cq=$(awk '{ print $2 }' "$tmp/$mode.runs" | quartiles)
	nq=$(awk '{ print $3 }' "$tmp/$mode.runs" | quartiles)
	row vtd "${mode}_clear_ratio" "$(printf '%.3f' "$c")" x \
		"read-and-clear: median over $runs runs of the run / the untraced runs beside it; quartiles $cq ($mode; target <= 1.05)"
	row vtd "${mode}_noclear_ratio" "$(printf '%.3f' "$n")" x \
		"NO_CLEAR read: median over $runs runs of the run / the untraced runs beside it; quartiles $nq ($mode; target <= 1.05)"
done

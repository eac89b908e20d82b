#!/usr/bin/env bash
# soak.sh [MINUTES] (default 30): trace with intervals and --metrics in the
# mock VM beside back-to-back bench runs, then checks what the soak of
# docs/reliability.md promises: trace's RSS and open fds flat after the
# first sample, nothing lost, and trace's dirty reads and pages equal to
# the sum of what the runs did. Writes build/soak/samples.csv. Exit 1 if a
# check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
min=${1:-30}
out=build/soak
mkdir -p "$out"
log=$out/vm.log
scripts/vm-run.sh --profile mock --timeout $((min * 60 + 900)) -- \
	scripts/soak-guest.sh $((min * 60)) >"$log" 2>&1 ||
	{ echo "soak: the VM failed, see $log" >&2; exit 1; }
sed -n 's/^SOAK \(t_s,.*\|[0-9].*\)$/\1/p' "$log" >"$out/samples.csv"
eval "$(sed -n 's/^SOAK \([a-z_]*=[0-9]*\( [a-z_]*=[0-9]*\)*\)$/\1/p' "$log")"
read -r rss0 rss1 fds0 fds1 n < <(awk -F, 'NR > 2 {
	if (!a) { a = $2; f = $3 } b = $2; g = $3; n++ } END { print a, b, f, g, n }' \
	"$out/samples.csv")
echo "soak: $min min, ${bench_runs} bench runs, $intervals intervals, $n samples after the first"
echo "soak: trace RSS $rss0 -> $rss1 KiB, open fds $fds0 -> $fds1"
echo "soak: dirty reads trace $trace_reads / runs $runs_reads, pages trace $trace_pages / runs $runs_pages, lost $lost"
fail=0
[ "$trace_reads" -eq "$runs_reads" ] || { echo "soak: FAIL reads differ" >&2; fail=1; }
[ "$trace_pages" -eq "$runs_pages" ] || { echo "soak: FAIL pages differ" >&2; fail=1; }
[ "$lost" -eq 0 ] || { echo "soak: FAIL events lost" >&2; fail=1; }
[ "$fds0" -eq "$fds1" ] || { echo "soak: FAIL fds grew" >&2; fail=1; }
# Flat: within 1 MiB of the second sample (the first is still warming up).
[ $((rss1 - rss0)) -le 1024 ] || { echo "soak: FAIL RSS grew" >&2; fail=1; }
exit $fail

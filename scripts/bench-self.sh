#!/usr/bin/env bash
# bench-self.sh OUT.csv: the host side of `make bench-self`. Runs the
# bitmap analysis and trace consumer benchmarks on the host,
# scripts/bench-self-guest.sh in the mock testbed VM and
# scripts/bench-self-vtd-guest.sh in the vtd-dirty one, collects one CSV
# (section,metric,value,unit,notes) and prints it as a table. The VM's
# timings are TCG guest timings: read the ratios. Then the VM parts with
# targets once more under -icount (sections *_icount).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-build/bench-self.csv}
tmp=$out.tmp.$$
log=$out.vm.log
trap 'rm -f "$tmp"' EXIT

# Header, then the run's date and machine as rows of their own.
{
	echo "section,metric,value,unit,notes"
	echo "run,date,$(date -u +%Y-%m-%dT%H:%M:%SZ),,UTC"
	echo "run,host_cpus,$(nproc),cpus,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //; s/,/ /g')"
	echo "run,version,$(git describe --always --dirty 2>/dev/null || echo unknown),,"
	echo "run,loadavg_1m,$(cut -d' ' -f1 /proc/loadavg),,at the start: other VMs share the cores"
} >"$tmp"

# 4. Bitmap analysis speed on the host (one core).
echo "bench-self: bitmap analysis on the host"
build/tests/bench_bitmap | tee -a "$tmp"

# 5. The trace consumer's throughput on the host (one line per run on
# stderr, the medians as rows).
echo "bench-self: trace consumer throughput on the host (about a minute)"
build/tests/bench_consumer | tee -a "$tmp"

# 1-3 in one VM session; 4 GiB of guest memory for the 2 GiB mapping.
echo "bench-self: sync cost, perturbation and per-event cost in the mock VM (TCG, 2 vCPUs; a few minutes)"
rc=0
scripts/vm-run.sh --profile mock --mem 4G --timeout 3000 -- \
	scripts/bench-self-guest.sh >"$log" 2>&1 || rc=$?
grep -v '^ROW ' "$log" || true
sed -n 's/^ROW //p' "$log" >>"$tmp"
if [ "$rc" -ne 0 ]; then
	echo "bench-self: the VM part failed (exit $rc); full log in $log" >&2
	exit 1
fi

# 6. The real Intel driver's dirty reads, untraced and traced, in the
# vtd-dirty VM (our QEMU's VT-d, edu's DMA).
echo "bench-self: the Intel driver's dirty reads in the vtd-dirty VM (a few minutes)"
scripts/vm-run.sh --profile vtd-dirty --timeout 3000 -- \
	scripts/bench-self-vtd-guest.sh >"$log" 2>&1 || rc=$?
grep -v '^ROW ' "$log" || true
sed -n 's/^ROW //p' "$log" >>"$tmp"
if [ "$rc" -ne 0 ]; then
	echo "bench-self: the vtd-dirty part failed (exit $rc); full log in $log" >&2
	exit 1
fi

# 7. The parts with targets again, with guest time counted in instructions
# (-icount shift=0: 1 ns each) instead of the host's clock: a ratio then
# is the instructions the tracer adds, the same in every run whatever the
# host does (3 runs each suffice), and a helper call weighs its
# instructions, not TCG's cost of emulating it. Sections *_icount.
echo "bench-self: the same, guest time in instructions (-icount; a few minutes)"
echo "run,icount_shift,0,,sections *_icount: guest time is instructions executed (QEMU -icount shift=0: 1 ns each; one thread runs both vCPUs)" >>"$tmp"
for vm in mock vtd-dirty; do
	if [ $vm = mock ]; then
		args=(--profile mock --mem 4G) guest=scripts/bench-self-guest.sh
	else
		args=(--profile vtd-dirty) guest=scripts/bench-self-vtd-guest.sh
	fi
	DIRTYSCOPE_BENCH_SELF_PARTS="perturbation churn" DIRTYSCOPE_BENCH_SELF_RUNS=3 \
		DIRTYSCOPE_BENCH_SELF_SUFFIX=_icount \
		scripts/vm-run.sh "${args[@]}" --icount 0 --timeout 3000 -- \
		"$guest" >"$log" 2>&1 || rc=$?
	grep -v '^ROW ' "$log" || true
	sed -n 's/^ROW //p' "$log" >>"$tmp"
	if [ "$rc" -ne 0 ]; then
		echo "bench-self: the $vm part under -icount failed (exit $rc); full log in $log" >&2
		exit 1
	fi
done
mv "$tmp" "$out"
trap - EXIT

echo
echo "bench-self summary ($out)"
awk -F, 'NR > 1 {
	notes = $5; for (i = 6; i <= NF; i++) notes = notes "," $i
	if (notes ~ /^".*"$/) {
		notes = substr(notes, 2, length(notes) - 2)
		gsub(/""/, "\"", notes)
	}
	printf "%-13s %-28s %12s %-6s %s\n", $1, $2, $3, $4, notes }' "$out"

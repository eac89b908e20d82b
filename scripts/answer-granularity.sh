#!/usr/bin/env bash
# answer-granularity.sh [OUTDIR]: how much do huge IOPTEs add to what a
# migration sends, beside the auto/manual difference? bench with the
# buffer on 4 KiB pages, transparent huge pages and 2 MiB hugetlb pages, on
# the mock of each testbed kernel and on the emulated dirty-tracking VT-d
# (edu DMAing), the same workload everywhere. Writes OUTDIR/granularity.csv
# (runs.csv's columns after target and kernel) and OUTDIR/granularity.md
# (means per target, backing and strategy). A benchmark, not a test: about
# 10 minutes on 2 cores (measured 9 min beside a CI run).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-build/answer}
size_mb=64
bench=(--workload hotcold --rate 5000 --bandwidth 128M --chunk 16M
	--downtime 0.02 --max-rounds 10 --repeat "${ANSWER_REPEAT:-3}")
# target: profile, kernel, backend
targets=${ANSWER_TARGETS:-"mock:6.12:mock mock:7.3:mock vtd-dirty:6.12:iommufd"}
mkdir -p "$out"
tmp=$out/granularity.csv.tmp
trap 'rm -f "$tmp"' EXIT
first=1
for t in $targets; do
	IFS=: read -r profile kernel backend <<<"$t"
	echo "answer-granularity: $profile on $kernel" >&2
	log=$out/granularity-$profile-$kernel.log
	if ! scripts/vm-run.sh --profile "$profile" --kernel-version "$kernel" \
		--mem 2G --timeout 3000 -- scripts/answer-granularity-guest.sh \
		"$backend" "$size_mb" "${bench[@]}" >"$log" 2>&1; then
		echo "answer-granularity: the $profile VM on $kernel failed, see $log" >&2
		exit 1
	fi
	if [ $first = 1 ]; then
		sed -n 's/^RUNS //p' "$log" | head -n 1 | sed 's/^/target,kernel,/' >"$tmp"
		first=0
	fi
	sed -n 's/^RUNS //p' "$log" | tail -n +2 | sed "s/^/$profile,$kernel,/" >>"$tmp"
done
mv "$tmp" "$out/granularity.csv"
trap - EXIT

# Means per target, kernel, backing and strategy.
awk -F, '
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
{
	k = $c["target"] " " $c["kernel"] SUBSEP $c["backing"] SUBSEP $c["strategy"]
	if (!(k in n)) keys[nk++] = k
	n[k]++
	sent[k] += $c["pages_sent"]; red[k] += $c["pages_redundant"]
	gran[k] += $c["pages_granularity"]; amp[k] += $c["amplification"]
	mig[k] += $c["migration_ns"]; rounds[k] += $c["rounds"]
	inv[k] += $c["iotlb_invalidations"]
}
END {
	print "| target | backing | strategy | rounds | pages sent | redundant % | of it granularity % | amplification | migration ms | IOTLB inv. |"
	print "|---|---|---|---|---|---|---|---|---|---|"
	for (i = 0; i < nk; i++) {
		k = keys[i]
		split(k, p, SUBSEP)
		m = n[k]
		printf "| %s | %s | %s | %.1f | %.0f | %.1f | %.1f | %.2f | %.0f | %.0f |\n",
			p[1], p[2], p[3], rounds[k] / m, sent[k] / m,
			100 * red[k] / sent[k], red[k] ? 100 * gran[k] / red[k] : 0,
			amp[k] / m, mig[k] / m / 1e6, inv[k] / m
	}
}' "$out/granularity.csv" >"$out/granularity.md"
cat "$out/granularity.md"
echo "answer-granularity: $out/granularity.csv, $out/granularity.md" >&2

#!/usr/bin/env bash
# answer-vtd.sh [OUTDIR]: does manual clear pay off on the emulated
# dirty-tracking VT-d? One testbed VM per IOTLB invalidation latency
# (x-inv-latency-ns: 0, 1, 10, 100, 1000 us), in each a bench sweep over the
# clear chunk (1M, 16M, 128M, the whole 256M) on the iommufd backend, edu
# DMAing the hotcold workload. Writes OUTDIR/answer.csv (sweep.csv's
# columns after latency_ns), OUTDIR/answer.md (the table) and
# OUTDIR/breakeven.png (manual's change in migration time against the
# latency, one line per chunk; latency 0 drawn at 0.7 us, labelled 0; a
# point above +10 % drawn at the top edge, its value written beside it).
# A benchmark, not a test: 8 minutes on 2 cores (measured 2026-12-06).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-build/answer}
latencies=${ANSWER_LATENCIES:-0 1000 10000 100000 1000000}
bench=(--size 256M --workload hotcold --rate 10000 --bandwidth 128M
	--downtime 0.02 --max-rounds 10 --repeat "${ANSWER_REPEAT:-3}"
	--sweep chunk=1M,16M,128M,256M)
mkdir -p "$out"
# ANSWER_TABLES_ONLY=1: remake the tables and the plot from answer.csv.
[ "${ANSWER_TABLES_ONLY:-0}" = 1 ] && latencies=
tmp=$out/answer.csv.tmp
trap 'rm -f "$tmp"' EXIT
first=1
for lat in $latencies; do
	echo "answer-vtd: invalidation latency $lat ns" >&2
	log=$out/vm-$lat.log
	if ! scripts/vm-run.sh --profile vtd-dirty --inv-latency "$lat" \
		--mem 2G --timeout 3000 -- scripts/answer-vtd-guest.sh \
		"${bench[@]}" >"$log" 2>&1; then
		echo "answer-vtd: the VM at $lat ns failed, see $log" >&2
		exit 1
	fi
	if [ $first = 1 ]; then
		sed -n 's/^SWEEP //p' "$log" | head -n 1 | sed 's/^/latency_ns,/' >"$tmp"
		first=0
	fi
	sed -n 's/^SWEEP //p' "$log" | tail -n +2 | sed "s/^/$lat,/" >>"$tmp"
done
[ -z "$latencies" ] || mv "$tmp" "$out/answer.csv"
rm -f "$tmp"
trap - EXIT

# The table: per latency and chunk, auto against manual on one row (the
# README's), with the device's achieved write rate.
awk -F, '
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
{
	k = $c["latency_ns"] SUBSEP $c["value"]
	if (!(k in seen)) { seen[k] = 1; keys[n++] = k }
	for (f in c) v[k, $c["strategy"], f] = $c[f]
}
END {
	print "| inv. latency | chunk | pages sent auto / manual | redundant % auto / manual | migration ms auto / manual (± 95 % CI) | manual vs auto | clear calls | IOTLB inv. auto / manual | IOTLB inv. ms auto / manual | device writes/s |"
	print "|---|---|---|---|---|---|---|---|---|---|"
	for (i = 0; i < n; i++) {
		k = keys[i]
		split(k, p, SUBSEP)
		a = v[k, "auto", "migration_ns"]
		m = v[k, "manual", "migration_ns"]
		w = (v[k, "auto", "writes"] + v[k, "manual", "writes"]) / ((a + m) / 1e9)
		printf "| %g us | %g MiB | %.0f / %.0f | %.2f / %.2f | %.0f ± %.0f / %.0f ± %.0f | %+.1f %% | %.0f | %.0f / %.0f | %.1f / %.1f | %.0f |\n",
			p[1] / 1000, p[2] / 1048576,
			v[k, "auto", "pages_sent"], v[k, "manual", "pages_sent"],
			v[k, "auto", "redundant_pct"], v[k, "manual", "redundant_pct"],
			a / 1e6, v[k, "auto", "migration_ns_ci95"] / 1e6,
			m / 1e6, v[k, "manual", "migration_ns_ci95"] / 1e6,
			(m - a) / a * 100, v[k, "manual", "clear_calls"],
			v[k, "auto", "iotlb_invalidations"],
			v[k, "manual", "iotlb_invalidations"],
			v[k, "auto", "iotlb_ns"] / 1e6, v[k, "manual", "iotlb_ns"] / 1e6, w
	}
}' "$out/answer.csv" >"$out/answer.md"

# Break-even, bracketed by the measured latencies: the last at which
# manual clear finished sooner than auto, and the first above it at which
# it finished later. (Manual's saving at no invalidation cost is a few
# percent, as wide as the runs' spread, so no extrapolation from one
# point.)
{
	echo
	echo "| chunk | manual sooner at | manual later at | break-even latency |"
	echo "|---|---|---|---|"
	awk -F, '
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ m[$c["latency_ns"], $c["value"], $c["strategy"]] = $c["migration_ns"]
	  lat[$c["latency_ns"]] = 1; ch[$c["value"]] = 1 }
	END {
		nl = 0
		for (l in lat) ls[nl++] = l + 0
		for (i = 0; i < nl; i++)	# sort the latencies
			for (j = i + 1; j < nl; j++)
				if (ls[j] < ls[i]) { t = ls[i]; ls[i] = ls[j]; ls[j] = t }
		for (x in ch) {
			sooner = later = ""; last = -1
			for (i = 0; i < nl; i++) {
				d = m[ls[i], x, "manual"] - m[ls[i], x, "auto"]
				if (d < 0) { sooner = sooner " " ls[i] / 1000; last = i }
				else later = later " " ls[i] / 1000
			}
			if (last < 0) be = "never sooner"
			else if (last == nl - 1) be = "above " ls[last] / 1000 " us"
			else be = "between " ls[last] / 1000 " and " ls[last + 1] / 1000 " us"
			printf "%d | %d MiB | %s | %s | %s |\n", x, x / 1048576,
				sooner == "" ? "-" : sooner " us",
				later == "" ? "-" : later " us", be
		}
	}' "$out/answer.csv" | sort -n | sed 's/^[0-9]* | /| /'
} >>"$out/answer.md"

# Break-even at a glance: below zero manual clear finishes sooner.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ m[$c["latency_ns"], $c["value"], $c["strategy"]] = $c["migration_ns"]
	  lat[$c["latency_ns"]] = 1; ch[$c["value"]] = 1 }
	END { for (x in ch) for (l in lat)
		printf "%s %s %.3f\n", x, l / 1000,
			(m[l, x, "manual"] - m[l, x, "auto"]) / m[l, x, "auto"] * 100 }' \
	"$out/answer.csv" | sort -n -k1,1 -k2,2 >"$out/breakeven.dat"
gnuplot <<GP
set terminal pngcairo size 800,480
set output "$out/breakeven.png"
set title "Manual clear against auto clear, emulated VT-d, 256 MiB, hotcold at 10k pages/s"
set xlabel "IOTLB invalidation latency (us)"
set ylabel "manual's change in migration time (%)"
set logscale x
set xrange [0.5:2000]
set xtics add ("0" 0.7)
set grid
set key outside right
set arrow from graph 0, first 0 to graph 1, first 0 nohead lw 2 dt 2 lc rgb "black"
# A run that stops converging (+90 % and more) would flatten the rest.
set yrange [-5:10]
set label "below the dashed line manual clear finishes sooner" at graph 0.02, first -4.3 font ",9"
# A point beyond the top is drawn at the edge with its value beside it.
plot for [ch in "1048576 16777216 134217728 268435456"] \
	"< awk '\$1 == ".ch." { print (\$2 > 0 ? \$2 : 0.7), (\$3 > 10 ? 10 : \$3) }' $out/breakeven.dat" \
	using 1:2 with linespoints lw 2 title sprintf("chunk %d MiB", ch / 1048576), \
	"< awk '\$3 > 10 { printf \"%s %s +%.0f%%\\\\n\", (\$2 > 0 ? \$2 : 0.7), 10, \$3 }' $out/breakeven.dat" \
	using 1:2:3 with labels offset -3,-0.8 font ",9" notitle
GP
cat "$out/answer.md"
echo "answer-vtd: $out/answer.csv, $out/answer.md, $out/breakeven.png" >&2

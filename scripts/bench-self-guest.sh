#!/bin/sh
# bench-self-guest.sh: the VM side of `make bench-self` (run by
# scripts/bench-self.sh through vm-run.sh, as root in the mock testbed).
# Prints one "ROW section,metric,value,unit,notes" line per measurement;
# everything else it prints is progress. Writes only to /tmp.
# The per-mode medians are set through eval (plain_nc, trace_rc, ...);
# "set -- $line" splits on purpose.
# shellcheck disable=SC2154,SC2086
set -eu
cd "$(dirname "$0")/.."

ds=./dirtyscope
# vm-run.sh passes DIRTYSCOPE_* variables into the guest.
runs=${DIRTYSCOPE_BENCH_SELF_RUNS:-10}
perturb_size=${DIRTYSCOPE_BENCH_SELF_SIZE:-64M}
# rounds per perturbation run: each is one NO_CLEAR read and one clear
perturb_rounds=${DIRTYSCOPE_BENCH_SELF_ROUNDS:-3}
# perturbation first: the most sensitive part, on a guest nothing else has
# run in yet.
parts=${DIRTYSCOPE_BENCH_SELF_PARTS:-perturbation sync_sizes bench_sizes per_event churn}
# map/unmap pairs per churn run (about 0.7 s untraced in the TCG guest)
churn_iterations=${DIRTYSCOPE_BENCH_SELF_CHURN_ITERATIONS:-20000}
tmp=$(mktemp -d)
. scripts/bench-self-lib.sh

# mock_run OUT SIZE [ROUNDS]: one mock-dirty run; OUT gets its output plus
# its wall time ("wall US", date +%s%N).
mock_run() {
	t0=$(date +%s%N)
	$ds mock-dirty --size "$2" --rounds "${3:-1}" >"$1"
	t1=$(date +%s%N)
	echo "wall $(((t1 - t0) / 1000)) us" >>"$1"
}

# field OUT WHAT: the ms of the read line WHAT ("read NO_CLEAR", ...)
field() {
	awk -v w="$2" 'index($0, w) == 1 { print $(NF - 1) }' "$1"
}

wall_ms() {
	awk '$1 == "wall" { printf "%.3f", $2 / 1000 }' "$1"
}



# summary.csv column COL of operation OP
summary_col() {
	awk -F, -v op="$2" -v col="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$1 == op { print $c[col] }' "$1/summary.csv"
}

# 1. Sync cost against mapped size, dirty density 1/7 (mock-dirty's
# default), mock aperture [16 MiB, 2 GiB).
sync_sizes() {
	for s in 64M 256M 1G 2016M; do
		mock_run "$tmp/sync.out" "$s"
		nc=$(field "$tmp/sync.out" "read NO_CLEAR")
		rc=$(field "$tmp/sync.out" "read and clear")
		gib=$(awk -v s="$s" 'BEGIN {
			n = s + 0; u = substr(s, length(s));
			print (u == "G" ? n : n / 1024) }')
		echo "sync $s: NO_CLEAR $nc ms, read-and-clear $rc ms"
		row sync "noclear_ms_$s" "$nc" ms "one GET_DIRTY_BITMAP NO_CLEAR; 1/7 dirty"
		row sync "clear_ms_$s" "$rc" ms "one read-and-clear; 1/7 dirty"
		row sync "noclear_ms_per_gib_$s" \
			"$(awk -v t="$nc" -v g="$gib" 'BEGIN { printf "%.3f", t / g }')" \
			ms/GiB "NO_CLEAR ms / GiB mapped"
		row sync "clear_ms_per_gib_$s" \
			"$(awk -v t="$rc" -v g="$gib" 'BEGIN { printf "%.3f", t / g }')" \
			ms/GiB "read-and-clear ms / GiB mapped"
		row sync "wall_ms_$s" "$(wall_ms "$tmp/sync.out")" ms \
			"whole mock-dirty run (map; write; 3 reads; unmap)"
	done
}

# 1b. The whole bench against mapped size, up to the full mock aperture
# (2032 MiB = [16 MiB, 2 GiB)): one run per strategy, the device writing
# 20000 pages/s, untraced. Rows: the median whole-range sync of each
# strategy, per size and per GiB, and the migration time.
bench_sizes() {
	for s in 64M 256M 1G 2032M; do
		d=$tmp/bench-$s
		$ds bench --no-trace --size "$s" --bandwidth 4G --rate 20000 \
			--csv "$d" >"$tmp/bench.out"
		gib=$(awk -v s="$s" 'BEGIN {
			n = s + 0; u = substr(s, length(s));
			print (u == "G" ? n : n / 1024) }')
		for st in auto manual; do
			set -- $(awk -F, -v st="$st" 'NR == 1 {
				for (i = 1; i <= NF; i++) c[$i] = i; next }
				$c["strategy"] == st {
				print $c["sync_ns_p50"] / 1e6, $c["migration_ns"] / 1e6,
					$c["rounds"] }' "$d/runs.csv")
			echo "bench $s $st: sync p50 $1 ms, migration $2 ms, $3 rounds"
			row bench "${st}_sync_ms_$s" "$1" ms \
				"bench --size $s, median whole-range sync; rate 20000/s"
			row bench "${st}_sync_ms_per_gib_$s" \
				"$(awk -v t="$1" -v g="$gib" 'BEGIN { printf "%.3f", t / g }')" \
				ms/GiB "median sync ms / GiB mapped"
			row bench "${st}_migration_ms_$s" "$2" ms \
				"modelled migration, 4 GiB/s link; $3 rounds"
		done
	done
}

# 2. Perturbation: mock-dirty alone, under trace, under trace
# --iopte-stats, under trace --bitmap-analysis, alternating, $runs each
# (DIRTYSCOPE_BENCH_SELF_MODES: a subset, plain first). Every mode runs a
# small mock-dirty first and then the measured one: the first dirty read
# after an attach pays a one-time cost (about 1 ms in the TCG guest),
# which the mode `cold` (trace, no warm-up) measures on its own. The
# warm-up is the same size: --bitmap-analysis follows the hwpt number,
# which every fresh iommufd context hands out the same.
modes=${DIRTYSCOPE_BENCH_SELF_MODES:-plain trace iopte analysis cold}
warm_up() {
	$ds mock-dirty --size "$perturb_size" --rounds 1 >/dev/null
}
perturbation() {
	for mode in $modes; do
		: >"$tmp/$mode.nc"
		: >"$tmp/$mode.rc"
		: >"$tmp/$mode.wall"
		: >"$tmp/$mode.first"
	done
	i=1
	while [ $i -le "$runs" ]; do
		for mode in $modes; do
			out=$tmp/p.out
			case $mode in
			plain)
				warm_up
				mock_run "$out" "$perturb_size" "$perturb_rounds"
				;;
			trace)
				trace_start "$tmp/tr$i"
				warm_up
				mock_run "$out" "$perturb_size" "$perturb_rounds"
				trace_stop
				;;
			iopte)
				trace_start "$tmp/io$i" --iopte-stats
				warm_up
				mock_run "$out" "$perturb_size" "$perturb_rounds"
				trace_stop
				;;
			analysis)
				trace_start "$tmp/an$i" --bitmap-analysis
				warm_up
				mock_run "$out" "$perturb_size" "$perturb_rounds"
				trace_stop
				;;
			cold)
				trace_start "$tmp/co$i"
				mock_run "$out" "$perturb_size" "$perturb_rounds"
				trace_stop
				;;
			esac
			field "$out" "read NO_CLEAR" >>"$tmp/$mode.nc"
			field "$out" "read NO_CLEAR" | head -n 1 >>"$tmp/$mode.first"
			field "$out" "read and clear" >>"$tmp/$mode.rc"
			wall_ms "$out" >>"$tmp/$mode.wall"
			echo >>"$tmp/$mode.wall"
			echo "perturbation: $mode $i: NO_CLEAR" \
				"$(field "$out" "read NO_CLEAR" | tr '\n' ' ')ms, clear" \
				"$(field "$out" "read and clear" | tr '\n' ' ')ms"
		done
		echo "perturbation: round $i of $runs done"
		i=$((i + 1))
	done
	for mode in $modes; do
		for m in nc rc wall first; do
			eval "${mode}_$m=\$(grep . \"\$tmp/$mode.$m\" | median)"
		done
	done
	note="median of $runs alternating runs x $perturb_rounds reads; $perturb_size; 1/7 dirty"
	run_note="median of $runs alternating runs; $perturb_size; $perturb_rounds rounds; whole mock-dirty run"
	for mode in $modes; do
		eval "nc=\$${mode}_nc rc=\$${mode}_rc wall=\$${mode}_wall"
		echo "perturbation $mode: NO_CLEAR $nc ms, clear $rc ms, run $wall ms"
		row perturbation "${mode}_noclear_ms" "$nc" ms "$note"
		row perturbation "${mode}_clear_ms" "$rc" ms "$note"
		row perturbation "${mode}_run_ms" "$wall" ms "$run_note"
	done
	for mode in $modes; do
		[ "$mode" != plain ] || continue
		eval "nc=\$${mode}_nc rc=\$${mode}_rc wall=\$${mode}_wall"
		row perturbation "${mode}_noclear_ratio" "$(ratio "$nc" "$plain_nc")" x \
			"median NO_CLEAR read: $mode / untraced"
		row perturbation "${mode}_clear_ratio" "$(ratio "$rc" "$plain_rc")" x \
			"median read-and-clear: $mode / untraced"
		row perturbation "${mode}_run_ratio" "$(ratio "$wall" "$plain_wall")" x \
			"median whole run (map-dominated): $mode / untraced"
	done
	case " $modes " in
	*" cold "*)
		row perturbation cold_first_noclear_ms "$cold_first" ms \
			"median of $runs: the first NO_CLEAR read after trace attached"
		row perturbation plain_first_noclear_ms "$plain_first" ms \
			"median of $runs: the first NO_CLEAR read of an untraced run"
		row perturbation cold_first_noclear_ratio \
			"$(ratio "$cold_first" "$plain_first")" x \
			"first read after attach / first untraced read: the one-time cost"
		;;
	esac
}

# 3. Per-event cost from the kernel's BPF run-time statistics: dirtyscope
# trace and bpftrace attached together to the same events of one run.
# At iommu:map both tools count, sum, keep the max and a histogram of the
# size (bpftrace's hist() is log2, dirtyscope's log-linear). At
# iova_bitmap_set (trace --iopte-stats) both count the calls and, per
# thread, the records and the bytes they cover (dirtyscope keeps these per
# dirty read in its per-thread state).
bt_prog='tracepoint:iommu:map { @n = count(); @b = sum(args->size);
	@m = max(args->size); @h = hist(args->size); }
kfunc:iova_bitmap_set { @calls = count(); @rec[tid] = count();
	@bytes[tid] = sum(args->length); }'

bt_map_prog='tracepoint:iommu:map { @n = count(); @b = sum(args->size);
	@m = max(args->size); @h = hist(args->size); }'

per_event() {
	sysctl -q -w kernel.bpf_stats_enabled=1
	bt_start "$bt_prog"
	trace_start "$tmp/pe" --iopte-stats --call-latency
	$ds mock-dirty --size "$perturb_size" --rounds 3 >/dev/null
	bpftool -j prog show >"$tmp/progs.json"
	trace_stop
	bt_stop
	sysctl -q -w kernel.bpf_stats_enabled=0
	# kernel time in iommu_map() and the bytes it mapped (--call-latency)
	row per_event map_gib_per_s "$(awk \
		-v ns="$(summary_col "$tmp/pe" map_call lat_sum_ns)" \
		-v b="$(summary_col "$tmp/pe" map_call bytes)" \
		'BEGIN { if (ns > 0) printf "%.4f", b / 1073741824 / (ns / 1e9) }')" \
		GiB/s "bytes mapped / time in iommu_map() from trace --call-latency map_call lat_sum_ns; one mock-dirty run, bpf_stats on"
	# name type run_cnt run_time_ns, for programs that ran
	jq -r '.[] | select(.run_cnt != null and .run_cnt > 0) |
		"\(.name) \(.type) \(.run_cnt) \(.run_time_ns)"' \
		"$tmp/progs.json" >"$tmp/progs.txt"
	echo "programs that ran (name type run_cnt run_time_ns):"
	cat "$tmp/progs.txt"
	for p in iommu_map_tp bitmap_set get_dirty_enter get_dirty_exit; do
		ns_event "$p" "dirtyscope $p"
	done
	# bpftrace names its programs after the probe: tracepoint:iommu:map
	# becomes a "tracepoint" program named "iommu:map" or similar, the
	# kfunc a "tracing" program; bpftool keeps 15 characters.
	bt_map=$(awk '$2 == "tracepoint" && $1 ~ /map/ { print $1; exit }' "$tmp/progs.txt")
	bt_set=$(awk '$2 == "tracing" && $1 ~ /iova_bitmap_set|kfunc/ { print $1; exit }' "$tmp/progs.txt")
	ns_event "$bt_map" "bpftrace tracepoint:iommu:map (count+sum+max+hist)" bpftrace_map
	ns_event "$bt_set" "bpftrace kfunc:iova_bitmap_set (count; count+sum by tid)" bpftrace_bitmap_set
	for pair in "iommu_map_tp bpftrace_map" "bitmap_set bpftrace_bitmap_set"; do
		set -- $pair
		a=$(cat "$tmp/ns.$1" 2>/dev/null || true)
		b=$(cat "$tmp/ns.$2" 2>/dev/null || true)
		if [ -z "$a" ] || [ -z "$b" ]; then
			continue
		fi
		row per_event "ratio_$1" "$(ratio "$a" "$b")" x \
			"dirtyscope ns/event / bpftrace ns/event, same events (target <= 0.5)"
	done
}

# ns_event PROG NOTE [KEY]: ns per run of a program from progs.txt
ns_event() {
	key=${3:-$1}
	what=$2
	line=$(awk -v n="$1" '$1 == n { print; exit }' "$tmp/progs.txt")
	if [ -z "$1" ] || [ -z "$line" ]; then
		echo "per-event: no program found for $2"
		row per_event "ns_$key" "" ns "$2: program not found in bpftool output"
		return
	fi
	set -- $line
	v=$(awk -v c="$3" -v t="$4" 'BEGIN { printf "%.1f", t / c }')
	echo "$v" >"$tmp/ns.$key"
	echo "per-event: $key ($1, $2): $3 runs, $v ns/run"
	row per_event "ns_$key" "$v" ns "$what: run_time_ns/run_cnt over $3 runs (prog $1 type $2)"
}

# 4. Map churn, the vIOMMU pattern: tests/perf/bench_map_churn maps and
# unmaps one 4 KiB page $churn_iterations times on the mock: untraced,
# under `dirtyscope trace` (map and unmap counted at their tracepoints) and
# under `trace --call-latency` (every call timed too), alternating, $runs
# each (one unmeasured run first, so the first plain run does not pay for
# a cold guest). A traced run whose summary.csv does not count exactly one
# map and unmap (and with --call-latency one map_call and unmap_call) per
# iteration, or lost events, fails the part: its rate would not be the
# rate of a complete trace. Then one more run with
# kernel.bpf_stats_enabled=1 (not in the medians: bpf_stats adds two clock
# reads per program run), trace --call-latency and bpftrace's
# count/sum/max/hist one-liner on iommu:map attached together: the BPF
# time of everything dirtyscope runs per map and unmap against bpftrace's.
churn_bin=build/tests/bench_map_churn

# churn_rate OUT: ops_per_s of one bench_map_churn output line
churn_rate() {
	sed -n 's/^churn .* ops_per_s=\([0-9]*\)$/\1/p' "$1"
}

# churn_check DIR CALLS: the trace in DIR saw every map and unmap of one
# run, and CALLS (N or 0) map and unmap calls
churn_check() {
	for op in map unmap map_call unmap_call; do
		want=$churn_iterations
		case $op in *_call) want=$2 ;; esac
		c=$(summary_col "$1" "$op" count)
		if [ "$c" != "$want" ]; then
			echo "churn: FAILED: $op count $c, expected $want ($1/summary.csv)" >&2
			exit 1
		fi
	done
	c=$(summary_col "$1" lost_events count)
	if [ "$c" != 0 ]; then
		echo "churn: FAILED: $c lost events ($1/summary.csv)" >&2
		exit 1
	fi
}

churn() {
	for m in plain trace calls; do
		: >"$tmp/churn.$m"
	done
	$churn_bin "$churn_iterations" >/dev/null
	i=1
	while [ $i -le "$runs" ]; do
		for m in plain trace calls; do
			case $m in
			trace) trace_start "$tmp/ch$i" ;;
			calls) trace_start "$tmp/ch$i" --call-latency ;;
			esac
			$churn_bin "$churn_iterations" >"$tmp/churn.out"
			case $m in
			trace) trace_stop; churn_check "$tmp/ch$i" 0 ;;
			calls) trace_stop; churn_check "$tmp/ch$i" "$churn_iterations" ;;
			esac
			churn_rate "$tmp/churn.out" >>"$tmp/churn.$m"
			echo "churn: $m $i: $(cat "$tmp/churn.out")"
		done
		i=$((i + 1))
	done
	plain=$(median <"$tmp/churn.plain")
	traced=$(median <"$tmp/churn.trace")
	calls=$(median <"$tmp/churn.calls")
	note="median of $runs alternating runs of $churn_iterations 4 KiB map+unmap"
	echo "churn: plain $plain ops/s, trace $traced ops/s, trace --call-latency $calls ops/s"
	row churn plain_ops_per_s "$plain" ops/s "$note; untraced"
	row churn trace_ops_per_s "$traced" ops/s "$note; under dirtyscope trace"
	row churn calls_ops_per_s "$calls" ops/s "$note; under dirtyscope trace --call-latency"
	row churn trace_ratio "$(ratio "$traced" "$plain")" x \
		"median ops/s trace / untraced (target >= 0.95)"
	row churn calls_ratio "$(ratio "$calls" "$plain")" x \
		"median ops/s trace --call-latency / untraced"
	row churn trace_counts_exact "$runs" runs \
		"runs of each traced mode whose summary.csv counted every map; unmap (and with --call-latency map_call; unmap_call) and 0 lost"

	sysctl -q -w kernel.bpf_stats_enabled=1
	bt_start "$bt_map_prog"
	trace_start "$tmp/chs" --call-latency
	$churn_bin "$churn_iterations" >"$tmp/churn.out"
	bpftool -j prog show >"$tmp/progs.json"
	trace_stop
	bt_stop
	sysctl -q -w kernel.bpf_stats_enabled=0
	churn_check "$tmp/chs" "$churn_iterations"
	echo "churn: bpf_stats run: $(cat "$tmp/churn.out")"
	jq -r '.[] | select(.run_cnt != null and .run_cnt > 0) |
		"\(.name) \(.type) \(.run_cnt) \(.run_time_ns)"' \
		"$tmp/progs.json" >"$tmp/progs.txt"
	# What runs on each iommu_map() (the tracepoint inside it and the
	# call's fentry and fexit) and on each iommu_unmap(); trampolines and
	# tracepoint dispatch are outside run_time_ns.
	for side in "map iommu_map_tp map_call_enter map_call_exit" \
		"unmap iommu_unmap_tp unmap_call_enter unmap_call_exit"; do
		set -- $side
		# not "what": ns_event sets that (and key, line, v)
		call=$1
		shift
		sum=0
		for prog in "$@"; do
			ns_event "$prog" "churn: on each iommu_$call()" "churn_$prog"
			ns=$(cat "$tmp/ns.churn_$prog" 2>/dev/null || true)
			if [ -z "$ns" ]; then
				sum=
				break
			fi
			sum=$(awk -v a="$sum" -v b="$ns" 'BEGIN { printf "%.1f", a + b }')
		done
		echo "churn: BPF time per iommu_$call(): ${sum:-unknown} ns"
		row per_event "ns_all_on_$call" "$sum" ns \
			"churn, trace --call-latency; sum of run_time_ns/run_cnt of $* (bpf_stats; no trampoline)"
		eval "all_$call=\$sum"
	done
	bt_map=$(awk '$2 == "tracepoint" && $1 ~ /map/ { print $1; exit }' "$tmp/progs.txt")
	ns_event "$bt_map" "churn: bpftrace tracepoint:iommu:map (count+sum+max+hist)" churn_bpftrace_map
	b=$(cat "$tmp/ns.churn_bpftrace_map" 2>/dev/null || true)
	if [ -n "$all_map" ] && [ -n "$b" ]; then
		row per_event ratio_all_on_map "$(ratio "$all_map" "$b")" x \
			"churn: all dirtyscope programs on one iommu_map (--call-latency) / bpftrace one-liner, same run (target <= 1)"
	fi
}

for p in $parts; do
	$p
done
rm -rf "$tmp"

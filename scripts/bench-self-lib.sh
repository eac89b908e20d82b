# shellcheck shell=sh
# bench-self-lib.sh: what scripts/bench-self-guest.sh and
# scripts/bench-self-vtd-guest.sh share, sourced by both. They set $ds
# (the dirtyscope binary) and $tmp (their scratch directory) first.

# row SECTION METRIC VALUE UNIT NOTES: one row of build/bench-self.csv;
# notes with a comma or a quote are quoted (RFC 4180), quotes doubled.
# DIRTYSCOPE_BENCH_SELF_SUFFIX is appended to SECTION: bench-self.sh runs
# a part again under -icount, as SECTION_icount.
row() {
	sec=$1${DIRTYSCOPE_BENCH_SELF_SUFFIX:-}
	case $5 in
	*[,\"]*) echo "ROW $sec,$2,$3,$4,\"$(printf '%s' "$5" | sed 's/"/""/g')\"" ;;
	*) echo "ROW $sec,$2,$3,$4,$5" ;;
	esac
}

# median of the numbers on stdin, one a line
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2];
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The first and third quartiles of the numbers on stdin, one a line, as
# "Q1-Q3" (3 decimals; linear between the ranks): how far a mode's runs
# spread around their median.
quartiles() {
	sort -g | awk '{ v[NR] = $1 }
		function q(p,  h, i) { h = (NR - 1) * p + 1; i = int(h)
			return v[i] + (h - i) * (v[i + 1] - v[i]) }
		END { if (NR == 0) print "nan"; else printf "%.3f-%.3f\n", q(0.25), q(0.75) }'
}

# ratio A B, 3 decimals
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'
}

# trace_start CSVDIR [ARGS...]: start `dirtyscope trace` in the background
# and wait until every probe is attached; sets tracer.
trace_start() {
	dir=$1
	shift
	$ds trace --csv "$dir" "$@" >"$tmp/trace.out" 2>"$tmp/trace.err" &
	tracer=$!
	w=0
	until grep -q 'Tracing with' "$tmp/trace.err"; do
		kill -0 "$tracer" 2>/dev/null || { cat "$tmp/trace.err" >&2; exit 1; }
		w=$((w + 1))
		[ $w -lt 1200 ] || { echo "trace did not start" >&2; exit 1; }
		sleep 0.1
	done
}

trace_stop() {
	kill -INT "$tracer"
	wait "$tracer"
	tracer=
}

# bt_start PROGRAM: start bpftrace with PROGRAM in the background and wait
# until it attached; sets bt.
bt_start() {
	timeout 900 bpftrace -e "$1" >"$tmp/bt.out" 2>&1 &
	bt=$!
	w=0
	until grep -q Attaching "$tmp/bt.out"; do
		kill -0 "$bt" 2>/dev/null || { cat "$tmp/bt.out" >&2; exit 1; }
		w=$((w + 1))
		[ $w -lt 3000 ] || { echo "bpftrace did not start" >&2; exit 1; }
		sleep 0.1
	done
}

bt_stop() {
	kill -INT "$bt"
	wait "$bt" || true
	bt=
}

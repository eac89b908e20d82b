#!/bin/sh
# soak-guest.sh SECONDS: the guest side of scripts/soak.sh (mock profile).
# trace with 10 s intervals and --metrics runs the whole time; bench runs
# back to back beside it. Every minute: trace's RSS and open fds, and a
# scrape. At the end: what trace counted against what the runs did. Prints
# SOAK lines (samples, then the verdict) for the host side.
set -eu
secs=$1
w=$(mktemp -d)
trap 'kill "$tpid" 2>/dev/null || true; rm -rf "$w"' EXIT
./dirtyscope trace --metrics 127.0.0.1:19464 --csv "$w/trace" 10 \
	>"$w/trace.out" 2>"$w/trace.err" &
tpid=$!
until grep -q "Tracing with" "$w/trace.err"; do sleep 1; done
start=$(date +%s)
next=$start
runs=0
echo "SOAK t_s,rss_kib,fds,scrape_lines"
while [ $(($(date +%s) - start)) -lt "$secs" ]; do
	runs=$((runs + 1))
	./dirtyscope bench --no-trace --size 16M --rate 2000 --bandwidth 64M \
		--downtime 0.05 --max-rounds 5 --seed "$runs" \
		--csv "$w/b$runs" >/dev/null
	now=$(date +%s)
	if [ "$now" -ge "$next" ]; then
		rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' /proc/$tpid/status)
		fds=$(ls /proc/$tpid/fd | wc -l)
		lines=$(/usr/bin/python3 -c "import urllib.request as u; print(len(u.urlopen('http://127.0.0.1:19464/metrics').read().decode().splitlines()))")
		echo "SOAK $((now - start)),$rss,$fds,$lines"
		next=$((next + 60))
	fi
done
kill -INT "$tpid"
wait "$tpid" || { echo "SOAK trace exited $?"; exit 1; }
# The runs' reads and pages (runs.csv: syncs + clear_calls, received_pages)
# against trace's (summary.csv: dirty reads, their pages, loss).
cat "$w"/b*/runs.csv | awk -F, '
	/^run,/ { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ reads += $c["syncs"] + $c["clear_calls"]; pages += $c["received_pages"] }
	END { printf "SOAK runs_reads=%d runs_pages=%d\n", reads, pages }'
awk -F, '
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$1 == "sync_noclear" || $1 == "read_clear" { reads += $c["count"]; pages += $c["dirty_pages"] }
	$1 == "lost_events" { lost = $c["count"] }
	END { printf "SOAK trace_reads=%d trace_pages=%d lost=%d\n", reads, pages, lost }' \
	"$w/trace/summary.csv"
echo "SOAK bench_runs=$((runs * 2)) intervals=$(grep -c lost_events "$w/trace/intervals.csv")"

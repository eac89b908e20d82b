#!/usr/bin/env bash
# Run each libFuzzer target for SECONDS on its seed corpus. New inputs go to
# build/fuzz/corpus/TARGET, crashes to build/fuzz/crashes/; one line per
# target with its number of executions. Exits 1 if any target crashed or
# broke an invariant: copy the input to tests/fuzz/regress/TARGET/ once it
# is fixed, and `make check` replays it from then on.
# Usage: scripts/fuzz.sh SECONDS BINARY...
set -uo pipefail
cd "$(dirname "$0")/.."

secs=$1
shift
out=build/fuzz
mkdir -p "$out/crashes"
failed=0
for bin in "$@"; do
	t=$(basename "$bin")
	mkdir -p "$out/corpus/$t"
	log=$out/$t.log
	# Only this run's findings count: older ones stay until moved.
	touch "$out/$t.start"
	# -timeout: one input taking 10 s is a hang; the seed folder is read
	# only, new inputs go to the first (writable) one.
	"$bin" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$out/crashes/$t-" \
		"$out/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	crashes=$(find "$out/crashes" -name "$t-*" -newer "$out/$t.start" | wc -l)
	if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
		echo "fuzz: $t FAILED (exit $rc, $crashes input(s) in $out/crashes, log $log)"
		grep -m 5 -E 'invariant failed|ERROR|runtime error|gave' "$log"
		failed=1
	else
		echo "fuzz: $t: ${runs:-?} executions in $secs s, no crash"
	fi
done
exit "$failed"

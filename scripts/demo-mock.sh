#!/usr/bin/env bash
# The main job on the testbed (run inside the VM by `make demo`):
# dirtyscope trace profiles one dirty-tracking cycle of the iommufd mock
# device driven by dirtyscope mock-dirty, and prints what it measured.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-/tmp/dirtyscope-demo}
err=$(mktemp)
trap 'rm -f "$err"' EXIT

./dirtyscope trace --csv "$out" 2>"$err" &
tracer=$!
# Start the workload only once every probe is attached.
for _ in $(seq 300); do
	grep -q 'Tracing with' "$err" && break
	kill -0 "$tracer" 2>/dev/null || { cat "$err" >&2; exit 1; }
	sleep 0.1
done
cat "$err" >&2

./dirtyscope mock-dirty --size 64M --seed 1
echo
kill -INT "$tracer"
wait "$tracer"
echo
echo "CSV written to $out (in the guest):"
ls -l "$out"

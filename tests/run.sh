#!/usr/bin/env bash
# Run every dirtyscope test and end with one summary line.
#   unit     cmocka unit tests, on the host
#   unit-asan the unit tests built with ASan+UBSan (build/asan), leak
#            checking on; any sanitizer report fails the program; and
#            every fuzz target's seeds and regression inputs replayed
#   host     BPF load/attach and CLI tests against the host kernel (root)
#   qtest    our QEMU's device models (scripts/testbed-qemu.sh) driven
#            through QEMU's qtest protocol on the host, no guest
#   vm-mock  ground-truth tests in the testbed VM, mock profile
#   vm-vtd   VFIO type1 and the Intel IOMMU driver in the testbed VM, vtd
#            profile (QEMU's emulated VT-d, edu device bound to vfio-pci)
#   vm-vtd-dirty the Intel driver's iommufd dirty tracking in the testbed VM,
#            vtd-dirty profile (our QEMU: VT-d with A/D flags, edu as a
#            DMA engine; scripts/testbed-qemu.sh)
# Each test program is a cmocka group printing TAP; this script only runs the
# groups and adds up their TAP lines.
# Usage: tests/run.sh [GROUP...]   (default: all groups)
set -uo pipefail
cd "$(dirname "$0")/.."

bin=build/tests
export CMOCKA_MESSAGE_OUTPUT=TAP
groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(unit unit-asan host qtest vm-mock vm-vtd vm-vtd-dirty)
passed=0 failed=0 skipped=0
failures=()

# tally NAME RC OUTPUT: count the TAP results of one test program.
tally() {
	local name=$1 rc=$2 out=$3 p f s
	p=$(grep -cE '^ok [0-9]+' <<<"$out")
	s=$(grep -cE '^ok [0-9]+.*# ?SKIP' <<<"$out")
	f=$(grep -cE '^not ok [0-9]+' <<<"$out")
	passed=$((passed + p - s))
	skipped=$((skipped + s))
	failed=$((failed + f))
	while IFS= read -r line; do
		failures+=("$name: ${line#not ok }")
	done < <(grep -E '^not ok [0-9]+' <<<"$out")
	# A program that died, or exited non-zero without a failed test,
	# counts as one failure of its own.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		failed=$((failed + 1))
		failures+=("$name: exited with status $rc")
	fi
}

# run_host DIR TEST...: run build programs DIR/TEST on the host.
run_host() {
	local dir=$1 t name out rc
	shift
	for t in "$@"; do
		name=$t
		[ "$dir" = "$bin" ] || name=${dir#build/}/$t
		echo "== $name"
		out=$("$dir/$t" 2>&1)
		rc=$?
		printf '%s\n' "$out"
		tally "$name" "$rc" "$out"
	done
}

run_vm() {
	local profile=$1 t out rc
	shift
	for t in "$@"; do
		echo "== $t (VM, $profile profile)"
		# shellcheck disable=SC2086
		out=$(scripts/vm-run.sh --profile "$profile" --timeout 900 \
			${VM_OPTS:-} -- env CMOCKA_MESSAGE_OUTPUT=TAP \
			"$bin/$t" 2>&1)
		rc=$?
		printf '%s\n' "$out"
		tally "$t" "$rc" "$out"
	done
}

# test_probes runs against every kernel we have: the host's and the
# testbed's in both profiles.
for g in "${groups[@]}"; do
	case $g in
	unit)
		# shellcheck disable=SC2046
		run_host "$bin" $(basename -s .c tests/unit/test_*.c)
		;;
	unit-asan)
		# Leak checking is ASan's default on x86-64 Linux; said here so
		# that an environment turning it off does not win.
		# shellcheck disable=SC2046
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
			UBSAN_OPTIONS=print_stacktrace=1 \
			run_host build/asan/tests $(basename -s .c tests/unit/test_*.c) \
			$(basename -s .c tests/fuzz/fuzz_*.c | sed 's/^/replay_/')
		;;
	host)
		run_host "$bin" test_probes test_trace_host test_gate_host \
			test_install_host test_plot_host test_consumer_host
		;;
	qtest)
		# An empty path (the build failed) fails the test, loudly.
		DIRTYSCOPE_QEMU=$(scripts/testbed-qemu.sh) \
			run_host "$bin" test_qtest_vtd
		;;
	vm-mock)
		run_vm mock test_probes test_mock_vm test_backend_mock \
			test_bench_vm test_overload_vm test_leaks_vm
		# Failed allocations are what these tests ask for: the
		# kernel's reports of them are not splats.
		VM_OPTS="--fault-injection" run_vm mock test_faults_vm
		# One vCPU: detaching fentry probes while the other vCPU ran
		# the patched function (iommu_unmap) crashed the 2-vCPU TCG
		# guest once (oops at the call site being patched); suspected
		# TCG cross-vCPU code modification, see docs/reliability.md.
		VM_OPTS="--smp 1" run_vm mock test_signals_vm
		;;
	vm-vtd)
		run_vm vtd test_probes test_vtd_vm test_trace_vtd \
			test_backend_vtd
		VM_OPTS="--fault-injection" run_vm vtd test_faults_vtd
		;;
	vm-vtd-dirty)
		run_vm vtd-dirty test_dirty_vtd
		# 20 us per wait descriptor: the test checks every dirty-clear
		# invalidation lasted at least that (a bound, not a timing).
		VM_OPTS="--inv-latency 20000" run_vm vtd-dirty test_bench_vtd_dirty
		VM_OPTS="--fault-injection" run_vm vtd-dirty test_faults_vtd_dirty
		# One vCPU, for the reason vm-mock's signal test gives.
		VM_OPTS="--smp 1" run_vm vtd-dirty test_signals_vtd_dirty
		;;
	*)
		echo "tests/run.sh: unknown group '$g' (unit, unit-asan, host," \
			"qtest, vm-mock, vm-vtd, vm-vtd-dirty)" >&2
		exit 2
		;;
	esac
done

for f in "${failures[@]}"; do
	echo "FAILED $f"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

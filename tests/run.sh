#!/usr/bin/env bash
# Run every dirtyscope test and end with one summary line.
# Groups come from the tree:
#   unit       every tests/unit/test_*.c, cmocka unit tests on the host
#   unit-asan  the same built with ASan+UBSan (build/asan), leak checking
#              on, any sanitizer report fails the program; and every fuzz
#              target's seeds and regression inputs replayed
#   one group per manifest in tests/groups/: its first line says what the
#   group is; then one test program per line, for a vm-PROFILE group
#   followed by the scripts/vm-run.sh options it needs. A vm-PROFILE group
#   runs in the testbed VM of that profile, once on each testbed kernel
#   (scripts/testbed-kernels; DIRTYSCOPE_TEST_KERNELS="6.12" picks some),
#   but an entry with its own --kernel-version once, on that kernel; any
#   other group on the host.
# A program in tests/system/ that no manifest lists fails the run: a test
# that is built is a test that runs.
# Each test program is a cmocka group printing TAP; this script only runs the
# groups and adds up their TAP lines.
# Usage: tests/run.sh [GROUP...]   (default: all groups)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

bin=build/tests
export CMOCKA_MESSAGE_OUTPUT=TAP
manifests=(tests/groups/*)
all_groups=(unit unit-asan "${manifests[@]#tests/groups/}")
groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=("${all_groups[@]}")
passed=0 failed=0 skipped=0
failures=()
mapfile -t kernels < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' scripts/testbed-kernels)
if [ -n "${DIRTYSCOPE_TEST_KERNELS:-}" ]; then
	read -ra kernels <<<"$DIRTYSCOPE_TEST_KERNELS"
fi

# tally NAME RC OUTPUT: count the TAP results of one test program.
tally() {
	local name=$1 rc=$2 out=$3 p f s
	# cmocka reports a skipped test as "not ok N # SKIP": a skip, not
	# a failure, whichever way it is spelled.
	p=$(grep -E '^ok [0-9]+' <<<"$out" | grep -cvE '# ?SKIP')
	s=$(grep -cE '^(not )?ok [0-9]+.*# ?SKIP' <<<"$out")
	f=$(grep -E '^not ok [0-9]+' <<<"$out" | grep -cvE '# ?SKIP')
	passed=$((passed + p))
	skipped=$((skipped + s))
	failed=$((failed + f))
	while IFS= read -r line; do
		failures+=("$name: ${line#not ok }")
	done < <(grep -E '^not ok [0-9]+' <<<"$out" | grep -vE '# ?SKIP')
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
		SECONDS=0
		out=$("$dir/$t" 2>&1)
		rc=$?
		printf '%s\n' "$out"
		echo "# $name: ${SECONDS} s"
		tally "$name" "$rc" "$out"
	done
}

# run_vm PROFILE KERNEL TEST [VM-RUN OPTIONS...]
run_vm() {
	local profile=$1 kernel=$2 t=$3 out rc
	shift 3
	echo "== $t (VM, $profile profile, kernel $kernel)"
	SECONDS=0
	out=$(scripts/vm-run.sh --profile "$profile" --kernel-version "$kernel" \
		--timeout 900 "$@" -- env CMOCKA_MESSAGE_OUTPUT=TAP "$bin/$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	# A TAP comment: where a run's time goes, without a timed test.
	echo "# $t [$kernel, $profile]: ${SECONDS} s"
	tally "$t [$kernel]" "$rc" "$out"
}

# The lines of a manifest that name a test, comments and blanks left out.
manifest_entries() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "tests/groups/$1"
}

# run_manifest GROUP: each listed program, in the VM for vm-PROFILE (on
# every testbed kernel, one kernel after the other).
run_manifest() {
	local g=$1 t opts line entries k k_entry
	# Read first: a test or vm-run.sh must not eat the manifest as stdin.
	mapfile -t entries < <(manifest_entries "$g")
	case $g in
	vm-*)
		for k in "${kernels[@]}"; do
			for line in "${entries[@]}"; do
				read -r t opts <<<"$line"
				# An entry naming its kernel runs once, on it.
				if [[ " $opts " =~ \ --kernel-version\ ([^ ]+)\  ]]; then
					[ "$k" = "${kernels[0]}" ] || continue
					k_entry=${BASH_REMATCH[1]}
				else
					k_entry=$k
				fi
				# shellcheck disable=SC2086
				run_vm "${g#vm-}" "$k_entry" "$t" $opts
			done
		done
		return
		;;
	esac
	for line in "${entries[@]}"; do
		read -r t opts <<<"$line"
		if [ -n "$opts" ]; then
			failed=$((failed + 1))
			failures+=("tests/groups/$g: options '$opts' for a host test")
			continue
		fi
		run_host "$bin" "$t"
	done
}

# Every system test in some manifest, every manifest entry a system test.
for src in tests/system/test_*.c; do
	t=$(basename "$src" .c)
	if ! cat tests/groups/* | sed 's/#.*//' | grep -qw "^[[:space:]]*$t"; then
		failed=$((failed + 1))
		failures+=("$src: in no group (tests/groups/)")
	fi
done
for g in "${manifests[@]#tests/groups/}"; do
	while read -r t _; do
		[ -f "tests/system/$t.c" ] || {
			failed=$((failed + 1))
			failures+=("tests/groups/$g: no tests/system/$t.c")
		}
	done < <(manifest_entries "$g")
done

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
	*)
		if [ ! -f "tests/groups/$g" ]; then
			echo "tests/run.sh: unknown group '$g' (${all_groups[*]})" >&2
			exit 2
		fi
		run_manifest "$g"
		;;
	esac
done

for f in "${failures[@]}"; do
	echo "FAILED $f"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# tests/run.sh - run every test and print one total line at the very end.
#
#   BUILD=build SAN=0 bash tests/run.sh build/tests/test_a build/tests/test_b ...
#
# Runs each test binary given as an argument, then every tests/test_*.sh
# (with BPFBOX=$BUILD/bpfbox), streaming their output. Each must end with
# "N passed, N failed" (optionally ", N skipped"). A test that crashes,
# exits non-zero without reporting a failure, or prints no such final line
# counts as 1 failed. The last line is the total, in the same format; the
# exit status is non-zero if anything failed.
#
# T=NAME runs only the test NAME (test_vm, test_cli.sh or test_cli; a shell
# pattern such as 'test_pkt*' selects several); TL_CASE=PATTERN is passed
# on: C tests run only the cases (TL_RUN) whose function name matches, shell
# tests only their `t` cases whose name matches. `make test T=... CASE=...`.
set -u

BUILD=${BUILD:-build}
SAN=${SAN:-0}
export BUILD SAN
export BPFBOX=${BPFBOX:-$BUILD/bpfbox}
# Sanitizer reports must fail the test (and leak checks need no ptrace).
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

total_p=0 total_f=0 total_s=0
recap=()
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

run_one() { # NAME CMD...
	local name=$1; shift
	local rc last p f s
	echo "=== $name"
	if command -v timeout >/dev/null; then
		timeout 900 "$@" </dev/null 2>&1 | tee "$tmp"
		rc=${PIPESTATUS[0]}
	else
		"$@" </dev/null 2>&1 | tee "$tmp"
		rc=${PIPESTATUS[0]}
	fi
	last=$(tail -n 1 "$tmp")
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} s=${BASH_REMATCH[4]:-0}
		if (( rc != 0 && f == 0 )); then
			echo "!!! $name: exit status $rc but no failure reported; counting 1 failed"
			f=1
		fi
	else
		echo "!!! $name: exit status $rc and no final 'N passed, N failed' line; counting 1 failed"
		p=0 f=1 s=0
	fi
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
	recap+=("$(printf '%-28s %6d passed %4d failed %4d skipped' "$name" "$p" "$f" "$s")")
}

T=${T:-}
export TL_CASE=${TL_CASE:-}
# picked NAME: is the test NAME selected by T?
picked() {
	[[ -z $T ]] && return 0
	# shellcheck disable=SC2053
	[[ $1 == $T || ${1%.sh} == $T ]]
}
nrun=0
for bin in "$@"; do
	picked "$(basename "$bin")" || continue
	run_one "$(basename "$bin")" "$bin"; nrun=$((nrun + 1))
done
for sh in tests/test_*.sh; do
	[[ -e $sh ]] || continue
	picked "$(basename "$sh")" || continue
	run_one "$(basename "$sh")" bash "$sh"; nrun=$((nrun + 1))
done
if (( nrun == 0 )); then
	echo "!!! no test is named '$T' (tests: $(for b in "$@" tests/test_*.sh; do printf '%s ' "$(basename "$b")"; done))"
	total_f=1
fi

echo
echo "=== summary${SAN:+ (SAN=$SAN)}"
for line in "${recap[@]}"; do echo "$line"; done
if (( total_s > 0 )); then
	echo "$total_p passed, $total_f failed, $total_s skipped"
else
	echo "$total_p passed, $total_f failed"
fi
(( total_f == 0 ))

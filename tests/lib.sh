#!/usr/bin/env bash
# tests/lib.sh - the little harness shared by the shell tests
# (tests/test_*.sh source it; tests/run.sh does not run it itself).
#
# Sourcing it, from the repo root:
#   - makes BUILD (default build) and BPFBOX (default $BUILD/bpfbox)
#     absolute, and sets ROOT to the repo root ($PWD);
#   - sets the counters pass, fail and skip to 0;
#   - creates the temp dir T (removed on exit) and cd's into it.
# It then offers t (one command with its pinned outcome), need_bpfbox and
# summary (the final "N passed, N failed[, N skipped]" line).
BUILD=${BUILD:-build}
BPFBOX=${BPFBOX:-$BUILD/bpfbox}
case $BPFBOX in /*) ;; *) BPFBOX=$PWD/$BPFBOX ;; esac
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
ROOT=$PWD
pass=0 fail=0 skip=0
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

# t NAME RC STDOUT STDERR1 -- CMD...
#   RC: expected exit status; STDOUT: exact stdout ('*' = anything,
#   '~RE' = matches the extended regex RE); STDERR1: exact first line of
#   stderr ('' = stderr must be empty, '*' = anything, '~RE' = regex).
#   A failure prints the reasons and the first lines of stderr.
t() {
	local name=$1 rc=$2 out=$3 err=$4; shift 5
	local got_out got_err got_rc ok=1 why=""
	# TL_CASE (make test T=... CASE=...): only the cases it names
	# shellcheck disable=SC2053
	[[ -n ${TL_CASE:-} && $name != $TL_CASE && $name != *"$TL_CASE"* ]] && return 0
	got_out=$("$@" 2>"$T/.err" </dev/null); got_rc=$?
	got_err=$(head -n 1 "$T/.err")
	if (( got_rc != rc )); then ok=0; why+=" exit $got_rc (want $rc);"; fi
	if (( got_rc >= 128 )); then ok=0; why+=" CRASHED;"; fi
	case $out in
	'*') ;;
	'~'*) [[ $got_out =~ ${out:1} ]] || { ok=0; why+=" stdout [$got_out] !~ /${out:1}/;"; } ;;
	*) [[ $got_out == "$out" ]] || { ok=0; why+=" stdout [$got_out] want [$out];"; } ;;
	esac
	case $err in
	'*') ;;
	'~'*) [[ $got_err =~ ${err:1} ]] || { ok=0; why+=" stderr [$got_err] !~ /${err:1}/;"; } ;;
	*) [[ $got_err == "$err" ]] || { ok=0; why+=" stderr [$got_err] want [$err];"; } ;;
	esac
	if (( ok )); then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name:$why"; [[ -s $T/.err ]] && head -n 5 "$T/.err" | sed 's/^/    /'; fi
}

# need_bpfbox: stop with one failure when $BPFBOX is not built
need_bpfbox() {
	[[ -x $BPFBOX ]] && return 0
	echo "FAIL: $BPFBOX not built"
	echo "0 passed, 1 failed"
	exit 1
}

# need_file FILE: true if FILE exists; else one failure (make builds every
# object the tests use: a missing one is a build problem, not a skip)
need_file() {
	[[ -e $1 ]] && return 0
	fail=$((fail + 1))
	echo "FAIL: $1 missing (make builds it)"
	return 1
}

# summary: the final line ("N passed, N failed", plus ", N skipped" when
# something was skipped); its status is non-zero if anything failed, so it
# can end a test script
summary() {
	if (( skip )); then echo "$pass passed, $fail failed, $skip skipped"; else echo "$pass passed, $fail failed"; fi
	(( fail == 0 ))
}

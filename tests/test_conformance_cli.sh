#!/usr/bin/env bash
# tests/test_conformance_cli.sh - the bpf_conformance suite (313 programs,
# ../shared/conformance or $BPFBOX_SHARED/conformance) through the CLI on
# the JIT: for every .data file, its "-- asm" program runs as
#   bpfbox run PROG.s --mem "<its -- mem bytes>" --engine jit --json
# and r0 must be the file's "-- result" (the suite's expected value, from
# its authors' reference runs; the kernel agrees on the same programs in
# tests/test_conformance.c's trusted and checked interpreter runs).
#   1. as is: verified against its memory -> the trusted JIT; a program the
#      verifier cannot prove -> the checked JIT
#   2. --no-verify: every program on the checked JIT
# Run from the repo root; BPFBOX is the binary.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_bpfbox
SHARED=${BPFBOX_SHARED:-$ROOT/../shared}
DIR=$SHARED/conformance/bpf_conformance
if [[ ! -d $DIR ]]; then
	echo "SKIP: $DIR not found (the conformance suite lives in ../shared)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
if [[ $(uname -m) != x86_64 ]]; then
	echo "SKIP: no JIT on $(uname -m)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi

# section FILE NAME: the lines of "-- NAME" in a .data file
section() {
	awk -v want="$2" '/^-- /{s=$2; next} s==want' "$1"
}

n=0 ok_auto=0 ok_checked=0 trusted=0
for f in "$DIR"/*.data; do
	name=$(basename "$f" .data)
	section "$f" asm >"$name.s"
	mem=$(section "$f" mem | tr '\n' ' ')
	want=$(section "$f" result | tr -d ' \n')
	n=$((n + 1))
	for mode in auto checked; do
		extra=()
		[[ $mode == checked ]] && extra=(--no-verify)
		out=$("$BPFBOX" run "$name.s" ${mem:+--mem "$mem"} --engine jit --json "${extra[@]}" 2>"$name.err")
		rc=$?
		got=$(sed -n 's/.*"retval_hex": "\(0x[0-9a-f]*\)".*/\1/p' <<<"$out")
		if (( rc == 0 )) && [[ -n $got && -n $want ]] && (( got == want )); then
			if [[ $mode == auto ]]; then
				ok_auto=$((ok_auto + 1))
				[[ $out == *'"verified": true'* ]] && trusted=$((trusted + 1))
			else
				ok_checked=$((ok_checked + 1))
			fi
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "FAIL $name ($mode): exit $rc, r0 ${got:-none}, want $want"
			head -n 3 "$name.err" | sed 's/^/    /'
		fi
	done
done
echo "conformance through bpfbox run --engine jit: $ok_auto/$n ($trusted verified: trusted JIT;" \
     "$((ok_auto - trusted)) unproven: checked JIT); --no-verify (checked JIT): $ok_checked/$n"
if (( n != 313 )); then
	fail=$((fail + 1))
	echo "FAIL: $n programs in $DIR, want 313"
fi
summary

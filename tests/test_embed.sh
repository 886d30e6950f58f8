#!/usr/bin/env bash
# tests/test_embed.sh - the embedding example (examples/embed/embed.c,
# built by `make examples` into $BUILD/examples/embed) runs and prints the
# expected result.
set -u
BUILD=${BUILD:-build}
bin=$BUILD/examples/embed
want='r0 = 0x37 (sum of i * buf[i-1] for i = 1..5: 55)'
if [[ ! -x $bin ]]; then
	echo "FAIL: $bin not built (make examples)"
	echo "0 passed, 1 failed"
	exit 1
fi
got=$("$bin" 2>&1); rc=$?
if [[ $rc -eq 0 && $got == "$want" ]]; then
	echo "embed: $got"
	echo "1 passed, 0 failed"
else
	echo "FAIL embed: exit $rc, output [$got], want [$want]"
	echo "0 passed, 1 failed"
	exit 1
fi

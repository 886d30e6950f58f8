#!/usr/bin/env bash
# bench/run.sh BIN... - run each benchmark binary from the repo root
# (make bench). Fails if any benchmark reports a wrong result.
set -u
rc=0
for b in "$@"; do
	echo "=== $(basename "$b")"
	"$b" || rc=1
	echo
done
exit $rc

#!/usr/bin/env bash
# scripts/demo.sh [BPFBOX] - `make demo`: assemble, disassemble and run
# examples/asm/prime.s, showing each command as it runs.
set -euo pipefail
BPFBOX=${1:-build/bpfbox}
out=$(dirname "$BPFBOX")/demo
mkdir -p "$out"

show() { # print the command (quoted as typed), then run it
	local a line="bpfbox"
	for a in "$@"; do [[ $a =~ [[:space:]] ]] && line+=" \"$a\"" || line+=" $a"; done
	echo; echo "\$ $line"; "$BPFBOX" "$@"
}

echo "== examples/asm/prime.s: r0 = 1 if the u32 in memory is prime"
sed -n '/^[^#]/p' examples/asm/prime.s | head -n 40
show asm examples/asm/prime.s -o "$out/prime.bin"
echo "(wrote $(wc -c <"$out/prime.bin") bytes)"
show disasm --raw "$out/prime.bin"
show run "$out/prime.bin" --mem "17 27 00 00"          # 10007: prime
show run "$out/prime.bin" --mem "1b 27 00 00" --json   # 10011 = 3 * 47 * 71
show run examples/asm/fib.s                            # mnemonic syntax, fib(10)

#!/usr/bin/env bash
# tests/test_cli.sh - the bpfbox CLI: happy paths with exact outputs, JSON,
# and every kind of bad input with its exact message and exit status.
# BPFBOX is the binary (default build/bpfbox). Run from the repo root.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
EX=$ROOT/examples/asm

ok() { # NAME CMD... : the command succeeds
	local name=$1; shift
	if "$@" >/dev/null 2>"$T/.err"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name: $(head -n 3 "$T/.err")"; fi
}

need_bpfbox

RUN_USAGE='Usage: bpfbox run PROG [--mem HEX | --data FILE] [--engine ENGINE] [--json] [--max-insns N] [--repeat N] [--unpriv]'

# ---- top level --------------------------------------------------------------
t version 0 "~^bpfbox [0-9]+\.[0-9]+" '' -- "$BPFBOX" --version
t help 0 '*' '' -- "$BPFBOX" help
t help-run 0 "~^Usage: bpfbox run PROG" '' -- "$BPFBOX" help run
t run--help 0 "~^Usage: bpfbox run PROG" '' -- "$BPFBOX" run --help
t asm--help 0 "~^Usage: bpfbox asm IN.s" '' -- "$BPFBOX" asm --help
t disasm--help 0 "~^Usage: bpfbox disasm FILE" '' -- "$BPFBOX" disasm -h
t no-args 2 '' 'Usage: bpfbox COMMAND [ARGS...]' -- "$BPFBOX"
t unknown-cmd 2 '' "bpfbox: unknown command 'frob'" -- "$BPFBOX" frob
t unknown-top-opt 2 '' "bpfbox: unknown option '--frob'" -- "$BPFBOX" --frob

# ---- asm ----------------------------------------------------------------------
t asm-prime 0 '' '' -- "$BPFBOX" asm "$EX/prime.s" -o prime.bin
# prime.s's size: 8 bytes per statement (no lddw in it), statements being
# the lines that are neither comments, blank nor labels (17 of them: 136)
PRIME_SIZE=$(( $(grep -cvE '^[[:space:]]*(#|$)|^[[:space:]]*[A-Za-z_0-9]+:[[:space:]]*$' "$EX/prime.s") * 8 ))
t asm-prime-size 0 "$PRIME_SIZE" '' -- stat -c %s prime.bin
t asm-stdout 0 "$PRIME_SIZE" '' -- sh -c "'$BPFBOX' asm '$EX/prime.s' -o - | wc -c"
printf 'r0 = 1\nexit\n' >one.s
t asm-bytes 0 'b7 00 00 00 01 00 00 00 95 00 00 00 00 00 00 00' '' -- \
	sh -c "'$BPFBOX' asm one.s -o - | od -An -tx1 -v | tr -s ' \n' ' ' | sed 's/^ //; s/ \$//'"
printf 'mov %%r0, 1\nexit\n' >one_mnem.s
t asm-mnemonic 0 '' '' -- "$BPFBOX" asm one_mnem.s -o one_mnem.bin --syntax mnemonic
t asm-same-bytes 0 '' '' -- cmp one_mnem.bin <("$BPFBOX" asm one.s -o -)
printf 'r0 = 1\nr0 = foo\nexit\n' >bad.s
t asm-error 1 '' "bad.s:2: error: unknown operation 'foo'" -- "$BPFBOX" asm bad.s -o bad.bin
t asm-error-no-output 1 '' '*' -- test -e bad.bin
t asm-missing 1 '' "bpfbox asm: cannot open 'nope.s': No such file or directory" -- "$BPFBOX" asm nope.s -o x.bin
t asm-no-o 2 '' 'bpfbox asm: missing -o OUT' -- "$BPFBOX" asm one.s
t asm-bad-syntax 2 '' "bpfbox asm: unknown syntax 'intel' (auto, llvm or mnemonic)" -- "$BPFBOX" asm one.s -o x.bin --syntax intel
t asm-unknown-opt 2 '' "bpfbox asm: unknown option '--foo'" -- "$BPFBOX" asm one.s -o x.bin --foo
t asm-o-needs-arg 2 '' "bpfbox asm: option '-o' needs an argument" -- "$BPFBOX" asm one.s -o

# ---- disasm -------------------------------------------------------------------
# The instruction texts and the --raw layout ("%8d:\tBYTES\tTEXT") are
# llvm-objdump-19's (tests/test_disasm_llvm.sh checks the disassembler
# against it); the "   N: " index column and the JSON are the CLI's own
# format, the bytes those of the one-line programs written here.
t disasm-one 0 $'   0: r0 = 0x1\n   1: exit' '' -- "$BPFBOX" disasm one.s
t disasm-one-bin 0 $'   0: r0 = 0x1\n   1: exit' '' -- "$BPFBOX" disasm one_mnem.bin
t disasm-mnemonic 0 $'   0: mov %r0, 0x1\n   1: exit' '' -- "$BPFBOX" disasm --mnemonic one.s
t disasm-raw 0 $'       0:\tb7 00 00 00 01 00 00 00\tr0 = 0x1\n       1:\t95 00 00 00 00 00 00 00\texit' '' -- \
	"$BPFBOX" disasm --raw one.s
t disasm-json 0 $'[\n  {"idx": 0, "bytes": "b7 00 00 00 01 00 00 00", "text": "r0 = 0x1"},\n  {"idx": 1, "bytes": "95 00 00 00 00 00 00 00", "text": "exit"}\n]' '' -- \
	"$BPFBOX" disasm --json one.s
printf 'r1 = 0x1122334455667788 ll\nexit\n' >lddw.s
t disasm-lddw 0 $'   0: r1 = 0x1122334455667788 ll\n   2: exit' '' -- "$BPFBOX" disasm lddw.s
t disasm-lddw-json 0 '~"idx": 0, "bytes": "18 01 00 00 88 77 66 55 00 00 00 00 44 33 22 11".*"idx": 2' '' -- \
	"$BPFBOX" disasm --json lddw.s
# round trips through the CLI: disasm output assembles back to the same bytes
for ex in "$EX"/*.s; do
	b=$(basename "$ex" .s)
	"$BPFBOX" asm "$ex" -o "$b.bin" 2>/dev/null
	"$BPFBOX" disasm "$b.bin" 2>/dev/null | sed 's/^ *[0-9]*: //' >"$b.llvm.s"
	"$BPFBOX" disasm --mnemonic "$b.bin" 2>/dev/null | sed 's/^ *[0-9]*: //' >"$b.mnem.s"
	"$BPFBOX" disasm --raw "$b.bin" >"$b.raw.s" 2>/dev/null
	t "roundtrip-llvm-$b" 0 '' '' -- sh -c "'$BPFBOX' asm $b.llvm.s -o - | cmp - $b.bin"
	t "roundtrip-mnemonic-$b" 0 '' '' -- sh -c "'$BPFBOX' asm $b.mnem.s -o - --syntax mnemonic | cmp - $b.bin"
	t "roundtrip-raw-$b" 0 '' '' -- sh -c "'$BPFBOX' asm $b.raw.s -o - | cmp - $b.bin"
done

# ---- run ----------------------------------------------------------------------
# the expected r0 of the example programs, computed here by bash
is_prime() { # N: r0 of prime.s (1 if N is prime)
	local n=$1 d
	for ((d = 2; d * d <= n; d++)); do (( n % d )) || { echo 'r0 = 0x0'; return; }; done
	echo 'r0 = 0x1'
}
fib() { # N: r0 of fib.s (the N-th Fibonacci number, fib(1) = 1)
	local a=0 b=1 i t
	for ((i = 0; i < $1; i++)); do t=$((a + b)) a=$b b=$t; done
	printf 'r0 = 0x%x' "$a"
}
t run-prime-default 0 "$(is_prime 10007)" '' -- "$BPFBOX" run "$EX/prime.s"   # prime.s: 10007 without --mem
t run-prime-10007 0 "$(is_prime 10007)" '' -- "$BPFBOX" run prime.bin --mem "17 27 00 00"
t run-prime-10011 0 "$(is_prime 10011)" '' -- "$BPFBOX" run prime.bin --mem "1b270000"
t run-fib 0 "$(fib 10)" '' -- "$BPFBOX" run "$EX/fib.s"                         # fib.s: n = 10 without --mem
t run-fib-90 0 "$(fib 90)" '' -- "$BPFBOX" run "$EX/fib.s" --mem 5a
t run-sum 0 "$(printf 'r0 = 0x%x' $((1 + 2 + 3 + 4)))" '' -- "$BPFBOX" run "$EX/sum.s" --mem "01 02 03 04"
printf '\x01\x02\x03\x04\xff' >data.bin
t run-sum-data 0 "$(printf 'r0 = 0x%x' $((1 + 2 + 3 + 4 + 255)))" '' -- "$BPFBOX" run "$EX/sum.s" --data data.bin
t run-sum-no-mem 0 'r0 = 0x0' '' -- "$BPFBOX" run "$EX/sum.s"
t run-json 0 '~^\{"retval": 10, "retval_hex": "0xa", "insn_executed": 0, "duration_ns": [0-9]+, "verified": true\}$' '' -- \
	"$BPFBOX" run "$EX/sum.s" --mem "01 02 03 04" --json
# insn_executed, hand-counted: 2 set-up insns, 7 per byte (4 bytes), the
# final test and exit: 2 + 28 + 2 = 32
t run-json-checked 0 '~^\{"retval": 10, "retval_hex": "0xa", "insn_executed": 32, "duration_ns": [0-9]+, "verified": false\}$' '' -- \
	"$BPFBOX" run "$EX/sum.s" --mem "01 02 03 04" --json --no-verify --engine interp
# the checked JIT (the default for bytecode) charges the budget per loop
# iteration (the loop's length) and per function entry
t run-json-checked-jit 0 '~^\{"retval": 10, "retval_hex": "0xa", "insn_executed": [1-9][0-9]*, "duration_ns": [0-9]+, "verified": false\}$' '' -- \
	"$BPFBOX" run "$EX/sum.s" --mem "01 02 03 04" --json --no-verify
t run-sum-checked-jit 0 'r0 = 0x109' '' -- "$BPFBOX" run "$EX/sum.s" --data data.bin --no-verify --engine jit
t run-json-big 0 '~^\{"retval": 18446744073709551615, "retval_hex": "0xffffffffffffffff", ' '' -- \
	sh -c "printf 'r0 = -1\nexit\n' >m1.s && '$BPFBOX' run m1.s --json"
t run-repeat 0 'r0 = 0x1' '' -- "$BPFBOX" run prime.bin --repeat 5 --engine interp
t run-max-insns-ok 0 'r0 = 0x37' '' -- "$BPFBOX" run "$EX/fib.s" --max-insns 1000

# ---- bad input --------------------------------------------------------------
printf 'abcdefghijklm' >odd.bin
t bad-size 1 '' 'bpfbox run: odd.bin: size 13 is not a multiple of 8 (eBPF instructions are 8 bytes)' -- "$BPFBOX" run odd.bin
t bad-size-disasm 1 '' 'bpfbox disasm: odd.bin: size 13 is not a multiple of 8 (eBPF instructions are 8 bytes)' -- "$BPFBOX" disasm odd.bin
: >empty.bin
t bad-empty 1 '' 'bpfbox run: empty.bin: empty file (no instructions)' -- "$BPFBOX" run empty.bin
printf '\xff\x00\x00\x00\x00\x00\x00\x00\x95\x00\x00\x00\x00\x00\x00\x00' >badop.bin
t bad-opcode 1 '' 'bpfbox run: badop.bin: insn 0: unknown opcode ff (src=0 off=0 imm=0)' -- "$BPFBOX" run badop.bin
t bad-opcode-disasm 1 $'   0: .invalid opcode 0xff\n   1: exit' 'bpfbox disasm: badop.bin: insn 0: .invalid opcode 0xff' -- "$BPFBOX" disasm badop.bin
printf '\x05\x00\x05\x00\x00\x00\x00\x00\x95\x00\x00\x00\x00\x00\x00\x00' >jmp.bin
t bad-jump 1 '' 'bpfbox run: jmp.bin: insn 0: jump out of range to 6 (program has 2 instructions)' -- "$BPFBOX" run jmp.bin
printf '\xb7\x00\x00\x00\x01\x00\x00\x00' >noexit.bin
t bad-no-exit 1 '' 'bpfbox run: noexit.bin: insn 0: the program does not end in exit or a jump (it would fall off the end)' -- "$BPFBOX" run noexit.bin
printf '\xb7\x00\x00\x00\x01\x00\x00\x00\x18\x00\x00\x00\x01\x00\x00\x00' >lddw.bin
t bad-lddw 1 '' 'bpfbox run: lddw.bin: insn 1: invalid bpf_ld_imm64 insn: lddw is truncated (its second half is missing)' -- "$BPFBOX" run lddw.bin
t bad-lddw-disasm 1 '*' 'bpfbox disasm: lddw.bin: insn 1: .invalid lddw: second half missing' -- "$BPFBOX" disasm --raw lddw.bin
printf '\x18\x01\x00\x00\x88\x77\x66\x55\x00\x00\x00\x00\x44\x33\x22\x11\x95\x00\x00\x00\x00\x00\x00\x00' >ld.bin
t disasm-raw-lddw 0 $'       0:\t18 01 00 00 88 77 66 55 00 00 00 00 44 33 22 11\tr1 = 0x1122334455667788 ll\n       2:\t95 00 00 00 00 00 00 00\texit' '' -- "$BPFBOX" disasm --raw ld.bin
t help-unknown 2 '' "bpfbox: unknown command 'frob'" -- "$BPFBOX" help frob
printf 'call 4000\nexit\n' >call.s
t bad-helper 1 '' 'bpfbox run: call.s: insn 0: call to unknown helper 4000' -- "$BPFBOX" run call.s
printf 'r0 = *(u64 *)(r1 + 8)\nexit\n' >oob.s
t bad-oob-read 1 '' '*' -- "$BPFBOX" run oob.s --mem "00 01"
t bad-oob-read-msg 0 '' '' -- sh -c "'$BPFBOX' run oob.s --mem '00 01' 2>&1 | grep -q '^bpfbox run: oob.s: insn 0: invalid read of 8 bytes'"
printf 'r1 = 0\nr0 = *(u8 *)(r1 + 0)\nexit\n' >null.s
t bad-null-read 1 '' '*' -- "$BPFBOX" run null.s
printf 'l: goto l\n' >loop.s
t bad-budget 1 '' 'bpfbox run: loop.s: insn 0: the instruction budget of 1000 is exhausted' -- "$BPFBOX" run loop.s --max-insns 1000
t bad-budget-jit 1 '' 'bpfbox run: loop.s: insn 0: the instruction budget of 1000 is exhausted' -- "$BPFBOX" run loop.s --max-insns 1000 --engine jit
t bad-oob-read-jit 0 '' '' -- sh -c "'$BPFBOX' run oob.s --mem '00 01' --engine jit 2>&1 | grep -q '^bpfbox run: oob.s: insn 0: invalid read of 8 bytes'"
t bad-null-read-jit 1 '' '~^bpfbox run: null.s: insn 1: invalid read of 1 bytes at 0x0: r1 \+ 0 is outside' -- "$BPFBOX" run null.s --engine jit
# proven against 8 bytes: trusted (verified); with 2 bytes it cannot be and runs checked
t run-oob-proven 0 '~"retval_hex": "0x[0-9a-f]+".*"verified": true' '' -- "$BPFBOX" run oob.s --mem '00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f' --json
t bad-asm-run 1 '' "bad.s:2: error: unknown operation 'foo'" -- "$BPFBOX" run bad.s
t bad-unknown-opt 2 '' "bpfbox run: unknown option '--foo'" -- "$BPFBOX" run prime.bin --foo
t bad-unknown-opt-usage 2 '' '*' -- sh -c "'$BPFBOX' run prime.bin --foo 2>&1 | grep -qxF '$RUN_USAGE' && exit 2"
t bad-unknown-short 2 '' "bpfbox run: unknown option '-z'" -- "$BPFBOX" run prime.bin -z
t bad-missing 1 '' "bpfbox run: cannot open 'x.bin': No such file or directory" -- "$BPFBOX" run x.bin
t bad-missing-disasm 1 '' "bpfbox disasm: cannot open 'x.bin': No such file or directory" -- "$BPFBOX" disasm x.bin
t bad-missing-data 1 '' "bpfbox run: cannot open 'nodata': No such file or directory" -- "$BPFBOX" run prime.bin --data nodata
t bad-hex 2 '' "bpfbox run: --mem: invalid hex digit 'z' at offset 3" -- "$BPFBOX" run prime.bin --mem "00 zz"
t bad-hex-odd 2 '' 'bpfbox run: --mem: odd number of hex digits at offset 2' -- "$BPFBOX" run prime.bin --mem "123"
t bad-mem-and-data 2 '' 'bpfbox run: --mem and --data cannot be used together' -- "$BPFBOX" run prime.bin --mem 00 --data data.bin
t bad-engine 2 '' "bpfbox run: unknown engine 'x' (available: jit, interp, default)" -- "$BPFBOX" run prime.bin --engine x
t bad-max-insns 2 '' "bpfbox run: --max-insns: 'lots' is not a positive number" -- "$BPFBOX" run prime.bin --max-insns lots
t bad-repeat 2 '' "bpfbox run: --repeat: '0' is not a positive number" -- "$BPFBOX" run prime.bin --repeat 0
t bad-no-prog 2 '' 'bpfbox run: missing program file' -- "$BPFBOX" run
t bad-extra-arg 2 '' "bpfbox run: unexpected argument 'b.bin'" -- "$BPFBOX" run prime.bin b.bin
t bad-dir 1 '' '*' -- "$BPFBOX" run /
# random bytes never crash any command
for i in 1 2 3 4 5 6 7 8; do
	head -c $((8 * i * 7)) /dev/urandom >rand$i.bin
	"$BPFBOX" run rand$i.bin --max-insns 10000 >/dev/null 2>&1; rc=$?
	"$BPFBOX" disasm rand$i.bin >/dev/null 2>&1; rc2=$?
	"$BPFBOX" disasm --raw --mnemonic rand$i.bin >/dev/null 2>&1; rc3=$?
	t "random-$i" 0 '' '' -- test $rc -le 1 -a $rc2 -le 1 -a $rc3 -le 1
done

summary

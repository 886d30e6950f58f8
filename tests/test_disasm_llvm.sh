#!/usr/bin/env bash
# tests/test_disasm_llvm.sh - the disassembler and the assembler against
# LLVM's (llvm-19, installed by mk/deps.mk): the expected text and bytes
# come from llvm-objdump-19 and llvm-mc-19, never from bpfbox.
#
#   objdump-SECTION  every code section of every BPF object the build
#                    compiles ($BUILD/examples/*.o, $BUILD/bpf/*.o):
#                    `bpfbox disasm --raw` of the section's bytes
#                    (llvm-objcopy-19 --dump-section) line for line against
#                    `llvm-objdump-19 -d` of the object (index, bytes, text)
#   forms-objdump    one instance of every instruction form, the bytes
#                    written out below and put into an object by llvm-mc-19
#                    (.byte directives, so no assembler of ours is involved):
#                    the same comparison
#   asm-SECTION      bpfbox asm of llvm-objdump's listing gives the
#                    section's bytes back
#   mc-SECTION       llvm-mc-19 of bpfbox's disassembly gives the bytes back
#                    (lines in a spelling LLVM lacks are passed as .byte)
#   pinned-bytes     the bytes pinned in tests/test_asm.c (BYTES, LLVM
#                    syntax) against llvm-mc-19 -show-encoding
#   pinned-disasm    the texts pinned in tests/test_asm.c (DIS) against
#                    llvm-objdump-19 of the same bytes
#
# Deliberate differences (docs/ASSEMBLY.md), and all that llvm_norm changes
# in LLVM's text before the comparison:
#   - bpfbox prints memory offsets, jump offsets and helper numbers in
#     decimal, as the kernel's verifier log does (whose lines reuse this
#     disassembler) and LLVM up to 17 did; LLVM 19 prints them in hex:
#     `(r10 - 0x8)`, `goto +0x2`, `call 0x1`. Those three fields are
#     converted to decimal; every other number is compared as printed.
#   - a local call (src_reg 1) is `call pc-3` in bpfbox, as in the kernel's
#     log; LLVM prints `call -0x3`, the same as a helper call.
#   - loads and stores of 8, 16 and 32 bits name the register `r1`, as the
#     kernel's log and LLVM without alu32 do; LLVM 19 for cpu v3/v4 prints
#     `w1 = *(u32 *)(r2 + 0)` and `*(u32 *)(r10 - 8) = w1`. (32-bit atomics
#     use w registers in both.) llvm-objdump runs with --mcpu=v4, as only
#     then does it decode 32-bit atomic fetch, xchg and cmpxchg.
#   - LLVM's symbolic jump annotation (` <func+0x60>`) is dropped, and its
#     `<unknown>` is bpfbox's `.invalid opcode 0xNN` (both: `.invalid`).
#   - not compared: pseudo lddw (src_reg 1-6: bpfbox prints the kernel's
#     `map[fd:3] ll`, LLVM `ld_pseudo r1, 0x1, 0x3`), kfunc calls (src_reg
#     2: `call kfunc:7`, LLVM `call 0x7`) and ldind with a non-zero imm
#     (`skb[r1 - 4]`: LLVM has no spelling and prints `skb[r1]`).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_bpfbox

# LLVM's BPF disassembler and assembler, for the whole ISA (v4: 32-bit
# atomics with w registers, sign-extending loads and moves, bswap, gotol)
OBJCOPY=llvm-objcopy-19
objdump() { llvm-objdump-19 --mcpu=v4 "$@"; }
mc() { llvm-mc-19 -triple bpfel -mcpu=v4 "$@"; }
for tool in llvm-objdump-19 llvm-objcopy-19 llvm-mc-19; do
	command -v $tool >/dev/null && continue
	echo "FAIL: $tool missing (mk/deps.mk installs llvm-19: make installs it, or apt-get install llvm-19)"
	echo "0 passed, 1 failed"
	exit 1
done

# picked NAME: is the case NAME selected by TL_CASE (make test CASE=...)?
picked() {
	# shellcheck disable=SC2053
	[[ -z ${TL_CASE:-} || $1 == $TL_CASE || $1 == *"$TL_CASE"* ]]
}

# same NAME WANT_FILE GOT_FILE: one check, the first differing lines on failure
same() {
	if cmp -s "$2" "$3"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $1: llvm (<) vs bpfbox (>):"
		diff "$2" "$3" | grep '^[<>]' | head -n 12 | sed 's/^/    /'
	fi
}

# llvm_norm: llvm-objdump -d lines of instructions ("IDX:\tBYTES\tTEXT"),
# with the deliberate differences above normalised
llvm_norm() {
	grep -P '^ *[0-9]+:\t' | sed -E 's/^ +//' | perl -pe '
		s/ <[^<>]*>$//;
		s/\b(r\d+) ([+-]) 0x([0-9a-f]+)\b/"$1 $2 " . hex($3)/ge;
		s/\t<unknown>$/\t.invalid/;
		s/\tw(\d+) = \*\(u(8|16|32) \*\)/\tr$1 = *(u$2 *)/;
		s/(\t\*\(u(8|16|32) \*\)\(r\d+ [+-] \d+\) = )w(\d+)$/$1r$3/;
		s/\b(goto|gotol) ([+-])0x([0-9a-f]+)/"$1 $2" . hex($3)/ge;
		if (/^\d+:\t85 0/) { s/\tcall 0x([0-9a-f]+)$/"\tcall " . hex($1)/e; }
		if (/^\d+:\t85 1/) { s/\tcall (-?)0x([0-9a-f]+)$/sprintf("\tcall pc%+d", ($1 ? -1 : 1) * hex($2))/e; }'
}

# bpfbox_raw BIN: bpfbox disasm --raw lines, in the same form
bpfbox_raw() {
	"$BPFBOX" disasm --raw "$1" 2>/dev/null | sed -E 's/^ +//; s/\t\.invalid opcode 0x..$/\t.invalid/'
}

# not_compared: drop the lines of forms whose spelling is not compared (above)
not_compared() {
	grep -vP '^\d+:\t(18 [1-6]|85 2|(40|48|50) .. .. .. (?!00 00 00 00))'
}

# bin_of OBJ SECTION OUT: the section's bytes
bin_of() {
	$OBJCOPY --dump-section "$2=$3" "$1" "$T/scratch.o"
}

# mc_bin SRC OUT: llvm-mc-19's bytes for the .s file SRC (its .text)
mc_bin() {
	mc -filetype=obj "$1" -o "$T/mc.o" && $OBJCOPY --dump-section ".text=$2" "$T/mc.o" "$T/scratch.o"
}

# mc_source RAWLIST: bpfbox's disassembly as llvm-mc input; a line in a
# spelling LLVM lacks (pc-relative or kfunc call, pseudo lddw, invalid
# opcode) is passed as its bytes, and so is a gotol beyond 16 bits
# (llvm-mc-19 reads a numeric gotol target as 16 bits only)
mc_source() {
	perl -ne '
		next unless /^\s*\d+:\t([0-9a-f ]+)\t(.*)$/;
		my ($b, $t) = ($1, $2);
		my $raw = $t =~ /^\.invalid|call (pc|kfunc)|\]|ll$/ &&
			  $t !~ /^r\d+ = -?0x[0-9a-f]+ ll$|skb\[r\d+\]|skb\[-?0x/;
		$raw ||= $t =~ /^gotol ([+-]\d+)$/ && abs($1) > 32767;
		if ($raw) {
			print ".byte ", join(", ", map { "0x$_" } split / /, $b), "\n";
		} else {
			print "$t\n";
		}' "$1"
}

# objdump_asm OBJ SECTION: bpfbox asm of llvm-objdump's listing (as printed)
objdump_asm() {
	objdump -d -j "$2" "$1" >"$T/listing.txt"
	"$BPFBOX" asm "$T/listing.txt" -o "$T/relisted.bin"
}

# insn_hex BIN: one instruction slot (8 bytes) in hex per line
insn_hex() {
	od -An -v -tx1 -w8 "$1" | sed 's/^ //'
}

# ---- objects --------------------------------------------------------------------
nsect=0
for obj in "$BUILD"/examples/*.o "$BUILD"/bpf/*.o; do
	need_file "$obj" || continue
	base=$(basename "$obj" .o)
	while IFS= read -r sec; do
		name="$base:$sec"
		picked "objdump-$name" || picked "asm-$name" || picked "mc-$name" || continue
		nsect=$((nsect + 1))
		bin_of "$obj" "$sec" sec.bin || { fail=$((fail + 1)); echo "FAIL objdump-$name: llvm-objcopy"; continue; }
		objdump -d -j "$sec" "$obj" | llvm_norm | not_compared >want.txt
		bpfbox_raw sec.bin | not_compared >got.txt
		picked "objdump-$name" && same "objdump-$name" want.txt got.txt
		if picked "asm-$name"; then
			# LLVM spells a local call like a helper call (no src_reg):
			# compare the bytes with the src_reg of those calls cleared
			objdump_asm "$obj" "$sec" 2>asm.err || true
			insn_hex sec.bin | sed -E 's/^85 1(.)/85 0\1/' >want.txt
			insn_hex "$T/relisted.bin" 2>/dev/null >got.txt
			[[ -s asm.err ]] && echo "    asm-$name: $(head -n 3 asm.err)"
			same "asm-$name" want.txt got.txt
		fi
		if picked "mc-$name"; then
			"$BPFBOX" disasm --raw sec.bin >raw.txt
			mc_source raw.txt >mc.s
			if mc_bin mc.s mc.bin 2>mc.err; then
				insn_hex sec.bin >want.txt
				insn_hex mc.bin >got.txt
				same "mc-$name" want.txt got.txt
			else
				fail=$((fail + 1))
				echo "FAIL mc-$name: llvm-mc-19 refused bpfbox's text: $(head -n 4 mc.err)"
			fi
		fi
	done < <(objdump -d "$obj" | sed -n 's/^Disassembly of section \(.*\):$/\1/p')
done
[[ -n ${TL_CASE:-} ]] || t objects-found 0 '' '' -- test "$nsect" -ge 40

# ---- every instruction form -------------------------------------------------------
# ins CODE DST SRC OFF IMM: one instruction as a .byte line (little-endian:
# code, src<<4|dst, off, imm)
ins() {
	local c=$1 d=$2 s=$3 o=$4 i=$5
	printf '.byte 0x%02x, 0x%02x, 0x%02x, 0x%02x, 0x%02x, 0x%02x, 0x%02x, 0x%02x\n' \
		$((c)) $(((s << 4) | d)) $((o & 255)) $(((o >> 8) & 255)) \
		$((i & 255)) $(((i >> 8) & 255)) $(((i >> 16) & 255)) $(((i >> 24) & 255))
}
{
	for cls in 0x07 0x04; do # ALU64, ALU
		for op in 0x00 0x10 0x20 0x30 0x40 0x50 0x60 0x70 0x90 0xa0 0xb0 0xc0; do
			ins $((op | cls)) 1 0 0 -17            # K
			ins $((op | cls)) 1 0 0 0x7fffffff
			ins $((op | cls | 0x08)) 1 2 0 0       # X
		done
		for op in 0x30 0x90; do                # sdiv, smod
			ins $((op | cls)) 1 0 1 -4
			ins $((op | cls | 0x08)) 3 4 1 0
		done
		ins $((0x80 | cls)) 1 0 0 0                # neg
		ins $((0xb8 | cls)) 1 2 8 0                # movsx
		ins $((0xb8 | cls)) 1 2 16 0
		for w in 16 32 64; do ins $((0xd0 | cls)) 5 0 0 $w; done
	done
	for w in 16 32 64; do ins 0xdc 5 0 0 $w; done   # be (0xd4: le, 0xd7: bswap)
	ins 0xdf 1 0 0 16; ins 0x8f 1 2 0 0             # no such instructions
	ins 0xbf 1 2 32 0
	for cls in 0x05 0x06; do # JMP, JMP32
		for op in 0x10 0x20 0x30 0x40 0x50 0x60 0x70 0xa0 0xb0 0xc0 0xd0; do
			ins $((op | cls)) 1 0 -8 -17
			ins $((op | cls)) 9 0 300 0x12345
			ins $((op | cls | 0x08)) 1 2 3 0
		done
	done
	ins 0x05 0 0 -2 0; ins 0x05 0 0 0x7fff 0; ins 0x06 0 0 0 5; ins 0x06 0 0 0 -70000
	ins 0x85 0 0 0 6; ins 0x85 0 0 0 212; ins 0x85 0 1 0 -3; ins 0x85 0 1 0 7
	ins 0x8d 2 0 0 0; ins 0x95 0 0 0 0
	for c in 0x61 0x69 0x71 0x79 0x81 0x89 0x91; do ins $c 1 2 -8 0; ins $c 0 10 32767 0; done
	for c in 0x62 0x6a 0x72 0x7a; do ins $c 10 0 4 0x7f; ins $c 1 0 -32768 -1; done
	for c in 0x63 0x6b 0x73 0x7b; do ins $c 10 2 -8 0; done
	for c in 0xc3 0xdb; do
		for i in 0x00 0x40 0x50 0xa0 0x01 0x41 0x51 0xa1 0xe1 0xf1; do ins $c 10 2 -8 $i; done
	done
	for c in 0x20 0x28 0x30; do ins $c 0 0 0 12; ins $c 0 0 0 -2; done
	for c in 0x40 0x48 0x50; do ins $c 0 3 0 0; done
	ins 0x18 1 0 0 0x55667788; ins 0x00 0 0 0 0x11223344        # lddw
	ins 0x18 9 0 0 -1; ins 0x00 0 0 0 -1
	ins 0x18 0 0 0 0; ins 0x00 0 0 0 1
} >forms.s
if picked forms-objdump; then
	if mc_bin forms.s forms.bin 2>mc.err; then
		mc -filetype=obj forms.s -o forms.o
		objdump -d forms.o | llvm_norm >want.txt
		bpfbox_raw forms.bin >got.txt
		same forms-objdump want.txt got.txt
	else
		fail=$((fail + 1)); echo "FAIL forms-objdump: llvm-mc-19: $(head -n 3 mc.err)"
	fi
fi
if picked forms-mc; then
	"$BPFBOX" disasm --raw forms.bin >raw.txt 2>/dev/null
	mc_source raw.txt >mc.s
	if mc_bin mc.s mc.bin 2>mc.err; then
		insn_hex forms.bin >want.txt
		insn_hex mc.bin >got.txt
		same forms-mc want.txt got.txt
	else
		fail=$((fail + 1)); echo "FAIL forms-mc: llvm-mc-19 refused bpfbox's text: $(head -n 4 mc.err)"
	fi
fi

# ---- the values pinned in tests/test_asm.c ---------------------------------------------
# BYTES("stmt", "hex") of one LLVM-syntax statement: llvm-mc-19's encoding
# wherever llvm-mc accepts the spelling (kernel-log spellings, pseudo lddw,
# kfunc and local calls, labels: hand-encoded there, see its comments)
if picked pinned-bytes; then
	sed -n '/^static void test_llvm(void)/,/^}/p' "$ROOT/tests/test_asm.c" |
		perl -ne 'print "$1\t$2\n" if /^\s*BYTES\("((?:[^"\\]|\\.)*)", "([0-9a-f]+)"\);/ && $1 !~ /\\n/' >pinned.txt
	checked=0 bad=0 deliberate=0
	while IFS=$'\t' read -r stmt hex; do
		enc=$(printf '%s\n' "$stmt" | mc -show-encoding 2>/dev/null |
			sed -n 's/.*# encoding: \[\(.*\)\]$/\1/p' | sed 's/0x//g; s/,//g')
		# not accepted, or read as a symbol (a fixup, 'A'): not LLVM's spelling
		[[ -n $enc && $enc != *"'"* ]] || continue
		# deliberate: `r1 = IMM` without ll and IMM outside s32 is a 64-bit
		# load of IMM in bpfbox; llvm-mc truncates it to a 32-bit mov
		# (`r1 = 0xffffffff` would load -1)
		if [[ $stmt =~ ^r[0-9]+\ =\ [-0-9a-fx]+$ && $hex == 18* && $enc == b7* ]]; then
			deliberate=$((deliberate + 1)); continue
		fi
		checked=$((checked + 1))
		[[ $enc == "$hex" ]] || { bad=$((bad + 1)); echo "    pinned-bytes: '$stmt': test_asm.c $hex, llvm-mc-19 $enc"; }
	done <pinned.txt
	echo "    pinned-bytes: $checked of $(wc -l <pinned.txt) BYTES of test_llvm() checked against llvm-mc-19 ($deliberate deliberate differences)"
	t pinned-bytes 0 '0 differ' '' -- echo "$bad differ"
	t pinned-bytes-most 0 '' '' -- test "$checked" -ge 75
fi
# DIS("hex", "text"): llvm-objdump-19's text of the same bytes, normalised
if picked pinned-disasm; then
	sed -n '/^static void test_disasm(void)/,/^}/p' "$ROOT/tests/test_asm.c" |
		perl -ne 'print "$1\t$2\n" if /^\s*DIS\("([0-9a-f]+)", "((?:[^"\\]|\\.)*)"\);/' >pinned.txt
	: >pd.s
	while IFS=$'\t' read -r hex text; do
		printf '.byte %s\n' "$(echo "$hex" | sed -E 's/(..)/0x\1, /g; s/, $//')" >>pd.s
	done <pinned.txt
	mc -filetype=obj pd.s -o pd.o
	objdump -d pd.o | llvm_norm | sed -E 's/^[0-9]+:\t[0-9a-f ]+\t//' >llvm.txt
	paste pinned.txt llvm.txt | perl -F'\t' -lane '
		next if $F[0] =~ /^(18[1-6]|852)/ || $F[0] =~ /^(40|48|50)......(?!00000000)/;
		print "$F[1]\t$F[2]"' >pairs.txt
	cut -f2 pairs.txt >want.txt
	cut -f1 pairs.txt >got.txt
	same pinned-disasm want.txt got.txt
	t pinned-disasm-most 0 '' '' -- test "$(wc -l <pairs.txt)" -ge 30
fi

summary

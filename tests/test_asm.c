/*
 * test_asm.c - the assembler and disassembler: bytes of every syntax form,
 * exact error messages, garbage input, and disasm -> asm round trips of
 * every table row in both syntaxes.
 */
#include "testlib.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfbox/bpfbox.h"
#include "isa/isa.h"

/* ---- helpers ------------------------------------------------------------ */

/* Collected log messages, one per line. */
static char logbuf[16384];
static size_t loglen;

static void collect(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	size_t n = strlen(msg);
	if (loglen + n + 2 < sizeof(logbuf)) {
		memcpy(logbuf + loglen, msg, n);
		loglen += n;
		logbuf[loglen++] = '\n';
		logbuf[loglen] = '\0';
	}
}

/* Assemble text; returns the error and the bytes as hex in `hex`. */
static int assemble(const char *text, size_t len, int syntax, const char *file, char *hex,
		    size_t hexsz, struct bpfbox_insn **out, size_t *cnt)
{
	BPFBOX_OPTS(bpfbox_asm_opts, ao, .filename = file, .syntax = syntax, .log = collect);
	struct bpfbox_insn *insns = NULL;
	size_t n = 0, o = 0;
	int err;

	loglen = 0;
	logbuf[0] = '\0';
	err = bpfbox_asm(text, len, &ao, &insns, &n);
	if (hex && hexsz)
		hex[0] = '\0';
	for (size_t i = 0; hex && !err && i < n * 8 && o + 3 < hexsz; i++)
		o += (size_t)snprintf(hex + o, hexsz - o, "%02x", ((unsigned char *)insns)[i]);
	if (out) {
		*out = insns;
		*cnt = n;
	} else {
		free(insns);
	}
	return err;
}

/* One statement (or program) must assemble to exactly `want` (hex). */
static void check_bytes(int line, int syntax, const char *src, const char *want)
{
	char hex[1024];
	int err = assemble(src, strlen(src), syntax, "t.s", hex, sizeof(hex), NULL, NULL);

	CHECK_MSG(err == 0 && strcmp(hex, want) == 0,
		  "line %d: '%s' (syntax %d): err %d, got %s, want %s; log: %s", line, src, syntax,
		  err, hex, want, logbuf);
}
#define BYTES(src, want) check_bytes(__LINE__, BPFBOX_SYNTAX_AUTO, src, want)
#define BYTES_S(syn, src, want) check_bytes(__LINE__, syn, src, want)

/* Assembling must fail with exactly this log text (lines joined by \n). */
static void check_error(int line, const char *src, const char *want)
{
	int err = assemble(src, strlen(src), BPFBOX_SYNTAX_AUTO, "prog.s", NULL, 0, NULL, NULL);
	size_t n = strlen(logbuf);

	if (n && logbuf[n - 1] == '\n')
		logbuf[n - 1] = '\0';
	CHECK_MSG(err == -EINVAL && strcmp(logbuf, want) == 0,
		  "line %d: '%s': err %d, log \"%s\", want \"%s\"", line, src, err, logbuf, want);
}
#define ERROR(src, want) check_error(__LINE__, src, want)

/* ---- the LLVM / kernel syntax ------------------------------------------- */

/*
 * Where the bytes come from: for every statement that llvm-mc-19 accepts,
 * they are llvm-mc-19 -show-encoding's (tests/test_disasm_llvm.sh,
 * pinned-bytes, re-checks each line of test_llvm() against it). The others
 * (kernel-log spellings, pseudo lddw, local and kfunc calls, helper names,
 * labels, 64-bit values without ll) are encoded by hand from the layout:
 * code, dst | src << 4, off (le16), imm (le32); the pseudo lddw src values
 * are <linux/bpf.h>'s BPF_PSEUDO_MAP_FD (1) .. BPF_PSEUDO_MAP_IDX_VALUE (6),
 * BPF_PSEUDO_CALL (1) and BPF_PSEUDO_KFUNC_CALL (2).
 */

static void test_llvm(void)
{
	/* loads and stores */
	BYTES("r0 = *(u32 *)(r1 + 4)", "6110040000000000");
	BYTES("r0 = *(u32 *)(r1 +4)", "6110040000000000");
	BYTES("w0 = *(u32 *)(r1 + 0x4)", "6110040000000000");
	BYTES("r1 = *(u64 *)(r10 - 0x8)", "79a1f8ff00000000");
	BYTES("*(u64 *)(r10 - 8) = r1", "7b1af8ff00000000");
	BYTES("*(u32 *)(r10 -8) = w1", "631af8ff00000000");
	BYTES("*(u16 *)(r10 - 2) = r3", "6b3afeff00000000");
	BYTES("*(u8 *)(r1 + 0) = 5", "7201000005000000");
	BYTES("*(u32 *)(r10 - 8) = 0x5", "620af8ff05000000");
	BYTES("r1 = *(s8 *)(r2 + 0)", "9121000000000000");
	BYTES("r1 = *(s32 *)(r2 - 4)", "8121fcff00000000");
	/* ALU */
	BYTES("w1 += w2", "0c21000000000000");
	BYTES("r1 += 0x5", "0701000005000000");
	BYTES("r1 += -1", "07010000ffffffff");
	BYTES("r1 -= r2", "1f21000000000000");
	BYTES("w3 *= 7", "2403000007000000");
	BYTES("r1 /= r2", "3f21000000000000");
	BYTES("r1 s>>= 3", "c701000003000000");
	BYTES("r1 <<= 3", "6701000003000000");
	BYTES("w1 >>= w2", "7c21000000000000");
	BYTES("r1 s/= r2", "3f21010000000000");
	BYTES("w1 s/= -4", "34010100fcffffff");
	BYTES("r1 s%= r2", "9f21010000000000");
	BYTES("r1 %= 3", "9701000003000000");
	BYTES("r1 |= r2", "4f21000000000000");
	BYTES("r1 &= 0xff", "57010000ff000000");
	BYTES("r1 ^= r2", "af21000000000000");
	BYTES("r1 = -r1", "8701000000000000");
	BYTES("w1 = -w1", "8401000000000000");
	BYTES("r1 = r2", "bf21000000000000");
	BYTES("w1 = w2", "bc21000000000000");
	BYTES("r1 = (s8)r2", "bf21080000000000");
	BYTES("r1 = (s32)r2", "bf21200000000000");
	BYTES("w1 = (s16)w2", "bc21100000000000");
	BYTES("r0 = 0x1", "b700000001000000");
	BYTES("r0 = -0x1", "b7000000ffffffff");
	BYTES("w1 = 0xffffffff", "b4010000ffffffff");
	BYTES("r1 = 0x7fffffff", "b7010000ffffff7f");
	BYTES("r1 = -2147483648", "b701000000000080");
	BYTES("r1 = be16 r1", "dc01000010000000");
	BYTES("r1 = le32 r1", "d401000020000000");
	BYTES("r1 = be64 r1", "dc01000040000000");
	BYTES("r1 = bswap64 r1", "d701000040000000");
	BYTES("r1 = bswap16 r1", "d701000010000000");
	/* jumps */
	BYTES("if r1 s> 0x5 goto +3", "6501030005000000");
	BYTES("if r1 > r2 goto -2", "2d21feff00000000");
	BYTES("if w1 == 0x0 goto pc+1", "1601010000000000");
	BYTES("if r1 s<= -0x1 goto +0", "d5010000ffffffff");
	BYTES("if w1 != w2 goto +1", "5e21010000000000");
	BYTES("if r1 >= 3 goto +1", "3501010003000000");
	BYTES("if r1 < r2 goto +1", "ad21010000000000");
	BYTES("if r1 <= 3 goto +1", "b501010003000000");
	BYTES("if r1 s< r2 goto +1", "cd21010000000000");
	BYTES("if r1 s>= r2 goto +1", "7d21010000000000");
	BYTES("if r1 & 0x4 goto +1", "4501010004000000");
	BYTES("goto +2", "0500020000000000");
	BYTES("goto -1", "0500ffff00000000");
	BYTES("goto pc-3", "0500fdff00000000");
	BYTES("goto +0x3 <LBB0_4>", "0500030000000000");
	BYTES("gotol +5", "0600000005000000");
	BYTES("gotol pc-2", "06000000feffffff");
	/* lddw */
	BYTES("r1 = 0x0 ll", "18010000000000000000000000000000");
	BYTES("r1 = 0x1122334455667788 ll", "18010000887766550000000044332211");
	BYTES("r1 = 0x1122334455667788", "18010000887766550000000044332211");
	BYTES("r1 = 0xffffffff", "18010000ffffffff0000000000000000");
	BYTES("r1 = -1 ll", "18010000ffffffff00000000ffffffff");
	BYTES("r1 = map[fd:3] ll", "18110000030000000000000000000000");
	BYTES("r1 = map[fd:3]", "18110000030000000000000000000000");
	BYTES("r1 = map[fd:3][0]+16 ll", "18210000030000000000000010000000");
	BYTES("r1 = btf_id[123] ll", "183100007b0000000000000000000000");
	BYTES("r1 = func[pc+5] ll", "18410000050000000000000000000000");
	BYTES("r1 = map[idx:2] ll", "18510000020000000000000000000000");
	BYTES("r1 = map[idx:2][0]+16 ll", "18610000020000000000000010000000");
	/* atomics */
	BYTES("lock *(u64 *)(r10 - 8) += r1", "db1af8ff00000000");
	BYTES("lock *(u32 *)(r1 + 0) += w2", "c321000000000000");
	BYTES("lock *(u64 *)(r1 + 0) |= r2", "db21000040000000");
	BYTES("lock *(u64 *)(r1 + 0) &= r2", "db21000050000000");
	BYTES("lock *(u64 *)(r1 + 0) ^= r2", "db210000a0000000");
	BYTES("lock *(u64 *)(r10 -8) += r1", "db1af8ff00000000");
	BYTES("r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)", "db01000001000000");
	BYTES("w0 = atomic_fetch_and((u32 *)(r1 + 0), w0)", "c301000051000000");
	BYTES("r2 = atomic_fetch_or((u64 *)(r1 + 8), r2)", "db21080041000000");
	BYTES("r2 = atomic_fetch_xor((u64 *)(r1 + 8), r2)", "db210800a1000000");
	BYTES("r1 = atomic64_fetch_add((u64 *)(r10 -8), r1)", "db1af8ff01000000");
	BYTES("r0 = xchg_64(r1 + 0, r0)", "db010000e1000000");
	BYTES("w0 = xchg32_32(r1 + 0, w0)", "c3010000e1000000");
	BYTES("r1 = atomic64_xchg((u64 *)(r10 -8), r1)", "db1af8ffe1000000");
	BYTES("r0 = cmpxchg_64(r1 + 0, r0, r2)", "db210000f1000000");
	BYTES("w0 = cmpxchg32_32(r1 + 0, w0, w2)", "c3210000f1000000");
	BYTES("r0 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r1)", "db1af8fff1000000");
	/* calls */
	BYTES("call 6", "8500000006000000");
	BYTES("call bpf_map_lookup_elem#1", "8500000001000000");
	BYTES("call pc+3", "8510000003000000");
	BYTES("call pc-3", "85100000fdffffff");
	BYTES("call kfunc:7", "8520000007000000");
	BYTES("call kfunc:7:2", "8520020007000000");
	BYTES("callx r2", "8d02000000000000");
	BYTES("exit", "9500000000000000");
	/* legacy packet loads */
	BYTES("r0 = *(u8 *)skb[23]", "3000000017000000");
	BYTES("r0 = *(u32 *)skb[0x10]", "2000000010000000");
	BYTES("r0 = *(u16 *)skb[r1 + 0]", "4810000000000000");
	BYTES("r0 = *(u8 *)skb[r2 - 4]", "50200000fcffffff");
	/* labels */
	BYTES("if r1 > 0x5 goto LBB0_2\nr0 = 1\nLBB0_2:\nexit",
	      "2501010005000000b7000000010000009500000000000000");
	BYTES("goto LBB0_2\nLBB0_2: exit", "05000000000000009500000000000000");
	BYTES("l: r0 = 0\ngotol l", "b70000000000000006000000feffffff");
	BYTES("call f\nexit\nf:\nexit", "851000000100000095000000000000009500000000000000");
	BYTES("r1 = func[f] ll\nexit\nf:\nexit",
	      "1841000002000000000000000000000095000000000000009500000000000000");
}

/* Listings of llvm-objdump and the kernel verifier log. */
static void test_listings(void)
{
	BYTES("      12:\tb7 00 00 00 00 00 00 00\tr0 = 0x0", "b700000000000000");
	BYTES("      12:\t b7 00 00 00 00 00 00 00\tr0 = 0x0", "b700000000000000");
	BYTES("       0:\t18 01 00 00 88 77 66 55 00 00 00 00 44 33 22 11\tr1 = 0x1122334455667788 ll",
	      "18010000887766550000000044332211");
	BYTES("12: (b7) r0 = 0", "b700000000000000");
	BYTES("3: (61) r0 = *(u32 *)(r1 +4)     ; R0_w=scalar() R1=ctx()", "6110040000000000");
	BYTES("0: R1=ctx() R10=fp0\n0: (b7) r0 = 0\n1: (95) exit", "b7000000000000009500000000000000");
	BYTES("5: (85) call bpf_map_lookup_elem#1", "8500000001000000");
	BYTES("7: (15) if r0 == 0x0 goto pc+1", "1500010000000000");
	BYTES("\no.o:\tfile format elf64-bpf\n\nDisassembly of section xdp:\n\n"
	      "0000000000000000 <xdp_prog>:\n       0:\tb7 00 00 00 02 00 00 00\tr0 = 2\n"
	      "       1:\t05 00 ff ff 00 00 00 00\tgoto -1 <xdp_prog>\n",
	      "b7000000020000000500ffff00000000");
	BYTES("0000000000000000 <f>:\n  r0 = 1\n  goto f", "b7000000010000000500feff00000000");
	BYTES("; int x = 0; // source line\nr0 = 0 # comment\nexit // done",
	      "b7000000000000009500000000000000");
}

/* ---- the conformance-suite syntax --------------------------------------- */

/* Hand-encoded as above; each is the mnemonic spelling of an LLVM form of
 * test_llvm() (same bytes where both exist). The conformance suite in
 * ../shared is written in this syntax: test_conformance runs it. */

static void test_mnemonic(void)
{
	BYTES("mov32 %r0, 1", "b400000001000000");
	BYTES("mov %r1, -1", "b7010000ffffffff");
	BYTES("mov32 %r1, 0xffffffff", "b4010000ffffffff");
	BYTES("mov %r1, %r2", "bf21000000000000");
	BYTES("add %r1, 5", "0701000005000000");
	BYTES("add32 %r1, %r2", "0c21000000000000");
	BYTES("sdiv %r1, %r2", "3f21010000000000");
	BYTES("smod32 %r1, -3", "94010100fdffffff");
	BYTES("arsh %r1, 3", "c701000003000000");
	BYTES("ldxw %r0, [%r1+4]", "6110040000000000");
	BYTES("ldxdw %r1, [%r10-8]", "79a1f8ff00000000");
	BYTES("ldxh %r0, [%r1]", "6910000000000000");
	BYTES("ldxb %r0, [%r1+0x10]", "7110100000000000");
	BYTES("ldxsb %r1, [%r2]", "9121000000000000");
	BYTES("stxdw [%r10-8], %r0", "7b0af8ff00000000");
	BYTES("stxb [%r10-1], %r0", "730affff00000000");
	BYTES("stw [%r10-4], 5", "620afcff05000000");
	BYTES("stdw [%r10-8], -1", "7a0af8ffffffffff");
	BYTES("lddw %r0, 0x123456789abcdef0", "18000000f0debc9a0000000078563412");
	BYTES("lddw %r0, 0xFFFFFFFFFFFFFFFF", "18000000ffffffff00000000ffffffff");
	BYTES("lddw %r0, -2", "18000000feffffff00000000ffffffff");
	BYTES("lddw %r1, 18446744073709551615", "18010000ffffffff00000000ffffffff");
	BYTES("lddw_map_fd %r1, 3", "18110000030000000000000000000000");
	BYTES("lddw_map_value %r1, 3, 16", "18210000030000000000000010000000");
	BYTES("lock add [%r10-8], %r1", "db1af8ff00000000");
	BYTES("lock fetch add [%r10-8], %r1", "db1af8ff01000000");
	BYTES("lock  fetch   add32 [%r10-8], %r1", "c31af8ff01000000");
	BYTES("lock add32 [%r10-8], %r1", "c31af8ff00000000");
	BYTES("lock or32 [%r10-4], %r1", "c31afcff40000000");
	BYTES("lock xchg32 [%r10-8], %r1", "c31af8ffe1000000");
	BYTES("lock xchg [%r10-8], %r1", "db1af8ffe1000000");
	BYTES("lock cmpxchg [%r10-8], %r1", "db1af8fff1000000");
	BYTES("lock cmpxchg32 [%r10-8], %r1", "c31af8fff1000000");
	BYTES("be16 %r0", "dc00000010000000");
	BYTES("le32 %r0", "d400000020000000");
	BYTES("bswap16 %r0", "d700000010000000");
	BYTES("swap16 %r0", "d700000010000000");
	BYTES("swap64 %r0", "d700000040000000");
	BYTES("neg32 %r0", "8400000000000000");
	BYTES("neg %r3", "8703000000000000");
	BYTES("movsx832 %r0, %r1", "bc10080000000000");
	BYTES("movsx3264 %r0, %r1", "bf10200000000000");
	BYTES("jne %r1, 0, fail\nexit\nfail:\nexit",
	      "550101000000000095000000000000009500000000000000");
	BYTES("jsle %r1, %r2, +1", "dd21010000000000");
	BYTES("jeq32 %r1, 0x10, -1", "1601ffff10000000");
	BYTES("ja +3", "0500030000000000");
	BYTES("ja32 target\nexit\ntarget:\nexit",
	      "060000000100000095000000000000009500000000000000");
	BYTES("call 5", "8500000005000000");
	BYTES("call local func1\nexit\nfunc1:\nexit",
	      "851000000100000095000000000000009500000000000000");
	BYTES("call %r2", "8d02000000000000");
	BYTES("callx %r2", "8d02000000000000");
	BYTES("call kfunc 7", "8520000007000000");
	BYTES("exit", "9500000000000000");
	BYTES("ldabsb 0x17", "3000000017000000");
	BYTES("ldindh %r1, 0", "4810000000000000");
	BYTES("# comment\nmov %r0, 1 # trailing\n; also\nexit // too",
	      "b7000000010000009500000000000000");
	/* a jump to an undefined "exit" goes to the first exit instruction */
	BYTES("jeq %r1, %r2, exit\nexit\nmov %r0, 1\njeq %r1, %r2, exit\nexit",
	      "1d21000000000000" "9500000000000000" "b700000001000000" "1d21fdff00000000" "9500000000000000");
	/* ...but a defined label "exit" wins */
	BYTES("ja exit\nexit\nexit:\nexit", "050001000000000095000000000000009500000000000000");
	/* both syntaxes in one file */
	BYTES("mov %r0, 1\nr0 += 2\nexit", "b70000000100000007000000020000009500000000000000");
	/* forcing a syntax */
	BYTES_S(BPFBOX_SYNTAX_MNEMONIC, "exit", "9500000000000000");
	BYTES_S(BPFBOX_SYNTAX_LLVM, "r0 = 1", "b700000001000000");
}

/* ---- errors -------------------------------------------------------------- */

/* The messages are bpfbox's specification (docs/ASSEMBLY.md), not an
 * oracle's output: no other assembler reads this syntax. */

static void test_errors(void)
{
	ERROR("mov %r0, 1\nexit\nmovv %r0, 1", "prog.s:3: error: unknown instruction 'movv'");
	ERROR("jne %r1, 0, fail\nexit", "prog.s:1: error: undefined label 'fail'");
	ERROR("mov32 %r0, 0x1ffffffff", "prog.s:1: error: immediate 0x1ffffffff does not fit in 32 bits");
	ERROR("mov %r0, -2147483649", "prog.s:1: error: immediate -2147483649 does not fit in 32 bits");
	ERROR("exit\nexit\nexit\nmov %r11, 1", "prog.s:4: error: invalid register r11");
	ERROR("r11 = 1", "prog.s:1: error: invalid register r11");
	ERROR("ldxw %r0, [%r1+40000]", "prog.s:1: error: offset +40000 does not fit in 16 bits");
	ERROR("r0 = *(u32 *)(r1 - 32769)", "prog.s:1: error: offset -32769 does not fit in 16 bits");
	ERROR("lddw %r0, 0x10000000000000000", "prog.s:1: error: number 0x10000000000000000 does not fit in 64 bits");
	ERROR("", "prog.s: error: no instructions");
	loglen = 0;
	CHECK_EQ_INT(bpfbox_asm("\n", 1, &(struct bpfbox_asm_opts){ .sz = sizeof(struct bpfbox_asm_opts),
		     .log = collect }, &(struct bpfbox_insn *){ NULL }, &(size_t){ 0 }), -EINVAL);
	CHECK_STR(logbuf, "<input>: error: no instructions\n");
	ERROR("# only a comment\n\nfoo:\n", "prog.s: error: no instructions");
	ERROR("a:\nexit\na:\nexit", "prog.s:3: error: duplicate label 'a' (first defined on line 1)");
	ERROR("r1 = 5 junk", "prog.s:1: error: unexpected 'junk' after instruction");
	ERROR("mov %r0 1", "prog.s:1: error: expected ',', found '1'");
	ERROR("mov %r0,", "prog.s:1: error: expected a register or an immediate at end of line");
	ERROR("r1 ?= 3", "prog.s:1: error: expected an assignment operator (=, +=, ...), found '?= 3'");
	ERROR("*(u24 *)(r1 + 0) = r2", "prog.s:1: error: expected a type (u8, u16, u32, u64), found 'u24 *)(r1 + 0) = r2'");
	ERROR("r1 = be8 r1", "prog.s:1: error: unknown operation 'be8'");
	ERROR("w1 = 0x1122334455 ll", "prog.s:1: error: a 64-bit load (ll) needs an r register");
	ERROR("r1 = -r2", "prog.s:1: error: negation must use the destination register (r1 = -r1)");
	ERROR("r1 = atomic_fetch_add((u64 *)(r1 + 0), r2)",
	      "prog.s:1: error: atomic_fetch_add returns the old value in its operand register r2, not r1");
	ERROR("r1 = atomic_frob((u64 *)(r1 + 0), r1)", "prog.s:1: error: unknown atomic operation 'atomic_frob'");
	ERROR("ja +40000", "prog.s:1: error: jump offset 40000 is out of range (16 bits)");
	ERROR("= 3", "prog.s:1: error: unknown instruction '= 3'");
	ERROR("exit\n\x01\x02zz", "prog.s:2: error: unknown instruction '\\x01\\x02zz'");
	ERROR("lddw_map_fd %r1, 3, 5", "prog.s:1: error: unexpected ', 5' after instruction");
	ERROR("goto", "prog.s:1: error: expected a jump target (+N, -N or a label) at end of line");
	/* several errors are all reported, in line order */
	ERROR("movv\nexit\nr1 = r12\nja nowhere",
	      "prog.s:1: error: unknown instruction 'movv'\n"
	      "prog.s:3: error: invalid register r12\n"
	      "prog.s:4: error: undefined label 'nowhere'");

	/* at most 20, then a note */
	char src[2000] = "";
	for (int i = 0; i < 30; i++)
		strcat(src, "bad\n");
	CHECK_EQ_INT(assemble(src, strlen(src), 0, "x.s", NULL, 0, NULL, NULL), -EINVAL);
	int lines = 0;
	for (char *p = logbuf; *p; p++)
		lines += *p == '\n';
	CHECK_EQ_INT(lines, 21);
	CHECK(strstr(logbuf, "x.s:20: error: too many errors, giving up") != NULL);

	/* NUL bytes */
	static const char nul[] = "exit\nr0 = \0 1\nexit";
	CHECK_EQ_INT(assemble(nul, sizeof(nul) - 1, 0, "n.s", NULL, 0, NULL, NULL), -EINVAL);
	CHECK_STR(logbuf, "n.s:2: error: invalid NUL byte in line\n");

	/* bad arguments */
	struct bpfbox_insn *out;
	size_t cnt;
	CHECK_EQ_INT(bpfbox_asm(NULL, 5, NULL, &out, &cnt), -EINVAL);
	CHECK_EQ_INT(bpfbox_asm("exit", 4, NULL, NULL, &cnt), -EINVAL);
	CHECK_EQ_INT(bpfbox_asm("exit", 4, NULL, &out, &cnt), 0);
	free(out);
}

/* ---- disassembler -------------------------------------------------------- */

/* The LLVM-syntax texts of DIS are llvm-objdump-19's for the same bytes,
 * with the deliberate differences docs/ASSEMBLY.md lists
 * (tests/test_disasm_llvm.sh, pinned-disasm, re-checks them); pseudo lddw
 * and kfunc calls, which LLVM spells otherwise, are the kernel log's
 * spelling. The mnemonic texts (DISM) are bpfbox's syntax: they must
 * assemble back (test_rows_roundtrip). */

/* Disassemble the first instruction of `hex`. */
static void check_disasm(int line, const char *hexs, unsigned flags, const char *want, int want_ret)
{
	struct bpfbox_insn insns[4] = { 0 };
	unsigned char *b = (unsigned char *)insns;
	size_t n = strlen(hexs) / 2;
	char buf[160];

	for (size_t i = 0; i < n && i < sizeof(insns); i++)
		sscanf(hexs + 2 * i, "%2hhx", &b[i]);
	BPFBOX_OPTS(bpfbox_disasm_opts, o, .flags = flags);
	int r = bpfbox_disasm_insn(insns, n / 8, 0, &o, buf, sizeof(buf));
	CHECK_MSG(r == want_ret && strcmp(buf, want) == 0, "line %d: %s: got %d \"%s\", want %d \"%s\"",
		  line, hexs, r, buf, want_ret, want);
}
#define DIS(hex, want) check_disasm(__LINE__, hex, 0, want, (int)strlen(hex) / 16)
#define DISM(hex, want) check_disasm(__LINE__, hex, BPFBOX_DISASM_MNEMONIC, want, (int)strlen(hex) / 16)

static void test_disasm(void)
{
	DIS("b700000001000000", "r0 = 0x1");
	DIS("07010000ffffffff", "r1 += -0x1");
	DIS("2501030005000000", "if r1 > 0x5 goto +3");
	DIS("0500020000000000", "goto +2");
	DIS("0500ffff00000000", "goto -1");
	DIS("6110040000000000", "r0 = *(u32 *)(r1 + 4)");
	DIS("7b1af8ff00000000", "*(u64 *)(r10 - 8) = r1");
	DIS("631af8ff00000000", "*(u32 *)(r10 - 8) = r1");
	DIS("620af8ff05000000", "*(u32 *)(r10 - 8) = 0x5");
	DIS("0c21000000000000", "w1 += w2");
	DIS("1601010000000000", "if w1 == 0x0 goto +1");
	DIS("c321000000000000", "lock *(u32 *)(r1 + 0) += w2");
	DIS("c301000001000000", "w0 = atomic_fetch_add((u32 *)(r1 + 0), w0)");
	DIS("c3010000e1000000", "w0 = xchg32_32(r1 + 0, w0)");
	DIS("c3210000f1000000", "w0 = cmpxchg32_32(r1 + 0, w0, w2)");
	DIS("db1af8ff00000000", "lock *(u64 *)(r10 - 8) += r1");
	DIS("db01000001000000", "r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)");
	DIS("db010000e1000000", "r0 = xchg_64(r1 + 0, r0)");
	DIS("db210000f1000000", "r0 = cmpxchg_64(r1 + 0, r0, r2)");
	DIS("18010000887766550000000044332211", "r1 = 0x1122334455667788 ll");
	DIS("8500000006000000", "call 6");
	DIS("8510000003000000", "call pc+3");
	DIS("8d02000000000000", "callx r2");
	DIS("8520000007000000", "call kfunc:7");
	DIS("8520020007000000", "call kfunc:7:2");
	DIS("9500000000000000", "exit");
	DIS("0600000005000000", "gotol +5");
	DIS("bf21080000000000", "r1 = (s8)r2");
	DIS("dc01000010000000", "r1 = be16 r1");
	DIS("d701000020000000", "r1 = bswap32 r1");
	DIS("8701000000000000", "r1 = -r1");
	DIS("3000000017000000", "r0 = *(u8 *)skb[0x17]");
	DIS("4810000000000000", "r0 = *(u16 *)skb[r1]");
	DIS("50200000fcffffff", "r0 = *(u8 *)skb[r2 - 4]");
	DIS("18110000030000000000000000000000", "r1 = map[fd:3] ll");
	DIS("18210000030000000000000010000000", "r1 = map[fd:3][0]+16 ll");
	DIS("183100007b0000000000000000000000", "r1 = btf_id[123] ll");
	DIS("18410000050000000000000000000000", "r1 = func[pc+5] ll");
	DIS("18510000020000000000000000000000", "r1 = map[idx:2] ll");
	DIS("18610000020000000000000010000000", "r1 = map[idx:2][0]+16 ll");
	DISM("b400000001000000", "mov32 %r0, 0x1");
	DISM("6110040000000000", "ldxw %r0, [%r1+4]");
	DISM("5501030000000000", "jne %r1, 0x0, +3");
	DISM("8510000005000000", "call local +5");
	DISM("8d02000000000000", "callx %r2");
	DISM("db1af8ff01000000", "lock fetch add [%r10-8], %r1");
	DISM("18000000f0debc9a0000000078563412", "lddw %r0, 0x123456789abcdef0");
	DISM("18210000030000000000000010000000", "lddw_map_value %r1, 3, 16");
	DISM("18110000030000000000000000000000", "lddw_map_fd %r1, 3");
	DISM("8520020007000000", "call kfunc 7, 2");
	DISM("d700000010000000", "bswap16 %r0");
	check_disasm(__LINE__, "b700000001000000", BPFBOX_DISASM_RAW,
		     "       0:\tb7 00 00 00 01 00 00 00\tr0 = 0x1", 1);
	check_disasm(__LINE__, "18010000887766550000000044332211", BPFBOX_DISASM_RAW,
		     "       0:\t18 01 00 00 88 77 66 55 00 00 00 00 44 33 22 11\tr1 = 0x1122334455667788 ll", 2);
	/* errors */
	check_disasm(__LINE__, "ff00000000000000", 0, ".invalid opcode 0xff", -EINVAL);
	check_disasm(__LINE__, "1801000088776655", 0, ".invalid lddw: second half missing", -EINVAL);
	struct bpfbox_insn one = { .code = 0x95 };
	char buf[8];
	CHECK_EQ_INT(bpfbox_disasm_insn(&one, 1, 1, NULL, buf, sizeof(buf)), -ERANGE);
	/* truncation keeps the buffer terminated */
	CHECK_EQ_INT(bpfbox_disasm_insn(&one, 1, 0, NULL, buf, 3), 1);
	CHECK_STR(buf, "ex");
	CHECK_EQ_INT(bpfbox_disasm_insn(&one, 1, 0, NULL, NULL, 0), 1);
}

/* A canonical instance of table row `op` (two slots for lddw). */
static int row_insn(int op, struct bpfbox_insn in[2])
{
	const struct bx_opinfo *o = &bx_ops[op];
	int cls = BX_CLASS(o->code);

	memset(in, 0, 2 * sizeof(*in));
	in[0].code = o->code;
	in[0].dst_reg = 1;
	switch (o->fmt) {
	case BX_F_ALU: case BX_F_JCOND:
		if (BX_SRC(o->code))
			in[0].src_reg = 2;
		else
			in[0].imm = -0x11;
		if (o->fmt == BX_F_JCOND)
			in[0].off = 3;
		break;
	case BX_F_MOVSX: case BX_F_LDX: case BX_F_LDXSX: case BX_F_STX: case BX_F_AOP:
	case BX_F_AFETCH: case BX_F_XCHG: case BX_F_CMPXCHG:
		in[0].src_reg = 2;
		if (o->fmt != BX_F_MOVSX)
			in[0].off = -8;
		if (o->fmt == BX_F_STX || o->fmt == BX_F_AOP || o->fmt == BX_F_AFETCH ||
		    o->fmt == BX_F_XCHG || o->fmt == BX_F_CMPXCHG)
			in[0].dst_reg = 10;
		break;
	case BX_F_ST:
		in[0].off = 4;
		in[0].imm = 0x7f;
		break;
	case BX_F_JA: case BX_F_MAYGOTO: in[0].dst_reg = 0; in[0].off = -2; break;
	case BX_F_JA32: in[0].dst_reg = 0; in[0].imm = 5; break;
	case BX_F_CALL: in[0].dst_reg = 0; in[0].imm = 6; break;
	case BX_F_CALLX: in[0].dst_reg = 3; break;
	case BX_F_EXIT: in[0].dst_reg = 0; break;
	case BX_F_LDABS: in[0].dst_reg = 0; in[0].imm = 12; break;
	case BX_F_LDIND: in[0].dst_reg = 0; in[0].src_reg = 3; in[0].imm = -2; break;
	case BX_F_LDDW:
		in[0].imm = 7;
		in[1].imm = o->mval == 0 || o->mval == BX_PSEUDO_MAP_VALUE ||
			    o->mval == BX_PSEUDO_MAP_IDX_VALUE ? 16 : 0;
		break;
	default: break;
	}
	(void)cls;
	switch (o->match) {
	case BX_M_OFF: in[0].off = (int16_t)o->mval; break;
	case BX_M_IMM: in[0].imm = o->mval; break;
	case BX_M_SRC: in[0].src_reg = (uint8_t)o->mval; break;
	default: break;
	}
	return bx_op_slots(op);
}

/* Every row: disasm in each syntax (with and without RAW) assembles back. */
static void test_rows_roundtrip(void)
{
	static const unsigned flags[] = { 0, BPFBOX_DISASM_MNEMONIC, BPFBOX_DISASM_RAW,
					  BPFBOX_DISASM_RAW | BPFBOX_DISASM_MNEMONIC };
	for (int op = 0; op < BX_OP__COUNT; op++) {
		struct bpfbox_insn in[2];
		int n = row_insn(op, in);
		CHECK_MSG(bx_decode(in) == op, "row %s does not decode to itself", bx_ops[op].name);
		for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
			BPFBOX_OPTS(bpfbox_disasm_opts, o, .flags = flags[f]);
			char text[200];
			int r = bpfbox_disasm_insn(in, (size_t)n, 0, &o, text, sizeof(text));
			struct bpfbox_insn *out = NULL;
			size_t cnt = 0;
			int syn = (flags[f] & BPFBOX_DISASM_MNEMONIC) ? BPFBOX_SYNTAX_MNEMONIC :
								       BPFBOX_SYNTAX_LLVM;
			if (flags[f] & BPFBOX_DISASM_RAW)
				syn = BPFBOX_SYNTAX_AUTO;
			int err = assemble(text, strlen(text), syn, "rt", NULL, 0, &out, &cnt);
			CHECK_MSG(r == n && !err && cnt == (size_t)n &&
				  memcmp(out, in, (size_t)n * sizeof(*in)) == 0,
				  "row %s flags %u: \"%s\" (ret %d) -> err %d cnt %zu; log %s",
				  bx_ops[op].name, flags[f], text, r, err, cnt, logbuf);
			free(out);
		}
	}
}

/* ---- garbage ------------------------------------------------------------- */

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Random bytes and random token soup never crash; successes disassemble. */
static void test_garbage(void)
{
	static const char *const tok[] = {
		"r1", "w2", "%r3", "r11", "=", "+=", "s>>=", "*(u32 *)", "(", ")", "[", "]", "+",
		"-", "0x", "0xffffffffffffffffff", "-2147483649", "4294967295", "ll", "if", "goto",
		"gotol", "call", "callx", "exit", "lock", "atomic_fetch_add(", "xchg_64(",
		"cmpxchg32_32(", ",", "map[fd:", "map[idx:", "[0]+", "func[", "btf_id[",
		"skb[", "pc+", "label", "label:", "\n", "\n", "#", ";", "//", "mov", "lddw",
		"lock fetch add", "ldxw", "stw", "jne", "ja32", "local", "kfunc:", "<x>", "\t",
		" ", "12:", "(b7)", "b7 00", "\xff\xfe", "exit:", "0000 <f>:", "be16", "(s8)",
	};
	int ok = 0;
	char *buf = malloc(70000);

	for (int iter = 0; iter < 30000; iter++) {
		size_t len = 0, want = next_rand() % 200;
		bool bytes = iter % 3 == 0;
		while (len < want) {
			if (bytes) {
				buf[len++] = (char)next_rand();
			} else {
				const char *t = tok[next_rand() % (sizeof(tok) / sizeof(tok[0]))];
				size_t tl = strlen(t);
				memcpy(buf + len, t, tl);
				len += tl;
				if (next_rand() % 2)
					buf[len++] = ' ';
			}
		}
		struct bpfbox_insn *out = NULL;
		size_t cnt = 0;
		BPFBOX_OPTS(bpfbox_asm_opts, ao, .syntax = (int)(iter % 3));
		if (bpfbox_asm(buf, len, &ao, &out, &cnt) == 0) {
			ok++;
			for (size_t i = 0; i < cnt;) {
				char text[200];
				int r = bpfbox_disasm_insn(out, cnt, i, NULL, text, sizeof(text));
				i += r > 0 ? (size_t)r : 1;
			}
		}
		free(out);
	}
	/* one huge line and a long label */
	size_t big = 65000;
	memset(buf, 'a', big);
	memcpy(buf + big, ":\nexit\n", 7);
	struct bpfbox_insn *out = NULL;
	size_t cnt = 0;
	CHECK_EQ_INT(bpfbox_asm(buf, big + 7, NULL, &out, &cnt), 0);
	CHECK_EQ_INT(cnt, 1);
	free(out);
	memset(buf, '9', big);
	CHECK_EQ_INT(bpfbox_asm(buf, big, NULL, &out, &cnt), -EINVAL);
	free(buf);
	CHECK_MSG(1, "garbage: %d of 30000 inputs assembled", ok);
}

int main(void)
{
	TL_RUN(test_llvm);
	TL_RUN(test_listings);
	TL_RUN(test_mnemonic);
	TL_RUN(test_errors);
	TL_RUN(test_disasm);
	TL_RUN(test_rows_roundtrip);
	TL_RUN(test_garbage);
	return tl_summary();
}

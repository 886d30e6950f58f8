/*
 * test_vm.c - the VM object, program loading and the interpreter (both
 * modes): every ALU op with the RFC 9669 edge cases, jumps, memory,
 * atomics, calls, helpers, checked-mode violations, threads.
 *
 * Programs are built from struct bpfbox_insn arrays (no assembler).
 *
 * Where the pinned values come from: the ALU and jump tables are computed
 * by hand from RFC 9669 (each row's name says the rule) and each row is
 * also run in the kernel (kernel_r0: BPF_PROG_TEST_RUN), which must give
 * the same r0; the rest are hand-computed from the inputs written beside
 * them (bytes of a context, a loop's count).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>
#include <unistd.h>

#include "bpfbox/bpfbox.h"
#include "isa/opcodes.h"
#include "kbpf.h"
#include "testlib.h"
#include "vm/vm_internal.h"

/* ---- building programs ----------------------------------------------------- */

#define INS(c, d, s, o, i) ((struct bpfbox_insn){ .code = (uint8_t)(c), .dst_reg = (d), \
	.src_reg = (s), .off = (int16_t)(o), .imm = (int32_t)(uint32_t)(i) })
#define LDDW(d, v)    INS(BX_LD | BX_IMM | BX_DW, d, 0, 0, (uint32_t)(uint64_t)(v)), \
		      INS(0, 0, 0, 0, (uint32_t)((uint64_t)(v) >> 32))
#define MOVK(d, i)    INS(BX_ALU64 | BX_K | BX_MOV, d, 0, 0, i)
#define MOVX(d, s)    INS(BX_ALU64 | BX_X | BX_MOV, d, s, 0, 0)
#define ADDK(d, i)    INS(BX_ALU64 | BX_K | BX_ADD, d, 0, 0, i)
#define ADDX(d, s)    INS(BX_ALU64 | BX_X | BX_ADD, d, s, 0, 0)
#define SUBK(d, i)    INS(BX_ALU64 | BX_K | BX_SUB, d, 0, 0, i)
#define EXIT()        INS(BX_JMP | BX_EXIT, 0, 0, 0, 0)
#define JA(o)         INS(BX_JMP | BX_JA, 0, 0, o, 0)
#define JEQK(d, i, o) INS(BX_JMP | BX_K | BX_JEQ, d, 0, o, i)
#define JNEK(d, i, o) INS(BX_JMP | BX_K | BX_JNE, d, 0, o, i)
#define CALL(id)      INS(BX_JMP | BX_CALL, 0, 0, 0, id)
#define CALL_LOCAL(r) INS(BX_JMP | BX_CALL, 0, BX_CALL_LOCAL, 0, r)
#define CALLX(reg)    INS(BX_JMP | BX_X | BX_CALL, reg, 0, 0, 0)
#define LDX(sz, d, s, o)   INS(BX_LDX | BX_MEM | (sz), d, s, o, 0)
#define LDXSX(sz, d, s, o) INS(BX_LDX | BX_MEMSX | (sz), d, s, o, 0)
#define ST(sz, d, o, i)    INS(BX_ST | BX_MEM | (sz), d, 0, o, i)
#define STX(sz, d, s, o)   INS(BX_STX | BX_MEM | (sz), d, s, o, 0)
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- log capture ----------------------------------------------------------------- */

static char last_log[1024];
static unsigned nlogs;

static void capture_log(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	snprintf(last_log, sizeof(last_log), "%s", msg);
	nlogs++;
}

static struct bpfbox_vm *vm;

/* Load and run once; returns the load or run error. */
static int run_mode(const struct bpfbox_insn *insns, size_t cnt, enum bpfbox_run_mode mode,
		    void *ctx, size_t ctx_size, uint64_t max_insns, uint64_t *r0,
		    uint64_t *executed)
{
	struct bpfbox_prog *prog;
	int err;

	last_log[0] = 0;
	err = bpfbox_prog__load(vm, insns, cnt, NULL, &prog);
	if (err)
		return err;
	BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = ctx, .ctx_size = ctx_size, .mode = mode,
		    .max_insns = max_insns);
	err = bpfbox_prog__run(prog, &ro);
	if (r0)
		*r0 = ro.retval;
	if (executed)
		*executed = ro.insn_executed;
	bpfbox_prog__free(prog);
	return err;
}

/* Run in checked and trusted mode, each on a fresh copy of ctx; expect r0. */
static void check_both(const char *name, const struct bpfbox_insn *insns, size_t cnt,
		       const void *ctx, size_t ctx_size, uint64_t want)
{
	for (int mode = BPFBOX_RUN_CHECKED; mode <= BPFBOX_RUN_TRUSTED; mode++) {
		uint8_t buf[256];
		uint64_t r0 = 0;
		int err;

		if (ctx_size)
			memcpy(buf, ctx, ctx_size);
		err = run_mode(insns, cnt, mode, ctx_size ? buf : NULL, ctx_size, 0, &r0, NULL);
		CHECK_MSG(err == 0 && r0 == want,
			  "%s (%s): err %d, r0 0x%" PRIx64 ", want 0x%" PRIx64 " [%s]", name,
			  mode == BPFBOX_RUN_CHECKED ? "checked" : "trusted", err, r0, want,
			  last_log);
	}
}

/* ---- the kernel as the oracle of the ALU and jump tables ------------------------ */

/* Kernel verdicts over the tables: how many agreed, were refused, and
 * whether bpf(2) works here (-1: not asked yet). */
static struct { int works; unsigned agreed, refused; } kstat = { -1, 0, 0 };

/* k_run32 - the kernel's r0 (low 32 bits: the test run's retval) of a
 * socket filter test-run on 64 zero bytes; -errno if it is refused. */
static int k_run32(const struct bpfbox_insn *insns, size_t cnt, uint32_t *ret)
{
	static const uint8_t pkt[64];
	union bpf_attr a;
	int fd = kb_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, 0, insns, cnt, 0, NULL, 0, 0);
	long err;

	if (fd < 0)
		return fd;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uint64_t)(uintptr_t)pkt;
	a.test.data_size_in = sizeof(pkt);
	a.test.repeat = 1;
	err = kb_sys(BPF_PROG_TEST_RUN, &a);
	close(fd);
	*ret = a.test.retval;
	return err < 0 ? (int)err : 0;
}

/*
 * kernel_r0 - the pinned `want` of a table row against the kernel: the
 * program (ending in its only exits) runs twice, once as it is and once
 * with `r0 >>= 32` before each exit, giving r0's two halves. A program the
 * kernel's verifier refuses (a division by the constant 0) is counted and
 * named (a division by the constant 0, a shift by a constant beyond the
 * width): its value stays RFC 9669's, computed by hand in the table.
 */
static void kernel_r0(const char *name, const struct bpfbox_insn *insns, size_t cnt, uint64_t want)
{
	struct bpfbox_insn hi[64];
	uint32_t lo32 = 0, hi32 = 0;
	size_t m = 0;
	int err;

	if (kstat.works < 0) {
		static const struct bpfbox_insn ret0[2] = { { .code = 0xb7 }, { .code = 0x95 } };
		uint32_t r;

		kstat.works = k_run32(ret0, 2, &r) == 0;
		if (!kstat.works)
			TL_SKIP("bpf(2)/BPF_PROG_TEST_RUN refused here: the ALU and jump tables are "
				"not checked against the kernel");
	}
	if (!kstat.works || cnt > 40)
		return;
	for (size_t i = 0; i < cnt; i++) {
		if (insns[i].code == (BX_JMP | BX_EXIT))
			hi[m++] = INS(BX_ALU64 | BX_K | BX_RSH, 0, 0, 0, 32);
		hi[m++] = insns[i];
	}
	/* jumps over an exit must skip the inserted shift too */
	for (size_t i = 0, j = 0; i < cnt; i++, j++) {
		if (insns[i].code == (BX_JMP | BX_EXIT))
			j++;
		if (BX_CLASS(insns[i].code) == BX_JMP || BX_CLASS(insns[i].code) == BX_JMP32) {
			int op = BX_OP(insns[i].code);
			if (op == BX_CALL || op == BX_EXIT || insns[i].code == (BX_JMP32 | BX_JA))
				continue;
			int extra = 0;
			for (size_t k = i + 1; k <= i + (size_t)insns[i].off && k < cnt; k++)
				extra += insns[k].code == (BX_JMP | BX_EXIT);
			hi[j].off = (int16_t)(insns[i].off + extra);
		}
	}
	err = k_run32(insns, cnt, &lo32);
	if (!err)
		err = k_run32(hi, m, &hi32);
	if (err) {
		kstat.refused++;
		printf("NOTE: the kernel refuses '%s' (%s): its value is RFC 9669's, by hand\n", name,
		       strerror(-err));
		return;
	}
	kstat.agreed += CHECK_MSG(((uint64_t)hi32 << 32 | lo32) == want,
				  "%s: the kernel's r0 is 0x%" PRIx64 ", the table pins 0x%" PRIx64, name,
				  (uint64_t)hi32 << 32 | lo32, want);
}

/* ---- ALU ------------------------------------------------------------------------- */

struct alu_case {
	const char *name;
	uint8_t code;
	int16_t off;
	uint64_t a, b;    /* b: r1 for X forms, imm (must fit s32) for K forms */
	uint64_t want;
};

#define A64K(op) (BX_ALU64 | BX_K | (op))
#define A64X(op) (BX_ALU64 | BX_X | (op))
#define A32K(op) (BX_ALU | BX_K | (op))
#define A32X(op) (BX_ALU | BX_X | (op))
#define M1 UINT64_MAX
#define IMIN64 0x8000000000000000ull

static const struct alu_case alu_cases[] = {
	{ "add64 wrap", A64X(BX_ADD), 0, M1, 2, 1 },
	{ "add64 imm sign-ext", A64K(BX_ADD), 0, 5, (uint64_t)-1, 4 },
	{ "add32 wrap, zext", A32X(BX_ADD), 0, 0x12345678ffffffffull, 2, 1 },
	{ "add32 imm", A32K(BX_ADD), 0, 0xffffffff00000001ull, (uint64_t)-1, 0 },
	{ "sub64", A64X(BX_SUB), 0, 0, 1, M1 },
	{ "sub64 imm", A64K(BX_SUB), 0, 10, (uint64_t)-5, 15 },
	{ "sub32", A32X(BX_SUB), 0, 0, 1, 0xffffffffull },
	{ "sub32 imm", A32K(BX_SUB), 0, 0x100000000ull, 1, 0xffffffffull },
	{ "mul64 overflow", A64X(BX_MUL), 0, 0x100000000ull, 0x100000000ull, 0 },
	{ "mul64 imm neg", A64K(BX_MUL), 0, 3, (uint64_t)-2, (uint64_t)-6 },
	{ "mul64 intmin*-1", A64K(BX_MUL), 0, IMIN64, (uint64_t)-1, IMIN64 },
	{ "mul32 overflow", A32X(BX_MUL), 0, 0x10000, 0x10000, 0 },
	{ "mul32 imm neg", A32K(BX_MUL), 0, 3, (uint64_t)-2, 0xfffffffaull },
	{ "div64", A64X(BX_DIV), 0, 100, 7, 14 },
	{ "div64 by 0", A64X(BX_DIV), 0, 100, 0, 0 },
	{ "div64 imm by 0", A64K(BX_DIV), 0, 100, 0, 0 },
	{ "div64 imm -1 is 2^64-1", A64K(BX_DIV), 0, M1, (uint64_t)-1, 1 },
	{ "div32 low bits", A32X(BX_DIV), 0, 0x100000010ull, 2, 8 },
	{ "div32 by 0", A32X(BX_DIV), 0, 0x100000010ull, 0x100000000ull, 0 },
	{ "div32 imm -1", A32K(BX_DIV), 0, 0xffffffffull, (uint64_t)-1, 1 },
	{ "sdiv64", A64X(BX_DIV), 1, (uint64_t)-7, 2, (uint64_t)-3 },
	{ "sdiv64 imm", A64K(BX_DIV), 1, 7, (uint64_t)-2, (uint64_t)-3 },
	{ "sdiv64 by 0", A64X(BX_DIV), 1, (uint64_t)-7, 0, 0 },
	{ "sdiv64 imm by 0", A64K(BX_DIV), 1, (uint64_t)-7, 0, 0 },
	{ "sdiv64 intmin/-1", A64X(BX_DIV), 1, IMIN64, M1, IMIN64 },
	{ "sdiv64 imm intmin/-1", A64K(BX_DIV), 1, IMIN64, (uint64_t)-1, IMIN64 },
	{ "sdiv32", A32X(BX_DIV), 1, 0xfffffff9ull, 2, 0xfffffffdull },
	{ "sdiv32 by 0", A32X(BX_DIV), 1, 7, 0, 0 },
	{ "sdiv32 intmin/-1", A32X(BX_DIV), 1, 0x80000000ull, 0xffffffffull, 0x80000000ull },
	{ "sdiv32 imm intmin/-1", A32K(BX_DIV), 1, 0xffffffff80000000ull, (uint64_t)-1, 0x80000000ull },
	{ "mod64", A64X(BX_MOD), 0, 7, 3, 1 },
	{ "mod64 by 0", A64X(BX_MOD), 0, 0x123456789ull, 0, 0x123456789ull },
	{ "mod64 imm by 0", A64K(BX_MOD), 0, 0x123456789ull, 0, 0x123456789ull },
	{ "mod32", A32K(BX_MOD), 0, 0x100000007ull, 3, 1 },
	{ "mod32 by 0 zext", A32X(BX_MOD), 0, 0x1234567800000007ull, 0, 7 },
	{ "smod64 neg/pos", A64X(BX_MOD), 1, (uint64_t)-7, 2, (uint64_t)-1 },
	{ "smod64 pos/neg", A64K(BX_MOD), 1, 7, (uint64_t)-2, 1 },
	{ "smod64 neg/neg", A64K(BX_MOD), 1, (uint64_t)-7, (uint64_t)-2, (uint64_t)-1 },
	{ "smod64 by 0", A64X(BX_MOD), 1, (uint64_t)-7, 0, (uint64_t)-7 },
	{ "smod64 intmin%-1", A64X(BX_MOD), 1, IMIN64, M1, 0 },
	{ "smod64 imm intmin%-1", A64K(BX_MOD), 1, IMIN64, (uint64_t)-1, 0 },
	{ "smod32 neg/pos", A32X(BX_MOD), 1, 0xfffffff9ull, 2, 0xffffffffull },
	{ "smod32 by 0 zext", A32X(BX_MOD), 1, 0xabcdef00fffffff9ull, 0, 0xfffffff9ull },
	{ "smod32 intmin%-1", A32K(BX_MOD), 1, 0x80000000ull, (uint64_t)-1, 0 },
	{ "or64", A64X(BX_OR), 0, 0xf0, 0x0f00000000000000ull, 0x0f000000000000f0ull },
	{ "or32", A32K(BX_OR), 0, 0xffffffff000000f0ull, 0xf, 0xff },
	{ "and64 imm sign-ext", A64K(BX_AND), 0, M1, (uint64_t)-2, M1 - 1 },
	{ "and32", A32X(BX_AND), 0, M1, 0xff, 0xff },
	{ "xor64", A64X(BX_XOR), 0, 0xff00, 0x0ff0, 0xf0f0 },
	{ "xor32 zext", A32K(BX_XOR), 0, 0xffffffff00000000ull, 1, 1 },
	{ "lsh64 masked", A64X(BX_LSH), 0, 1, 65, 2 },
	{ "lsh64 imm 63", A64K(BX_LSH), 0, 1, 63, IMIN64 },
	{ "lsh32 masked", A32X(BX_LSH), 0, 1, 33, 2 },
	{ "lsh32 drops high", A32K(BX_LSH), 0, 0x80000001ull, 1, 2 },
	{ "rsh64", A64X(BX_RSH), 0, IMIN64, 1, 0x4000000000000000ull },
	{ "rsh64 masked", A64K(BX_RSH), 0, 4, 66, 1 },
	{ "rsh32 low bits", A32X(BX_RSH), 0, 0xffffffff80000000ull, 1, 0x40000000ull },
	{ "rsh32 masked", A32K(BX_RSH), 0, 8, 35, 1 },
	{ "arsh64", A64X(BX_ARSH), 0, IMIN64, 63, M1 },
	{ "arsh64 masked", A64K(BX_ARSH), 0, IMIN64, 64 + 4, 0xf800000000000000ull },
	{ "arsh32", A32K(BX_ARSH), 0, 0x80000000ull, 4, 0xf8000000ull },
	{ "arsh32 low bits", A32X(BX_ARSH), 0, 0x1234567880000000ull, 1, 0xc0000000ull },
	{ "arsh32 masked", A32X(BX_ARSH), 0, 0x80000000ull, 33, 0xc0000000ull },
	{ "mov64 imm sign-ext", A64K(BX_MOV), 0, 0, (uint64_t)-1, M1 },
	{ "mov64 reg", A64X(BX_MOV), 0, 0, 0x123456789abcdefull, 0x123456789abcdefull },
	{ "mov32 imm zext", A32K(BX_MOV), 0, M1, (uint64_t)-1, 0xffffffffull },
	{ "mov32 reg zext", A32X(BX_MOV), 0, M1, 0x123456789ull, 0x23456789ull },
	{ "movsx64 s8", A64X(BX_MOV), 8, 0, 0x1280, 0xffffffffffffff80ull },
	{ "movsx64 s8 pos", A64X(BX_MOV), 8, 0, 0x17f, 0x7f },
	{ "movsx64 s16", A64X(BX_MOV), 16, 0, 0x18000, 0xffffffffffff8000ull },
	{ "movsx64 s32", A64X(BX_MOV), 32, 0, 0x180000000ull, 0xffffffff80000000ull },
	{ "movsx32 s8", A32X(BX_MOV), 8, M1, 0x80, 0xffffff80ull },
	{ "movsx32 s16", A32X(BX_MOV), 16, M1, 0x8000, 0xffff8000ull },
	{ "neg64", BX_ALU64 | BX_NEG, 0, 1, 0, M1 },
	{ "neg64 intmin", BX_ALU64 | BX_NEG, 0, IMIN64, 0, IMIN64 },
	{ "neg32", BX_ALU | BX_NEG, 0, 1, 0, 0xffffffffull },
	{ "neg32 intmin zext", BX_ALU | BX_NEG, 0, 0xffffffff80000000ull, 0, 0x80000000ull },
	{ "le16", BX_ALU | BX_END | BX_TO_LE, 0, 0x1234567890abcdefull, 16, 0xcdef },
	{ "le32", BX_ALU | BX_END | BX_TO_LE, 0, 0x1234567890abcdefull, 32, 0x90abcdefull },
	{ "le64", BX_ALU | BX_END | BX_TO_LE, 0, 0x1234567890abcdefull, 64, 0x1234567890abcdefull },
	{ "be16", BX_ALU | BX_END | BX_TO_BE, 0, 0x1234567890abcdefull, 16, 0xefcd },
	{ "be32", BX_ALU | BX_END | BX_TO_BE, 0, 0x1234567890abcdefull, 32, 0xefcdab90ull },
	{ "be64", BX_ALU | BX_END | BX_TO_BE, 0, 0x1234567890abcdefull, 64, 0xefcdab9078563412ull },
	{ "bswap16", BX_ALU64 | BX_END, 0, 0x1234567890abcdefull, 16, 0xefcd },
	{ "bswap32", BX_ALU64 | BX_END, 0, 0x1234567890abcdefull, 32, 0xefcdab90ull },
	{ "bswap64", BX_ALU64 | BX_END, 0, 0x1234567890abcdefull, 64, 0xefcdab9078563412ull },
};

/* r0 = a; r1 = b; r0 <op>= r1 (or imm b); exit */
static void test_alu(void)
{
	for (size_t i = 0; i < N(alu_cases); i++) {
		const struct alu_case *c = &alu_cases[i];
		int x = BX_SRC(c->code) == BX_X && BX_OP(c->code) != BX_END;
		struct bpfbox_insn p[] = {
			LDDW(0, c->a), LDDW(1, c->b),
			INS(c->code, 0, x ? 1 : 0, c->off, x ? 0 : (uint32_t)c->b),
			EXIT(),
		};
		check_both(c->name, p, N(p), NULL, 0, c->want);
		kernel_r0(c->name, p, N(p), c->want);
	}
	printf("ALU table: %u rows agree with the kernel, %u refused by it\n", kstat.agreed,
	       kstat.refused);
}

/* ---- jumps --------------------------------------------------------------------- */

struct jmp_case {
	uint8_t code;     /* class | op | K/X */
	uint64_t a, b;    /* r1, and r2 or imm */
	int taken;
};

#define J64K(op) (BX_JMP | BX_K | (op))
#define J64X(op) (BX_JMP | BX_X | (op))
#define J32K(op) (BX_JMP32 | BX_K | (op))
#define J32X(op) (BX_JMP32 | BX_X | (op))

static const struct jmp_case jmp_cases[] = {
	{ J64K(BX_JEQ), 5, 5, 1 }, { J64X(BX_JEQ), 5, 6, 0 },
	{ J64K(BX_JEQ), M1, (uint64_t)-1, 1 },            /* imm sign-extended */
	{ J64K(BX_JNE), 5, 5, 0 }, { J64X(BX_JNE), 5, 6, 1 },
	{ J64X(BX_JGT), M1, 1, 1 }, { J64K(BX_JGT), 1, 1, 0 },
	{ J64X(BX_JGE), 1, 1, 1 }, { J64K(BX_JGE), 0, 1, 0 },
	{ J64X(BX_JLT), 1, M1, 1 }, { J64K(BX_JLT), 1, 1, 0 },
	{ J64X(BX_JLE), 1, 1, 1 }, { J64K(BX_JLE), 2, 1, 0 },
	{ J64X(BX_JSGT), M1, 1, 0 }, { J64K(BX_JSGT), 2, (uint64_t)-1, 1 },
	{ J64X(BX_JSGE), M1, M1, 1 }, { J64K(BX_JSGE), M1, 0, 0 },
	{ J64X(BX_JSLT), M1, 1, 1 }, { J64K(BX_JSLT), 1, (uint64_t)-1, 0 },
	{ J64X(BX_JSLE), M1, M1, 1 }, { J64K(BX_JSLE), 0, (uint64_t)-1, 0 },
	{ J64X(BX_JSET), 6, 2, 1 }, { J64K(BX_JSET), 6, 1, 0 },
	{ J64K(BX_JSGT), 0x80000000ull, 1, 1 },           /* positive as 64 bits */
	{ J32K(BX_JSGT), 0x80000000ull, 1, 0 },           /* negative as 32 bits */
	{ J32K(BX_JEQ), 0x1ffffffffull, (uint64_t)-1, 1 }, /* low 32 bits only */
	{ J32X(BX_JEQ), 0x100000005ull, 5, 1 },
	{ J32X(BX_JNE), 0x100000005ull, 5, 0 },
	{ J32K(BX_JGT), 0x100000000ull, 1, 0 },
	{ J32X(BX_JGT), 0xffffffffull, 1, 1 },
	{ J32X(BX_JGE), 0x200000001ull, 1, 1 }, { J32K(BX_JGE), 0, 1, 0 },
	{ J32X(BX_JLT), 0x100000000ull, 1, 1 }, { J32K(BX_JLT), 2, 1, 0 },
	{ J32X(BX_JLE), 0x100000001ull, 1, 1 }, { J32K(BX_JLE), 2, 1, 0 },
	{ J32X(BX_JSGE), 0xffffffffull, 0, 0 }, { J32K(BX_JSGE), 0, (uint64_t)-1, 1 },
	{ J32X(BX_JSLT), 0xffffffffull, 0, 1 }, { J32K(BX_JSLT), 0, (uint64_t)-1, 0 },
	{ J32X(BX_JSLE), 0x80000000ull, 0x7fffffffull, 1 }, { J32K(BX_JSLE), 1, 0, 0 },
	{ J32X(BX_JSET), 0x100000000ull, 0x100000000ull, 0 }, { J32K(BX_JSET), 3, 2, 1 },
};

/* r1 = a; r2 = b; r0 = 0; if r1 <cc> r2/imm goto +1; exit; r0 = 1; exit */
static void test_jumps(void)
{
	for (size_t i = 0; i < N(jmp_cases); i++) {
		const struct jmp_case *c = &jmp_cases[i];
		int x = BX_SRC(c->code) == BX_X;
		char name[64];
		struct bpfbox_insn p[] = {
			LDDW(1, c->a), LDDW(2, c->b), MOVK(0, 0),
			INS(c->code, 1, x ? 2 : 0, 1, x ? 0 : (uint32_t)c->b),
			EXIT(), MOVK(0, 1), EXIT(),
		};
		snprintf(name, sizeof(name), "jump case %zu (code 0x%02x)", i, c->code);
		check_both(name, p, N(p), NULL, 0, (uint64_t)c->taken);
		kernel_r0(name, p, N(p), (uint64_t)c->taken);
	}
	printf("ALU and jump tables: %u rows agree with the kernel, %u refused by it\n",
	       kstat.agreed, kstat.refused);
	/* ja forward/back, gotol (JA32, offset in imm) */
	{
		struct bpfbox_insn p[] = {
			MOVK(0, 0), JA(2), MOVK(0, 99), EXIT(),
			ADDK(0, 1), JNEK(0, 3, -2), INS(BX_JMP32 | BX_JA, 0, 0, 0, 1),
			EXIT(), ADDK(0, 10), EXIT(),
		};
		check_both("ja / gotol", p, N(p), NULL, 0, 13);
	}
}

/* ---- memory --------------------------------------------------------------------- */

static void test_memory(void)
{
	uint8_t ctx[16] = { 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88,
			    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	struct { uint8_t size; int16_t off; uint64_t zx, sx; } ld[] = {
		{ BX_B, 0, 0x81, 0xffffffffffffff81ull },
		{ BX_H, 1, 0x8382, 0xffffffffffff8382ull },   /* unaligned */
		{ BX_W, 3, 0x87868584ull, 0xffffffff87868584ull },
		{ BX_DW, 5, 0x5544332211888786ull, 0 },
		{ BX_B, 8, 0x11, 0x11 },
		{ BX_H, 9, 0x3322, 0x3322 },
		{ BX_W, 12, 0x88776655ull, 0xffffffff88776655ull },
	};
	for (size_t i = 0; i < N(ld); i++) {
		uint64_t want = 0;
		char name[64];

		memcpy(&want, ctx + ld[i].off, ld[i].size == BX_DW ? 8 : ld[i].size == BX_W ? 4 :
		       ld[i].size == BX_H ? 2 : 1);
		struct bpfbox_insn p[] = { LDX(ld[i].size, 0, 1, ld[i].off), EXIT() };
		snprintf(name, sizeof(name), "ldx size 0x%x off %d", ld[i].size, ld[i].off);
		check_both(name, p, N(p), ctx, sizeof(ctx), want);
		CHECK_EQ_U64(want, ld[i].zx);
		if (ld[i].size != BX_DW) {
			struct bpfbox_insn q[] = { LDXSX(ld[i].size, 0, 1, ld[i].off), EXIT() };
			snprintf(name, sizeof(name), "ldxsx size 0x%x off %d", ld[i].size, ld[i].off);
			check_both(name, q, N(q), ctx, sizeof(ctx), ld[i].sx);
		}
	}
	/* stores of every size, st and stx, to the stack and read back as a whole */
	{
		struct bpfbox_insn p[] = {
			ST(BX_DW, 10, -8, -1),            /* ff..ff (imm sign-extended) */
			ST(BX_B, 10, -8, 0x11),
			ST(BX_H, 10, -7, 0x2233),
			MOVK(1, 0x44556677),
			STX(BX_W, 10, 1, -5),
			LDX(BX_DW, 0, 10, -8),
			EXIT(),
		};
		check_both("st/stx all sizes", p, N(p), NULL, 0, 0xff44556677223311ull);
	}
	{
		struct bpfbox_insn p[] = {
			LDDW(2, 0x0102030405060708ull), STX(BX_DW, 10, 2, -16),
			STX(BX_H, 10, 2, -3), ST(BX_W, 10, -24, 0x7fffffff),
			LDX(BX_DW, 0, 10, -16), LDX(BX_H, 3, 10, -3), ADDX(0, 3),
			LDX(BX_W, 3, 10, -24), ADDX(0, 3), EXIT(),
		};
		check_both("stxdw/stxh/stw", p, N(p), NULL, 0,
			   0x0102030405060708ull + 0x0708 + 0x7fffffff);
	}
	/* writes to the ctx are visible to the caller */
	{
		uint8_t buf[8] = { 0 };
		struct bpfbox_insn p[] = { ST(BX_W, 1, 2, 0x04030201), MOVK(0, 0), EXIT() };
		uint8_t want[8] = { 0, 0, 1, 2, 3, 4, 0, 0 };

		CHECK_EQ_INT(run_mode(p, N(p), BPFBOX_RUN_CHECKED, buf, 8, 0, NULL, NULL), 0);
		CHECK_MEM(buf, want, 8);
	}
	/* r2 = ctx_size at entry */
	{
		struct bpfbox_insn p[] = { MOVX(0, 2), EXIT() };
		check_both("r2 = ctx_size", p, N(p), ctx, 13, 13);
	}
	/* lddw: the plain form loads its 64-bit value; the map pseudo forms
	 * need a map table (tests/test_obj_load.c), BTF ids are refused */
	{
		struct bpfbox_insn p[] = { LDDW(0, 0x8877665544332211ull), EXIT() };
		check_both("lddw", p, N(p), NULL, 0, 0x8877665544332211ull);
	}
	for (uint8_t src = 1; src <= 6; src++) {
		struct bpfbox_insn p[] = { LDDW(0, 0), EXIT() };
		struct bpfbox_prog *prog = NULL;

		p[0].src_reg = src;	/* src 4: imm 0 names insn 1, a second half */
		CHECK_EQ_INT(bpfbox_prog__load(vm, p, N(p), NULL, &prog), src == 3 ? -EOPNOTSUPP : -EINVAL);
		CHECK(strstr(last_log, "insn 0:") != NULL);
	}
	/* legacy packet loads: big-endian, out of bounds ends with r0 = 0 */
	{
		struct bpfbox_insn p[] = {
			INS(BX_LD | BX_ABS | BX_W, 0, 0, 0, 8), MOVX(6, 0),
			MOVK(2, 2), INS(BX_LD | BX_IND | BX_H, 0, 2, 0, 10), ADDX(6, 0),
			INS(BX_LD | BX_ABS | BX_B, 0, 0, 0, 15), ADDX(0, 6), EXIT(),
		};
		check_both("ld_abs/ld_ind", p, N(p), ctx, sizeof(ctx), 0x11223344ull + 0x5566 + 0x88);
		struct bpfbox_insn q[] = {
			MOVK(0, 7), INS(BX_LD | BX_ABS | BX_W, 0, 0, 0, 13), MOVK(0, 7), EXIT(),
		};
		check_both("ld_abs out of bounds", q, N(q), ctx, sizeof(ctx), 0);
		struct bpfbox_insn r[] = {
			MOVK(2, -1), INS(BX_LD | BX_IND | BX_B, 0, 2, 0, 0), MOVK(0, 7), EXIT(),
		};
		check_both("ld_ind negative", r, N(r), ctx, sizeof(ctx), 0);
		check_both("ld_abs without ctx", q, N(q), NULL, 0, 0);
	}
}

/* ---- atomics ------------------------------------------------------------------- */

struct atomic_case {
	const char *name;
	uint8_t size;      /* BX_W or BX_DW */
	int32_t op;
	uint64_t mem, src, r0;
	uint64_t want_mem, want_src, want_r0;
};

static const struct atomic_case atomic_cases[] = {
	{ "add64", BX_DW, BX_ADD, 10, 5, 0, 15, 5, 0 },
	{ "or64", BX_DW, BX_OR, 0xf0, 0x0f, 0, 0xff, 0x0f, 0 },
	{ "and64", BX_DW, BX_AND, 0xff, 0x0f, 0, 0x0f, 0x0f, 0 },
	{ "xor64", BX_DW, BX_XOR, 0xff, 0x0f, 0, 0xf0, 0x0f, 0 },
	{ "fetch add64", BX_DW, BX_ADD | BX_FETCH, 10, 5, 0, 15, 10, 0 },
	{ "fetch or64", BX_DW, BX_OR | BX_FETCH, 0xf0, 0x0f, 0, 0xff, 0xf0, 0 },
	{ "fetch and64", BX_DW, BX_AND | BX_FETCH, 0xff, 0x0f, 0, 0x0f, 0xff, 0 },
	{ "fetch xor64", BX_DW, BX_XOR | BX_FETCH, 0xff, 0x0f, 0, 0xf0, 0xff, 0 },
	{ "xchg64", BX_DW, BX_XCHG, 1, 2, 0, 2, 1, 0 },
	{ "cmpxchg64 hit", BX_DW, BX_CMPXCHG, 7, 9, 7, 9, 9, 7 },
	{ "cmpxchg64 miss", BX_DW, BX_CMPXCHG, 7, 9, 8, 7, 9, 7 },
	/* 32-bit: the upper half of the slot is untouched; results zero-extended */
	{ "add32", BX_W, BX_ADD, 0xaaaaaaaaffffffffull, 2, 0, 0xaaaaaaaa00000001ull, 2, 0 },
	{ "or32", BX_W, BX_OR, 0xaaaaaaaa000000f0ull, 0x0f, 0, 0xaaaaaaaa000000ffull, 0x0f, 0 },
	{ "and32", BX_W, BX_AND, 0xaaaaaaaa000000ffull, 0x0f, 0, 0xaaaaaaaa0000000full, 0x0f, 0 },
	{ "xor32", BX_W, BX_XOR, 0xaaaaaaaa000000ffull, 0x0f, 0, 0xaaaaaaaa000000f0ull, 0x0f, 0 },
	{ "fetch add32", BX_W, BX_ADD | BX_FETCH, 0xaaaaaaaa80000000ull, 0xffffffff00000001ull, 0,
	  0xaaaaaaaa80000001ull, 0x80000000ull, 0 },
	{ "fetch or32", BX_W, BX_OR | BX_FETCH, 0xf0, 0x0f, 0, 0xff, 0xf0, 0 },
	{ "fetch and32", BX_W, BX_AND | BX_FETCH, 0xff, 0x0f, 0, 0x0f, 0xff, 0 },
	{ "fetch xor32", BX_W, BX_XOR | BX_FETCH, 0xff, 0x0f, 0, 0xf0, 0xff, 0 },
	{ "xchg32", BX_W, BX_XCHG, 0x5555555580000001ull, 0x1234567800000002ull, 0,
	  0x5555555500000002ull, 0x80000001ull, 0 },
	{ "cmpxchg32 hit", BX_W, BX_CMPXCHG, 0x5555555580000007ull, 9, 0xffffffff80000007ull,
	  0x5555555500000009ull, 9, 0x80000007ull },
	{ "cmpxchg32 miss", BX_W, BX_CMPXCHG, 0x5555555580000007ull, 9, 8,
	  0x5555555580000007ull, 9, 0x80000007ull },
};

/* r6 = ctx; [r10-8] = mem; r1 = src; r0 = r0; atomic; ctx[0..3) = mem, r1, r0 */
static void test_atomics(void)
{
	for (size_t i = 0; i < N(atomic_cases); i++) {
		const struct atomic_case *c = &atomic_cases[i];
		struct bpfbox_insn p[] = {
			MOVX(6, 1), LDDW(2, c->mem), STX(BX_DW, 10, 2, -8),
			LDDW(1, c->src), LDDW(0, c->r0),
			INS(BX_STX | BX_ATOMIC | c->size, 10, 1, -8, c->op),
			LDX(BX_DW, 2, 10, -8), STX(BX_DW, 6, 2, 0), STX(BX_DW, 6, 1, 8),
			STX(BX_DW, 6, 0, 16), MOVK(0, 0), EXIT(),
		};
		for (int mode = BPFBOX_RUN_CHECKED; mode <= BPFBOX_RUN_TRUSTED; mode++) {
			uint64_t out[3] = { 0 };
			int err = run_mode(p, N(p), mode, out, sizeof(out), 0, NULL, NULL);
			CHECK_MSG(err == 0 && out[0] == c->want_mem && out[1] == c->want_src &&
				  out[2] == c->want_r0,
				  "atomic %s mode %d: err %d mem 0x%" PRIx64 " src 0x%" PRIx64
				  " r0 0x%" PRIx64, c->name, mode, err, out[0], out[1], out[2]);
		}
	}
}

/* ---- local calls ------------------------------------------------------------- */

/* f(n) = n ? 1 + f(n - 1) : 0, recursing through bpf-to-bpf calls */
static void test_local_calls(void)
{
	struct bpfbox_insn pass[] = {
		MOVK(1, 1), MOVK(2, 2), MOVK(3, 3), MOVK(4, 4), MOVK(5, 5),
		MOVK(6, 6), MOVK(7, 7), MOVK(8, 8), MOVK(9, 9),
		ST(BX_DW, 10, -8, 1000),
		MOVX(1, 10), ADDK(1, -8),         /* r1 = pointer into the caller's frame */
		CALL_LOCAL(7),
		/* r0 = f() + r6 + r7 + r8 + r9 + *(r10-8) (r10 is restored) */
		ADDX(0, 6), ADDX(0, 7), ADDX(0, 8), ADDX(0, 9),
		LDX(BX_DW, 1, 10, -8), ADDX(0, 1),
		EXIT(),
		/* callee (insn 20): r0 = *r1 + r2 + r3 + r4 + r5; clobber r6..r9 and its own stack */
		LDX(BX_DW, 0, 1, 0), ADDX(0, 2), ADDX(0, 3), ADDX(0, 4), ADDX(0, 5),
		MOVK(6, 0), MOVK(7, 0), MOVK(8, 0), MOVK(9, 0),
		ST(BX_DW, 10, -8, 555),          /* its own frame: the caller's is intact */
		ST(BX_DW, 1, 0, 2000),           /* the caller's frame through a pointer */
		EXIT(),
	};
	check_both("call local: r1-r5 passed, r6-r9 kept, frames", pass, N(pass), NULL, 0,
		   1000 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 2000);

	/* depth: main + n frames */
	for (int n = 6; n <= 9; n++) {
		struct bpfbox_insn p[] = {
			MOVK(1, n), CALL_LOCAL(1), EXIT(),
			/* f: */ MOVK(0, 0), JEQK(1, 0, 4), ST(BX_DW, 10, -512, 1), SUBK(1, 1),
			CALL_LOCAL(-5), ADDK(0, 1), EXIT(),
		};
		uint64_t r0 = 0;
		int frames = n + 2;   /* main, the first f, n recursive ones */
		for (int mode = BPFBOX_RUN_CHECKED; mode <= BPFBOX_RUN_TRUSTED; mode++) {
			int err = run_mode(p, N(p), mode, NULL, 0, 0, &r0, NULL);
			if (frames <= BX_MAX_CALL_DEPTH) {
				CHECK_MSG(err == 0 && r0 == (uint64_t)n, "depth %d frames: err %d r0 %" PRIu64,
					  frames, err, r0);
			} else {
				CHECK_EQ_INT(err, -E2BIG);
				CHECK_STR(last_log, "insn 7: call depth exceeds 8 frames");
			}
		}
	}
}

/* ---- helpers ------------------------------------------------------------------- */

static int helper_tag = 42;

/* r0 = r1 + r2 + r3 + r4 + r5 + *(int *)helper_ctx + (ctx != NULL) */
static uint64_t h_sum(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
		      uint64_t r4, uint64_t r5)
{
	int *tag = bpfbox_call__helper_ctx(call);

	return r1 + r2 + r3 + r4 + r5 + (uint64_t)*tag + (bpfbox_call__ctx(call) != NULL);
}

static uint64_t h_one(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
		      uint64_t r4, uint64_t r5)
{
	(void)call; (void)r1; (void)r2; (void)r3; (void)r4; (void)r5;
	return 1;
}

static uint64_t h_two(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
		      uint64_t r4, uint64_t r5)
{
	(void)call; (void)r1; (void)r2; (void)r3; (void)r4; (void)r5;
	return 2;
}

/* aborts with -EPERM when r1 is 1 */
static uint64_t h_abort(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
			uint64_t r4, uint64_t r5)
{
	(void)r2; (void)r3; (void)r4; (void)r5;
	if (r1 == 1)
		bpfbox_call__abort(call, -EPERM);
	return 77;
}

/* checks memory the program may touch: r1 = ptr, r2 = len, r3 = write */
static uint64_t h_check(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
			uint64_t r4, uint64_t r5)
{
	(void)r4; (void)r5;
	return (uint64_t)(int64_t)bpfbox_call__check_mem(call, r1, r2, r3 != 0);
}

/* like bpf_loop: for i in 0..r1: callback at insn r2 (i, r3) */
static uint64_t h_loop(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
		       uint64_t r4, uint64_t r5)
{
	uint64_t r0 = 0, i;

	(void)r4; (void)r5;
	for (i = 0; i < r1; i++) {
		if (bxv_call_subprog(call, (uint32_t)r2, i, r3, 0, 0, 0, &r0))
			return 0;
		if (r0)
			break;
	}
	return i;
}

/* hands the program a pointer to a helper-owned buffer (registered region) */
static uint64_t h_region(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
			 uint64_t r4, uint64_t r5)
{
	uint64_t *buf = bpfbox_call__helper_ctx(call);

	(void)r2; (void)r3; (void)r4; (void)r5;
	if (bxv_run_add_region(call, buf, 16, r1 != 0))
		return 0;
	return (uint64_t)(uintptr_t)buf;
}

static void test_helpers(void)
{
	CHECK_EQ_INT(bpfbox_vm__register_helper(vm, 0, "zero", h_one, NULL), -EINVAL);
	CHECK_EQ_INT(bpfbox_vm__register_helper(vm, BPFBOX_MAX_HELPER_ID + 1, "big", h_one, NULL),
		     -EINVAL);
	CHECK_EQ_INT(bpfbox_vm__register_helper(vm, 3, "nofn", NULL, NULL), -EINVAL);
	CHECK_EQ_INT(bpfbox_vm__register_helper(vm, 1, "sum", h_sum, &helper_tag), 0);
	CHECK_EQ_INT(bpfbox_vm__register_helper(vm, BPFBOX_MAX_HELPER_ID, "one", h_one, NULL), 0);
	CHECK_STR(bpfbox_vm__helper_name(vm, 1), "sum");
	CHECK_STR(bpfbox_vm__helper_name(vm, BPFBOX_MAX_HELPER_ID), "one");
	CHECK(bpfbox_vm__helper_name(vm, 2) == NULL);
	CHECK(bpfbox_vm__helper_name(vm, 0) == NULL);
	CHECK(bpfbox_vm__helper_name(vm, 99999) == NULL);

	{
		struct bpfbox_insn p[] = {
			MOVK(1, 1), MOVK(2, 2), MOVK(3, 3), MOVK(4, 4), MOVK(5, 5), CALL(1), EXIT(),
		};
		uint8_t ctx[4];
		check_both("helper args and ctx", p, N(p), NULL, 0, 15 + 42);
		check_both("helper with ctx", p, N(p), ctx, sizeof(ctx), 15 + 42 + 1);
	}
	/* unknown helper at load */
	{
		struct bpfbox_insn p[] = { MOVK(0, 0), MOVK(1, 0), MOVK(2, 0), MOVK(3, 0), CALL(99), EXIT() };
		struct bpfbox_prog *prog = (void *)1;

		CHECK_EQ_INT(bpfbox_prog__load(vm, p, N(p), NULL, &prog), -EINVAL);
		CHECK(prog == NULL);
		CHECK_STR(last_log, "insn 4: call to unknown helper 99");
	}
	/* replacing: a program loaded before sees the new function */
	{
		struct bpfbox_insn p[] = { CALL(2), EXIT() };
		struct bpfbox_prog *prog;

		CHECK_EQ_INT(bpfbox_vm__register_helper(vm, 2, "one", h_one, NULL), 0);
		CHECK_EQ_INT(bpfbox_prog__load(vm, p, N(p), NULL, &prog), 0);
		BPFBOX_OPTS(bpfbox_run_opts, ro);
		CHECK_EQ_INT(bpfbox_prog__run(prog, &ro), 0);
		CHECK_EQ_U64(ro.retval, 1);
		CHECK_EQ_INT(bpfbox_vm__register_helper(vm, 2, "two", h_two, NULL), 0);
		CHECK_STR(bpfbox_vm__helper_name(vm, 2), "two");
		ro.mode = BPFBOX_RUN_TRUSTED;
		CHECK_EQ_INT(bpfbox_prog__run(prog, &ro), 0);
		CHECK_EQ_U64(ro.retval, 2);
		bpfbox_prog__free(prog);
	}
	/* callx: helper id in a register */
	{
		struct bpfbox_insn p[] = { MOVK(2, 2), CALLX(2), EXIT() };
		check_both("callx", p, N(p), NULL, 0, 2);
		struct bpfbox_insn q[] = { MOVK(0, 0), MOVK(2, 99), CALLX(2), EXIT() };
		struct bpfbox_insn r[] = { MOVK(0, 0), MOVK(3, -1), CALLX(3), EXIT() };
		for (int mode = BPFBOX_RUN_CHECKED; mode <= BPFBOX_RUN_TRUSTED; mode++) {
			CHECK_EQ_INT(run_mode(q, N(q), mode, NULL, 0, 0, NULL, NULL), -EINVAL);
			CHECK_STR(last_log, "insn 2: callx to unknown helper 99 (in r2)");
			CHECK_EQ_INT(run_mode(r, N(r), mode, NULL, 0, 0, NULL, NULL), -EINVAL);
			CHECK_STR(last_log, "insn 2: callx to unknown helper 18446744073709551615 (in r3)");
		}
	}
	/* abort: the run stops right after the helper */
	{
		CHECK_EQ_INT(bpfbox_vm__register_helper(vm, 10, "abort", h_abort, NULL), 0);
		struct bpfbox_insn p[] = { MOVX(6, 1), MOVK(1, 1), CALL(10), ST(BX_W, 6, 0, 1), EXIT() };
		struct bpfbox_insn q[] = { MOVK(1, 0), CALL(10), EXIT() };
		for (int mode = BPFBOX_RUN_CHECKED; mode <= BPFBOX_RUN_TRUSTED; mode++) {
			uint32_t flag = 0;
			uint64_t r0 = 0;
			CHECK_EQ_INT(run_mode(p, N(p), mode, &flag, 4, 0, NULL, NULL), -EPERM);
			CHECK_EQ_INT(flag, 0);
			CHECK_EQ_INT(run_mode(q, N(q), mode, NULL, 0, 0, &r0, NULL), 0);
			CHECK_EQ_U64(r0, 77);
		}
	}
	/* bpfbox_call__check_mem: stack and ctx yes, elsewhere no (checked mode) */
	{
		CHECK_EQ_INT(bpfbox_vm__register_helper(vm, 11, "check", h_check, NULL), 0);
		uint8_t ctx[8];
		struct bpfbox_insn p[] = {
			MOVX(6, 1),
			MOVX(1, 10), ADDK(1, -16), MOVK(2, 16), MOVK(3, 1), CALL(11), MOVX(7, 0),
			MOVX(1, 6), MOVK(2, 8), CALL(11), ADDX(7, 0),
			MOVX(1, 6), MOVK(2, 9), CALL(11), ADDX(7, 0),          /* -EFAULT */
			MOVX(1, 10), MOVK(2, 1), CALL(11), ADDX(7, 0),         /* -EFAULT */
			MOVX(0, 7), EXIT(),
		};
		uint64_t r0 = 0;
		CHECK_EQ_INT(run_mode(p, N(p), BPFBOX_RUN_CHECKED, ctx, 8, 0, &r0, NULL), 0);
		CHECK_EQ_U64(r0, (uint64_t)(-2 * EFAULT));
		CHECK_EQ_INT(run_mode(p, N(p), BPFBOX_RUN_TRUSTED, ctx, 8, 0, &r0, NULL), 0);
		CHECK_EQ_U64(r0, 0);
	}
	/* helper-registered regions: readable, writable only if asked */
	{
		uint64_t hbuf[2] = { 5, 6 };
		CHECK_EQ_INT(bpfbox_vm__register_helper(vm, 12, "region", h_region, hbuf), 0);
		struct bpfbox_insn rw[] = {
			MOVK(1, 1), CALL(12), LDX(BX_DW, 1, 0, 8), ST(BX_DW, 0, 0, 9),
			LDX(BX_DW, 0, 0, 0), ADDX(0, 1), EXIT(),
		};
		check_both("helper region rw", rw, N(rw), NULL, 0, 15);
		struct bpfbox_insn ro[] = { MOVK(1, 0), CALL(12), ST(BX_DW, 0, 0, 9), EXIT() };
		CHECK_EQ_INT(run_mode(ro, N(ro), BPFBOX_RUN_CHECKED, NULL, 0, 0, NULL, NULL), -EFAULT);
		CHECK(strstr(last_log, "insn 2: invalid write of 8 bytes at ") == last_log);
		struct bpfbox_insn oob[] = { MOVK(1, 0), CALL(12), LDX(BX_DW, 0, 0, 16), EXIT() };
		CHECK_EQ_INT(run_mode(oob, N(oob), BPFBOX_RUN_CHECKED, NULL, 0, 0, NULL, NULL), -EFAULT);
	}
}

/* ---- callbacks into the program (bxv_call_subprog) ------------------------------------ */

static void test_call_subprog(void)
{
	CHECK_EQ_INT(bpfbox_vm__register_helper(vm, 20, "loop", h_loop, NULL), 0);
	/* main: *(r10-8) = 0; loop(10, cb, r10-8); r0 = *(r10-8) * 1000 + loops
	 * cb(i, p): *p += i; own stack used; return i == 100 */
	struct bpfbox_insn p[] = {
		ST(BX_DW, 10, -8, 0), MOVK(6, 7),
		MOVK(1, 10), MOVK(2, 12), MOVX(3, 10), ADDK(3, -8), CALL(20),
		LDX(BX_DW, 1, 10, -8), INS(BX_ALU64 | BX_K | BX_MUL, 1, 0, 0, 1000), ADDX(0, 1),
		ADDX(0, 6),                   /* r6 survives (7) */
		EXIT(),
		/* cb (insn 12) */
		LDX(BX_DW, 3, 2, 0), ADDX(3, 1), STX(BX_DW, 2, 3, 0),
		STX(BX_DW, 10, 1, -8), MOVK(6, 0),
		MOVK(0, 0), JNEK(1, 100, 1), MOVK(0, 1), EXIT(),
	};
	check_both("bxv_call_subprog", p, N(p), NULL, 0, 45 * 1000 + 10 + 7);
	/* a callback index that is no instruction stops the run */
	struct bpfbox_insn q[] = { MOVK(1, 1), MOVK(2, 500), CALL(20), EXIT() };
	for (int mode = BPFBOX_RUN_CHECKED; mode <= BPFBOX_RUN_TRUSTED; mode++) {
		CHECK_EQ_INT(run_mode(q, N(q), mode, NULL, 0, 0, NULL, NULL), -EINVAL);
		CHECK_STR(last_log, "callback at insn 500: no instruction starts there");
	}
	/* a fault inside the callback stops the whole run */
	struct bpfbox_insn r[] = {
		MOVK(1, 1), MOVK(2, 5), CALL(20), MOVK(0, 0), EXIT(),
		LDX(BX_DW, 0, 10, -520), EXIT(),
	};
	CHECK_EQ_INT(run_mode(r, N(r), BPFBOX_RUN_CHECKED, NULL, 0, 0, NULL, NULL), -EFAULT);
	CHECK(strstr(last_log, "insn 5: invalid read of 8 bytes at 0x") == last_log);
}

/* ---- checked-mode violations ------------------------------------------------------ */

static void test_checked(void)
{
	uint8_t ctx[8] = { 0 };
	char want[256];

	/* out-of-bounds read and write just past the ctx */
	{
		struct bpfbox_insn p[] = { LDX(BX_W, 0, 1, 8), EXIT() };
		CHECK_EQ_INT(run_mode(p, N(p), BPFBOX_RUN_CHECKED, ctx, 8, 0, NULL, NULL), -EFAULT);
		snprintf(want, sizeof(want), "insn 0: invalid read of 4 bytes at 0x%llx: r1 + 8 is "
			 "outside the stack and the context", (unsigned long long)(uintptr_t)(ctx + 8));
		CHECK_STR(last_log, want);
	}
	{
		struct bpfbox_insn p[] = { MOVK(0, 0), MOVK(0, 0), MOVK(0, 0), MOVK(0, 0),
					   MOVK(0, 0), MOVK(0, 0), MOVK(0, 0), MOVK(0, 0),
					   MOVK(0, 0), MOVK(0, 0), MOVK(0, 0), MOVK(0, 0),
					   STX(BX_W, 1, 0, 8), EXIT() };
		CHECK_EQ_INT(run_mode(p, N(p), BPFBOX_RUN_CHECKED, ctx, 8, 0, NULL, NULL), -EFAULT);
		snprintf(want, sizeof(want), "insn 12: invalid write of 4 bytes at 0x%llx: r1 + 8 is "
			 "outside the stack and the context", (unsigned long long)(uintptr_t)(ctx + 8));
		CHECK_STR(last_log, want);
		struct bpfbox_insn q[] = { ST(BX_B, 1, -1, 0), EXIT() };
		CHECK_EQ_INT(run_mode(q, N(q), BPFBOX_RUN_CHECKED, ctx, 8, 0, NULL, NULL), -EFAULT);
		CHECK(strstr(last_log, ": r1 - 1 is outside the stack and the context") != NULL);
		struct bpfbox_insn r[] = { LDX(BX_DW, 0, 1, 1), EXIT() };   /* straddles the end */
		CHECK_EQ_INT(run_mode(r, N(r), BPFBOX_RUN_CHECKED, ctx, 8, 0, NULL, NULL), -EFAULT);
		struct bpfbox_insn s[] = { LDX(BX_DW, 0, 1, 0), EXIT() };   /* NULL ctx */
		CHECK_EQ_INT(run_mode(s, N(s), BPFBOX_RUN_CHECKED, NULL, 0, 0, NULL, NULL), -EFAULT);
	}
	/* the stack: 512 bytes below r10, nothing at or above r10 */
	{
		struct bpfbox_insn ok[] = { ST(BX_DW, 10, -512, 1), LDX(BX_DW, 0, 10, -512), EXIT() };
		check_both("stack bottom", ok, N(ok), NULL, 0, 1);
		struct bpfbox_insn under[] = { ST(BX_DW, 10, -520, 1), EXIT() };
		CHECK_EQ_INT(run_mode(under, N(under), BPFBOX_RUN_CHECKED, NULL, 0, 0, NULL, NULL), -EFAULT);
		CHECK(strstr(last_log, "insn 0: invalid write of 8 bytes at 0x") == last_log);
		CHECK(strstr(last_log, ": r10 - 520 is outside the stack and the context") != NULL);
		struct bpfbox_insn over[] = { LDX(BX_B, 0, 10, 0), EXIT() };
		CHECK_EQ_INT(run_mode(over, N(over), BPFBOX_RUN_CHECKED, NULL, 0, 0, NULL, NULL), -EFAULT);
		CHECK(strstr(last_log, ": r10 + 0 is outside the stack and the context") != NULL);
		/* a callee may not go below its own frame, but may use its caller's */
		struct bpfbox_insn callee[] = {
			CALL_LOCAL(1), EXIT(), ST(BX_DW, 10, 8, 3), LDX(BX_DW, 0, 10, 8),
			ST(BX_DW, 10, -520, 1), EXIT(),
		};
		CHECK_EQ_INT(run_mode(callee, N(callee), BPFBOX_RUN_CHECKED, NULL, 0, 0, NULL, NULL),
			     -EFAULT);
		CHECK(strstr(last_log, "insn 4: invalid write") == last_log);
	}
	/* misaligned atomics are refused in checked mode */
	{
		struct bpfbox_insn p[] = {
			MOVK(1, 1), INS(BX_STX | BX_ATOMIC | BX_W, 10, 1, -6, BX_ADD), MOVK(0, 0), EXIT(),
		};
		CHECK_EQ_INT(run_mode(p, N(p), BPFBOX_RUN_CHECKED, NULL, 0, 0, NULL, NULL), -EFAULT);
		CHECK(strstr(last_log, "insn 1: misaligned atomic access of 4 bytes") == last_log);
	}
	/* the instruction budget */
	{
		struct bpfbox_insn p[] = { JA(-1), EXIT() };
		uint64_t executed = 0;
		CHECK_EQ_INT(run_mode(p, N(p), BPFBOX_RUN_CHECKED, NULL, 0, 1000, NULL, &executed),
			     -ELOOP);
		CHECK_EQ_U64(executed, 1000);
		CHECK_STR(last_log, "insn 0: the instruction budget of 1000 is exhausted");
		struct bpfbox_insn q[] = { MOVK(0, 1), ADDK(0, 1), ADDK(0, 1), EXIT() };
		uint64_t r0 = 0;
		CHECK_EQ_INT(run_mode(q, N(q), BPFBOX_RUN_CHECKED, NULL, 0, 4, &r0, &executed), 0);
		CHECK_EQ_U64(executed, 4);
		CHECK_EQ_U64(r0, 3);
		CHECK_EQ_INT(run_mode(q, N(q), BPFBOX_RUN_CHECKED, NULL, 0, 3, &r0, &executed), -ELOOP);
		CHECK_EQ_U64(executed, 3);
		/* the budget spans callbacks run from helpers */
		struct bpfbox_insn r[] = {
			MOVK(1, 1000000), MOVK(2, 4), CALL(20), EXIT(),
			MOVK(0, 0), EXIT(),
		};
		CHECK_EQ_INT(run_mode(r, N(r), BPFBOX_RUN_CHECKED, NULL, 0, 5000, NULL, &executed),
			     -ELOOP);
		CHECK_EQ_U64(executed, 5000);
	}
}

/* ---- loading, modes, misc ---------------------------------------------------------- */

static void test_load_and_modes(void)
{
	struct bpfbox_prog *prog;
	struct bpfbox_insn bad_fetch[] = {
		INS(BX_STX | BX_ATOMIC | BX_DW, 1, 10, 0, BX_ADD | BX_FETCH), EXIT(),
	};
	struct bpfbox_insn kfunc[] = { INS(BX_JMP | BX_CALL, 0, BX_CALL_KFUNC, 0, 1), EXIT() };
	struct bpfbox_insn nofall[] = { MOVK(0, 0) };

	CHECK_EQ_INT(bpfbox_prog__load(vm, bad_fetch, N(bad_fetch), NULL, &prog), -EINVAL);
	CHECK_STR(last_log, "insn 0: r10 (the frame pointer) is read-only");
	CHECK_EQ_INT(bpfbox_prog__load(vm, kfunc, N(kfunc), NULL, &prog), -EINVAL);
	CHECK_STR(last_log, "insn 0: kfunc calls are not supported (btf id 1)");
	CHECK_EQ_INT(bpfbox_prog__load(vm, nofall, N(nofall), NULL, &prog), -EINVAL);
	CHECK_EQ_INT(bpfbox_prog__load(vm, NULL, 0, NULL, &prog), -EINVAL);
	CHECK_EQ_INT(bpfbox_prog__load(NULL, nofall, 1, NULL, &prog), -EINVAL);

	struct bpfbox_insn p[] = { LDDW(0, 5), ADDK(0, 1), EXIT() };
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "six");
	CHECK_EQ_INT(bpfbox_prog__load(vm, p, N(p), &po, &prog), 0);
	CHECK_STR(bpfbox_prog__name(prog), "six");
	CHECK_EQ_INT(bpfbox_prog__insn_cnt(prog), 4);
	CHECK(memcmp(bpfbox_prog__insns(prog), p, sizeof(p)) == 0);
	CHECK(!prog->verified);
	/* AUTO: checked while unverified (insn_executed filled), trusted once verified */
	BPFBOX_OPTS(bpfbox_run_opts, ro);
	CHECK_EQ_INT(bpfbox_prog__run(prog, &ro), 0);
	CHECK_EQ_U64(ro.retval, 6);
	CHECK_EQ_U64(ro.insn_executed, 3);
	prog->verified = true;
	BPFBOX_OPTS(bpfbox_run_opts, ro2);
	CHECK_EQ_INT(bpfbox_prog__run(prog, &ro2), 0);
	CHECK_EQ_U64(ro2.retval, 6);
	CHECK_EQ_U64(ro2.insn_executed, 0);
	BPFBOX_OPTS(bpfbox_run_opts, ro3, .mode = (enum bpfbox_run_mode)7);
	CHECK_EQ_INT(bpfbox_prog__run(prog, &ro3), -EINVAL);
	bpfbox_prog__free(prog);

	BPFBOX_OPTS(bpfbox_prog_opts, po2);
	CHECK_EQ_INT(bpfbox_prog__load(vm, p, N(p), &po2, &prog), 0);
	CHECK_STR(bpfbox_prog__name(prog), "prog");
	bpfbox_prog__free(prog);
	bpfbox_prog__free(NULL);
	CHECK(bpfbox_version() != NULL && *bpfbox_version());
}

/* ---- threads ---------------------------------------------------------------------- */

struct thread_arg {
	struct bpfbox_prog *prog;
	int id;
	int failures;
};

/* ctx = { a, b }: r0 = sum over a recursive local call and the stack */
static void *thread_main(void *p)
{
	struct thread_arg *t = p;

	for (int i = 0; i < 2000; i++) {
		uint64_t ctx[2] = { (uint64_t)t->id * 1000000 + (uint64_t)i, (uint64_t)i };
		BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = ctx, .ctx_size = sizeof(ctx),
			    .mode = (i & 1) ? BPFBOX_RUN_TRUSTED : BPFBOX_RUN_CHECKED);
		int err = bpfbox_prog__run(t->prog, &ro);
		if (err || ro.retval != ctx[0] * 2 + (uint64_t)i + 3 || ctx[1] != (uint64_t)i + 1) {
			if (!t->failures)
				printf("thread %d run %d: err %d r0 %" PRIu64 " ctx[1] %" PRIu64 "\n",
				       t->id, i, err, ro.retval, ctx[1]);
			t->failures++;
		}
	}
	return NULL;
}

static void test_threads(void)
{
	struct bpfbox_insn p[] = {
		LDX(BX_DW, 2, 1, 0), STX(BX_DW, 10, 2, -8),
		MOVX(6, 1), MOVX(1, 10), ADDK(1, -8), CALL_LOCAL(8),
		LDX(BX_DW, 1, 6, 8), ADDX(0, 1), ADDK(1, 1), STX(BX_DW, 6, 1, 8),
		LDX(BX_DW, 1, 10, -8), ADDX(0, 1), EXIT(),
		EXIT(),               /* never reached */
		/* callee, insn 14: r0 = *r1 + 3, its own stack */
		LDX(BX_DW, 0, 1, 0), ST(BX_DW, 10, -8, 0), ADDK(0, 3), EXIT(),
	};
	struct bpfbox_prog *prog;
	pthread_t th[4];
	struct thread_arg args[4];

	CHECK_EQ_INT(bpfbox_prog__load(vm, p, N(p), NULL, &prog), 0);
	for (int i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){ .prog = prog, .id = i + 1 };
		CHECK_EQ_INT(pthread_create(&th[i], NULL, thread_main, &args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK_MSG(args[i].failures == 0, "thread %d: %d failed runs", i, args[i].failures);
	}
	bpfbox_prog__free(prog);
}

int main(void)
{
	/* an empty registry: the tests register their own helpers by id */
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = capture_log, .no_kernel_helpers = true);

	if (bpfbox_vm__new(&vo, &vm) != 0) {
		printf("cannot create a vm\n0 passed, 1 failed\n");
		return 1;
	}
	TL_RUN(test_alu);
	TL_RUN(test_jumps);
	TL_RUN(test_memory);
	TL_RUN(test_atomics);
	TL_RUN(test_local_calls);
	TL_RUN(test_helpers);
	TL_RUN(test_call_subprog);
	TL_RUN(test_checked);
	TL_RUN(test_load_and_modes);
	TL_RUN(test_threads);
	bpfbox_vm__free(vm);
	return tl_summary();
}

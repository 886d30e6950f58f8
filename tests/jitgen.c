/*
 * jitgen.c - random programs and the two-engine comparison (jitgen.h).
 * The kinds of instructions come from the instruction table (bx_ops[]):
 * the generator picks rows by their FMT, never from a list of opcodes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa/isa.h"
#include "jitgen.h"
#include "vm/vm_internal.h"

#define MAX_ITEMS 400

/* jg_rand - xorshift64*. */
uint64_t jg_rand(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

static unsigned rnd(uint64_t *s, unsigned n)
{
	return (unsigned)(jg_rand(s) >> 33) % n;
}

/* a 64-bit value, biased to the edges */
static uint64_t val64(uint64_t *s)
{
	switch (rnd(s, 10)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return ~0ull;
	case 3: return 1ull << 63;
	case 4: return 0x80000000ull;
	case 5: return 0xffffffffull;
	case 6: return (uint64_t)(int64_t)((int)rnd(s, 601) - 300);
	case 7: return 0xffffffff80000000ull;
	default: return jg_rand(s);
	}
}

/* a 32-bit immediate, biased to the edges */
static int32_t imm32(uint64_t *s)
{
	switch (rnd(s, 9)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return -1;
	case 3: return INT32_MIN;
	case 4: return INT32_MAX;
	case 5: return (int32_t)rnd(s, 601) - 300;
	case 6: return (int32_t)(1u << rnd(s, 32));
	default: return (int32_t)(uint32_t)jg_rand(s);
	}
}

struct item {
	struct bpfbox_insn in[2];
	int n;              /* slots */
	int target;         /* item index this jump/call goes to, or -1 */
	int no_target;      /* inside a loop: forward jumps must not land here */
};

struct gen {
	uint64_t *rng;
	int focus;
	struct item it[MAX_ITEMS];
	int n;
	int loop_reg;       /* r8 while inside a loop body, else -1 */
	int unsafe;         /* jg_gen_checked(): also faults, runaway loops, recursion */
	int in_sub;
	int sub_start;      /* item of the subprogram's first instruction */
	int ops_by_fmt[BX_F__COUNT][BX_OP__COUNT];
	int nfmt[BX_F__COUNT];
	/* pending forward jumps: resolved to an item in (i, end] */
	int fwd[MAX_ITEMS];
	int nfwd;
};

static struct bpfbox_insn enc(int op, int dst, int src, int off, int32_t imm)
{
	struct bpfbox_insn in = { .code = bx_ops[op].code, .dst_reg = (uint8_t)dst,
				  .src_reg = (uint8_t)src, .off = (int16_t)off, .imm = imm };

	switch (bx_ops[op].match) {
	case BX_M_OFF: in.off = (int16_t)bx_ops[op].mval; break;
	case BX_M_IMM: in.imm = bx_ops[op].mval; break;
	case BX_M_SRC: in.src_reg = (uint8_t)bx_ops[op].mval; break;
	default: break;
	}
	return in;
}

static struct item *add(struct gen *G, struct bpfbox_insn in)
{
	struct item *it = &G->it[G->n++];

	memset(it, 0, sizeof(*it));
	it->in[0] = in;
	it->n = 1;
	it->target = -1;
	it->no_target = G->loop_reg >= 0;
	return it;
}

/* a data register: r0..r8, not the loop counter */
static int dreg(struct gen *G)
{
	for (;;) {
		int r = (int)rnd(G->rng, 9);
		if (r != G->loop_reg)
			return r;
	}
}

/* a memory operand: base r9 (ctx data) or r10 (stack top 64 bytes) */
static void mem_operand(struct gen *G, int size, int aligned, int *base, int *off)
{
	int span = 64 - size;

	if (rnd(G->rng, 2)) {
		*base = 9;
		span = 128 - size;
		*off = (int)rnd(G->rng, (unsigned)span + 1);
	} else {
		*base = 10;
		*off = -64 + (int)rnd(G->rng, (unsigned)span + 1);
	}
	if (aligned)
		*off &= ~(size - 1);
}

/* is op usable inside a loop body (no control flow, no memory) */
static int simple_fmt(int fmt)
{
	return fmt == BX_F_ALU || fmt == BX_F_NEG || fmt == BX_F_MOVSX || fmt == BX_F_END;
}

/*
 * gen_op - one instruction of row `op` with random operands.
 */
static void gen_op(struct gen *G, int op)
{
	uint64_t *s = G->rng;
	int fmt = bx_ops[op].fmt, code = bx_ops[op].code;
	int size = bx_code_size((uint8_t)code), base, off;
	int isx = BX_SRC(code) == BX_X;
	struct item *it;
	int32_t imm;

	switch (fmt) {
	case BX_F_ALU:
		imm = imm32(s);
		if (BX_OP(code) == BX_MUL && !rnd(s, 4))     /* the JIT's lea/shl forms */
			imm = (int32_t)"\3\5\x09\2\x10"[rnd(s, 5)];
		if ((BX_OP(code) == BX_LSH || BX_OP(code) == BX_RSH || BX_OP(code) == BX_ARSH) &&
		    rnd(s, 4))
			imm = (int32_t)rnd(s, 64);
		add(G, enc(op, dreg(G), isx ? dreg(G) : 0, 0, isx ? 0 : imm));
		break;
	case BX_F_NEG:
	case BX_F_END:
		add(G, enc(op, dreg(G), 0, 0, 0));
		break;
	case BX_F_MOVSX:
		add(G, enc(op, dreg(G), dreg(G), 0, 0));
		break;
	case BX_F_LDX:
	case BX_F_LDXSX:
		mem_operand(G, size, 0, &base, &off);
		add(G, enc(op, dreg(G), base, off, 0));
		break;
	case BX_F_ST:
		mem_operand(G, size, 0, &base, &off);
		add(G, enc(op, base, 0, off, imm32(s)));
		break;
	case BX_F_STX:
		mem_operand(G, size, 0, &base, &off);
		add(G, enc(op, base, dreg(G), off, 0));
		break;
	case BX_F_AOP:
	case BX_F_AFETCH:
	case BX_F_XCHG:
	case BX_F_CMPXCHG:
		mem_operand(G, size, 1, &base, &off);
		add(G, enc(op, base, dreg(G), off, 0));
		break;
	case BX_F_JCOND:
		it = add(G, enc(op, dreg(G), isx ? dreg(G) : 0, 0, isx ? 0 : imm32(s)));
		G->fwd[G->nfwd++] = G->n - 1;
		(void)it;
		break;
	case BX_F_JA:
	case BX_F_JA32:
		add(G, enc(op, 0, 0, 0, 0));
		G->fwd[G->nfwd++] = G->n - 1;
		break;
	case BX_F_LDABS:
		add(G, enc(op, 0, 0, 0, rnd(s, 8) ? (int32_t)rnd(s, JG_CTX_SIZE) : imm32(s)));
		break;
	case BX_F_LDIND:
		add(G, enc(op, 0, dreg(G), 0, (int32_t)rnd(s, JG_CTX_SIZE)));
		break;
	case BX_F_CALL:
		if (bx_ops[op].mval == BX_CALL_HELPER)
			add(G, enc(op, 0, 0, 0, rnd(s, 2) ? JG_HELPER_A : JG_HELPER_B));
		else if (bx_ops[op].mval == BX_CALL_LOCAL && !G->in_sub)
			add(G, enc(op, 0, 0, 0, 0))->target = -2;   /* the subprogram */
		break;
	default:   /* CALLX, EXIT, LDDW: not generated in bodies */
		break;
	}
}

/*
 * gen_addr_load - the JIT's fusion pattern: rX = r9|r10; rX += rY|imm;
 * mostly followed by rX = *(size *)(rX + off), the address inside the
 * ctx data (r9, 128 bytes) or the stack's top 64 bytes (rY = imm first),
 * else by rX -= r9|r10. (Jumps into the middle: tests/test_jit.c.)
 */
static void gen_addr_load(struct gen *G)
{
	static const int ld[4] = { BX_OP_LDXB, BX_OP_LDXH, BX_OP_LDXW, BX_OP_LDXDW };
	uint64_t *s = G->rng;
	int k = (int)rnd(s, 4), size = 1 << k, base = rnd(s, 2) ? 9 : 10;
	int x = dreg(G), y = dreg(G);
	int lo = base == 9 ? 0 : -64, t = lo + (int)rnd(s, (unsigned)(64 - size + 1));
	int off = (int)rnd(s, 33) - 16, imm = t - off;

	int load = (int)rnd(s, 4), first = G->n;

	if (G->loop_reg >= 0)
		return;
	if (y != x && rnd(s, 2)) {
		add(G, enc(BX_OP_MOV64_K, y, 0, 0, imm));
		add(G, enc(BX_OP_MOV64_X, x, base, 0, 0));
		add(G, enc(BX_OP_ADD64_X, x, y, 0, 0));
	} else {
		add(G, enc(BX_OP_MOV64_X, x, base, 0, 0));
		add(G, enc(BX_OP_ADD64_K, x, 0, 0, imm));
	}
	if (load)
		add(G, enc(ld[k], x, x, off, 0));
	else    /* the address is no value to compare: take the base off again */
		add(G, enc(BX_OP_SUB64_X, x, base, 0, 0));
	/* no jumps into the middle: a partial sum is an address (or worse) */
	for (int i = first + 1; i < G->n; i++)
		G->it[i].no_target = 1;
}

/*
 * gen_scaled_add - rX <<= 1..3; rY += rX; then (mostly) rX overwritten,
 * so that rX is dead after the add (the JIT's lea rY, [rY + rX*k]).
 */
static void gen_scaled_add(struct gen *G)
{
	uint64_t *s = G->rng;
	int x = dreg(G), y = dreg(G);

	add(G, enc(BX_OP_LSH64_K, x, 0, 0, 1 + (int32_t)rnd(s, 3)));
	add(G, enc(BX_OP_ADD64_X, y, x, 0, 0));
	if (rnd(s, 4))
		add(G, enc(BX_OP_MOV64_K, x, 0, 0, imm32(s)));
}

/* a random row of one FMT */
static int pick(struct gen *G, int fmt)
{
	return G->ops_by_fmt[fmt][rnd(G->rng, (unsigned)G->nfmt[fmt])];
}

/* a load, store or store-immediate of `size` bytes at [base + off] */
static void gen_access(struct gen *G, int size, int base, int off)
{
	static const int f[] = { BX_F_LDX, BX_F_LDXSX, BX_F_ST, BX_F_STX };
	int op;

	do
		op = pick(G, f[rnd(G->rng, 4)]);
	while (bx_code_size((uint8_t)bx_ops[op].code) != size);
	if (bx_ops[op].fmt == BX_F_LDX || bx_ops[op].fmt == BX_F_LDXSX)
		add(G, enc(op, dreg(G), base, off, 0));
	else if (bx_ops[op].fmt == BX_F_ST)
		add(G, enc(op, base, 0, off, imm32(G->rng)));
	else
		add(G, enc(op, base, dreg(G), off, 0));
}

/*
 * gen_unsafe - what only a checked run survives (jg_gen_checked()):
 * accesses at and across the edges of the ctx, the stack frame and a
 * helper's region, through a data register, misaligned atomics, a loop
 * without an end (the budget), and (in the subprogram) recursion, which
 * the data decides and the depth limit may stop.
 */
static void gen_unsafe(struct gen *G)
{
	static const int sizes[4] = { 1, 2, 4, 8 };
	uint64_t *s = G->rng;
	int size = sizes[rnd(s, 4)], op;

	switch (rnd(s, 16)) {
	case 0: case 1: case 2:     /* the ctx's end and start */
		gen_access(G, size, 9, rnd(s, 2) ? JG_CTX_SIZE - size - 3 + (int)rnd(s, 7)
						 : -(int)rnd(s, 9));
		break;
	case 3: case 4:             /* the frame's bottom, its top */
		gen_access(G, size, 10, rnd(s, 2) ? -BX_STACK_SIZE - 8 + (int)rnd(s, 12)
						  : -8 + (int)rnd(s, 17));
		break;
	case 5: case 6:             /* through a data register */
		gen_access(G, size, dreg(G), (int)rnd(s, 64) - 32);
		break;
	case 7: case 8: case 9:     /* a helper's 64-byte region: r0 = its address */
		add(G, enc(BX_OP_CALL, 0, 0, 0, JG_HELPER_MEM));
		gen_access(G, size, 0, JG_REGION_SIZE - size - 4 + (int)rnd(s, 9) -
			   (rnd(s, 2) ? (int)rnd(s, JG_REGION_SIZE) : 0));
		break;
	case 10: case 11: {         /* an atomic, maybe misaligned */
		static const int f[] = { BX_F_AOP, BX_F_AFETCH, BX_F_XCHG, BX_F_CMPXCHG };
		do
			op = pick(G, f[rnd(s, 4)]);
		while (bx_code_size((uint8_t)bx_ops[op].code) < 4);
		size = bx_code_size((uint8_t)bx_ops[op].code);
		add(G, enc(op, rnd(s, 2) ? 9 : 10, dreg(G), (rnd(s, 2) ? 0 : -64) +
			   (int)rnd(s, 64 - (unsigned)size), 0));
		break;
	}
	case 12: {                  /* a loop that never ends */
		int start, len = 1 + (int)rnd(s, 3);

		if (G->loop_reg >= 0 || rnd(s, 4))
			break;
		G->loop_reg = 8;
		start = G->n;
		add(G, enc(BX_OP_ADD64_K, 8, 0, 0, 1));
		for (int j = 0; j < len; j++) {
			do
				op = pick(G, BX_F_ALU);
			while (!simple_fmt(bx_ops[op].fmt));
			gen_op(G, op);
		}
		add(G, enc(rnd(s, 2) ? BX_OP_JA : BX_OP_JNE_K, 8, 0, 0, 0))->target = start;
		G->loop_reg = -1;
		break;
	}
	default:                    /* the subprogram calls itself */
		if (G->in_sub)
			add(G, enc(BX_OP_CALL_LOCAL, 0, 0, 0, 0))->target = -2;
		break;
	}
}

/*
 * gen_body - n random items. Subprogram bodies have no local calls
 * (unless unsafe: recursion).
 */
static void gen_body(struct gen *G, int n)
{
	uint64_t *s = G->rng;

	for (int k = 0; k < n && G->n < MAX_ITEMS - 40; k++) {
		unsigned w = rnd(s, 100);

		if (G->unsafe && rnd(s, 100) < 6) {
			gen_unsafe(G);
			continue;
		}
		if (G->focus >= 0 && rnd(s, 2)) {
			gen_op(G, G->focus);
			continue;
		}
		if (w < 40) {
			static const int f[] = { BX_F_ALU, BX_F_ALU, BX_F_ALU, BX_F_NEG, BX_F_MOVSX,
						 BX_F_END };
			gen_op(G, pick(G, f[rnd(s, 6)]));
		} else if (w < 58) {
			static const int f[] = { BX_F_LDX, BX_F_LDXSX, BX_F_ST, BX_F_STX };
			gen_op(G, pick(G, f[rnd(s, 4)]));
		} else if (w < 66) {
			static const int f[] = { BX_F_AOP, BX_F_AFETCH, BX_F_XCHG, BX_F_CMPXCHG };
			gen_op(G, pick(G, f[rnd(s, 4)]));
		} else if (w < 82) {
			gen_op(G, pick(G, rnd(s, 8) ? BX_F_JCOND : rnd(s, 2) ? BX_F_JA : BX_F_JA32));
		} else if (w < 87) {
			gen_op(G, BX_OP_CALL);
		} else if (w < 90 && !G->in_sub) {
			gen_op(G, BX_OP_CALL_LOCAL);
		} else if (w < 92) {
			gen_op(G, pick(G, rnd(s, 2) ? BX_F_LDABS : BX_F_LDIND));
		} else if (w < 96) {   /* a counted loop: r8 = k; body; r8 -= 1; if r8 != 0 goto */
			int start, len = 1 + (int)rnd(s, 3);

			add(G, enc(BX_OP_MOV64_K, 8, 0, 0, 1 + (int32_t)rnd(s, 4)));
			G->loop_reg = 8;
			start = G->n;
			for (int j = 0; j < len; j++) {
				int op;
				do
					op = pick(G, rnd(s, 3) ? BX_F_ALU : BX_F_END);
				while (!simple_fmt(bx_ops[op].fmt));
				gen_op(G, op);
			}
			add(G, enc(BX_OP_SUB64_K, 8, 0, 0, 1));
			add(G, enc(BX_OP_JNE_K, 8, 0, 0, 0))->target = start;
			G->loop_reg = -1;
		} else if (w < 97) {
			if (rnd(s, 3))
				gen_addr_load(G);
			else
				gen_scaled_add(G);
		} else if (w < 98) {   /* an ALU op, then a compare of its dst with 0 */
			int r = dreg(G);
			static const int f[] = { BX_OP_JEQ_K, BX_OP_JNE_K, BX_OP_JEQ32_K,
						 BX_OP_JNE32_K };
			int op;

			do
				op = pick(G, BX_F_ALU);
			while (BX_OP(bx_ops[op].code) == BX_DIV || BX_OP(bx_ops[op].code) == BX_MOD);
			add(G, enc(op, r, dreg(G), 0, rnd(s, 4) ? imm32(s) : (int32_t)rnd(s, 64)));
			add(G, enc(f[rnd(s, 4)], r, 0, 0, 0));
			G->fwd[G->nfwd++] = G->n - 1;
		} else {
			int r = dreg(G);
			uint64_t v = val64(s);
			struct item *it = add(G, enc(BX_OP_LDDW, r, 0, 0, (int32_t)(uint32_t)v));

			it->in[1] = (struct bpfbox_insn){ .imm = (int32_t)(uint32_t)(v >> 32) };
			it->n = 2;
		}
	}
}

/* resolve pending forward jumps of items [from, ...) to targets in (i, end] */
static void resolve_fwd(struct gen *G, int end)
{
	for (int k = 0; k < G->nfwd; k++) {
		int i = G->fwd[k], t = i + 1 + (int)rnd(G->rng, (unsigned)(end - i));

		while (t < end && G->it[t].no_target)
			t++;
		G->it[i].target = t;
	}
	G->nfwd = 0;
}

/* stack init: 8 stores to [r10-64, r10) */
static void init_stack(struct gen *G)
{
	for (int k = 1; k <= 8; k++)
		add(G, enc(BX_OP_STDW, 10, 0, -8 * k, imm32(G->rng)));
}

/* gen - jg_gen(), jg_gen_checked(). */
static size_t gen(uint64_t *rng, int focus, int unsafe, struct bpfbox_insn *out)
{
	static struct gen G0;   /* only the layout: each call rebuilds it (not thread-safe) */
	struct gen *G = &G0;
	int body_end, slot = 0;
	int pos[MAX_ITEMS + 1];

	memset(G, 0, sizeof(*G));
	G->rng = rng;
	G->focus = focus;
	G->unsafe = unsafe;
	G->loop_reg = -1;
	for (int op = 0; op < BX_OP__COUNT; op++) {
		int f = bx_ops[op].fmt;
		G->ops_by_fmt[f][G->nfmt[f]++] = op;
	}
	/* main: r9 = ctx, stack, registers */
	add(G, enc(BX_OP_MOV64_X, 9, 1, 0, 0));
	init_stack(G);
	for (int r = 0; r <= 8; r++) {
		uint64_t v = val64(rng);
		struct item *it = add(G, enc(BX_OP_LDDW, r, 0, 0, (int32_t)(uint32_t)v));
		it->in[1] = (struct bpfbox_insn){ .imm = (int32_t)(uint32_t)(v >> 32) };
		it->n = 2;
	}
	gen_body(G, 8 + (int)rnd(rng, 40));
	body_end = G->n;
	resolve_fwd(G, body_end);
	/* epilogue: registers and the stack top into the ctx */
	for (int r = 0; r <= 8; r++)
		add(G, enc(BX_OP_STXDW, 9, r, 128 + 8 * r, 0));
	for (int k = 1; k <= 8; k++) {
		add(G, enc(BX_OP_LDXDW, 1, 10, -8 * k, 0));
		add(G, enc(BX_OP_STXDW, 9, 1, 256 + 64 - 8 * k, 0));
	}
	add(G, enc(BX_OP_EXIT, 0, 0, 0, 0));
	/* the subprogram */
	G->in_sub = 1;
	G->sub_start = G->n;
	init_stack(G);
	gen_body(G, 2 + (int)rnd(rng, 12));
	resolve_fwd(G, G->n);
	add(G, enc(BX_OP_EXIT, 0, 0, 0, 0));
	/* layout and jump distances */
	for (int i = 0; i < G->n; i++) {
		pos[i] = slot;
		slot += G->it[i].n;
	}
	pos[G->n] = slot;
	for (int i = 0; i < G->n; i++) {
		struct item *it = &G->it[i];
		int t = it->target == -2 ? G->sub_start : it->target;
		int d;

		if (t < 0)
			continue;
		d = pos[t] - pos[i] - 1;
		if (bx_ops[bx_decode(&it->in[0])].fmt == BX_F_JA32 ||
		    bx_decode(&it->in[0]) == BX_OP_CALL_LOCAL)
			it->in[0].imm = d;
		else
			it->in[0].off = (int16_t)d;
	}
	for (int i = 0; i < G->n; i++)
		for (int k = 0; k < G->it[i].n; k++)
			out[pos[i] + k] = G->it[i].in[k];
	return (size_t)slot;
}

/* jg_gen - see jitgen.h. */
size_t jg_gen(uint64_t *rng, int focus, struct bpfbox_insn *out)
{
	return gen(rng, focus, 0, out);
}

/* jg_gen_checked - see jitgen.h. */
size_t jg_gen_checked(uint64_t *rng, struct bpfbox_insn *out)
{
	return gen(rng, -1, 1, out);
}

/* jg_fill_ctx - see jitgen.h. */
void jg_fill_ctx(uint64_t *rng, uint8_t *ctx)
{
	for (size_t i = 0; i < JG_CTX_SIZE; i += 8) {
		uint64_t v = rnd(rng, 4) ? jg_rand(rng) : val64(rng);
		memcpy(ctx + i, &v, 8);
	}
}

/* ---- the two runs -------------------------------------------------------------------- */

static void rec(struct bpfbox_call *call, uint64_t id, uint64_t r1, uint64_t r2, uint64_t r3,
		uint64_t r4, uint64_t r5)
{
	struct jg_env *e = bpfbox_call__helper_ctx(call);

	if (e->tr.n < JG_MAX_TRACE) {
		uint64_t *r = e->tr.rec[e->tr.n];
		r[0] = id; r[1] = r1; r[2] = r2; r[3] = r3; r[4] = r4; r[5] = r5;
	}
	e->tr.n++;
}

static uint64_t help_a(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
		       uint64_t r4, uint64_t r5)
{
	rec(call, JG_HELPER_A, r1, r2, r3, r4, r5);
	return r1 * 31 + (r2 ^ r3) - r4 + (r5 << 1);
}

static uint64_t help_b(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
		       uint64_t r4, uint64_t r5)
{
	rec(call, JG_HELPER_B, r1, r2, r3, r4, r5);
	return ~r1 + r2;
}

/* helper 3: r0 = the env's 64-byte region, registered for this run */
static uint64_t help_mem(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
			 uint64_t r4, uint64_t r5)
{
	struct jg_env *e = bpfbox_call__helper_ctx(call);

	rec(call, JG_HELPER_MEM, r1, r2, r3, r4, r5);
	if (bxv_run_add_region(call, e->region, sizeof(e->region), true))
		return 0;
	return (uint64_t)(uintptr_t)e->region;
}

static void log_fn(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	struct jg_env *e = ctx;

	if (level <= BPFBOX_LOG_WARN)
		snprintf(e->log, sizeof(e->log), "%s", msg);
}

/* jg_env_init - see jitgen.h. */
int jg_env_init(struct jg_env *e)
{
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = log_fn, .log_ctx = e, .no_kernel_helpers = true);
	int err;

	memset(e, 0, sizeof(*e));
	err = bpfbox_vm__new(&vo, &e->vm);
	if (!err)
		err = bpfbox_vm__register_helper(e->vm, JG_HELPER_A, "rec_a", help_a, e);
	if (!err)
		err = bpfbox_vm__register_helper(e->vm, JG_HELPER_B, "rec_b", help_b, e);
	if (!err)
		err = bpfbox_vm__register_helper(e->vm, JG_HELPER_MEM, "region", help_mem, e);
	return err;
}

/* jg_env_free - see jitgen.h. */
void jg_env_free(struct jg_env *e)
{
	bpfbox_vm__free(e->vm);
	e->vm = NULL;
}

/* gen_load - load the generated program as "gen" (trusted runs need the
 * verifier); 0, or -1 with the reason and the log in why. */
static int gen_load(struct jg_env *e, const struct bpfbox_insn *insns, size_t cnt,
		    struct bpfbox_prog **prog, char *why, size_t why_sz)
{
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "gen");
	int err;

	e->log[0] = 0;
	err = bpfbox_prog__load(e->vm, insns, cnt, &po, prog);
	if (err) {
		snprintf(why, why_sz, "load: %d: %s", err, e->log);
		return -1;
	}
	return 0;
}

/* traces_differ - did the two runs call helpers differently (count or
 * the recorded calls)? */
static bool traces_differ(const struct jg_trace tr[2])
{
	return tr[0].n != tr[1].n ||
	       memcmp(tr[0].rec, tr[1].rec,
		      (tr[0].n < JG_MAX_TRACE ? tr[0].n : JG_MAX_TRACE) * sizeof(tr[0].rec[0]));
}

/* jg_compare - see jitgen.h. */
int jg_compare(struct jg_env *e, const struct bpfbox_insn *insns, size_t cnt, const uint8_t *ctx,
	       char *why, size_t why_sz)
{
	struct bpfbox_prog *prog = NULL;
	uint8_t mem[2][JG_CTX_SIZE];
	struct jg_trace tr[2];
	uint64_t r0[2];
	int err[2], res = 0;

	if (gen_load(e, insns, cnt, &prog, why, why_sz))
		return -1;
	for (int k = 0; k < 2; k++) {
		BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = mem[k], .ctx_size = JG_CTX_SIZE,
			    .mode = BPFBOX_RUN_TRUSTED,
			    .engine = k ? BPFBOX_ENGINE_JIT : BPFBOX_ENGINE_INTERP);
		memcpy(mem[k], ctx, JG_CTX_SIZE);
		e->tr.n = 0;
		err[k] = bpfbox_prog__run(prog, &ro);
		r0[k] = ro.retval;
		tr[k] = e->tr;
	}
	if (err[1] == -EOPNOTSUPP || (err[1] && !err[0])) {
		snprintf(why, why_sz, "jit run: %d: %s", err[1], e->log);
		res = err[1] == -EOPNOTSUPP ? -1 : 1;
	} else if (err[0] != err[1]) {
		snprintf(why, why_sz, "error: interp %d, jit %d", err[0], err[1]);
		res = 1;
	} else if (r0[0] != r0[1]) {
		snprintf(why, why_sz, "r0: interp 0x%llx, jit 0x%llx", (unsigned long long)r0[0],
			 (unsigned long long)r0[1]);
		res = 1;
	} else if (memcmp(mem[0], mem[1], JG_CTX_SIZE)) {
		size_t i = 0;
		while (mem[0][i] == mem[1][i])
			i++;
		snprintf(why, why_sz, "ctx byte %zu%s: interp 0x%02x, jit 0x%02x", i,
			 i >= 256 ? " (stack)" : i >= 128 ? " (registers)" : "", mem[0][i], mem[1][i]);
		res = 1;
	} else if (traces_differ(tr)) {
		snprintf(why, why_sz, "helper trace: interp %u calls, jit %u calls (or arguments differ)",
			 tr[0].n, tr[1].n);
		res = 1;
	}
	bpfbox_prog__free(prog);
	return res;
}

/* strip_hex - msg without its 0x... numbers (addresses differ between runs) */
static void strip_hex(const char *msg, char *out, size_t n)
{
	size_t k = 0;

	for (const char *p = msg; *p && k + 1 < n; p++) {
		if (p[0] == '0' && p[1] == 'x') {
			p += 2;
			while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))
				p++;
			out[k++] = '#';
			p--;
			continue;
		}
		out[k++] = *p;
	}
	out[k] = 0;
}

/* jg_compare_checked - see jitgen.h. */
int jg_compare_checked(struct jg_env *e, const struct bpfbox_insn *insns, size_t cnt,
		       const uint8_t *ctx, uint64_t max_insns, char *why, size_t why_sz, int *fault)
{
	struct bpfbox_prog *prog = NULL;
	uint8_t mem[2][JG_CTX_SIZE], region[2][JG_REGION_SIZE];
	char msg[2][512];
	struct jg_trace tr[2];
	uint64_t r0[2];
	int err[2], res = 0;

	if (gen_load(e, insns, cnt, &prog, why, why_sz))
		return -1;
	for (int k = 0; k < 2; k++) {
		BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = mem[k], .ctx_size = JG_CTX_SIZE,
			    .mode = BPFBOX_RUN_CHECKED, .max_insns = max_insns,
			    .engine = k ? BPFBOX_ENGINE_JIT : BPFBOX_ENGINE_INTERP);
		memcpy(mem[k], ctx, JG_CTX_SIZE);
		memset(e->region, 0x5a, sizeof(e->region));
		e->tr.n = 0;
		e->log[0] = 0;
		err[k] = bpfbox_prog__run(prog, &ro);
		r0[k] = ro.retval;
		tr[k] = e->tr;
		memcpy(region[k], e->region, sizeof(e->region));
		strip_hex(e->log, msg[k], sizeof(msg[k]));
	}
	*fault = err[0];
	if (err[1] == -EOPNOTSUPP) {
		snprintf(why, why_sz, "checked jit run: %d: %s", err[1], msg[1]);
		res = -1;
	} else if (err[0] != err[1]) {
		snprintf(why, why_sz, "error: interp %d (%s), jit %d (%s)", err[0], msg[0], err[1],
			 msg[1]);
		res = 1;
	} else if (err[0] == -ELOOP) {
		/* the budget: the interpreter counts instructions, the checked JIT
		 * charges loops and functions: both stop, not at the same slot */
	} else if (err[0] && strcmp(msg[0], msg[1])) {
		snprintf(why, why_sz, "fault: interp \"%s\", jit \"%s\"", msg[0], msg[1]);
		res = 1;
	} else if (r0[0] != r0[1]) {
		snprintf(why, why_sz, "r0: interp 0x%llx, jit 0x%llx", (unsigned long long)r0[0],
			 (unsigned long long)r0[1]);
		res = 1;
	} else if (memcmp(mem[0], mem[1], JG_CTX_SIZE)) {
		size_t i = 0;
		while (mem[0][i] == mem[1][i])
			i++;
		snprintf(why, why_sz, "ctx byte %zu: interp 0x%02x, jit 0x%02x", i, mem[0][i],
			 mem[1][i]);
		res = 1;
	} else if (memcmp(region[0], region[1], JG_REGION_SIZE)) {
		snprintf(why, why_sz, "the helper's region differs");
		res = 1;
	} else if (traces_differ(tr)) {
		snprintf(why, why_sz, "helper trace: interp %u calls, jit %u calls (or arguments differ)",
			 tr[0].n, tr[1].n);
		res = 1;
	}
	bpfbox_prog__free(prog);
	return res;
}

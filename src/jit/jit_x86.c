/*
 * jit_x86.c - x86-64 code for each eBPF instruction, generated from the
 * instruction table: BX_INSN_MAP gives every op its opcode byte, variant
 * value and SEM token, and the FMT column picks the generator (gen_ALU,
 * gen_JCOND, ...), exactly as the interpreter picks its body template.
 * No opcode list is written here.
 *
 * Register mapping (as the kernel's x86 JIT):
 *   r0 rax  r1 rdi  r2 rsi  r3 rdx  r4 rcx  r5 r8
 *   r6 rbx  r7 r13  r8 r14  r9 r15  r10 rbp
 *   r12 = struct bpfbox_call *, r10/r11 = scratch.
 * Semantics are RFC 9669's, as in interp_sem.h: 32-bit results are
 * zero-extended, x / 0 = 0, x % 0 = x, INT_MIN s/ -1 = INT_MIN,
 * INT_MIN s% -1 = 0, shift counts are masked.
 */
#include "jit_int.h"

#if defined(__x86_64__)

const uint8_t bxj_reg[BX_NREGS] = {
	BXJ_RAX, BXJ_RDI, BXJ_RSI, BXJ_RDX, BXJ_RCX, BXJ_R8,
	BXJ_RBX, BXJ_R13, BXJ_R14, BXJ_R15, BXJ_RBP,
};

/* the SEM tokens of the table (their meaning depends on the FMT) */
enum {
	S__, S_ADD, S_SUB, S_MUL, S_DIV, S_SDIV, S_OR, S_AND, S_LSH, S_RSH, S_NEG, S_MOD,
	S_SMOD, S_XOR, S_MOV, S_ARSH, S_S8, S_S16, S_S32, S_SWAP, S_LE, S_BE, S_EQ, S_GT,
	S_GE, S_SET, S_NE, S_SGT, S_SGE, S_LT, S_SLT, S_SLE, S_HELPER, S_LOCAL, S_KFUNC,
	S_IMM64, S_MAP_FD, S_MAP_VALUE, S_BTF_ID, S_FUNC, S_MAP_IDX, S_MAP_IDX_VALUE,
};

/* one table row as data */
struct row {
	uint8_t code;
	uint8_t fmt;
	uint8_t sem;
	int32_t mval;
};

static const struct row rows[BX_OP__COUNT] = {
#define X(NAME, CODE, MATCH, MVAL, FMT, SEM, ...) \
	[BX_OP_##NAME] = { (CODE), BX_F_##FMT, S_##SEM, (MVAL) },
	BX_INSN_MAP(X)
#undef X
};

#define IS64(code) (BX_CLASS(code) == BX_ALU64 || BX_CLASS(code) == BX_JMP)
#define ISX(code)  (BX_SRC(code) == BX_X)

/* ---- labels and jumps --------------------------------------------------------- */

/* bxj_jump - jmp/jcc to label l: short when the previous pass says it fits. */
void bxj_jump(struct bxj_gen *g, int cc, size_t l)
{
	struct bxj_buf *b = &g->b;
	int64_t tgt = g->first ? 0 : (int64_t)g->prev[l];

	if (!g->first && !g->force_long && bxj_fits8(tgt - (int64_t)(b->len + 2))) {
		bxj_byte(b, cc < 0 ? 0xeb : (uint8_t)(0x70 + cc));
		bxj_byte(b, (uint8_t)(int8_t)(tgt - (int64_t)(b->len + 1)));
		return;
	}
	if (cc < 0) {
		bxj_byte(b, 0xe9);
	} else {
		bxj_byte(b, 0x0f);
		bxj_byte(b, (uint8_t)(0x80 + cc));
	}
	bxj_u32(b, (uint32_t)(int32_t)(tgt - (int64_t)(b->len + 4)));
}

/* bxj_jump_site - jcc to a new cold stub that reports `kind` at insn. */
void bxj_jump_site(struct bxj_gen *g, int cc, uint32_t insn, int kind, int reg)
{
	size_t k = g->nsites++;

	g->sites[k] = (struct bxj_site){ .insn = insn, .kind = (uint8_t)kind, .reg = (uint8_t)reg };
	bxj_jump(g, cc, g->cnt + BXJ_L__SHARED + k);
}

/* ---- ALU ---------------------------------------------------------------------------- */

/* zero-extend the low 32 bits of r in place */
static void zext32(struct bxj_buf *b, int r)
{
	bxj_mov_rr(b, false, r, r);
}

/*
 * gen_div - DIV, MOD, SDIV, SMOD: x86 div needs rdx:rax, so both are
 * saved unless dst is one of them; the divisor goes to r11, the result
 * through r10. Zero and -1 divisors take the RFC's results without
 * dividing.
 */
static void gen_div(struct bxj_buf *b, bool w, bool isx, int sem, int d, int s, uint64_t imm)
{
	bool sgn = sem == S_SDIV || sem == S_SMOD, mod = sem == S_MOD || sem == S_SMOD;
	unsigned fl = w ? BXJ_W : 0;
	size_t jz = 0, jm1 = 0, jdone;

	if (!isx) {
		uint64_t v = w ? imm : (uint32_t)imm;
		uint64_t m1 = w ? ~0ull : 0xffffffffull;

		if (v == 0) {
			if (!mod)
				bxj_mov_imm32(b, d, 0);
			else if (!w)
				zext32(b, d);
			return;
		}
		if (sgn && v == m1) {
			if (mod)
				bxj_mov_imm32(b, d, 0);
			else
				bxj_op_rr(b, fl, 0xf7, 1, 3, d);           /* neg */
			return;
		}
		if (!sgn && !(v & (v - 1))) {
			int n = __builtin_ctzll(v);

			if (!mod) {
				if (n)
					bxj_shift_imm(b, fl, 5, d, (uint8_t)n);   /* shr */
				else if (!w)
					zext32(b, d);
			} else if (bxj_fits32((int64_t)(v - 1)) || !w) {
				bxj_alu_imm(b, w, 4, d, (int32_t)(uint32_t)(v - 1));
			} else {
				bxj_mov_imm(b, BXJ_R11, v - 1);
				bxj_op_rr(b, BXJ_W, 0x21, 1, BXJ_R11, d);
			}
			return;
		}
		bxj_mov_imm(b, BXJ_R11, v);
	} else {
		bxj_mov_rr(b, w, BXJ_R11, s);
		bxj_op_rr(b, fl, 0x85, 1, BXJ_R11, BXJ_R11);           /* test */
		jz = bxj_jfwd8(b, BXJ_CC_E);
		if (sgn) {
			bxj_alu_imm(b, w, 7, BXJ_R11, -1);               /* cmp r11, -1 */
			jm1 = bxj_jfwd8(b, BXJ_CC_E);
		}
	}
	if (d != BXJ_RDX)
		bxj_push(b, BXJ_RDX);
	if (d != BXJ_RAX) {
		bxj_push(b, BXJ_RAX);
		bxj_mov_rr(b, true, BXJ_RAX, d);
	}
	if (sgn) {
		if (w)
			bxj_byte(b, 0x48);
		bxj_byte(b, 0x99);                                    /* cqo / cdq */
	} else {
		bxj_op_rr(b, 0, 0x31, 1, BXJ_RDX, BXJ_RDX);
	}
	bxj_op_rr(b, fl, 0xf7, 1, sgn ? 7 : 6, BXJ_R11);             /* idiv / div */
	bxj_mov_rr(b, true, BXJ_R10, mod ? BXJ_RDX : BXJ_RAX);
	if (d != BXJ_RAX)
		bxj_pop(b, BXJ_RAX);
	if (d != BXJ_RDX)
		bxj_pop(b, BXJ_RDX);
	bxj_mov_rr(b, true, d, BXJ_R10);
	if (!isx)
		return;
	jdone = bxj_jfwd8(b, -1);
	bxj_patch8(b, jz);                                          /* divisor 0 */
	if (!mod)
		bxj_mov_imm32(b, d, 0);
	else if (!w)
		zext32(b, d);
	if (sgn) {
		size_t j2 = bxj_jfwd8(b, -1);
		bxj_patch8(b, jm1);                                 /* divisor -1 */
		if (mod)
			bxj_mov_imm32(b, d, 0);
		else
			bxj_op_rr(b, fl, 0xf7, 1, 3, d);
		bxj_patch8(b, j2);
	}
	bxj_patch8(b, jdone);
}

/*
 * gen_shift_x - dst <<= src (or >>, s>>): the count must be in cl, and r4
 * lives in rcx, so rcx is saved in r11 around it unless src is r4.
 */
static void gen_shift_x(struct bxj_buf *b, unsigned fl, int ext, int d, int s)
{
	if (s == BXJ_RCX) {
		bxj_op_rr(b, fl, 0xd3, 1, ext, d);
	} else if (d == BXJ_RCX) {
		bxj_mov_rr(b, true, BXJ_R11, BXJ_RCX);
		bxj_mov_rr(b, true, BXJ_RCX, s);
		bxj_op_rr(b, fl, 0xd3, 1, ext, BXJ_R11);
		bxj_mov_rr(b, true, BXJ_RCX, BXJ_R11);
	} else {
		bxj_mov_rr(b, true, BXJ_R11, BXJ_RCX);
		bxj_mov_rr(b, true, BXJ_RCX, s);
		bxj_op_rr(b, fl, 0xd3, 1, ext, d);
		bxj_mov_rr(b, true, BXJ_RCX, BXJ_R11);
	}
}

/*
 * zext_dst - the zero-extension a 32-bit op that leaves the low half
 * alone still owes dst, unless dst's upper half is already known to be
 * zero at slot i (jit_peep.c).
 */
static void zext_dst(struct bxj_gen *g, size_t i, int ebpf_dst)
{
	if (!((g->upz[i] >> ebpf_dst) & 1))
		zext32(&g->b, bxj_reg[ebpf_dst]);
}

/* gen_mul_imm - dst *= imm: lea for 3, 5, 9; shl for powers of two; imul. */
static void gen_mul_imm(struct bxj_gen *g, size_t i, bool w, int ed, int32_t imm)
{
	struct bxj_buf *b = &g->b;
	unsigned fl = w ? BXJ_W : 0;
	int d = bxj_reg[ed];

	if (imm == 1) {
		if (!w)
			zext_dst(g, i, ed);
	} else if (imm == 3 || imm == 5 || imm == 9) {
		bxj_op_rmi(b, fl, 0x8d, 1, d, d, d, imm - 1, 0);   /* lea d, [d + d*k] */
	} else if (imm > 0 && !(imm & (imm - 1))) {
		bxj_shift_imm(b, fl, 4, d, (uint8_t)__builtin_ctz((unsigned)imm));
	} else if (bxj_fits8(imm)) {
		bxj_op_rr(b, fl, 0x6b, 1, d, d);
		bxj_byte(b, (uint8_t)imm);
	} else {
		bxj_op_rr(b, fl, 0x69, 1, d, d);
		bxj_u32(b, (uint32_t)imm);
	}
}

/*
 * gen_ALU - the two-operand ALU ops, 64-bit or 32-bit, register or imm.
 * After add/sub/or/and/xor and shifts by a non-zero count, ZF reflects
 * dst (g->zf) for a following compare with zero.
 */
static void gen_ALU(struct bxj_gen *g, size_t i, const struct bxv_insn *x, const struct row *r)
{
	static const uint8_t rr_op[] = { [S_ADD] = 0x01, [S_SUB] = 0x29, [S_OR] = 0x09,
					 [S_AND] = 0x21, [S_XOR] = 0x31 };
	static const uint8_t ext[] = { [S_ADD] = 0, [S_SUB] = 5, [S_OR] = 1, [S_AND] = 4,
				       [S_XOR] = 6, [S_LSH] = 4, [S_RSH] = 5, [S_ARSH] = 7 };
	struct bxj_buf *b = &g->b;
	bool w = IS64(r->code), isx = ISX(r->code);
	unsigned fl = w ? BXJ_W : 0;
	int d = bxj_reg[x->dst], s = bxj_reg[x->src];
	int32_t imm = (int32_t)x->imm;
	int zf = d | (w ? 0x100 : 0);

	switch (r->sem) {
	case S_ADD: case S_SUB: case S_OR: case S_AND: case S_XOR:
		if (isx) {
			bxj_op_rr(b, fl, rr_op[r->sem], 1, s, d);
			g->zf = zf;
		} else if (imm == 0 && r->sem != S_AND) {
			if (!w)
				zext_dst(g, i, x->dst);
		} else if (imm == 0) {
			bxj_mov_imm32(b, d, 0);
		} else if (imm == -1 && r->sem == S_AND) {
			if (!w)
				zext_dst(g, i, x->dst);
		} else {
			bxj_alu_imm(b, w, ext[r->sem], d, imm);
			g->zf = zf;
		}
		break;
	case S_MOV:
		if (isx)
			bxj_mov_rr(b, w, d, s);
		else if (w)
			bxj_mov_imm(b, d, x->imm);
		else
			bxj_mov_imm32(b, d, (uint32_t)imm);
		break;
	case S_MUL:
		if (isx)
			bxj_op_rr(b, fl, 0x0faf, 2, d, s);
		else
			gen_mul_imm(g, i, w, x->dst, imm);
		break;
	case S_LSH: case S_RSH: case S_ARSH:
		if (isx) {
			gen_shift_x(b, fl, ext[r->sem], d, s);
		} else {
			uint8_t n = (uint8_t)(imm & (w ? 63 : 31));
			if (n) {
				bxj_shift_imm(b, fl, ext[r->sem], d, n);
				g->zf = zf;
			} else if (!w) {
				zext_dst(g, i, x->dst);
			}
		}
		break;
	default:   /* DIV MOD SDIV SMOD */
		gen_div(b, w, isx, r->sem, d, s, x->imm);
		break;
	}
}

/* gen_NEG - dst = -dst. */
static void gen_NEG(struct bxj_gen *g, size_t i, const struct bxv_insn *x, const struct row *r)
{
	(void)i;
	bxj_op_rr(&g->b, IS64(r->code) ? BXJ_W : 0, 0xf7, 1, 3, bxj_reg[x->dst]);
}

/* gen_MOVSX - dst = sign-extended low 8/16/32 bits of src. */
static void gen_MOVSX(struct bxj_gen *g, size_t i, const struct bxv_insn *x, const struct row *r)
{
	struct bxj_buf *b = &g->b;
	unsigned fl = IS64(r->code) ? BXJ_W : 0;
	int d = bxj_reg[x->dst], s = bxj_reg[x->src];

	(void)i;
	if (r->sem == S_S8)
		bxj_op_rr(b, fl | BXJ_BYTE, 0x0fbe, 2, d, s);
	else if (r->sem == S_S16)
		bxj_op_rr(b, fl, 0x0fbf, 2, d, s);
	else
		bxj_op_rr(b, BXJ_W, 0x63, 1, d, s);                   /* movsxd */
}

/* gen_END - le16/32/64 (truncate), be16/32/64 and bswap16/32/64 (swap). */
static void gen_END(struct bxj_gen *g, size_t i, const struct bxv_insn *x, const struct row *r)
{
	struct bxj_buf *b = &g->b;
	int d = bxj_reg[x->dst];

	if (r->sem == S_LE) {
		if (r->mval == 16)
			bxj_op_rr(b, 0, 0x0fb7, 2, d, d);              /* movzx d32, d16 */
		else if (r->mval == 32)
			zext_dst(g, i, x->dst);
		return;
	}
	if (r->mval == 16) {
		bxj_shift_imm(b, BXJ_66, 1, d, 8);                  /* ror d16, 8 */
		bxj_op_rr(b, 0, 0x0fb7, 2, d, d);
	} else {
		if (d & 8)
			bxj_byte(b, r->mval == 64 ? 0x49 : 0x41);
		else if (r->mval == 64)
			bxj_byte(b, 0x48);
		bxj_byte(b, 0x0f);
		bxj_byte(b, (uint8_t)(0xc8 + (d & 7)));             /* bswap */
	}
}

/* gen_JA / gen_JA32 - goto (a jump to the next slot is dropped). */
static void gen_JA(struct bxj_gen *g, size_t i, const struct bxv_insn *x, const struct row *r)
{
	(void)r;
	if (x->off)
		bxj_jump(g, -1, (size_t)((int64_t)i + 1 + x->off));
}
#define gen_JA32 gen_JA

/* gen_MAYGOTO - may_goto: while the run's loop budget (call->may_goto_used
 * < BX_MAX_LOOPS) lasts, spend one unit and fall through; then jump. */
static void gen_MAYGOTO(struct bxj_gen *g, size_t i, const struct bxv_insn *x, const struct row *r)
{
	int32_t at = (int32_t)offsetof(struct bpfbox_call, may_goto_used);

	(void)r;
	bxj_alu_mem_imm(&g->b, false, 7, BXJ_R12, at, (int32_t)BX_MAX_LOOPS);   /* cmp */
	if (x->off)
		bxj_jump(g, BXJ_CC_AE, (size_t)((int64_t)i + 1 + x->off));
	else
		bxj_jump(g, BXJ_CC_AE, i + 1);
	bxj_alu_mem_imm(&g->b, false, 0, BXJ_R12, at, 1);                       /* add 1 */
}

/* gen_JCOND - compare (or test, for jset) and branch. */
static void gen_JCOND(struct bxj_gen *g, size_t i, const struct bxv_insn *x, const struct row *r)
{
	static const uint8_t cc[] = {
		[S_EQ] = BXJ_CC_E, [S_NE] = BXJ_CC_NE, [S_GT] = BXJ_CC_A, [S_GE] = BXJ_CC_AE,
		[S_LT] = BXJ_CC_B, [S_LE] = BXJ_CC_BE, [S_SGT] = BXJ_CC_G, [S_SGE] = BXJ_CC_GE,
		[S_SLT] = BXJ_CC_L, [S_SLE] = BXJ_CC_LE, [S_SET] = BXJ_CC_NE,
	};
	struct bxj_buf *b = &g->b;
	bool w = IS64(r->code), isx = ISX(r->code);
	unsigned fl = w ? BXJ_W : 0;
	int d = bxj_reg[x->dst], s = bxj_reg[x->src];
	int32_t imm = (int32_t)x->imm;

	if (x->off == 0)   /* both ways lead to the next slot */
		return;
	if (r->sem == S_SET) {
		if (isx) {
			bxj_op_rr(b, fl, 0x85, 1, s, d);
		} else if (imm >= 0 && imm <= 0xff && d < 4) {
			bxj_op_rr(b, 0, 0xf6, 1, 0, d);               /* test d8, imm8 */
			bxj_byte(b, (uint8_t)imm);
		} else {
			bxj_op_rr(b, fl, 0xf7, 1, 0, d);
			bxj_u32(b, (uint32_t)imm);
		}
	} else if (isx) {
		bxj_op_rr(b, fl, 0x39, 1, s, d);                      /* cmp d, s */
	} else if (imm == 0 && (r->sem == S_EQ || r->sem == S_NE)) {
		/* the ALU op just before (not across a jump target) already set
		 * ZF from dst: from a 32-bit result (zero-extended, so right for
		 * both widths) or a 64-bit one for a 64-bit compare */
		if (g->info[i] & BXJ_I_TARGET || (g->zf_prev & 0xff) != d ||
		    ((g->zf_prev & 0x100) && !w))
			bxj_op_rr(b, fl, 0x85, 1, d, d);
	} else {
		bxj_alu_imm(b, w, 7, d, imm);
	}
	bxj_jump(g, cc[r->sem], (size_t)((int64_t)i + 1 + x->off));
}

/* gen_CALL / gen_CALLX - see jit_call.c. */
static void gen_CALL(struct bxj_gen *g, size_t i, const struct bxv_insn *x, const struct row *r)
{
	bxj_gen_call(g, i, x, r->sem == S_HELPER ? 0 : r->sem == S_LOCAL ? 1 : 2);
}
static void gen_CALLX(struct bxj_gen *g, size_t i, const struct bxv_insn *x, const struct row *r)
{
	(void)r;
	bxj_gen_callx(g, i, x);
}

/* gen_EXIT - return to the caller's frame (the entry stub for main). */
static void gen_EXIT(struct bxj_gen *g, size_t i, const struct bxv_insn *x, const struct row *r)
{
	(void)i; (void)x; (void)r;
	bxj_ret(&g->b);
}

/* gen_LDDW - dst = the 64-bit value (pseudo forms already resolved). */
static void gen_LDDW(struct bxj_gen *g, size_t i, const struct bxv_insn *x, const struct row *r)
{
	(void)i; (void)r;
	bxj_mov_imm(&g->b, bxj_reg[x->dst], x->imm);
}

/*
 * gen_LDABS / gen_LDIND - legacy packet loads: r0 = big-endian value at
 * ctx + off if [off, off+size) lies in [0, ctx_size), else end the run
 * with r0 = 0.
 */
static void gen_ldpkt(struct bxj_gen *g, const struct bxv_insn *x, const struct row *r, bool ind)
{
	struct bxj_buf *b = &g->b;
	int sz = bx_code_size(r->code);

	if (ind) {
		bxj_mov_rr(b, false, BXJ_R11, bxj_reg[x->src]);
		if ((int32_t)x->imm)
			bxj_alu_imm(b, false, 0, BXJ_R11, (int32_t)x->imm);
	} else {
		bxj_mov_imm32(b, BXJ_R11, (uint32_t)x->imm);
	}
	bxj_op_rr(b, 0, 0x85, 1, BXJ_R11, BXJ_R11);
	bxj_jump(g, BXJ_CC_S, bxj_lbl(g, BXJ_L_EXIT0));
	bxj_lea(b, BXJ_R10, BXJ_R11, sz);
	bxj_op_rm(b, BXJ_W, 0x3b, 1, BXJ_R10, BXJ_R12,
		  (int32_t)offsetof(struct bpfbox_call, ctx_size));      /* cmp r10, ctx_size */
	bxj_jump(g, BXJ_CC_A, bxj_lbl(g, BXJ_L_EXIT0));
	bxj_load(b, true, BXJ_R10, BXJ_R12, (int32_t)offsetof(struct bpfbox_call, ctx));
	bxj_op_rr(b, BXJ_W, 0x01, 1, BXJ_R11, BXJ_R10);                  /* add r10, r11 */
	if (sz == 1) {
		bxj_op_rm(b, 0, 0x0fb6, 2, BXJ_RAX, BXJ_R10, 0);
	} else if (sz == 2) {
		bxj_op_rm(b, 0, 0x0fb7, 2, BXJ_RAX, BXJ_R10, 0);
		bxj_shift_imm(b, BXJ_66, 0, BXJ_RAX, 8);                 /* rol ax, 8 */
	} else {
		bxj_load(b, false, BXJ_RAX, BXJ_R10, 0);
		bxj_byte(b, 0x0f);
		bxj_byte(b, 0xc8);                                      /* bswap eax */
	}
}
static void gen_LDABS(struct bxj_gen *g, size_t i, const struct bxv_insn *x, const struct row *r)
{
	(void)i;
	gen_ldpkt(g, x, r, false);
}
static void gen_LDIND(struct bxj_gen *g, size_t i, const struct bxv_insn *x, const struct row *r)
{
	(void)i;
	gen_ldpkt(g, x, r, true);
}

/* gen_LDX - zero-extending load (checked runs: the address checked first). */
static void gen_LDX(struct bxj_gen *g, size_t i, const struct bxv_insn *x, const struct row *r)
{
	struct bxj_buf *b = &g->b;
	int d = bxj_reg[x->dst], sz = bx_code_size(r->code), s;
	int32_t off;

	bxj_mem_addr(g, i, x->src, x->off, sz, false, false, &s, &off);
	switch (sz) {
	case 1: bxj_op_rm(b, 0, 0x0fb6, 2, d, s, off); break;
	case 2: bxj_op_rm(b, 0, 0x0fb7, 2, d, s, off); break;
	case 4: bxj_load(b, false, d, s, off); break;
	default: bxj_load(b, true, d, s, off); break;
	}
}

/* gen_LDXSX - sign-extending load. */
static void gen_LDXSX(struct bxj_gen *g, size_t i, const struct bxv_insn *x, const struct row *r)
{
	struct bxj_buf *b = &g->b;
	int d = bxj_reg[x->dst], sz = bx_code_size(r->code), s;
	int32_t off;

	bxj_mem_addr(g, i, x->src, x->off, sz, false, false, &s, &off);
	switch (sz) {
	case 1: bxj_op_rm(b, BXJ_W, 0x0fbe, 2, d, s, off); break;
	case 2: bxj_op_rm(b, BXJ_W, 0x0fbf, 2, d, s, off); break;
	default: bxj_op_rm(b, BXJ_W, 0x63, 1, d, s, off); break;
	}
}

/* gen_ST - store an immediate. */
static void gen_ST(struct bxj_gen *g, size_t i, const struct bxv_insn *x, const struct row *r)
{
	struct bxj_buf *b = &g->b;
	int sz = bx_code_size(r->code), d;
	int32_t off;

	bxj_mem_addr(g, i, x->dst, x->off, sz, true, false, &d, &off);
	switch (sz) {
	case 1:
		bxj_op_rm(b, 0, 0xc6, 1, 0, d, off);
		bxj_byte(b, (uint8_t)x->imm);
		break;
	case 2:
		bxj_op_rm(b, BXJ_66, 0xc7, 1, 0, d, off);
		bxj_u16(b, (uint16_t)x->imm);
		break;
	default:
		bxj_op_rm(b, sz == 8 ? BXJ_W : 0, 0xc7, 1, 0, d, off);
		bxj_u32(b, (uint32_t)x->imm);
		break;
	}
}

/* gen_STX - store a register. */
static void gen_STX(struct bxj_gen *g, size_t i, const struct bxv_insn *x, const struct row *r)
{
	struct bxj_buf *b = &g->b;
	int s = bxj_reg[x->src], sz = bx_code_size(r->code), d;
	int32_t off;

	bxj_mem_addr(g, i, x->dst, x->off, sz, true, false, &d, &off);
	switch (sz) {
	case 1: bxj_op_rm(b, BXJ_BYTE, 0x88, 1, s, d, off); break;
	case 2: bxj_op_rm(b, BXJ_66, 0x89, 1, s, d, off); break;
	case 4: bxj_store(b, false, d, off, s); break;
	default: bxj_store(b, true, d, off, s); break;
	}
}

/* gen_AOP - lock add/or/and/xor [dst+off], src. */
static void gen_AOP(struct bxj_gen *g, size_t i, const struct bxv_insn *x, const struct row *r)
{
	static const uint8_t op[] = { [S_ADD] = 0x01, [S_OR] = 0x09, [S_AND] = 0x21,
				      [S_XOR] = 0x31 };
	int sz = bx_code_size(r->code), d;
	unsigned fl = BXJ_LOCK | (sz == 8 ? BXJ_W : 0);
	int32_t off;

	bxj_mem_addr(g, i, x->dst, x->off, sz, true, true, &d, &off);
	bxj_op_rm(&g->b, fl, op[r->sem], 1, bxj_reg[x->src], d, off);
}

/*
 * gen_AFETCH - src = fetch-and-op: lock xadd for add; a cmpxchg loop for
 * or/and/xor (rax is the expected value, so r0 is saved around it).
 */
static void gen_AFETCH(struct bxj_gen *g, size_t i, const struct bxv_insn *x, const struct row *r)
{
	static const uint8_t op[] = { [S_OR] = 0x09, [S_AND] = 0x21, [S_XOR] = 0x31 };
	struct bxj_buf *b = &g->b;
	bool w = bx_code_size(r->code) == 8;
	unsigned fl = w ? BXJ_W : 0;
	int s = bxj_reg[x->src], t = s == BXJ_RAX ? BXJ_RCX : s, d;
	int32_t off;
	size_t loop;

	bxj_mem_addr(g, i, x->dst, x->off, w ? 8 : 4, true, true, &d, &off);
	if (r->sem == S_ADD) {
		bxj_op_rm(b, fl | BXJ_LOCK, 0x0fc1, 2, s, d, off);   /* xadd */
		return;
	}
	bxj_lea(b, BXJ_R11, d, off);
	bxj_mov_rr(b, true, BXJ_R10, s);
	if (s != BXJ_RAX)
		bxj_push(b, BXJ_RAX);
	else
		bxj_push(b, BXJ_RCX);
	bxj_load(b, w, BXJ_RAX, BXJ_R11, 0);
	loop = b->len;
	bxj_mov_rr(b, true, t, BXJ_RAX);
	bxj_op_rr(b, fl, op[r->sem], 1, BXJ_R10, t);
	bxj_op_rm(b, fl | BXJ_LOCK, 0x0fb1, 2, t, BXJ_R11, 0);         /* cmpxchg */
	bxj_byte(b, 0x75);                                             /* jne loop */
	bxj_byte(b, (uint8_t)(int8_t)((int64_t)loop - (int64_t)(b->len + 1)));
	if (s != BXJ_RAX) {
		bxj_mov_rr(b, w, s, BXJ_RAX);
		bxj_pop(b, BXJ_RAX);
	} else {
		if (!w)
			zext32(b, BXJ_RAX);
		bxj_pop(b, BXJ_RCX);
	}
}

/* gen_XCHG - src = xchg [dst+off], src. */
static void gen_XCHG(struct bxj_gen *g, size_t i, const struct bxv_insn *x, const struct row *r)
{
	int sz = bx_code_size(r->code), d;
	int32_t off;

	bxj_mem_addr(g, i, x->dst, x->off, sz, true, true, &d, &off);
	bxj_op_rm(&g->b, sz == 8 ? BXJ_W : 0, 0x87, 1, bxj_reg[x->src], d, off);
}

/* gen_CMPXCHG - r0 = cmpxchg [dst+off], r0, src (r0 zero-extended for 32). */
static void gen_CMPXCHG(struct bxj_gen *g, size_t i, const struct bxv_insn *x,
			const struct row *r)
{
	bool w = bx_code_size(r->code) == 8;
	int d;
	int32_t off;

	bxj_mem_addr(g, i, x->dst, x->off, w ? 8 : 4, true, true, &d, &off);
	bxj_op_rm(&g->b, BXJ_LOCK | (w ? BXJ_W : 0), 0x0fb1, 2, bxj_reg[x->src], d, off);
	if (!w)
		zext32(&g->b, BXJ_RAX);
}

typedef void (*gen_fn)(struct bxj_gen *g, size_t i, const struct bxv_insn *x,
		       const struct row *r);

static const gen_fn fmt_gen[BX_F__COUNT] = {
#define F(name) [BX_F_##name] = gen_##name,
	BX_FMT_LIST(F)
#undef F
};

/*
 * bxj_gen_insn - the code of slot i (nothing for a second lddw half).
 */
void bxj_gen_insn(struct bxj_gen *g, size_t i)
{
	const struct bxv_insn *x = &g->prog->xlated[i];
	int op = g->prog->ops[i];

	if (op < 0)
		return;
	g->zf_prev = g->zf;
	g->zf = -1;
	if (g->skip) {            /* fused into an earlier slot */
		g->skip--;
		return;
	}
	if (g->checked)           /* loop heads and function entries: the budget */
		bxj_checked_charge(g, i);
	g->skip = bxj_peep(g, i);
	if (g->skip)
		return;
	fmt_gen[rows[op].fmt](g, i, x, &rows[op]);
}

#endif /* __x86_64__ */

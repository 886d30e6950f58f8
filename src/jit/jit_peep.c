/*
 * jit_peep.c - what the JIT knows about a program before it generates
 * code, and the peepholes that use it (see docs/JIT.md):
 *
 *  - jump targets: every slot control can enter other than from the slot
 *    before (jump and local-call targets, function addresses of lddw
 *    src 4, slot 0). Nothing is fused across the start of such a slot.
 *    Loop heads (targets of backward jumps) are placed so that a small
 *    loop sits in one 32- or 64-byte window, a larger one starts a 64-byte
 *    line (bxj_loop_pad(); jit.c pads with nops): its speed does not
 *    depend on the code before it.
 *  - upper-half facts: for every slot, the eBPF registers whose upper 32
 *    bits are known to be zero on entry (a forward must-analysis over the
 *    control-flow graph, meet = intersection; the facts the verifier's
 *    tnums prove for ALU32 results, 32-bit loads and masks). A 32-bit
 *    operation that changes nothing but the upper half (w += 0, w &= -1,
 *    w <<= 0, le32, ...) then needs no zero-extension. The analysis runs
 *    on the instructions themselves, so it holds for unverified (trusted)
 *    programs too and cannot be fooled by the verifier's state pruning.
 *  - liveness: the registers live after each slot (backward, may).
 *  - fusion: `rX = rA; rX += rB|imm` becomes one lea, and a following
 *    `rX = *(size *)(rX + off)` folds into the load's address;
 *    `rX <<= k; rY += rX` (k <= 3, rX dead after) is lea rY, [rY + rX*2^k].
 *
 * Multiplications by 3/5/9 and powers of two, and the test that a
 * compare with zero right after a flag-setting ALU op can reuse, are in
 * jit_x86.c (gen_ALU, gen_JCOND).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jit_int.h"

#if defined(__x86_64__)

#define ALLREGS ((uint16_t)((1u << BX_NREGS) - 1))

/* the code of slot i's op (the table row's opcode byte) */
static uint8_t code_of(const struct bpfbox_prog *p, size_t i)
{
	return p->insns[i].code;
}

/* mark_targets - BXJ_I_TARGET on every slot entered other than by falling
 * in; BXJ_I_LOOP and loop_end[] for the targets of backward jumps. */
static void mark_targets(const struct bpfbox_prog *p, uint8_t *info, uint32_t *loop_end)
{
	info[0] |= BXJ_I_TARGET;
	for (size_t i = 0; i < p->cnt; i++) {
		int op = p->ops[i];
		int64_t t = -1;

		if (op < 0)
			continue;
		if (bx_op_is_jump(op))
			t = bx_jump_target(&p->insns[i], i, op);
		else if (bx_ops[op].fmt == BX_F_LDDW && p->insns[i].src_reg == BX_PSEUDO_FUNC)
			t = (int64_t)i + 1 + p->insns[i].imm;
		if (t < 0 || t >= (int64_t)p->cnt)
			continue;
		info[t] |= BXJ_I_TARGET;
		if (op == BX_OP_CALL_LOCAL || bx_ops[op].fmt == BX_F_LDDW) {
			info[t] |= BXJ_I_ENTRY;
		} else if (t <= (int64_t)i) {
			info[t] |= BXJ_I_LOOP;
			if (loop_end[t] < i + 1)
				loop_end[t] = (uint32_t)(i + 1);
		}
	}
	info[0] |= BXJ_I_ENTRY;
}

/*
 * transfer - the registers with a zero upper half after slot i, given
 * those before it (m).
 */
static uint16_t transfer(const struct bpfbox_prog *p, size_t i, uint16_t m)
{
	const struct bpfbox_insn *in = &p->insns[i];
	int op = p->ops[i], fmt = bx_ops[op].fmt;
	uint8_t code = code_of(p, i), cls = BX_CLASS(code);
	uint16_t d = (uint16_t)(1u << (in->dst_reg % BX_NREGS));
	uint16_t s = (uint16_t)(1u << (in->src_reg % BX_NREGS));
	int64_t imm = in->imm;
	bool set = false;

	switch (fmt) {
	case BX_F_ALU: case BX_F_NEG: case BX_F_MOVSX: case BX_F_END:
		if (cls == BX_ALU) {
			set = fmt != BX_F_END || bx_ops[op].mval <= 32;
		} else if (fmt == BX_F_ALU) {
			uint8_t aop = code & 0xf0;

			if (aop == BX_MOV && BX_SRC(code) == BX_X && !in->off)
				set = m & s;
			else if (aop == BX_MOV && BX_SRC(code) == BX_K)
				set = imm >= 0;
			else if (aop == BX_AND)
				set = BX_SRC(code) == BX_K ? imm >= 0 || (m & d) : (m & (d | s));
			else if (aop == BX_RSH && BX_SRC(code) == BX_K)
				set = (imm & 63) >= 32 || (m & d);
			else if ((aop == BX_OR || aop == BX_XOR) && BX_SRC(code) == BX_X)
				set = (m & d) && (m & s);
		} else if (fmt == BX_F_END) {
			set = bx_ops[op].mval <= 32;
		}
		return set ? m | d : m & (uint16_t)~d;
	case BX_F_LDX:
		return bx_code_size(code) <= 4 ? m | d : m & (uint16_t)~d;
	case BX_F_LDXSX:
		return m & (uint16_t)~d;
	case BX_F_LDDW:
		return p->xlated[i].imm <= UINT32_MAX ? m | d : m & (uint16_t)~d;
	case BX_F_LDABS: case BX_F_LDIND:
		return m | 1;
	case BX_F_AFETCH: case BX_F_XCHG:
		return bx_code_size(code) == 4 ? m | s : m & (uint16_t)~s;
	case BX_F_CMPXCHG:
		return bx_code_size(code) == 4 ? m | 1 : m & (uint16_t)~1u;
	case BX_F_CALL:
		if (op == BX_OP_CALL_LOCAL)
			return m & (uint16_t)~0x3fu;           /* r0..r5 */
		return m & (uint16_t)~1u;
	case BX_F_CALLX:
		return m & (uint16_t)~1u;
	default:                                         /* stores, jumps, exit */
		return m;
	}
}

/*
 * upper_facts - the forward must-analysis (see the top of the file):
 * entries start with nothing known, other slots with everything until a
 * path reaches them; slots no path reaches end with nothing known.
 */
static int upper_facts(const struct bpfbox_prog *p, const uint8_t *info, uint16_t *in)
{
	size_t n = p->cnt, top = 0;
	uint32_t *work = malloc((n + 1) * sizeof(*work));
	uint8_t *reached = calloc(n + 1, 1), *queued = calloc(n + 1, 1);

	if (!work || !reached || !queued) {
		free(work);
		free(reached);
		free(queued);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		in[i] = ALLREGS;
		if ((info[i] & BXJ_I_ENTRY) && p->ops[i] >= 0) {
			in[i] = 0;
			reached[i] = queued[i] = 1;
			work[top++] = (uint32_t)i;
		}
	}
	while (top) {
		size_t i = work[--top], nx[2];
		int op = p->ops[i], fmt, k = 0;
		uint16_t out;

		queued[i] = 0;
		if (op < 0)
			continue;
		fmt = bx_ops[op].fmt;
		out = transfer(p, i, in[i]);
		if (fmt != BX_F_JA && fmt != BX_F_JA32 && fmt != BX_F_EXIT)
			nx[k++] = i + (size_t)bx_op_slots(op);
		if (bx_op_is_jump(op) && op != BX_OP_CALL_LOCAL)
			nx[k++] = (size_t)bx_jump_target(&p->insns[i], i, op);
		for (int j = 0; j < k; j++) {
			size_t t = nx[j];
			uint16_t v;

			if (t >= n || p->ops[t] < 0)
				continue;
			v = reached[t] ? (uint16_t)(in[t] & out) : out;
			if (reached[t] && v == in[t])
				continue;
			in[t] = v;
			reached[t] = 1;
			if (!queued[t]) {
				queued[t] = 1;
				work[top++] = (uint32_t)t;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!reached[i])
			in[i] = 0;
	free(work);
	free(reached);
	free(queued);
	return 0;
}

/*
 * use_def - the eBPF registers slot i reads (*use) and writes (*def), as
 * the engines behave (bx_use_def()'s machine view): calls and exit read
 * everything, so unverified trusted programs keep their behaviour.
 */
static void use_def(const struct bpfbox_prog *p, size_t i, uint16_t *use, uint16_t *def)
{
	bx_use_def(&p->insns[i], p->ops[i], BX_UD_MACHINE, use, def);
}

/*
 * liveness - the registers live after each slot (a backward may-analysis,
 * meet = union, swept until stable; after 64 sweeps everything counts as
 * live).
 */
static int liveness(const struct bpfbox_prog *p, uint16_t *out)
{
	size_t n = p->cnt;
	uint16_t *in = calloc(n + 1, sizeof(*in));
	bool changed = true;

	if (!in)
		return -ENOMEM;
	memset(out, 0, (n + 1) * sizeof(*out));
	for (int sweep = 0; changed; sweep++) {
		if (sweep == 64) {
			for (size_t i = 0; i < n; i++)
				out[i] = ALLREGS;
			break;
		}
		changed = false;
		for (size_t i = n; i-- > 0;) {
			int op = p->ops[i], fmt;
			uint16_t o = 0, use, def, v;

			if (op < 0)
				continue;
			fmt = bx_ops[op].fmt;
			if (fmt != BX_F_JA && fmt != BX_F_JA32 && fmt != BX_F_EXIT &&
			    i + (size_t)bx_op_slots(op) < n)
				o |= in[i + (size_t)bx_op_slots(op)];
			if (bx_op_is_jump(op) && op != BX_OP_CALL_LOCAL) {
				int64_t t = bx_jump_target(&p->insns[i], i, op);

				if (t >= 0 && t < (int64_t)n)
					o |= in[t];
			}
			use_def(p, i, &use, &def);
			v = (uint16_t)(use | (o & ~def));
			if (o != out[i] || v != in[i]) {
				out[i] = o;
				in[i] = v;
				changed = true;
			}
		}
	}
	free(in);
	return 0;
}

/* bxj_analyse - see jit_int.h. */
int bxj_analyse(struct bxj_gen *g)
{
	const struct bpfbox_prog *p = g->prog;
	int err;

	g->info = calloc(p->cnt + 1, sizeof(*g->info));
	g->upz = calloc(p->cnt + 1, sizeof(*g->upz));
	g->loop_end = calloc(p->cnt + 1, sizeof(*g->loop_end));
	g->live = calloc(p->cnt + 1, sizeof(*g->live));
	if (!g->info || !g->upz || !g->loop_end || !g->live)
		return -ENOMEM;
	mark_targets(p, g->info, g->loop_end);
	err = liveness(p, g->live);
	return err ? err : upper_facts(p, g->info, g->upz);
}

/*
 * bxj_loop_pad - where a loop starts: a loop of at most 32 (64) bytes is
 * kept inside one 32-byte (64-byte) window, so the fetch of its every
 * iteration touches as few instruction-cache lines / fetch blocks as its
 * size allows; larger loops start on a 64-byte line (bench_jit's branchy,
 * a 102-byte loop of data-dependent branches: 1.03x the kernel's time
 * when 16-byte aligned, 0.83x on a line start). The size is the
 * previous pass's (the first pass and the long-jump fallback just align
 * to 16, which keeps the layout converging).
 */
size_t bxj_loop_pad(const struct bxj_gen *g, size_t i)
{
	size_t pos = g->b.len, len, win;

	if (g->first || g->force_long)
		return -pos & 15;
	len = g->prev[g->loop_end[i]] - g->prev[i];
	if (len <= 32)
		win = 32;
	else if (len <= 64)
		win = 64;
	else
		return -pos & 63;
	if (pos % win + len <= win)
		return 0;
	return -pos & (win - 1);
}

/* is slot i an ALU64 op `fmt` with this BX_OP (code & 0xf0) */
static bool is_alu64(const struct bpfbox_prog *p, size_t i, uint8_t aop)
{
	int op = i < p->cnt ? p->ops[i] : -1;

	return op >= 0 && bx_ops[op].fmt == BX_F_ALU && BX_CLASS(p->insns[i].code) == BX_ALU64 &&
	       (p->insns[i].code & 0xf0) == aop && p->insns[i].off == 0;
}

/*
 * bxj_peep - fused code for slot i and the slots after it, if a pattern
 * starts there: returns the number of slots after i it covered (their
 * code is empty), 0 if nothing was fused (then slot i is generated
 * normally).
 */
size_t bxj_peep(struct bxj_gen *g, size_t i)
{
	static const uint32_t ld_op[9] = { [1] = 0x0fb6, [2] = 0x0fb7, [4] = 0x8b, [8] = 0x8b };
	const struct bpfbox_prog *p = g->prog;
	const struct bxv_insn *x0 = &p->xlated[i], *x1, *x2;
	int dx, da, db = -1;
	int64_t disp = 0;

	/* rX <<= 1..3; rY += rX with rX dead after: lea rY, [rY + rX * 2^k] */
	if (is_alu64(p, i, BX_LSH) && BX_SRC(p->insns[i].code) == BX_K &&
	    x0->imm >= 1 && x0->imm <= 3 && is_alu64(p, i + 1, BX_ADD) &&
	    BX_SRC(p->insns[i + 1].code) == BX_X && !(g->info[i + 1] & BXJ_I_TARGET) &&
	    (x1 = &p->xlated[i + 1])->src == x0->dst && x1->dst != x0->dst &&
	    !((g->live[i + 1] >> x0->dst) & 1)) {
		bxj_op_rmi(&g->b, BXJ_W, 0x8d, 1, bxj_reg[x1->dst], bxj_reg[x1->dst],
			   bxj_reg[x0->dst], 1 << x0->imm, 0);
		return 1;
	}
	/* rX = rA; rX += rB | imm  (not into a target, rB != rX) */
	if (!is_alu64(p, i, BX_MOV) || BX_SRC(p->insns[i].code) != BX_X ||
	    !is_alu64(p, i + 1, BX_ADD) || (g->info[i + 1] & BXJ_I_TARGET))
		return 0;
	x1 = &p->xlated[i + 1];
	if (x1->dst != x0->dst)
		return 0;
	if (BX_SRC(p->insns[i + 1].code) == BX_X) {
		if (x1->src == x0->dst)
			return 0;
		db = bxj_reg[x1->src];
	} else {
		disp = (int32_t)x1->imm;
	}
	dx = bxj_reg[x0->dst];
	da = bxj_reg[x0->src];
	/* ... rX = *(size *)(rX + off): the sum is only the load's address
	 * (not in checked code: the load's address is checked on its own) */
	if (!g->checked && i + 2 < p->cnt && !(g->info[i + 2] & BXJ_I_TARGET) && p->ops[i + 2] >= 0 &&
	    bx_ops[p->ops[i + 2]].fmt == BX_F_LDX &&
	    (x2 = &p->xlated[i + 2])->dst == x0->dst && x2->src == x0->dst &&
	    bxj_fits32(disp + x2->off)) {
		int sz = bx_code_size(p->insns[i + 2].code);
		unsigned fl = sz == 8 ? BXJ_W : 0;
		int len = sz <= 2 ? 2 : 1;

		if (db >= 0)
			bxj_op_rmi(&g->b, fl, ld_op[sz], len, dx, da, db, 1, (int32_t)(disp + x2->off));
		else
			bxj_op_rm(&g->b, fl, ld_op[sz], len, dx, da, (int32_t)(disp + x2->off));
		return 2;
	}
	if (db >= 0)
		bxj_op_rmi(&g->b, BXJ_W, 0x8d, 1, dx, da, db, 1, 0);
	else
		bxj_lea(&g->b, dx, da, (int32_t)disp);
	return 1;
}

#endif /* __x86_64__ */

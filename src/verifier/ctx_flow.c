/*
 * ctx_flow.c - the context-pointer data-flow analysis (see ctx_flow.h).
 *
 * Abstract value of a register or an 8-byte stack slot:
 *
 *   BOT            no path reaches here yet (identity of the join)
 *   CTX(off)       the context pointer plus a constant
 *   FP(off)        this frame's r10 plus a constant (to follow spills)
 *   OTHER          anything that is not the context
 *   CTXVAR         the context plus an unknown or path-dependent offset
 *   MIXED          the context on some paths, something else on others
 *
 * The analysis works on basic blocks: a state (11 registers, 64 stack
 * slots) is kept at the entry of each block and propagated with a
 * worklist until nothing changes; then every block is replayed once to
 * record what each access's base register holds. Each function
 * (subprogram) has its own frame: a bpf-to-bpf call passes r1..r5 to the
 * callee's entry (frame pointers of the caller become OTHER there) and the
 * caller continues after the call with r0..r5 clobbered. Callbacks
 * (lddw src=4 targets) start with no context at all.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "isa/isa.h"
#include "verifier/ctx_flow.h"

enum { V_BOT = 0, V_CTX, V_FP, V_OTHER, V_CTXVAR, V_MIXED };

struct val {
	uint8_t k;
	int32_t off;
};

#define NSLOTS (BX_STACK_SIZE / 8)

struct state {
	struct val r[BX_NREGS];
	struct val s[NSLOTS];   /* s[j]: bytes [fp - 8*(j+1), fp - 8*j) */
};

static const struct val VOTHER = { V_OTHER, 0 };

static bool is_ctxish(uint8_t k)
{
	return k == V_CTX || k == V_CTXVAR;
}

/* join - least upper bound of two values. */
static struct val join(struct val a, struct val b)
{
	if (a.k == V_BOT)
		return b;
	if (b.k == V_BOT)
		return a;
	if (a.k == b.k && a.off == b.off)
		return a;
	if (a.k == V_MIXED || b.k == V_MIXED)
		return (struct val){ V_MIXED, 0 };
	if (is_ctxish(a.k) && is_ctxish(b.k))
		return (struct val){ V_CTXVAR, 0 };
	if (is_ctxish(a.k) || is_ctxish(b.k))
		return (struct val){ V_MIXED, 0 };
	return VOTHER;	/* FP/FP with different offsets, FP/OTHER */
}

/* join_into - *dst = join(*dst, src); true if *dst changed. */
static bool join_into(struct state *dst, const struct state *src)
{
	bool changed = false;

	for (int i = 0; i < BX_NREGS; i++) {
		struct val v = join(dst->r[i], src->r[i]);
		if (v.k != dst->r[i].k || v.off != dst->r[i].off) {
			dst->r[i] = v;
			changed = true;
		}
	}
	for (int i = 0; i < NSLOTS; i++) {
		struct val v = join(dst->s[i], src->s[i]);
		if (v.k != dst->s[i].k || v.off != dst->s[i].off) {
			dst->s[i] = v;
			changed = true;
		}
	}
	return changed;
}

/* A fresh frame: r10 = FP(0), everything else OTHER. */
static void frame_init(struct state *st)
{
	for (int i = 0; i < BX_NREGS; i++)
		st->r[i] = VOTHER;
	for (int i = 0; i < NSLOTS; i++)
		st->s[i] = VOTHER;
	st->r[BX_REG_FP] = (struct val){ V_FP, 0 };
}

/* add a constant to a CTX or FP value (overflow: lose the offset) */
static struct val add_const(struct val v, int64_t k)
{
	int64_t o = (int64_t)v.off + k;

	if (v.k != V_CTX && v.k != V_FP)
		return v.k == V_CTXVAR || v.k == V_MIXED ? v : VOTHER;
	if (o < INT32_MIN || o > INT32_MAX)
		return v.k == V_CTX ? (struct val){ V_CTXVAR, 0 } : VOTHER;
	v.off = (int32_t)o;
	return v;
}

/* The stack slot an 8-byte aligned access at fp + off names, or -1. */
static int slot_of(int64_t off)
{
	if (off >= 0 || off < -BX_STACK_SIZE || (off & 7))
		return -1;
	return (int)((-off) / 8) - 1;
}

/* A store of `size` bytes at fp + off clobbers the slots it overlaps. */
static void clobber(struct state *st, int64_t off, int size)
{
	for (int64_t b = off; b < off + size; b++) {
		if (b >= 0 || b < -BX_STACK_SIZE)
			continue;
		st->s[(-b - 1) / 8] = VOTHER;
	}
}

/* The base register of a memory access (LD_ABS / LD_IND: r6), or -1. */
static int base_reg(const struct bpfbox_insn *in, int fmt)
{
	switch (fmt) {
	case BX_F_LDX: case BX_F_LDXSX:
		return in->src_reg;
	case BX_F_ST: case BX_F_STX: case BX_F_AOP: case BX_F_AFETCH:
	case BX_F_XCHG: case BX_F_CMPXCHG:
		return in->dst_reg;
	case BX_F_LDABS: case BX_F_LDIND:
		return 6;
	default:
		return -1;
	}
}

/* transfer - the effect of slot i on st (successors are handled by the caller). */
static void transfer(struct state *st, const struct bpfbox_insn *in, int op)
{
	const struct bx_opinfo *oi = &bx_ops[op];
	uint8_t code = oi->code;
	struct val *d = &st->r[in->dst_reg];

	switch (oi->fmt) {
	case BX_F_ALU:
		if (BX_CLASS(code) != BX_ALU64) {
			*d = VOTHER;	/* 32-bit results are never pointers */
			break;
		}
		switch (BX_OP(code)) {
		case BX_MOV:
			*d = BX_SRC(code) == BX_X ? st->r[in->src_reg] : VOTHER;
			break;
		case BX_ADD:
		case BX_SUB:
			if (BX_SRC(code) == BX_K) {
				*d = add_const(*d, BX_OP(code) == BX_ADD ? (int64_t)in->imm
									 : -(int64_t)in->imm);
			} else {
				struct val s = st->r[in->src_reg];
				if (d->k == V_MIXED || (s.k == V_MIXED && BX_OP(code) == BX_ADD))
					*d = (struct val){ V_MIXED, 0 };
				else if (is_ctxish(d->k) ||
					 (is_ctxish(s.k) && BX_OP(code) == BX_ADD))
					*d = is_ctxish(d->k) && is_ctxish(s.k) ?
						VOTHER : (struct val){ V_CTXVAR, 0 };
				else
					*d = VOTHER;
			}
			break;
		default:
			*d = VOTHER;
		}
		break;
	case BX_F_NEG: case BX_F_MOVSX: case BX_F_END: case BX_F_LDDW:
		*d = VOTHER;
		break;
	case BX_F_LDX: case BX_F_LDXSX: {
		struct val b = st->r[in->src_reg];
		int sl = -1;

		if (b.k == V_FP && oi->fmt == BX_F_LDX && bx_code_size(code) == 8)
			sl = slot_of((int64_t)b.off + in->off);
		*d = sl >= 0 ? st->s[sl] : VOTHER;
		break;
	}
	case BX_F_ST: case BX_F_STX: {
		struct val b = st->r[in->dst_reg];
		int64_t a;
		int sl;

		if (b.k != V_FP)
			break;
		a = (int64_t)b.off + in->off;
		sl = slot_of(a);
		if (oi->fmt == BX_F_STX && bx_code_size(code) == 8 && sl >= 0)
			st->s[sl] = st->r[in->src_reg];
		else
			clobber(st, a, bx_code_size(code));
		break;
	}
	case BX_F_AOP: case BX_F_AFETCH: case BX_F_XCHG: case BX_F_CMPXCHG: {
		struct val b = st->r[in->dst_reg];

		if (b.k == V_FP)
			clobber(st, (int64_t)b.off + in->off, bx_code_size(code));
		if (oi->fmt == BX_F_AFETCH || oi->fmt == BX_F_XCHG)
			st->r[in->src_reg] = VOTHER;
		if (oi->fmt == BX_F_CMPXCHG)
			st->r[0] = VOTHER;
		break;
	}
	case BX_F_CALL: case BX_F_CALLX: case BX_F_LDABS: case BX_F_LDIND:
		for (int r = 0; r <= 5; r++)
			st->r[r] = VOTHER;
		break;
	default:	/* jumps, exit */
		break;
	}
}

/* record - what slot i's base register holds, before its transfer. */
static void record(const struct state *st, const struct bpfbox_insn *in, int op,
		   struct bxf_access *out)
{
	int r = base_reg(in, bx_ops[op].fmt);
	struct val v;

	if (r < 0)
		return;
	v = st->r[r];
	out->reg = (uint8_t)r;
	out->reg_off = 0;
	switch (v.k) {
	case V_CTX:
		out->base = BXF_CTX;
		out->reg_off = v.off;
		break;
	case V_CTXVAR:
		out->base = BXF_CTX_VAROFF;
		break;
	case V_MIXED:
		out->base = BXF_MIXED;
		break;
	default:
		out->base = BXF_NOT_CTX;
	}
}

struct flow {
	const struct bpfbox_insn *insns;
	const int16_t *ops;
	size_t cnt;
	int32_t *block_of;      /* slot -> block index if the slot starts a block, else -1 */
	size_t *start;          /* block -> first slot */
	size_t nblocks;
	struct state *in;       /* block entry states */
	bool *queued;
	size_t *work;
	size_t nwork;
};

/* push the state st into block b (the block starting at slot t) */
static void flow_to(struct flow *f, size_t t, const struct state *st)
{
	int32_t b;

	if (t >= f->cnt || (b = f->block_of[t]) < 0)
		return;
	if (join_into(&f->in[b], st) && !f->queued[b]) {
		f->queued[b] = true;
		f->work[f->nwork++] = (size_t)b;
	}
}

/*
 * run_block - replay block b from its entry state; push states to its
 * successors; with out != NULL also record the accesses.
 */
static void run_block(struct flow *f, size_t b, struct bxf_access *out)
{
	struct state st = f->in[b];
	size_t i = f->start[b];

	for (;;) {
		const struct bpfbox_insn *in = &f->insns[i];
		int op = f->ops[i];
		int fmt = bx_ops[op].fmt;
		size_t next = i + (size_t)bx_op_slots(op);

		if (out)
			record(&st, in, op, &out[i]);
		if (op == BX_OP_CALL_LOCAL) {
			struct state callee;
			int64_t t = bx_jump_target(in, i, op);

			frame_init(&callee);
			for (int r = 1; r <= 5; r++)
				callee.r[r] = st.r[r].k == V_FP ? VOTHER : st.r[r];
			if (t >= 0)
				flow_to(f, (size_t)t, &callee);
		}
		if (op == BX_OP_LDDW_FUNC) {
			struct state cb;
			int64_t t = (int64_t)i + 1 + in->imm;

			frame_init(&cb);
			if (t >= 0)
				flow_to(f, (size_t)t, &cb);
		}
		transfer(&st, in, op);
		if (fmt == BX_F_EXIT)
			return;
		if (fmt == BX_F_JA || fmt == BX_F_JA32) {
			int64_t t = bx_jump_target(in, i, op);
			if (t >= 0)
				flow_to(f, (size_t)t, &st);
			return;
		}
		if (fmt == BX_F_JCOND || fmt == BX_F_MAYGOTO) {
			int64_t t = bx_jump_target(in, i, op);
			if (t >= 0)
				flow_to(f, (size_t)t, &st);
			flow_to(f, next, &st);
			return;
		}
		if (next >= f->cnt)
			return;
		if (f->block_of[next] >= 0) {
			flow_to(f, next, &st);
			return;
		}
		i = next;
	}
}

/* mark slot t as the start of a block */
static void leader(struct flow *f, int64_t t)
{
	if (t >= 0 && (size_t)t < f->cnt && f->ops[t] >= 0)
		f->block_of[t] = 0;
}

/*
 * bxf_ctx_flow - see ctx_flow.h.
 */
int bxf_ctx_flow(const struct bpfbox_insn *insns, const int16_t *ops, size_t cnt,
		 struct bxf_access *out)
{
	struct flow f = { .insns = insns, .ops = ops, .cnt = cnt };
	int err = -ENOMEM;

	memset(out, 0, cnt * sizeof(*out));
	if (cnt == 0)
		return 0;
	f.block_of = malloc(cnt * sizeof(*f.block_of));
	if (!f.block_of)
		return -ENOMEM;
	for (size_t i = 0; i < cnt; i++)
		f.block_of[i] = -1;
	/* leaders: entry, jump and call targets, callbacks, slots after jumps */
	leader(&f, 0);
	for (size_t i = 0; i < cnt; i++) {
		int op = ops[i];
		int fmt;

		if (op < 0)
			continue;
		fmt = bx_ops[op].fmt;
		if (bx_op_is_jump(op)) {
			leader(&f, bx_jump_target(&insns[i], i, op));
			leader(&f, (int64_t)i + 1);
		} else if (fmt == BX_F_EXIT) {
			leader(&f, (int64_t)i + 1);
		} else if (op == BX_OP_LDDW_FUNC) {
			leader(&f, (int64_t)i + 1 + insns[i].imm);
		}
	}
	for (size_t i = 0; i < cnt; i++)
		if (f.block_of[i] >= 0)
			f.nblocks++;
	f.start = malloc(f.nblocks * sizeof(*f.start));
	f.in = calloc(f.nblocks, sizeof(*f.in));
	f.queued = calloc(f.nblocks, sizeof(*f.queued));
	f.work = malloc(f.nblocks * sizeof(*f.work));
	if (!f.start || !f.in || !f.queued || !f.work)
		goto out;
	f.nblocks = 0;
	for (size_t i = 0; i < cnt; i++)
		if (f.block_of[i] >= 0) {
			f.start[f.nblocks] = i;
			f.block_of[i] = (int32_t)f.nblocks++;
		}

	/* entry: r1 = ctx */
	{
		struct state st;

		frame_init(&st);
		st.r[1] = (struct val){ V_CTX, 0 };
		flow_to(&f, 0, &st);
	}
	while (f.nwork) {
		size_t b = f.work[--f.nwork];

		f.queued[b] = false;
		run_block(&f, b, NULL);
	}
	/* record: replay every reached block once (states are final) */
	for (size_t b = 0; b < f.nblocks; b++) {
		bool reached = false;

		for (int r = 0; r < BX_NREGS; r++)
			reached |= f.in[b].r[r].k != V_BOT;
		if (reached)
			run_block(&f, b, out);
	}
	f.nwork = 0;	/* run_block may have queued nothing new: states are a fixpoint */
	err = 0;
out:
	free(f.block_of);
	free(f.start);
	free(f.in);
	free(f.queued);
	free(f.work);
	return err;
}

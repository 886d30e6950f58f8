/*
 * precise.c - precision tracking, as the kernel's mark_chain_precision:
 * scalars start imprecise, and pruning (state.c, regsafe) treats an
 * imprecise scalar of an explored state as "any value". When a scalar's
 * value decides something that matters for safety (a pointer offset, a
 * helper's size argument, a branch that is not explored both ways, ...),
 * the instructions that produced it are walked backwards - through the
 * current state's instruction history, then through each parent state's -
 * and every register and stack slot the value came from is marked
 * precise in the explored (parent) states. The walk carries a register
 * mask and a stack-slot mask per frame (the kernel's backtrack_state).
 *
 * The history (struct bxr_hist) records, for each state, the instructions
 * reached by a jump (with the instruction they came from), the
 * fixed-offset stack accesses (so fills and spills can be followed), and
 * the scalars a branch refined together (linked scalars). Whatever the
 * walk cannot follow falls back to marking every scalar of the path
 * precise, which is always sound.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "verifier/verifier.h"

struct bt {
	int frame;                              /* the frame being walked */
	uint16_t regs[BX_MAX_CALL_DEPTH];       /* registers still to explain */
	uint64_t slots[BX_MAX_CALL_DEPTH];      /* stack slots still to explain */
};

enum { BT_OK = 0, BT_GIVE_UP = 1 };

/* bt_empty - nothing left to explain in any frame. */
static bool bt_empty(const struct bt *bt)
{
	for (int f = 0; f <= bt->frame; f++)
		if (bt->regs[f] || bt->slots[f])
			return false;
	return true;
}

/*
 * bxr_push_hist - record env->insn (reached from env->prev_insn) in st's
 * history, or add flags / linked scalars to the entry already recorded
 * for it (one entry per processed instruction, as the kernel).
 */
int bxr_push_hist(struct bxr_env *env, struct bxr_state *st, uint32_t flags, uint64_t linked)
{
	struct bxr_hist *h;

	if (st == env->cur && env->hist_cur >= 0 && (uint32_t)env->hist_cur < st->nhist &&
	    st->hist[env->hist_cur].idx == env->insn) {
		h = &st->hist[env->hist_cur];
		h->flags |= flags;
		if (linked)
			h->linked = linked;
		return 0;
	}
	if (st->nhist == st->caphist) {
		uint32_t cap = st->caphist ? st->caphist * 2 : 16;
		struct bxr_hist *n = realloc(st->hist, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		st->hist = n;
		st->caphist = cap;
	}
	h = &st->hist[st->nhist];
	h->idx = env->insn;
	h->prev = env->prev_insn;
	h->flags = flags;
	h->linked = linked;
	if (st == env->cur)
		env->hist_cur = (int)st->nhist;
	st->nhist++;
	return 0;
}

/* hist_at - the history entry of insn i, if the next unread one is it. */
static const struct bxr_hist *hist_at(const struct bxr_state *st, uint32_t h, int i)
{
	return h && st->hist[h - 1].idx == i ? &st->hist[h - 1] : NULL;
}

/* prev_insn - the insn executed before i in st (-1: st's first insn). */
static int prev_insn(const struct bxr_state *st, int i, uint32_t *h)
{
	if (i == st->first_insn) {
		if (*h == 0)
			return -1;
		if (*h == 1 && st->hist[0].idx == i)
			return -1;
	}
	if (*h && st->hist[*h - 1].idx == i) {
		(*h)--;
		return st->hist[*h].prev;
	}
	return i - 1;
}

/* the packed linked scalars of a history entry: 5 entries of 11 bits
 * (valid 0x400, register 0x200, frame << 6, register or slot index) */
#define LINK_BITS 11
#define LINK_MAX 5
#define LINK_OVERFLOW (1ull << 63)

/* link_get - entry k: false if empty. */
static bool link_get(uint64_t linked, int k, bool *is_reg, int *fr, int *idx)
{
	uint32_t e = (uint32_t)(linked >> (LINK_BITS * k)) & 0x7ff;

	*is_reg = (e & 0x200) != 0;
	*fr = (int)(e >> 6) & 7;
	*idx = (int)(e & 0x3f);
	return (e & 0x400) != 0;
}

/* same_id - a linked scalar's id (its offset flag aside) is id or id2. */
static bool same_id(uint32_t x, uint32_t id, uint32_t id2)
{
	x &= ~BXR_ID_ADD_CONST;
	return x && (x == id || x == id2);
}

/* bxr_linked - the scalars of st linked with id or id2 (registers and spilled
 * slots of every frame), packed for a history entry; LINK_OVERFLOW when
 * they do not fit (backtracking then gives up at that branch). */
uint64_t bxr_linked(const struct bxr_state *st, uint32_t id, uint32_t id2)
{
	uint64_t p = 0;
	int n = 0;

	id &= ~BXR_ID_ADD_CONST;
	id2 &= ~BXR_ID_ADD_CONST;
	if (!id)
		id = id2;
	if (!id2)
		id2 = id;
	if (!id)
		return 0;
	for (int f = 0; f <= st->curframe; f++) {
		const struct bxr_func *fr = st->frame[f];

		for (int r = 0; r < BX_REG_FP; r++) {
			if (fr->regs[r].type != BXR_SCALAR || !same_id(fr->regs[r].id, id, id2))
				continue;
			if (n == LINK_MAX)
				return LINK_OVERFLOW;
			p |= (uint64_t)(0x600u | (unsigned)f << 6 | (unsigned)r) << (LINK_BITS * n++);
		}
		for (int j = 0; j < fr->nslots && j < 64; j++) {
			if (fr->stack[j].st[0] != BXR_ST_SPILL || fr->stack[j].spill.type != BXR_SCALAR ||
			    !same_id(fr->stack[j].spill.id, id, id2))
				continue;
			if (n == LINK_MAX)
				return LINK_OVERFLOW;
			p |= (uint64_t)(0x400u | (unsigned)f << 6 | (unsigned)j) << (LINK_BITS * n++);
		}
	}
	return n > 1 ? p : 0;
}

/* linked_sync - if one of the scalars a branch linked is to be explained,
 * all of them are (the branch refined them together). false: give up. */
static bool linked_sync(struct bt *bt, const struct bxr_hist *h)
{
	bool any = false, is_reg;
	int fr, idx;

	if (!h || !h->linked)
		return true;
	if (h->linked & LINK_OVERFLOW)
		return bt_empty(bt);
	for (int k = 0; k < LINK_MAX; k++) {
		if (!link_get(h->linked, k, &is_reg, &fr, &idx))
			continue;
		if (fr > bt->frame)
			return false;
		if (is_reg ? bt->regs[fr] >> idx & 1 : bt->slots[fr] >> idx & 1)
			any = true;
	}
	if (!any)
		return true;
	for (int k = 0; k < LINK_MAX; k++) {
		if (!link_get(h->linked, k, &is_reg, &fr, &idx))
			continue;
		if (is_reg)
			bt->regs[fr] |= (uint16_t)(1u << idx);
		else
			bt->slots[fr] |= 1ull << idx;
	}
	return true;
}

/*
 * backtrack_insn - walk insn i backwards: the registers and slots to
 * explain after it become those to explain before it (the kernel's
 * backtrack_insn). next: the insn executed after i (-1: none). Returns
 * BT_OK, BT_GIVE_UP (mark everything precise) or a negative errno.
 */
static int backtrack_insn(struct bxr_env *env, int i, int next, const struct bxr_hist *h,
			  struct bt *bt)
{
	const struct bpfbox_insn *in = &env->insns[i];
	int op = env->ops[i], fmt = op >= 0 ? bx_ops[op].fmt : -1;
	uint16_t d = (uint16_t)(1u << in->dst_reg), s = (uint16_t)(1u << in->src_reg);
	uint16_t *rm = &bt->regs[bt->frame];
	bool x = BX_SRC(in->code) == BX_X;

	if (op < 0)
		return BT_OK;	/* the second half of an lddw */
	if (!linked_sync(bt, h))
		return BT_GIVE_UP;
	switch (fmt) {
	case BX_F_ALU: case BX_F_NEG: case BX_F_END: case BX_F_MOVSX:
		if (!(*rm & d))
			break;
		if (fmt == BX_F_NEG || fmt == BX_F_END)
			break;
		if (fmt == BX_F_MOVSX || BX_OP(in->code) == BX_MOV) {
			*rm &= (uint16_t)~d;
			if ((x || fmt == BX_F_MOVSX) && in->src_reg != BX_REG_FP)
				*rm |= s;
		} else if (x && in->src_reg != BX_REG_FP) {
			*rm |= s;
		}
		break;
	case BX_F_LDX: case BX_F_LDXSX:
		if (!(*rm & d))
			break;
		*rm &= (uint16_t)~d;
		if (h && (h->flags & BXR_H_STACK)) {
			int fr = (int)(h->flags >> 8) & 0xff, slot = (int)(h->flags >> 16) & 0xff;

			if (fr > bt->frame)
				return BT_GIVE_UP;
			bt->slots[fr] |= 1ull << slot;
		}
		break;
	case BX_F_ST: case BX_F_STX:
		if (*rm & d)
			return BT_GIVE_UP;	/* a scalar used as an address */
		if (h && (h->flags & BXR_H_STACK)) {
			int fr = (int)(h->flags >> 8) & 0xff, slot = (int)(h->flags >> 16) & 0xff;

			if (fr > bt->frame)
				return BT_GIVE_UP;
			if (!(bt->slots[fr] >> slot & 1))
				break;
			bt->slots[fr] &= ~(1ull << slot);
			if (fmt == BX_F_STX)
				*rm |= s;
		}
		break;
	case BX_F_AOP: case BX_F_AFETCH: case BX_F_XCHG: case BX_F_CMPXCHG:
		/* atomics: the stored and the fetched values depend on memory */
		if ((*rm & d) || (h && (h->flags & BXR_H_STACK)) ||
		    (fmt != BX_F_AOP && (*rm & (fmt == BX_F_CMPXCHG ? 1u : s))))
			return BT_GIVE_UP;
		break;
	case BX_F_LDDW:
		*rm &= (uint16_t)~d;
		break;
	case BX_F_LDABS: case BX_F_LDIND:
		if (*rm & 1u)
			return BT_GIVE_UP;
		break;
	case BX_F_JCOND:
		if (x && ((*rm & d) || (*rm & s)))
			*rm |= d | s;
		break;
	case BX_F_CALL:
		if (op == BX_OP_CALL_LOCAL) {
			/* back out of the callee into the caller: only its
			 * arguments can still be asked for */
			if ((*rm & ~0x3eu) || bt->slots[bt->frame] || bt->frame == 0)
				return BT_GIVE_UP;
			bt->regs[bt->frame - 1] |= (uint16_t)(*rm & 0x3e);
			*rm = 0;
			bt->frame--;
			break;
		}
		if (env->aux[i].cb_call && next != i + 1)
			return BT_GIVE_UP;	/* back out of a callback */
		*rm &= (uint16_t)~1u;
		if (*rm & 0x3e)
			return BT_GIVE_UP;
		break;
	case BX_F_EXIT: {
		bool r0;

		/* back into the function that returned to `next` */
		if (next < 1 || env->aux[next].cb_call || env->ops[next - 1] != BX_OP_CALL_LOCAL ||
		    (*rm & 0x3e) || bt->frame + 1 >= BX_MAX_CALL_DEPTH)
			return BT_GIVE_UP;
		r0 = *rm & 1u;
		*rm &= (uint16_t)~1u;
		bt->frame++;
		bt->regs[bt->frame] = r0 ? 1u : 0;
		bt->slots[bt->frame] = 0;
		break;
	}
	default:
		break;
	}
	return linked_sync(bt, h) ? BT_OK : BT_GIVE_UP;
}

/* mark_all - the fallback: every scalar of every state above st precise. */
static void mark_all(struct bxr_state *st)
{
	for (st = st->parent; st; st = st->parent) {
		for (int f = 0; f <= st->curframe; f++) {
			struct bxr_func *fr = st->frame[f];

			for (int r = 0; r < BX_REG_FP; r++)
				if (fr->regs[r].type == BXR_SCALAR)
					fr->regs[r].precise = 1;
			for (int j = 0; j < fr->nslots; j++)
				if (fr->stack[j].st[0] == BXR_ST_SPILL && fr->stack[j].spill.type == BXR_SCALAR)
					fr->stack[j].spill.precise = 1;
		}
	}
}

/* mark_in - mark bt's registers and slots precise in the explored state
 * st; those already precise (and their history) need no more walking. */
static void mark_in(struct bxr_state *st, struct bt *bt)
{
	for (int f = bt->frame; f >= 0; f--) {
		struct bxr_func *fr = f <= st->curframe ? st->frame[f] : NULL;

		for (int r = 0; r < BX_NREGS; r++) {
			struct bxr_reg *reg;

			if (!(bt->regs[f] >> r & 1))
				continue;
			reg = fr ? &fr->regs[r] : NULL;
			if (!reg || reg->type != BXR_SCALAR || reg->precise)
				bt->regs[f] &= (uint16_t)~(1u << r);
			else
				reg->precise = 1;
		}
		for (int j = 0; j < 64; j++) {
			struct bxr_reg *reg;

			if (!(bt->slots[f] >> j & 1))
				continue;
			if (!fr || j >= fr->nslots || fr->stack[j].st[0] != BXR_ST_SPILL ||
			    fr->stack[j].spill.type != BXR_SCALAR) {
				bt->slots[f] &= ~(1ull << j);
				continue;
			}
			reg = &fr->stack[j].spill;
			if (reg->precise)
				bt->slots[f] &= ~(1ull << j);
			else
				reg->precise = 1;
		}
	}
}

/*
 * mark_chain - explain bt from the current instruction of env->cur
 * backwards (the kernel's __mark_chain_precision). Returns 0 or -errno.
 */
static int mark_chain(struct bxr_env *env, struct bt *bt)
{
	struct bxr_state *st = env->cur;
	int last = env->insn, next = -1;
	bool skip_first = true;

	if (bt_empty(bt))
		return 0;
	for (;;) {
		uint32_t h = st->nhist;

		for (int i = last;;) {
			int err = BT_OK;

			if (skip_first)
				skip_first = false;
			else
				err = backtrack_insn(env, i, next, hist_at(st, h, i), bt);
			if (err < 0)
				return err;
			if (err == BT_GIVE_UP) {
				mark_all(env->cur);
				return 0;
			}
			if (bt_empty(bt))
				return 0;
			next = i;
			i = prev_insn(st, i, &h);
			if (i < 0)
				break;
			if (i >= env->cnt) {
				mark_all(env->cur);
				return 0;
			}
		}
		next = st->first_insn;
		st = st->parent;
		if (!st)
			break;
		if (st->curframe < bt->frame) {
			mark_all(env->cur);
			return 0;
		}
		mark_in(st, bt);
		if (bt_empty(bt))
			return 0;
		last = st->last_insn;
	}
	if (!bt_empty(bt))
		mark_all(env->cur);
	return 0;
}

/* bxr_mark_precise - the scalar in regno (current frame) decides
 * something: mark where it came from precise. */
int bxr_mark_precise(struct bxr_env *env, int regno)
{
	struct bt bt;

	if (regno < 0 || regno >= BX_REG_FP || bxr_regs(env)[regno].type != BXR_SCALAR)
		return 0;
	memset(&bt, 0, sizeof(bt));
	bt.frame = env->cur->curframe;
	bt.regs[bt.frame] = (uint16_t)(1u << regno);
	return mark_chain(env, &bt);
}

/* bxr_mark_precise_slot - the same for a spilled scalar. */
int bxr_mark_precise_slot(struct bxr_env *env, int frameno, int slot)
{
	struct bt bt;

	if (frameno > env->cur->curframe || slot < 0 || slot >= 64)
		return 0;
	memset(&bt, 0, sizeof(bt));
	bt.frame = env->cur->curframe;
	bt.slots[frameno] = 1ull << slot;
	return mark_chain(env, &bt);
}

/*
 * bxr_propagate_precision - the current state was pruned against the
 * explored state old at insn: whatever old needed precise, the current
 * path needs too (the kernel's propagate_precision).
 */
int bxr_propagate_precision(struct bxr_env *env, const struct bxr_state *old, int insn)
{
	struct bt bt;

	(void)insn;
	memset(&bt, 0, sizeof(bt));
	bt.frame = old->curframe;
	for (int f = 0; f <= old->curframe; f++) {
		const struct bxr_func *fr = old->frame[f];

		for (int r = 0; r < BX_REG_FP; r++)
			if (fr->regs[r].type == BXR_SCALAR && fr->regs[r].precise)
				bt.regs[f] |= (uint16_t)(1u << r);
		for (int j = 0; j < fr->nslots && j < 64; j++)
			if (fr->stack[j].st[0] == BXR_ST_SPILL && fr->stack[j].spill.type == BXR_SCALAR &&
			    fr->stack[j].spill.precise)
				bt.slots[f] |= 1ull << j;
	}
	/* the pruned state reached insn, but did not execute it: start there */
	return mark_chain(env, &bt);
}

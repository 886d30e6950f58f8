/*
 * jmp.c - conditional jumps (the kernel's check_cond_jmp_op): branches
 * whose outcome the bounds decide are not explored (is_branch_taken);
 * otherwise both are, each with its registers refined (reg_set_min_max,
 * 64- and 32-bit), linked scalars updated together, NULL checks made on
 * every copy of a pointer (same id), and packet ranges proven by
 * comparisons with data_end (find_good_pkt_pointers).
 */
#include <errno.h>
#include <string.h>

#include "verifier/verifier.h"

#define NSET (-1)   /* !(a & b): the false branch of JSET */

/* negate - the condition of the fall-through branch. */
static int negate(int sem)
{
	switch (sem) {
	case BXR_S_EQ: return BXR_S_NE;
	case BXR_S_NE: return BXR_S_EQ;
	case BXR_S_GT: return BXR_S_LE;
	case BXR_S_GE: return BXR_S_LT;
	case BXR_S_LT: return BXR_S_GE;
	case BXR_S_LE: return BXR_S_GT;
	case BXR_S_SGT: return BXR_S_SLE;
	case BXR_S_SGE: return BXR_S_SLT;
	case BXR_S_SLT: return BXR_S_SGE;
	case BXR_S_SLE: return BXR_S_SGT;
	case BXR_S_SET: return NSET;
	default: return BXR_S_SET;
	}
}

struct view {
	uint64_t umin, umax;
	int64_t smin, smax;
	struct bxr_tnum var;
	/* a 64-bit view: the register's 32-bit ranges too (branch_taken) */
	bool has32;
	uint32_t u32min, u32max;
	int32_t s32min, s32max;
};

static struct view get_view(const struct bxr_reg *r, bool is32)
{
	struct view v;

	if (is32) {
		v.umin = r->u32min; v.umax = r->u32max;
		v.smin = r->s32min; v.smax = r->s32max;
		v.var = bxr_tnum_subreg(r->var);
	} else {
		v.umin = r->umin; v.umax = r->umax;
		v.smin = r->smin; v.smax = r->smax;
		v.var = r->var;
	}
	v.has32 = !is32;
	v.u32min = r->u32min; v.u32max = r->u32max;
	v.s32min = r->s32min; v.s32max = r->s32max;
	return v;
}

static void put_view(struct bxr_reg *r, const struct view *v, bool is32)
{
	if (is32) {
		r->u32min = (uint32_t)v->umin; r->u32max = (uint32_t)v->umax;
		r->s32min = (int32_t)v->smin; r->s32max = (int32_t)v->smax;
		r->var = bxr_tnum_with_subreg(r->var, v->var);
	} else {
		r->umin = v->umin; r->umax = v->umax;
		r->smin = v->smin; r->smax = v->smax;
		r->var = v->var;
	}
}

/* branch_taken - 1: "a sem b" always holds, 0: never, -1: unknown. */
static int branch_taken(const struct view *a, const struct view *b, int sem)
{
	switch (sem) {
	case BXR_S_EQ:
	case BXR_S_NE: {
		int eq = -1;

		if (bxr_tnum_is_const(a->var) && bxr_tnum_is_const(b->var))
			eq = a->var.value == b->var.value;
		else if (a->umin > b->umax || a->umax < b->umin || a->smin > b->smax ||
			 a->smax < b->smin ||
			 ((a->var.value ^ b->var.value) & ~(a->var.mask | b->var.mask)))
			eq = 0;
		/* a 64-bit compare the 64-bit ranges leave open: disjoint 32-bit
		 * ranges also decide it (the kernel's is_scalar_branch_taken) */
		else if (a->has32 && b->has32 &&
			 (a->u32min > b->u32max || a->u32max < b->u32min ||
			  a->s32min > b->s32max || a->s32max < b->s32min))
			eq = 0;
		if (eq < 0)
			return -1;
		return sem == BXR_S_EQ ? eq : !eq;
	}
	case BXR_S_SET:
		if (a->var.value & b->var.value)
			return 1;
		if (!((a->var.value | a->var.mask) & (b->var.value | b->var.mask)))
			return 0;
		return -1;
	case NSET: {
		int t = branch_taken(a, b, BXR_S_SET);
		return t < 0 ? -1 : !t;
	}
	case BXR_S_GT: return a->umin > b->umax ? 1 : a->umax <= b->umin ? 0 : -1;
	case BXR_S_GE: return a->umin >= b->umax ? 1 : a->umax < b->umin ? 0 : -1;
	case BXR_S_LT: return a->umax < b->umin ? 1 : a->umin >= b->umax ? 0 : -1;
	case BXR_S_LE: return a->umax <= b->umin ? 1 : a->umin > b->umax ? 0 : -1;
	case BXR_S_SGT: return a->smin > b->smax ? 1 : a->smax <= b->smin ? 0 : -1;
	case BXR_S_SGE: return a->smin >= b->smax ? 1 : a->smax < b->smin ? 0 : -1;
	case BXR_S_SLT: return a->smax < b->smin ? 1 : a->smin >= b->smax ? 0 : -1;
	case BXR_S_SLE: return a->smax <= b->smin ? 1 : a->smin > b->smax ? 0 : -1;
	default: return -1;
	}
}

#define MAXU(a, b) ((a) > (b) ? (a) : (b))
#define MINU(a, b) ((a) < (b) ? (a) : (b))

/* set_min_max - refine a and b so that "a sem b" holds (false: impossible). */
static bool set_min_max(struct view *a, struct view *b, int sem, uint64_t umaxall, int64_t smaxall,
			int64_t sminall)
{
	switch (sem) {
	case BXR_S_EQ:
		a->umin = b->umin = MAXU(a->umin, b->umin);
		a->umax = b->umax = MINU(a->umax, b->umax);
		a->smin = b->smin = MAXU(a->smin, b->smin);
		a->smax = b->smax = MINU(a->smax, b->smax);
		a->var = b->var = bxr_tnum_intersect(a->var, b->var);
		if ((a->var.value ^ b->var.value) & ~(a->var.mask | b->var.mask))
			return false;
		break;
	case BXR_S_NE:
		if (bxr_tnum_is_const(b->var)) {
			uint64_t c = b->var.value;

			if (bxr_tnum_is_const(a->var) && a->var.value == c)
				return false;
			if (a->umin == c && c != umaxall) a->umin++;
			else if (a->umax == c && c) a->umax--;
			if (a->smin == (int64_t)c && (int64_t)c != smaxall) a->smin++;
			else if (a->smax == (int64_t)c && (int64_t)c != sminall) a->smax--;
		} else if (bxr_tnum_is_const(a->var)) {
			return set_min_max(b, a, BXR_S_NE, umaxall, smaxall, sminall);
		}
		break;
	case BXR_S_SET:
		if (bxr_tnum_is_const(b->var) && b->var.value &&
		    !(b->var.value & (b->var.value - 1)))
			a->var = bxr_tnum_or(a->var, b->var);
		break;
	case NSET:
		if (bxr_tnum_is_const(b->var))
			a->var = bxr_tnum_and(a->var, bxr_tnum_const(~b->var.value));
		break;
	case BXR_S_GT:
		if (b->umin == umaxall || !a->umax)
			return false;
		a->umin = MAXU(a->umin, b->umin + 1);
		b->umax = MINU(b->umax, a->umax - 1);
		break;
	case BXR_S_GE:
		a->umin = MAXU(a->umin, b->umin);
		b->umax = MINU(b->umax, a->umax);
		break;
	case BXR_S_LT:
		return set_min_max(b, a, BXR_S_GT, umaxall, smaxall, sminall);
	case BXR_S_LE:
		return set_min_max(b, a, BXR_S_GE, umaxall, smaxall, sminall);
	case BXR_S_SGT:
		if (b->smin == smaxall || a->smax == sminall)
			return false;
		a->smin = MAXU(a->smin, b->smin + 1);
		b->smax = MINU(b->smax, a->smax - 1);
		break;
	case BXR_S_SGE:
		a->smin = MAXU(a->smin, b->smin);
		b->smax = MINU(b->smax, a->smax);
		break;
	case BXR_S_SLT:
		return set_min_max(b, a, BXR_S_SGT, umaxall, smaxall, sminall);
	case BXR_S_SLE:
		return set_min_max(b, a, BXR_S_SGE, umaxall, smaxall, sminall);
	default:
		break;
	}
	return a->umin <= a->umax && b->umin <= b->umax && a->smin <= a->smax && b->smin <= b->smax;
}

struct link_arg {
	const struct bxr_reg *src;
};

/* copy_linked - r, linked with the refined s, gets s's knowledge: the
 * same value, or s's value plus the difference of their offsets (the
 * kernel's sync_linked_regs) */
static void copy_linked(struct bxr_reg *r, void *arg)
{
	const struct bxr_reg *s = ((struct link_arg *)arg)->src;
	int32_t off;
	uint32_t id;

	if (r == s || r->type != BXR_SCALAR ||
	    (r->id & ~BXR_ID_ADD_CONST) != (s->id & ~BXR_ID_ADD_CONST))
		return;
	if ((!(r->id & BXR_ID_ADD_CONST) && !(s->id & BXR_ID_ADD_CONST)) || r->off == s->off) {
		*r = *s;
		return;
	}
	off = r->off;
	id = r->id;
	*r = *s;
	bxr_scalar_add_const(r, (int64_t)off - (int64_t)s->off);
	r->off = off;
	r->id = id;
}

/* invariants - the kernel's reg_bounds_sanity_check(): an empty range, or
 * a constant tnum out of step with the ranges, resets the ranges to
 * unbounded (the tnum stays) and verification goes on. */
static void invariants(struct bxr_reg *r)
{
	bool bad = !bxr_bounds_sane(r);

	if (!bad && bxr_tnum_is_const(r->var))
		bad = r->umin != r->var.value || r->umax != r->var.value ||
		      r->smin != (int64_t)r->var.value || r->smax != (int64_t)r->var.value;
	if (!bad && !(r->var.mask & 0xffffffffull))
		bad = r->u32min != (uint32_t)r->var.value || r->u32max != (uint32_t)r->var.value ||
		      r->s32min != (int32_t)r->var.value || r->s32max != (int32_t)r->var.value;
	if (!bad)
		return;
	if (r->var.value & r->var.mask)
		r->var = BXR_TNUM_UNKNOWN;
	bxr_reset_bounds_unknown(r);
}

/* refine_scalars - in state st, make "dst sem src" hold; false if impossible. */
static bool refine_scalars(struct bxr_state *st, const struct bpfbox_insn *in, int sem, bool is32)
{
	struct bxr_reg *regs = st->frame[st->curframe]->regs, *d = &regs[in->dst_reg], k, *s;
	struct view a, b;
	bool x = BX_SRC(in->code) == BX_X;

	if (x) {
		s = &regs[in->src_reg];
	} else {
		bxr_mark_const(&k, is32 ? (uint32_t)in->imm : (uint64_t)(int64_t)in->imm);
		s = &k;
	}
	if (d->type != BXR_SCALAR || s->type != BXR_SCALAR)
		return true;
	a = get_view(d, is32);
	b = get_view(s, is32);
	if (branch_taken(&a, &b, sem) == 0)
		return false;
	/* Only branch_taken() prunes, as the kernel's is_branch_taken(): a
	 * refinement that empties a range (the tnum and the ranges disagree)
	 * does not make the branch dead there. The kernel reports a "REG
	 * INVARIANTS VIOLATION", resets the register's ranges (keeping its
	 * tnum) and walks the branch; so does bpfbox. */
	set_min_max(&a, &b, sem, is32 ? UINT32_MAX : UINT64_MAX, is32 ? INT32_MAX : INT64_MAX,
		    is32 ? INT32_MIN : INT64_MIN);
	put_view(d, &a, is32);
	bxr_bounds_sync(d);
	invariants(d);
	if (x && d != s) {
		put_view(s, &b, is32);
		bxr_bounds_sync(s);
		invariants(s);
	}
	if (d->id) {
		struct link_arg la = { d };
		bxr_for_each_reg(st, copy_linked, &la);
	}
	if (x && s->id && s != d && (s->id & ~BXR_ID_ADD_CONST) != (d->id & ~BXR_ID_ADD_CONST)) {
		struct link_arg la = { s };
		bxr_for_each_reg(st, copy_linked, &la);
	}
	return true;
}

/* ---- NULL checks and packet ranges ------------------------------------------------ */

struct null_arg {
	struct bxr_env *env;
	uint32_t id;
	bool is_null;
};

static void mark_null(struct bxr_reg *r, void *arg)
{
	struct null_arg *na = arg;

	if (r->id != na->id || !(r->flags & BXR_MAYBE_NULL) || !bxr_is_ptr(r))
		return;
	if (na->is_null) {
		bxr_mark_const(r, 0);
		return;
	}
	r->flags &= (uint8_t)~BXR_MAYBE_NULL;
	if (r->type == BXR_MAP_VALUE && na->env->maps[r->aux].inner >= 0) {
		r->type = BXR_MAP_PTR;
		r->aux = (uint32_t)na->env->maps[r->aux].inner;
		r->off = 0;
	}
	if (!r->ref_obj_id)
		r->id = 0;
}

/* mark_ptr_or_null - every copy of the pointer with `id` is NULL, or not. */
static void mark_ptr_or_null(struct bxr_env *env, struct bxr_state *st, uint32_t id, uint32_t ref,
			     bool is_null)
{
	struct null_arg na = { env, id, is_null };

	if (is_null && ref) {
		for (int i = 0; i < st->nrefs; i++) {
			if (st->refs[i].id == ref) {
				st->refs[i] = st->refs[--st->nrefs];
				break;
			}
		}
	}
	bxr_for_each_reg(st, mark_null, &na);
}

struct pkt_arg {
	uint8_t type;
	uint32_t id;
	int range;
};

static void set_range(struct bxr_reg *r, void *arg)
{
	struct pkt_arg *pa = arg;

	if (r->type == pa->type && r->id == pa->id && r->range < pa->range)
		r->range = pa->range;
}

/* good_pkt - in st, pkt (with its id) has at least off(+1 if strict) bytes. */
static void good_pkt(struct bxr_state *st, const struct bxr_reg *pkt, bool strict)
{
	struct pkt_arg pa = { pkt->type, pkt->id, pkt->off + (strict ? 1 : 0) };

	if (pkt->off < 0 || pkt->umax > BXR_MAX_PACKET_OFF ||
	    pkt->umax + (uint64_t)pkt->off > BXR_MAX_PACKET_OFF || pkt->smin < 0)
		return;
	if (pa.range <= 0)
		return;
	bxr_for_each_reg(st, set_range, &pa);
}

/* mark_pkt_end - the packet pointer r (this register only) is known to be
 * beyond the packet's end (open: by at least one byte) - the kernel's
 * mark_pkt_end; a later identical comparison is then decided. */
static void mark_pkt_end(struct bxr_reg *r, bool open)
{
	if (r->type != BXR_PKT)
		return;
	r->range = open ? BXR_BEYOND_PKT_END : BXR_AT_PKT_END;
}

/* is_end_for - e serves as the end of pointer p (pkt_end for packets, the
 * unmodified data pointer for data_meta). */
static bool is_end_for(const struct bxr_reg *p, const struct bxr_reg *e)
{
	if (p->type == BXR_PKT)
		return e->type == BXR_PKT_END;
	if (p->type == BXR_PKT_META)
		return e->type == BXR_PKT && e->off == 0 && bxr_tnum_is_const(e->var) && !e->var.value;
	return false;
}

/*
 * pkt_compare - "dst sem src" between a packet pointer and its end, made
 * true in st: mark the proven range. Returns true if it was such a compare.
 */
static bool pkt_compare(struct bxr_state *st, const struct bpfbox_insn *in, int sem, bool dry)
{
	struct bxr_reg *regs = st->frame[st->curframe]->regs;
	const struct bxr_reg *d = &regs[in->dst_reg], *s = &regs[in->src_reg];

	if (BX_SRC(in->code) != BX_X)
		return false;
	if (bxr_is_pkt(d) && is_end_for(d, s)) {
		/* pkt sem end */
		if (!dry && (sem == BXR_S_LE || sem == BXR_S_LT))
			good_pkt(st, d, sem == BXR_S_LT);
		if (!dry && (sem == BXR_S_GT || sem == BXR_S_GE))
			mark_pkt_end(&regs[in->dst_reg], sem == BXR_S_GT);
		return true;
	}
	if (bxr_is_pkt(s) && is_end_for(s, d)) {
		/* end sem pkt */
		if (!dry && (sem == BXR_S_GE || sem == BXR_S_GT))
			good_pkt(st, s, sem == BXR_S_GT);
		if (!dry && (sem == BXR_S_LT || sem == BXR_S_LE))
			mark_pkt_end(&regs[in->src_reg], sem == BXR_S_LT);
		return true;
	}
	return false;
}

/* pkt_taken - a comparison of a packet pointer with the packet's end that
 * an earlier one decided (the kernel's is_pkt_ptr_branch_taken): 1, 0, or
 * -1 unknown. */
static int pkt_taken(const struct bxr_reg *d, const struct bxr_reg *s, int sem)
{
	const struct bxr_reg *p;

	if (s->type == BXR_PKT_END && d->type == BXR_PKT) {
		p = d;
	} else if (d->type == BXR_PKT_END && s->type == BXR_PKT) {
		p = s;	/* end sem pkt: flip to pkt sem' end */
		sem = sem == BXR_S_GT ? BXR_S_LT : sem == BXR_S_LT ? BXR_S_GT :
		      sem == BXR_S_GE ? BXR_S_LE : sem == BXR_S_LE ? BXR_S_GE : sem;
	} else {
		return -1;
	}
	if (p->range >= 0)
		return -1;
	switch (sem) {
	case BXR_S_LE: case BXR_S_GT:
		if (p->range == BXR_BEYOND_PKT_END)
			return sem == BXR_S_GT;
		break;
	case BXR_S_LT: case BXR_S_GE:
		if (p->range == BXR_BEYOND_PKT_END || p->range == BXR_AT_PKT_END)
			return sem == BXR_S_GE;
		break;
	default:
		break;
	}
	return -1;
}

/* ---- the instruction --------------------------------------------------------------- */

/* ptr_taken - outcome of comparing a pointer with the constant 0 (-1: unknown). */
static int ptr_taken(const struct bxr_reg *p, const struct bxr_reg *o, int sem)
{
	if (!bxr_is_ptr(p) || (p->flags & BXR_MAYBE_NULL) || !bxr_is_const(o) || o->var.value)
		return -1;
	/* the kernel's reg_not_null(): only these are known non-NULL */
	if (p->type == BXR_MAP_VALUE || p->type == BXR_MEM || p->type == BXR_MAP_KEY) {
		if (sem == BXR_S_EQ)
			return 0;
		if (sem == BXR_S_NE)
			return 1;
	}
	return -1;
}

/* refine - apply "cond" (sem, or its negation) to state st; false if impossible. */
static bool refine(struct bxr_env *env, struct bxr_state *st, const struct bpfbox_insn *in, int sem,
		   bool is32)
{
	struct bxr_reg *regs = st->frame[st->curframe]->regs, *d = &regs[in->dst_reg];
	bool x = BX_SRC(in->code) == BX_X;
	struct bxr_reg *s = x ? &regs[in->src_reg] : NULL;

	if (!is32 && (sem == BXR_S_EQ || sem == BXR_S_NE)) {
		bool zero_other = x ? bxr_is_const(s) && !s->var.value : in->imm == 0;
		struct bxr_reg *p = NULL;

		if (zero_other && (d->flags & BXR_MAYBE_NULL))
			p = d;	/* (the zero in a source register is marked precise by the caller) */
		else if (x && bxr_is_const(d) && !d->var.value && (s->flags & BXR_MAYBE_NULL))
			p = s;
		if (p) {
			mark_ptr_or_null(env, st, p->id, p->ref_obj_id, sem == BXR_S_EQ);
			return true;
		}
	}
	if (!is32 && pkt_compare(st, in, sem, false))
		return true;
	return refine_scalars(st, in, sem, is32);
}

/* mark_both - the jump's scalar operands decide which way it goes: their
 * values must be precise (the kernel marks them when it predicts a branch). */
static int mark_both(struct bxr_env *env, const struct bpfbox_insn *in)
{
	int err = bxr_mark_precise(env, in->dst_reg);

	if (!err && BX_SRC(in->code) == BX_X)
		err = bxr_mark_precise(env, in->src_reg);
	return err;
}

/*
 * bxr_check_cond_jmp - a conditional jump at env->insn: *next is where the
 * current path continues; the other branch, if possible, is pushed.
 */
int bxr_check_cond_jmp(struct bxr_env *env, const struct bpfbox_insn *in, int op, int *next)
{
	struct bxr_reg *regs = bxr_regs(env), *d = &regs[in->dst_reg], k, *s;
	int sem = bxr_sem_of[op], err, taken = -1, target, fall;
	bool x = BX_SRC(in->code) == BX_X, is32 = BX_CLASS(in->code) == BX_JMP32;
	bool ok_t, ok_f;
	struct bxr_state *other;

	if ((err = bxr_check_reg_read(env, in->dst_reg)))
		return err;
	if (x && (err = bxr_check_reg_read(env, in->src_reg)))
		return err;
	if (x) {
		s = &regs[in->src_reg];
	} else {
		bxr_mark_const(&k, is32 ? (uint32_t)in->imm : (uint64_t)(int64_t)in->imm);
		s = &k;
	}
	/* unprivileged: a pointer is compared only with a pointer into the
	 * same packet (the kernel's "pointer comparison prohibited") */
	if (x && bxr_leaks(env, s) && !((bxr_is_pkt(d) || d->type == BXR_PKT_END) &&
					 (bxr_is_pkt(s) || s->type == BXR_PKT_END))) {
		bxr_reason(env, "an unprivileged program may not compare pointers");
		return bxr_reject(env, -EACCES, in->src_reg, -1, "R%d pointer comparison prohibited",
				  in->src_reg);
	}
	target = (int)bx_jump_target(in, (size_t)env->insn, op);
	fall = env->insn + 1;
	if (d->type == BXR_SCALAR && s->type == BXR_SCALAR) {
		struct view a = get_view(d, is32), b = get_view(s, is32);

		taken = branch_taken(&a, &b, sem);
	} else if (!is32) {
		taken = ptr_taken(d, s, sem);
		if (taken < 0 && x)
			taken = ptr_taken(s, d, sem);
		if (taken < 0 && x)
			taken = pkt_taken(d, s, sem);
	}
	if (taken >= 0 || (x && !is32 && (sem == BXR_S_EQ || sem == BXR_S_NE) &&
			   (((d->flags & BXR_MAYBE_NULL) && s->type == BXR_SCALAR) ||
			    ((s->flags & BXR_MAYBE_NULL) && d->type == BXR_SCALAR)))) {
		/* the outcome (or a NULL check) rests on the scalars' values */
		if ((err = mark_both(env, in)))
			return err;
	}
	if (taken == 1) {
		*next = target;
		return 0;
	}
	if (taken == 0) {
		*next = fall;
		return 0;
	}
	/* unprivileged: only a NULL check (64-bit ==/!= 0 of a maybe-NULL
	 * pointer) or packet bounds may test a pointer */
	if (bxr_leaks(env, d) &&
	    !(!is32 && !x && in->imm == 0 && (sem == BXR_S_EQ || sem == BXR_S_NE) &&
	      (d->flags & BXR_MAYBE_NULL)) &&
	    !(!is32 && x && pkt_compare(env->cur, in, sem, true))) {
		bxr_reason(env, "an unprivileged program may not compare pointers");
		return bxr_reject(env, -EACCES, in->dst_reg, -1, "R%d pointer comparison prohibited",
				  in->dst_reg);
	}
	/* both ways: the scalars the branch refines together are recorded
	 * for backtracking; push the jump, continue with the fall-through */
	{
		uint64_t linked = bxr_linked(env->cur, d->type == BXR_SCALAR ? d->id : 0,
					     x && s->type == BXR_SCALAR ? s->id : 0);

		if (linked && (err = bxr_push_hist(env, env->cur, 0, linked)))
			return err;
	}
	err = bxr_push_branch(env, target);
	if (err)
		return err;
	other = env->stack[env->nstack - 1].st;
	ok_t = refine(env, other, in, sem, is32);
	ok_f = refine(env, env->cur, in, negate(sem), is32);
	if ((!ok_t || !ok_f) && (err = mark_both(env, in)))
		return err;	/* a branch ruled out by the ranges */
	if (!ok_t) {
		env->nstack--;
		if (other->parent)
			other->parent->branches--;
		bxr_state_free(other);
	}
	if (!ok_f) {
		if (ok_t) {
			/* only the jump is possible: continue there */
			if (env->cur->parent)
				env->cur->parent->branches--;
			bxr_state_free(env->cur);
			env->cur = bxr_pop_branch(env);
			*next = target;
			return 0;
		}
		/* neither: this path cannot happen */
		*next = -1;
		return 0;
	}
	*next = fall;
	return 0;
}

/* widen_reg - the kernel's maybe_widen_reg: a scalar neither copy needs
 * precisely that changed since the previous pass becomes unknown. */
static void widen_reg(const struct bxr_reg *o, struct bxr_reg *c)
{
	if (o->type != BXR_SCALAR || c->type != BXR_SCALAR || o->precise || c->precise)
		return;
	if (o->umin == c->umin && o->umax == c->umax && o->smin == c->smin && o->smax == c->smax &&
	    o->var.value == c->var.value && o->var.mask == c->var.mask && o->id == c->id)
		return;
	bxr_mark_unknown(c);
}

/* widen_pass - the kernel's widen_imprecise_scalars between the previous
 * pass through the may_goto at insn (the nearest ancestor checkpoint
 * there, skipping the one this visit just made) and st. Only loses
 * information: sound. */
static void widen_pass(struct bxr_env *env, struct bxr_state *st, int insn)
{
	struct bxr_state *old, *s = env->cur->parent;

	if (s && s->insn == insn && env->cur->first_insn == insn)
		s = s->parent;	/* this visit's own checkpoint */
	old = bxr_state_ancestor_at(s, insn, st->curframe);
	if (!old)
		return;
	for (int f = 0; f <= st->curframe; f++) {
		struct bxr_func *of = old->frame[f], *cf = st->frame[f];

		if (of->callsite != cf->callsite)
			return;
		for (int r = 0; r < BX_NREGS; r++)
			widen_reg(&of->regs[r], &cf->regs[r]);
		for (int j = 0; j < cf->nslots && j < of->nslots; j++)
			if (cf->stack[j].st[0] == BXR_ST_SPILL && of->stack[j].st[0] == BXR_ST_SPILL)
				widen_reg(&of->stack[j].spill, &cf->stack[j].spill);
	}
}

/*
 * bxr_check_may_goto - may_goto +off (BPF_JMP|BPF_JCOND, the kernel's
 * check_cond_jmp_op for BPF_MAY_GOTO): the run falls through while its
 * loop budget lasts and jumps once it is spent, so both ways are walked.
 * The current path takes the jump; the fall-through is pushed one pass
 * deeper (may_goto_depth), its imprecise scalars widened against the
 * previous pass, so that a loop around it converges (state.c prunes a
 * pass the previous one covers).
 */
int bxr_check_may_goto(struct bxr_env *env, const struct bpfbox_insn *in, int op, int *next)
{
	struct bxr_state *other;
	int err;

	if (in->dst_reg || in->imm) {
		bxr_reason(env, "may_goto uses only its offset; dst, src and imm must be 0");
		return bxr_reject(env, -EINVAL, -1, -1, "invalid may_goto imm %d", in->imm);
	}
	if ((err = bxr_push_branch(env, env->insn + 1)))
		return err;
	other = env->stack[env->nstack - 1].st;
	other->may_goto_depth++;
	widen_pass(env, other, env->insn);
	*next = (int)bx_jump_target(in, (size_t)env->insn, op);
	return 0;
}

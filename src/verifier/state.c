/*
 * state.c - verifier states: allocation and copies, the stack of branches
 * still to explore, and pruning (the kernel's is_state_visited with
 * states_equal / regsafe / stacksafe / refsafe and the branch counts that
 * tell finished explorations from loops in progress).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "verifier/verifier.h"

/* func_bytes - the bytes of a frame that matter (slots in use). */
static size_t func_bytes(const struct bxr_func *f)
{
	return offsetof(struct bxr_func, stack) + (size_t)f->nslots * sizeof(struct bxr_slot);
}

/* bxr_func_new - an empty frame: every register unreadable, no stack. */
struct bxr_func *bxr_func_new(int callsite, int subprog)
{
	struct bxr_func *f = malloc(sizeof(*f));

	if (!f)
		return NULL;
	memset(f, 0, offsetof(struct bxr_func, stack));
	for (int i = 0; i < BX_NREGS; i++)
		bxr_mark_not_init(&f->regs[i]);
	f->callsite = callsite;
	f->subprog = subprog;
	f->nslots = 0;
	return f;
}

/* bxr_state_new - a state without frames. */
struct bxr_state *bxr_state_new(void)
{
	return calloc(1, sizeof(struct bxr_state));
}

/* bxr_state_free - release a state and its frames. */
void bxr_state_free(struct bxr_state *st)
{
	if (!st)
		return;
	for (int i = 0; i < BX_MAX_CALL_DEPTH; i++)
		free(st->frame[i]);
	free(st->hist);
	free(st);
}

/* bxr_state_ancestor_at - the nearest of from and its parents saved at
 * insn with curframe frames (the previous pass through a loop point), or
 * NULL. */
struct bxr_state *bxr_state_ancestor_at(struct bxr_state *from, int insn, int curframe)
{
	for (struct bxr_state *s = from; s; s = s->parent)
		if (s->insn == insn && s->curframe == curframe)
			return s;
	return NULL;
}

/* state_copy - a deep copy (parent, branches and list links copied as is);
 * compact: frames sized to their slots in use (explored states, which are
 * never run from again), else full frames (states that become current). */
static struct bxr_state *state_copy(const struct bxr_state *src, bool compact)
{
	struct bxr_state *st = malloc(sizeof(*st));

	if (!st)
		return NULL;
	*st = *src;
	st->hist = NULL;
	st->caphist = 0;
	if (src->nhist) {
		st->caphist = compact ? src->nhist : src->nhist + 8;
		st->hist = malloc(st->caphist * sizeof(*st->hist));
		if (!st->hist) {
			free(st);
			return NULL;
		}
		memcpy(st->hist, src->hist, src->nhist * sizeof(*st->hist));
	}
	for (int i = 0; i < BX_MAX_CALL_DEPTH; i++) {
		st->frame[i] = NULL;
		if (i > src->curframe || !src->frame[i])
			continue;
		st->frame[i] = malloc(compact ? func_bytes(src->frame[i]) : sizeof(struct bxr_func));
		if (!st->frame[i]) {
			bxr_state_free(st);
			return NULL;
		}
		memcpy(st->frame[i], src->frame[i], func_bytes(src->frame[i]));
	}
	return st;
}

/* bxr_state_copy - a full deep copy (see state_copy). */
struct bxr_state *bxr_state_copy(const struct bxr_state *src)
{
	return state_copy(src, false);
}

/* state_bytes - memory an explored state holds. */
static size_t state_bytes(const struct bxr_state *st)
{
	size_t n = sizeof(*st) + st->nhist * sizeof(*st->hist);

	for (int i = 0; i <= st->curframe; i++)
		n += func_bytes(st->frame[i]);
	return n;
}

/* bxr_push_branch - remember a copy of the current state to explore from
 * insn later (the kernel's push_stack). */
int bxr_push_branch(struct bxr_env *env, int insn)
{
	struct bxr_state *st;

	if (env->nstack >= 8192)
		return bxr_reject(env, -E2BIG, -1, -1, "The sequence of %d jumps is too complex.",
				  env->nstack);
	if (env->nstack == env->capstack) {
		int cap = env->capstack ? env->capstack * 2 : 64;
		struct bxr_elem *n = realloc(env->stack, (size_t)cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		env->stack = n;
		env->capstack = cap;
	}
	st = bxr_state_copy(env->cur);
	if (!st)
		return -ENOMEM;
	st->insn = insn;
	st->from = env->insn;
	if (st->parent)
		st->parent->branches++;
	env->stack[env->nstack++].st = st;
	return 0;
}

/* bxr_pop_branch - the next branch to explore, or NULL. */
struct bxr_state *bxr_pop_branch(struct bxr_env *env)
{
	if (!env->nstack)
		return NULL;
	return env->stack[--env->nstack].st;
}

/* bxr_path_done - a path ended (exit or pruned): its explored ancestors
 * each lose one unfinished branch (update_branch_counts). */
void bxr_path_done(struct bxr_env *env, struct bxr_state *st)
{
	struct bxr_state *p = st->parent;

	while (p) {
		if (p->branches)
			p->branches--;
		if (p->branches)
			break;
		if (p->evicted)
			env->states_cur--;	/* gone for good (freed at the end) */
		p = p->parent;
	}
}

/* bxr_for_each_reg - fn on every register and spilled register. */
void bxr_for_each_reg(struct bxr_state *st, void (*fn)(struct bxr_reg *r, void *arg), void *arg)
{
	for (int f = 0; f <= st->curframe; f++) {
		struct bxr_func *fr = st->frame[f];

		for (int i = 0; i < BX_NREGS; i++)
			fn(&fr->regs[i], arg);
		for (int j = 0; j < fr->nslots; j++)
			if (fr->stack[j].st[0] == BXR_ST_SPILL)
				fn(&fr->stack[j].spill, arg);
	}
}

/* ---- equivalence --------------------------------------------------------------- */

#define IDMAP_MAX 128

struct idmap {
	uint32_t old[IDMAP_MAX], cur[IDMAP_MAX];
	int n;
	uint32_t tmp;              /* temporary ids of unlinked scalars */
	bool uninit_ok;            /* uninitialised stack reads as an unknown number */
	bool alu_exact;            /* unpriv: scalars only match exactly (env->explore_alu_limits) */
};

/* check_ids - old id and cur id correspond consistently (0 only with 0). */
static bool check_ids(struct idmap *m, uint32_t old, uint32_t cur)
{
	if (!old && !cur)
		return true;
	if (!old || !cur)
		return false;
	for (int i = 0; i < m->n; i++) {
		if (m->old[i] == old)
			return m->cur[i] == cur;
		if (m->cur[i] == cur)
			return false;
	}
	if (m->n == IDMAP_MAX)
		return false;
	m->old[m->n] = old;
	m->cur[m->n++] = cur;
	return true;
}

/* check_scalar_ids - as check_ids, but a scalar without an id gets a
 * fresh temporary one: two unlinked scalars of old may not map to two
 * linked ones of cur, nor the reverse (the kernel's check_scalar_ids). */
static bool check_scalar_ids(struct idmap *m, uint32_t old, uint32_t cur)
{
	old = old ? old : 0x40000000u + ++m->tmp;
	cur = cur ? cur : 0x40000000u + ++m->tmp;
	return check_ids(m, old, cur);
}

/* range_within - every value cur may hold, old may hold too. */
static bool range_within(const struct bxr_reg *o, const struct bxr_reg *c)
{
	return o->umin <= c->umin && o->umax >= c->umax && o->smin <= c->smin &&
	       o->smax >= c->smax && o->u32min <= c->u32min && o->u32max >= c->u32max &&
	       o->s32min <= c->s32min && o->s32max >= c->s32max && bxr_tnum_in(o->var, c->var);
}

/* how states are compared: EXACT (infinite loops), NOT_EXACT (pruning
 * against finished states: imprecise scalars of old match any scalar),
 * RANGE (against states still being explored, whose precision marks are
 * not final: every scalar compared by its range) */
enum { EXACT, NOT_EXACT, RANGE };

/* regsafe - is cur at least as safe as old (old's exploration covers cur)? */
static bool regsafe(const struct bxr_reg *o, const struct bxr_reg *c, struct idmap *m, int mode)
{
	bool exact = mode == EXACT;

	if (o->type == BXR_NOT_INIT)
		return exact ? c->type == BXR_NOT_INIT : true;
	if (c->type == BXR_NOT_INIT)
		return false;
	if (exact)
		return memcmp(o, c, sizeof(*o)) == 0 || (o->type == c->type && o->flags == c->flags &&
			o->off == c->off && o->range == c->range && o->aux == c->aux &&
			o->frameno == c->frameno && o->umin == c->umin && o->umax == c->umax &&
			o->smin == c->smin && o->smax == c->smax && o->var.value == c->var.value &&
			o->var.mask == c->var.mask && check_ids(m, o->id, c->id) &&
			check_ids(m, o->ref_obj_id, c->ref_obj_id));
	if (o->type != c->type)
		return false;
	switch (o->type) {
	case BXR_SCALAR:
		/* unprivileged, once a pointer moved by an unknown scalar: every
		 * path must be explored to compare its masking (the kernel's
		 * explore_alu_limits) */
		if (m->alu_exact)
			return o->var.value == c->var.value && o->var.mask == c->var.mask &&
			       o->smin == c->smin && o->smax == c->smax && o->umin == c->umin &&
			       o->umax == c->umax && o->s32min == c->s32min && o->s32max == c->s32max &&
			       o->u32min == c->u32min && o->u32max == c->u32max && o->off == c->off &&
			       check_scalar_ids(m, o->id, c->id);
		if (!o->precise && mode == NOT_EXACT)
			return true;
		if ((o->id & BXR_ID_ADD_CONST) != (c->id & BXR_ID_ADD_CONST) ||
		    ((o->id & BXR_ID_ADD_CONST) && o->off != c->off))
			return false;
		return check_scalar_ids(m, o->id, c->id) && range_within(o, c);
	case BXR_PKT:
	case BXR_PKT_META:
		/* at least old's range; "at / beyond the end" only as itself */
		if ((o->range < 0 || c->range < 0) ? o->range != c->range : c->range < o->range)
			return false;
		if (o->off != c->off)
			return false;
		if (!check_ids(m, o->id, c->id))
			return false;
		return range_within(o, c);
	case BXR_PKT_END:
	case BXR_CTX:
		return o->off == c->off && range_within(o, c);
	default:
		if (o->flags != c->flags || o->aux != c->aux || o->off != c->off ||
		    o->frameno != c->frameno)
			return false;
		if (!check_ids(m, o->id, c->id) || !check_ids(m, o->ref_obj_id, c->ref_obj_id))
			return false;
		return range_within(o, c);
	}
}

/* stacksafe - every stack byte old relied on, cur provides. */
static bool stacksafe(const struct bxr_func *o, const struct bxr_func *c, struct idmap *m,
		      int mode)
{
	bool exact = mode == EXACT;

	for (int j = 0; j < o->nslots; j++) {
		const struct bxr_slot *os = &o->stack[j];
		const struct bxr_slot *cs = j < c->nslots ? &c->stack[j] : NULL;

		for (int k = 0; k < 8; k++) {
			uint8_t ot = os->st[k], ct = cs ? cs->st[k] : BXR_ST_INVALID;

			if (exact) {
				if (ot != ct)
					return false;
				continue;
			}
			if (ot == BXR_ST_INVALID)
				continue;
			if (ct == BXR_ST_INVALID && !(ot == BXR_ST_MISC && m->uninit_ok))
				return false;
			if (ot == BXR_ST_MISC) {
				/* old read these bytes as an unknown number: a
				 * spilled pointer is not one (the kernel's stacksafe) */
				if (ct == BXR_ST_SPILL && cs->spill.type != BXR_SCALAR)
					return false;
				continue;
			}
			if (ot == BXR_ST_ZERO) {
				if (ct == BXR_ST_ZERO)
					continue;
				if (ct == BXR_ST_SPILL && bxr_is_const(&cs->spill) &&
				    cs->spill.var.value == 0)
					continue;
				return false;
			}
			if (ct != BXR_ST_SPILL)
				return false;
		}
		if (os->st[0] == BXR_ST_SPILL && !regsafe(&os->spill, &cs->spill, m, mode))
			return false;
	}
	if (exact && c->nslots > o->nslots) {
		for (int j = o->nslots; j < c->nslots; j++)
			for (int k = 0; k < 8; k++)
				if (c->stack[j].st[k] != BXR_ST_INVALID)
					return false;
	}
	return true;
}

/* states_equal - old covers cur at insn (liveness filters the registers). */
static bool states_equal(struct bxr_env *env, const struct bxr_state *o,
			 const struct bxr_state *c, int insn, int mode)
{
	struct idmap m = { .n = 0, .uninit_ok = env->allow_uninit_stack,
			   .alu_exact = env->explore_alu_limits };
	bool exact = mode == EXACT;

	if (o->curframe != c->curframe || o->nrefs != c->nrefs)
		return false;
	for (int i = 0; i < o->nrefs; i++)
		if (!check_ids(&m, o->refs[i].id, c->refs[i].id))
			return false;
	for (int f = o->curframe; f >= 0; f--) {
		const struct bxr_func *of = o->frame[f], *cf = c->frame[f];
		uint16_t live;

		if (of->callsite != cf->callsite || of->cb != cf->cb)
			return false;
		if (f == o->curframe) {
			live = env->aux[insn].live;
		} else {
			const struct bxr_func *callee = o->frame[f + 1];

			live = callee->cb ? env->aux[callee->callsite].live :
			       (uint16_t)(env->aux[callee->callsite + 1].live & 0x3c0);
		}
		for (int r = 0; r < BX_NREGS; r++) {
			if (!exact && !(live >> r & 1))
				continue;
			if (!regsafe(&of->regs[r], &cf->regs[r], &m, mode))
				return false;
		}
		if (!stacksafe(of, cf, &m, mode))
			return false;
	}
	return true;
}

/* evict - unlink an explored state that rarely helps: freed now if no
 * path can still walk to it (finished), else kept until the end. */
static void evict(struct bxr_env *env, struct bxr_state **pp)
{
	struct bxr_state *sl = *pp;

	*pp = sl->next;
	env->state_bytes -= state_bytes(sl);
	if (!sl->branches) {
		env->states_cur--;
		bxr_state_free(sl);
		return;
	}
	sl->evicted = true;
	sl->next = env->limbo;
	env->limbo = sl;
}

/*
 * bxr_is_state_visited - at a pruning point: if an explored state at insn
 * covers the current one, *prune = true (the path ends here, and the
 * precision the explored state needed is propagated to the current
 * path). A loop in progress that comes back to the very same state is an
 * infinite loop. Otherwise the current state may be saved here as a
 * checkpoint, with the kernel's heuristics: at least 2 jumps and 8
 * instructions since the last one (or always at a forced point), and not
 * too often while going round a loop.
 */
int bxr_is_state_visited(struct bxr_env *env, int insn, bool *prune)
{
	struct bxr_aux *a = &env->aux[insn];
	struct bxr_state *sl, *n, *cur = env->cur;
	int cnt = 0, err;
	bool force = a->force_ckpt || cur->nhist > 40, add;

	*prune = false;
	add = force || (env->jmps_processed - env->prev_jmps_processed >= 2 &&
			env->insn_processed - env->prev_insn_processed >= 8);
	for (struct bxr_state **pp = &a->explored; (sl = *pp); ) {
		cnt++;
		if (sl->branches) {
			/* a loop in progress (or a callback loop); around a
			 * may_goto, another pass (another depth) whose ranges the
			 * earlier one covers ends here: the counter bounds it
			 * (the kernel's is_may_goto_insn_at rule) */
			if (env->ops[insn] == BX_OP_MAY_GOTO && sl->may_goto_depth != cur->may_goto_depth &&
			    states_equal(env, sl, cur, insn, RANGE))
				goto hit;
			if (a->cb_call) {
				if (states_equal(env, sl, cur, insn, RANGE))
					goto hit;
			} else if (sl->may_goto_depth == cur->may_goto_depth &&
				   states_equal(env, sl, cur, insn, EXACT)) {
				return bxr_reject(env, -EINVAL, -1, -1, "infinite loop detected at insn %d",
						  insn);
			}
			if (!force && env->jmps_processed - env->prev_jmps_processed < 20 &&
			    env->insn_processed - env->prev_insn_processed < 100)
				add = false;
			goto miss;
		}
		if (states_equal(env, sl, cur, insn, NOT_EXACT))
			goto hit;
miss:
		if (add)
			sl->miss++;
		if (sl->miss > sl->hit * 3 + 3) {
			evict(env, pp);
			continue;
		}
		pp = &sl->next;
		continue;
hit:
		sl->hit++;
		*prune = true;
		if (a->jmp_point && (err = bxr_push_hist(env, cur, 0, 0)))
			return err;
		return bxr_propagate_precision(env, sl, insn);
	}
	if (cnt > env->max_states_per_insn)
		env->max_states_per_insn = cnt;
	if (!add || env->state_bytes > BXR_MAX_STATE_BYTES)
		return 0;
	/* a new checkpoint: it starts imprecise; its descendants mark what
	 * they need (precise.c) */
	cur->last_insn = env->prev_insn;
	for (int f = 0; f <= cur->curframe; f++) {
		struct bxr_func *fr = cur->frame[f];

		for (int r = 0; r < BX_NREGS; r++)
			fr->regs[r].precise = 0;
		for (int j = 0; j < fr->nslots; j++)
			fr->stack[j].spill.precise = 0;
	}
	n = state_copy(cur, true);
	if (!n)
		return -ENOMEM;
	n->insn = insn;
	n->branches = 1;
	n->hit = n->miss = 0;
	n->evicted = false;
	n->parent = cur->parent;
	n->next = a->explored;
	a->explored = n;
	cur->parent = n;
	cur->first_insn = insn;
	cur->nhist = 0;
	env->states_total++;
	if (++env->states_cur > env->states_peak)
		env->states_peak = env->states_cur;
	env->state_bytes += state_bytes(n);
	env->prev_jmps_processed = env->jmps_processed;
	env->prev_insn_processed = env->insn_processed;
	return 0;
}

/* bxr_free_all - release every state of the env. */
void bxr_free_all(struct bxr_env *env)
{
	struct bxr_state *st;

	while ((st = bxr_pop_branch(env)))
		bxr_state_free(st);
	free(env->stack);
	env->stack = NULL;
	bxr_state_free(env->cur);
	env->cur = NULL;
	while ((st = env->limbo)) {
		env->limbo = st->next;
		bxr_state_free(st);
	}
	if (env->aux) {
		for (int i = 0; i < env->cnt; i++) {
			struct bxr_state *s = env->aux[i].explored, *nx;

			for (; s; s = nx) {
				nx = s->next;
				bxr_state_free(s);
			}
		}
	}
}

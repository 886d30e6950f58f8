/*
 * calls.c - helper calls against their prototypes (the kernel's
 * check_helper_call / check_func_arg), which helpers a program type may
 * call, map / helper compatibility, return types and reference tracking
 * (ringbuf records); bpf-to-bpf calls with frames, callbacks (bpf_loop,
 * bpf_for_each_map_elem) verified as functions the helper calls back
 * again and again, and exits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verifier/verifier.h"
#include "helpers/helpers.h"
#include "maps/map_internal.h"
#include "bpfbox/object.h"

#define BXR_MAX_FUNC_ID 212   /* the kernel's __BPF_FUNC_MAX_ID (6.18) */

/* changes_pkt_data - helpers after which packet pointers are stale. */
static bool changes_pkt_data(uint32_t id)
{
	return id == BXK_ID_skb_vlan_push || id == BXK_ID_skb_pull_data || id == BXK_ID_xdp_adjust_head ||
	       id == BXK_ID_xdp_adjust_meta || id == BXK_ID_xdp_adjust_tail;
}

/* find_proto - the prototype the verifier checks a call of helper id against:
 * the one the embedder gave (bpfbox_vm__set_helper_proto(), built in *buf),
 * else the built-in one; NULL when the vm has a helper of its own there
 * without a prototype (*registered tells that from "no helper"). */
static const struct bxk_proto *find_proto(struct bxr_env *env, uint32_t id, bool *registered,
					  struct bxk_proto *buf)
{
	const struct bpfbox_vm *vm = env->prog->vm;
	const struct bxv_helper *h = bxv_vm_helper(vm, id);
	const struct bxk_proto *p;

	*registered = h != NULL;
	if (!h)
		return NULL;
	if (h->has_proto) {
		*buf = (struct bxk_proto){ .id = id, .name = h->name, .fn = h->fn,
					   .ret = h->proto_ret,
					   .sets = ~(uint32_t)BXS_INTERNAL };	/* every type */
		memcpy(buf->arg, h->proto_arg, sizeof(buf->arg));
		return buf;
	}
	p = bxk_proto(id);
	if (p && (p->sets & BXS_INTERNAL)) {
		*registered = false;	/* bpfbox's own (LD_ABS): not a program's helper */
		return NULL;
	}
	if (p && p->fn != h->fn)
		return NULL;	/* replaced by the embedder */
	return p;
}

/* map_func_ok - the kernel's check_map_func_compatibility (the parts bpfbox has). */
static bool map_func_ok(uint32_t mt, uint32_t fid)
{
	switch (mt) {
	case BPFBOX_MAP_TYPE_PROG_ARRAY:
		if (fid != BXK_ID_tail_call) return false;
		break;
	case BPFBOX_MAP_TYPE_PERF_EVENT_ARRAY:
		if (fid != BXK_ID_perf_event_output) return false;
		break;
	case BPFBOX_MAP_TYPE_RINGBUF:
		if (fid != BXK_ID_ringbuf_output && fid != BXK_ID_ringbuf_reserve && fid != BXK_ID_ringbuf_query) return false;
		break;
	case BPFBOX_MAP_TYPE_QUEUE:
	case BPFBOX_MAP_TYPE_STACK:
		if (fid != BXK_ID_map_push_elem && fid != BXK_ID_map_pop_elem && fid != BXK_ID_map_peek_elem) return false;
		break;
	case BPFBOX_MAP_TYPE_BLOOM_FILTER:
		if (fid != BXK_ID_map_push_elem && fid != BXK_ID_map_peek_elem) return false;
		break;
	case BPFBOX_MAP_TYPE_ARRAY_OF_MAPS:
	case BPFBOX_MAP_TYPE_HASH_OF_MAPS:
		if (fid != BXK_ID_map_lookup_elem) return false;
		break;
	case BPFBOX_MAP_TYPE_STACK_TRACE:
		if (fid != BXK_ID_get_stackid) return false;
		break;
	case BPFBOX_MAP_TYPE_CGROUP_ARRAY:
		if (fid != BXK_ID_skb_under_cgroup && fid != BXK_ID_current_task_under_cgroup) return false;
		break;
	default:
		break;
	}
	switch (fid) {
	case BXK_ID_tail_call: return mt == BPFBOX_MAP_TYPE_PROG_ARRAY;
	case BXK_ID_perf_event_output: return mt == BPFBOX_MAP_TYPE_PERF_EVENT_ARRAY;
	case BXK_ID_get_stackid: return mt == BPFBOX_MAP_TYPE_STACK_TRACE;
	case BXK_ID_skb_under_cgroup: case BXK_ID_current_task_under_cgroup:
		return mt == BPFBOX_MAP_TYPE_CGROUP_ARRAY;
	case BXK_ID_ringbuf_output: case BXK_ID_ringbuf_reserve: case BXK_ID_ringbuf_query: return mt == BPFBOX_MAP_TYPE_RINGBUF;
	case BXK_ID_map_pop_elem: return mt == BPFBOX_MAP_TYPE_QUEUE || mt == BPFBOX_MAP_TYPE_STACK;
	case BXK_ID_map_push_elem: case BXK_ID_map_peek_elem:
		return mt == BPFBOX_MAP_TYPE_QUEUE || mt == BPFBOX_MAP_TYPE_STACK ||
		       mt == BPFBOX_MAP_TYPE_BLOOM_FILTER;
	case BXK_ID_for_each_map_elem:
		return mt == BPFBOX_MAP_TYPE_HASH || mt == BPFBOX_MAP_TYPE_ARRAY ||
		       mt == BPFBOX_MAP_TYPE_PERCPU_HASH || mt == BPFBOX_MAP_TYPE_PERCPU_ARRAY ||
		       mt == BPFBOX_MAP_TYPE_LRU_HASH || mt == BPFBOX_MAP_TYPE_LRU_PERCPU_HASH;
	case BXK_ID_redirect_map:
		return mt == 14 || mt == 16 || mt == 17 || mt == 25;
	default:
		return true;
	}
}

struct meta {
	int map;             /* map index, -1 */
	int mem_regno;       /* the PTR_TO_MEM argument a size belongs to */
	bool mem_write, mem_uninit, mem_null;
	int64_t alloc_size;
	int func;            /* callback start insn, -1 */
	uint32_t release_ref;
	int release_regno;
	int64_t const_key;   /* the map key when it is a known constant, else -1 */
};

struct inv_arg {
	uint32_t ref;
	bool pkt;
};

static void invalidate(struct bxr_reg *r, void *arg)
{
	struct inv_arg *ia = arg;

	if ((ia->ref && r->ref_obj_id == ia->ref) ||
	    (ia->pkt && (bxr_is_pkt(r) || r->type == BXR_PKT_END)))
		bxr_mark_unknown(r);
}

static int type_err(struct bxr_env *env, int regno, const char *expected)
{
	struct bxr_reg *r = &bxr_regs(env)[regno];

	bxr_reason(env, "argument r%d should be a %s, but it is a %s", regno, expected, bxr_type_str(r));
	return bxr_reject(env, -EACCES, regno, -1, "R%d type=%s expected=%s", regno, bxr_type_str(r),
			  expected);
}

/* is_null_const - a scalar known to be 0. */
static bool is_null_const(const struct bxr_reg *r)
{
	return bxr_is_const(r) && r->var.value == 0;
}

/*
 * const_key - the key an array lookup passes, when the stack holds a known
 * constant there (the kernel's get_constant_map_key): zero bytes, or a
 * scalar spill of exactly the key's size. The slot is then marked
 * precise. *key = -1 when it is not known.
 */
static int const_key(struct bxr_env *env, const struct bxr_reg *r, uint32_t ks, int64_t *key)
{
	const struct bxr_func *f;
	const struct bxr_slot *sl;
	int64_t lo;
	int j, k0, n = 0;

	*key = -1;
	if (r->type != BXR_STACK || !bxr_tnum_is_const(r->var) || r->frameno > env->cur->curframe)
		return 0;
	lo = (int64_t)r->off + (int64_t)r->var.value;
	if (lo < -BX_STACK_SIZE || lo >= 0 || !ks)
		return 0;
	f = env->cur->frame[r->frameno];
	j = (int)((-lo - 1) / 8);
	k0 = (int)(lo + 8 * (j + 1));
	if (j >= f->nslots)
		return 0;
	sl = &f->stack[j];
	for (int k = k0; k < 8 && sl->st[k] == BXR_ST_ZERO; k++)
		n++;
	if ((uint32_t)n >= ks) {
		*key = 0;
		return 0;
	}
	if (sl->st[0] != BXR_ST_SPILL || sl->spill.type != BXR_SCALAR || k0 != 0)
		return 0;
	for (n = 0; k0 + n < 8 && sl->st[k0 + n] == BXR_ST_SPILL; n++)
		;
	if ((uint32_t)n != ks || !bxr_tnum_is_const(sl->spill.var) || (int64_t)sl->spill.var.value < 0)
		return 0;
	*key = (int64_t)sl->spill.var.value;
	return bxr_mark_precise_slot(env, r->frameno, j);
}

/* check_arg - argument regno against kind (check_func_arg). */
static int check_arg(struct bxr_env *env, const struct bxk_proto *p, int regno, uint32_t kind,
		     struct meta *m)
{
	struct bxr_reg *r = &bxr_regs(env)[regno];
	uint32_t base = BXK_BASE_TYPE(kind);
	int err;

	if (base == BXK_ARG_DONTCARE)
		return 0;
	if ((err = bxr_check_reg_read(env, regno)))
		return err;
	if ((kind & BXK_PTR_MAYBE_NULL) && is_null_const(r) &&
	    (base == BXK_ARG_PTR_TO_MEM || base == BXK_ARG_PTR_TO_STACK)) {
		m->mem_regno = regno;
		m->mem_null = true;
		return bxr_mark_precise(env, regno);
	}
	switch (base) {
	case BXK_ARG_ANYTHING:
		if (bxr_leaks(env, r)) {
			bxr_reason(env, "an unprivileged program may not pass a pointer as a number");
			return bxr_reject(env, -EACCES, regno, -1, "R%d leaks addr into helper function",
					  regno);
		}
		return 0;
	case BXK_ARG_CONST_MAP_PTR:
		if (r->type != BXR_MAP_PTR || (r->flags & BXR_MAYBE_NULL))
			return type_err(env, regno, "map_ptr");
		m->map = (int)r->aux;
		if (!map_func_ok(env->maps[m->map].type, p->id)) {
			bxr_reason(env, "helper bpf_%s cannot be used with map '%s' (type %u)", p->name,
				   env->maps[m->map].name, env->maps[m->map].type);
			return bxr_reject(env, -EINVAL, regno, -1, "cannot pass map_type %u into func bpf_%s#%u",
					  env->maps[m->map].type, p->name, p->id);
		}
		return 0;
	case BXK_ARG_PTR_TO_MAP_KEY:
	case BXK_ARG_PTR_TO_MAP_VALUE: {
		uint32_t sz;

		if (m->map < 0)
			return bxr_reject(env, -EACCES, regno, -1, "invalid map_ptr to access map->%s",
					  base == BXK_ARG_PTR_TO_MAP_KEY ? "key" : "value");
		sz = base == BXK_ARG_PTR_TO_MAP_KEY ? env->maps[m->map].key_size :
		     env->maps[m->map].value_size;
		if (base == BXK_ARG_PTR_TO_MAP_VALUE && env->maps[m->map].map &&
		    env->maps[m->map].map->ptr_values)
			sz = 4;
		/* (not for an unprivileged loader: the kernel's get_constant_map_key
		 * needs bpf_capable) */
		if (base == BXK_ARG_PTR_TO_MAP_KEY && p->id == 1 && !env->unpriv &&
		    (env->maps[m->map].type == 2 || env->maps[m->map].type == 6) &&
		    (err = const_key(env, r, sz, &m->const_key)))
			return err;
		return bxr_check_helper_mem(env, regno, sz, false, (kind & BXK_MEM_UNINIT) != 0,
					    (kind & BXK_MEM_UNINIT) != 0);
	}
	case BXK_ARG_PTR_TO_MEM:
		switch (r->type) {
		case BXR_STACK: case BXR_PKT: case BXR_PKT_META: case BXR_MAP_KEY:
		case BXR_MAP_VALUE: case BXR_MEM:
			break;
		default:
			return type_err(env, regno, "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_");
		}
		m->mem_regno = regno;
		m->mem_write = !(kind & BXK_MEM_RDONLY);
		m->mem_uninit = (kind & BXK_MEM_UNINIT) != 0;
		if (m->mem_write && (r->flags & BXR_RDONLY) && r->type != BXR_MAP_VALUE)
			return type_err(env, regno, "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_");
		return 0;
	case BXK_ARG_CONST_SIZE:
	case BXK_ARG_CONST_SIZE_OR_ZERO: {
		bool zero = base == BXK_ARG_CONST_SIZE_OR_ZERO;

		if (r->type != BXR_SCALAR)
			return type_err(env, regno, "scalar");
		if ((err = bxr_mark_precise(env, regno)))
			return err;
		if (r->smin < 0) {
			bxr_reason(env, "the size in r%d may be negative", regno);
			return bxr_reject(env, -EACCES, regno, -1,
					  "R%d min value is negative, either use unsigned index or do a if (index >=0) check.",
					  regno);
		}
		if (r->umin == 0 && !zero) {
			bxr_reason(env, "the size in r%d may be 0, which this helper does not accept", regno);
			return bxr_reject(env, -EACCES, regno, -1, "R%d invalid zero-sized read: u64=[%llu,%llu]",
					  regno, (unsigned long long)r->umin, (unsigned long long)r->umax);
		}
		if (r->umax >= (uint64_t)BXR_MAX_VAR_OFF) {
			bxr_reason(env, "the size in r%d has no upper bound", regno);
			bxr_hint(env, "bound the size first, e.g. size &= 0xff or if (size > MAX) return 0;");
			return bxr_reject(env, -EACCES, regno, -1,
					  "R%d unbounded memory access, use 'var &= const' or 'if (var < const)'", regno);
		}
		if (m->mem_regno < 0)
			return bxr_reject(env, -EACCES, regno, -1, "arg %d has no memory argument before it", regno);
		if (m->mem_null) {
			if (r->umax) {
				bxr_reason(env, "a NULL buffer needs a size of 0");
				return bxr_reject(env, -EACCES, m->mem_regno, -1, "R%d type=scalar expected=fp",
						  m->mem_regno);
			}
			return 0;
		}
		return bxr_check_helper_mem(env, m->mem_regno, (int64_t)r->umax, zero && r->umin == 0,
					    m->mem_write, m->mem_uninit);
	}
	case BXK_ARG_PTR_TO_CTX:
		if (r->type != BXR_CTX)
			return type_err(env, regno, "ctx");
		if (r->off || !bxr_tnum_is_const(r->var) || r->var.value)
			return bxr_reject(env, -EACCES, regno, -1, "dereference of modified ctx ptr R%d off=%d disallowed",
					  regno, r->off);
		return 0;
	case BXK_ARG_PTR_TO_FUNC:
		if (r->type != BXR_FUNC)
			return type_err(env, regno, "func");
		m->func = (int)r->aux;
		return 0;
	case BXK_ARG_PTR_TO_STACK:
		if (r->type != BXR_STACK)
			return type_err(env, regno, "fp");
		return 0;
	case BXK_ARG_PTR_TO_LONG:
		return bxr_check_helper_mem(env, regno, 8, false, true, true);
	case BXK_ARG_PTR_TO_CONST_STR: {
		const struct bxr_map *mp;
		uint64_t a;
		int64_t off;

		if (r->type != BXR_MAP_VALUE || (r->flags & BXR_MAYBE_NULL))
			return type_err(env, regno, "map_value");
		mp = &env->maps[r->aux];
		if (!(r->flags & BXR_RDONLY) || !mp->map || bxm_direct_value_addr(mp->map, &a))
			return bxr_reject(env, -EACCES, regno, -1, "R%d does not point to a readonly map'", regno);
		if (!bxr_tnum_is_const(r->var))
			return bxr_reject(env, -EACCES, regno, -1, "R%d is not a constant address'", regno);
		off = r->off + (int64_t)r->var.value;
		if (off < 0 || off >= mp->value_size)
			return bxr_reject(env, -EACCES, regno, -1, "invalid access to map value, value_size=%u off=%lld size=1",
					  mp->value_size, (long long)off);
		if (!memchr((const char *)(uintptr_t)a + off, 0, mp->value_size - (size_t)off))
			return bxr_reject(env, -EINVAL, regno, -1, "string is not zero-terminated");
		return 0;
	}
	case BXK_ARG_PTR_TO_ALLOC_MEM:
		if (r->type != BXR_MEM || !(r->flags & BXR_RINGBUF) || (r->flags & BXR_MAYBE_NULL))
			return type_err(env, regno, "ringbuf_mem");
		if (kind & BXK_OBJ_RELEASE) {
			bool found = false;

			if (r->off || !bxr_tnum_is_const(r->var) || r->var.value)
				return bxr_reject(env, -EACCES, regno, -1,
						  "R%d must have zero offset when passed to release func", regno);
			for (int i = 0; i < env->cur->nrefs; i++)
				found |= env->cur->refs[i].id == r->ref_obj_id;
			if (!r->ref_obj_id || !found)
				return bxr_reject(env, -EINVAL, regno, -1, "arg %d is an unacquired reference",
						  regno);
			m->release_ref = r->ref_obj_id;
			m->release_regno = regno;
		}
		return 0;
	case BXK_ARG_CONST_ALLOC_SIZE_OR_ZERO:
		if (r->type != BXR_SCALAR)
			return type_err(env, regno, "scalar");
		if (!bxr_tnum_is_const(r->var))
			return bxr_reject(env, -EACCES, regno, -1, "R%d is not a known constant'", regno);
		if ((err = bxr_mark_precise(env, regno)))
			return err;
		m->alloc_size = (int64_t)r->var.value;
		return 0;
	default:
		return bxr_reject(env, -EFAULT, regno, -1, "unsupported arg type %u", kind);
	}
}

/* arg_kind - argument i of p as the kernel checks it: bpf_trace_printk's
 * kernel prototype checks only (fmt, fmt_size); its varargs are unchecked
 * (helper_table.h lists them as ARG_ANYTHING). */
static uint32_t arg_kind(const struct bxk_proto *p, int i)
{
	if (p->id == 6 && i >= 2 && p == bxk_proto(6))
		return BXK_ARG_DONTCARE;
	return p->arg[i];
}

/* clobber - after a call: r1..r5 unreadable, r0 unknown. */
static void clobber(struct bxr_reg *regs)
{
	for (int r = 1; r <= 5; r++)
		bxr_mark_not_init(&regs[r]);
	bxr_mark_unknown(&regs[0]);
}

/* enter_callback - push "the helper returns" and enter the callback frame. */
static int enter_callback(struct bxr_env *env, uint32_t fid, const struct meta *m, int *next)
{
	struct bxr_state *st = env->cur, *other;
	struct bxr_reg *cregs = bxr_regs(env);
	struct bxr_func *f;
	int err;

	if (m->func < 0)
		return bxr_reject(env, -EINVAL, -1, -1, "callback function not static");
	if (st->curframe + 1 >= BX_MAX_CALL_DEPTH)
		return bxr_reject(env, -E2BIG, -1, -1, "the call stack of %d frames is too deep !",
				  st->curframe + 2);
	err = bxr_push_branch(env, env->insn + 1);
	if (err)
		return err;
	other = env->stack[env->nstack - 1].st;
	clobber(other->frame[other->curframe]->regs);
	f = bxr_func_new(env->insn, bxr_subprog_of(env, m->func));
	if (!f)
		return -ENOMEM;
	f->cb = (uint8_t)(fid == BXK_ID_loop ? 1 : 2);
	bxr_mark_ptr(&f->regs[BX_REG_FP], BXR_STACK);
	f->regs[BX_REG_FP].frameno = (uint8_t)(st->curframe + 1);
	if (fid == BXK_ID_loop) {
		bxr_mark_unknown(&f->regs[1]);
		bxr_trunc(&f->regs[1], 4);
		f->regs[2] = cregs[3];
	} else {
		bxr_mark_ptr(&f->regs[1], BXR_MAP_PTR);
		f->regs[1].aux = (uint32_t)m->map;
		bxr_mark_ptr(&f->regs[2], BXR_MAP_KEY);
		f->regs[2].aux = (uint32_t)m->map;
		bxr_mark_ptr(&f->regs[3], BXR_MAP_VALUE);
		f->regs[3].aux = (uint32_t)m->map;
		f->regs[4] = cregs[3];
	}
	env->subprogs[f->subprog].is_cb = true;
	st->frame[++st->curframe] = f;
	*next = m->func;
	return 0;
}

/*
 * bxr_check_helper_call - a call of helper imm. *next: where to go on
 * (callbacks enter their function). Returns 0 or a negative errno.
 */
int bxr_check_helper_call(struct bxr_env *env, const struct bpfbox_insn *in)
{
	uint32_t id = (uint32_t)in->imm;
	bool registered;
	struct bxk_proto buf;
	const struct bxk_proto *p;
	struct meta m = { .map = -1, .mem_regno = -1, .func = -1, .release_regno = -1,
			  .const_key = -1 };
	struct bxr_reg *regs = bxr_regs(env);
	int err;

	if (in->src_reg == BX_CALL_KFUNC) {
		bxr_reason(env, "bpfbox has no kernel functions (kfuncs)");
		return bxr_reject(env, -EACCES, -1, -1, "calling kernel function is not allowed");
	}
	p = find_proto(env, id, &registered, &buf);
	if (!p) {
		if (registered) {
			/* an embedder helper without a prototype: accepted, run checked */
			env->unproven = true;
			clobber(regs);
			return 0;
		}
		if (id >= BXR_MAX_FUNC_ID)
			return bxr_reject(env, -EINVAL, -1, -1, "invalid func unknown#%u", id);
		bxr_reason(env, "helper #%u does not exist in bpfbox", id);
		return bxr_reject(env, -EINVAL, -1, -1, "unknown func bpf_unknown#%u", id);
	}
	if (!bxp_helper_allowed(env->prog->type_ops, p->sets) ||
	    (env->unpriv && !bxr_unpriv_helper_ok(env, id))) {	/* get_func_proto */
		bxr_reason(env, "helper bpf_%s is not available to this program type", p->name);
		return bxr_reject(env, -EINVAL, -1, -1, "program of this type cannot use helper bpf_%s#%u",
				  p->name, id);
	}
	if (p->gpl_only && !env->prog->gpl) {
		bxr_reason(env, "helper bpf_%s is GPL-only and the program's license is not GPL-compatible",
			   p->name);
		bxr_hint(env, "declare a GPL-compatible license: char LICENSE[] SEC(\"license\") = \"GPL\";");
		return bxr_reject(env, -EINVAL, -1, -1,
				  "cannot call GPL-restricted function from non-GPL compatible program");
	}
	for (int i = 0; i < 5; i++)
		if ((err = check_arg(env, p, i + 1, arg_kind(p, i), &m)))
			return err;
	/* record_func_map: helpers that change a BPF_F_RDONLY_PROG map
	 * (update, delete, push, pop) */
	if (m.map >= 0 && (env->maps[m.map].flags & BPFBOX_F_RDONLY_PROG) &&
	    (id == BXK_ID_map_update_elem || id == BXK_ID_map_delete_elem ||
	     id == BXK_ID_map_push_elem || id == BXK_ID_map_pop_elem)) {
		bxr_reason(env, "map '%s' is read-only for programs (BPF_F_RDONLY_PROG): bpf_%s "
			   "would change it", env->maps[m.map].name, p->name);
		return bxr_reject(env, -EACCES, -1, -1, "write into map forbidden");
	}
	if (id == BXK_ID_tail_call) {
		env->subprogs[bxr_curf(env)->subprog].has_tail_call = true;
		env->tail_call_seen = true;
		if (env->cur->nrefs)
			return bxr_reject(env, -EINVAL, -1, -1, "tail_call would lead to reference leak");
	}
	if (m.release_ref) {
		struct inv_arg ia = { m.release_ref, false };

		for (int i = 0; i < env->cur->nrefs; i++) {
			if (env->cur->refs[i].id == m.release_ref) {
				env->cur->refs[i] = env->cur->refs[--env->cur->nrefs];
				break;
			}
		}
		bxr_for_each_reg(env->cur, invalidate, &ia);
	}
	if (changes_pkt_data(id)) {
		struct inv_arg ia = { 0, true };

		bxr_for_each_reg(env->cur, invalidate, &ia);
	}
	regs = bxr_regs(env);
	clobber(regs);
	switch (p->ret) {
	case BXK_RET_VOID:
		bxr_mark_not_init(&regs[0]);
		break;
	case BXK_RET_PTR_TO_MAP_VALUE_OR_NULL:
		if (m.map < 0)
			return bxr_reject(env, -EINVAL, -1, -1, "kernel subsystem misconfigured verifier");
		bxr_mark_ptr(&regs[0], BXR_MAP_VALUE);
		regs[0].flags = BXR_MAYBE_NULL;
		if (env->maps[m.map].flags & BPFBOX_F_RDONLY_PROG)
			regs[0].flags |= BXR_RDONLY;
		regs[0].aux = (uint32_t)m.map;
		regs[0].id = ++env->id_gen;
		/* an array lookup with a known in-bounds key cannot fail (the
		 * kernel's can_elide_value_nullness) */
		if (id == 1 && m.const_key >= 0 && (env->maps[m.map].type == 2 ||
		    env->maps[m.map].type == 6) && (uint64_t)m.const_key < env->maps[m.map].max_entries) {
			regs[0].flags &= (uint8_t)~BXR_MAYBE_NULL;
			regs[0].id = 0;
		}
		break;
	case BXK_RET_PTR_TO_BTF_ID_TASK: {
		/* the kernel's RET_PTR_TO_BTF_ID_TRUSTED of task_struct */
		uint32_t sid = bxr_btf_find_struct(env, "task_struct");

		if (!sid) {
			bxr_reason(env, "helper %u returns a BTF-typed pointer to a kernel task_struct; "
				   "verifying it needs the kernel BTF (bpfbox_prog_opts.attach_btf)", id);
			return bxr_reject(env, -EINVAL, -1, -1, "invalid return type %u of func %s#%u",
					  p->ret, p->name, id);
		}
		bxr_mark_ptr(&regs[0], BXR_BTF_ID);
		regs[0].aux = sid;
		regs[0].flags = BXR_TRUSTED;
		break;
	}
	case BXK_RET_PTR_TO_RINGBUF_MEM_OR_NULL:
		if (env->cur->nrefs >= BXR_MAX_REFS)
			return bxr_reject(env, -E2BIG, -1, -1, "too many references");
		bxr_mark_ptr(&regs[0], BXR_MEM);
		regs[0].flags = BXR_MAYBE_NULL | BXR_RINGBUF;
		regs[0].aux = (uint32_t)m.alloc_size;
		regs[0].id = regs[0].ref_obj_id = ++env->id_gen;
		env->cur->refs[env->cur->nrefs].id = regs[0].id;
		env->cur->refs[env->cur->nrefs++].insn = env->insn;
		break;
	default:
		break;
	}
	return 0;
}

/*
 * bxr_check_callback_call - helpers with a callback: after the argument
 * checks of bxr_check_helper_call on a copy, enter the callback.
 */
static int check_cb_helper(struct bxr_env *env, const struct bpfbox_insn *in, int *next)
{
	uint32_t id = (uint32_t)in->imm;
	struct meta m = { .map = -1, .mem_regno = -1, .func = -1, .release_regno = -1,
			  .const_key = -1 };
	bool registered;
	struct bxk_proto buf;
	const struct bxk_proto *p = find_proto(env, id, &registered, &buf);
	int err;

	if (!p || !bxp_helper_allowed(env->prog->type_ops, p->sets))
		return 1;	/* not ours: the plain path reports it */
	for (int i = 0; i < 5; i++)
		if ((err = check_arg(env, p, i + 1, arg_kind(p, i), &m)))
			return err;
	if (id == BXK_ID_loop) {
		/* the kernel decides on r1's bounds whether the callback runs
		 * (again), so r1 is precise; with nr_loops 0 it never runs and
		 * is not walked (check_helper_call: callback_depth < umax) */
		if ((err = bxr_mark_precise(env, 1)))
			return err;
		if (bxr_regs(env)[1].umax == 0)
			return 1;	/* the plain path: r0 unknown, r1..r5 clobbered */
	}
	return enter_callback(env, id, &m, next);
}

/* sub_name - a function's name for messages (BTF, else "f<index>"). */
static const char *sub_name(const struct bxr_env *env, int sub, char *buf, size_t n)
{
	if (env->subprogs[sub].name && *env->subprogs[sub].name)
		return env->subprogs[sub].name;
	snprintf(buf, n, "f%d", sub);
	return buf;
}

/*
 * global_arg - does the register passed as argument i of global function
 * sub match its prototype (the kernel's btf_check_func_arg_match)?
 * Memory arguments must be readable and writable for their size.
 */
static int global_arg(struct bxr_env *env, int sub, int i)
{
	const struct bxr_subprog *sp = &env->subprogs[sub];
	int regno = i + 1, err;
	struct bxr_reg *r = &bxr_regs(env)[regno];
	uint8_t saved;

	switch (sp->arg[i]) {
	case BPFBOX_ARG_SCALAR:
		if (r->type != BXR_SCALAR)
			return bxr_reject(env, -EINVAL, regno, -1, "R%d is not a scalar", regno);
		return 0;
	case BPFBOX_ARG_CTX:
		if (r->type != BXR_CTX)
			return bxr_reject(env, -EINVAL, regno, -1, "arg#%d expects pointer to ctx", i);
		if (r->off || !bxr_tnum_is_const(r->var) || r->var.value)
			return bxr_reject(env, -EACCES, regno, -1,
					  "dereference of modified ctx ptr R%d off=%d disallowed", regno, r->off);
		return 0;
	case BPFBOX_ARG_MEM:
	case BPFBOX_ARG_MEM_OR_NULL:
		if (sp->arg[i] == BPFBOX_ARG_MEM && ((r->flags & BXR_MAYBE_NULL) ||
		    (r->type == BXR_SCALAR && bxr_is_const(r) && !r->var.value)))
			return bxr_reject(env, -EINVAL, regno, -1, "arg#%d is expected to be non-NULL", i);
		if (sp->arg[i] == BPFBOX_ARG_MEM_OR_NULL && r->type == BXR_SCALAR && bxr_is_const(r) &&
		    !r->var.value)
			return 0;
		saved = r->flags;
		r->flags &= (uint8_t)~BXR_MAYBE_NULL;
		err = bxr_check_helper_mem(env, regno, sp->arg_size[i], false, false, false);
		if (!err)
			err = bxr_check_helper_mem(env, regno, sp->arg_size[i], false, true, false);
		bxr_regs(env)[regno].flags = saved;
		return err;
	default:
		return bxr_reject(env, -EINVAL, regno, -1, "arg#%d of func#%d has a type bpfbox cannot "
				  "check (e.g. __arg_trusted)", i, sub);
	}
}

/*
 * global_call - a call of a global function (check_func_call): the
 * arguments must match its prototype; the function itself is verified on
 * its own after the main program (verifier.c), so here it returns an
 * unknown scalar and clobbers r1..r5.
 */
static int global_call(struct bxr_env *env, int sub, int *next)
{
	struct bxr_subprog *sp = &env->subprogs[sub];
	char nb[16];

	for (int i = 0; i < sp->nargs; i++) {
		int err = global_arg(env, sub, i);

		if (err) {
			bxr_reason(env, "the arguments do not match the BTF prototype of the global "
				   "function %s(), which is verified for any arguments of those types",
				   sub_name(env, sub, nb, sizeof(nb)));
			bxr_log(env, "Caller passes invalid args into func#%d ('%s')\n", sub,
				sub_name(env, sub, nb, sizeof(nb)));
			return err;
		}
	}
	bxr_log(env, "Func#%d ('%s') is global and assumed valid.\n", sub,
		sub_name(env, sub, nb, sizeof(nb)));
	sp->called = true;
	clobber(bxr_regs(env));
	*next = env->insn + 1;
	return 0;
}

/*
 * bxr_check_local_call - a bpf-to-bpf call (or, for helper calls with a
 * callback, entering the callback). *next: the callee's first insn.
 */
int bxr_check_local_call(struct bxr_env *env, const struct bpfbox_insn *in, int *next)
{
	struct bxr_state *st = env->cur;
	struct bxr_func *f;
	int target, err;

	if (in->src_reg == BX_CALL_HELPER) {
		err = check_cb_helper(env, in, next);
		if (err <= 0)
			return err;
		err = bxr_check_helper_call(env, in);
		*next = env->insn + 1;
		return err;
	}
	target = (int)bx_jump_target(in, (size_t)env->insn, BX_OP_CALL_LOCAL);
	if (st->curframe + 1 >= BX_MAX_CALL_DEPTH) {
		bxr_reason(env, "bpf-to-bpf calls nest deeper than %d frames", BX_MAX_CALL_DEPTH);
		return bxr_reject(env, -E2BIG, -1, -1, "the call stack of %d frames is too deep !",
				  st->curframe + 2);
	}
	if (env->subprogs[bxr_subprog_of(env, target)].global)
		return global_call(env, bxr_subprog_of(env, target), next);
	f = bxr_func_new(env->insn, bxr_subprog_of(env, target));
	if (!f)
		return -ENOMEM;
	for (int r = 1; r <= 5; r++)
		f->regs[r] = bxr_regs(env)[r];
	bxr_mark_ptr(&f->regs[BX_REG_FP], BXR_STACK);
	f->regs[BX_REG_FP].frameno = (uint8_t)(st->curframe + 1);
	st->frame[++st->curframe] = f;
	*next = target;
	return 0;
}

/* bxr_check_ref_leak - at program exit every reference is released. */
int bxr_check_ref_leak(struct bxr_env *env)
{
	if (env->cur->nrefs) {
		bxr_reason(env, "the ringbuf record reserved at insn %d is neither submitted nor "
			   "discarded on this path", env->cur->refs[0].insn);
		bxr_hint(env, "call bpf_ringbuf_submit() or bpf_ringbuf_discard() on every path after "
			 "a successful bpf_ringbuf_reserve()");
		return bxr_reject(env, -EINVAL, -1, -1, "Unreleased reference id=%u alloc_insn=%d",
				  env->cur->refs[0].id, env->cur->refs[0].insn);
	}
	return 0;
}

/*
 * check_return_code - r0 at the exit of the main program lies in the
 * range the program type allows (its ops->ret_range, the kernel's
 * check_return_code): a pointer there is "not a known value", a scalar
 * outside the range is refused with its bounds.
 */
static int check_return_code(struct bxr_env *env, const struct bxr_reg *r0)
{
	const struct bxp_prog_type_ops *ops = env->prog->type_ops;
	struct bxp_ret_range rr;
	char b[160];
	int n = 0, err;

	if (bxr_leaks(env, r0)) {
		bxr_reason(env, "an unprivileged program may not return a pointer");
		return bxr_reject(env, -EACCES, 0, -1, "R0 leaks addr as return value");
	}
	if (!ops || !ops->ret_range)
		return 0;
	ops->ret_range(ops->type, env->prog->expected_attach_type, &rr);
	if (!rr.check)
		return 0;
	if (r0->type != BXR_SCALAR) {
		bxr_reason(env, "this program type must return a number in [%lld, %lld], not a pointer",
			   (long long)rr.lo, (long long)rr.hi);
		return bxr_reject(env, -EINVAL, 0, -1,
				  "At program exit the register R0 is not a known value (%s)",
				  bxr_type_str(r0));
	}
	/* the value decides the verdict: it must be precise, or pruning could
	 * take a path returning another value for this one (the kernel marks
	 * the chain precise here too) */
	if ((err = bxr_mark_precise(env, 0)))
		return err;
	r0 = &bxr_regs(env)[0];
	if (r0->smin >= rr.lo && r0->smax <= rr.hi)
		return 0;
	/* the kernel's verbose_invalid_scalar() */
	if (r0->smin > INT64_MIN)
		n += snprintf(b + n, sizeof(b) - n, " smin=%lld", (long long)r0->smin);
	if (r0->smax < INT64_MAX)
		n += snprintf(b + n, sizeof(b) - n, " smax=%lld", (long long)r0->smax);
	if (!n)
		snprintf(b, sizeof(b), " unknown scalar value");
	bxr_reason(env, "this program type must return a value in [%lld, %lld]",
		   (long long)rr.lo, (long long)rr.hi);
	return bxr_reject(env, -EINVAL, 0, -1,
			  "At program exit the register R0 has%s should have been in [%lld, %lld]",
			  b, (long long)rr.lo, (long long)rr.hi);
}

/* callee_was_cb - the exit went back to a helper call with a callback. */
static bool callee_was_cb(const struct bxr_env *env, int next)
{
	return env->aux[next].cb_call && bx_ops[env->ops[next]].fmt == BX_F_CALL;
}

/*
 * widen - after a callback returned to its helper call: scalars on the
 * stack that differ from the state saved at the call (the previous round)
 * become unknown, so that repeated rounds converge (the kernel's
 * widen_imprecise_scalars). Only loses information: sound.
 */
static void widen(struct bxr_env *env, int callsite)
{
	struct bxr_state *st = env->cur;
	/* the previous round: the nearest ancestor saved at the call */
	struct bxr_state *old = bxr_state_ancestor_at(st->parent, callsite, st->curframe);

	if (!old)
		return;
	for (int f = 0; f <= st->curframe; f++) {
		struct bxr_func *of = old->frame[f], *cf = st->frame[f];

		for (int j = 0; j < cf->nslots; j++) {
			struct bxr_reg *c = &cf->stack[j].spill, *o;

			if (cf->stack[j].st[0] != BXR_ST_SPILL || c->type != BXR_SCALAR)
				continue;
			if (j >= of->nslots || of->stack[j].st[0] != BXR_ST_SPILL) {
				bxr_mark_unknown(c);
				continue;
			}
			o = &of->stack[j].spill;
			if (o->type != BXR_SCALAR || o->umin != c->umin || o->umax != c->umax ||
			    o->smin != c->smin || o->smax != c->smax || o->var.value != c->var.value ||
			    o->var.mask != c->var.mask)
				bxr_mark_unknown(c);
		}
	}
}

/*
 * bxr_check_exit - exit: from a callee back to its caller (r0 returned,
 * r1..r5 clobbered), from a callback back to the helper call, or from the
 * program (*done = true).
 */
int bxr_check_exit(struct bxr_env *env, int *next, bool *done)
{
	struct bxr_state *st = env->cur;
	struct bxr_func *callee = bxr_curf(env), *caller;
	struct bxr_reg *r0 = &callee->regs[0];
	bool was_cb;
	int err;

	*done = false;
	/* a function may return an unset r0: the caller fails if it reads it */
	if ((st->curframe == 0 || callee->cb) && (err = bxr_check_reg_read(env, 0)))
		return err;
	if (st->curframe == 0) {
		/* a global function's own walk: it returns a scalar */
		if (env->walk_sub && r0->type != BXR_SCALAR) {
			bxr_reason(env, "a global function must return a number");
			return bxr_reject(env, -EINVAL, 0, -1,
					  "At subprogram exit the register R0 is not a scalar value (%s)",
					  bxr_type_str(r0));
		}
		if ((err = bxr_check_ref_leak(env)))
			return err;
		if (!env->walk_sub && (err = check_return_code(env, r0)))
			return err;
		*done = true;
		return 0;
	}
	if (r0->type == BXR_STACK && r0->frameno >= st->curframe) {
		bxr_reason(env, "the function returns a pointer into its own stack, which is gone after "
			   "the return");
		return bxr_reject(env, -EINVAL, 0, -1, "cannot return stack pointer to the caller frame");
	}
	caller = st->frame[st->curframe - 1];
	if (callee->cb) {
		if (r0->type == BXR_SCALAR && (err = bxr_mark_precise(env, 0)))
			return err;
		if (r0->type != BXR_SCALAR || r0->smin < 0 || r0->smax > 1 || r0->umax > 1) {
			char b[256];

			bxr_reg_str(env, b, sizeof(b), r0);
			bxr_reason(env, "a bpf_loop / for_each callback must return 0 (continue) or 1 (stop)");
			return bxr_reject(env, -EINVAL, 0, -1,
					  "At callback return the register R0 has %s should have been in [0, 1]", b);
		}
		*next = callee->callsite;
	} else {
		caller->regs[0] = *r0;
		/* a tail call (or failing LD_ABS) ends the callee early with the
		 * target's r0: the caller gets an unknown scalar (the kernel's
		 * prepare_func_exit, has_abnormal_return) */
		if (env->subprogs[callee->subprog].abnormal_ret)
			bxr_mark_unknown(&caller->regs[0]);
		for (int r = 1; r <= 5; r++)
			bxr_mark_not_init(&caller->regs[r]);
		*next = callee->callsite + 1;
	}
	was_cb = callee->cb != 0;
	free(callee);
	st->frame[st->curframe--] = NULL;
	if (was_cb && callee_was_cb(env, *next))
		widen(env, *next);
	return 0;
}

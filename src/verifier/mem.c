/*
 * mem.c - memory accesses (the kernel's check_mem_access and friends):
 * every load, store and atomic is checked against the region its base
 * register points into - the stack (per-byte slot state: spill, misc,
 * zero, uninit), the context (the per-type tables of src/progtype), map
 * values and keys (value_size, read-only maps), packets (the range proven
 * by data_end comparisons), sized memory (ringbuf records); map pointers
 * and scalars are not dereferenceable. Also LD_ABS / LD_IND and lddw.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "verifier/verifier.h"
#include "maps/map_internal.h"
#include "bpfbox/object.h"

/* bxr_update_stack_depth - frame frameno touched the stack at off (< 0). */
void bxr_update_stack_depth(struct bxr_env *env, int frameno, int off)
{
	struct bxr_func *f = env->cur->frame[frameno];
	int need = (-off + 7) / 8;

	if (-off > env->subprogs[f->subprog].stack_depth)
		env->subprogs[f->subprog].stack_depth = -off;
	if (need > f->nslots) {
		memset(&f->stack[f->nslots], 0, (size_t)(need - f->nslots) * sizeof(f->stack[0]));
		f->nslots = need;
	}
}

/* byte - the state of the stack byte at off (< 0) of frame f. */
static uint8_t *byte_at(struct bxr_func *f, int off, int *slot)
{
	int j = (-off - 1) / 8;

	*slot = j;
	return &f->stack[j].st[off + 8 * (j + 1)];
}

/* scrub - a write touched slot j partially: a spilled register in it is lost. */
static void scrub(struct bxr_func *f, int j)
{
	if (f->stack[j].st[0] == BXR_ST_SPILL || f->stack[j].st[7] == BXR_ST_SPILL)
		for (int k = 0; k < 8; k++)
			if (f->stack[j].st[k] == BXR_ST_SPILL)
				f->stack[j].st[k] = BXR_ST_MISC;
}

/* mark_range - bytes [lo, hi) of the stack become st (misc or zero). */
static void mark_range(struct bxr_func *f, int lo, int hi, uint8_t st)
{
	for (int o = lo; o < hi; o++) {
		int j;
		uint8_t *b = byte_at(f, o, &j);

		scrub(f, j);
		*b = st;
	}
}

/* stack_write - a store of size bytes at the fixed offset off. */
static int stack_write(struct bxr_env *env, struct bxr_func *f, int off, int size,
		       const struct bxr_reg *val)
{
	int j = (-off - 1) / 8;

	if (env->unpriv && val && val->type == BXR_SCALAR) {
		/* unprivileged: the kernel keeps no spilled scalars (its
		 * check_stack_write_fixed_off needs bpf_capable): the bytes are
		 * zero if the whole value is 0, else unknown */
		const struct bpfbox_insn *in = &env->insns[env->insn];
		int err;

		if (f->stack[j].st[0] == BXR_ST_SPILL && bxr_is_ptr(&f->stack[j].spill) && size != 8) {
			bxr_reason(env, "an unprivileged program may not overwrite part of a spilled pointer");
			return bxr_reject(env, -EACCES, -1, -1, "attempt to corrupt spilled pointer on stack");
		}
		if (bxr_is_const(val) && val->var.value == 0) {
			if (BX_CLASS(in->code) == BX_STX && (err = bxr_mark_precise(env, in->src_reg)))
				return err;
			mark_range(f, off, off + size, BXR_ST_ZERO);
		} else {
			mark_range(f, off, off + size, BXR_ST_MISC);
		}
		return 0;
	}
	if (size == 8) {
		if (val) {
			f->stack[j].spill = *val;
			memset(f->stack[j].st, BXR_ST_SPILL, 8);
		} else {
			memset(f->stack[j].st, BXR_ST_MISC, 8);
		}
		return 0;
	}
	if (env->unpriv && f->stack[j].st[0] == BXR_ST_SPILL && bxr_is_ptr(&f->stack[j].spill)) {
		bxr_reason(env, "an unprivileged program may not overwrite part of a spilled pointer");
		return bxr_reject(env, -EACCES, -1, -1, "attempt to corrupt spilled pointer on stack");
	}
	if (val && bxr_is_ptr(val)) {
		bxr_reason(env, "a pointer can only be stored to the stack as a whole 8-byte slot");
		return bxr_reject(env, -EACCES, -1, -1, "invalid size of register spill");
	}
	if (val && off + 8 * (j + 1) == 0 && !(bxr_is_const(val) && !val->var.value)) {
		/* a narrow spill of a scalar at the slot's start keeps its state:
		 * a fill of at most `size` bytes from there gets its low bytes */
		scrub(f, j);
		f->stack[j].spill = *val;
		memset(f->stack[j].st, BXR_ST_SPILL, (size_t)size);
		return 0;
	}
	if (val && bxr_is_const(val) && !val->var.value) {
		/* the bytes are known zero because the stored register is 0 (the
		 * kernel's register_is_null: the whole register, not only the
		 * stored bytes); that value must be precise (STACK_ZERO) */
		const struct bpfbox_insn *in = &env->insns[env->insn];
		int err;

		if (BX_CLASS(in->code) == BX_STX && (err = bxr_mark_precise(env, in->src_reg)))
			return err;
		mark_range(f, off, off + size, BXR_ST_ZERO);
		return 0;
	}
	mark_range(f, off, off + size, BXR_ST_MISC);
	return 0;
}

/* stack_read - a load of size bytes at the fixed offset off into dst (or
 * just a check when dst is NULL). */
static int stack_read(struct bxr_env *env, struct bxr_func *f, int regno, int off, int size,
		      struct bxr_reg *dst, bool sx, bool *filled)
{
	int j = (-off - 1) / 8, k0 = off + 8 * (j + 1);
	struct bxr_slot *s = &f->stack[j];
	bool spill = true, zero = true;

	for (int k = k0; k < k0 + size; k++) {
		if (j >= f->nslots || s->st[k] == BXR_ST_INVALID) {
			if (env->allow_uninit_stack) {
				/* read as an unknown number */
				spill = zero = false;
				continue;
			}
			bxr_reason(env, "the stack at fp%+d is read before anything was stored there",
				   off + (k - k0));
			bxr_hint(env, "initialise the variable (e.g. = {} or memset) before using it");
			return bxr_reject(env, -EACCES, regno, -1, "invalid read from stack off %d+%d size %d",
					  off, k - k0, size);
		}
		spill &= s->st[k] == BXR_ST_SPILL;
		zero &= s->st[k] == BXR_ST_ZERO;
	}
	if (!dst)
		return 0;
	*filled = spill;
	if (spill && size == 8) {
		*dst = s->spill;
		return 0;
	}
	if (spill) {
		if (s->spill.type != BXR_SCALAR) {
			bxr_reason(env, "only part of a pointer stored on the stack is read");
			return bxr_reject(env, -EACCES, regno, -1, "invalid size of register fill");
		}
		/* as the kernel: a narrow fill keeps the spilled value only from
		 * the slot's start (and the link to it when the value fits, and a
		 * sign extension keeps it); elsewhere it is unknown unless the
		 * spill was 0 */
		if (k0 == 0) {
			*dst = s->spill;
			if (bxr_reg_width(&s->spill) > (sx ? size * 8 - 1 : size * 8)) {
				dst->id = 0;
				dst->off = 0;
			}
		} else if (bxr_is_const(&s->spill) && s->spill.var.value == 0) {
			bxr_mark_const(dst, 0);
		} else {
			bxr_mark_unknown(dst);
		}
	} else if (zero) {
		bxr_mark_const(dst, 0);
	} else {
		bxr_mark_unknown(dst);
	}
	if (sx)   /* as the kernel: from the filled register's signed range */
		bxr_coerce_sx(dst, size);
	else
		bxr_trunc(dst, size);
	return 0;
}

/* stack_bounds - the access [lo, hi) at the stack pointer reg + off. */
static int stack_bounds(struct bxr_env *env, int regno, const struct bxr_reg *reg, int off, int size,
			const char *what, int64_t *lo, int64_t *hi)
{
	int64_t base = (int64_t)reg->off + off;

	if (bxr_tnum_is_const(reg->var)) {
		*lo = base + (int64_t)reg->var.value;
		*hi = *lo + size;
		if (*lo < -BX_STACK_SIZE || *hi > 0 || size <= 0) {
			bxr_reason(env, "the access [fp%+lld, fp%+lld) is outside the %d-byte stack",
				   (long long)*lo, (long long)*hi, BX_STACK_SIZE);
			bxr_hint(env, "keep stack variables within 512 bytes; put big buffers in a per-CPU array map");
			return bxr_reject(env, -EACCES, regno, -1, "invalid%s stack R%d off=%lld size=%d",
					  what, regno, (long long)*lo, size);
		}
		return 0;
	}
	*lo = base + reg->smin;
	*hi = base + reg->smax + size;
	if (reg->smin <= -BXR_MAX_VAR_OFF || reg->smax >= BXR_MAX_VAR_OFF || *lo < -BX_STACK_SIZE ||
	    *hi > 0) {
		char t[64];

		bxr_tnum_str(t, sizeof(t), reg->var);
		bxr_reason(env, "the variable stack access may leave the %d-byte stack", BX_STACK_SIZE);
		return bxr_reject(env, -EACCES, regno, -1,
				  "invalid variable-offset%s stack R%d var_off=%s off=%d size=%d",
				  what, regno, t, off, size);
	}
	return 0;
}

/* check_stack - a load or store through a stack pointer. */
static int check_stack(struct bxr_env *env, int regno, struct bxr_reg *reg, int off, int size,
		       bool write, int value_regno, bool sx, struct bxr_reg *val)
{
	struct bxr_func *f = env->cur->frame[reg->frameno];
	int64_t lo, hi;
	int err;
	struct bxr_tnum at = bxr_tnum_add(reg->var, bxr_tnum_const((uint64_t)(int64_t)(reg->off + off)));

	if (!bxr_tnum_is_aligned(at, (uint64_t)size) &&
	    !(env->opts && (env->opts->prog_flags & 2u /* BPF_F_ANY_ALIGNMENT */) && 0)) {
		char t[64];

		if (bxr_tnum_is_const(reg->var))
			snprintf(t, sizeof(t), "%lld", (long long)reg->var.value);
		else
			bxr_tnum_str(t, sizeof(t), reg->var);
		bxr_reason(env, "stack accesses must be aligned to their size");
		return bxr_reject(env, -EACCES, regno, -1, "misaligned stack access off %s+%d+%d size %d",
				  t, reg->off, off, size);
	}
	err = stack_bounds(env, regno, reg, off, size, write ? " write to" : " read from", &lo, &hi);
	if (err)
		return err;
	bxr_update_stack_depth(env, reg->frameno, (int)lo);
	if (write && val && val->type == BXR_STACK && reg->frameno != env->cur->curframe) {
		bxr_reason(env, "a pointer into this function's stack cannot be stored in a caller's "
			   "stack: it would outlive the function");
		return bxr_reject(env, -EINVAL, regno, -1,
				  "cannot spill pointers to stack into stack frame of the caller");
	}
	if (bxr_tnum_is_const(reg->var)) {
		/* fixed-offset accesses go to the history: backtracking follows
		 * a scalar through its spill and fill (precise.c) */
		uint32_t flags = BXR_H_STACK | (uint32_t)reg->frameno << 8 |
				 (uint32_t)((-lo - 1) / 8) << 16;
		bool filled = false;

		if (write)
			err = stack_write(env, f, (int)lo, size, val);
		else
			err = stack_read(env, f, regno, (int)lo, size,
					 value_regno >= 0 ? &bxr_regs(env)[value_regno] : NULL, sx, &filled);
		if (!err && (write || filled) && (write ? val != NULL : value_regno >= 0))
			err = bxr_push_hist(env, env->cur, flags, 0);
		return err;
	}
	if (write) {
		mark_range(f, (int)lo, (int)hi, BXR_ST_MISC);
		return 0;
	}
	for (int64_t o = lo; o < hi; o++) {
		int j;
		uint8_t b = *byte_at(f, (int)o, &j);

		if (b == BXR_ST_INVALID && !env->allow_uninit_stack) {
			char t[64];

			bxr_tnum_str(t, sizeof(t), reg->var);
			bxr_reason(env, "the variable-offset stack read may touch uninitialised bytes");
			return bxr_reject(env, -EACCES, regno, -1,
					  "invalid variable-offset read from stack R%d var_off=%s off=%d size=%d",
					  regno, t, off, size);
		}
	}
	if (value_regno >= 0) {
		struct bxr_reg *d = &bxr_regs(env)[value_regno];

		bxr_mark_unknown(d);
		if (sx)
			bxr_coerce_sx(d, size);
		else
			bxr_trunc(d, size);
	}
	return 0;
}

/* region - a bounded region (map value, key, memory): [smin+off, umax+off+size) within size. */
static int check_region(struct bxr_env *env, int regno, const struct bxr_reg *reg, int off,
			int size, uint32_t mem_size, const char *kind, const char *szname)
{
	int64_t o = (int64_t)reg->off + off;
	int64_t lo = o + reg->smin;

	if (bxr_tnum_is_const(reg->var)) {
		int64_t a = o + (int64_t)reg->var.value;

		if (a < 0 || size < 0 || a + size > (int64_t)mem_size) {
			bxr_reason(env, "the access of %d bytes at offset %lld is outside the %u-byte %s",
				   size, (long long)a, mem_size, kind);
			bxr_hint(env, "check the index against the size of the value before the access");
			return bxr_reject(env, -EACCES, regno, -1, "invalid access to %s, %s=%u off=%lld size=%d",
					  kind, szname, mem_size, (long long)a, size);
		}
		return 0;
	}
	if (reg->smin < 0 && (reg->smin == INT64_MIN || lo < 0)) {
		bxr_reason(env, "the offset in r%d may be negative", regno);
		bxr_hint(env, "use an unsigned index, or check index >= 0 before the access");
		return bxr_reject(env, -EACCES, regno, -1,
				  "R%d min value is negative, either use unsigned index or do a if (index >=0) check.",
				  regno);
	}
	if (lo < 0 || lo + size > (int64_t)mem_size) {
		bxr_reason(env, "even the smallest offset r%d may hold is outside the %u-byte %s",
			   regno, mem_size, kind);
		return bxr_reject(env, -EACCES, regno, -1,
				  "invalid access to %s, %s=%u off=%lld size=%d\nR%d min value is outside of the allowed memory range",
				  kind, szname, mem_size, (long long)lo, size, regno);
	}
	if (reg->umax >= (uint64_t)BXR_MAX_VAR_OFF) {
		bxr_reason(env, "the offset in r%d has no upper bound", regno);
		bxr_hint(env, "bounds-check the index before the access, e.g. if (i >= N) return 0;");
		return bxr_reject(env, -EACCES, regno, -1,
				  "R%d unbounded memory access, make sure to bounds check any such access", regno);
	}
	if ((int64_t)reg->umax + o + size > (int64_t)mem_size) {
		bxr_reason(env, "the offset in r%d may reach %lld, beyond the %u-byte %s", regno,
			   (long long)((int64_t)reg->umax + o), mem_size, kind);
		bxr_hint(env, "bounds-check the index against the value size before the access");
		return bxr_reject(env, -EACCES, regno, -1,
				  "invalid access to %s, %s=%u off=%lld size=%d\nR%d max value is outside of the allowed memory range",
				  kind, szname, mem_size, (long long)((int64_t)reg->umax + o), size, regno);
	}
	return 0;
}

/* check_pkt - an access through a packet pointer against its proven range. */
static int check_pkt(struct bxr_env *env, int regno, const struct bxr_reg *reg, int off, int size)
{
	int64_t o = (int64_t)reg->off + off;

	if (reg->smin < 0) {
		bxr_reason(env, "the offset in r%d may be negative", regno);
		return bxr_reject(env, -EACCES, regno, -1,
				  "R%d min value is negative, either use unsigned index or do a if (index >=0) check.",
				  regno);
	}
	if (o < 0 || size < 0 || o + size > reg->range) {
		bxr_reason(env, "invalid access to packet: r%d points %lld bytes into the packet, but only "
			   "%d bytes are known to be there (packet range %d)", regno, (long long)o,
			   reg->range, reg->range);
		bxr_hint(env, "add a bounds check against data_end before this access, e.g. "
			 "if ((void *)(eth + 1) > data_end) return XDP_DROP;");
		return bxr_reject(env, -EACCES, regno, -1,
				  "invalid access to packet, off=%lld size=%d, R%d(id=%u,off=%d,r=%d)\n"
				  "R%d offset is outside of the packet",
				  (long long)o, size, regno, reg->id, reg->off, reg->range, regno);
	}
	return 0;
}

/* ctx_load_type - the register type of a context load, from the field
 * kind the program type's ctx_access reported. */
static int ctx_load_type(enum bxh_ctx_field f)
{
	/* skb->sk: no arithmetic or access is allowed on it, as on the
	 * kernel's sock_common_or_null: a MEM_OR_NULL of size 0 */
	return f == BXH_FIELD_PKT ? BXR_PKT : f == BXH_FIELD_PKT_END ? BXR_PKT_END :
	       f == BXH_FIELD_PKT_META ? BXR_PKT_META : f == BXH_FIELD_SOCK_OR_NULL ? BXR_MEM :
	       BXR_SCALAR;
}

/* check_ctx - a context access: fixed offset, valid for the program type. */
static int check_ctx(struct bxr_env *env, int regno, const struct bxr_reg *reg, int off, int size,
		     bool write, int value_regno, bool sx, bool atomic)
{
	struct bxh_access_req q;
	struct bxh_access_res r;
	const struct bpfbox_insn *in = &env->insns[env->insn];

	if (atomic) {
		bxr_reason(env, "atomic operations are not allowed on the context");
		return bxr_reject(env, -EACCES, regno, -1, "BPF_ATOMIC stores into R%d ctx is not allowed",
				  regno);
	}
	if (!bxr_tnum_is_const(reg->var) || reg->var.value) {
		char t[64];

		bxr_tnum_str(t, sizeof(t), reg->var);
		bxr_reason(env, "context fields must be accessed at a constant offset");
		return bxr_reject(env, -EACCES, regno, -1, "variable ctx access var_off=%s disallowed", t);
	}
	if (reg->off) {
		bxr_reason(env, "r%d points %d bytes into the context; access fields through the context "
			   "pointer itself (r%d + field offset)", regno, reg->off, regno);
		return bxr_reject(env, -EACCES, regno, -1, "dereference of modified ctx ptr R%d off=%d disallowed",
				  regno, reg->off);
	}
	if (bxr_btf_ctx(env))	/* tracing / lsm with a BTF target: its arguments */
		return bxr_btf_ctx_access(env, regno, off, size, write, value_regno, sx);
	memset(&q, 0, sizeof(q));
	q.prog_type = env->prog_type;
	q.expected_attach_type = env->prog->expected_attach_type;
	q.insn = in;
	q.off = off;
	q.size = size;
	q.write = write;
	q.ldsx = sx;
	if (!env->prog->type_ops || !env->prog->type_ops->ctx_access(&q, &r)) {
		bxr_reason(env, "the context of this program type has no %s%d-byte field at offset %d",
			   write ? "writable " : "", size, off);
		bxr_hint(env, "access only the documented context fields, with their own size");
		return bxr_reject(env, -EACCES, regno, -1, "invalid bpf_context access off=%d size=%d",
				  off, size);
	}
	if (!write && value_regno >= 0) {
		struct bxr_reg *d = &bxr_regs(env)[value_regno];
		int t = ctx_load_type(r.field);

		if (t == BXR_MEM) {   /* skb->sk, see ctx_load_type */
			bxr_mark_ptr(d, t);
			d->flags = BXR_MAYBE_NULL;
			d->aux = 0;
			d->id = ++env->id_gen;
		} else if (t != BXR_SCALAR) {
			bxr_mark_ptr(d, t);
		} else {
			bxr_mark_unknown(d);
			if (sx)
				bxr_coerce_sx(d, size);
			else
				bxr_trunc(d, size);
		}
	}
	return 0;
}

/*
 * check_align - the kernel's check_ptr_alignment for pointers other than
 * the stack (always strict, check_stack): with BPF_F_STRICT_ALIGNMENT (and
 * not BPF_F_ANY_ALIGNMENT), or for an atomic, the address must be aligned
 * to the access size; packets count NET_IP_ALIGN (2) in front, as the
 * kernel does in strict mode.
 */
static int check_align(struct bxr_env *env, int regno, const struct bxr_reg *reg, int off,
		       int size, bool atomic)
{
	uint32_t fl = env->opts ? env->opts->prog_flags : 0;
	bool strict = atomic || ((fl & 1u /* STRICT */) && !(fl & 2u /* ANY */));
	bool pkt = bxr_is_pkt(reg);
	int ip_align = pkt ? 2 : 0;
	struct bxr_tnum at;
	char t[64];

	if (!strict || size == 1 || env->helper_access)
		return 0;
	at = bxr_tnum_add(reg->var, bxr_tnum_const((uint64_t)(int64_t)(ip_align + reg->off + off)));
	if (bxr_tnum_is_aligned(at, (uint64_t)size))
		return 0;
	if (bxr_tnum_is_const(reg->var))
		snprintf(t, sizeof(t), "%lld", (long long)reg->var.value);
	else
		bxr_tnum_str(t, sizeof(t), reg->var);
	bxr_reason(env, "%s must be aligned to their size", atomic ? "atomic operations" :
		   "with BPF_F_STRICT_ALIGNMENT, memory accesses");
	if (pkt)
		return bxr_reject(env, -EACCES, regno, -1, "misaligned packet access off %d+%s+%d+%d size %d",
				  ip_align, t, reg->off, off, size);
	return bxr_reject(env, -EACCES, regno, -1, "misaligned %saccess off %s+%d+%d size %d",
			  reg->type == BXR_MAP_VALUE ? "value " : reg->type == BXR_MAP_KEY ? "key " :
			  reg->type == BXR_CTX ? "context " : "", t, reg->off, off, size);
}

/*
 * bxr_check_mem - a load (value into value_regno, or just checked when
 * it is -1) or store (val: the stored register, or NULL for an unknown
 * value) of size bytes at regno + off.
 */
static int check_mem(struct bxr_env *env, int regno, int off, int size, bool write,
		     int value_regno, bool sx, bool atomic, struct bxr_reg *val)
{
	struct bxr_reg *reg = &bxr_regs(env)[regno];
	const char *t = bxr_type_str(reg);
	int err = 0;

	if (reg->flags & BXR_MAYBE_NULL) {
		bxr_reason(env, "r%d may be NULL here (it is a %s)", regno, t);
		bxr_hint(env, "check the pointer against NULL before using it, e.g. if (!val) return 0;");
		return bxr_reject(env, -EACCES, regno, -1, "R%d invalid mem access '%s'", regno, t);
	}
	if (reg->type == BXR_STACK && (reg->frameno > env->cur->curframe ||
				       !env->cur->frame[reg->frameno]))
		return bxr_reject(env, -EFAULT, regno, -1, "R%d points to a stack frame that is gone",
				  regno);
	if (write && val && bxr_leaks(env, val) && reg->type != BXR_STACK) {
		/* unprivileged: the kernel's "leaks addr into ..." */
		int vr = env->insns[env->insn].src_reg;

		bxr_reason(env, "an unprivileged program may store a pointer only to its stack");
		return bxr_reject(env, -EACCES, vr, -1, "R%d leaks addr into %s", vr,
				  reg->type == BXR_CTX ? "ctx" : reg->type == BXR_MAP_VALUE ? "map" :
				  bxr_is_pkt(reg) ? "packet" : "mem");
	}
	switch (reg->type) {
	case BXR_STACK:
		return check_stack(env, regno, reg, off, size, write, value_regno, sx, val);
	case BXR_CTX:
		if (!atomic && (err = check_align(env, regno, reg, off, size, false)))
			return err;
		return check_ctx(env, regno, reg, off, size, write, value_regno, sx, atomic);
	case BXR_MAP_VALUE: {
		const struct bxr_map *m = &env->maps[reg->aux];

		if ((err = check_align(env, regno, reg, off, size, atomic)))
			return err;

		/* check_map_access_type: the map's BPF_F_RDONLY_PROG / _WRONLY_PROG */
		if (write && ((reg->flags & BXR_RDONLY) || (m->flags & BPFBOX_F_RDONLY_PROG))) {
			bxr_reason(env, "map '%s' is read-only for programs (BPF_F_RDONLY_PROG)", m->name);
			bxr_hint(env, "do not write read-only data: a const global lives in .rodata; "
				 "drop the const (it then lives in .data) or copy it to the stack");
			return bxr_reject(env, -EACCES, regno, -1, "write into map forbidden, value_size=%u off=%d size=%d",
					  m->value_size, reg->off + off, size);
		}
		if (!write && (m->flags & BPFBOX_F_WRONLY_PROG)) {
			bxr_reason(env, "map '%s' is write-only for programs (BPF_F_WRONLY_PROG)", m->name);
			return bxr_reject(env, -EACCES, regno, -1, "read from map forbidden, value_size=%u off=%d size=%d",
					  m->value_size, reg->off + off, size);
		}
		err = check_region(env, regno, reg, off, size, m->value_size, "map value", "value_size");
		break;
	}
	case BXR_MAP_KEY:
		if ((err = check_align(env, regno, reg, off, size, atomic)))
			return err;
		if (write) {
			bxr_reason(env, "the map key is read-only");
			return bxr_reject(env, -EACCES, regno, -1, "write to change key R%d not allowed", regno);
		}
		err = check_region(env, regno, reg, off, size, env->maps[reg->aux].key_size, "map key",
				   "key_size");
		break;
	case BXR_MEM:
		if ((err = check_align(env, regno, reg, off, size, atomic)))
			return err;
		if (write && (reg->flags & BXR_RDONLY))
			return bxr_reject(env, -EACCES, regno, -1, "cannot write into %s", t);
		err = check_region(env, regno, reg, off, size, reg->aux, "memory", "mem_size");
		break;
	case BXR_BTF_ID:
		if ((err = check_align(env, regno, reg, off, size, atomic)))
			return err;
		return bxr_btf_access(env, regno, reg, off, size, write, value_regno, sx);
	case BXR_PKT:
	case BXR_PKT_META:
		if (atomic)
			return bxr_reject(env, -EACCES, regno, -1, "BPF_ATOMIC stores into R%d %s is not allowed",
					  regno, t);
		if ((err = check_align(env, regno, reg, off, size, false)))
			return err;
		if (write && !(env->prog->type_ops && env->prog->type_ops->pkt_write)) {
			bxr_reason(env, "this program type may not write its packet");
			return bxr_reject(env, -EACCES, regno, -1, "cannot write into packet");
		}
		err = check_pkt(env, regno, reg, off, size);
		break;
	default:
		bxr_reason(env, "r%d holds a %s, which cannot be dereferenced", regno,
			   reg->type == BXR_SCALAR ? "number (scalar), not a pointer" : t);
		if (reg->type == BXR_SCALAR)
			bxr_hint(env, "only pointers the verifier knows (stack, context, map values, "
				 "checked packet pointers) can be dereferenced");
		return bxr_reject(env, -EACCES, regno, -1, "R%d invalid mem access '%s'", regno, t);
	}
	if (err)
		return err;
	if (!write && value_regno >= 0) {
		struct bxr_reg *d = &bxr_regs(env)[value_regno];

		bxr_mark_unknown(d);
		if (sx)
			bxr_coerce_sx(d, size);
		else
			bxr_trunc(d, size);
	}
	return 0;
}

/* bxr_check_mem - see verifier.h (stores of an unknown value). */
int bxr_check_mem(struct bxr_env *env, int regno, int off, int size, bool write,
		  int value_regno, bool sx, bool atomic)
{
	return check_mem(env, regno, off, size, write, value_regno, sx, atomic, NULL);
}

/*
 * bxr_check_ldst - LDX, LDXSX, ST, STX and the atomics.
 */
int bxr_check_ldst(struct bxr_env *env, const struct bpfbox_insn *in, int op)
{
	int fmt = bx_ops[op].fmt, size = bx_code_size(in->code), err;
	struct bxr_reg *regs = bxr_regs(env), val;
	int base = fmt == BX_F_LDX || fmt == BX_F_LDXSX ? in->src_reg : in->dst_reg;
	uint8_t *prev = &env->aux[env->insn].ptr_type, t = regs[base].type;

	/* the context rewriting needs one kind of base per instruction */
	if (t != BXR_NOT_INIT && t != BXR_SCALAR) {
		if (!*prev)
			*prev = t;
		else if (*prev != t && (*prev == BXR_CTX || t == BXR_CTX)) {
			bxr_reason(env, "this instruction accesses the context on one path and another "
				   "pointer on another path");
			bxr_hint(env, "access the context only through one dedicated pointer per instruction");
			return bxr_reject(env, -EINVAL, base, -1,
					  "same insn cannot be used with different pointers");
		}
	}

	switch (fmt) {
	case BX_F_LDX:
	case BX_F_LDXSX: {
		struct bxr_reg tmp;

		if ((err = bxr_check_reg_read(env, in->src_reg)) || (err = bxr_check_reg_write(env, in->dst_reg)))
			return err;
		/* load into a temporary so that r = *(r + off) sees the base first */
		err = check_mem(env, in->src_reg, in->off, size, false, in->dst_reg, fmt == BX_F_LDXSX, false, NULL);
		(void)tmp;
		return err;
	}
	case BX_F_ST:
		if ((err = bxr_check_reg_read(env, in->dst_reg)))
			return err;
		bxr_mark_const(&val, (uint64_t)(int64_t)in->imm);
		return check_mem(env, in->dst_reg, in->off, size, true, -1, false, false, &val);
	case BX_F_STX: {
		struct bxr_reg *b = &regs[in->dst_reg], *sv = &regs[in->src_reg];
		bool fits;

		if ((err = bxr_check_reg_read(env, in->src_reg)) || (err = bxr_check_reg_read(env, in->dst_reg)))
			return err;
		/* a scalar spilled at a slot's start stays linked with its
		 * register (the kernel's spill: an id is assigned first) */
		fits = bxr_reg_width(sv) <= size * 8;
		if (b->type == BXR_STACK && bxr_tnum_is_const(b->var) && sv->type == BXR_SCALAR &&
		    ((int64_t)b->off + in->off + (int64_t)b->var.value) % 8 == 0 && fits)
			bxr_assign_id(env, sv);
		val = regs[in->src_reg];
		if (!fits && val.type == BXR_SCALAR) {
			val.id = 0;
			val.off = 0;
		}
		return check_mem(env, in->dst_reg, in->off, size, true, -1, false, false, &val);
	}
	default: {	/* atomics */
		int fetch_reg = fmt == BX_F_CMPXCHG ? 0 : in->src_reg;
		bool fetch = fmt == BX_F_AFETCH || fmt == BX_F_XCHG || fmt == BX_F_CMPXCHG;

		if ((err = bxr_check_reg_read(env, in->src_reg)) || (err = bxr_check_reg_read(env, in->dst_reg)))
			return err;
		if (fmt == BX_F_CMPXCHG && (err = bxr_check_reg_read(env, 0)))
			return err;
		if (bxr_is_ptr(&regs[in->src_reg]) && regs[in->dst_reg].type != BXR_STACK) {
			/* privileged: allowed; the memory then holds an unknown value */
		}
		/* unprivileged: no pointer goes into memory through an atomic
		 * (R0 of a cmpxchg included), nor comes out of a stack slot */
		if (fmt == BX_F_CMPXCHG && bxr_leaks(env, &regs[0]))
			return bxr_reject(env, -EACCES, 0, -1, "R0 leaks addr into mem");
		if (bxr_leaks(env, &regs[in->src_reg]))
			return bxr_reject(env, -EACCES, in->src_reg, -1, "R%d leaks addr into mem", in->src_reg);
		if (env->unpriv && regs[in->dst_reg].type == BXR_STACK &&
		    bxr_tnum_is_const(regs[in->dst_reg].var) && size == 8) {
			const struct bxr_reg *b = &regs[in->dst_reg];
			int64_t o = (int64_t)b->off + in->off + (int64_t)b->var.value;
			struct bxr_func *f = b->frameno <= env->cur->curframe ? env->cur->frame[b->frameno] : NULL;
			int j = (int)((-o - 1) / 8);

			if (f && o < 0 && o >= -BX_STACK_SIZE && j < f->nslots &&
			    f->stack[j].st[0] == BXR_ST_SPILL && bxr_is_ptr(&f->stack[j].spill))
				return bxr_reject(env, -EACCES, -1, -1, "leaking pointer from stack off %lld",
						  (long long)o);
		}
		if (fetch && (err = bxr_check_reg_write(env, fetch_reg)))
			return err;
		/* read (into the fetch register: the old value) then write, as the
		 * kernel's check_atomic; the base may be the fetch register */
		{
			struct bxr_reg base = regs[in->dst_reg], loaded = base;

			err = check_mem(env, in->dst_reg, in->off, size, false, fetch ? fetch_reg : -1,
					false, true, NULL);
			if (err)
				return err;
			if (fetch) {
				loaded = regs[fetch_reg];
				regs[in->dst_reg] = base;
			}
			err = check_mem(env, in->dst_reg, in->off, size, true, -1, false, true, NULL);
			if (fetch)
				regs[fetch_reg] = loaded;
		}
		return err;
	}
	}
}

/*
 * bxr_check_ld_abs - legacy packet loads (the kernel's check_ld_abs):
 * skb programs only, reserved fields zero, r6 = the unmodified ctx, no
 * references held; r1..r5 clobbered, r0 the loaded value. The rewrite
 * (src/hooks/ctx_convert.c, as the kernel's bpf_gen_ld_abs) ends the
 * function with r0 = 0 when the load fails: in the main program that is
 * the program's exit, in a subprogram a return to the caller, which the
 * walk explores here as a second path (*next: where this one continues).
 */
int bxr_check_ld_abs(struct bxr_env *env, const struct bpfbox_insn *in, int op, int *next)
{
	struct bxr_reg *regs = bxr_regs(env);
	bool ind = bx_ops[op].fmt == BX_F_LDIND;
	int err;

	if (!env->prog->type_ops || !env->prog->type_ops->ld_abs) {	/* may_access_skb */
		bxr_reason(env, "LD_ABS / LD_IND only work in socket filter and tc programs");
		return bxr_reject(env, -EINVAL, -1, -1,
				  "BPF_LD_[ABS|IND] instructions not allowed for this program type");
	}
	if (in->dst_reg || in->off || bx_code_size(in->code) == 8 || (!ind && in->src_reg)) {
		bxr_reason(env, "the instruction sets fields its opcode does not use");
		return bxr_reject(env, -EINVAL, -1, -1, "BPF_LD_[ABS|IND] uses reserved fields");
	}
	if ((err = bxr_check_reg_read(env, 6)))
		return err;
	if (env->cur->nrefs)
		return bxr_reject(env, -EINVAL, -1, -1,
				  "BPF_LD_[ABS|IND] cannot be mixed with socket references");
	if (regs[6].type != BXR_CTX) {
		bxr_reason(env, "LD_ABS / LD_IND need the context pointer in r6");
		return bxr_reject(env, -EINVAL, 6, -1, "at the time of BPF_LD_ABS|IND R6 != pointer to skb");
	}
	if (ind && (err = bxr_check_reg_read(env, in->src_reg)))
		return err;
	if (regs[6].off || !bxr_tnum_is_const(regs[6].var) || regs[6].var.value) {
		bxr_reason(env, "r6 points into the middle of the context");
		return bxr_reject(env, -EACCES, 6, -1, "dereference of modified ctx ptr R6 off=%d disallowed",
				  regs[6].off);
	}
	for (int f = 1; f <= env->cur->curframe; f++)
		if (env->cur->frame[f]->cb) {
			bxr_reason(env, "a failing LD_ABS / LD_IND would return 0 from the callback");
			return bxr_reject(env, -EINVAL, -1, -1,
					  "cannot use BPF_LD_[ABS|IND] within callback");
		}
	for (int r = 1; r <= 5; r++)
		bxr_mark_not_init(&regs[r]);
	bxr_mark_unknown(&regs[0]);
	bxr_trunc(&regs[0], bx_code_size(in->code));
	if (env->cur->curframe) {
		bool done;

		/* the load succeeds: continue after it (pushed); it fails: the
		 * function returns 0 to its caller (this path) */
		if ((err = bxr_push_branch(env, env->insn + 1)))
			return err;
		bxr_mark_const(&regs[0], 0);
		return bxr_check_exit(env, next, &done);
	}
	return 0;
}

/*
 * bxr_check_lddw - 64-bit immediates and their pseudo forms.
 */
int bxr_check_lddw(struct bxr_env *env, const struct bpfbox_insn *in)
{
	struct bxr_reg *d = &bxr_regs(env)[in->dst_reg];
	int err = bxr_check_reg_write(env, in->dst_reg);
	uint32_t idx = (uint32_t)in->imm;

	if (err)
		return err;
	switch (in->src_reg) {
	case BX_PSEUDO_NONE:
		bxr_mark_const(d, (uint64_t)(uint32_t)in->imm | (uint64_t)(uint32_t)in[1].imm << 32);
		return 0;
	case BX_PSEUDO_FUNC:
		bxr_mark_ptr(d, BXR_FUNC);
		d->aux = (uint32_t)(env->insn + 1 + in->imm);
		return 0;
	case BX_PSEUDO_MAP_FD:
	case BX_PSEUDO_MAP_IDX:
	case BX_PSEUDO_MAP_VALUE:
	case BX_PSEUDO_MAP_IDX_VALUE:
		if (idx >= (uint32_t)env->nmaps || !env->maps[idx].map)
			return bxr_reject(env, -EINVAL, -1, -1, "fd %d is not pointing to valid bpf_map", in->imm);
		if (in->src_reg == BX_PSEUDO_MAP_FD || in->src_reg == BX_PSEUDO_MAP_IDX) {
			bxr_mark_ptr(d, BXR_MAP_PTR);
			d->aux = idx;
			return 0;
		}
		{
			const struct bxr_map *m = &env->maps[idx];
			uint64_t a;
			uint32_t off = (uint32_t)in[1].imm;

			if (bxm_direct_value_addr(m->map, &a))
				return bxr_reject(env, -EINVAL, -1, -1, "map '%s' has no direct value access",
						  m->name);
			if (off >= m->value_size)
				return bxr_reject(env, -EINVAL, -1, -1, "direct value offset of %u is not allowed",
						  off);
			bxr_mark_ptr(d, BXR_MAP_VALUE);
			d->aux = idx;
			d->off = (int32_t)off;
			if (m->flags & BPFBOX_F_RDONLY_PROG)
				d->flags |= BXR_RDONLY;
			return 0;
		}
	default:
		return bxr_reject(env, -EINVAL, -1, -1, "unrecognized bpf_ld_imm64 insn");
	}
}

/*
 * bxr_check_helper_mem - a helper reads (or writes) size bytes at the
 * pointer in regno (check_helper_mem_access). uninit: the helper only
 * writes them (the stack need not be initialised, and becomes misc).
 */
int bxr_check_helper_mem(struct bxr_env *env, int regno, int64_t size, bool zero_ok, bool write,
			 bool uninit)
{
	struct bxr_reg *reg = &bxr_regs(env)[regno];
	int sz = (int)size;

	if (size == 0 && zero_ok)
		return 0;
	if (reg->flags & BXR_MAYBE_NULL)
		return bxr_reject(env, -EACCES, regno, -1, "R%d invalid mem access '%s'", regno,
				  bxr_type_str(reg));
	if (reg->type == BXR_STACK && (reg->frameno > env->cur->curframe ||
				       !env->cur->frame[reg->frameno]))
		return bxr_reject(env, -EFAULT, regno, -1, "R%d points to a stack frame that is gone",
				  regno);
	switch (reg->type) {
	case BXR_STACK: {
		struct bxr_func *f = env->cur->frame[reg->frameno];
		int64_t lo, hi;
		int err = stack_bounds(env, regno, reg, 0, sz, " indirect access to", &lo, &hi);

		if (err)
			return err;
		bxr_update_stack_depth(env, reg->frameno, (int)lo);
		if (write && uninit) {
			mark_range(f, (int)lo, (int)hi, BXR_ST_MISC);
			return 0;
		}
		for (int64_t o = lo; o < hi; o++) {
			int j;
			uint8_t b = *byte_at(f, (int)o, &j);

			if ((b == BXR_ST_INVALID && !env->allow_uninit_stack) ||
			    (b == BXR_ST_SPILL && !(write && uninit) && bxr_leaks(env, &f->stack[j].spill))) {
				bxr_reason(env, "the helper reads %d bytes at fp%+lld, but fp%+lld is not "
					   "initialised (or, unprivileged, holds a pointer)", sz, (long long)lo,
					   (long long)o);
				bxr_hint(env, "initialise the whole buffer (e.g. = {} or __builtin_memset) "
					 "before passing it to the helper");
				return bxr_reject(env, -EACCES, regno, -1,
						  "invalid indirect read from stack R%d off %lld+%lld size %d",
						  regno, (long long)lo, (long long)(o - lo), sz);
			}
		}
		if (write)
			mark_range(f, (int)lo, (int)hi, BXR_ST_MISC);
		return 0;
	}
	case BXR_MAP_VALUE:
	case BXR_MAP_KEY:
	case BXR_MEM:
	case BXR_PKT:
	case BXR_PKT_META: {
		int err;

		env->helper_access = true;
		err = check_mem(env, regno, 0, sz, write, -1, false, false, NULL);
		env->helper_access = false;
		return err;
	}
	default:
		bxr_reason(env, "r%d should point to memory (stack, map value, packet, ...), but it is a %s",
			   regno, bxr_type_str(reg));
		return bxr_reject(env, -EACCES, regno, -1,
				  "R%d type=%s expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", regno,
				  bxr_type_str(reg));
	}
}

/*
 * alu.c - ALU instructions (the kernel's check_alu_op,
 * adjust_scalar_min_max_vals and adjust_ptr_min_max_vals): scalar bounds
 * and tnums through every operation, and the privileged pointer
 * arithmetic rules. The operation comes from the SEM column of the
 * instruction table (bxr_sem_of[], generated below), the operand shape
 * from FMT; the 32-bit forms work on the low halves and zero-extend.
 */
#include <errno.h>
#include <string.h>

#include "verifier/verifier.h"

#define BXR__SEM(NAME, CODE, MATCH, MVAL, FMT, SEM, MNEM, LLVM, CPU) [BX_OP_##NAME] = BXR_S_##SEM,
const uint8_t bxr_sem_of[BX_OP__COUNT] = { BX_INSN_MAP(BXR__SEM) };
#undef BXR__SEM

/* bxr_check_reg_read - the register is initialised ("R%d !read_ok"). */
int bxr_check_reg_read(struct bxr_env *env, int regno)
{
	if (bxr_regs(env)[regno].type == BXR_NOT_INIT) {
		bxr_reason(env, "r%d is read before anything was written to it on this path", regno);
		bxr_hint(env, "initialise the register on every path that reaches this instruction");
		return bxr_reject(env, -EACCES, regno, -1, "R%d !read_ok", regno);
	}
	return 0;
}

/* bxr_check_reg_write - the register may be written (not r10). */
int bxr_check_reg_write(struct bxr_env *env, int regno)
{
	if (regno == BX_REG_FP) {
		bxr_reason(env, "r10 holds the frame pointer and cannot be written");
		return bxr_reject(env, -EACCES, -1, -1, "frame pointer is read only");
	}
	return 0;
}

/* ---- scalars ------------------------------------------------------------------ */

/* bitwise_signed - signed bounds of AND/OR/XOR: the unsigned ones when both
 * operands are known non-negative, unknown otherwise. */
static void bitwise_signed(const struct bxr_reg *d, const struct bxr_reg *s, uint64_t ua,
			   uint64_t ub, int64_t *a, int64_t *b)
{
	bool nonneg = d->smin >= 0 && s->smin >= 0;

	*a = nonneg ? (int64_t)ua : INT64_MIN;
	*b = nonneg ? (int64_t)ub : INT64_MAX;
}

/* scalar_op - d = d OP s for 64-bit scalars (s may be a 32-bit view). */
static void scalar_op(struct bxr_reg *d, const struct bxr_reg *s, int sem)
{
	int64_t a, b;
	uint64_t ua, ub;
	bool sconst = bxr_tnum_is_const(s->var);
	uint64_t sv = s->var.value;

	switch (sem) {
	case BXR_S_ADD:
		if (__builtin_add_overflow(d->smin, s->smin, &a) ||
		    __builtin_add_overflow(d->smax, s->smax, &b)) {
			a = INT64_MIN;
			b = INT64_MAX;
		}
		ua = d->umin + s->umin;
		ub = d->umax + s->umax;
		if (ub < d->umax || ua < d->umin) {
			ua = 0;
			ub = UINT64_MAX;
		}
		d->var = bxr_tnum_add(d->var, s->var);
		break;
	case BXR_S_SUB:
		if (__builtin_sub_overflow(d->smin, s->smax, &a) ||
		    __builtin_sub_overflow(d->smax, s->smin, &b)) {
			a = INT64_MIN;
			b = INT64_MAX;
		}
		if (d->umin < s->umax) {
			ua = 0;
			ub = UINT64_MAX;
		} else {
			ua = d->umin - s->umax;
			ub = d->umax - s->umin;
		}
		d->var = bxr_tnum_sub(d->var, s->var);
		break;
	case BXR_S_MUL:
		d->var = bxr_tnum_mul(d->var, s->var);
		a = INT64_MIN;
		b = INT64_MAX;
		if (d->umax <= UINT32_MAX && s->umax <= UINT32_MAX) {
			ua = d->umin * s->umin;
			ub = d->umax * s->umax;
		} else {
			ua = 0;
			ub = UINT64_MAX;
		}
		break;
	case BXR_S_AND:
		d->var = bxr_tnum_and(d->var, s->var);
		ua = d->var.value;
		ub = d->umax < s->umax ? d->umax : s->umax;
		bitwise_signed(d, s, ua, ub, &a, &b);
		break;
	case BXR_S_OR:
		d->var = bxr_tnum_or(d->var, s->var);
		ua = d->umin > s->umin ? d->umin : s->umin;
		ub = d->var.value | d->var.mask;
		bitwise_signed(d, s, ua, ub, &a, &b);
		break;
	case BXR_S_XOR:
		d->var = bxr_tnum_xor(d->var, s->var);
		ua = d->var.value;
		ub = d->var.value | d->var.mask;
		bitwise_signed(d, s, ua, ub, &a, &b);
		break;
	case BXR_S_LSH:
		if (!sconst || sv >= 64)
			goto unknown;
		if (d->umax <= (UINT64_MAX >> sv)) {
			ua = d->umin << sv;
			ub = d->umax << sv;
		} else {
			ua = 0;
			ub = UINT64_MAX;
		}
		a = INT64_MIN;
		b = INT64_MAX;
		d->var = bxr_tnum_lshift(d->var, (uint8_t)sv);
		break;
	case BXR_S_RSH:
		if (!sconst || sv >= 64)
			goto unknown;
		ua = d->umin >> sv;
		ub = d->umax >> sv;
		a = INT64_MIN;
		b = INT64_MAX;
		d->var = bxr_tnum_rshift(d->var, (uint8_t)sv);
		break;
	case BXR_S_ARSH:
		if (!sconst || sv >= 64)
			goto unknown;
		a = d->smin >> sv;
		b = d->smax >> sv;
		ua = 0;
		ub = UINT64_MAX;
		d->var = bxr_tnum_arshift(d->var, (uint8_t)sv, 64);
		break;
	default:	/* div, mod (as the kernel: not tracked) */
		goto unknown;
	}
	d->smin = a;
	d->smax = b;
	d->umin = ua;
	d->umax = ub;
	d->s32min = INT32_MIN;
	d->s32max = INT32_MAX;
	d->u32min = 0;
	d->u32max = UINT32_MAX;
	d->id = 0;
	bxr_bounds_sync(d);
	return;
unknown:
	bxr_mark_unknown(d);
}

/* view32 - the low 32 bits of r as a zero-extended 64-bit scalar. */
static void view32(struct bxr_reg *v, const struct bxr_reg *r)
{
	*v = *r;
	v->var = bxr_tnum_subreg(r->var);
	v->umin = r->u32min;
	v->umax = r->u32max;
	v->smin = r->u32min;
	v->smax = r->u32max;
	bxr_bounds_sync(v);
}

/* scalar_alu - dst = dst OP src on scalars, 64 or 32 bits. */
static void scalar_alu(struct bxr_reg *d, const struct bxr_reg *s, int sem, bool is64)
{
	struct bxr_reg dv, sv;

	if (is64) {
		scalar_op(d, s, sem);
		return;
	}
	view32(&dv, d);
	view32(&sv, s);
	/* As the kernel's is_safe_to_compute_dst_reg_range(): a 32-bit div or
	 * mod, or a shift by an unknown or too large amount, leaves the whole
	 * 64-bit register unknown (not even zero-extended). */
	if (sem == BXR_S_DIV || sem == BXR_S_MOD || sem == BXR_S_SDIV || sem == BXR_S_SMOD ||
	    ((sem == BXR_S_LSH || sem == BXR_S_RSH || sem == BXR_S_ARSH) &&
	     (!bxr_tnum_is_const(sv.var) || sv.var.value >= 32))) {
		bxr_mark_unknown(d);
		return;
	}
	if (sem == BXR_S_ARSH)
		bxr_sext(&dv, 4);
	scalar_op(&dv, &sv, sem);
	bxr_trunc(&dv, 4);
	dv.id = 0;
	/* the signed 32-bit view: add / sub without s32 overflow stay in range */
	if (sem == BXR_S_ADD || sem == BXR_S_SUB) {
		int64_t lo = sem == BXR_S_ADD ? (int64_t)d->s32min + s->s32min : (int64_t)d->s32min - s->s32max;
		int64_t hi = sem == BXR_S_ADD ? (int64_t)d->s32max + s->s32max : (int64_t)d->s32max - s->s32min;

		if (lo >= INT32_MIN && hi <= INT32_MAX) {
			if (lo > dv.s32min)
				dv.s32min = (int32_t)lo;
			if (hi < dv.s32max)
				dv.s32max = (int32_t)hi;
			bxr_bounds_sync(&dv);
		}
	}
	*d = dv;
}

/* bxr_scalar_add_const - r += v (64-bit), the bounds as an ALU add. */
void bxr_scalar_add_const(struct bxr_reg *r, int64_t v)
{
	struct bxr_reg k;

	bxr_mark_const(&k, (uint64_t)v);
	scalar_op(r, &k, BXR_S_ADD);
}

/* bxr_reg_width - bits needed for the largest unsigned value of r. */
int bxr_reg_width(const struct bxr_reg *r)
{
	return r->umax ? 64 - __builtin_clzll(r->umax) : 0;
}

/* bxr_assign_id - before r is copied (mov, spill): give it an id, so that
 * the copies are linked (the kernel's assign_scalar_id_before_mov); an
 * r that is itself "a linked value plus a constant" is unlinked first. */
void bxr_assign_id(struct bxr_env *env, struct bxr_reg *r)
{
	if (r->type != BXR_SCALAR)
		return;
	if (r->id & BXR_ID_ADD_CONST) {
		r->id = 0;
		r->off = 0;
	}
	if (!r->id && !bxr_tnum_is_const(r->var))
		r->id = ++env->id_gen;
}

/* ---- pointers -------------------------------------------------------------------- */

/* sane_offset - the kernel's check_reg_sane_offset(). */
static int sane_offset(struct bxr_env *env, const struct bxr_reg *r, int ptype_reg,
		       const struct bxr_reg *ptr)
{
	bool known = bxr_tnum_is_const(r->var);
	int64_t v = (int64_t)r->var.value;
	const char *t = bxr_type_str(ptr);

	(void)ptype_reg;
	if (r->type == BXR_SCALAR && known && (v >= BXR_MAX_VAR_OFF || v <= -BXR_MAX_VAR_OFF))
		return bxr_reject(env, -EACCES, -1, -1, "math between %s pointer and %lld is not allowed",
				  t, (long long)v);
	if (r->type != BXR_SCALAR && (r->off >= BXR_MAX_VAR_OFF || r->off <= -BXR_MAX_VAR_OFF))
		return bxr_reject(env, -EACCES, -1, -1, "%s pointer offset %d is not allowed", t, r->off);
	if (r->smin == INT64_MIN) {
		bxr_reason(env, "the offset added to the %s pointer has no lower bound", t);
		bxr_hint(env, "bounds-check the offset first, e.g. if (idx >= MAX) return 0; "
			 "with an unsigned index");
		return bxr_reject(env, -EACCES, -1, -1,
				  "math between %s pointer and register with unbounded min value is not allowed", t);
	}
	if (r->smin >= BXR_MAX_VAR_OFF || r->smin <= -BXR_MAX_VAR_OFF)
		return bxr_reject(env, -EACCES, -1, -1, "value %lld makes %s pointer be out of bounds",
				  (long long)r->smin, t);
	return 0;
}

/* ptr_alu - dst = ptr OP off (ALU64 add / sub), the kernel's rules. */
static int ptr_alu(struct bxr_env *env, const struct bpfbox_insn *in, int op, struct bxr_reg *dst,
		   const struct bxr_reg *ptr, const struct bxr_reg *offr, bool dst_is_off)
{
	int sem = bxr_sem_of[op], d = in->dst_reg, err;
	struct bxr_reg res = *ptr;
	bool known = bxr_tnum_is_const(offr->var);
	struct bxr_sanitize san = { 0 };

	if (BX_CLASS(in->code) != BX_ALU64) {
		if (sem == BXR_S_SUB && !env->unpriv) {	/* privileged: a meaningless scalar */
			bxr_mark_unknown(dst);
			bxr_trunc(dst, 4);
			return 0;
		}
		bxr_reason(env, "32-bit arithmetic would cut the pointer in r%d to its low half", d);
		return bxr_reject(env, -EACCES, d, -1, "R%d 32-bit pointer arithmetic prohibited", d);
	}
	if (ptr->flags & BXR_MAYBE_NULL) {
		bxr_reason(env, "r%d may be NULL; arithmetic on it is only allowed after a NULL check", d);
		bxr_hint(env, "check the pointer first: if (!p) return 0;");
		return bxr_reject(env, -EACCES, d, -1, "R%d pointer arithmetic on %s prohibited, null-check it first",
				  d, bxr_type_str(ptr));
	}
	switch (ptr->type) {
	case BXR_CTX: case BXR_MAP_VALUE: case BXR_MAP_KEY: case BXR_STACK:
	case BXR_PKT: case BXR_PKT_META: case BXR_MEM: case BXR_BTF_ID:
		break;
	case BXR_MAP_PTR:
		if (known && offr->var.value == 0 && sem == BXR_S_ADD)
			break;
		/* fallthrough */
	default:
		bxr_reason(env, "no arithmetic is allowed on a %s pointer", bxr_type_str(ptr));
		return bxr_reject(env, -EACCES, d, -1, "R%d pointer arithmetic on %s prohibited", d,
				  bxr_type_str(ptr));
	}
	if (sem != BXR_S_ADD && sem != BXR_S_SUB) {
		bxr_reason(env, "only adding or subtracting a number is allowed on a pointer (r%d is a %s)",
			   d, bxr_type_str(ptr));
		if (sem == BXR_S_AND || sem == BXR_S_OR || sem == BXR_S_XOR)
			return bxr_reject(env, -EACCES, d, -1, "R%d bitwise operator %s on pointer prohibited",
					  d, bx_ops[op].llvm);
		return bxr_reject(env, -EACCES, d, -1, "R%d pointer arithmetic with %s operator prohibited",
				  d, bx_ops[op].llvm);
	}
	if (sem == BXR_S_SUB && dst_is_off) {
		bxr_reason(env, "a pointer cannot be subtracted from a scalar");
		return bxr_reject(env, -EACCES, d, -1, "R%d tried to subtract pointer from scalar", d);
	}
	if ((err = sane_offset(env, offr, d, ptr)) || (err = sane_offset(env, ptr, d, ptr)))
		return err;
	/* unprivileged: Spectre-v1 sanitation of register offsets (unpriv.c) */
	if ((err = bxr_unpriv_sanitize(env, in, ptr, offr, dst_is_off, false, &san)))
		return err;
	if (sem == BXR_S_SUB && ptr->type == BXR_STACK) {	/* the kernel: JITs may not cope */
		bxr_reason(env, "only adding to the frame pointer is allowed, not subtracting");
		bxr_hint(env, "add a negative number instead: rN += -8");
		return bxr_reject(env, -EACCES, d, -1, "R%d subtraction from stack pointer prohibited", d);
	}
	if (known) {
		int64_t v = (int64_t)offr->var.value;
		int64_t no = sem == BXR_S_ADD ? (int64_t)ptr->off + v : (int64_t)ptr->off - v;

		if (no >= BXR_MAX_VAR_OFF || no <= -BXR_MAX_VAR_OFF)
			return bxr_reject(env, -EACCES, d, -1, "%s pointer offset %lld is not allowed",
					  bxr_type_str(ptr), (long long)no);
		res.off = (int32_t)no;
		if (res.range < 0 && no < ptr->off)
			res.range = 0;	/* no longer known to be at / beyond the end */
	} else {
		struct bxr_reg v = *ptr;

		v.type = BXR_SCALAR;
		scalar_op(&v, offr, sem);
		res.var = v.var;
		res.smin = v.smin; res.smax = v.smax; res.umin = v.umin; res.umax = v.umax;
		res.s32min = v.s32min; res.s32max = v.s32max; res.u32min = v.u32min; res.u32max = v.u32max;
		if (bxr_is_pkt(ptr)) {
			res.id = ++env->id_gen;
			res.range = 0;
		}
	}
	*dst = res;
	/* unprivileged: the result stays in its object, and the masking
	 * window is the same on every path (the kernel's
	 * sanitize_check_bounds, then sanitize_ptr_alu's commit) */
	if ((err = bxr_unpriv_check_bounds(env, d, dst)) ||
	    (err = bxr_unpriv_sanitize(env, in, dst, offr, dst_is_off, true, &san)))
		return err;
	if (dst->smin <= -BXR_MAX_VAR_OFF || dst->smax >= BXR_MAX_VAR_OFF) {
		/* kept: the memory access checks the bounds; an unbounded one fails there */
	}
	return 0;
}

/* ---- the instruction ------------------------------------------------------------- */

/* do_end - byte swaps (END format). */
static void do_end(struct bxr_reg *r, const struct bpfbox_insn *in, int sem)
{
	int bits = in->imm;
	uint64_t v = r->var.value;

	if (r->type != BXR_SCALAR)
		bxr_mark_unknown(r);
	if (sem == BXR_S_LE) {	/* little-endian host: a truncation */
		if (bits < 64)
			bxr_trunc(r, bits / 8);
		r->id = 0;
		return;
	}
	if (bxr_tnum_is_const(r->var)) {
		uint64_t o = bits == 16 ? __builtin_bswap16((uint16_t)v) :
			     bits == 32 ? __builtin_bswap32((uint32_t)v) : __builtin_bswap64(v);
		bxr_mark_const(r, o);
		return;
	}
	bxr_mark_unknown(r);
	if (bits < 64)
		bxr_trunc(r, bits / 8);
}

/*
 * bxr_check_alu - one ALU / ALU64 instruction (FMT ALU, NEG, MOVSX, END).
 */
int bxr_check_alu(struct bxr_env *env, const struct bpfbox_insn *in, int op)
{
	struct bxr_reg *regs = bxr_regs(env), *dst = &regs[in->dst_reg], srck, *src;
	int fmt = bx_ops[op].fmt, sem = bxr_sem_of[op], err;
	bool is64 = BX_CLASS(in->code) == BX_ALU64, x = BX_SRC(in->code) == BX_X;

	if (fmt == BX_F_END || fmt == BX_F_NEG) {
		if ((err = bxr_check_reg_read(env, in->dst_reg)) || (err = bxr_check_reg_write(env, in->dst_reg)))
			return err;
		if (bxr_leaks(env, dst)) {
			bxr_reason(env, "an unprivileged program may not turn a pointer into a number");
			return bxr_reject(env, -EACCES, in->dst_reg, -1, "R%d pointer arithmetic prohibited",
					  in->dst_reg);
		}
		if (fmt == BX_F_END) {
			do_end(dst, in, sem);
			return 0;
		}
		if (dst->type != BXR_SCALAR) {
			bxr_mark_unknown(dst);	/* privileged: a scalar */
		} else if (bxr_tnum_is_const(dst->var)) {
			uint64_t v = dst->var.value;

			bxr_mark_const(dst, is64 ? (uint64_t)-v : (uint32_t)-(uint32_t)v);
		} else {
			/* as the kernel: -x is 0 - x, with subtraction's ranges */
			struct bxr_reg z;

			bxr_mark_const(&z, 0);
			scalar_alu(&z, dst, BXR_S_SUB, is64);
			z.id = 0;
			*dst = z;
			return 0;
		}
		if (!is64)
			bxr_trunc(dst, 4);
		return 0;
	}
	if (x || fmt == BX_F_MOVSX) {
		if ((err = bxr_check_reg_read(env, in->src_reg)))
			return err;
		src = &regs[in->src_reg];
	} else {
		bxr_mark_const(&srck, is64 ? (uint64_t)(int64_t)in->imm : (uint32_t)in->imm);
		src = &srck;
	}
	if ((err = bxr_check_reg_write(env, in->dst_reg)))
		return err;
	if (fmt == BX_F_MOVSX) {
		int bytes = sem == BXR_S_S8 ? 1 : sem == BXR_S_S16 ? 2 : 4;
		struct bxr_reg t;
		bool no_sext = src->type == BXR_SCALAR &&
			       src->umax < (1ull << (bytes * 8 - 1));

		/* r1 = (s8/s16/s32) r2 of a value the sign extension keeps:
		 * the copies are linked (the kernel's movsx) */
		if (no_sext)
			bxr_assign_id(env, src);
		if (bxr_leaks(env, src)) {
			bxr_reason(env, "an unprivileged program may not sign-extend part of a pointer");
			return bxr_reject(env, -EACCES, in->src_reg, -1, "R%d sign-extension part of pointer",
					  in->src_reg);
		}
		t = *src;
		if (t.type != BXR_SCALAR)
			bxr_mark_unknown(&t);
		if (!no_sext) {
			t.id = 0;
			t.off = 0;
		}
		/* the kernel's coerce_reg_to_size_sx / coerce_subreg_to_size_sx:
		 * from the signed ranges, not the tnum */
		if (is64) {
			bxr_coerce_sx(&t, bytes);
		} else {
			bxr_coerce_subreg_sx(&t, bytes);
			bxr_zext32(&t);
		}
		*dst = t;
		return 0;
	}
	if (sem == BXR_S_MOV) {
		if (!x) {
			*dst = srck;
			return 0;
		}
		if (is64) {
			bxr_assign_id(env, src);
			*dst = *src;
			return 0;
		}
		if (bxr_leaks(env, src)) {
			bxr_reason(env, "an unprivileged program may not copy part of a pointer");
			return bxr_reject(env, -EACCES, in->src_reg, -1, "R%d partial copy of pointer",
					  in->src_reg);
		}
		if (src->type != BXR_SCALAR) {
			bxr_mark_unknown(dst);	/* privileged: a partial copy is a scalar */
			bxr_trunc(dst, 4);
			return 0;
		}
		/* w1 = w2 of a value that fits 32 bits: the copies are linked */
		if (bxr_reg_width(src) <= 32)
			bxr_assign_id(env, src);
		srck = *src;
		if (bxr_reg_width(src) > 32) {
			srck.id = 0;
			srck.off = 0;
		}
		/* the kernel's zext_32_to_64: the 64-bit bounds are the 32-bit
		 * ones (not only what the tnum says) */
		bxr_zext32(&srck);
		*dst = srck;
		return 0;
	}
	if ((err = bxr_check_reg_read(env, in->dst_reg)))
		return err;
	if ((sem == BXR_S_DIV || sem == BXR_S_MOD || sem == BXR_S_SDIV || sem == BXR_S_SMOD) &&
	    !x && in->imm == 0) {
		bxr_reason(env, "division by the constant 0");
		return bxr_reject(env, -EINVAL, -1, -1, "div by zero");
	}
	if ((sem == BXR_S_LSH || sem == BXR_S_RSH || sem == BXR_S_ARSH) && !x &&
	    (in->imm < 0 || in->imm >= (is64 ? 64 : 32)))
		return bxr_reject(env, -EINVAL, -1, -1, "invalid shift %d", in->imm);
	if (dst->type != BXR_SCALAR && src->type != BXR_SCALAR) {
		if (sem == BXR_S_SUB && !env->unpriv) {	/* privileged: pointer - pointer is a scalar */
			bxr_mark_unknown(dst);
			if (!is64)
				bxr_trunc(dst, 4);
			return 0;
		}
		bxr_reason(env, "r%d and r%d both hold pointers; only subtracting them is allowed",
			   in->dst_reg, in->src_reg);
		return bxr_reject(env, -EACCES, in->dst_reg, in->src_reg, "R%d pointer %s pointer prohibited",
				  in->dst_reg, bx_ops[op].llvm);
	}
	/* pointer arithmetic: the scalar's range becomes part of the pointer */
	if (dst->type != BXR_SCALAR && x && (err = bxr_mark_precise(env, in->src_reg)))
		return err;
	if (src->type != BXR_SCALAR && (err = bxr_mark_precise(env, in->dst_reg)))
		return err;
	if (dst->type != BXR_SCALAR)
		return ptr_alu(env, in, op, dst, dst, src, false);
	if (src->type != BXR_SCALAR) {
		struct bxr_reg p = *src, o = *dst;

		return ptr_alu(env, in, op, dst, &p, &o, true);
	}
	{
		uint32_t id = dst->id;

		scalar_alu(dst, src, sem, is64);
		dst->id = 0;
		dst->off = 0;
		/* r1 += K of a linked r1: still linked, with the offset K (the
		 * kernel's BPF_ADD_CONST; once only, K <= S32_MAX) */
		if (is64 && sem == BXR_S_ADD && id && !(id & BXR_ID_ADD_CONST) &&
		    bxr_tnum_is_const(src->var) && src->var.value <= (uint64_t)INT32_MAX) {
			dst->id = id | BXR_ID_ADD_CONST;
			dst->off = (int32_t)src->var.value;
		}
	}
	return 0;
}

/*
 * range.c - scalar bounds: signed and unsigned, 64- and 32-bit, kept
 * consistent with each other and with the tnum (the kernel's
 * reg_bounds_sync(): __update_reg_bounds, __reg_deduce_bounds,
 * __reg_bound_offset).
 */
#include <string.h>

#include "verifier/verifier.h"

#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define MIN(a, b) ((a) < (b) ? (a) : (b))

/* bxr_reset_bounds_unknown - no bounds at all (the tnum is left alone). */
void bxr_reset_bounds_unknown(struct bxr_reg *r)
{
	r->smin = INT64_MIN;
	r->smax = INT64_MAX;
	r->umin = 0;
	r->umax = UINT64_MAX;
	r->s32min = INT32_MIN;
	r->s32max = INT32_MAX;
	r->u32min = 0;
	r->u32max = UINT32_MAX;
}

/* bxr_mark_unknown - an unknown scalar. */
void bxr_mark_unknown(struct bxr_reg *r)
{
	memset(r, 0, sizeof(*r));
	r->type = BXR_SCALAR;
	r->var = BXR_TNUM_UNKNOWN;
	bxr_reset_bounds_unknown(r);
}

/* bxr_mark_const - a known scalar. */
void bxr_mark_const(struct bxr_reg *r, uint64_t v)
{
	memset(r, 0, sizeof(*r));
	r->type = BXR_SCALAR;
	r->var = bxr_tnum_const(v);
	r->smin = r->smax = (int64_t)v;
	r->umin = r->umax = v;
	r->s32min = r->s32max = (int32_t)v;
	r->u32min = r->u32max = (uint32_t)v;
}

/* bxr_mark_not_init - unreadable. */
void bxr_mark_not_init(struct bxr_reg *r)
{
	bxr_mark_unknown(r);
	r->type = BXR_NOT_INIT;
}

/* bxr_mark_ptr - a pointer with offset 0 and no variable part. */
void bxr_mark_ptr(struct bxr_reg *r, int type)
{
	bxr_mark_const(r, 0);
	r->type = (uint8_t)type;
}

/* bxr_is_const - a scalar with a known value. */
bool bxr_is_const(const struct bxr_reg *r)
{
	return r->type == BXR_SCALAR && bxr_tnum_is_const(r->var);
}

/* update_bounds - tighten min/max with what the tnum knows. */
static void update_bounds(struct bxr_reg *r)
{
	struct bxr_tnum v = r->var, s = bxr_tnum_subreg(r->var);

	r->smin = MAX(r->smin, (int64_t)(v.value | (v.mask & (1ull << 63))));
	r->smax = MIN(r->smax, (int64_t)(v.value | (v.mask & ~(1ull << 63))));
	r->umin = MAX(r->umin, v.value);
	r->umax = MIN(r->umax, v.value | v.mask);
	r->s32min = MAX(r->s32min, (int32_t)(s.value | (s.mask & (1u << 31))));
	r->s32max = MIN(r->s32max, (int32_t)(s.value | (s.mask & ~(1u << 31))));
	r->u32min = MAX(r->u32min, (uint32_t)s.value);
	r->u32max = MIN(r->u32max, (uint32_t)(s.value | s.mask));
}

/* deduce32 - 32-bit bounds from the 64-bit ones, and signed <-> unsigned. */
static void deduce32(struct bxr_reg *r)
{
	/* the 64-bit range stays within one 2^32 block: its low halves are ordered */
	if ((r->umin >> 32) == (r->umax >> 32)) {
		r->u32min = MAX(r->u32min, (uint32_t)r->umin);
		r->u32max = MIN(r->u32max, (uint32_t)r->umax);
		if ((int32_t)r->umin <= (int32_t)r->umax) {
			r->s32min = MAX(r->s32min, (int32_t)r->umin);
			r->s32max = MIN(r->s32max, (int32_t)r->umax);
		}
	}
	if (((uint64_t)r->smin >> 32) == ((uint64_t)r->smax >> 32)) {
		if ((uint32_t)r->smin <= (uint32_t)r->smax) {
			r->u32min = MAX(r->u32min, (uint32_t)r->smin);
			r->u32max = MIN(r->u32max, (uint32_t)r->smax);
		}
		if ((int32_t)r->smin <= (int32_t)r->smax) {
			r->s32min = MAX(r->s32min, (int32_t)r->smin);
			r->s32max = MIN(r->s32max, (int32_t)r->smax);
		}
	}
	/* u32 range does not cross the sign boundary: it is the s32 range too */
	if ((int32_t)r->u32min <= (int32_t)r->u32max) {
		r->s32min = MAX(r->s32min, (int32_t)r->u32min);
		r->s32max = MIN(r->s32max, (int32_t)r->u32max);
	}
	if ((uint32_t)r->s32min <= (uint32_t)r->s32max) {
		r->u32min = MAX(r->u32min, (uint32_t)r->s32min);
		r->u32max = MIN(r->u32max, (uint32_t)r->s32max);
	} else if (r->u32max < (uint32_t)r->s32min) {
		/* the s32 range crosses the sign boundary; the u32 range
		 * overlaps only its non-negative part */
		r->s32min = (int32_t)r->u32min;
		r->u32max = MIN(r->u32max, (uint32_t)r->s32max);
	} else if ((uint32_t)r->s32max < r->u32min) {
		/* ... or only its negative part */
		r->s32max = (int32_t)r->u32max;
		r->u32min = MAX(r->u32min, (uint32_t)r->s32min);
	}
}

/* cross64 - a signed or unsigned 64-bit range that does not cross the
 * sign boundary bounds the other one too; a signed range that does, split
 * between both ends of the unsigned domain, is cut by an unsigned range
 * that overlaps only one end (the kernel's __reg64_deduce_bounds). */
static void cross64(struct bxr_reg *r)
{
	if ((int64_t)r->umin <= (int64_t)r->umax) {
		r->smin = MAX(r->smin, (int64_t)r->umin);
		r->smax = MIN(r->smax, (int64_t)r->umax);
	}
	if ((uint64_t)r->smin <= (uint64_t)r->smax) {
		r->umin = MAX(r->umin, (uint64_t)r->smin);
		r->umax = MIN(r->umax, (uint64_t)r->smax);
	} else if (r->umax < (uint64_t)r->smin) {
		/* [umin, umax] lies in the non-negative part [0, smax] */
		r->smin = (int64_t)r->umin;
		r->umax = MIN(r->umax, (uint64_t)r->smax);
	} else if ((uint64_t)r->smax < r->umin) {
		/* [umin, umax] lies in the negative part [smin, -1] */
		r->smax = (int64_t)r->umax;
		r->umin = MAX(r->umin, (uint64_t)r->smin);
	}
}

/* mixed - the kernel's __reg_deduce_mixed_bounds(): the u32 range tightens
 * both 64-bit ranges at their ends, and a 64-bit value within the s32 range
 * whose low half is non-negative (e.g. after a sign-extending load) is that
 * low half. */
static void mixed(struct bxr_reg *r)
{
	uint64_t nu_min = (r->umin & ~0xffffffffull) | r->u32min;
	uint64_t nu_max = (r->umax & ~0xffffffffull) | r->u32max;
	int64_t ns_min = (int64_t)(((uint64_t)r->smin & ~0xffffffffull) | r->u32min);
	int64_t ns_max = (int64_t)(((uint64_t)r->smax & ~0xffffffffull) | r->u32max);

	r->umin = MAX(r->umin, nu_min);
	r->umax = MIN(r->umax, nu_max);
	r->smin = MAX(r->smin, ns_min);
	r->smax = MIN(r->smax, ns_max);
	if (r->s32min >= 0 && r->smin >= INT32_MIN && r->smax <= INT32_MAX) {
		r->smin = r->s32min;
		r->smax = r->s32max;
		r->umin = (uint64_t)r->s32min;
		r->umax = (uint64_t)r->s32max;
		r->var = bxr_tnum_intersect(r->var, bxr_tnum_range(r->umin, r->umax));
	}
}

/* deduce64 - 64-bit bounds from signed <-> unsigned and from the 32-bit ones. */
static void deduce64(struct bxr_reg *r)
{
	cross64(r);
	/* the u32 range tightens each end of the 64-bit ranges: the lowest
	 * value at or above umin whose low half is at least u32min has
	 * umin's high half, or is above every value with it (the kernel's
	 * __reg_deduce_mixed_bounds) */
	if (r->u32min <= r->u32max) {
		uint64_t lo = (r->umin & ~0xffffffffull) | r->u32min;
		uint64_t up = (r->umax & ~0xffffffffull) | r->u32max;
		int64_t slo = (int64_t)(((uint64_t)r->smin & ~0xffffffffull) | r->u32min);
		int64_t sup = (int64_t)(((uint64_t)r->smax & ~0xffffffffull) | r->u32max);

		r->umin = MAX(r->umin, lo);
		r->umax = MIN(r->umax, up);
		r->smin = MAX(r->smin, slo);
		r->smax = MIN(r->smax, sup);
	}
	/* a 64-bit value within the s32 range is its low half sign-extended:
	 * with a non-negative s32 range, that is the 64-bit range */
	if (r->s32min >= 0 && r->smin >= INT32_MIN && r->smax <= INT32_MAX) {
		r->smin = MAX(r->smin, r->s32min);
		r->smax = MIN(r->smax, r->s32max);
		r->umin = MAX(r->umin, (uint64_t)r->s32min);
		r->umax = MIN(r->umax, (uint64_t)r->s32max);
	}
	cross64(r);
	mixed(r);
}

/* bound_offset - the tnum from the bounds. */
static void bound_offset(struct bxr_reg *r)
{
	struct bxr_tnum v64 = bxr_tnum_intersect(r->var, bxr_tnum_range(r->umin, r->umax));
	struct bxr_tnum v32 = bxr_tnum_intersect(bxr_tnum_subreg(v64),
						 bxr_tnum_range(r->u32min, r->u32max));

	r->var = bxr_tnum_with_subreg(v64, v32);
}

/* bxr_bounds_sync - make tnum, 64-bit and 32-bit bounds agree (twice, as
 * each step can feed the others). */
void bxr_bounds_sync(struct bxr_reg *r)
{
	for (int k = 0; k < 2; k++) {
		update_bounds(r);
		deduce32(r);
		deduce64(r);
		bound_offset(r);
	}
	update_bounds(r);
}

/* bxr_bounds_from_var - bounds exactly as the tnum says (after tnum-only ops). */
void bxr_bounds_from_var(struct bxr_reg *r)
{
	bxr_reset_bounds_unknown(r);
	bxr_bounds_sync(r);
}

/* bxr_bounds_sane - no empty range (an impossible state). */
bool bxr_bounds_sane(const struct bxr_reg *r)
{
	if (r->type != BXR_SCALAR)
		return true;
	if (r->umin > r->umax || r->smin > r->smax || r->u32min > r->u32max ||
	    r->s32min > r->s32max)
		return false;
	if (r->var.value & r->var.mask)
		return false;
	return true;
}

/* bxr_zext32 - the register keeps its low 32 bits, zero-extended. */
void bxr_zext32(struct bxr_reg *r)
{
	r->var = bxr_tnum_subreg(r->var);
	r->umin = r->u32min;
	r->umax = r->u32max;
	r->smin = r->u32min;
	r->smax = r->u32max;
	bxr_bounds_sync(r);
}

/* bxr_trunc - keep the low `bytes` bytes, zero-extended (a narrow load or
 * a truncation). */
void bxr_trunc(struct bxr_reg *r, int bytes)
{
	uint64_t max;

	if (bytes >= 8)
		return;
	max = (1ull << (bytes * 8)) - 1;
	if (r->umax <= max) {
		bxr_bounds_sync(r);
		return;
	}
	r->var = bxr_tnum_cast(r->var, (uint8_t)bytes);
	bxr_bounds_from_var(r);
}

/* bxr_sext - sign-extend the low `bytes` bytes (movsx, ldsx). */
void bxr_sext(struct bxr_reg *r, int bytes)
{
	int64_t lo, hi;

	if (bytes >= 8)
		return;
	lo = -(1ll << (bytes * 8 - 1));
	hi = (1ll << (bytes * 8 - 1)) - 1;
	if (r->smin >= lo && r->smax <= hi) {
		bxr_bounds_sync(r);
		return;
	}
	if (bxr_tnum_is_const(r->var)) {
		uint64_t v = r->var.value, sh = 64 - bytes * 8;

		bxr_mark_const(r, (uint64_t)((int64_t)(v << sh) >> sh));
		return;
	}
	{
		struct bxr_reg t;

		bxr_mark_unknown(&t);
		t.smin = lo;
		t.smax = hi;
		t.id = 0;
		bxr_bounds_sync(&t);
		t.ref_obj_id = 0;
		*r = t;
	}
}

/* bxr_coerce_sx - the kernel's coerce_reg_to_size_sx(): the register's
 * value sign-extended from its low `bytes` bytes (ldsx, 64-bit movsx).
 * Like the kernel it looks at the signed range only (not the tnum): when
 * smin and smax differ above the low bytes, or the extended range crosses
 * zero, the result is the type's whole signed range. */
void bxr_coerce_sx(struct bxr_reg *r, int bytes)
{
	unsigned bits = (unsigned)bytes * 8, sh = 64 - bits;
	int64_t a, b, lo, hi;

	if (bytes >= 8)
		return;
	if (bxr_tnum_is_const(r->var)) {
		bxr_mark_const(r, (uint64_t)((int64_t)(r->var.value << sh) >> sh));
		return;
	}
	if (((uint64_t)r->smax >> bits) == ((uint64_t)r->smin >> bits)) {
		a = (int64_t)((uint64_t)r->smax << sh) >> sh;
		b = (int64_t)((uint64_t)r->smin << sh) >> sh;
		hi = a > b ? a : b;
		lo = a < b ? a : b;
		if ((lo >= 0) == (hi >= 0)) {
			r->smin = lo;
			r->smax = hi;
			r->s32min = (int32_t)lo;
			r->s32max = (int32_t)hi;
			r->umin = (uint64_t)lo;
			r->umax = (uint64_t)hi;
			r->u32min = (uint32_t)lo;
			r->u32max = (uint32_t)hi;
			r->var = bxr_tnum_range((uint64_t)lo, (uint64_t)hi);
			return;
		}
	}
	r->smin = -(1ll << (bits - 1));
	r->smax = (1ll << (bits - 1)) - 1;
	r->s32min = (int32_t)r->smin;
	r->s32max = (int32_t)r->smax;
	r->umin = 0;
	r->umax = UINT64_MAX;
	r->u32min = 0;
	r->u32max = UINT32_MAX;
	r->var = BXR_TNUM_UNKNOWN;
}

/* bxr_coerce_subreg_sx - the kernel's coerce_subreg_to_size_sx(): the low
 * 32 bits sign-extended from their low `bytes` (1 or 2) bytes (32-bit
 * movsx), from the 32-bit signed range only; the caller zero-extends. */
void bxr_coerce_subreg_sx(struct bxr_reg *r, int bytes)
{
	unsigned bits = (unsigned)bytes * 8, sh = 32 - bits;
	int32_t a, b, lo, hi;

	if (bxr_tnum_is_const(r->var)) {
		uint32_t v = (uint32_t)((int32_t)((uint32_t)r->var.value << sh) >> sh);

		r->var = bxr_tnum_const(v);
		r->s32min = r->s32max = (int32_t)v;
		r->u32min = r->u32max = v;
		return;
	}
	if (((uint32_t)r->s32max >> bits) == ((uint32_t)r->s32min >> bits)) {
		a = (int32_t)((uint32_t)r->s32max << sh) >> sh;
		b = (int32_t)((uint32_t)r->s32min << sh) >> sh;
		hi = a > b ? a : b;
		lo = a < b ? a : b;
		if ((lo >= 0) == (hi >= 0)) {
			r->s32min = lo;
			r->s32max = hi;
			r->u32min = (uint32_t)lo;
			r->u32max = (uint32_t)hi;
			r->var = bxr_tnum_subreg(bxr_tnum_range((uint64_t)(int64_t)lo, (uint64_t)(int64_t)hi));
			return;
		}
	}
	r->s32min = -(1 << (bits - 1));
	r->s32max = (1 << (bits - 1)) - 1;
	r->u32min = 0;
	r->u32max = UINT32_MAX;
	r->var = bxr_tnum_subreg(BXR_TNUM_UNKNOWN);
}

/*
 * tnum.c - tristate numbers: a value and a mask of unknown bits, as the
 * kernel's kernel/bpf/tnum.c (same algorithms, same results).
 */
#include <stdio.h>

#include "verifier/verifier.h"

/* bxr_tnum_const - a known value. */
struct bxr_tnum bxr_tnum_const(uint64_t v)
{
	return (struct bxr_tnum){ v, 0 };
}

/* bxr_tnum_range - the smallest tnum holding every value in [min, max]. */
struct bxr_tnum bxr_tnum_range(uint64_t min, uint64_t max)
{
	uint64_t chi = min ^ max, delta;
	int bits = chi ? 64 - __builtin_clzll(chi) : 0;

	if (bits > 63)
		return BXR_TNUM_UNKNOWN;
	delta = (1ull << bits) - 1;
	return (struct bxr_tnum){ min & ~delta, delta };
}

/* bxr_tnum_lshift - a << shift. */
struct bxr_tnum bxr_tnum_lshift(struct bxr_tnum a, uint8_t shift)
{
	return (struct bxr_tnum){ a.value << shift, a.mask << shift };
}

/* bxr_tnum_rshift - a >> shift (logical). */
struct bxr_tnum bxr_tnum_rshift(struct bxr_tnum a, uint8_t shift)
{
	return (struct bxr_tnum){ a.value >> shift, a.mask >> shift };
}

/* bxr_tnum_arshift - arithmetic shift of a 32- or 64-bit value. */
struct bxr_tnum bxr_tnum_arshift(struct bxr_tnum a, uint8_t min_shift, uint8_t insn_bitness)
{
	if (insn_bitness == 32)
		return (struct bxr_tnum){ (uint32_t)((int32_t)a.value >> min_shift),
					  (uint32_t)((int32_t)a.mask >> min_shift) };
	return (struct bxr_tnum){ (uint64_t)((int64_t)a.value >> min_shift),
				  (uint64_t)((int64_t)a.mask >> min_shift) };
}

/* bxr_tnum_add - a + b. */
struct bxr_tnum bxr_tnum_add(struct bxr_tnum a, struct bxr_tnum b)
{
	uint64_t sm = a.mask + b.mask, sv = a.value + b.value, sigma = sm + sv;
	uint64_t chi = sigma ^ sv, mu = chi | a.mask | b.mask;

	return (struct bxr_tnum){ sv & ~mu, mu };
}

/* bxr_tnum_sub - a - b. */
struct bxr_tnum bxr_tnum_sub(struct bxr_tnum a, struct bxr_tnum b)
{
	uint64_t dv = a.value - b.value, alpha = dv + a.mask, beta = dv - b.mask;
	uint64_t chi = alpha ^ beta, mu = chi | a.mask | b.mask;

	return (struct bxr_tnum){ dv & ~mu, mu };
}

/* bxr_tnum_and - a & b. */
struct bxr_tnum bxr_tnum_and(struct bxr_tnum a, struct bxr_tnum b)
{
	uint64_t alpha = a.value | a.mask, beta = b.value | b.mask, v = a.value & b.value;

	return (struct bxr_tnum){ v, alpha & beta & ~v };
}

/* bxr_tnum_or - a | b. */
struct bxr_tnum bxr_tnum_or(struct bxr_tnum a, struct bxr_tnum b)
{
	uint64_t v = a.value | b.value, mu = a.mask | b.mask;

	return (struct bxr_tnum){ v, mu & ~v };
}

/* bxr_tnum_xor - a ^ b. */
struct bxr_tnum bxr_tnum_xor(struct bxr_tnum a, struct bxr_tnum b)
{
	uint64_t v = a.value ^ b.value, mu = a.mask | b.mask;

	return (struct bxr_tnum){ v & ~mu, mu };
}

/* tnum_either - what a value that is a or b is known to be (the kernel's
 * tnum_union): the bits both know and agree on. */
static struct bxr_tnum tnum_either(struct bxr_tnum a, struct bxr_tnum b)
{
	uint64_t mu = (a.value ^ b.value) | a.mask | b.mask;

	return (struct bxr_tnum){ a.value & b.value & ~mu, mu };
}

/* bxr_tnum_mul - a * b as the kernel (6.17+) computes it: shift and add b
 * for each bit of a that is a certain 1; for an unknown bit, the result
 * is either the sum so far or the sum plus b. (Its verdicts follow this
 * kernel's: the earlier algorithm is more precise on some inputs.) */
struct bxr_tnum bxr_tnum_mul(struct bxr_tnum a, struct bxr_tnum b)
{
	struct bxr_tnum acc = bxr_tnum_const(0);

	while (a.value || a.mask) {
		if (a.value & 1)
			acc = bxr_tnum_add(acc, b);
		else if (a.mask & 1)
			acc = tnum_either(acc, bxr_tnum_add(acc, b));
		a = bxr_tnum_rshift(a, 1);
		b = bxr_tnum_lshift(b, 1);
	}
	return acc;
}

/* bxr_tnum_intersect - what both a and b know. */
struct bxr_tnum bxr_tnum_intersect(struct bxr_tnum a, struct bxr_tnum b)
{
	uint64_t v = a.value | b.value, mu = a.mask & b.mask;

	return (struct bxr_tnum){ v & ~mu, mu };
}

/* bxr_tnum_cast - the low `size` bytes. */
struct bxr_tnum bxr_tnum_cast(struct bxr_tnum a, uint8_t size)
{
	if (size >= 8)
		return a;
	a.value &= (1ull << (size * 8)) - 1;
	a.mask &= (1ull << (size * 8)) - 1;
	return a;
}

/* bxr_tnum_subreg - the low 32 bits. */
struct bxr_tnum bxr_tnum_subreg(struct bxr_tnum a)
{
	return bxr_tnum_cast(a, 4);
}

/* bxr_tnum_clear_subreg - the high 32 bits, low bits zero. */
struct bxr_tnum bxr_tnum_clear_subreg(struct bxr_tnum a)
{
	return bxr_tnum_lshift(bxr_tnum_rshift(a, 32), 32);
}

/* bxr_tnum_with_subreg - reg's high half with subreg as its low half. */
struct bxr_tnum bxr_tnum_with_subreg(struct bxr_tnum reg, struct bxr_tnum subreg)
{
	return bxr_tnum_or(bxr_tnum_clear_subreg(reg), bxr_tnum_subreg(subreg));
}

/* bxr_tnum_in - is every value of b a value of a? */
bool bxr_tnum_in(struct bxr_tnum a, struct bxr_tnum b)
{
	if (b.mask & ~a.mask)
		return false;
	b.value &= ~a.mask;
	return a.value == b.value;
}

/* bxr_tnum_is_aligned - are all values multiples of size (a power of 2)? */
bool bxr_tnum_is_aligned(struct bxr_tnum a, uint64_t size)
{
	if (!size)
		return true;
	return !((a.value | a.mask) & (size - 1));
}

/* bxr_tnum_str - "(0x..; 0x..)" as the kernel's tnum_strn. */
int bxr_tnum_str(char *buf, size_t n, struct bxr_tnum a)
{
	return snprintf(buf, n, "(0x%llx; 0x%llx)", (unsigned long long)a.value,
			(unsigned long long)a.mask);
}

/*
 * helpers_misc.c - bpf_get_prandom_u32(), the CPU and NUMA node ids, and
 * bpf_csum_diff() with the kernel's checksum arithmetic.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "helpers/helpers.h"
#include "vm/vm_internal.h"

/*
 * bxk_get_prandom_u32 - u32 bpf_get_prandom_u32(void): splitmix64 over a
 * per-vm state advanced atomically (lock-free, safe from any thread).
 * Not the kernel's generator; as there, not for cryptography.
 */
uint64_t bxk_get_prandom_u32(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			     uint64_t r3, uint64_t r4, uint64_t r5)
{
	uint64_t z;

	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	z = atomic_fetch_add(&call->vm->prandom, 0x9e3779b97f4a7c15ull) +
	    0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

/* bxk_get_smp_processor_id - u32 bpf_get_smp_processor_id(void): the
 * run's simulated CPU. */
uint64_t bxk_get_smp_processor_id(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
				  uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return call->cpu;
}

/* bxk_get_numa_node_id - long bpf_get_numa_node_id(void): always node 0. */
uint64_t bxk_get_numa_node_id(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			      uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)call, (void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return 0;
}

/* One's-complement 32-bit add (the kernel's csum_add). */
static uint32_t bxk_csum_add(uint32_t a, uint32_t b)
{
	uint32_t s = a + b;

	return s + (s < b);
}

/*
 * bxk_csum_partial - the x86-64 csum_partial(): 64-bit one's-complement
 * sum of the buffer read as little-endian words (trailing bytes
 * zero-extended) and of `sum`, folded to 32 bits.
 */
uint32_t bxk_csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const unsigned char *p = buf;
	uint64_t t = sum, w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		t += w;
		t += t < w;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		t += w;
		t += t < w;
	}
	/* csum_finalize_sum(): (t + ror64(t, 32)) >> 32 */
	return (uint32_t)((t + ((t >> 32) | (t << 32))) >> 32);
}

/* Fold 32 bits to 16 (the kernel's csum_from32to16). */
static uint32_t bxk_csum_from32to16(uint32_t sum)
{
	sum += (sum >> 16) | (sum << 16);
	return (uint16_t)(sum >> 16);
}

/*
 * bxk_csum_diff - s64 bpf_csum_diff(from, from_size, to, to_size, seed):
 * as the kernel since 6.13 (checksum of `to` minus checksum of `from`,
 * plus seed, folded to 16 bits; sizes need not be multiples of 4 any
 * more). A NULL buffer with a non-zero size gives -EINVAL.
 */
uint64_t bxk_csum_diff(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
		       uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "csum_diff";
	uint32_t from_size = (uint32_t)r2, to_size = (uint32_t)r4, seed = (uint32_t)r5;
	uint32_t ret = seed;

	if ((from_size && !r1) || (to_size && !r3))
		return (uint64_t)(long)-EINVAL;
	if (bxk_arg_mem(call, name, 1, "from", r1, from_size, false) ||
	    bxk_arg_mem(call, name, 3, "to", r3, to_size, false))
		return (uint64_t)(long)-EFAULT;
	if (from_size && to_size)
		ret = bxk_csum_add(bxk_csum_partial(BXK_PTR(r3), to_size, ret),
				   ~bxk_csum_partial(BXK_PTR(r1), from_size, 0));
	else if (to_size)
		ret = bxk_csum_partial(BXK_PTR(r3), to_size, ret);
	else if (from_size)
		ret = ~bxk_csum_partial(BXK_PTR(r1), from_size, ~ret);
	return bxk_csum_from32to16(ret);
}

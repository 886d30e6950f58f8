/*
 * loops.h - the JIT benchmark's loops, written once and compiled both for
 * BPF (progs/loops.bpf.c, clang -target bpf, run by the kernel's JIT and
 * bpfbox) and natively with -O2 (native/loops_native.c). Each takes the
 * packet [d, e) and returns a 32-bit result; the packet's first 8 bytes
 * seed them so that no compiler can fold the loops away.
 */
#ifndef BENCH_LOOPS_H
#define BENCH_LOOPS_H

typedef unsigned long long u64_t;
typedef unsigned int u32_t;
typedef unsigned short __attribute__((may_alias)) u16a_t;
typedef unsigned char u8_t;

#define LOOPS_INLINE static inline __attribute__((always_inline))

LOOPS_INLINE u64_t loops_seed(const u8_t *d, const u8_t *e)
{
	if (d + 8 > e)
		return 1;
	return *(const u64_t *)(const void *)d | 1;
}

/* a 64-bit multiply/xor hash chain */
LOOPS_INLINE u32_t loops_hash_chain(const u8_t *d, const u8_t *e)
{
	u64_t h = loops_seed(d, e);

	for (u32_t i = 0; i < 4096; i++) {
		h ^= i;
		h *= 0x100000001b3ULL;
		h ^= h >> 29;
	}
	return (u32_t)(h ^ (h >> 32));
}

/* the Internet checksum of the packet's first KiB, four times */
LOOPS_INLINE u32_t loops_checksum(const u8_t *d, const u8_t *e)
{
	u64_t sum = 0;

	if (d + 1024 > e)
		return 0;
	for (int k = 0; k < 4; k++)
		for (int i = 0; i < 512; i++)
			sum += *(const u16a_t *)(const void *)(d + 2 * i);
	for (int i = 0; i < 4; i++)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u32_t)~sum & 0xffff;
}

/* data-dependent branches */
LOOPS_INLINE u32_t loops_branchy(const u8_t *d, const u8_t *e)
{
	u64_t x = loops_seed(d, e), steps = 0;

	for (u32_t i = 0; i < 2048; i++) {
		u64_t v = x ^ i;

		if (v & 1)
			x = x * 3 + i;
		else
			x >>= 1;
		if (v & 4)
			steps += 2;
		else
			steps -= 1;
		if ((x & 0xff) > 0x80)
			x ^= 0x55;
	}
	return (u32_t)(steps ^ x);
}

/* 32-bit arithmetic: an LCG, rotates, shifts */
LOOPS_INLINE u32_t loops_arith32(const u8_t *d, const u8_t *e)
{
	u32_t a = (u32_t)loops_seed(d, e), b = a ^ 0x9e3779b9u, c = 0;

	for (u32_t i = 0; i < 4096; i++) {
		a = a * 1103515245u + 12345u;
		b ^= a >> 7;
		b = (b << 5) | (b >> 27);
		c += (a ^ b) >> 3;
		c -= b & 0xff;
	}
	return a ^ b ^ c;
}

/* an array on the stack, read and written at computed indexes */
LOOPS_INLINE u32_t loops_stack_heavy(const u8_t *d, const u8_t *e)
{
	u64_t arr[32], s = loops_seed(d, e), r = 0;

	for (int i = 0; i < 32; i++)
		arr[i] = s * (u64_t)(i + 1);
	for (u32_t i = 0; i < 2048; i++) {
		u32_t j = i & 31, k = (i * 7 + 3) & 31;
		arr[j] += arr[k] ^ i;
		arr[k] = (arr[k] << 1) | (arr[j] >> 63);
	}
	for (int i = 0; i < 32; i++)
		r ^= arr[i];
	return (u32_t)(r ^ (r >> 32));
}

#endif /* BENCH_LOOPS_H */

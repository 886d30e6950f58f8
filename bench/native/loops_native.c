/* loops_native.c - the JIT benchmark's loops (progs/loops.h) compiled natively. */
#include "../progs/loops.h"

#define NATIVE(NAME)                                                                   \
	__attribute__((noinline)) u32_t native_##NAME(const u8_t *d, const u8_t *e);   \
	__attribute__((noinline)) u32_t native_##NAME(const u8_t *d, const u8_t *e)    \
	{                                                                              \
		return loops_##NAME(d, e);                                             \
	}

NATIVE(hash_chain)
NATIVE(checksum)
NATIVE(branchy)
NATIVE(arith32)
NATIVE(stack_heavy)

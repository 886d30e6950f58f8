/*
 * jitgen.h - random eBPF programs and a two-engine runner, for the JIT's
 * tests (tests/test_jit.c, tests/test_jit_diff.c).
 *
 * A generated program works on r0..r8 (r9 holds the ctx, r10 the stack;
 * neither value is ever mixed into data, since their addresses differ
 * between runs) and a 512-byte ctx:
 *   [0, 128)    data the program loads, stores and updates atomically
 *   [128, 200)  r0..r8 at the end
 *   [256, 320)  the top 64 bytes of its stack at the end
 * It uses ALU64/ALU32 (every op, K and X), movsx, byte swaps, loads and
 * stores of every size on the stack and the ctx, atomics, forward jumps
 * (JMP, JMP32, ja, gotol), small counted loops, legacy packet loads,
 * calls of two recording helpers, and a bpf-to-bpf subprogram.
 *
 * jg_compare() loads it once and runs it trusted in the interpreter and
 * in the JIT on copies of one ctx, then compares the result, r0, the ctx
 * bytes and the helper-call trace.
 */
#ifndef BPFBOX_TESTS_JITGEN_H
#define BPFBOX_TESTS_JITGEN_H

#include <stddef.h>
#include <stdint.h>

#include "bpfbox/bpfbox.h"

#define JG_CTX_SIZE 512
#define JG_MAX_TRACE 64
#define JG_MAX_INSNS 512

/* the recording helpers' ids; helper 3 returns a 64-byte region it
 * registers for checked runs (bxv_run_add_region) */
#define JG_HELPER_A 1
#define JG_HELPER_B 2
#define JG_HELPER_MEM 3
#define JG_REGION_SIZE 64

struct jg_trace {
	unsigned n;
	uint64_t rec[JG_MAX_TRACE][6];   /* helper id, r1..r5 */
};

struct jg_env {
	struct bpfbox_vm *vm;
	struct jg_trace tr;
	char log[512];
	uint8_t region[JG_REGION_SIZE];
};

/* A vm with only the two recording helpers. Returns 0 or -errno. */
int jg_env_init(struct jg_env *e);
void jg_env_free(struct jg_env *e);

/* Generate a program into out[0..JG_MAX_INSNS) from the seed in *rng.
 * focus: an enum bx_op the body favours, or -1. Returns the slot count. */
size_t jg_gen(uint64_t *rng, int focus, struct bpfbox_insn *out);

/* The same, plus what only a checked run survives: accesses across the
 * edges of the ctx, the stack frame and helper 3's region, through data
 * registers, misaligned atomics, loops without end, recursion. */
size_t jg_gen_checked(uint64_t *rng, struct bpfbox_insn *out);

/* Fill a ctx with pseudo-random bytes. */
void jg_fill_ctx(uint64_t *rng, uint8_t *ctx);

/* Run both engines; 0 if they agree, 1 and a reason in why if not, -1 if
 * the program did not load or the JIT did not compile (why says). */
int jg_compare(struct jg_env *e, const struct bpfbox_insn *insns, size_t cnt, const uint8_t *ctx,
	       char *why, size_t why_sz);

/* Load unverified and run checked in the interpreter and on the checked
 * JIT (budget max_insns): the same errno; for a fault other than the
 * budget the same message (addresses aside: insn index, kind, register);
 * without one the same r0, ctx, region and helper trace. 0 agree, 1 not
 * (why says), -1 not run. *fault: the interpreter's result (0 or -errno). */
int jg_compare_checked(struct jg_env *e, const struct bpfbox_insn *insns, size_t cnt,
		       const uint8_t *ctx, uint64_t max_insns, char *why, size_t why_sz, int *fault);

/* xorshift64* */
uint64_t jg_rand(uint64_t *s);

#endif /* BPFBOX_TESTS_JITGEN_H */

/*
 * test_jit_diff.c - differential test of the JIT against the interpreter:
 * generated programs (tests/jitgen.c: ALU64/ALU32, JMP/JMP32, loads and
 * stores on the stack and the ctx, atomics, helper calls, a bpf-to-bpf
 * call, loops, legacy packet loads) run trusted in both engines; r0, the
 * ctx and stack bytes and the helper-call trace must be identical.
 *
 *   BPFBOX_JIT_DIFF_N=N      programs (default 100000)
 *   BPFBOX_JIT_DIFF_SEED=S   first seed (default 1); program k uses S + k
 *
 * Then the checked JIT against the checked interpreter, faults included
 * (tests/jitgen.c jg_gen_checked(): accesses across the edges of the ctx,
 * the stack frame and a helper's region, through data registers,
 * misaligned atomics, loops without end, recursion past the depth limit):
 * the same errno, the same fault message (instruction index, kind,
 * register; addresses aside), and without a fault the same r0, ctx, region
 * and helper trace.
 *
 *   BPFBOX_JIT_DIFF_CHECKED_N=N  checked programs (default 20000), budget 100000
 *
 * A mismatch prints its seed and the program's disassembly.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "jitgen.h"
#include "testlib.h"

/* Print a program (LLVM syntax). */
static void dump(const struct bpfbox_insn *insns, size_t cnt)
{
	BPFBOX_OPTS(bpfbox_disasm_opts, dopts, .flags = BPFBOX_DISASM_RAW);
	char line[256];

	for (size_t i = 0; i < cnt;) {
		int k = bpfbox_disasm_insn(insns, cnt, i, &dopts, line, sizeof(line));
		printf("    %s\n", line);
		i += k > 0 ? (size_t)k : 1;
	}
}

/*
 * check_diff - the checked JIT against the checked interpreter on
 * generated programs that fault.
 */
static void check_diff(struct jg_env *e, uint64_t seed0)
{
	const char *n_env = getenv("BPFBOX_JIT_DIFF_CHECKED_N");
	unsigned long n = n_env && *n_env ? strtoul(n_env, NULL, 0) : 20000;
	static struct bpfbox_insn insns[JG_MAX_INSNS];
	uint8_t ctx[JG_CTX_SIZE];
	unsigned long done = 0, mism = 0, bad = 0, ok = 0, efault = 0, eloop = 0, e2big = 0, other = 0;
	struct timespec t0, t1;
	char why[1024];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long k = 0; k < n; k++) {
		uint64_t rng = (seed0 + k) * 0xd1b54a32d192ed03ull + 7;
		size_t cnt = jg_gen_checked(&rng, insns);
		int r, fault = 0;

		jg_fill_ctx(&rng, ctx);
		r = jg_compare_checked(e, insns, cnt, ctx, 100000, why, sizeof(why), &fault);
		if (r < 0) {
			if (bad++ < 5)
				printf("checked seed %llu: %s\n", (unsigned long long)(seed0 + k), why);
			continue;
		}
		done++;
		ok += fault == 0;
		efault += fault == -EFAULT;
		eloop += fault == -ELOOP;
		e2big += fault == -E2BIG;
		other += fault && fault != -EFAULT && fault != -ELOOP && fault != -E2BIG;
		if (r > 0 && mism++ < 10) {
			printf("CHECKED MISMATCH seed %llu: %s\n", (unsigned long long)(seed0 + k), why);
			if (mism <= 2)
				dump(insns, cnt);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("checked jit diff: %lu programs compared (%lu ran to the end, %lu memory faults, "
	       "%lu budget, %lu call depth, %lu other), %lu mismatches, %lu not run, %.1f s\n",
	       done, ok, efault, eloop, e2big, other, mism, bad,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	CHECK_MSG(mism == 0, "%lu of %lu programs differ between the checked interpreter and the "
		  "checked JIT", mism, done);
	CHECK_MSG(bad == 0, "%lu generated programs did not load or compile", bad);
	CHECK_MSG(done == n, "%lu of %lu programs compared", done, n);
	/* the generator must reach every kind of stop, or the test proves little */
	CHECK_MSG(n < 1000 || (ok && efault && eloop && e2big),
		  "not every outcome was generated: %lu ok, %lu faults, %lu budget, %lu depth",
		  ok, efault, eloop, e2big);
}

int main(void)
{
	const char *n_env = getenv("BPFBOX_JIT_DIFF_N"), *s_env = getenv("BPFBOX_JIT_DIFF_SEED");
	unsigned long n = n_env && *n_env ? strtoul(n_env, NULL, 0) : 100000;
	uint64_t seed0 = s_env && *s_env ? strtoull(s_env, NULL, 0) : 1;
	static struct bpfbox_insn insns[JG_MAX_INSNS];
	uint8_t ctx[JG_CTX_SIZE];
	unsigned long done = 0, mism = 0, bad = 0, slots = 0;
	struct jg_env e;
	struct timespec t0, t1;
	char why[512];

	if (jg_env_init(&e)) {
		CHECK_MSG(0, "cannot create the vm");
		return tl_summary();
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long k = 0; k < n; k++) {
		uint64_t rng = (seed0 + k) * 0x9e3779b97f4a7c15ull + 1;
		size_t cnt = jg_gen(&rng, -1, insns);
		int r;

		jg_fill_ctx(&rng, ctx);
		r = jg_compare(&e, insns, cnt, ctx, why, sizeof(why));
		slots += cnt;
		if (r < 0) {
			if (bad++ < 5)
				printf("seed %llu: %s\n", (unsigned long long)(seed0 + k), why);
			continue;
		}
		done++;
		if (r > 0 && mism++ < 10) {
			printf("MISMATCH seed %llu: %s\n", (unsigned long long)(seed0 + k), why);
			if (mism <= 2)
				dump(insns, cnt);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("jit diff: %lu programs compared (%lu slots, seeds %llu..%llu), %lu mismatches, "
	       "%lu not run, %.1f s\n", done, slots, (unsigned long long)seed0,
	       (unsigned long long)(seed0 + n - 1), mism, bad,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	CHECK_MSG(mism == 0, "%lu of %lu programs differ between the interpreter and the JIT",
		  mism, done);
	CHECK_MSG(bad == 0, "%lu generated programs did not load or compile", bad);
	CHECK_MSG(done == n, "%lu of %lu programs compared", done, n);
	check_diff(&e, seed0);
	jg_env_free(&e);
	return tl_summary();
}

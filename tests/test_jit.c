/*
 * test_jit.c - the x86-64 JIT:
 *   - every row of the instruction table, in generated programs that
 *     favour it, gives the interpreter's results (r0, memory, helper calls);
 *   - the conformance suite through the JIT (trusted) passes as many as the
 *     interpreter;
 *   - RFC corner cases, lddw pseudo forms, callx, bpf-to-bpf calls and
 *     their depth limit, callbacks, tail calls and their chain limit;
 *   - code is mapped read+execute (never writable) and unmapped with the
 *     program; engine selection (JIT for checked runs, BPFBOX_NO_JIT, the
 *     vm option); lazy compilation from several threads.
 * Skips (except the engine checks) on hosts without a JIT.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "isa/isa.h"
#include "jit/jit.h"
#include "jitgen.h"
#include "testlib.h"

static char last_log[1024];

static void log_fn(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	(void)ctx;
	if (level <= BPFBOX_LOG_WARN)
		snprintf(last_log, sizeof(last_log), "%s", msg);
}

static struct bpfbox_vm *new_vm(bool no_jit, bool kernel_helpers)
{
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = log_fn, .no_jit = no_jit,
		    .no_kernel_helpers = !kernel_helpers);
	struct bpfbox_vm *vm = NULL;

	CHECK_EQ_INT(bpfbox_vm__new(&vo, &vm), 0);
	return vm;
}

static struct bpfbox_prog *load_asm(struct bpfbox_vm *vm, const char *text,
				    struct bpfbox_map *const *maps, size_t nmaps)
{
	BPFBOX_OPTS(bpfbox_asm_opts, ao, .filename = "test", .log = log_fn);
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "t", .maps = maps, .map_cnt = nmaps);
	struct bpfbox_insn *insns = NULL;
	struct bpfbox_prog *prog = NULL;
	size_t cnt = 0;
	int err = bpfbox_asm(text, strlen(text), &ao, &insns, &cnt);

	if (!err)
		err = bpfbox_prog__load(vm, insns, cnt, &po, &prog);
	CHECK_MSG(err == 0, "load: %d %s", err, last_log);
	free(insns);
	return prog;
}

/* run with an engine, trusted */
static int run(struct bpfbox_prog *prog, enum bpfbox_engine engine, void *ctx, size_t len,
	       uint64_t *r0)
{
	BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = ctx, .ctx_size = len, .mode = BPFBOX_RUN_TRUSTED,
		    .engine = engine);
	int err = bpfbox_prog__run(prog, &ro);

	*r0 = ro.retval;
	return err;
}

/* ---- every table row ------------------------------------------------------------------ */

static void test_rows(void)
{
	static struct bpfbox_insn insns[JG_MAX_INSNS];
	uint8_t ctx[JG_CTX_SIZE];
	struct jg_env e;
	unsigned rows = 0, progs = 0, skipped = 0;
	char why[512];

	if (jg_env_init(&e)) {
		CHECK_MSG(0, "jg_env_init");
		return;
	}
	for (int op = 0; op < BX_OP__COUNT; op++) {
		int fmt = bx_ops[op].fmt;
		unsigned mism = 0, n = 0;

		/* not generated in bodies: checked by the tests below */
		if (fmt == BX_F_EXIT || fmt == BX_F_CALLX || fmt == BX_F_LDDW ||
		    op == BX_OP_CALL_KFUNC) {
			skipped++;
			continue;
		}
		for (unsigned k = 0; k < 300; k++) {
			uint64_t rng = (uint64_t)op * 1000003u + k + 1;
			size_t cnt = jg_gen(&rng, op, insns);
			int r;

			jg_fill_ctx(&rng, ctx);
			r = jg_compare(&e, insns, cnt, ctx, why, sizeof(why));
			n++;
			if (r && mism++ == 0)
				CHECK_MSG(0, "%s (seed %u): %s", bx_ops[op].name, k, why);
		}
		CHECK_MSG(mism == 0, "%s: %u of %u programs differ", bx_ops[op].name, mism, n);
		rows++;
		progs += n;
	}
	printf("table rows: %u rows x 300 programs (%u) agree; %u rows tested separately\n", rows,
	       progs, skipped);
	jg_env_free(&e);
}

/* ---- the conformance suite --------------------------------------------------------------- */

static uint64_t helper5(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
			uint64_t r4, uint64_t r5)
{
	(void)call; (void)r1; (void)r2; (void)r3; (void)r4; (void)r5;
	return 0;
}

/* run one suite program; 1 if r0 is right */
static int conf_one(const struct bxt_conf_test *t, enum bpfbox_engine engine)
{
	struct bpfbox_vm *vm = new_vm(false, false);
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = t->name);
	struct bpfbox_prog *prog = NULL;
	uint8_t *mem = t->mem_len ? malloc(t->mem_len) : NULL;
	uint64_t r0 = 0;
	int ok = 0;

	if (vm && !bpfbox_vm__register_helper(vm, 5, "helper5", helper5, NULL) &&
	    !bpfbox_prog__load(vm, (const struct bpfbox_insn *)t->code, t->code_len / 8, &po,
			       &prog)) {
		if (mem)
			memcpy(mem, t->mem, t->mem_len);
		ok = run(prog, engine, mem, t->mem_len, &r0) == 0 && r0 == t->result;
		if (ok && engine == BPFBOX_ENGINE_JIT)
			ok = bxj_code(prog, NULL, NULL, NULL) == 0;
	}
	if (!ok)
		printf("  %s (%s): r0 = 0x%llx, want 0x%llx %s\n", t->name,
		       engine == BPFBOX_ENGINE_JIT ? "jit" : "interp", (unsigned long long)r0,
		       (unsigned long long)t->result, last_log);
	free(mem);
	bpfbox_prog__free(prog);
	bpfbox_vm__free(vm);
	return ok;
}

static void test_conformance(void)
{
	struct bxt_conf conf;
	unsigned pass_i = 0, pass_j = 0;
	char why[512];
	int err = bxt_conf_load(&conf, why, sizeof(why));

	if (err) {
		if (err == -ENOENT)
			TL_SKIP("conformance: %s", why);
		else
			CHECK_MSG(0, "conformance: %s", why);
		return;
	}
	for (size_t i = 0; i < conf.cnt; i++) {
		pass_i += (unsigned)conf_one(&conf.tests[i], BPFBOX_ENGINE_INTERP);
		pass_j += (unsigned)conf_one(&conf.tests[i], BPFBOX_ENGINE_JIT);
	}
	printf("conformance, trusted: interpreter %u/%zu, JIT %u/%zu\n", pass_i, conf.cnt, pass_j,
	       conf.cnt);
	CHECK_EQ_INT(pass_j, pass_i);
	CHECK_EQ_INT(pass_j, conf.cnt);
	bxt_conf_free(&conf);
}

/* load_both - assemble `text` and run it on the JIT and the interpreter:
 * both must give r0 = want. The program (the caller frees it), or NULL
 * if it did not load. */
static struct bpfbox_prog *load_both(struct bpfbox_vm *vm, const char *name, const char *text,
				     uint64_t want)
{
	struct bpfbox_prog *prog = load_asm(vm, text, NULL, 0);
	uint64_t r0 = 0, r1 = 0;

	if (!prog)
		return NULL;
	CHECK_MSG(run(prog, BPFBOX_ENGINE_JIT, NULL, 0, &r0) == 0 && r0 == want,
		  "%s: jit r0 = 0x%llx, want 0x%llx", name, (unsigned long long)r0,
		  (unsigned long long)want);
	CHECK_MSG(run(prog, BPFBOX_ENGINE_INTERP, NULL, 0, &r1) == 0 && r1 == want,
		  "%s: interp r0 = 0x%llx", name, (unsigned long long)r1);
	return prog;
}

/* ---- corner cases and calls ------------------------------------------------------------------ */

struct known {
	const char *name, *text;
	uint64_t want;
};

static void test_known(void)
{
	static const struct known k[] = {
		{ "sdiv64 INT_MIN/-1", "r0 = 0x8000000000000000 ll\nr1 = -1\nr0 s/= r1\nexit\n",
		  0x8000000000000000ull },
		{ "smod64 INT_MIN%-1", "r0 = 0x8000000000000000 ll\nr1 = -1\nr0 s%= r1\nexit\n", 0 },
		{ "sdiv32 INT_MIN/-1", "r0 = 0x1280000000 ll\nw0 s/= -1\nexit\n", 0x80000000ull },
		{ "div by 0", "r0 = 77\nr1 = 0\nr0 /= r1\nexit\n", 0 },
		{ "mod by 0", "r0 = -5\nr1 = 0\nr0 %= r1\nexit\n", (uint64_t)-5 },
		{ "mod32 by 0 zero-extends", "r0 = -5\nr1 = 0\nw0 %= w1\nexit\n", 0xfffffffbull },
		{ "div rdx", "r3 = 100\nr0 = 7\nr3 /= r0\nr0 = r3\nexit\n", 14 },
		{ "div keeps rdx", "r3 = 100\nr0 = 1000\nr4 = 7\nr0 /= r4\nr0 += r3\nexit\n", 242 },
		{ "shift by rcx", "r4 = 3\nr0 = 1\nr0 <<= r4\nr4 <<= r4\nr0 += r4\nexit\n", 8 + 24 },
		{ "shift mask", "r0 = 1\nr1 = 65\nr0 <<= r1\nw2 = 1\nw3 = 33\nw2 <<= w3\nr0 += r2\nexit\n",
		  4 },
		{ "shift32 by 0 zero-extends", "r0 = -1\nw1 = 0\nw0 <<= w1\nexit\n", 0xffffffffull },
		{ "cmpxchg32 zero-extends r0",
		  "*(u32 *)(r10 - 4) = 5\nr0 = 0x100000005 ll\nr1 = 9\n"
		  "w0 = cmpxchg32_32(r10 - 4, w0, w1)\nexit\n", 5 },
		{ "bswap16", "r0 = 0x1234567890abcdef ll\nr0 = bswap16 r0\nexit\n", 0xefcd },
		{ "be64", "r0 = 0x1234567890abcdef ll\nr0 = be64 r0\nexit\n", 0xefcdab9078563412ull },
		{ "movsx8 of sil", "r2 = 0x80\nr0 = (s8)r2\nexit\n", (uint64_t)-128 },
	};
	struct bpfbox_vm *vm = new_vm(false, false);

	for (size_t i = 0; vm && i < sizeof(k) / sizeof(k[0]); i++) {
		struct bpfbox_prog *prog = load_both(vm, k[i].name, k[i].text, k[i].want);

		if (!prog)
			continue;
		bpfbox_prog__free(prog);
	}
	bpfbox_vm__free(vm);
}

/* the bytes of native code slot k compiled to */
static size_t slot_bytes(struct bpfbox_prog *prog, size_t k)
{
	const uint32_t *off = NULL;
	const uint8_t *code = NULL;
	size_t len = 0;

	if (bpfbox_prog__jited(prog, &code, &len, &off))
		return (size_t)-1;
	return off[k + 1] - off[k];
}

/*
 * test_peep - the peepholes (jit_peep.c, gen_ALU, gen_JCOND) give the
 * interpreter's answers, also where they must not apply (a jump into
 * the middle, an operand the first op overwrites, mixed widths), and
 * they do remove code: `slot` (>= 0) must compile to `bytes` bytes.
 */
static void test_peep(void)
{
	static const struct {
		const char *name, *text;
		uint64_t want;
		int slot;
		size_t bytes;
	} k[] = {
		{ "mov+add reg+ldx16 fused",
		  "r1 = 0x1122334455667788 ll\n*(u64 *)(r10 - 16) = r1\nr2 = -16\nr3 = r10\n"
		  "r3 += r2\nr3 = *(u16 *)(r3 + 2)\nr0 = r3\nexit\n", 0x5566, 6, 0 },
		{ "mov+add imm+ldx32 fused",
		  "r1 = 0x1122334455667788 ll\n*(u64 *)(r10 - 16) = r1\nr3 = r10\nr3 += -16\n"
		  "r3 = *(u32 *)(r3 + 4)\nr0 = r3\nexit\n", 0x11223344, 5, 0 },
		{ "mov+add imm+ldx8/64",
		  "r1 = 0x1122334455667788 ll\n*(u64 *)(r10 - 16) = r1\nr4 = r10\nr4 += -20\n"
		  "r4 = *(u8 *)(r4 + 5)\nr5 = r10\nr5 += -8\nr5 = *(u64 *)(r5 - 8)\nr0 = r5\n"
		  "r0 += r4\nexit\n", 0x1122334455667788ull + 0x77, -1, 0 },
		{ "mov+add reg -> lea", "r1 = 5\nr2 = 7\nr3 = r1\nr3 += r2\nr0 = r3\nr0 += r1\nexit\n",
		  17, 3, 0 },
		{ "mov+add of itself not fused", "r1 = 5\nr3 = 7\nr3 = r1\nr3 += r3\nr0 = r3\nexit\n",
		  10, -1, 0 },
		{ "jump into mov+add", "r1 = 5\nr2 = 7\nr3 = 100\nif r1 == 5 goto +1\nr3 = r1\n"
		  "r3 += r2\nr0 = r3\nexit\n", 107, -1, 0 },
		{ "jump into mov+add+ldx",
		  "r1 = 0x1122334455667788 ll\n*(u64 *)(r10 - 16) = r1\nr3 = r10\nr3 += -16\n"
		  "if r1 != 0 goto +2\nr3 = r10\nr3 += -8\nr3 = *(u8 *)(r3 + 0)\nr0 = r3\nexit\n",
		  0x88, -1, 0 },
		{ "mul by 3/9/8/1",
		  "r0 = 7\nr0 *= 3\nw1 = 0x40000001\nw1 *= 9\nr0 += r1\nr2 = -3\nr2 *= 8\n"
		  "r0 += r2\nr3 = -1\nw3 *= 1\nr0 += r3\nr4 = -2\nr4 *= 5\nr0 += r4\nexit\n",
		  21ull + 0x40000009ull - 24 + 0xffffffffull - 10, -1, 0 },
		{ "64-bit ZF, 32-bit compare",
		  "r0 = 5\nr1 = 0x100000000 ll\nr2 = 0\nr1 |= r2\nif w1 == 0 goto +1\nr0 = 1\nexit\n",
		  5, -1, 0 },
		{ "32-bit ZF, 64-bit compare",
		  "r0 = 5\nr1 = 0x100000000 ll\nw2 = 0\nw1 |= w2\nif r1 == 0 goto +1\nr0 = 1\nexit\n",
		  5, 5, 2 /* jcc rel8 only */ },
		{ "ZF across a jump target",
		  "r0 = 5\nr1 = 1\nr2 = 0\nif r0 == 5 goto +1\nr1 &= r2\nif r1 != 0 goto +1\n"
		  "r0 = 1\nexit\n", 5, -1, 0 },
		{ "w += 0 after 64-bit value zero-extends", "r1 = -1\nw1 += 0\nr0 = r1\nexit\n",
		  0xffffffffull, 1, 2 /* mov edi, edi */ },
		{ "w += 0 after w = -1 skips the zext", "w1 = -1\nw1 += 0\nr0 = r1\nexit\n",
		  0xffffffffull, 1, 0 },
		{ "zext facts meet at joins",
		  "r1 = -1\nif r2 == 0 goto +1\nw1 = 3\nw1 += 0\nr0 = r1\nexit\n", 0xffffffffull, 3, 2 },
		{ "le32 after a 32-bit load skips the zext",
		  "*(u32 *)(r10 - 4) = -1\nr1 = *(u32 *)(r10 - 4)\nr1 = le32 r1\nr0 = r1\nexit\n",
		  0xffffffffull, 2, 0 },
		{ "le32 of a 64-bit value", "r1 = -1\nr1 = le32 r1\nr0 = r1\nexit\n", 0xffffffffull,
		  -1, 0 },
		{ "shl+add, shifted reg dead -> lea",
		  "r1 = 5\nr2 = 100\nr1 <<= 3\nr2 += r1\nr1 = 7\nr0 = r2\nr0 += r1\nexit\n",
		  147, 3, 0 },
		{ "shl+add, shifted reg used after",
		  "r1 = 5\nr2 = 100\nr1 <<= 2\nr2 += r1\nr0 = r2\nr0 += r1\nexit\n", 140, -1, 0 },
		{ "shl+add, shifted reg live on a branch",
		  "r1 = 5\nr2 = 100\nr1 <<= 1\nr2 += r1\nif r2 == 110 goto +2\nr1 = 0\nexit\n"
		  "r0 = r1\nexit\n", 10, -1, 0 },
		{ "shl+add into itself", "r1 = 5\nr1 <<= 1\nr1 += r1\nr0 = r1\nexit\n", 20, -1, 0 },
		{ "jump into shl+add",
		  "r1 = 5\nr2 = 100\nif r2 == 100 goto +1\nr1 <<= 3\nr2 += r1\nr1 = 0\nr0 = r2\n"
		  "exit\n", 105, -1, 0 },
		{ "w <<= 0 zero-extends",
		  "r1 = 0\nr0 = -1\nw0 <<= 0\nexit\n", 0xffffffffull, 2, 2 },
	};
	struct bpfbox_vm *vm = new_vm(false, false);

	for (size_t i = 0; vm && i < sizeof(k) / sizeof(k[0]); i++) {
		struct bpfbox_prog *prog = load_both(vm, k[i].name, k[i].text, k[i].want);

		if (!prog)
			continue;
		if (k[i].slot >= 0)
			CHECK_MSG(slot_bytes(prog, (size_t)k[i].slot) == k[i].bytes,
				  "%s: slot %d is %zu bytes of code, want %zu", k[i].name, k[i].slot,
				  slot_bytes(prog, (size_t)k[i].slot), k[i].bytes);
		bpfbox_prog__free(prog);
	}
	bpfbox_vm__free(vm);
}

static uint64_t add_helper(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
			   uint64_t r4, uint64_t r5)
{
	(void)call;
	return r1 + 2 * r2 + 3 * r3 + 4 * r4 + 5 * r5;
}

static uint64_t abort_helper(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
			     uint64_t r4, uint64_t r5)
{
	(void)r1; (void)r2; (void)r3; (void)r4; (void)r5;
	bpfbox_call__abort(call, -EPERM);
	return 0;
}

static void test_calls(void)
{
	struct bpfbox_vm *vm = new_vm(false, true);
	struct bpfbox_prog *p;
	uint64_t r0 = 0;

	if (!vm)
		return;
	CHECK_EQ_INT(bpfbox_vm__register_helper(vm, 4000, "add", add_helper, NULL), 0);
	CHECK_EQ_INT(bpfbox_vm__register_helper(vm, 4001, "abort", abort_helper, NULL), 0);
	/* helper arguments, r1..r5 kept across the call (as the interpreter keeps them) */
	p = load_asm(vm, "r1 = 1\nr2 = 2\nr3 = 3\nr4 = 4\nr5 = 5\ncall 4000\n"
		     "r0 *= 100\nr0 += r5\nexit\n", NULL, 0);
	if (p) {
		CHECK_EQ_INT(run(p, BPFBOX_ENGINE_JIT, NULL, 0, &r0), 0);
		CHECK_EQ_U64(r0, 55 * 100 + 5);
		bpfbox_prog__free(p);
	}
	/* callx */
	p = load_asm(vm, "r1 = 1\nr2 = 0\nr3 = 0\nr4 = 0\nr5 = 0\nr6 = 4000\ncallx r6\nexit\n",
		     NULL, 0);
	if (p) {
		CHECK_EQ_INT(run(p, BPFBOX_ENGINE_JIT, NULL, 0, &r0), 0);
		CHECK_EQ_U64(r0, 1);
		bpfbox_prog__free(p);
	}
	p = load_asm(vm, "r2 = 99\ncallx r2\nexit\n", NULL, 0);
	if (p) {
		CHECK_EQ_INT(run(p, BPFBOX_ENGINE_JIT, NULL, 0, &r0), -EINVAL);
		CHECK_STR(last_log, "insn 1: callx to unknown helper 99 (in r2)");
		bpfbox_prog__free(p);
	}
	/* an aborting helper stops the run */
	p = load_asm(vm, "r0 = 1\ncall 4001\nr0 = 2\nexit\n", NULL, 0);
	if (p) {
		CHECK_EQ_INT(run(p, BPFBOX_ENGINE_JIT, NULL, 0, &r0), -EPERM);
		bpfbox_prog__free(p);
	}
	/* bpf-to-bpf: frames, r6..r9 kept, r10 per frame */
	p = load_asm(vm, "r6 = 10\n*(u64 *)(r10 - 8) = 7\nr1 = 5\ncall f\nr1 = *(u64 *)(r10 - 8)\n"
		     "r0 += r1\nr0 += r6\nexit\n"
		     "f:\nr6 = 1000\n*(u64 *)(r10 - 8) = 3\nr0 = *(u64 *)(r10 - 8)\nr0 *= r1\nexit\n",
		     NULL, 0);
	if (p) {
		CHECK_EQ_INT(run(p, BPFBOX_ENGINE_JIT, NULL, 0, &r0), 0);
		CHECK_EQ_U64(r0, 15 + 7 + 10);
		bpfbox_prog__free(p);
	}
	/* the depth limit: 8 frames */
	p = load_asm(vm, "r0 = 0\ncall f\nexit\nf:\nr0 += 1\ncall f\nexit\n", NULL, 0);
	if (p) {
		CHECK_EQ_INT(run(p, BPFBOX_ENGINE_JIT, NULL, 0, &r0), -E2BIG);
		CHECK_STR(last_log, "insn 4: call depth exceeds 8 frames");
		/* and the run after it is clean */
		CHECK_EQ_INT(run(p, BPFBOX_ENGINE_JIT, NULL, 0, &r0), -E2BIG);
		bpfbox_prog__free(p);
	}
	p = load_asm(vm, "r1 = 6\ncall f\nexit\nf:\nr0 = r1\nif r1 == 0 goto out\nr1 -= 1\ncall f\n"
		     "r0 += r1\nr0 += 1\nout:\nexit\n", NULL, 0);
	if (p) {   /* 7 frames: fine, and callees' r1 as the interpreter leaves it */
		uint64_t r1 = 1;
		CHECK_EQ_INT(run(p, BPFBOX_ENGINE_JIT, NULL, 0, &r0), 0);
		CHECK_EQ_INT(run(p, BPFBOX_ENGINE_INTERP, NULL, 0, &r1), 0);
		CHECK_EQ_U64(r0, r1);
		bpfbox_prog__free(p);
	}
	/* a bpf_loop callback (helper 181) runs native code too */
	p = load_asm(vm, "r1 = 10\nr2 = func[cb] ll\n*(u64 *)(r10 - 8) = 0\nr3 = r10\nr3 += -8\n"
		     "r4 = 0\ncall 181\nr0 = *(u64 *)(r10 - 8)\nexit\n"
		     "cb:\nr0 = *(u64 *)(r2 + 0)\nr0 += r1\n*(u64 *)(r2 + 0) = r0\nr0 = 0\nexit\n",
		     NULL, 0);
	if (p) {
		CHECK_EQ_INT(run(p, BPFBOX_ENGINE_JIT, NULL, 0, &r0), 0);
		CHECK_EQ_U64(r0, 45);
		bpfbox_prog__free(p);
	}
	/* legacy packet loads: in bounds, and out of bounds ends the run with r0 = 0 */
	{
		uint8_t pkt[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
		p = load_asm(vm, "r6 = r1\nr0 = *(u32 *)skb[4]\nr7 = r0\nr1 = 5\n"
			     "r0 = *(u16 *)skb[r1 + 1]\nr0 += r7\nexit\n", NULL, 0);
		if (p) {
			CHECK_EQ_INT(run(p, BPFBOX_ENGINE_JIT, pkt, 8, &r0), 0);
			CHECK_EQ_U64(r0, 0x05060708u + 0x0708u);
			CHECK_EQ_INT(run(p, BPFBOX_ENGINE_JIT, pkt, 7, &r0), 0);
			CHECK_EQ_U64(r0, 0);
			bpfbox_prog__free(p);
		}
	}
	bpfbox_vm__free(vm);
}

/* tail calls: the target replaces the caller; the 33-call chain limit */
static void test_tail(void)
{
	BPFBOX_OPTS(bpfbox_map_create_opts, mo, .log = log_fn);
	struct bpfbox_vm *vm = new_vm(false, true);
	struct bpfbox_map *pa = NULL, *cnt = NULL, *maps[2];
	struct bpfbox_prog *target = NULL, *self = NULL, *disp = NULL;
	uint32_t k;
	uint64_t v, r0 = 0;

	if (!vm || bpfbox_map__create(BPFBOX_MAP_TYPE_PROG_ARRAY, 4, 4, 8, &mo, &pa) ||
	    bpfbox_map__create(BPFBOX_MAP_TYPE_ARRAY, 4, 8, 1, &mo, &cnt)) {
		CHECK_MSG(0, "maps: %s", last_log);
		goto out;
	}
	maps[0] = pa;
	maps[1] = cnt;
	target = load_asm(vm, "r0 = r1\nr0 += 1000\nexit\n", maps, 2);
	self = load_asm(vm, "r6 = r1\n*(u32 *)(r10 - 4) = 0\nr1 = map[idx:1] ll\nr2 = r10\n"
			"r2 += -4\ncall 1\nif r0 == 0 goto out\nr1 = *(u64 *)(r0 + 0)\nr1 += 1\n"
			"*(u64 *)(r0 + 0) = r1\nr1 = r6\nr2 = map[idx:0] ll\nr3 = 1\ncall 12\n"
			"out:\nr0 = 7\nexit\n", maps, 2);
	disp = load_asm(vm, "r6 = 55\nr1 = 3\ncall sub\nr0 += r6\nexit\n"
			"sub:\nr2 = map[idx:0] ll\nr3 = 0\ncall 12\nr0 = 1\nexit\n", maps, 2);
	if (!target || !self || !disp)
		goto out;
	k = 0;
	CHECK_EQ_INT(bpfbox_map__update_elem(pa, &k, &target, 0), 0);
	k = 1;
	CHECK_EQ_INT(bpfbox_map__update_elem(pa, &k, &self, 0), 0);
	/* in a subprogram: the target returns to the caller of the subprogram */
	CHECK_EQ_INT(run(disp, BPFBOX_ENGINE_JIT, NULL, 0, &r0), 0);
	CHECK_EQ_U64(r0, 3 + 1000 + 55);
	/* the chain: 1 run + 33 tail calls, then the program goes on */
	k = 0;
	v = 0;
	CHECK_EQ_INT(bpfbox_map__update_elem(cnt, &k, &v, 0), 0);
	CHECK_EQ_INT(run(self, BPFBOX_ENGINE_JIT, NULL, 0, &r0), 0);
	CHECK_EQ_U64(r0, 7);
	CHECK_EQ_INT(bpfbox_map__lookup_elem(cnt, &k, &v, 0), 0);
	CHECK_EQ_U64(v, 34);
	CHECK_EQ_INT(bxj_code(target, NULL, NULL, NULL), 0);  /* compiled when first entered */
out:
	k = 0;
	if (pa)
		bpfbox_map__delete_elem(pa, &k);
	k = 1;
	if (pa)
		bpfbox_map__delete_elem(pa, &k);
	bpfbox_prog__free(target);
	bpfbox_prog__free(self);
	bpfbox_prog__free(disp);
	bpfbox_map__free(pa);
	bpfbox_map__free(cnt);
	bpfbox_vm__free(vm);
}

/* lddw pseudo forms: the value loaded is the resolved one */
static void test_lddw(void)
{
	BPFBOX_OPTS(bpfbox_map_create_opts, mo, .log = log_fn);
	struct bpfbox_vm *vm = new_vm(false, true);
	struct bpfbox_map *arr = NULL;
	struct bpfbox_prog *p = NULL;
	struct bpfbox_insn in[] = {
		{ .code = 0x18, .dst_reg = 1, .src_reg = BX_PSEUDO_MAP_IDX_VALUE, .imm = 0 },
		{ .imm = 8 },
		{ .code = 0x79, .dst_reg = 0, .src_reg = 1, .off = 0 },     /* r0 = *(u64 *)(r1 + 0) */
		{ .code = 0x7a, .dst_reg = 1, .off = 8, .imm = 99 },        /* *(u64 *)(r1 + 8) = 99 */
		{ .code = 0x95 },
	};
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "dv", .maps = &arr, .map_cnt = 1);
	uint64_t val[4] = { 1, 0x1122334455667788ull, 3, 4 }, r0 = 0;
	uint32_t k = 0;

	if (!vm || bpfbox_map__create(BPFBOX_MAP_TYPE_ARRAY, 4, 32, 1, &mo, &arr)) {
		CHECK_MSG(0, "map: %s", last_log);
		goto out;
	}
	CHECK_EQ_INT(bpfbox_map__update_elem(arr, &k, val, 0), 0);
	CHECK_EQ_INT(bpfbox_prog__load(vm, in, 5, &po, &p), 0);
	if (!p)
		goto out;
	CHECK_EQ_INT(run(p, BPFBOX_ENGINE_JIT, NULL, 0, &r0), 0);
	CHECK_EQ_U64(r0, 0x1122334455667788ull);
	CHECK_EQ_INT(bpfbox_map__lookup_elem(arr, &k, val, 0), 0);
	CHECK_EQ_U64(val[2], 99);
out:
	bpfbox_prog__free(p);
	bpfbox_map__free(arr);
	bpfbox_vm__free(vm);
}

/* ---- memory, engine selection, threads ---------------------------------------------------------- */

/* the permissions of the mapping that holds addr ("r-xp"), or "" */
static void perms_of(const void *addr, char out[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];

	out[0] = 0;
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char p[5];
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, p) == 3 && (uintptr_t)addr >= lo &&
		    (uintptr_t)addr < hi) {
			memcpy(out, p, 5);
			break;
		}
	}
	if (f)
		fclose(f);
}

static void test_memory(void)
{
	struct bpfbox_vm *vm = new_vm(false, false);
	struct bpfbox_prog *p = vm ? load_asm(vm, "r0 = 42\nexit\n", NULL, 0) : NULL;
	const uint8_t *code = NULL;
	const uint32_t *off = NULL;
	size_t len = 0;
	char perms[5];

	if (!p)
		goto out;
	CHECK_EQ_INT(bxj_code(p, NULL, NULL, NULL), -ENOENT);   /* lazily compiled */
	CHECK_EQ_INT(bpfbox_prog__jited(p, &code, &len, &off), 0);
	CHECK(len > 0 && off && off[0] < off[2] && off[2] <= len);
	perms_of(code, perms);
	CHECK_STR(perms, "r-xp");
	bpfbox_prog__free(p);
	perms_of(code, perms);   /* unmapped with the program (or reused: never writable+exec) */
	CHECK(strcmp(perms, "r-xp") != 0 || 1);
	CHECK(strcmp(perms, "rwxp") != 0);
out:
	bpfbox_vm__free(vm);
}

static void test_engines(void)
{
	struct bpfbox_vm *vm = new_vm(false, false), *vm2 = new_vm(true, false), *vm3;
	struct bpfbox_prog *p = vm ? load_asm(vm, "r0 = 42\nexit\n", NULL, 0) : NULL;
	struct bpfbox_prog *p2 = vm2 ? load_asm(vm2, "r0 = 42\nexit\n", NULL, 0) : NULL, *p3;
	BPFBOX_OPTS(bpfbox_run_opts, ro, .mode = BPFBOX_RUN_CHECKED, .engine = BPFBOX_ENGINE_JIT);
	uint64_t r0;

	if (!p || !p2)
		goto out;
	/* a checked run with the JIT named: the checked JIT's image (the
	 * trusted one is not built); the default engine keeps checked runs in
	 * the interpreter */
	CHECK_EQ_INT(bpfbox_prog__run(p, &ro), 0);
	CHECK_EQ_U64(ro.retval, 42);
	CHECK_EQ_INT(bxj_compile_mode(p, true), 0);	/* already built: 0 */
	CHECK_EQ_INT(bxj_code(p, NULL, NULL, NULL), -ENOENT);
	ro.engine = BPFBOX_ENGINE_DEFAULT;
	CHECK_EQ_INT(bpfbox_prog__run(p, &ro), 0);
	CHECK_EQ_INT(bxj_code(p, NULL, NULL, NULL), -ENOENT);
	ro.engine = 3;
	CHECK_EQ_INT(bpfbox_prog__run(p, &ro), -EINVAL);
	/* trusted + default: the JIT */
	CHECK_EQ_INT(run(p, BPFBOX_ENGINE_DEFAULT, NULL, 0, &r0), 0);
	CHECK_EQ_U64(r0, 42);
	CHECK_EQ_INT(bxj_code(p, NULL, NULL, NULL), 0);
	/* a vm with no_jit: default is the interpreter, the JIT still on request */
	CHECK_EQ_INT(run(p2, BPFBOX_ENGINE_DEFAULT, NULL, 0, &r0), 0);
	CHECK_EQ_INT(bxj_code(p2, NULL, NULL, NULL), -ENOENT);
	CHECK_EQ_INT(run(p2, BPFBOX_ENGINE_JIT, NULL, 0, &r0), 0);
	CHECK_EQ_INT(bxj_code(p2, NULL, NULL, NULL), 0);
	/* BPFBOX_NO_JIT=1 at vm creation */
	setenv("BPFBOX_NO_JIT", "1", 1);
	vm3 = new_vm(false, false);
	unsetenv("BPFBOX_NO_JIT");
	p3 = vm3 ? load_asm(vm3, "r0 = 42\nexit\n", NULL, 0) : NULL;
	if (p3) {
		CHECK_EQ_INT(run(p3, BPFBOX_ENGINE_DEFAULT, NULL, 0, &r0), 0);
		CHECK_EQ_INT(bxj_code(p3, NULL, NULL, NULL), -ENOENT);
	}
	bpfbox_prog__free(p3);
	bpfbox_vm__free(vm3);
out:
	bpfbox_prog__free(p);
	bpfbox_prog__free(p2);
	bpfbox_vm__free(vm);
	bpfbox_vm__free(vm2);
}

struct thr {
	struct bpfbox_prog *prog;
	int bad;
};

static void *thr_fn(void *arg)
{
	struct thr *t = arg;
	uint64_t r0;

	for (int i = 0; i < 200; i++)
		if (run(t->prog, BPFBOX_ENGINE_JIT, NULL, 0, &r0) || r0 != 5050)
			t->bad++;
	return NULL;
}

static void test_threads(void)
{
	struct bpfbox_vm *vm = new_vm(false, false);
	struct bpfbox_prog *p = vm ? load_asm(vm, "r0 = 0\nr1 = 100\nl:\nr0 += r1\nr1 -= 1\n"
					      "if r1 != 0 goto l\nexit\n", NULL, 0) : NULL;
	pthread_t th[4];
	struct thr t[4];

	for (int i = 0; p && i < 4; i++) {
		t[i] = (struct thr){ .prog = p };
		pthread_create(&th[i], NULL, thr_fn, &t[i]);
	}
	for (int i = 0; p && i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK_EQ_INT(t[i].bad, 0);
	}
	bpfbox_prog__free(p);
	bpfbox_vm__free(vm);
}

int main(void)
{
	if (!bxj_available()) {
		TL_RUN(test_engines);
		TL_SKIP("no JIT for this host");
		return tl_summary();
	}
	TL_RUN(test_known);
	TL_RUN(test_peep);
	TL_RUN(test_calls);
	TL_RUN(test_tail);
	TL_RUN(test_lddw);
	TL_RUN(test_memory);
	TL_RUN(test_engines);
	TL_RUN(test_threads);
	TL_RUN(test_conformance);
	TL_RUN(test_rows);
	return tl_summary();
}

/*
 * test_jit_checked.c - raw programs verified against their buffer
 * (bpfbox_prog_opts.mem_verify) and the checked JIT on hand-written
 * programs: each checked run goes through the checked interpreter and the
 * checked JIT, which must give the same result, r0 and error message
 * (addresses aside); map values a helper hands out, the caller's frame,
 * the call-depth limit, and the budget (charged per loop iteration and
 * function entry). Generated programs: tests/test_jit_diff.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfbox/bpfbox.h"
#include "jit/jit.h"
#include "testlib.h"

static char last_log[512];

static void log_fn(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	(void)ctx;
	if (level <= BPFBOX_LOG_WARN)
		snprintf(last_log, sizeof(last_log), "%s", msg);
}

/* strip_hex - msg with each 0x... number replaced by '#' */
static void strip_hex(const char *msg, char *out, size_t n)
{
	size_t k = 0;

	for (const char *p = msg; *p && k + 1 < n; p++) {
		if (p[0] == '0' && p[1] == 'x') {
			for (p += 2; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++)
				;
			out[k++] = '#';
			p--;
		} else {
			out[k++] = *p;
		}
	}
	out[k] = 0;
}

/* load - assemble and load (mem >= 0: mem_verify with mem_size = mem);
 * returns the load's result. */
static int load(struct bpfbox_vm *vm, const char *text, long mem, struct bpfbox_map *const *maps,
		size_t nmaps, struct bpfbox_prog **prog)
{
	BPFBOX_OPTS(bpfbox_asm_opts, ao, .filename = "test", .log = log_fn);
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "t", .maps = maps, .map_cnt = nmaps,
		    .mem_verify = mem >= 0, .mem_size = mem >= 0 ? (size_t)mem : 0);
	struct bpfbox_insn *insns = NULL;
	size_t cnt = 0;
	int err = bpfbox_asm(text, strlen(text), &ao, &insns, &cnt);

	*prog = NULL;
	if (!err)
		err = bpfbox_prog__load(vm, insns, cnt, &po, prog);
	free(insns);
	return err;
}

/*
 * both - run prog checked in the interpreter and on the checked JIT over
 * copies of mem; they must agree (error, message, r0, memory). Returns the
 * error; *r0 and *executed are the JIT's.
 */
static int both(struct bpfbox_prog *prog, const void *mem, size_t len, uint64_t max_insns,
		uint64_t *r0, uint64_t *executed, char *msg, size_t msg_sz)
{
	uint8_t buf[2][256];
	char m[2][512];
	uint64_t rv[2];
	int err[2];

	for (int k = 0; k < 2; k++) {
		BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = len ? buf[k] : NULL, .ctx_size = len,
			    .mode = BPFBOX_RUN_CHECKED, .max_insns = max_insns,
			    .engine = k ? BPFBOX_ENGINE_JIT : BPFBOX_ENGINE_INTERP);
		if (len)
			memcpy(buf[k], mem, len);
		last_log[0] = 0;
		err[k] = bpfbox_prog__run(prog, &ro);
		rv[k] = ro.retval;
		if (k && executed)
			*executed = ro.insn_executed;
		strip_hex(last_log, m[k], sizeof(m[k]));
	}
	CHECK_EQ_INT(err[1], err[0]);
	if (err[0] != -ELOOP)
		CHECK_STR(m[1], m[0]);
	CHECK_EQ_U64(rv[1], rv[0]);
	CHECK_MSG(!memcmp(buf[0], buf[1], len), "memory differs after the run");
	if (r0)
		*r0 = rv[1];
	if (msg)
		snprintf(msg, msg_sz, "%s", m[1]);
	return err[1];
}

/* mem_verify: the verifier sees r1 = mem_size bytes, r2 = mem_size */
static void test_mem_verify(void)
{
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = log_fn);
	struct bpfbox_vm *vm = NULL;
	struct bpfbox_prog *p = NULL;
	uint8_t mem[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	const char *sum4 = "r0 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr0 += r3\nexit\n";

	if (bpfbox_vm__new(&vo, &vm))
		return (void)CHECK(0);
	/* 8 bytes: proven; a trusted run on the JIT */
	CHECK_EQ_INT(load(vm, sum4, 8, NULL, 0, &p), 0);
	if (p) {
		BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = mem, .ctx_size = 8, .engine = BPFBOX_ENGINE_JIT);
		CHECK_EQ_INT(bpfbox_prog__run(p, &ro), 0);
		CHECK_EQ_U64(ro.retval, 0x04030201u + 0x08070605u);
		CHECK_EQ_U64(ro.insn_executed, 0);           /* trusted: nothing counted */
		CHECK_EQ_INT(bxj_code(p, NULL, NULL, NULL), 0);
		/* it was proven for 8 bytes: a trusted run on fewer is refused */
		ro.ctx_size = 7;
		CHECK_EQ_INT(bpfbox_prog__run(p, &ro), -EINVAL);
		CHECK(strstr(last_log, "verified for a buffer of 8 bytes") != NULL);
		ro.ctx = NULL;
		ro.ctx_size = 0;
		CHECK_EQ_INT(bpfbox_prog__run(p, &ro), -EINVAL);
		/* checked runs still take any memory (and fault) */
		ro.ctx = mem;
		ro.ctx_size = 6;
		ro.mode = BPFBOX_RUN_CHECKED;
		CHECK_EQ_INT(bpfbox_prog__run(p, &ro), -EFAULT);
		bpfbox_prog__free(p);
	}
	/* 7 bytes: the second load reads past the end: rejected */
	CHECK(load(vm, sum4, 7, NULL, 0, &p) < 0);
	CHECK(strstr(last_log, "invalid access to memory") != NULL || last_log[0]);
	bpfbox_prog__free(p);
	/* r2 is the constant: a bounds check on it is decided (the dead
	 * branch would read past the end) */
	CHECK_EQ_INT(load(vm, "if r2 > 3 goto ok\nr0 = *(u64 *)(r1 + 64)\nexit\n"
			  "ok:\nr0 = *(u8 *)(r1 + 3)\nexit\n", 4, NULL, 0, &p), 0);
	bpfbox_prog__free(p);
	/* without mem_verify a raw program is not verified (AUTO runs it checked) */
	CHECK_EQ_INT(load(vm, sum4, -1, NULL, 0, &p), 0);
	if (p) {
		BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = mem, .ctx_size = 8);
		CHECK_EQ_INT(bpfbox_prog__run(p, &ro), 0);
		CHECK_EQ_U64(ro.insn_executed, 4);
		bpfbox_prog__free(p);
	}
	bpfbox_vm__free(vm);
}

/* the checked JIT's faults and regions against the checked interpreter */
static void test_faults(void)
{
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = log_fn);
	BPFBOX_OPTS(bpfbox_map_create_opts, mo, .log = log_fn);
	struct bpfbox_vm *vm = NULL;
	struct bpfbox_map *arr = NULL;
	struct bpfbox_prog *p;
	uint8_t mem[16] = { 0 };
	uint64_t r0;
	char msg[512];
	static const struct { const char *name, *text; int err; const char *msg; } cases[] = {
		{ "ctx in bounds", "r0 = *(u64 *)(r1 + 8)\nexit\n", 0, NULL },
		{ "ctx end", "r0 = *(u64 *)(r1 + 9)\nexit\n", -EFAULT,
		  "insn 0: invalid read of 8 bytes at #: r1 + 9 is outside the stack and the context" },
		{ "ctx before", "*(u8 *)(r1 - 1) = 7\nexit\n", -EFAULT,
		  "insn 0: invalid write of 1 bytes at #: r1 - 1 is outside the stack and the context" },
		{ "frame bottom", "r0 = 0\n*(u32 *)(r10 - 512) = 1\nr0 = *(u16 *)(r10 - 514)\nexit\n",
		  -EFAULT, "insn 2: invalid read of 2 bytes at #: r10 - 514 is outside the stack and "
			   "the context" },
		{ "above the stack", "r0 = *(u8 *)(r10 + 0)\nexit\n", -EFAULT,
		  "insn 0: invalid read of 1 bytes at #: r10 + 0 is outside the stack and the context" },
		{ "stack through a copy", "r2 = r10\n*(u64 *)(r2 - 8) = 5\nr0 = *(u64 *)(r10 - 8)\n"
		  "r2 += -516\nr3 = *(u64 *)(r2 + 0)\nexit\n", -EFAULT,
		  "insn 4: invalid read of 8 bytes at #: r2 + 0 is outside the stack and the context" },
		{ "the caller's frame", "*(u64 *)(r10 - 8) = 77\ncall f\nexit\n"
		  "f:\nr0 = *(u64 *)(r10 + 504)\nexit\n", 0, NULL },
		{ "null", "r1 = 0\nr0 = *(u8 *)(r1 + 0)\nexit\n", -EFAULT,
		  "insn 1: invalid read of 1 bytes at #: r1 + 0 is outside the stack and the context" },
		{ "misaligned atomic", "r0 = 1\nlock *(u32 *)(r1 + 2) += r0\nexit\n", -EFAULT,
		  "insn 1: misaligned atomic access of 4 bytes at # (r1)" },
		{ "aligned atomic", "r0 = 1\nlock *(u64 *)(r1 + 8) += r0\nr0 = *(u64 *)(r1 + 8)\nexit\n",
		  0, NULL },
		{ "recursion", "call f\nexit\nf:\ncall f\nexit\n", -E2BIG,
		  "insn 2: call depth exceeds 8 frames" },
	};

	if (bpfbox_vm__new(&vo, &vm) ||
	    bpfbox_map__create(BPFBOX_MAP_TYPE_ARRAY, 4, 16, 4, &mo, &arr)) {
		CHECK_MSG(0, "vm/map: %s", last_log);
		goto out;
	}
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		if (load(vm, cases[c].text, -1, NULL, 0, &p)) {
			CHECK_MSG(0, "%s: load: %s", cases[c].name, last_log);
			continue;
		}
		memset(mem, 0x11, sizeof(mem));
		CHECK_MSG(both(p, mem, sizeof(mem), 0, &r0, NULL, msg, sizeof(msg)) == cases[c].err,
			  "%s: error", cases[c].name);
		if (cases[c].msg)
			CHECK_MSG(!strcmp(msg, cases[c].msg), "%s: \"%s\", want \"%s\"", cases[c].name, msg,
				  cases[c].msg);
		bpfbox_prog__free(p);
	}
	/* map values: in bounds through the lookup's pointer (the last element),
	 * one byte past its end is a fault */
	for (int past = 0; past < 2; past++) {
		char text[512];

		snprintf(text, sizeof(text),
			 "*(u32 *)(r10 - 4) = 3\nr1 = map[idx:0] ll\nr2 = r10\nr2 += -4\ncall 1\n"
			 "if r0 == 0 goto out\nr1 = 9\n*(u64 *)(r0 + %d) = r1\nr0 = *(u64 *)(r0 + 8)\n"
			 "out:\nexit\n", past ? 9 : 8);
		if (load(vm, text, -1, &arr, 1, &p)) {
			CHECK_MSG(0, "map prog: %s", last_log);
			continue;
		}
		CHECK_EQ_INT(both(p, mem, sizeof(mem), 0, &r0, NULL, msg, sizeof(msg)), past ? -EFAULT : 0);
		if (!past)
			CHECK_EQ_U64(r0, 9);
		else
			CHECK(strstr(msg, "r0 + 9 is outside the stack, the context and the helpers' memory"));
		bpfbox_prog__free(p);
	}
out:
	bpfbox_map__free(arr);
	bpfbox_vm__free(vm);
}

/* the budget: per loop iteration its length, per function entry its length */
static void test_budget(void)
{
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = log_fn);
	struct bpfbox_vm *vm = NULL;
	struct bpfbox_prog *p;
	uint64_t r0, n;
	char msg[512];

	if (bpfbox_vm__new(&vo, &vm))
		return (void)CHECK(0);
	/* 10 iterations of a 3-slot loop in a 6-slot program: 6 + 10 * 3 */
	if (!load(vm, "r0 = 0\nr1 = 10\nl:\nr0 += 2\nr1 += -1\nif r1 != 0 goto l\nexit\n", -1,
		  NULL, 0, &p)) {
		CHECK_EQ_INT(both(p, NULL, 0, 0, &r0, &n, NULL, 0), 0);
		CHECK_EQ_U64(r0, 20);
		CHECK_EQ_U64(n, 6 + 10 * 3);
		/* a budget the interpreter's count (2 + 30 + 1 = 33) fits in both */
		CHECK_EQ_INT(both(p, NULL, 0, 40, &r0, &n, NULL, 0), 0);
		/* one too small for both */
		CHECK_EQ_INT(both(p, NULL, 0, 20, &r0, &n, msg, sizeof(msg)), -ELOOP);
		CHECK_STR(msg, "insn 2: the instruction budget of 20 is exhausted");
		CHECK_EQ_U64(n, 20);   /* all of it used */
		bpfbox_prog__free(p);
	}
	/* a 5-slot main calling a function 5 times: its 3-slot loop 5 times, and
	 * each entry of the function its 2 slots */
	if (!load(vm, "r6 = 5\nl:\ncall f\nr6 += -1\nif r6 != 0 goto l\nexit\nf:\nr0 = 1\nexit\n", -1,
		  NULL, 0, &p)) {
		CHECK_EQ_INT(both(p, NULL, 0, 0, &r0, &n, NULL, 0), 0);
		CHECK_EQ_U64(n, 5 + 5 * 3 + 5 * 2);
		bpfbox_prog__free(p);
	}
	/* a loop with no end */
	if (!load(vm, "r0 = 0\nl:\nr0 += 1\ngoto l\n", -1, NULL, 0, &p)) {
		CHECK_EQ_INT(both(p, NULL, 0, 100000, &r0, &n, msg, sizeof(msg)), -ELOOP);
		CHECK_STR(msg, "insn 1: the instruction budget of 100000 is exhausted");
		bpfbox_prog__free(p);
	}
	bpfbox_vm__free(vm);
}

/* bpf_loop callbacks run on the checked JIT too: their accesses, their budget */
static void test_callbacks(void)
{
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = log_fn);
	struct bpfbox_vm *vm = NULL;
	struct bpfbox_prog *p;
	uint64_t r0, n;
	char msg[512];
	const char *loop = "r1 = %d\nr2 = func[cb] ll\n*(u64 *)(r10 - 8) = 0\nr3 = r10\nr3 += -8\n"
			   "r4 = 0\ncall 181\nr0 = *(u64 *)(r10 - 8)\nexit\n"
			   "cb:\nr0 = *(u64 *)(r2 + %d)\nr0 += r1\n*(u64 *)(r2 + 0) = r0\nr0 = 0\nexit\n";
	char text[512];

	if (bpfbox_vm__new(&vo, &vm))
		return (void)CHECK(0);
	/* 10 calls: the sum 0..9; each callback entry charges its 5 slots */
	snprintf(text, sizeof(text), loop, 10, 0);
	if (!load(vm, text, -1, NULL, 0, &p)) {
		CHECK_EQ_INT(both(p, NULL, 0, 0, &r0, &n, NULL, 0), 0);
		CHECK_EQ_U64(r0, 45);
		CHECK_EQ_U64(n, 10 + 10 * 5);
		bpfbox_prog__free(p);
	}
	/* a million calls with a budget of 1000: stopped at the callback's entry */
	snprintf(text, sizeof(text), loop, 1000000, 0);
	if (!load(vm, text, -1, NULL, 0, &p)) {
		CHECK_EQ_INT(both(p, NULL, 0, 1000, &r0, &n, msg, sizeof(msg)), -ELOOP);
		CHECK_STR(msg, "insn 10: the instruction budget of 1000 is exhausted");
		bpfbox_prog__free(p);
	}
	/* the callback reads above the caller's frame: a fault in the callback */
	snprintf(text, sizeof(text), loop, 3, 8);
	if (!load(vm, text, -1, NULL, 0, &p)) {
		CHECK_EQ_INT(both(p, NULL, 0, 0, &r0, &n, msg, sizeof(msg)), -EFAULT);
		CHECK_STR(msg, "insn 10: invalid read of 8 bytes at #: r2 + 8 is outside the stack and "
			  "the context");
		bpfbox_prog__free(p);
	}
	bpfbox_vm__free(vm);
}

/*
 * tail calls in checked runs: the target's checked code runs, and its read
 * past the buffer faults as in the checked interpreter (a verified raw
 * program cannot tail call: bpf_tail_call wants the ctx in r1, and r1 is
 * the buffer, so the caller here is unverified)
 */
static void test_tail(void)
{
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = log_fn);
	BPFBOX_OPTS(bpfbox_map_create_opts, mo, .log = log_fn);
	struct bpfbox_vm *vm = NULL;
	struct bpfbox_map *pa = NULL;
	struct bpfbox_prog *t16 = NULL, *caller = NULL;
	uint8_t mem[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	uint32_t k = 0;
	uint64_t r0;
	char msg[512];

	if (bpfbox_vm__new(&vo, &vm) ||
	    bpfbox_map__create(BPFBOX_MAP_TYPE_PROG_ARRAY, 4, 4, 1, &mo, &pa)) {
		CHECK_MSG(0, "vm/map: %s", last_log);
		goto out;
	}
	if (load(vm, "r0 = *(u64 *)(r1 + 8)\nexit\n", 16, NULL, 0, &t16) ||
	    load(vm, "r2 = map[idx:0] ll\nr3 = 0\ncall 12\nr0 = 7\nexit\n", -1, &pa, 1, &caller)) {
		CHECK_MSG(0, "load: %s", last_log);
		goto out;
	}
	CHECK_EQ_INT(bpfbox_map__update_elem(pa, &k, &t16, 0), 0);
	CHECK_EQ_INT(both(caller, mem, 8, 0, &r0, NULL, msg, sizeof(msg)), -EFAULT);
	CHECK_STR(msg, "insn 0: invalid read of 8 bytes at #: r1 + 8 is outside the stack and the "
		  "context");
	CHECK_EQ_INT(both(caller, mem, 16, 0, &r0, NULL, NULL, 0), 0);
	CHECK_EQ_U64(r0, 0x100f0e0d0c0b0a09ull);
out:
	if (pa)
		bpfbox_map__delete_elem(pa, &k);
	bpfbox_prog__free(caller);
	bpfbox_prog__free(t16);
	bpfbox_map__free(pa);
	bpfbox_vm__free(vm);
}

int main(void)
{
	if (!bxj_available()) {
		TL_SKIP("no JIT on this host");
		return tl_summary();
	}
	test_mem_verify();
	test_faults();
	test_budget();
	test_callbacks();
	test_tail();
	return tl_summary();
}

/*
 * test_helpers.c - the kernel helpers (src/helpers): the table against
 * <linux/bpf.h>, every helper through programs assembled from LLVM-syntax
 * text (trusted and checked runs), their error paths, the printk/snprintf
 * format rules with exact output, probe reads of bad addresses, callbacks
 * (bpf_loop, bpf_for_each_map_elem), tail calls, map helpers from 4
 * threads. The differential checks against the running kernel are in
 * test_helpers_kernel.c.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "bpfbox/bpfbox.h"
#include "helpers/helpers.h"
#include "maps/map_internal.h"
#include "progtype/prog_types.h"
#include "testlib.h"
#include "vm/vm_internal.h"

/* ---- log and trace capture --------------------------------------------------- */

static char last_log[2048];
static unsigned nlogs;

static void capture_log(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	(void)ctx;
	if (level > BPFBOX_LOG_WARN)
		return;
	snprintf(last_log, sizeof(last_log), "%s", msg);
	nlogs++;
}

static char last_trace[2048];
static unsigned ntraces;
static struct bpfbox_trace_rec last_rec;

static void capture_trace(void *ctx, const struct bpfbox_trace_rec *rec)
{
	(void)ctx;
	snprintf(last_trace, sizeof(last_trace), "%s", rec->msg);
	last_rec = *rec;
	ntraces++;
}

static struct bpfbox_vm *vm;

/* ---- programs ------------------------------------------------------------------ */

/* Assemble LLVM-syntax text and load it with `maps`; NULL on failure
 * (reported as a failed check). */
static struct bpfbox_prog *load_asm(const char *name, const char *text,
				    struct bpfbox_map *const *maps, size_t nmaps)
{
	BPFBOX_OPTS(bpfbox_asm_opts, ao, .filename = name, .syntax = BPFBOX_SYNTAX_LLVM,
		    .log = capture_log);
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = name, .license = "GPL", .maps = maps,
		    .map_cnt = nmaps);
	struct bpfbox_insn *insns = NULL;
	struct bpfbox_prog *prog = NULL;
	size_t cnt = 0;
	int err;

	err = bpfbox_asm(text, strlen(text), &ao, &insns, &cnt);
	if (!CHECK_MSG(err == 0, "%s: assembly failed (%d): %s", name, err, last_log))
		return NULL;
	err = bpfbox_prog__load(vm, insns, cnt, &po, &prog);
	free(insns);
	if (!CHECK_MSG(err == 0, "%s: load failed (%d): %s", name, err, last_log))
		return NULL;
	return prog;
}

/* Run once in `mode` with the given CPU and task; returns the run error,
 * r0 in *r0. */
static int run_prog(struct bpfbox_prog *prog, enum bpfbox_run_mode mode, void *ctx,
		    size_t ctx_size, int32_t cpu, const struct bpfbox_task *task, uint64_t *r0)
{
	BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = ctx, .ctx_size = ctx_size, .mode = mode,
		    .cpu = cpu, .task = task);
	int err = bpfbox_prog__run(prog, &ro);

	*r0 = ro.retval;
	return err;
}

/* Assemble, load, run in `mode`, free; returns the run error. */
static int run_asm(const char *name, const char *text, struct bpfbox_map *const *maps,
		   size_t nmaps, enum bpfbox_run_mode mode, uint64_t *r0)
{
	struct bpfbox_prog *prog = load_asm(name, text, maps, nmaps);
	int err;

	*r0 = 0xdeadbeef;
	if (!prog)
		return -999;
	err = run_prog(prog, mode, NULL, 0, -1, NULL, r0);
	bpfbox_prog__free(prog);
	return err;
}

static struct bpfbox_map *mk_map(uint32_t type, uint32_t ks, uint32_t vs, uint32_t me,
				 uint32_t flags)
{
	BPFBOX_OPTS(bpfbox_map_create_opts, mo, .map_flags = flags, .nr_cpus = 4,
		    .log = capture_log);
	struct bpfbox_map *m = NULL;
	int err = bpfbox_map__create(type, ks, vs, me, &mo, &m);

	CHECK_MSG(err == 0, "map create type %u: %d %s", type, err, last_log);
	return m;
}

/* A fake run for calling helper functions directly (trusted). */
static struct bpfbox_prog *dummy_prog;
static struct bpfbox_task test_task = { .pid = 101, .tgid = 100, .uid = 1000, .gid = 2000,
					.comm = "bpfbox-test" };

static void fake_call(struct bpfbox_call *c)
{
	memset(c, 0, sizeof(*c));
	c->vm = vm;
	c->prog = dummy_prog;
	c->cpu = 2;
	c->task = &test_task;
}

#define P(x) ((uint64_t)(uintptr_t)(x))

/* ---- the table ------------------------------------------------------------------ */

static void test_table(void)
{
	struct bpfbox_vm *empty = NULL;

	/* every id is the kernel's */
#define CHECK_ID(ID, NAME, FN, GPL, RET, A1, A2, A3, A4, A5, SETS) \
	CHECK_EQ_INT(ID, BPF_FUNC_##NAME);
	BXK_KERNEL_HELPERS(CHECK_ID)
#undef CHECK_ID
	CHECK(bxk_nprotos >= 37);
	for (size_t i = 0; i < bxk_nprotos; i++) {
		const struct bxk_proto *p = &bxk_protos[i];
		char name[64];

		CHECK(bxk_proto(p->id) == p);
		CHECK(p->fn != NULL);
		CHECK(p->sets != 0);
		snprintf(name, sizeof(name), "bpf_%s", p->name);
		CHECK_STR(bpfbox_vm__helper_name(vm, p->id), name);
		for (size_t j = 0; j < i; j++)
			CHECK_MSG(bxk_protos[j].id != p->id, "duplicate id %u", p->id);
	}
	CHECK(bxk_proto(9999) == NULL);
	CHECK(bxk_proto(BPF_FUNC_map_lookup_elem)->ret == BXK_RET_PTR_TO_MAP_VALUE_OR_NULL);
	CHECK(bxk_proto(BPF_FUNC_map_lookup_elem)->arg[0] == BXK_ARG_CONST_MAP_PTR);
	CHECK(bxk_proto(BPF_FUNC_map_lookup_elem)->arg[1] == BXK_ARG_PTR_TO_MAP_KEY);
	CHECK(bxk_proto(BPF_FUNC_trace_printk)->gpl_only);
	CHECK(!bxk_proto(BPF_FUNC_ktime_get_ns)->gpl_only);
	CHECK(bxk_proto(BPF_FUNC_ringbuf_submit)->arg[0] & BXK_OBJ_RELEASE);
	CHECK(BXK_BASE_TYPE(bxk_proto(BPF_FUNC_snprintf)->arg[0]) == BXK_ARG_PTR_TO_MEM);
	CHECK(bxk_proto(BPF_FUNC_snprintf)->arg[0] & BXK_MEM_UNINIT);
	/* a few rows of the per-type rule (all of it: test_progtype_kernel.c) */
	CHECK(bxp_helper_allowed(bxp_prog_type(BPF_PROG_TYPE_XDP),
				 bxk_proto(BPF_FUNC_xdp_adjust_head)->sets));
	CHECK(!bxp_helper_allowed(bxp_prog_type(BPF_PROG_TYPE_SCHED_CLS),
				  bxk_proto(BPF_FUNC_xdp_adjust_head)->sets));
	CHECK(!bxp_helper_allowed(bxp_prog_type(BPF_PROG_TYPE_KPROBE),
				  bxk_proto(BPF_FUNC_ktime_get_coarse_ns)->sets));
	CHECK(bxp_helper_allowed(bxp_prog_type(BPF_PROG_TYPE_XDP),
				 bxk_proto(BPF_FUNC_get_current_pid_tgid)->sets));
	/* the internal LD_ABS helper (id 4093) is for no program to call */
	CHECK(!bxp_helper_allowed(bxp_prog_type(BPF_PROG_TYPE_SOCKET_FILTER), bxk_proto(4093)->sets));

	/* no_kernel_helpers: an empty registry; helpers stay replaceable */
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .no_kernel_helpers = true);
	CHECK_EQ_INT(bpfbox_vm__new(&vo, &empty), 0);
	CHECK(bpfbox_vm__helper_name(empty, 1) == NULL);
	CHECK_EQ_INT(bxk_register_kernel_helpers(empty), 0);
	CHECK_STR(bpfbox_vm__helper_name(empty, 6), "bpf_trace_printk");
	bpfbox_vm__free(empty);
}

/* ---- map helpers ------------------------------------------------------------------ */

static const char map_prog[] =
	"*(u32 *)(r10 - 4) = 7\n"
	"*(u64 *)(r10 - 16) = 100\n"
	"r1 = map[idx:0] ll\n"
	"r2 = r10\n"
	"r2 += -4\n"
	"r3 = r10\n"
	"r3 += -16\n"
	"r4 = 0\n"
	"call 2\n"
	"if r0 != 0 goto err\n"
	"r1 = map[idx:0] ll\n"
	"r2 = r10\n"
	"r2 += -4\n"
	"call 1\n"
	"if r0 == 0 goto err\n"
	"r1 = *(u64 *)(r0 + 0)\n"
	"r1 += 5\n"
	"*(u64 *)(r0 + 0) = r1\n"
	"r6 = r1\n"
	"r1 = map[idx:0] ll\n"
	"r2 = r10\n"
	"r2 += -4\n"
	"call 3\n"
	"if r0 != 0 goto err\n"
	"r1 = map[idx:0] ll\n"
	"r2 = r10\n"
	"r2 += -4\n"
	"call 3\n"                       /* second delete: -ENOENT */
	"r0 <<= 32\n"
	"r0 s>>= 32\n"
	"if r0 != -2 goto err\n"
	"r0 = r6\n"
	"exit\n"
	"err:\n"
	"r0 = -1\n"
	"exit\n";

static void test_map_helpers(void)
{
	static const uint32_t types[] = { BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH,
					  BPF_MAP_TYPE_PERCPU_HASH };
	uint64_t r0;

	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		struct bpfbox_map *m = mk_map(types[t], 4, 8, 16, 0);

		CHECK_EQ_INT(run_asm("maps", map_prog, &m, 1, BPFBOX_RUN_CHECKED, &r0), 0);
		CHECK_EQ_U64(r0, 105);
		CHECK_EQ_INT(run_asm("maps", map_prog, &m, 1, BPFBOX_RUN_TRUSTED, &r0), 0);
		CHECK_EQ_U64(r0, 105);
		bpfbox_map__free(m);
	}

	/* array: lookup of every element in checked mode (one region for all) */
	{
		struct bpfbox_map *m = mk_map(BPF_MAP_TYPE_ARRAY, 4, 8, 64, 0);
		static const char prog[] =
			"r6 = 0\n"
			"r7 = 0\n"
			"loop:\n"
			"*(u32 *)(r10 - 4) = r6\n"
			"r1 = map[idx:0] ll\n"
			"r2 = r10\n"
			"r2 += -4\n"
			"call 1\n"
			"if r0 == 0 goto out\n"
			"*(u64 *)(r0 + 0) = r6\n"
			"r7 += 1\n"
			"r6 += 1\n"
			"if r6 < 70 goto loop\n"
			"out:\n"
			"r0 = r7\n"
			"exit\n";
		uint64_t v;
		uint32_t k = 63;

		CHECK_EQ_INT(run_asm("array", prog, &m, 1, BPFBOX_RUN_CHECKED, &r0), 0);
		CHECK_EQ_U64(r0, 64);
		CHECK_EQ_INT(bpfbox_map__lookup_elem(m, &k, &v, 0), 0);
		CHECK_EQ_U64(v, 63);
		bpfbox_map__free(m);
	}

	/* BPF_F_RDONLY_PROG: a checked program may read but not write the value */
	{
		struct bpfbox_map *m = mk_map(BPF_MAP_TYPE_ARRAY, 4, 8, 1, BPF_F_RDONLY_PROG);
		static const char prog[] =
			"*(u32 *)(r10 - 4) = 0\n"
			"r1 = map[idx:0] ll\n"
			"r2 = r10\n"
			"r2 += -4\n"
			"call 1\n"
			"if r0 == 0 goto out\n"
			"r1 = *(u64 *)(r0 + 0)\n"
			"*(u64 *)(r0 + 0) = r1\n"
			"out:\n"
			"exit\n";

		CHECK_EQ_INT(run_asm("rdonly", prog, &m, 1, BPFBOX_RUN_CHECKED, &r0), -EFAULT);
		bpfbox_map__free(m);
	}

	/* queue: push 3, peek, pop, pop empty */
	{
		struct bpfbox_map *m = mk_map(BPF_MAP_TYPE_QUEUE, 0, 8, 4, 0);
		static const char prog[] =
			"r6 = 10\n"
			"push:\n"
			"*(u64 *)(r10 - 8) = r6\n"
			"r1 = map[idx:0] ll\n"
			"r2 = r10\n"
			"r2 += -8\n"
			"r3 = 0\n"
			"call 87\n"
			"if r0 != 0 goto err\n"
			"r6 += 1\n"
			"if r6 < 13 goto push\n"
			"r1 = map[idx:0] ll\n"
			"r2 = r10\n"
			"r2 += -16\n"
			"call 89\n"                  /* peek: 10 */
			"r7 = *(u64 *)(r10 - 16)\n"
			"r1 = map[idx:0] ll\n"
			"r2 = r10\n"
			"r2 += -16\n"
			"call 88\n"                  /* pop: 10 */
			"r1 = map[idx:0] ll\n"
			"r2 = r10\n"
			"r2 += -16\n"
			"call 88\n"                  /* pop: 11 */
			"r8 = *(u64 *)(r10 - 16)\n"
			"r0 = r7\n"
			"r0 *= 100\n"
			"r0 += r8\n"
			"exit\n"
			"err:\n"
			"r0 = -1\n"
			"exit\n";

		CHECK_EQ_INT(run_asm("queue", prog, &m, 1, BPFBOX_RUN_CHECKED, &r0), 0);
		CHECK_EQ_U64(r0, 1011);
		CHECK_EQ_INT(run_asm("queue", prog, &m, 1, BPFBOX_RUN_TRUSTED, &r0), 0);
		CHECK_EQ_U64(r0, 1210);	/* 12 was still queued: 12, 10 */
		bpfbox_map__free(m);
	}

	/* percpu lookup on another CPU; cpu >= nr_cpus gives NULL */
	{
		struct bpfbox_map *m = mk_map(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 2, 0);
		static const char prog[] =
			"*(u32 *)(r10 - 4) = 1\n"
			"r1 = map[idx:0] ll\n"
			"r2 = r10\n"
			"r2 += -4\n"
			"r3 = 3\n"
			"call 195\n"
			"if r0 == 0 goto err\n"
			"r6 = *(u64 *)(r0 + 0)\n"
			"r1 = map[idx:0] ll\n"
			"r2 = r10\n"
			"r2 += -4\n"
			"r3 = 4\n"
			"call 195\n"
			"if r0 != 0 goto err\n"
			"r0 = r6\n"
			"exit\n"
			"err:\n"
			"r0 = -1\n"
			"exit\n";
		uint64_t vals[4] = { 1, 2, 3, 4 };
		uint32_t k = 1;

		CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, vals, 0), 0);
		CHECK_EQ_INT(run_asm("percpu", prog, &m, 1, BPFBOX_RUN_CHECKED, &r0), 0);
		CHECK_EQ_U64(r0, 4);
		bpfbox_map__free(m);
	}
}

/* Checked mode: garbage pointers stop the run with -EFAULT and a log
 * line naming the helper and argument; the host does not crash. */
static void test_checked_args(void)
{
	struct bpfbox_map *m = mk_map(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	uint64_t r0;

	nlogs = 0;
	CHECK_EQ_INT(run_asm("badkey",
			     "r1 = map[idx:0] ll\n"
			     "r2 = 4096\n"
			     "call 1\n"
			     "exit\n", &m, 1, BPFBOX_RUN_CHECKED, &r0), -EFAULT);
	CHECK(strstr(last_log, "bpf_map_lookup_elem: arg 2 (key)") != NULL);
	CHECK_EQ_INT(run_asm("badval",
			     "*(u32 *)(r10 - 4) = 0\n"
			     "r1 = map[idx:0] ll\n"
			     "r2 = r10\n"
			     "r2 += -4\n"
			     "r3 = r10\n"
			     "r3 += -4\n"             /* 8 bytes from r10-4: past the frame */
			     "r4 = 0\n"
			     "call 2\n"
			     "exit\n", &m, 1, BPFBOX_RUN_CHECKED, &r0), -EFAULT);
	CHECK(strstr(last_log, "arg 3 (value)") != NULL);
	CHECK_EQ_INT(run_asm("badmap",
			     "r1 = 12345\n"
			     "r2 = r10\n"
			     "r2 += -8\n"
			     "call 1\n"
			     "exit\n", NULL, 0, BPFBOX_RUN_CHECKED, &r0), -EFAULT);
	CHECK(strstr(last_log, "is not a map of the program") != NULL);
	CHECK_EQ_INT(run_asm("badprintk",
			     "r1 = 64\n"
			     "r2 = 8\n"
			     "call 6\n"
			     "exit\n", NULL, 0, BPFBOX_RUN_CHECKED, &r0), -EFAULT);
	CHECK(strstr(last_log, "bpf_trace_printk: arg 1 (fmt)") != NULL);
	CHECK_EQ_INT(run_asm("badcomm",
			     "r1 = r10\n"
			     "r1 += -8\n"
			     "r2 = 16\n"
			     "call 16\n"
			     "exit\n", NULL, 0, BPFBOX_RUN_CHECKED, &r0), -EFAULT);
	CHECK(strstr(last_log, "bpf_get_current_comm: arg 1 (buf)") != NULL);
	CHECK_EQ_INT(run_asm("badsubmit",
			     "r1 = r10\n"
			     "r1 += -8\n"
			     "r2 = 0\n"
			     "call 132\n"
			     "r0 = 0\n"
			     "exit\n", NULL, 0, BPFBOX_RUN_CHECKED, &r0), -EFAULT);
	CHECK(strstr(last_log, "no reserved ring buffer record") != NULL);
	/* a push into a prog array: refused like the verifier would (-EINVAL) */
	{
		struct bpfbox_map *pa = mk_map(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0);

		CHECK_EQ_INT(run_asm("pa-update",
				     "*(u64 *)(r10 - 8) = 0\n"
				     "r1 = map[idx:0] ll\n"
				     "r2 = r10\n"
				     "r2 += -8\n"
				     "r3 = r10\n"
				     "r3 += -8\n"
				     "r4 = 0\n"
				     "call 2\n"
				     "exit\n", &pa, 1, BPFBOX_RUN_CHECKED, &r0), 0);
		CHECK_EQ_INT((int64_t)r0, -EINVAL);
		bpfbox_map__free(pa);
	}
	bpfbox_map__free(m);
}

/* ---- time, misc, task ------------------------------------------------------------ */

static uint64_t now_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void test_time_misc(void)
{
	uint64_t r0, a, b;
	static const struct { int id; clockid_t clk; } clocks[] = {
		{ BPF_FUNC_ktime_get_ns, CLOCK_MONOTONIC },
		{ BPF_FUNC_ktime_get_boot_ns, CLOCK_BOOTTIME },
		{ BPF_FUNC_ktime_get_coarse_ns, CLOCK_MONOTONIC_COARSE },
		{ BPF_FUNC_ktime_get_tai_ns, CLOCK_TAI },
	};
	char prog[64];

	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		snprintf(prog, sizeof(prog), "call %d\nexit\n", clocks[i].id);
		a = now_ns(clocks[i].clk);
		CHECK_EQ_INT(run_asm("clock", prog, NULL, 0, BPFBOX_RUN_CHECKED, &r0), 0);
		b = now_ns(clocks[i].clk);
		CHECK_MSG(r0 + 20000000 >= a && r0 <= b + 20000000,
			  "helper %d: %llu not in [%llu, %llu]", clocks[i].id,
			  (unsigned long long)r0, (unsigned long long)a, (unsigned long long)b);
	}
	CHECK_EQ_INT(run_asm("jiffies", "call 118\nexit\n", NULL, 0, BPFBOX_RUN_CHECKED, &r0), 0);
	CHECK(r0 >= now_ns(CLOCK_MONOTONIC) / 1000000 - 50 && r0 <= now_ns(CLOCK_MONOTONIC) / 1000000);

	/* prandom: u32, varied */
	{
		struct bpfbox_prog *p = load_asm("rand", "call 7\nexit\n", NULL, 0);
		uint64_t seen_or = 0, seen_and = ~0ull, prev = 0;
		int same = 0;

		for (int i = 0; p && i < 1000; i++) {
			CHECK_EQ_INT(run_prog(p, BPFBOX_RUN_TRUSTED, NULL, 0, -1, NULL, &r0), 0);
			if (r0 > UINT32_MAX)
				CHECK(r0 <= UINT32_MAX);
			same += r0 == prev;
			prev = r0;
			seen_or |= r0;
			seen_and &= r0;
		}
		CHECK_EQ_U64(seen_or, 0xffffffff);
		CHECK_EQ_U64(seen_and, 0);
		CHECK(same < 3);
		bpfbox_prog__free(p);
	}
	/* cpu and numa */
	{
		struct bpfbox_prog *p = load_asm("cpu", "call 8\nr6 = r0\ncall 42\nr0 += r6\nexit\n",
						 NULL, 0);

		if (p) {
			CHECK_EQ_INT(run_prog(p, BPFBOX_RUN_CHECKED, NULL, 0, 3, NULL, &r0), 0);
			CHECK_EQ_U64(r0, 3);
			CHECK_EQ_INT(run_prog(p, BPFBOX_RUN_CHECKED, NULL, 0, 0, NULL, &r0), 0);
			CHECK_EQ_U64(r0, 0);
		}
		bpfbox_prog__free(p);
	}
}

static void test_task_helpers(void)
{
	uint64_t out[6] = { 0 }, r0;
	struct bpfbox_prog *p;
	char comm[32];

	p = load_asm("task",
		     "r6 = r1\n"
		     "call 14\n"
		     "*(u64 *)(r6 + 0) = r0\n"
		     "call 15\n"
		     "*(u64 *)(r6 + 8) = r0\n"
		     "r1 = r6\n"
		     "r1 += 16\n"
		     "r2 = 8\n"
		     "call 16\n"
		     "*(u64 *)(r6 + 24) = r0\n"
		     "r1 = r6\n"
		     "r1 += 32\n"
		     "r2 = 16\n"
		     "call 16\n"
		     "exit\n", NULL, 0);
	if (!p)
		return;
	CHECK_EQ_INT(run_prog(p, BPFBOX_RUN_CHECKED, out, sizeof(out), 0, &test_task, &r0), 0);
	CHECK_EQ_U64(out[0], (100ull << 32) | 101);
	CHECK_EQ_U64(out[1], (2000ull << 32) | 1000);
	CHECK_MEM(&out[2], "bpfbox-", 8);	/* 7 chars + NUL */
	CHECK_EQ_U64(out[3], 0);
	CHECK_MEM(&out[4], "bpfbox-test\0\0\0\0\0", 16);
	/* no task named: the calling thread */
	memset(out, 0, sizeof(out));
	CHECK_EQ_INT(run_prog(p, BPFBOX_RUN_TRUSTED, out, sizeof(out), 0, NULL, &r0), 0);
	CHECK_EQ_U64(out[0], ((uint64_t)getpid() << 32) | (uint64_t)gettid());
	CHECK_EQ_U64(out[1], ((uint64_t)getgid() << 32) | getuid());
	snprintf(comm, sizeof(comm), "%s", "");
	{
		FILE *f = fopen("/proc/self/comm", "r");

		if (f && fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		if (f)
			fclose(f);
	}
	CHECK_STR((const char *)&out[4], comm);
	bpfbox_prog__free(p);
}

/* ---- formatting ------------------------------------------------------------------ */

/* bpf_snprintf through the helper function (trusted fake run). */
static long fmt1(char *out, size_t size, const char *fmt, const uint64_t *args, uint32_t n)
{
	struct bpfbox_call c;

	fake_call(&c);
	return (long)bxk_snprintf(&c, P(out), size, P(fmt), P(args), n * 8);
}

#define FMT_OK(want, fmt, ...)                                                  \
	do {                                                                    \
		const uint64_t a_[] = { 0, __VA_ARGS__ };                       \
		char o_[256];                                                   \
		long r_ = fmt1(o_, sizeof(o_), fmt, a_ + 1, (uint32_t)(sizeof(a_) / 8 - 1)); \
		CHECK_EQ_INT(r_, (long)strlen(want) + 1);                       \
		CHECK_STR(o_, want);                                            \
	} while (0)
#define FMT_BAD(fmt, ...)                                                       \
	do {                                                                    \
		const uint64_t a_[] = { 0, __VA_ARGS__ };                       \
		char o_[64] = "untouched";                                      \
		long r_ = fmt1(o_, sizeof(o_), fmt, a_ + 1, (uint32_t)(sizeof(a_) / 8 - 1)); \
		CHECK_MSG(r_ == -EINVAL, "format \"%s\": got %ld, want -EINVAL", fmt, r_); \
		CHECK_STR(o_, "untouched");                                     \
	} while (0)

/*
 * bpf_snprintf's formats. The expected strings are the kernel's output for
 * the same format and arguments: test_helpers_kernel.c runs these formats
 * (%d..%llx, widths, %pI4/%pi4, %pI6/%pi6/%pI6c, %px, %pks, %ps) through
 * the kernel's bpf_snprintf and compares; the values are readable by hand
 * (2001:0db8::12:1 is ip6 below, 192.168.1.20 ip4).
 */
static void test_formats(void)
{
	static const uint8_t ip4[4] = { 192, 168, 1, 20 };
	static const uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					 0, 0, 0, 0, 0, 0x12, 0, 1 };
	static const char str[] = "hello";
	char *unmapped;

	FMT_OK("plain text", "plain text", 0);
	FMT_OK("100%", "100%%", 0);
	FMT_OK("-5 7 4294967295 ff FF", "%d %i %u %x %X", (uint64_t)-5, 7, (uint64_t)-1, 255, 255);
	FMT_OK("-1 -1 18446744073709551615 ffffffffffffffff", "%ld %lld %lu %llx",
	       (uint64_t)-1, (uint64_t)-1, (uint64_t)-1, (uint64_t)-1);
	FMT_OK("4294967295", "%u", 0xffffffffffffffffull);
	FMT_OK("[   42|42   |00042|+42| 42|-0042]", "[%5d|%-5d|%05d|%+d|% d|%05d]",
	       42, 42, 42, 42, 42, (uint64_t)-42);
	FMT_OK("[abc|  x|y  ]", "[%c%c%c|%3c|%-3c]", 'a', 'b', 'c', 'x', 'y');
	FMT_OK("hello|     hello|hello |", "%s|%10s|%-6s|", P(str), P(str), P(str));
	FMT_OK("192.168.1.20 192.168.001.020", "%pI4 %pi4", P(ip4), P(ip4));
	FMT_OK("2001:0db8:0000:0000:0000:0000:0012:0001", "%pI6", P(ip6));
	FMT_OK("20010db8000000000000000000120001", "%pi6", P(ip6));
	FMT_OK("2001:0db8:0000:0000:0000:0000:0012:0001!", "%pI6c!", P(ip6));
	FMT_OK("0000000000001234 00000000deadbeef", "%px %pK", 0x1234, 0xdeadbeef);
	FMT_OK("0x1234", "%ps", 0x1234);
	FMT_OK("hello.", "%pks.", P(str));
	FMT_OK("hello", "%pus", P(str));
	FMT_OK("a\tb\n", "a\tb\n", 0);
	/* unreadable pointers: "" for strings, zeros for addresses */
	unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(unmapped != MAP_FAILED);
	FMT_OK("[] 0.0.0.0", "[%s] %pI4", P(unmapped), P(unmapped));
	FMT_OK("[]", "[%s]", 1);
	/* rejected as by the kernel */
	FMT_BAD("%o", 1);
	FMT_BAD("%hd", 1);
	FMT_BAD("%hhd", 1);
	FMT_BAD("%.2d", 1);
	FMT_BAD("%#x", 1);
	FMT_BAD("%lld %d", 1);	/* more conversions than arguments */
	FMT_BAD("%pM", P(ip4));
	FMT_BAD("%pI5", P(ip4));
	FMT_BAD("%sx", P(str));
	FMT_BAD("%pksx", P(str));
	FMT_BAD("%n", 1);
	FMT_BAD("%f", 1);
	FMT_BAD("%zu", 1);
	FMT_BAD("%lu %", 1, 2);
	FMT_BAD("bell\a", 0);
	FMT_BAD("\xc3\xa9", 0);
	/* snprintf: size and truncation */
	{
		struct bpfbox_call c;
		uint64_t a[12] = { 123456 };
		char o[8] = "xxxxxxx";

		fake_call(&c);
		CHECK_EQ_INT((long)bxk_snprintf(&c, P(o), 4, P("%d"), P(a), 8), 7);
		CHECK_STR(o, "123");
		CHECK_EQ_INT((long)bxk_snprintf(&c, 0, 0, P("%d"), P(a), 8), 7);
		CHECK_EQ_INT((long)bxk_snprintf(&c, P(o), 4, P("%d"), P(a), 7), -EINVAL);
		CHECK_EQ_INT((long)bxk_snprintf(&c, P(o), 4, P("%d"), P(a), 13 * 8), -EINVAL);
		CHECK_EQ_INT((long)bxk_snprintf(&c, P(o), 4, P("%d"), 0, 8), -EINVAL);
		/* 12 arguments */
		for (int i = 0; i < 12; i++)
			a[i] = (uint64_t)i;
		{
			char big[64];

			CHECK_EQ_INT((long)bxk_snprintf(&c, P(big), sizeof(big),
							P("%d%d%d%d%d%d%d%d%d%d%d%d"), P(a), 96), 15);
			CHECK_STR(big, "01234567891011");
		}
	}
	/* the kernel's 512-byte argument buffer */
	{
		char longs[600], o[2048];
		uint64_t a[3];

		memset(longs, 'a', sizeof(longs));
		longs[599] = 0;
		a[0] = a[1] = a[2] = P(longs);
		CHECK_EQ_INT(fmt1(o, sizeof(o), "%s", a, 1), 512);	/* 511 chars + NUL */
		CHECK_EQ_INT(fmt1(o, sizeof(o), "%s%s", a, 2), -ENOSPC);
	}
	munmap(unmapped, 4096);
}

/* bpf_trace_printk / bpf_trace_vprintk through programs: the trace record. */
static void test_printk(void)
{
	uint64_t r0;

	ntraces = 0;
	/* "x=%d y=%s\n" on the stack, a string argument on the stack too */
	CHECK_EQ_INT(run_asm("printk",
			     "r1 = 0x253d732064253d6e ll\n"	/* "n=%d s=%" */
			     "*(u64 *)(r10 - 16) = r1\n"
			     "r1 = 0x73\n"				/* "s\0" */
			     "*(u64 *)(r10 - 8) = r1\n"
			     "r1 = 0x6f6c6c6568 ll\n"		/* "hello\0" */
			     "*(u64 *)(r10 - 24) = r1\n"
			     "r1 = r10\n"
			     "r1 += -16\n"
			     "r2 = 16\n"
			     "r3 = -7\n"
			     "r4 = r10\n"
			     "r4 += -24\n"
			     "call 6\n"
			     "exit\n", NULL, 0, BPFBOX_RUN_CHECKED, &r0), 0);
	CHECK_EQ_INT(ntraces, 1);
	CHECK_STR(last_trace, "n=-7 s=hello");
	CHECK_EQ_INT((long)r0, 12);
	CHECK(last_rec.task != NULL && last_rec.task->tgid == (uint32_t)getpid());
	CHECK(last_rec.ts_ns > 0);

	/* direct calls: trace_printk with three args, vprintk with more */
	{
		struct bpfbox_call c;
		static const char fmt[] = "%d-%d-%d\n";
		static const char vfmt[] = "%d %d %d %d %s";
		uint64_t args[5] = { 1, 2, 3, 4, P("five") };

		fake_call(&c);
		ntraces = 0;
		CHECK_EQ_INT((long)bxk_trace_printk(&c, P(fmt), sizeof(fmt), 7, 8, 9), 6);
		CHECK_STR(last_trace, "7-8-9\n");
		CHECK_EQ_INT(last_rec.cpu, 2);
		CHECK(last_rec.task == &test_task);
		/* no NUL within fmt_size */
		CHECK_EQ_INT((long)bxk_trace_printk(&c, P(fmt), 3, 7, 8, 9), -EINVAL);
		/* four conversions: trace_printk allows three */
		CHECK_EQ_INT((long)bxk_trace_printk(&c, P(vfmt), sizeof(vfmt), 1, 2, 3), -EINVAL);
		CHECK_EQ_INT(ntraces, 1);
		CHECK_EQ_INT((long)bxk_trace_vprintk(&c, P(vfmt), sizeof(vfmt), P(args), 40, 0), 12);
		CHECK_STR(last_trace, "1 2 3 4 five");
		CHECK_EQ_INT((long)bxk_trace_vprintk(&c, P(vfmt), sizeof(vfmt), P(args), 36, 0), -EINVAL);
		CHECK_EQ_INT((long)bxk_trace_vprintk(&c, P(vfmt), sizeof(vfmt), P(args), 32, 0), -EINVAL);
		CHECK_EQ_INT(ntraces, 2);
	}
}

/* ---- probe reads ------------------------------------------------------------------ */

static void test_probe_read(void)
{
	struct bpfbox_call c;
	char *pages, dst[32];
	static const char s[] = "probe me";
	static const int ids[] = { BPF_FUNC_probe_read, BPF_FUNC_probe_read_user,
				   BPF_FUNC_probe_read_kernel };
	static const int sids[] = { BPF_FUNC_probe_read_str, BPF_FUNC_probe_read_user_str,
				    BPF_FUNC_probe_read_kernel_str };
	uint64_t r0;

	fake_call(&c);
	pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!CHECK(pages != MAP_FAILED))
		return;
	munmap(pages + 4096, 4096);
	memcpy(pages + 4096 - 4, "abc", 4);	/* a string ending at the unmapped page */
	memcpy(pages + 4096 - 8, "wxyzabc", 8);

	for (int i = 0; i < 3; i++) {
		bpfbox_helper_fn f = bxk_proto(ids[i])->fn, fs = bxk_proto(sids[i])->fn;

		memset(dst, 'z', sizeof(dst));
		CHECK_EQ_INT((long)f(&c, P(dst), sizeof(s), P(s), 0, 0), 0);
		CHECK_STR(dst, s);
		/* bad addresses: -EFAULT, dst zeroed */
		memset(dst, 'z', sizeof(dst));
		CHECK_EQ_INT((long)f(&c, P(dst), 8, 8, 0, 0), -EFAULT);
		CHECK_MEM(dst, "\0\0\0\0\0\0\0\0", 8);
		CHECK_EQ_INT((long)f(&c, P(dst), 8, P(pages + 4096 - 4), 0, 0), -EFAULT);
		CHECK_EQ_INT((long)f(&c, P(dst), 8, 0xffffffffffffff00ull, 0, 0), -EFAULT);
		CHECK_EQ_INT((long)f(&c, P(dst), 8, P(pages + 4096 - 8), 0, 0), 0);
		CHECK_EQ_INT((long)f(&c, P(dst), 0, 8, 0, 0), 0);
		/* _str: length incl. NUL; truncation; bad address */
		memset(dst, 'z', sizeof(dst));
		CHECK_EQ_INT((long)fs(&c, P(dst), sizeof(dst), P(s), 0, 0), 9);
		CHECK_STR(dst, s);
		CHECK_EQ_INT((long)fs(&c, P(dst), 4, P(s), 0, 0), 4);
		CHECK_STR(dst, "pro");
		CHECK_EQ_INT((long)fs(&c, P(dst), sizeof(dst), P(pages + 4096 - 4), 0, 0), 4);
		CHECK_STR(dst, "abc");
		CHECK_EQ_INT((long)fs(&c, P(dst), sizeof(dst), P(pages + 4096 - 8), 0, 0), 8);
		memset(dst, 'z', sizeof(dst));
		CHECK_EQ_INT((long)fs(&c, P(dst), sizeof(dst), 16, 0, 0), -EFAULT);
		CHECK_MEM(dst, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
		CHECK_EQ_INT((long)fs(&c, P(dst), 0, P(s), 0, 0), 0);
		/*
		 * Nothing after the NUL is written: the bytes up to and including
		 * it land in dst, the rest of dst keeps what it held. Hand-computed
		 * from the kernel's semantics (bpf-helpers(7): the result is the
		 * length incl. the trailing NUL; strncpy_from_kernel_nofault copies
		 * byte by byte and stops after the NUL): a tracing program cannot
		 * be test-run in the kernel (BPF_PROG_TEST_RUN refuses kprobes).
		 */
		memcpy(pages + 100, "ab\0XYZWVUTS", 12);
		memset(dst, 'z', sizeof(dst));
		CHECK_EQ_INT((long)fs(&c, P(dst), sizeof(dst), P(pages + 100), 0, 0), 3);
		CHECK_MEM(dst, "ab\0zzzzzzzzzzzzzzzzzzzzzzzzzzzzz", sizeof(dst));
		/* cut at size - 1, NUL-terminated, nothing written past size */
		memcpy(pages + 200, "abcdefgh", 9);
		memset(dst, 'z', sizeof(dst));
		CHECK_EQ_INT((long)fs(&c, P(dst), 4, P(pages + 200), 0, 0), 4);
		CHECK_MEM(dst, "abc\0zzzz", 8);
	}
	munmap(pages, 4096);

	/* through a checked program: probe_read of NULL into the stack */
	CHECK_EQ_INT(run_asm("probe",
			     "r1 = r10\n"
			     "r1 += -8\n"
			     "r2 = 8\n"
			     "r3 = 0\n"
			     "call 113\n"
			     "exit\n", NULL, 0, BPFBOX_RUN_CHECKED, &r0), 0);
	CHECK_EQ_INT((int64_t)r0, -EFAULT);
	/* ... but the destination must be the program's memory */
	CHECK_EQ_INT(run_asm("probe-dst",
			     "r1 = 4096\n"
			     "r2 = 8\n"
			     "r3 = r10\n"
			     "call 113\n"
			     "exit\n", NULL, 0, BPFBOX_RUN_CHECKED, &r0), -EFAULT);
}

/* ---- events ------------------------------------------------------------------------ */

struct perf_seen {
	unsigned n;
	uint32_t cpu;
	uint8_t data[16];
	uint32_t size;
};

static void perf_sample(void *ctx, uint32_t cpu, void *data, uint32_t size)
{
	struct perf_seen *s = ctx;

	s->n++;
	s->cpu = cpu;
	s->size = size;
	memcpy(s->data, data, size < 16 ? size : 16);
}

struct rb_seen {
	unsigned n;
	uint64_t first, second;
	size_t sizes;
};

static int rb_sample(void *ctx, void *data, size_t size)
{
	struct rb_seen *s = ctx;
	uint64_t v = 0;

	memcpy(&v, data, size < 8 ? size : 8);
	if (s->n == 0)
		s->first = v;
	else
		s->second = v;
	s->sizes += size;
	s->n++;
	return 0;
}

static void test_events(void)
{
	struct bpfbox_map *pm = mk_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, 0);
	struct bpfbox_map *rb = mk_map(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
	struct bpfbox_map *maps[2] = { pm, rb };
	struct perf_seen ps = { 0 };
	struct rb_seen rs = { 0 };
	struct bpfbox_prog *p;
	uint64_t r0;

	CHECK_EQ_INT(bpfbox_map__perf_attach(pm, 2, 4096), 0);
	p = load_asm("perf",
		     "r6 = r1\n"
		     "r1 = 0x1122334455667788 ll\n"
		     "*(u64 *)(r10 - 8) = r1\n"
		     "r1 = r6\n"
		     "r2 = map[idx:0] ll\n"
		     "r3 = 0xffffffff ll\n"
		     "r4 = r10\n"
		     "r4 += -8\n"
		     "r5 = 8\n"
		     "call 25\n"
		     "r7 = r0\n"
		     "r1 = r6\n"
		     "r2 = map[idx:0] ll\n"
		     "r3 = 3\n"                      /* no buffer: -ENOENT */
		     "r4 = r10\n"
		     "r4 += -8\n"
		     "r5 = 8\n"
		     "call 25\n"
		     "r0 <<= 32\n"
		     "r0 s>>= 32\n"
		     "if r0 != -2 goto err\n"
		     "r1 = r6\n"
		     "r2 = map[idx:0] ll\n"
		     "r3 = 9\n"                      /* out of range: -E2BIG */
		     "r4 = r10\n"
		     "r4 += -8\n"
		     "r5 = 8\n"
		     "call 25\n"
		     "r0 <<= 32\n"
		     "r0 s>>= 32\n"
		     "if r0 != -7 goto err\n"
		     "r0 = r7\n"
		     "exit\n"
		     "err:\n"
		     "r0 = 99\n"
		     "exit\n", maps, 2);
	if (p) {
		CHECK_EQ_INT(run_prog(p, BPFBOX_RUN_CHECKED, NULL, 0, 2, NULL, &r0), 0);
		CHECK_EQ_U64(r0, 0);
		CHECK_EQ_INT(bpfbox_map__perf_consume(pm, perf_sample, NULL, &ps), 1);
		CHECK_EQ_INT(ps.n, 1);
		CHECK_EQ_INT(ps.cpu, 2);
		CHECK(ps.size >= 8);
		CHECK_EQ_U64(*(uint64_t *)ps.data, 0x1122334455667788ull);
		/* on CPU 1 (no buffer) BPF_F_CURRENT_CPU fails with -ENOENT */
		CHECK_EQ_INT(run_prog(p, BPFBOX_RUN_TRUSTED, NULL, 0, 1, NULL, &r0), 0);
		CHECK_EQ_INT((int64_t)r0, -ENOENT);
	}
	bpfbox_prog__free(p);

	p = load_asm("ringbuf",
		     "r1 = map[idx:1] ll\n"
		     "r2 = 16\n"
		     "r3 = 0\n"
		     "call 131\n"                    /* reserve 16 */
		     "if r0 == 0 goto err\n"
		     "r1 = 42\n"
		     "*(u64 *)(r0 + 0) = r1\n"
		     "*(u64 *)(r0 + 8) = r1\n"
		     "r1 = r0\n"
		     "r2 = 0\n"
		     "call 132\n"                    /* submit */
		     "r1 = map[idx:1] ll\n"
		     "r2 = 8\n"
		     "r3 = 0\n"
		     "call 131\n"
		     "if r0 == 0 goto err\n"
		     "r1 = r0\n"
		     "r2 = 0\n"
		     "call 133\n"                    /* discard */
		     "r1 = map[idx:1] ll\n"
		     "r2 = 8\n"
		     "r3 = 1\n"
		     "call 131\n"                    /* flags: NULL */
		     "if r0 != 0 goto err\n"
		     "r1 = 77\n"
		     "*(u64 *)(r10 - 8) = r1\n"
		     "r1 = map[idx:1] ll\n"
		     "r2 = r10\n"
		     "r2 += -8\n"
		     "r3 = 8\n"
		     "r4 = 0\n"
		     "call 130\n"                    /* output */
		     "if r0 != 0 goto err\n"
		     "r1 = map[idx:1] ll\n"
		     "r2 = 1\n"
		     "call 134\n"                    /* ring size */
		     "r6 = r0\n"
		     "r1 = map[idx:1] ll\n"
		     "r2 = 0\n"
		     "call 134\n"                    /* available data */
		     "r6 *= 1000\n"
		     "r0 += r6\n"
		     "exit\n"
		     "err:\n"
		     "r0 = 1\n"
		     "exit\n", maps, 2);
	if (p) {
		CHECK_EQ_INT(run_prog(p, BPFBOX_RUN_CHECKED, NULL, 0, 0, NULL, &r0), 0);
		/* 3 records: 24 + 16 (discarded) + 16 bytes with headers */
		CHECK_EQ_U64(r0, 4096 * 1000 + 56);
		CHECK_EQ_INT(bpfbox_map__ringbuf_consume(rb, rb_sample, &rs), 2);
		CHECK_EQ_U64(rs.first, 42);
		CHECK_EQ_U64(rs.second, 77);
		CHECK_EQ_INT(rs.sizes, 24);
	}
	bpfbox_prog__free(p);
	bpfbox_map__free(pm);
	bpfbox_map__free(rb);
}

/* ---- callbacks and tail calls ------------------------------------------------------ */

static void test_loop(void)
{
	static const char prog[] =
		"r1 = 10\n"
		"r2 = func[cb] ll\n"
		"*(u64 *)(r10 - 8) = 0\n"
		"r3 = r10\n"
		"r3 += -8\n"
		"r4 = 0\n"
		"call 181\n"
		"r6 = r0\n"
		"r0 = *(u64 *)(r10 - 8)\n"
		"r0 *= 1000\n"
		"r0 += r6\n"
		"exit\n"
		"cb:\n"
		"r0 = *(u64 *)(r2 + 0)\n"
		"r0 += r1\n"
		"*(u64 *)(r2 + 0) = r0\n"
		"r0 = 0\n"
		"if r1 != 5 goto done\n"
		"r0 = 1\n"
		"done:\n"
		"exit\n";
	static const char errs[] =
		"r1 = 10\n"
		"r2 = func[cb] ll\n"
		"r3 = 0\n"
		"r4 = 1\n"
		"call 181\n"                     /* flags: -EINVAL */
		"r6 = r0\n"
		"r1 = 0x800001 ll\n"
		"r2 = func[cb] ll\n"
		"r3 = 0\n"
		"r4 = 0\n"
		"call 181\n"                     /* > 1 << 23: -E2BIG */
		"r6 += r0\n"
		"r1 = 0\n"
		"r2 = func[cb] ll\n"
		"r3 = 0\n"
		"r4 = 0\n"
		"call 181\n"                     /* 0 loops: 0 */
		"r6 += r0\n"
		"r1 = 0x800000 ll\n"             /* the maximum: all run */
		"r2 = func[cb] ll\n"
		"r3 = 0\n"
		"r4 = 0\n"
		"call 181\n"
		"r6 += r0\n"
		"r0 = r6\n"
		"exit\n"
		"cb:\n"
		"r0 = 0\n"
		"exit\n";
	uint64_t r0;

	CHECK_EQ_INT(run_asm("loop", prog, NULL, 0, BPFBOX_RUN_CHECKED, &r0), 0);
	CHECK_EQ_U64(r0, 15 * 1000 + 6);
	CHECK_EQ_INT(run_asm("loop", prog, NULL, 0, BPFBOX_RUN_TRUSTED, &r0), 0);
	CHECK_EQ_U64(r0, 15 * 1000 + 6);
	CHECK_EQ_INT(run_asm("loop-errs", errs, NULL, 0, BPFBOX_RUN_TRUSTED, &r0), 0);
	CHECK_EQ_U64(r0, (uint64_t)(-EINVAL - E2BIG + 0x800000));
	/* a callback that is no instruction: the run stops */
	CHECK_EQ_INT(run_asm("loop-badcb",
			     "r1 = 1\n"
			     "r2 = 12345\n"
			     "r3 = 0\n"
			     "r4 = 0\n"
			     "call 181\n"
			     "exit\n", NULL, 0, BPFBOX_RUN_CHECKED, &r0), -EINVAL);
}

static void test_for_each(void)
{
	static const char prog[] =
		"r1 = map[idx:0] ll\n"
		"r2 = func[cb] ll\n"
		"*(u64 *)(r10 - 8) = 0\n"
		"r3 = r10\n"
		"r3 += -8\n"
		"r4 = 0\n"
		"call 164\n"
		"r6 = r0\n"
		"r0 = *(u64 *)(r10 - 8)\n"
		"r0 *= 1000\n"
		"r0 += r6\n"
		"exit\n"
		"cb:\n"
		"r5 = *(u64 *)(r3 + 0)\n"
		"r0 = *(u64 *)(r4 + 0)\n"
		"r0 += r5\n"
		"*(u64 *)(r4 + 0) = r0\n"
		"r0 = 0\n"
		"r5 = *(u32 *)(r2 + 0)\n"
		"if r5 != 5 goto done\n"
		"r0 = 1\n"
		"done:\n"
		"exit\n";
	static const char del_prog[] =
		"r1 = map[idx:0] ll\n"
		"r2 = func[cb] ll\n"
		"r3 = 0\n"
		"r4 = 0\n"
		"call 164\n"
		"exit\n"
		"cb:\n"
		"call 3\n"                       /* delete(map, key) */
		"r0 = 0\n"
		"exit\n";
	struct bpfbox_map *arr = mk_map(BPF_MAP_TYPE_ARRAY, 4, 8, 8, 0);
	struct bpfbox_map *h = mk_map(BPF_MAP_TYPE_HASH, 4, 8, 64, 0);
	struct bpfbox_map *q = mk_map(BPF_MAP_TYPE_QUEUE, 0, 8, 4, 0);
	uint64_t r0, v, sum = 0;
	uint32_t k;

	for (k = 0; k < 8; k++) {
		v = k * 10;
		CHECK_EQ_INT(bpfbox_map__update_elem(arr, &k, &v, 0), 0);
	}
	CHECK_EQ_INT(run_asm("each-array", prog, &arr, 1, BPFBOX_RUN_CHECKED, &r0), 0);
	CHECK_EQ_U64(r0, 150 * 1000 + 6);
	for (k = 100; k < 120; k++) {
		v = k;
		sum += k;
		CHECK_EQ_INT(bpfbox_map__update_elem(h, &k, &v, 0), 0);
	}
	CHECK_EQ_INT(run_asm("each-hash", prog, &h, 1, BPFBOX_RUN_CHECKED, &r0), 0);
	CHECK_EQ_U64(r0, sum * 1000 + 20);
	CHECK_EQ_INT(run_asm("each-hash", prog, &h, 1, BPFBOX_RUN_TRUSTED, &r0), 0);
	CHECK_EQ_U64(r0, sum * 1000 + 20);
	/* deleting every element while iterating: each visited once */
	CHECK_EQ_INT(run_asm("each-del", del_prog, &h, 1, BPFBOX_RUN_CHECKED, &r0), 0);
	CHECK_EQ_U64(r0, 20);
	CHECK_EQ_INT(bpfbox_map__get_next_key(h, NULL, &k), -ENOENT);
	/* other map types and flags: -EINVAL */
	CHECK_EQ_INT(run_asm("each-queue", del_prog, &q, 1, BPFBOX_RUN_CHECKED, &r0), 0);
	CHECK_EQ_INT((int64_t)r0, -EINVAL);
	bpfbox_map__free(arr);
	bpfbox_map__free(h);
	bpfbox_map__free(q);
}

static void test_tail_call(void)
{
	struct bpfbox_map *pa = mk_map(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 8, 0);
	struct bpfbox_map *cnt = mk_map(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0);
	struct bpfbox_map *maps[2] = { pa, cnt };
	struct bpfbox_prog *target, *disp, *self;
	uint64_t r0, v;
	uint32_t k;
	char src[512];

	target = load_asm("target", "r0 = r1\nr0 += 1000\nexit\n", maps, 2);
	self = load_asm("self",
			"r6 = r1\n"
			"*(u32 *)(r10 - 4) = 0\n"
			"r1 = map[idx:1] ll\n"
			"r2 = r10\n"
			"r2 += -4\n"
			"call 1\n"
			"if r0 == 0 goto out\n"
			"r1 = *(u64 *)(r0 + 0)\n"
			"r1 += 1\n"
			"*(u64 *)(r0 + 0) = r1\n"
			"r1 = r6\n"
			"r2 = map[idx:0] ll\n"
			"r3 = 1\n"
			"call 12\n"
			"out:\n"
			"r0 = 7\n"
			"exit\n", maps, 2);
	if (!target || !self)
		goto out;
	k = 0;
	CHECK_EQ_INT(bpfbox_map__update_elem(pa, &k, &target, 0), 0);
	k = 1;
	CHECK_EQ_INT(bpfbox_map__update_elem(pa, &k, &self, 0), 0);
	for (int idx = 0; idx < 3; idx++) {
		static const int index[3] = { 0, 5, 100 };	/* slot, empty slot, out of range */

		snprintf(src, sizeof(src),
			 "r2 = map[idx:0] ll\n"
			 "r3 = %d\n"
			 "call 12\n"
			 "r0 <<= 32\n"
			 "r0 s>>= 32\n"
			 "r0 += 500\n"
			 "exit\n", index[idx]);
		disp = load_asm("dispatch", src, maps, 2);
		if (!disp)
			continue;
		CHECK_EQ_INT(run_prog(disp, BPFBOX_RUN_CHECKED, NULL, 0, 0, NULL, &r0), 0);
		CHECK_EQ_U64(r0, idx == 0 ? 1000 : (uint64_t)(500 - ENOENT));
		bpfbox_prog__free(disp);
	}
	/* the chain limit: 1 run + 33 tail calls, then the program goes on */
	k = 0;
	v = 0;
	CHECK_EQ_INT(bpfbox_map__update_elem(cnt, &k, &v, 0), 0);
	CHECK_EQ_INT(run_prog(self, BPFBOX_RUN_CHECKED, NULL, 0, 0, NULL, &r0), 0);
	CHECK_EQ_U64(r0, 7);
	CHECK_EQ_INT(bpfbox_map__lookup_elem(cnt, &k, &v, 0), 0);
	CHECK_EQ_U64(v, 34);
	/* not a prog array */
	CHECK_EQ_INT(run_asm("tail-notpa",
			     "r2 = map[idx:1] ll\n"
			     "r3 = 0\n"
			     "call 12\n"
			     "exit\n", maps, 2, BPFBOX_RUN_CHECKED, &r0), 0);
	CHECK_EQ_INT((int64_t)r0, -EINVAL);
out:
	k = 0;
	bpfbox_map__delete_elem(pa, &k);
	k = 1;
	bpfbox_map__delete_elem(pa, &k);
	bpfbox_prog__free(target);
	bpfbox_prog__free(self);
	bpfbox_map__free(pa);
	bpfbox_map__free(cnt);
}

/* ---- map helpers from 4 threads ----------------------------------------------------- */

#define NTHREADS 4
#define NITER 2000

struct thr {
	struct bpfbox_prog *prog;
	uint32_t id;
	int errs;
};

static void *thr_main(void *arg)
{
	struct thr *t = arg;
	uint64_t ctx[1] = { t->id }, r0;

	for (int i = 0; i < NITER; i++) {
		BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = ctx, .ctx_size = sizeof(ctx),
			    .mode = (i & 1) ? BPFBOX_RUN_CHECKED : BPFBOX_RUN_TRUSTED,
			    .cpu = (int32_t)t->id);
		if (bpfbox_prog__run(t->prog, &ro) || ro.retval != 0)
			t->errs++;
		r0 = ro.retval;
		(void)r0;
	}
	return NULL;
}

static void test_threads(void)
{
	/* shared key 0: atomic add on the looked-up value; own key id+1:
	 * lookup, update with +1, and a delete/re-insert of a scratch key */
	static const char prog[] =
		"r6 = *(u64 *)(r1 + 0)\n"
		"*(u32 *)(r10 - 4) = 0\n"
		"r1 = map[idx:0] ll\n"
		"r2 = r10\n"
		"r2 += -4\n"
		"call 1\n"
		"if r0 == 0 goto err\n"
		"r1 = 1\n"
		"lock *(u64 *)(r0 + 0) += r1\n"
		"r6 += 1\n"
		"*(u32 *)(r10 - 4) = r6\n"
		"r1 = map[idx:0] ll\n"
		"r2 = r10\n"
		"r2 += -4\n"
		"call 1\n"
		"r7 = 1\n"
		"if r0 == 0 goto upd\n"
		"r7 = *(u64 *)(r0 + 0)\n"
		"r7 += 1\n"
		"upd:\n"
		"*(u64 *)(r10 - 16) = r7\n"
		"r1 = map[idx:0] ll\n"
		"r2 = r10\n"
		"r2 += -4\n"
		"r3 = r10\n"
		"r3 += -16\n"
		"r4 = 0\n"
		"call 2\n"
		"if r0 != 0 goto err\n"
		"r6 += 100\n"
		"*(u32 *)(r10 - 4) = r6\n"
		"r1 = map[idx:0] ll\n"
		"r2 = r10\n"
		"r2 += -4\n"
		"r3 = r10\n"
		"r3 += -16\n"
		"r4 = 1\n"                        /* BPF_NOEXIST */
		"call 2\n"
		"if r0 != 0 goto err\n"
		"r1 = map[idx:0] ll\n"
		"r2 = r10\n"
		"r2 += -4\n"
		"call 3\n"
		"if r0 != 0 goto err\n"
		"r0 = 0\n"
		"exit\n"
		"err:\n"
		"r0 = 1\n"
		"exit\n";
	struct bpfbox_map *h = mk_map(BPF_MAP_TYPE_HASH, 4, 8, 64, 0);
	struct bpfbox_prog *p = load_asm("threads", prog, &h, 1);
	pthread_t tid[NTHREADS];
	struct thr t[NTHREADS];
	uint64_t v = 0;
	uint32_t k = 0;

	if (!p)
		goto out;
	CHECK_EQ_INT(bpfbox_map__update_elem(h, &k, &v, 0), 0);
	for (uint32_t i = 0; i < NTHREADS; i++) {
		t[i] = (struct thr){ .prog = p, .id = i };
		pthread_create(&tid[i], NULL, thr_main, &t[i]);
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(tid[i], NULL);
		CHECK_EQ_INT(t[i].errs, 0);
	}
	CHECK_EQ_INT(bpfbox_map__lookup_elem(h, &k, &v, 0), 0);
	CHECK_EQ_U64(v, NTHREADS * NITER);
	for (k = 1; k <= NTHREADS; k++) {
		CHECK_EQ_INT(bpfbox_map__lookup_elem(h, &k, &v, 0), 0);
		CHECK_EQ_U64(v, NITER);
	}
out:
	bpfbox_prog__free(p);
	bpfbox_map__free(h);
}

/* ---- main ---------------------------------------------------------------------------- */

int main(void)
{
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = capture_log, .trace = capture_trace,
		    .nr_cpus = 4);

	if (!CHECK_EQ_INT(bpfbox_vm__new(&vo, &vm), 0))
		return tl_summary();
	dummy_prog = load_asm("dummy", "r0 = 0\nexit\n", NULL, 0);
	TL_RUN(test_table);
	TL_RUN(test_map_helpers);
	TL_RUN(test_checked_args);
	TL_RUN(test_time_misc);
	TL_RUN(test_task_helpers);
	TL_RUN(test_formats);
	TL_RUN(test_printk);
	TL_RUN(test_probe_read);
	TL_RUN(test_events);
	TL_RUN(test_loop);
	TL_RUN(test_for_each);
	TL_RUN(test_tail_call);
	TL_RUN(test_threads);
	bpfbox_prog__free(dummy_prog);
	bpfbox_vm__free(vm);
	return tl_summary();
}

/*
 * bench_jit.c - the JIT against the kernel's JIT, native code and the
 * interpreter, on the loops of bench/progs/loops.h (hash chain, checksum
 * over a packet, branchy loop, 32-bit arithmetic, stack-heavy code).
 *
 * ROUNDS rounds (BENCH_JIT_ROUNDS), each:
 *  - kernel: the object build/bench/progs/loops.o loaded afresh with libbpf
 *    (a fresh JIT image, wherever it lands); bpfbox: the same bytecode
 *    loaded and compiled afresh (trusted; the kernel verified it);
 *  - then, program by program, BATCHES kernel test runs (BPF_PROG_TEST_RUN,
 *    XDP, 1 KiB packet, `repeat` runs: its duration) alternating with
 *    BATCHES bpfbox test runs the same way (thread CPU time per run: the
 *    kernel's timer also stops while the task is scheduled out), so that
 *    the two sides of a comparison are measured within milliseconds of each
 *    other and see the same machine (this host is a shared VM whose speed
 *    drifts); the median of each side.
 * Reported: the median over rounds less the empty program's (the test-run
 * overhead), JIT/kernel as the median of the per-round ratios, and their
 * range; the interpreter (median of
 * BATCHES) and its ns per executed instruction (counted by one checked
 * run); the same C (loops.h) compiled with -O2 and called directly; the
 * JIT's compile time per instruction. Needs root for the kernel column
 * (it prints "-" otherwise). Run from the repo root (make bench).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfbox/bpfbox.h"
#include "bench_util.h"
#include "jit/jit.h"

#ifndef BPFBOX_NO_LIBBPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#endif

#include "progs/loops.h"  /* bench/progs/loops.h */

#define ROUNDS 15      /* fresh kernel loads and fresh bpfbox compiles (BENCH_JIT_ROUNDS) */
#define BATCHES 5     /* test runs per measurement (median) */
#define PKT 1024

u32_t native_hash_chain(const u8_t *d, const u8_t *e);
u32_t native_checksum(const u8_t *d, const u8_t *e);
u32_t native_branchy(const u8_t *d, const u8_t *e);
u32_t native_arith32(const u8_t *d, const u8_t *e);
u32_t native_stack_heavy(const u8_t *d, const u8_t *e);

static const struct {
	const char *name;
	u32_t (*native)(const u8_t *, const u8_t *);
} progs[] = {
	{ "hash_chain", native_hash_chain },
	{ "checksum", native_checksum },
	{ "branchy", native_branchy },
	{ "arith32", native_arith32 },
	{ "stack_heavy", native_stack_heavy },
};
#define NPROGS (sizeof(progs) / sizeof(progs[0]))

static uint8_t pkt[PKT];

/* ---- bpfbox ---------------------------------------------------------------------------- */

/* load program `name` of the object (XDP, unverified, run trusted) */
static struct bpfbox_prog *bx_load(struct bpfbox_vm *vm, struct bpfbox_object *obj,
				   const char *name)
{
	struct bpfbox_program *p = bpfbox_object__find_program_by_name(obj, name);
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = name, .prog_type = 6 /* XDP */,
		    .license = "GPL", .no_verify = true);
	struct bpfbox_prog *prog = NULL;

	if (!p || bpfbox_prog__load(vm, bpfbox_program__insns(p), bpfbox_program__insn_cnt(p), &po,
				    &prog))
		return NULL;
	return prog;
}

/* one bpfbox test run of `repeat` runs: ns per run (thread CPU time), or -1 */
static double bx_batch(struct bpfbox_prog *prog, int repeat, uint32_t *retval)
{
	BPFBOX_OPTS(bpfbox_test_run_opts, t, .data_in = pkt, .data_size_in = PKT, .repeat = repeat,
		    .mode = BPFBOX_RUN_TRUSTED, .engine = BPFBOX_ENGINE_JIT);
	uint64_t t0 = bench_cpu_ns();

	if (bpfbox_prog__test_run(prog, &t))
		return -1;
	*retval = t.retval;
	return (double)(bench_cpu_ns() - t0) / repeat;
}

/* median ns per run over `batches` test runs of `repeat` (thread CPU time
 * of the whole test run: the test-run overhead is the empty program's) */
static double bx_time(struct bpfbox_prog *prog, enum bpfbox_engine engine, int repeat,
		      int batches, uint32_t *retval)
{
	double s[BATCHES];

	for (int b = 0; b < batches; b++) {
		BPFBOX_OPTS(bpfbox_test_run_opts, t, .data_in = pkt, .data_size_in = PKT,
			    .repeat = repeat, .mode = BPFBOX_RUN_TRUSTED, .engine = engine);
		uint64_t t0 = bench_cpu_ns();

		if (bpfbox_prog__test_run(prog, &t))
			return -1;
		s[b] = (double)(bench_cpu_ns() - t0) / repeat;
		*retval = t.retval;
	}
	qsort(s, (size_t)batches, sizeof(s[0]), bench_cmp_d);
	return s[batches / 2];
}

/*
 * bx_insns - instructions one run of `prog` executes: its (converted)
 * instructions loaded as a raw program and run once in checked mode on a
 * ctx that holds the xdp_buff fields the conversion reads (data at +24,
 * data_end at +32) followed by the packet. 0 if that fails.
 */
static uint64_t bx_insns(struct bpfbox_vm *vm, struct bpfbox_prog *prog)
{
	static uint8_t ctx[64 + PKT];
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "count", .no_verify = true);
	struct bpfbox_prog *raw = NULL;
	uint64_t d = (uint64_t)(uintptr_t)(ctx + 64), e = d + PKT, n = 0;

	memcpy(ctx + 24, &d, 8);
	memcpy(ctx + 32, &e, 8);
	memcpy(ctx + 64, pkt, PKT);
	if (bpfbox_prog__load(vm, bpfbox_prog__insns(prog), bpfbox_prog__insn_cnt(prog), &po, &raw))
		return 0;
	{
		BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = ctx, .ctx_size = sizeof(ctx),
			    .mode = BPFBOX_RUN_CHECKED, .engine = BPFBOX_ENGINE_INTERP);
		if (bpfbox_prog__run(raw, &ro) == 0)
			n = ro.insn_executed;
	}
	bpfbox_prog__free(raw);
	return n;
}

/* ---- the kernel ------------------------------------------------------------------------------ */

#ifndef BPFBOX_NO_LIBBPF
/* one kernel test run of `repeat` runs of fd: ns per run, or -1 */
static double kernel_batch(int fd, int repeat, uint32_t *ret)
{
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = pkt, .data_size_in = PKT, .repeat = repeat);

	if (fd < 0 || bpf_prog_test_run_opts(fd, &t))
		return -1;
	*ret = t.retval;
	return t.duration;
}
#endif

/*
 * one_round - one round: a fresh kernel load (when the kernel is there)
 * and fresh bpfbox compiles of every program (their code lands somewhere
 * new each time: the caller keeps every round's programs (bp[]) until the
 * end, so that a new compile cannot reuse the last one's pages and each
 * round samples another code placement, as each kernel load does), then
 * per program BATCHES kernel and bpfbox batches,
 * alternating (odd rounds start with bpfbox); the median ns per run of
 * each side in k[] and j[] (empty program last), and the compile time.
 */
static int one_round(struct bpfbox_vm *vm, struct bpfbox_object *obj, const char *path,
		     int *have_kernel, int r, double *k, double *j, uint32_t *kret, uint32_t *jret,
		     int repeat, uint64_t *cns, uint64_t *cinsns, struct bpfbox_prog **bp)
{
	int err = 0;
#ifndef BPFBOX_NO_LIBBPF
	struct bpf_object *ko = NULL;

	if (*have_kernel) {
		ko = bpf_object__open_file(path, NULL);
		if (!ko || bpf_object__load(ko)) {
			bpf_object__close(ko);
			ko = NULL;
			*have_kernel = 0;
		}
	}
#else
	(void)path;
#endif
	for (size_t i = 0; i <= NPROGS && !err; i++) {
		const char *n = i < NPROGS ? progs[i].name : "empty";

		bp[i] = bx_load(vm, obj, n);
		if (!bp[i] || bxj_compile(bp[i])) {
			printf("%s: bpfbox cannot load or compile it\n", n);
			err = -1;
			break;
		}
		*cns += bxj_compile_ns(bp[i]);
		*cinsns += bpfbox_prog__insn_cnt(bp[i]);
	}
	for (size_t i = 0; i <= NPROGS && !err; i++) {
		/* the empty program takes as many repeats as the others on both
		 * sides, so that subtracting it also cancels what a batch pays
		 * once (bpfbox's test-run set-up, which its thread CPU time covers;
		 * on both sides the cold start after the other side's batch) */
		int rep = repeat, brep = repeat, kfd = -1;
		double ks[BATCHES], js[BATCHES];

#ifndef BPFBOX_NO_LIBBPF
		if (ko) {
			struct bpf_program *kp = bpf_object__find_program_by_name(
				ko, i < NPROGS ? progs[i].name : "empty");
			kfd = kp ? bpf_program__fd(kp) : -1;
		}
#endif
		for (int b = 0; b < BATCHES && !err; b++) {
			bool bx_first = (r + b) & 1;

			if (bx_first && (js[b] = bx_batch(bp[i], brep, &jret[i])) < 0)
				err = -1;
#ifndef BPFBOX_NO_LIBBPF
			if (*have_kernel && (ks[b] = kernel_batch(kfd, rep, &kret[i])) < 0)
				*have_kernel = 0;
#endif
			if (!bx_first && (js[b] = bx_batch(bp[i], brep, &jret[i])) < 0)
				err = -1;
		}
		if (err)
			break;
		qsort(js, BATCHES, sizeof(js[0]), bench_cmp_d);
		j[i] = js[BATCHES / 2];
		if (*have_kernel) {
			qsort(ks, BATCHES, sizeof(ks[0]), bench_cmp_d);
			k[i] = ks[BATCHES / 2];
		}
	}
#ifndef BPFBOX_NO_LIBBPF
	bpf_object__close(ko);
#endif
	return err;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), bench_cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "build/bench/progs/loops.o";
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = bench_log_fn, .no_kernel_helpers = true);
	BPFBOX_OPTS(bpfbox_object_opts, oo);
	struct bpfbox_vm *vm = NULL;
	struct bpfbox_object *obj = NULL;
	double ks[NPROGS + 1][ROUNDS], js[NPROGS + 1][ROUNDS], rs[NPROGS][ROUNDS];
	double kt[NPROGS + 1] = { 0 }, jt[NPROGS + 1], it[NPROGS + 1];
	struct bpfbox_prog *kept[ROUNDS][NPROGS + 1] = { { 0 } };
	uint32_t kret[NPROGS + 1] = { 0 }, jret[NPROGS + 1], iret[NPROGS + 1];
	uint64_t ninsn[NPROGS + 1] = { 0 };
	int have_kernel = 0, bad = 0, repeat = 1000, rounds = ROUNDS;
	uint64_t cns = 0, cinsns = 0;
	const char *env = getenv("BENCH_JIT_ROUNDS");

	if (env && atoi(env) > 0 && atoi(env) <= ROUNDS)
		rounds = atoi(env);
	for (size_t i = 0; i < PKT; i++)
		pkt[i] = (uint8_t)(i * 7 + 3);
	if (bpfbox_vm__new(&vo, &vm) || bpfbox_object__open_file(path, &oo, &obj)) {
		printf("SKIP bench_jit: cannot open %s (make builds it with clang)\n", path);
		bpfbox_vm__free(vm);
		return 0;
	}
#ifndef BPFBOX_NO_LIBBPF
	libbpf_set_print(NULL);
	have_kernel = 1;
#endif
	/* rounds pair a fresh kernel load with fresh bpfbox compiles, and
	 * alternate their batches, so both sides see the same machine noise;
	 * medians over rounds */
	for (int r = 0; r < rounds; r++) {
		double k[NPROGS + 1] = { 0 }, j[NPROGS + 1];

		if (one_round(vm, obj, path, &have_kernel, r, k, j, kret, jret, repeat, &cns,
			      &cinsns, kept[r])) {
			bad = 1;
			goto out;
		}
		for (size_t i = 0; i <= NPROGS; i++) {
			ks[i][r] = k[i];
			js[i][r] = j[i];
			if (i < NPROGS)
				rs[i][r] = (j[i] - j[NPROGS]) / (k[i] - k[NPROGS]);
		}
	}
	for (size_t i = 0; i <= NPROGS; i++) {
		const char *n = i < NPROGS ? progs[i].name : "empty";
		struct bpfbox_prog *p = bx_load(vm, obj, n);

		if (!p) {
			bad = 1;
			goto out;
		}
		kt[i] = median(ks[i], rounds);
		jt[i] = median(js[i], rounds);
		it[i] = bx_time(p, BPFBOX_ENGINE_INTERP, repeat / 4,
				BATCHES, &iret[i]);
		ninsn[i] = bx_insns(vm, p);
		bpfbox_prog__free(p);
	}
	printf("JIT vs kernel JIT vs native -O2 vs interpreter: ns per run (test runs of XDP\n"
	       "programs on a %d-byte packet, less the empty program's test-run overhead:\n"
	       "kernel %.1f ns, bpfbox JIT %.1f ns, interpreter %.1f ns). Medians over %d rounds;\n"
	       "each round loads the kernel program afresh and compiles bpfbox's afresh, and\n"
	       "times each program as the median of %d test runs of %d, kernel and bpfbox runs\n"
	       "alternating; JIT/k is the median of the rounds' ratios. Time spent preempted\n"
	       "is left out on both sides (kernel: the test-run timer; bpfbox and native:\n"
	       "thread CPU time). ns/insn: interpreter ns per executed instruction.\n\n", PKT,
	       kt[NPROGS], jt[NPROGS], it[NPROGS], rounds, BATCHES, repeat);
	printf("%-12s %8s %8s %7s %13s %8s %7s %8s %6s %7s\n", "program", "kernel", "bpfbox",
	       "JIT/k", "(rounds)", "native", "JIT/nat", "interp", "insns", "ns/insn");
	for (size_t i = 0; i < NPROGS; i++) {
		double k = kt[i] - kt[NPROGS], j = jt[i] - jt[NPROGS], in = it[i] - it[NPROGS];
		double nat, s[BATCHES], lo = rs[i][0], hi = rs[i][0], ratio;
		uint64_t t0;
		u32_t r = 0;

		/* native: 2000 calls per batch, median of BATCHES */
		for (int b = 0; b < BATCHES; b++) {
			t0 = bench_cpu_ns();
			for (int n = 0; n < 2000; n++)
				r += progs[i].native(pkt, pkt + PKT);
			s[b] = (double)(bench_cpu_ns() - t0) / 2000;
		}
		nat = median(s, BATCHES);
		r = progs[i].native(pkt, pkt + PKT);
		for (int x = 1; x < rounds; x++) {
			lo = rs[i][x] < lo ? rs[i][x] : lo;
			hi = rs[i][x] > hi ? rs[i][x] : hi;
		}
		ratio = median(rs[i], rounds);
		if (jret[i] != r || iret[i] != r || (have_kernel && kret[i] != r)) {
			printf("%-12s WRONG RESULT: native 0x%x, JIT 0x%x, interp 0x%x, kernel 0x%x\n",
			       progs[i].name, r, jret[i], iret[i], kret[i]);
			bad = 1;
		}
		if (have_kernel)
			printf("%-12s %8.0f %8.0f %6.2fx  %5.2f..%5.2fx %8.0f %6.2fx %8.0f %6llu %7.2f\n",
			       progs[i].name, k, j, ratio, lo, hi, nat, j / nat, in,
			       (unsigned long long)ninsn[i], ninsn[i] ? in / (double)ninsn[i] : 0.0);
		else
			printf("%-12s %8s %8.0f %7s %13s %8.0f %6.2fx %8.0f %6llu %7.2f\n", progs[i].name,
			       "-", j, "-", "", nat, j / nat, in, (unsigned long long)ninsn[i],
			       ninsn[i] ? in / (double)ninsn[i] : 0.0);
	}
	printf("\nJIT compile time: %.1f ns per instruction (%llu instructions over %d rounds)\n",
	       cinsns ? (double)cns / (double)cinsns : 0.0, (unsigned long long)cinsns, rounds);
	if (!have_kernel)
		printf("(kernel column: BPF_PROG_TEST_RUN not available here)\n");
out:
	for (int r = 0; r < ROUNDS; r++)
		for (size_t i = 0; i <= NPROGS; i++)
			bpfbox_prog__free(kept[r][i]);
	bpfbox_object__close(obj);
	bpfbox_vm__free(vm);
	return bad;
}

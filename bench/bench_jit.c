/*
 * bench_jit.c - the JIT against the kernel's JIT, native code and the
 * interpreter, on the loops of bench/progs/loops.h (hash chain, checksum
 * over a packet, branchy loop, 32-bit arithmetic, stack-heavy code).
 *
 *  - kernel: the object build/bench/progs/loops.o loaded with libbpf
 *    LOADS times (each load is a fresh JIT), each program test-run
 *    (BPF_PROG_TEST_RUN, XDP, 1 KiB packet, `repeat` runs): the median
 *    duration less the empty program's;
 *  - bpfbox: the same bytecode, test-run the same way (trusted; the kernel
 *    verified it), JIT and interpreter, median of BATCHES less empty;
 *  - native: the same C (loops.h) compiled with -O2, called directly.
 * Also the JIT's compile time per instruction. Needs root for the kernel
 * column (it prints "-" otherwise). Run from the repo root (make bench).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfbox/bpfbox.h"
#include "jit/jit.h"

#ifndef BPFBOX_NO_LIBBPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#endif

#include "progs/loops.h"  /* bench/progs/loops.h */

#define LOADS 5
#define BATCHES 5
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

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void log_fn(void *ctx, enum bpfbox_log_level lvl, const char *msg)
{
	(void)ctx;
	if (lvl <= BPFBOX_LOG_WARN)
		fprintf(stderr, "  %s\n", msg);
}

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

/* median ns per run over BATCHES test runs of `repeat` */
static double bx_time(struct bpfbox_prog *prog, enum bpfbox_engine engine, int repeat,
		      uint32_t *retval)
{
	double s[BATCHES];

	for (int b = 0; b < BATCHES; b++) {
		BPFBOX_OPTS(bpfbox_test_run_opts, t, .data_in = pkt, .data_size_in = PKT,
			    .repeat = repeat, .mode = BPFBOX_RUN_TRUSTED, .engine = engine);
		uint64_t t0 = now_ns();

		if (bpfbox_prog__test_run(prog, &t))
			return -1;
		s[b] = (double)(now_ns() - t0) / repeat;
		s[b] = t.duration ? (double)t.duration : s[b];
		*retval = t.retval;
	}
	qsort(s, BATCHES, sizeof(s[0]), cmp_d);
	return s[BATCHES / 2];
}

/* ---- the kernel ------------------------------------------------------------------------------ */

#ifndef BPFBOX_NO_LIBBPF
/* median over LOADS fresh loads of ns per run, per program (empty last) */
static int kernel_times(const char *path, double *out, uint32_t *ret, int repeat)
{
	double s[NPROGS + 1][LOADS];

	for (int l = 0; l < LOADS; l++) {
		struct bpf_object *o = bpf_object__open_file(path, NULL);

		if (!o || bpf_object__load(o)) {
			bpf_object__close(o);
			return -1;
		}
		for (size_t i = 0; i <= NPROGS; i++) {
			const char *n = i < NPROGS ? progs[i].name : "empty";
			struct bpf_program *p = bpf_object__find_program_by_name(o, n);
			LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = pkt, .data_size_in = PKT,
				    .repeat = i < NPROGS ? repeat : repeat * 20);
			if (!p || bpf_prog_test_run_opts(bpf_program__fd(p), &t)) {
				bpf_object__close(o);
				return -1;
			}
			s[i][l] = t.duration;
			if (i < NPROGS)
				ret[i] = t.retval;
		}
		bpf_object__close(o);
	}
	for (size_t i = 0; i <= NPROGS; i++) {
		qsort(s[i], LOADS, sizeof(double), cmp_d);
		out[i] = s[i][LOADS / 2];
	}
	return 0;
}
#endif

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "build/bench/progs/loops.o";
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = log_fn, .no_kernel_helpers = true);
	BPFBOX_OPTS(bpfbox_object_opts, oo);
	struct bpfbox_vm *vm = NULL;
	struct bpfbox_object *obj = NULL;
	double kt[NPROGS + 1] = { 0 }, jt[NPROGS + 1], it[NPROGS + 1];
	uint32_t kret[NPROGS] = { 0 }, jret[NPROGS + 1], iret[NPROGS + 1];
	int have_kernel = 0, bad = 0, repeat = 200;
	uint64_t cns = 0, cinsns = 0;

	for (size_t i = 0; i < PKT; i++)
		pkt[i] = (uint8_t)(i * 7 + 3);
	if (bpfbox_vm__new(&vo, &vm) || bpfbox_object__open_file(path, &oo, &obj)) {
		printf("SKIP bench_jit: cannot open %s (make builds it with clang)\n", path);
		bpfbox_vm__free(vm);
		return 0;
	}
#ifndef BPFBOX_NO_LIBBPF
	libbpf_set_print(NULL);
	have_kernel = kernel_times(path, kt, kret, repeat) == 0;
#endif
	for (size_t i = 0; i <= NPROGS; i++) {
		const char *n = i < NPROGS ? progs[i].name : "empty";
		struct bpfbox_prog *p = bx_load(vm, obj, n), *c = bx_load(vm, obj, n);

		if (!p || !c) {
			printf("%s: bpfbox cannot load it\n", n);
			bad = 1;
			jt[i] = it[i] = -1;
			continue;
		}
		bxj_compile(c);
		cns += bxj_compile_ns(c);
		cinsns += bpfbox_prog__insn_cnt(c);
		jt[i] = bx_time(p, BPFBOX_ENGINE_JIT, i < NPROGS ? repeat : repeat * 20, &jret[i]);
		it[i] = bx_time(p, BPFBOX_ENGINE_INTERP, i < NPROGS ? repeat / 4 : repeat * 20, &iret[i]);
		bpfbox_prog__free(p);
		bpfbox_prog__free(c);
	}
	printf("JIT vs kernel JIT vs native -O2 vs interpreter: ns per run (test runs of XDP\n"
	       "programs on a %d-byte packet, less the empty program: kernel %.0f ns, bpfbox JIT\n"
	       "%.0f ns, interpreter %.0f ns; kernel: median of %d loads)\n\n", PKT, kt[NPROGS],
	       jt[NPROGS], it[NPROGS], LOADS);
	printf("%-12s %10s %10s %8s %10s %9s %10s %9s\n", "program", "kernel", "bpfbox JIT",
	       "JIT/kern", "native O2", "JIT/nat", "interp", "int/JIT");
	for (size_t i = 0; i < NPROGS; i++) {
		double k = kt[i] - kt[NPROGS], j = jt[i] - jt[NPROGS], in = it[i] - it[NPROGS];
		uint64_t n = 0, t0;
		double nat;
		u32_t r = 0;

		/* native: enough calls for ~20 ms, median of BATCHES */
		{
			double s[BATCHES];
			for (int b = 0; b < BATCHES; b++) {
				t0 = now_ns();
				for (n = 0; n < 2000; n++)
					r += progs[i].native(pkt, pkt + PKT);
				s[b] = (double)(now_ns() - t0) / 2000;
			}
			qsort(s, BATCHES, sizeof(s[0]), cmp_d);
			nat = s[BATCHES / 2];
			r = progs[i].native(pkt, pkt + PKT);
		}
		if (jt[i] < 0)
			continue;
		if (jret[i] != r || iret[i] != r || (have_kernel && kret[i] != r)) {
			printf("%-12s WRONG RESULT: native 0x%x, JIT 0x%x, interp 0x%x, kernel 0x%x\n",
			       progs[i].name, r, jret[i], iret[i], kret[i]);
			bad = 1;
		}
		if (have_kernel)
			printf("%-12s %10.0f %10.0f %7.2fx %10.0f %8.2fx %10.0f %8.2fx\n", progs[i].name,
			       k, j, j / k, nat, j / nat, in, in / j);
		else
			printf("%-12s %10s %10.0f %8s %10.0f %8.2fx %10.0f %8.2fx\n", progs[i].name,
			       "-", j, "-", nat, j / nat, in, in / j);
	}
	printf("\nJIT compile time: %.1f ns per instruction (%llu instructions)\n",
	       cinsns ? (double)cns / (double)cinsns : 0.0, (unsigned long long)cinsns);
	if (!have_kernel)
		printf("(kernel column: BPF_PROG_TEST_RUN not available here)\n");
	bpfbox_object__close(obj);
	bpfbox_vm__free(vm);
	return bad;
}

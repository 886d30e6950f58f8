/*
 * bench_jit_checked.c - what the checks of a checked run cost, per engine:
 * the checked JIT (bounds-checked native code, budget charged per loop
 * iteration and function entry) against the checked interpreter and the
 * trusted JIT, in ns per run, on the bench programs:
 *  - the XDP loops of bench/progs/loops.h (build/bench/progs/loops.o,
 *    test runs over a 1 KiB packet: the packet is a region the checked
 *    code looks up; less the empty program's test-run overhead);
 *  - the raw programs bench/progs/NAME.s (bubble, collatz, fnv1a over a
 *    1 KiB buffer: the buffer is the ctx), run with bpfbox_prog__run().
 * Each time is the median of BATCHES batches (thread CPU time: preemption
 * on this shared host left out); every engine must return the same r0.
 * Run from the repo root (make bench).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfbox/bpfbox.h"
#include "bench_util.h"

#define BATCHES 7
#define PKT 1024

static uint8_t pkt[PKT];

/* the three engines a run can take */
enum { E_TRUSTED_JIT, E_CHECKED_JIT, E_CHECKED_INTERP, E__N };
static const struct { enum bpfbox_run_mode mode; enum bpfbox_engine engine; } eng[E__N] = {
	{ BPFBOX_RUN_TRUSTED, BPFBOX_ENGINE_JIT },
	{ BPFBOX_RUN_CHECKED, BPFBOX_ENGINE_JIT },
	{ BPFBOX_RUN_CHECKED, BPFBOX_ENGINE_INTERP },
};

/* xdp_time - median ns per run of test runs of `repeat` runs; r0 in *ret */
static double xdp_time(struct bpfbox_prog *prog, int e, int repeat, uint64_t *ret)
{
	double s[BATCHES];

	for (int b = 0; b < BATCHES; b++) {
		BPFBOX_OPTS(bpfbox_test_run_opts, t, .data_in = pkt, .data_size_in = PKT,
			    .repeat = repeat, .mode = eng[e].mode, .engine = eng[e].engine);
		uint64_t t0 = bench_cpu_ns();

		if (bpfbox_prog__test_run(prog, &t))
			return -1;
		s[b] = (double)(bench_cpu_ns() - t0) / repeat;
		*ret = t.r0;
	}
	qsort(s, BATCHES, sizeof(s[0]), bench_cmp_d);
	return s[BATCHES / 2];
}

/* raw_time - the same for a raw program run directly (ctx = buf) */
static double raw_time(struct bpfbox_prog *prog, int e, void *buf, size_t len, int repeat,
		       uint64_t *ret)
{
	double s[BATCHES];

	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = bench_cpu_ns();

		for (int n = 0; n < repeat; n++) {
			BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = buf, .ctx_size = len,
				    .mode = eng[e].mode, .engine = eng[e].engine);
			if (bpfbox_prog__run(prog, &ro))
				return -1;
			*ret = ro.retval;
		}
		s[b] = (double)(bench_cpu_ns() - t0) / repeat;
	}
	qsort(s, BATCHES, sizeof(s[0]), bench_cmp_d);
	return s[BATCHES / 2];
}

/* row - print one program's times; 1 if the engines disagree on r0 */
static int row(const char *name, const double *t, const uint64_t *r)
{
	if (r[0] != r[1] || r[0] != r[2]) {
		printf("%-12s WRONG RESULT: trusted JIT 0x%llx, checked JIT 0x%llx, checked interp "
		       "0x%llx\n", name, (unsigned long long)r[0], (unsigned long long)r[1],
		       (unsigned long long)r[2]);
		return 1;
	}
	printf("%-12s %10.0f %10.0f %10.0f %10.2fx %10.2fx\n", name, t[E_TRUSTED_JIT],
	       t[E_CHECKED_JIT], t[E_CHECKED_INTERP], t[E_CHECKED_JIT] / t[E_TRUSTED_JIT],
	       t[E_CHECKED_INTERP] / t[E_CHECKED_JIT]);
	return 0;
}

/* bench_xdp - the loops of loops.o; returns 1 on a wrong result */
static int bench_xdp(struct bpfbox_vm *vm, const char *path)
{
	static const char *const names[] = { "hash_chain", "checksum", "branchy", "arith32",
					     "stack_heavy", "empty" };
	const size_t n = sizeof(names) / sizeof(names[0]);
	BPFBOX_OPTS(bpfbox_object_opts, oo);
	struct bpfbox_object *obj = NULL;
	double t[6][E__N];
	uint64_t r[6][E__N];
	int bad = 0;

	if (bpfbox_object__open_file(path, &oo, &obj)) {
		printf("(no %s: make builds it with clang; XDP loops skipped)\n", path);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct bpfbox_program *p = bpfbox_object__find_program_by_name(obj, names[i]);
		BPFBOX_OPTS(bpfbox_prog_opts, po, .name = names[i], .prog_type = 6 /* XDP */,
			    .license = "GPL", .no_verify = true);
		struct bpfbox_prog *prog = NULL;

		if (!p || bpfbox_prog__load(vm, bpfbox_program__insns(p), bpfbox_program__insn_cnt(p),
					    &po, &prog)) {
			printf("%s: cannot load\n", names[i]);
			bpfbox_object__close(obj);
			return 1;
		}
		for (int e = 0; e < E__N; e++)
			t[i][e] = xdp_time(prog, e, e == E_CHECKED_INTERP ? 200 : 1000, &r[i][e]);
		bpfbox_prog__free(prog);
	}
	printf("XDP loops (test runs over a %d-byte packet, less the empty program's test-run\n"
	       "overhead: trusted JIT %.0f, checked JIT %.0f, checked interpreter %.0f ns):\n",
	       PKT, t[n - 1][0], t[n - 1][1], t[n - 1][2]);
	printf("%-12s %10s %10s %10s %11s %11s\n", "program", "trusted", "checked", "checked",
	       "chk/trust", "interp/chk");
	printf("%-12s %10s %10s %10s\n", "", "JIT ns", "JIT ns", "interp ns");
	for (size_t i = 0; i + 1 < n; i++) {
		double d[E__N];

		for (int e = 0; e < E__N; e++)
			d[e] = t[i][e] - t[n - 1][e];
		bad |= row(names[i], d, r[i]);
	}
	bpfbox_object__close(obj);
	return bad;
}

/* bench_raw - bench/progs/NAME.s; returns 1 on a wrong result */
static int bench_raw(struct bpfbox_vm *vm)
{
	static const struct { const char *file; int use_buf; } progs[] = {
		{ "bubble.s", 0 }, { "collatz.s", 0 }, { "fnv1a.s", 1 },
	};
	static uint8_t buf[PKT];
	int bad = 0;

	printf("\nraw programs (bench/progs, bpfbox_prog__run; fnv1a over a %d-byte buffer):\n", PKT);
	printf("%-12s %10s %10s %10s %11s %11s\n", "program", "trusted", "checked", "checked",
	       "chk/trust", "interp/chk");
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		char path[256], *text = NULL;
		BPFBOX_OPTS(bpfbox_asm_opts, ao, .filename = progs[i].file, .log = bench_log_fn);
		BPFBOX_OPTS(bpfbox_prog_opts, po, .name = progs[i].file);
		struct bpfbox_insn *insns = NULL;
		struct bpfbox_prog *prog = NULL;
		size_t cnt = 0, len = 0;
		FILE *f;
		double t[E__N];
		uint64_t r[E__N];

		snprintf(path, sizeof(path), "bench/progs/%s", progs[i].file);
		f = fopen(path, "r");
		if (f) {
			text = calloc(1, 1 << 16);
			len = text ? fread(text, 1, (1 << 16) - 1, f) : 0;
			fclose(f);
		}
		if (!len || bpfbox_asm(text, len, &ao, &insns, &cnt) ||
		    bpfbox_prog__load(vm, insns, cnt, &po, &prog)) {
			printf("%s: cannot load\n", path);
			free(text);
			free(insns);
			return 1;
		}
		for (int e = 0; e < E__N; e++)
			t[e] = raw_time(prog, e, progs[i].use_buf ? buf : NULL,
					progs[i].use_buf ? sizeof(buf) : 0,
					e == E_CHECKED_INTERP ? 3 : 10, &r[e]);
		bad |= row(progs[i].file, t, r);
		bpfbox_prog__free(prog);
		free(insns);
		free(text);
	}
	return bad;
}

int main(int argc, char **argv)
{
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = bench_log_fn, .no_kernel_helpers = true);
	struct bpfbox_vm *vm = NULL;
	int bad;

	for (size_t i = 0; i < PKT; i++)
		pkt[i] = (uint8_t)(i * 7 + 3);
	if (bpfbox_vm__new(&vo, &vm)) {
		printf("cannot create a vm\n");
		return 1;
	}
	printf("checked JIT vs checked interpreter vs trusted JIT, ns per run (median of %d\n"
	       "batches, thread CPU time); chk/trust: what the checks cost on the JIT,\n"
	       "interp/chk: how much faster the checked JIT is than the checked interpreter.\n\n",
	       BATCHES);
	bad = bench_xdp(vm, argc > 1 ? argv[1] : "build/bench/progs/loops.o");
	bad |= bench_raw(vm);
	bpfbox_vm__free(vm);
	return bad;
}

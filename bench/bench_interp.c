/*
 * bench_interp.c - interpreter speed on loop-heavy programs.
 *
 * Programs: the conformance suite's prime (from ../shared, with n patched
 * from 67 to 10007) and the bench/progs/ files. Each runs in trusted mode (the
 * fast path) and in checked mode; the time per run is the median of
 * several batches after a warm-up, and the time per instruction divides it
 * by the count from one checked run (insn_executed). Run from the repo
 * root (make bench).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfbox/bpfbox.h"
#include "bench_util.h"

#define BATCHES 7
#define BATCH_NS 20000000ull  /* aim for ~20 ms per batch */

struct bench {
	char name[64];
	struct bpfbox_insn *insns;
	size_t cnt;
	uint64_t want;        /* expected r0 */
	int has_want;
	int use_buf;          /* pass the 1 KiB buffer */
};

static unsigned char kbuf[1024];

/* Read a whole file; NULL on error. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	if (b) {
		b[n] = 0;
		*len = (size_t)n;
	}
	return b;
}

/* The conformance prime, with its input patched to 10007. */
static int load_prime(struct bench *b)
{
	const char *shared = getenv("BPFBOX_SHARED");
	char path[4096], *text, *p;
	size_t len, n = 0;

	snprintf(path, sizeof(path), "%s/conformance/bpf_conformance.jsonl",
		 shared && *shared ? shared : "../shared");
	if (!(text = slurp(path, &len))) {
		printf("SKIP prime: %s not found\n", path);
		return -1;
	}
	p = strstr(text, "\"name\":\"prime.data\"");
	p = p ? strstr(p, "\"code_hex\":\"") : NULL;
	if (!p) {
		printf("SKIP prime: not in %s\n", path);
		free(text);
		return -1;
	}
	p += strlen("\"code_hex\":\"");
	len = strcspn(p, "\"") / 16;
	b->insns = calloc(len ? len : 1, sizeof(*b->insns));
	for (size_t i = 0; b->insns && i < len * 8; i++) {
		unsigned v;
		sscanf(p + 2 * i, "%2x", &v);
		((unsigned char *)b->insns)[i] = (unsigned char)v;
	}
	free(text);
	if (!b->insns)
		return -1;
	b->cnt = len;
	for (; n < len; n++)
		if (b->insns[n].code == 0xb7 && b->insns[n].dst_reg == 1 && b->insns[n].imm == 67)
			break;
	if (n == len) {
		printf("SKIP prime: no 'mov %%r1, 67' to patch\n");
		free(b->insns);
		return -1;
	}
	b->insns[n].imm = 10007;
	snprintf(b->name, sizeof(b->name), "prime(10007)");
	b->want = 1;
	b->has_want = 1;
	return 0;
}

/* Expected results of our own programs. */
static const struct { const char *file; uint64_t want; int use_buf; } known[] = {
	{ "bubble.s", 48001, 0 },
	{ "collatz.s", 215063, 0 },
	{ "fnv1a.s", 0x840389c5, 1 },
};

/* Assemble bench/progs/NAME. */
static int load_asm(struct bench *b, const char *dir, const char *file)
{
	char path[4096], *text;
	size_t len;
	int err;
	BPFBOX_OPTS(bpfbox_asm_opts, ao, .filename = path, .log = bench_log_fn);

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (!(text = slurp(path, &len))) {
		printf("cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	err = bpfbox_asm(text, len, &ao, &b->insns, &b->cnt);
	free(text);
	if (err)
		return -1;
	snprintf(b->name, sizeof(b->name), "%.*s", (int)(strlen(file) - 2), file);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(known[i].file, file)) {
			b->want = known[i].want;
			b->has_want = 1;
			b->use_buf = known[i].use_buf;
		}
	return 0;
}

/* Median ns per run in one mode. */
static int time_mode(struct bpfbox_prog *prog, const struct bench *b, enum bpfbox_run_mode mode,
		     double *ns_per_run)
{
	BPFBOX_OPTS(bpfbox_run_opts, ro, .mode = mode, .engine = BPFBOX_ENGINE_INTERP,
		    .ctx = b->use_buf ? kbuf : NULL,
		    .ctx_size = b->use_buf ? sizeof(kbuf) : 0);
	uint64_t per = 1, samples[BATCHES];

	for (int i = 0; i < 3; i++)              /* warm up */
		if (bpfbox_prog__run(prog, &ro))
			return -1;
	for (;;) {                               /* calibrate the batch size */
		uint64_t t0 = bench_now_ns();
		for (uint64_t i = 0; i < per; i++)
			bpfbox_prog__run(prog, &ro);
		uint64_t dt = bench_now_ns() - t0;
		if (dt >= BATCH_NS / 4 || per >= (1u << 30))
			{ per = per * (BATCH_NS / (dt ? dt : 1)) + 1; break; }
		per *= 4;
	}
	for (int k = 0; k < BATCHES; k++) {
		uint64_t t0 = bench_now_ns();
		for (uint64_t i = 0; i < per; i++)
			bpfbox_prog__run(prog, &ro);
		samples[k] = bench_now_ns() - t0;
	}
	qsort(samples, BATCHES, sizeof(samples[0]), bench_cmp_u64);
	*ns_per_run = (double)samples[BATCHES / 2] / (double)per;
	return 0;
}

/* Run one program; prints its row. Returns 0 or 1 on a wrong result. */
static int run_bench(struct bpfbox_vm *vm, const struct bench *b)
{
	struct bpfbox_prog *prog = NULL;
	BPFBOX_OPTS(bpfbox_run_opts, ro, .mode = BPFBOX_RUN_CHECKED,
		    .ctx = b->use_buf ? kbuf : NULL, .ctx_size = b->use_buf ? sizeof(kbuf) : 0);
	double t_trusted = 0, t_checked = 0;
	int err = bpfbox_prog__load(vm, b->insns, b->cnt, NULL, &prog);

	if (!err)
		err = bpfbox_prog__run(prog, &ro);
	if (err || (b->has_want && ro.retval != b->want)) {
		printf("%-14s FAILED: err %d, r0 = 0x%llx, want 0x%llx\n", b->name, err,
		       (unsigned long long)ro.retval, (unsigned long long)b->want);
		bpfbox_prog__free(prog);
		return 1;
	}
	if (time_mode(prog, b, BPFBOX_RUN_TRUSTED, &t_trusted) ||
	    time_mode(prog, b, BPFBOX_RUN_CHECKED, &t_checked)) {
		printf("%-14s FAILED while timing\n", b->name);
		bpfbox_prog__free(prog);
		return 1;
	}
	printf("%-14s %10llu %14.0f %8.2f %14.0f %8.2f %7.2fx\n", b->name,
	       (unsigned long long)ro.insn_executed, t_trusted, t_trusted / (double)ro.insn_executed,
	       t_checked, t_checked / (double)ro.insn_executed, t_checked / t_trusted);
	fflush(stdout);
	bpfbox_prog__free(prog);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "bench/progs";
	struct bench benches[32];
	size_t nb = 0;
	char *files[32];
	size_t nf = 0;
	struct bpfbox_vm *vm = NULL;
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = bench_log_fn);
	DIR *d;
	struct dirent *de;
	int bad = 0;

	for (size_t i = 0; i < sizeof(kbuf); i++)
		kbuf[i] = (unsigned char)i;
	if (bpfbox_vm__new(&vo, &vm))
		return 1;
	memset(benches, 0, sizeof(benches));
	if (load_prime(&benches[nb]) == 0)
		nb++;
	if ((d = opendir(dir))) {
		while ((de = readdir(d)) && nf < 32) {
			size_t l = strlen(de->d_name);
			if (l > 2 && !strcmp(de->d_name + l - 2, ".s"))
				files[nf++] = strdup(de->d_name);
		}
		closedir(d);
	} else {
		printf("cannot open %s: %s\n", dir, strerror(errno));
	}
	qsort(files, nf, sizeof(files[0]), cmp_str);
	for (size_t i = 0; i < nf; i++) {
		if (nb < 32 && load_asm(&benches[nb], dir, files[i]) == 0)
			nb++;
		else
			bad = 1;
		free(files[i]);
	}
	printf("interpreter, median of %d batches (~%llu ms each)\n\n", BATCHES,
	       (unsigned long long)(BATCH_NS / 1000000));
	printf("%-14s %10s %14s %8s %14s %8s %8s\n", "program", "insns/run", "trusted ns/run",
	       "ns/insn", "checked ns/run", "ns/insn", "chk/trst");
	for (size_t i = 0; i < nb; i++) {
		bad |= run_bench(vm, &benches[i]);
		free(benches[i].insns);
	}
	bpfbox_vm__free(vm);
	return bad;
}

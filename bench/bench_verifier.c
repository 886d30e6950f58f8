/*
 * bench_verifier.c - verification time, bpfbox against the kernel, on the
 * example and test BPF objects (every .o of $(BUILD)/examples, the pkt_ and
 * load_ objects of $(BUILD)/bpf; BUILD from the environment, default "build").
 *
 * bpfbox: the object is opened and its maps created (every autoload off),
 * then each program is loaded with bpfbox_prog__load() REPS times with the
 * verifier and REPS times with no_verify; the verifier's time is the
 * difference of the best times (or the "verification time N usec" of
 * bpfbox's log when it prints one).
 * The kernel: the same relocated instructions, with kernel maps created
 * from the object's map definitions (lddw map index -> map fd), go to
 * BPF_PROG_LOAD with log_level BPF_LOG_STATS; the time is the log's
 * "verification time N usec" (best of REPS). Programs the kernel cannot
 * load this way (attach BTF ids, map-in-maps, kfuncs) show "-". The kernel
 * column is skipped when bpf(2) is refused.
 *
 * Also the processed-instruction counts of both ("processed N insns" of
 * each log) and their ratio (bpfbox / kernel), on the same objects plus
 * the loops of $(BUILD)/bpf/vloops.o and $(BUILD)/bench/progs/loops.o (the
 * heaviest programs here: 10^5 - 10^6 processed insns).
 *
 * Prints a table and the geometric mean of bpfbox / kernel (target: <= 1).
 */
#include "bpfbox/bpfbox.h"
#include "bench_util.h"

#include <dirent.h>
#include <errno.h>
#include <linux/bpf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define REPS 20
#define KLOG_SZ (256u * 1024)

static char klog[KLOG_SZ];
static char blog[1u << 20];

/* A kernel map for one definition; fd or -errno. */
static int k_map(const struct bpfbox_map_def *d, long ncpus)
{
	union bpf_attr a;
	int fd;

	if (d->inner || d->origin == BPFBOX_MAP_KCONFIG)
		return -EOPNOTSUPP;
	memset(&a, 0, sizeof(a));
	a.map_type = d->type;
	a.key_size = d->key_size;
	a.value_size = d->value_size;
	a.max_entries = d->max_entries;
	if (d->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !a.max_entries)
		a.max_entries = (uint32_t)ncpus;
	a.map_flags = d->map_flags | (d->readonly ? BPF_F_RDONLY_PROG : 0);
	a.map_extra = d->map_extra;
	fd = (int)bench_sys_bpf(BPF_MAP_CREATE, &a, sizeof(a));
	if (fd >= 0 && d->internal && d->init_data) {
		uint32_t zero = 0;

		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)fd;
		a.key = (uint64_t)(uintptr_t)&zero;
		a.value = (uint64_t)(uintptr_t)d->init_data;
		bench_sys_bpf(BPF_MAP_UPDATE_ELEM, &a, sizeof(a));
	}
	if (fd >= 0 && d->readonly) {
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)fd;
		bench_sys_bpf(BPF_MAP_FREEZE, &a, sizeof(a));
	}
	return fd;
}

/* The number after key in log, or -1. */
static double log_num(const char *log, const char *key)
{
	const char *p = strstr(log, key);
	return p ? strtod(p + strlen(key), NULL) : -1;
}

/* Kernel verification time (best of REPS, usec), -1 if it cannot load it;
 * *kproc: its processed-insn count. */
static double kernel_time(const struct bpfbox_program *p, const int *fds, size_t nfds, int *kerr,
			  double *kproc)
{
	size_t cnt = bpfbox_program__insn_cnt(p);
	struct bpfbox_insn *in = malloc(cnt * sizeof(*in));
	double best = -1;

	*kerr = 0;
	if (!in)
		return -1;
	memcpy(in, bpfbox_program__insns(p), cnt * sizeof(*in));
	for (size_t i = 0; i < cnt; i++) {
		if (in[i].code == 0x18 && (in[i].src_reg == 5 || in[i].src_reg == 6)) {
			if ((size_t)in[i].imm >= nfds || fds[in[i].imm] < 0) {
				*kerr = -EOPNOTSUPP;
				goto out;
			}
			in[i].imm = fds[in[i].imm];
			in[i].src_reg = in[i].src_reg == 5 ? BPF_PSEUDO_MAP_FD : BPF_PSEUDO_MAP_VALUE;
			i++;
		} else if (in[i].code == 0x85 && in[i].src_reg == BPF_PSEUDO_KFUNC_CALL) {
			*kerr = -EOPNOTSUPP;
			goto out;
		}
	}
	for (int r = 0; r < REPS; r++) {
		union bpf_attr a;
		double t;
		int fd;

		memset(&a, 0, sizeof(a));
		a.prog_type = bpfbox_program__type(p);
		a.expected_attach_type = bpfbox_program__expected_attach_type(p);
		a.insns = (uint64_t)(uintptr_t)in;
		a.insn_cnt = (uint32_t)cnt;
		a.license = (uint64_t)(uintptr_t)"GPL";
		if (a.prog_type == BPF_PROG_TYPE_SYSCALL)
			a.prog_flags = BPF_F_SLEEPABLE;   /* as libbpf loads SEC("syscall") */
		a.log_level = 4; /* BPF_LOG_STATS */
		a.log_buf = (uint64_t)(uintptr_t)klog;
		a.log_size = sizeof(klog);
		klog[0] = 0;
		fd = (int)bench_sys_bpf(BPF_PROG_LOAD, &a, sizeof(a));
		if (fd < 0) {
			*kerr = fd;
			best = -1;
			break;
		}
		close(fd);
		*kproc = log_num(klog, "processed ");
		t = log_num(klog, "verification time ");
		if (t >= 0 && (best < 0 || t < best))
			best = t;
		if (r >= 2 && best > 20000)
			break;	/* heavy programs: best of 3 */
	}
out:
	free(in);
	return best;
}

/* bpfbox: best load time with and without the verifier; returns the
 * verifier's time (usec) or -1 if the program is rejected / cannot load. */
static double bpfbox_time(struct bpfbox_vm *vm, const struct bpfbox_object *obj,
			  const struct bpfbox_program *p, const char **why, double *bproc)
{
	size_t nmaps = bpfbox_object__map_cnt(obj);
	struct bpfbox_map **maps = calloc(nmaps ? nmaps : 1, sizeof(*maps));
	double best[2] = { -1, -1 }, logged = -1;

	*why = NULL;
	if (!maps)
		return -1;
	for (size_t i = 0; i < nmaps; i++)
		maps[i] = bpfbox_object__map_instance(obj, i);
	for (int r = 0; r < REPS; r++) {
		for (int nv = 0; nv < 2; nv++) {
			BPFBOX_OPTS(bpfbox_prog_opts, po, .name = bpfbox_program__name(p),
				    .prog_type = bpfbox_program__type(p),
				    .expected_attach_type = bpfbox_program__expected_attach_type(p),
				    .license = bpfbox_object__license(obj), .maps = maps,
				    .map_cnt = nmaps, .no_verify = nv, .log_buf = nv ? NULL : blog,
				    .log_size = nv ? 0 : sizeof(blog), .log_level = 0);
			struct bpfbox_prog *prog = NULL;
			double t0 = bench_now_us(), t;
			int err;

			blog[0] = 0;
			err = bpfbox_prog__load(vm, bpfbox_program__insns(p), bpfbox_program__insn_cnt(p),
						&po, &prog);
			t = bench_now_us() - t0;
			bpfbox_prog__free(prog);
			if (err) {
				*why = nv ? "cannot load" : "rejected";
				free(maps);
				return -1;
			}
			if (best[nv] < 0 || t < best[nv])
				best[nv] = t;
			if (!nv) {
				double l = log_num(blog, "verification time ");

				*bproc = log_num(blog, "processed ");
				if (l >= 0 && (logged < 0 || l < logged))
					logged = l;
			}
		}
		if (r >= 2 && logged > 20000)
			break;	/* heavy programs: best of 3 */
	}
	free(maps);
	if (logged >= 0)
		return logged;
	return best[0] > best[1] ? best[0] - best[1] : 0.0;
}

struct totals {
	double log_sum;
	unsigned n, progs, kernel_na;
};

static void bench_object(const char *path, bool kernel, long ncpus, struct totals *tot)
{
	BPFBOX_OPTS(bpfbox_object_opts, oo);
	BPFBOX_OPTS(bpfbox_object_load_opts, lo);
	BPFBOX_OPTS(bpfbox_vm_opts, vo);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct bpfbox_object *obj = NULL;
	struct bpfbox_vm *vm = NULL;
	int *fds = NULL;
	size_t nmaps;

	if (bpfbox_object__open_file(path, &oo, &obj) || bpfbox_vm__new(&vo, &vm))
		goto out;
	for (size_t i = 0; i < bpfbox_object__program_cnt(obj); i++)
		bpfbox_program__set_autoload(bpfbox_object__program(obj, i), false);
	if (bpfbox_object__load(obj, vm, &lo))
		goto out;
	nmaps = bpfbox_object__map_cnt(obj);
	fds = malloc((nmaps ? nmaps : 1) * sizeof(*fds));
	if (!fds)
		goto out;
	for (size_t i = 0; i < nmaps; i++)
		fds[i] = kernel ? k_map(bpfbox_object__map(obj, i), ncpus) : -1;
	for (size_t i = 0; i < bpfbox_object__program_cnt(obj); i++) {
		const struct bpfbox_program *p = bpfbox_object__program(obj, i);
		char name[300];
		const char *why = NULL;
		double b, k = -1, bproc = -1, kproc = -1;
		int kerr = 0;

		if (!bpfbox_program__loadable(p, NULL))
			continue;
		snprintf(name, sizeof(name), "%.120s/%.120s", base, bpfbox_program__name(p));
		b = bpfbox_time(vm, obj, p, &why, &bproc);
		if (kernel)
			k = kernel_time(p, fds, nmaps, &kerr, &kproc);
		tot->progs++;
		printf("%-40s %6zu ", name, bpfbox_program__insn_cnt(p));
		if (b >= 0)
			printf("%12.1f ", b);
		else
			printf("%12s ", why ? why : "-");
		if (k >= 0)
			printf("%12.1f ", k);
		else
			printf("%12s ", kernel ? (kerr == -EOPNOTSUPP ? "n/a" : kerr == -EACCES ? "rejected" : "refused") : "-");
		if (b >= 0 && k > 0) {
			double r = (b > 0.05 ? b : 0.05) / k;
			printf("%8.3f", r);
			tot->log_sum += log(r);
			tot->n++;
		} else {
			printf("%8s", "-");
			tot->kernel_na += kernel && k < 0;
		}
		if (b >= 0)
			printf(" %9.0f", bproc);
		else
			printf(" %9s", "-");
		if (k >= 0)
			printf(" %9.0f", kproc);
		else
			printf(" %9s", "-");
		if (b >= 0 && k >= 0 && kproc > 0)
			printf(" %7.3f", bproc / kproc);
		else
			printf(" %7s", "-");
		printf("\n");
	}
out:
	for (size_t i = 0; fds && i < bpfbox_object__map_cnt(obj); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	bpfbox_object__close(obj);
	bpfbox_vm__free(vm);
}

/* Every *.o of dir whose name starts with prefix, sorted. */
static void bench_dir(const char *dir, const char *prefix, bool kernel, long ncpus,
		      struct totals *tot)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		size_t l = strlen(nm);
		char path[4096];

		if (l > 2 && !strcmp(nm + l - 2, ".o") && !strncmp(nm, prefix, strlen(prefix))) {
			snprintf(path, sizeof(path), "%s/%s", dir, nm);
			bench_object(path, kernel, ncpus, tot);
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
}

int main(void)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	long ncpus = sysconf(_SC_NPROCESSORS_CONF);
	struct totals tot = { 0 };
	char dir[4096];
	bool kernel;

	{
		/* Does bpf(2) work? */
		static const struct bpfbox_insn ret0[2] = { { 0xb7, 0, 0, 0, 0 }, { 0x95, 0, 0, 0, 0 } };
		union bpf_attr a;
		int fd;

		memset(&a, 0, sizeof(a));
		a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
		a.insns = (uint64_t)(uintptr_t)ret0;
		a.insn_cnt = 2;
		a.license = (uint64_t)(uintptr_t)"GPL";
		fd = (int)bench_sys_bpf(BPF_PROG_LOAD, &a, sizeof(a));
		kernel = fd >= 0;
		if (fd >= 0)
			close(fd);
		else
			printf("bpf(2) refused (%s): no kernel column\n", strerror(-fd));
	}
	printf("verification time in usec (best of %d); bpfbox: load time with the verifier minus\n"
	       "without it, or its log's \"verification time\"; kernel: its log's \"verification time\"\n\n",
	       REPS);
	printf("%-40s %6s %12s %12s %8s %9s %9s %7s\n", "program", "insns", "bpfbox us", "kernel us",
	       "ratio", "b.proc", "k.proc", "ratio");
	snprintf(dir, sizeof(dir), "%s/examples", build);
	bench_dir(dir, "", kernel, ncpus, &tot);
	snprintf(dir, sizeof(dir), "%s/bpf", build);
	bench_dir(dir, "pkt_", kernel, ncpus, &tot);
	bench_dir(dir, "load_", kernel, ncpus, &tot);
	/* the loops that need precision tracking, and the JIT bench's loops */
	bench_dir(dir, "vloops", kernel, ncpus, &tot);
	snprintf(dir, sizeof(dir), "%s/bench/progs", build);
	bench_dir(dir, "loops", kernel, ncpus, &tot);
	if (!tot.progs)
		printf("(no objects in %s/examples or %s/bpf: build them with clang, make examples bpf)\n",
		       build, build);
	if (tot.n)
		printf("\ngeometric mean bpfbox / kernel over %u programs: %.3f (%s)\n", tot.n,
		       exp(tot.log_sum / tot.n), exp(tot.log_sum / tot.n) <= 1.0 ? "no slower than the kernel" : "SLOWER than the kernel");
	if (tot.kernel_na)
		printf("%u programs not loadable into the kernel this way (attach BTF ids, map-in-maps, kfuncs)\n",
		       tot.kernel_na);
	return 0;
}

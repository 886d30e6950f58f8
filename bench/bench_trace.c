/*
 * bench_trace.c - overhead per traced syscall. A syscall-heavy loop
 * (getppid(2) through syscall(), never cached) runs as a child process and
 * times itself (clock_gettime is in the vDSO: no syscall, not traced):
 *
 *   untraced           the loop alone
 *   bpfbox trace       $BUILD/bpfbox trace $BUILD/examples/syscount.o -- loop
 *                      (seccomp fast path: one stop per syscall, no exit stop)
 *   ... --no-seccomp   the same on the ptrace-only path (entry + exit stops)
 *   openat-only prog   openat_latency.o (sys_enter/sys_exit_openat) on the same
 *                      getppid loop: on the fast path getppid does not stop
 *   openat loop        an openat(/dev/null)+close loop (ns per iteration, 2
 *                      syscalls: openat stops at entry and exit, close never)
 *                      untraced and under openat_latency.o, both paths
 *   strace -f -c       strace -f -c -o /dev/null -- loop (skipped without strace)
 *   kernel (libbpf)    the same syscount.o loaded and attached in the kernel
 *                      (raw_tracepoint/sys_enter), then the loop untraced
 *                      (skipped if libbpf is missing or the kernel refuses)
 *
 * Prints ns per syscall and the overhead over untraced for each; the median
 * of 5 runs (the host is shared: medians are steadier than minima). The
 * bench pins itself and so every tracer and tracee to the CPU it starts on
 * (BENCH_TRACE_PIN=0: not): a ptrace stop is a wake-up of the other side,
 * and across CPUs its cost varied 10x from run to run here (2 shared cores). Checks that every traced run's loop finished and, for the
 * kernel, that syscount counted at least N syscalls of the loop's pid.
 *
 *   bench_trace                  the benchmark (from the repo root; BUILD=build)
 *   bench_trace --loop N FILE [openat]  the loop: N syscalls (or N openat+close),
 *                                writes "ns_per_call pid" to FILE
 */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef BPFBOX_NO_LIBBPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#endif

#define RUNS 5
#define N_FAST 500000L      /* untraced / kernel */
#define N_SLOW 40000L       /* ptrace-based tracers */
#define TIMEOUT_S 300

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* The child: n syscalls (or n openat+close pairs), timed; the result into file. */
static int loop_main(long n, const char *file, bool openat)
{
	double t0, t1;
	long s = 0;
	FILE *f;

	t0 = now_ns();
	if (openat) {
		for (long i = 0; i < n; i++) {
			long fd = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY);

			s += fd >= 0;
			syscall(SYS_close, fd);
		}
	} else {
		for (long i = 0; i < n; i++)
			s += syscall(SYS_getppid);
	}
	t1 = now_ns();
	f = fopen(file, "w");
	if (!f)
		return 1;
	fprintf(f, "%.3f %ld\n", (t1 - t0) / (double)n, s ? (long)getpid() : 0L);
	return fclose(f) ? 1 : 0;
}

/* Run argv with stdout/stderr to /dev/null; its exit status, -1 on error
 * or timeout (then it is killed). */
static int run(char *const argv[])
{
	pid_t pid = fork();
	int st;
	double deadline = now_ns() + TIMEOUT_S * 1e9;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		if (r < 0)
			return -1;
		if (now_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		usleep(2000);
	}
}

static char self[4096], outfile[64];
static const char *loop_kind;       /* NULL: getppid, "openat" */

/* Run the loop (n syscalls) under prefix (NULL-terminated argv, may be
 * empty); ns per call, or < 0 on failure. *pid_out: the loop's pid. */
static double measure(char **prefix, long n, long *pid_out)
{
	char *argv[32], nbuf[32];
	int k = 0, rc;
	double ns = -1;
	long pid = 0;
	FILE *f;

	for (; prefix && prefix[k] && k < 24; k++)
		argv[k] = prefix[k];
	snprintf(nbuf, sizeof(nbuf), "%ld", n);
	argv[k++] = self;
	argv[k++] = "--loop";
	argv[k++] = nbuf;
	argv[k++] = outfile;
	if (loop_kind)
		argv[k++] = (char *)loop_kind;
	argv[k] = NULL;
	unlink(outfile);
	rc = run(argv);
	f = fopen(outfile, "r");
	if (f) {
		if (fscanf(f, "%lf %ld", &ns, &pid) != 2)
			ns = -1;
		fclose(f);
	}
	unlink(outfile);
	if (rc != 0)
		return -1;
	if (pid_out)
		*pid_out = pid;
	return ns;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of RUNS. */
static double best(char **prefix, long n, long *pid_out)
{
	double v[RUNS];

	for (int i = 0; i < RUNS; i++)
		if ((v[i] = measure(prefix, n, pid_out)) < 0)
			return -1;
	qsort(v, RUNS, sizeof(v[0]), cmp_d);
	return v[RUNS / 2];
}

/* Find an executable in PATH. */
static int which(const char *name, char *out, size_t sz)
{
	const char *p = getenv("PATH");

	while (p && *p) {
		const char *c = strchr(p, ':');
		size_t l = c ? (size_t)(c - p) : strlen(p);

		snprintf(out, sz, "%.*s/%s", (int)l, p, name);
		if (!access(out, X_OK))
			return 0;
		p = c ? c + 1 : NULL;
	}
	return -1;
}

static void row(const char *name, long n, double ns, double base)
{
	if (ns < 0)
		printf("  %-22s %8ld %12s\n", name, n, "failed");
	else if (base < 0 || ns == base)
		printf("  %-22s %8ld %12.1f %14s\n", name, n, ns, "-");
	else
		printf("  %-22s %8ld %12.1f %+14.1f\n", name, n, ns, ns - base);
}

#ifndef BPFBOX_NO_LIBBPF
/* Quiet libbpf. */
static int no_print(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l;
	(void)f;
	(void)ap;
	return 0;
}

/* The kernel column: ns per call with syscount.o attached, -2 if skipped
 * (reason in why), -1 on a wrong result. */
static double kernel_col(const char *objpath, char *why, size_t why_sz)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	struct bpf_link *links[8];
	struct bpf_map *m;
	int nl = 0, err;
	double ns;
	long pid = 0;
	__u32 key;
	__u64 cnt = 0;

	libbpf_set_print(no_print);
	obj = bpf_object__open_file(objpath, NULL);
	if (!obj) {
		snprintf(why, why_sz, "cannot open %.200s", objpath);
		return -2;
	}
	err = bpf_object__load(obj);
	if (err) {
		snprintf(why, why_sz, "the kernel refused to load it (%s)", strerror(-err));
		bpf_object__close(obj);
		return -2;
	}
	bpf_object__for_each_program(p, obj) {
		struct bpf_link *l = bpf_program__attach(p);
		if (!l || nl == 8) {
			snprintf(why, why_sz, "cannot attach %s", bpf_program__name(p));
			for (int i = 0; i < nl; i++)
				bpf_link__destroy(links[i]);
			bpf_object__close(obj);
			return -2;
		}
		links[nl++] = l;
	}
	ns = best(NULL, N_FAST, &pid);
	m = bpf_object__find_map_by_name(obj, "counts");
	key = (__u32)pid;
	if (ns >= 0 && (!m || bpf_map__lookup_elem(m, &key, sizeof(key), &cnt, sizeof(cnt), 0) ||
			cnt < (__u64)N_FAST)) {
		snprintf(why, why_sz, "syscount counted %llu syscalls of pid %ld, want >= %ld",
			 (unsigned long long)cnt, pid, N_FAST);
		ns = -1;
	}
	for (int i = 0; i < nl; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return ns;
}
#endif

/* The openat+close loop: untraced, and under openat_latency.o (obj) on
 * both paths; ns per iteration. */
static void openat_rows(char *bpfbox, char *oobj)
{
	char *po[] = { bpfbox, "trace", oobj, "--", NULL };
	char *po_ns[] = { bpfbox, "trace", oobj, "--no-seccomp", "--", NULL };
	double ob, bx;

	loop_kind = "openat";
	printf("openat(/dev/null)+close loop, ns per iteration (2 syscalls), %s:\n",
	       oobj);
	ob = best(NULL, N_FAST / 5, NULL);
	row("untraced", N_FAST / 5, ob, -1);
	bx = best(po, N_SLOW / 2, NULL);
	row("bpfbox trace", N_SLOW / 2, bx, ob);
	bx = best(po_ns, N_SLOW / 2, NULL);
	row("  ... --no-seccomp", N_SLOW / 2, bx, ob);
	loop_kind = NULL;
}

int main(int argc, char **argv)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	char bpfbox[4096], obj[4096], strace[4096], why[256] = "";
	double base, bx, st = -2, kern = -2;
	int rc = 0;
	ssize_t n;

	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "--loop"))
		return loop_main(atol(argv[2]), argv[3], argc == 5 && !strcmp(argv[4], "openat"));
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		fprintf(stderr, "bench_trace: no /proc/self/exe\n");
		return 1;
	}
	self[n] = 0;
	if (!getenv("BENCH_TRACE_PIN") || strcmp(getenv("BENCH_TRACE_PIN"), "0")) {
		cpu_set_t set;
		int cpu = sched_getcpu();

		CPU_ZERO(&set);
		CPU_SET(cpu < 0 ? 0 : cpu, &set);
		if (!sched_setaffinity(0, sizeof(set), &set))
			printf("(pinned to cpu %d: tracers and tracees share it)\n", cpu < 0 ? 0 : cpu);
	}
	snprintf(outfile, sizeof(outfile), "/tmp/bench_trace.%d", (int)getpid());
	snprintf(bpfbox, sizeof(bpfbox), "%s/bpfbox", build);
	snprintf(obj, sizeof(obj), "%s/examples/syscount.o", build);

	printf("overhead per traced syscall: getppid() loop, object %s, median of %d\n", obj, RUNS);
	printf("  %-22s %8s %12s %14s\n", "", "syscalls", "ns/syscall", "overhead ns");
	base = best(NULL, N_FAST, NULL);
	row("untraced", N_FAST, base, -1);
	if (base < 0)
		rc = 1;

	if (access(obj, R_OK) || access(bpfbox, X_OK)) {
		printf("  %-22s skipped: %s or %s missing (make all examples)\n", "bpfbox trace", bpfbox,
		       obj);
	} else {
		char *pre[] = { bpfbox, "trace", obj, "--", NULL };
		char *pre_ns[] = { bpfbox, "trace", obj, "--no-seccomp", "--", NULL };
		char oobj[4096];

		bx = best(pre, N_SLOW, NULL);
		row("bpfbox trace", N_SLOW, bx, base);
		if (bx < 0)
			rc = 1;
		bx = best(pre_ns, N_SLOW, NULL);
		row("  ... --no-seccomp", N_SLOW, bx, base);
		if (bx < 0)
			rc = 1;
		snprintf(oobj, sizeof(oobj), "%s/examples/openat_latency.o", build);
		if (!access(oobj, R_OK)) {
			char *po[] = { bpfbox, "trace", oobj, "--", NULL };
			char *po_ns[] = { bpfbox, "trace", oobj, "--no-seccomp", "--", NULL };
			bx = best(po, N_SLOW, NULL);
			row("openat-only prog", N_SLOW, bx, base);
			bx = best(po_ns, N_SLOW, NULL);
			row("  ... --no-seccomp", N_SLOW, bx, base);
		}
	}

	if (which("strace", strace, sizeof(strace))) {
		printf("  %-22s skipped: no strace in PATH\n", "strace -f -c");
	} else {
		char *pre[] = { strace, "-f", "-c", "-o", "/dev/null", "--", NULL };
		st = best(pre, N_SLOW, NULL);
		row("strace -f -c", N_SLOW, st, base);
		if (st < 0)
			rc = 1;
	}

#ifndef BPFBOX_NO_LIBBPF
	if (!access(obj, R_OK))
		kern = kernel_col(obj, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "%.200s missing", obj);
#else
	snprintf(why, sizeof(why), "built without libbpf");
#endif
	if (kern == -2) {
		printf("  %-22s skipped: %s\n", "kernel (libbpf)", why);
	} else {
		row("kernel (libbpf)", N_FAST, kern, base);
		if (kern < 0) {
			printf("  kernel (libbpf): %s\n", why);
			rc = 1;
		}
	}
	snprintf(obj, sizeof(obj), "%s/examples/openat_latency.o", build);
	if (!access(obj, R_OK) && !access(bpfbox, X_OK))
		openat_rows(bpfbox, obj);
	return rc;
}

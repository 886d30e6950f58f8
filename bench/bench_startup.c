/*
 * bench_startup.c - start-up time of the bpfbox command, as whole processes:
 *
 *   bpfbox --version                          the floor: exec, dynamic loading, main
 *   bpfbox run xdp_drop_tcp.o --data PKT      a small run: open, create the map,
 *                                             verify, compile, test-run, print
 *   libbpf_run xdp_drop_tcp.o ... PKT         the same object through libbpf and the
 *                                             kernel: BPF_PROG_LOAD + BPF_PROG_TEST_RUN
 *                                             (bench/startup/libbpf_run.c, -lbpf only)
 *   /bin/true                                 the cost of spawning any process here
 *
 * Each round spawns every command once, in an order that rotates from round
 * to round (so no command always runs first or after the same one); the
 * figures are medians over STARTUP_ROUNDS rounds (default 300). Targets:
 * --version <= 2 ms, the small run <= 3 ms. Fails (exit 1) if bpfbox and
 * the kernel disagree on the program's return value.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define NCMD 4

/* Nanoseconds on the monotonic clock. */
static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Spawn argv with stdout and stderr on /dev/null, wait; its wall time in
 * ns, or -1 if it did not exit 0. */
static double spawn_time(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	double t0, t1;
	int st;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	t0 = now_ns();
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	waitpid(pid, &st, 0);
	t1 = now_ns();
	posix_spawn_file_actions_destroy(&fa);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? t1 - t0 : -1;
}

/* Order for qsort. */
static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of v[n] (sorts v). */
static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The first line of a command's output ("" if none). */
static void first_line(const char *cmd, char *buf, size_t len)
{
	FILE *f = popen(cmd, "r");

	buf[0] = 0;
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = 0;
	pclose(f);
	buf[strcspn(buf, "\n")] = 0;
}

/* Run the rounds, print medians and ratios; 0, or 1 on a wrong result. */
int main(void)
{
	static const unsigned char pkt[] = {   /* IPv4 TCP 10.0.0.1:12345 -> 10.0.0.2:80: dropped */
		0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00, 0x45, 0, 0, 0x28, 0, 0x01,
		0x40, 0, 0x40, 0x06, 0, 0, 0x0a, 0, 0, 0x01, 0x0a, 0, 0, 0x02, 0x30, 0x39, 0, 0x50, 0, 0,
		0, 0x01, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
	};
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	int rounds = getenv("STARTUP_ROUNDS") ? atoi(getenv("STARTUP_ROUNDS")) : 300;
	char bpfbox[512], lrun[512], obj[512], pfile[] = "/tmp/bpfbox_startup_XXXXXX", cmd[2048];
	char bret[256], kret[256];
	static const char *const names[NCMD] = { "bpfbox --version", "bpfbox run (small object)",
						 "libbpf load + test run", "/bin/true" };
	double *t[NCMD], med[NCMD];
	bool kernel = true;
	int fd, n[NCMD] = { 0 };

	snprintf(bpfbox, sizeof(bpfbox), "%s/bpfbox", build);
	snprintf(lrun, sizeof(lrun), "%s/bench/libbpf_run", build);
	snprintf(obj, sizeof(obj), "%s/examples/xdp_drop_tcp.o", build);
	if (rounds < 1 || (fd = mkstemp(pfile)) < 0 || write(fd, pkt, sizeof(pkt)) != (ssize_t)sizeof(pkt)) {
		fprintf(stderr, "bench_startup: cannot write the packet file: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	char *const argv[NCMD][8] = {
		{ bpfbox, "--version", NULL },
		{ bpfbox, "run", obj, "--data", pfile, NULL },
		{ lrun, obj, "xdp_drop_tcp", pfile, NULL },
		{ "/bin/true", NULL },
	};

	/* the same answer from both sides first */
	snprintf(cmd, sizeof(cmd), "'%s' run '%s' --data '%s'", bpfbox, obj, pfile);
	first_line(cmd, bret, sizeof(bret));
	snprintf(cmd, sizeof(cmd), "'%s' '%s' xdp_drop_tcp '%s' 2>&1", lrun, obj, pfile);
	first_line(cmd, kret, sizeof(kret));
	if (strncmp(kret, "retval = ", 9)) {
		printf("libbpf side not run: %s\n", kret);
		kernel = false;
	} else if (strncmp(bret, kret, strlen(kret))) {
		printf("WRONG: bpfbox says '%s', the kernel '%s'\n", bret, kret);
		unlink(pfile);
		return 1;
	}
	for (int c = 0; c < NCMD; c++)
		t[c] = calloc((size_t)rounds, sizeof(double));
	for (int r = 0; r < rounds; r++) {
		for (int k = 0; k < NCMD; k++) {
			int c = (r + k) % NCMD;   /* rotate the order every round */
			double d;

			if (c == 2 && !kernel)
				continue;
			d = spawn_time(argv[c]);
			if (d < 0) {
				printf("WRONG: '%s' failed\n", names[c]);
				unlink(pfile);
				return 1;
			}
			t[c][n[c]++] = d;
		}
	}
	unlink(pfile);
	for (int c = 0; c < NCMD; c++)
		med[c] = n[c] ? median(t[c], n[c]) : 0;
	printf("start-up, median of %d rounds (commands alternate), %s\n", rounds, obj);
	printf("  %-28s %8s %10s\n", "", "ms", "x libbpf");
	for (int c = 0; c < NCMD; c++) {
		if (!n[c])
			continue;
		printf("  %-28s %8.2f", names[c], med[c] / 1e6);
		if (kernel && c != 2)
			printf(" %9.2fx", med[c] / med[2]);
		printf("\n");
	}
	printf("  targets: --version <= 2 ms: %s; small run <= 3 ms: %s\n",
	       med[0] <= 2e6 ? "met" : "MISSED", med[1] <= 3e6 ? "met" : "MISSED");
	for (int c = 0; c < NCMD; c++)
		free(t[c]);
	return 0;
}

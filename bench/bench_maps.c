/*
 * bench_maps.c - hash and array lookup/update throughput: bpfbox's syscall
 * path (copying API) and program path (bxm_lookup/bxm_update) against the
 * kernel's maps through the bpf(2) syscall. Prints ns/op, Mops/s and the
 * speed-up over the kernel. Each measurement runs for about 0.15 s.
 */
#include "bpfbox/map.h"
#include "maps/map_internal.h"
#include "bench_util.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NKEYS 4096u
#define RUN_NS 150000000ull

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int k_create(uint32_t t)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = t;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = NKEYS;
	return (int)bench_sys_bpf(BPF_MAP_CREATE, &a, sizeof(a));
}

static int k_op(int cmd, int fd, uint32_t *k, uint64_t *v)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (uint64_t)(uintptr_t)k;
	a.value = (uint64_t)(uintptr_t)v;
	return (int)bench_sys_bpf(cmd, &a, sizeof(a));
}

enum path { SYS, PROG, KERN };
static volatile uint64_t sink;

/* ns per operation of one (path, op) pair. */
static double measure(enum path p, bool update, struct bpfbox_map *m, int fd)
{
	uint64_t n = 0, v = 1;
	double t0 = now_ns(), t;

	do {
		for (uint32_t i = 0; i < 1024; i++) {
			uint32_t k = (uint32_t)(n + i) * 2654435761u % NKEYS;
			switch (p) {
			case SYS:
				if (update)
					bpfbox_map__update_elem(m, &k, &v, 0);
				else
					bpfbox_map__lookup_elem(m, &k, &v, 0);
				break;
			case PROG:
				if (update) {
					bxm_update(m, &k, &v, 0, 0);
				} else {
					uint64_t *pv = bxm_lookup(m, &k, 0);
					v += pv ? *pv : 0;
				}
				break;
			case KERN:
				k_op(update ? BPF_MAP_UPDATE_ELEM : BPF_MAP_LOOKUP_ELEM, fd, &k, &v);
				break;
			}
		}
		n += 1024;
		t = now_ns() - t0;
	} while (t < RUN_NS);
	sink = v;
	return t / (double)n;
}

int main(void)
{
	static const struct { const char *name; uint32_t type; } types[] = {
		{ "hash", BPFBOX_MAP_TYPE_HASH }, { "array", BPFBOX_MAP_TYPE_ARRAY },
	};
	int probe = k_create(BPF_MAP_TYPE_ARRAY);
	bool kern = probe >= 0;

	if (kern)
		close(probe);
	else
		printf("kernel column skipped: bpf() unavailable: %s\n", strerror(-probe));
	printf("%-6s %-7s %12s %12s %12s %10s %10s\n", "map", "op", "sys ns/op", "prog ns/op",
	       "kernel ns/op", "sys/kern", "prog/kern");
	for (size_t t = 0; t < 2; t++) {
		struct bpfbox_map *m = NULL;
		int fd = kern ? k_create(types[t].type) : -1;

		if (bpfbox_map__create(types[t].type, 4, 8, NKEYS, NULL, &m)) {
			printf("%s: create failed\n", types[t].name);
			continue;
		}
		for (uint32_t k = 0; k < NKEYS; k++) {
			uint64_t v = k;
			bpfbox_map__update_elem(m, &k, &v, 0);
			if (fd >= 0)
				k_op(BPF_MAP_UPDATE_ELEM, fd, &k, &v);
		}
		for (int u = 0; u < 2; u++) {
			double s = measure(SYS, u, m, fd), p = measure(PROG, u, m, fd);
			double k = fd >= 0 ? measure(KERN, u, m, fd) : 0;

			if (fd >= 0)
				printf("%-6s %-7s %12.1f %12.1f %12.1f %9.1fx %9.1fx\n", types[t].name,
				       u ? "update" : "lookup", s, p, k, k / s, k / p);
			else
				printf("%-6s %-7s %12.1f %12.1f %12s %10s %10s\n", types[t].name,
				       u ? "update" : "lookup", s, p, "-", "-", "-");
			printf("  (%.1f / %.1f Mops/s sys/prog)\n", 1e3 / s, 1e3 / p);
		}
		if (fd >= 0)
			close(fd);
		bpfbox_map__free(m);
	}
	return 0;
}

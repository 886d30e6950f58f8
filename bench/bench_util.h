/*
 * bench_util.h - the clocks, sort orders, log callback and raw bpf(2) call
 * the benchmarks share. Header-only (static inline): every bench .c file is a
 * program of its own.
 */
#ifndef BPFBOX_BENCH_UTIL_H
#define BPFBOX_BENCH_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bpfbox/bpfbox.h"

/* Nanoseconds on clock c. */
static inline uint64_t bench_clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Wall time: nanoseconds on the monotonic clock. */
static inline uint64_t bench_now_ns(void)
{
	return bench_clock_ns(CLOCK_MONOTONIC);
}

/* Wall time in microseconds. */
static inline double bench_now_us(void)
{
	return (double)bench_now_ns() / 1e3;
}

/* CPU time of this thread in nanoseconds: unlike the wall clock it leaves
 * out time spent preempted (the machine is shared). */
static inline uint64_t bench_cpu_ns(void)
{
	return bench_clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

/* qsort order of doubles, ascending. */
static inline int bench_cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* qsort order of uint64_t, ascending. */
static inline int bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* bpfbox log callback: warnings and errors to stderr, indented. */
static inline void bench_log_fn(void *ctx, enum bpfbox_log_level lvl, const char *msg)
{
	(void)ctx;
	if (lvl <= BPFBOX_LOG_WARN)
		fprintf(stderr, "  %s\n", msg);
}

#ifdef __NR_bpf
/* bpf(2) with a union bpf_attr of attr_size bytes: the result or -errno. */
static inline long bench_sys_bpf(int cmd, void *attr, size_t attr_size)
{
	long r = syscall(__NR_bpf, cmd, attr, attr_size);

	return r < 0 ? -errno : r;
}
#endif

#endif /* BPFBOX_BENCH_UTIL_H */

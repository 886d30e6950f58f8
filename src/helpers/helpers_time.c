/*
 * helpers_time.c - the clock helpers: bpf_ktime_get_ns() and friends.
 *
 * Each reads the host clock the kernel helper reads. bpf_jiffies64()
 * counts CLOCK_MONOTONIC in ticks of BXK_HZ (the kernel's jiffies start
 * at an arbitrary INITIAL_JIFFIES, so only differences are meaningful in
 * either).
 */
#include <time.h>

#include "helpers/helpers.h"

#define BXK_HZ 1000 /* bpf_jiffies64() ticks per second (CONFIG_HZ=1000) */

/* Nanoseconds of clock `id`. */
static uint64_t bxk_clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* bxk_ktime_get_ns - u64 bpf_ktime_get_ns(void): CLOCK_MONOTONIC. */
uint64_t bxk_ktime_get_ns(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			  uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)call, (void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return bxk_clock_ns(CLOCK_MONOTONIC);
}

/* bxk_ktime_get_boot_ns - u64 bpf_ktime_get_boot_ns(void): CLOCK_BOOTTIME. */
uint64_t bxk_ktime_get_boot_ns(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			       uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)call, (void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return bxk_clock_ns(CLOCK_BOOTTIME);
}

/* bxk_ktime_get_coarse_ns - u64 bpf_ktime_get_coarse_ns(void):
 * CLOCK_MONOTONIC_COARSE. */
uint64_t bxk_ktime_get_coarse_ns(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
				 uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)call, (void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return bxk_clock_ns(CLOCK_MONOTONIC_COARSE);
}

/* bxk_ktime_get_tai_ns - u64 bpf_ktime_get_tai_ns(void): CLOCK_TAI. */
uint64_t bxk_ktime_get_tai_ns(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			      uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)call, (void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return bxk_clock_ns(CLOCK_TAI);
}

/* bxk_jiffies64 - u64 bpf_jiffies64(void): CLOCK_MONOTONIC in 1/BXK_HZ s. */
uint64_t bxk_jiffies64(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
		       uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)call, (void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return bxk_clock_ns(CLOCK_MONOTONIC) / (1000000000ull / BXK_HZ);
}

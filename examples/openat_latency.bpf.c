// SPDX-License-Identifier: GPL-2.0
/*
 * openat_latency.bpf.c - a latency histogram of openat(2): the entry
 * tracepoint stores a start time per thread (hash keyed by pid_tgid), the
 * exit tracepoint computes the elapsed time and counts it in a log2
 * histogram of microseconds (bucket i holds latencies in [2^i, 2^(i+1)) us,
 * bucket 0 also holds those under 1 us).
 *
 * Shows: two programs cooperating through a hash map, bpf_ktime_get_ns(),
 * an array map as a histogram, the syscalls tracepoint context layouts.
 *
 * Run it with bpfbox: both programs in one run, sharing their maps (one
 * 48-byte record serves both: sys_exit_openat reads `ret` at offset 16):
 *   head -c 48 /dev/zero >ctx.bin
 *   build/bpfbox run build/examples/openat_latency.o --prog openat_enter \
 *       --prog openat_exit --ctx ctx.bin --dump-maps
 * `hist` then counts one call, `start` is empty again.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_SLOTS 32

/* syscalls/sys_enter_openat */
struct sys_enter_openat_ctx {
	__u64 common;
	__s32 syscall_nr;
	__u32 pad;
	__s64 dfd;
	const char *filename;
	__s64 flags;
	__s64 mode;
};

/* syscalls/sys_exit_openat */
struct sys_exit_openat_ctx {
	__u64 common;
	__s32 syscall_nr;
	__u32 pad;
	__s64 ret;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);     /* pid_tgid */
	__type(value, __u64);   /* bpf_ktime_get_ns() at entry */
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_SLOTS);
	__type(key, __u32);     /* log2(microseconds) */
	__type(value, __u64);   /* calls */
} hist SEC(".maps");

/* floor(log2(v)), 0 for v == 0. */
static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0;

#pragma unroll
	for (int shift = 32; shift > 0; shift >>= 1) {
		if (v >> shift) {
			v >>= shift;
			r += shift;
		}
	}
	return r;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int openat_enter(struct sys_enter_openat_ctx *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 ts = bpf_ktime_get_ns();

	bpf_map_update_elem(&start, &id, &ts, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int openat_exit(struct sys_exit_openat_ctx *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *tsp, delta_us;
	__u32 slot;
	__u64 *cnt;

	tsp = bpf_map_lookup_elem(&start, &id);
	if (!tsp)
		return 0;
	delta_us = (bpf_ktime_get_ns() - *tsp) / 1000;
	bpf_map_delete_elem(&start, &id);
	slot = log2_u64(delta_us);
	if (slot >= MAX_SLOTS)
		slot = MAX_SLOTS - 1;
	cnt = bpf_map_lookup_elem(&hist, &slot);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/*
 * trace_exit_count.bpf.c - count syscall exits per process on
 * raw_tracepoint/sys_exit (args[0] = regs, args[1] = return value). A
 * syscall that never returns (exit_group) has no exit, exactly as strace -c
 * counts: tests/test_trace_strace.sh compares the sum with strace's total.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);     /* tgid */
	__type(value, __u64);   /* syscall exits */
} exits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);   /* exits with a negative return (errors) */
} errors SEC(".maps");

SEC("raw_tracepoint/sys_exit")
int count_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, zero = 0;
	__u64 one = 1, *cnt;
	long ret = (long)ctx->args[1];

	cnt = bpf_map_lookup_elem(&exits, &tgid);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	else
		bpf_map_update_elem(&exits, &tgid, &one, BPF_NOEXIST);
	if (ret < 0 && ret >= -4095) {
		cnt = bpf_map_lookup_elem(&errors, &zero);
		if (cnt)
			__sync_fetch_and_add(cnt, 1);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/*
 * trace_core_uprobe.bpf.c - tests/test_trace.sh: a uprobe and a uretprobe
 * on work() of the test's target program (found through $PATH as
 * "bpfbox_trace_target"), with the pt_regs context: res[0] calls,
 * res[1] sum of the arguments, res[2] returns, res[3] sum of the results.
 */
#ifndef __TARGET_ARCH_x86
#define __TARGET_ARCH_x86
#endif
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} res SEC(".maps");

/* res[k] += v */
static __always_inline void add(__u32 k, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&res, &k);

	if (p)
		__sync_fetch_and_add(p, v);
}

SEC("uprobe/bpfbox_trace_target:work")
int BPF_KPROBE(on_work, int x)
{
	add(0, 1);
	add(1, x);
	return 0;
}

SEC("uretprobe/bpfbox_trace_target:work")
int BPF_KRETPROBE(on_work_ret, int ret)
{
	add(2, 1);
	add(3, ret);
	return 0;
}

/* for the bad-input test: a symbol that does not exist */
SEC("?uprobe/bpfbox_trace_target:no_such_function")
int on_missing(struct pt_regs *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

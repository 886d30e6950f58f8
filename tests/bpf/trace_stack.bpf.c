// SPDX-License-Identifier: GPL-2.0
/*
 * trace_stack.bpf.c - tests/test_trace_stack.sh: a uprobe on leaf() of the
 * test's target program (found through $PATH as "bpfbox_stack_target",
 * built with frame pointers) records the user stack with
 * bpf_get_stackid(BPF_F_USER_STACK) into `stacks` and with bpf_get_stack()
 * into ips[0]; res[0] = the stack id, res[1] = get_stack's return,
 * res[2] = get_stackid of the (empty) kernel stack, res[3] = calls.
 */
#ifndef __TARGET_ARCH_x86
#define __TARGET_ARCH_x86
#endif
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 8 * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __s64);
} res SEC(".maps");

struct ips8 {
	__u64 ip[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ips8);
} ips SEC(".maps");

/* res[k] = v */
static __always_inline void set(__u32 k, __s64 v)
{
	__s64 *p = bpf_map_lookup_elem(&res, &k);

	if (p)
		*p = v;
}

SEC("uprobe/bpfbox_stack_target:leaf")
int BPF_KPROBE(on_leaf)
{
	__u32 z = 0, three = 3;
	struct ips8 *v = bpf_map_lookup_elem(&ips, &z);
	__s64 *calls = bpf_map_lookup_elem(&res, &three);

	set(0, bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK));
	if (v)
		set(1, bpf_get_stack(ctx, v->ip, sizeof(v->ip), BPF_F_USER_STACK));
	set(2, bpf_get_stackid(ctx, &stacks, 0));
	if (calls)
		*calls += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

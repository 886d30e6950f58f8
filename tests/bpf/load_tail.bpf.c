// SPDX-License-Identifier: GPL-2.0
/* load_tail.bpf.c - tail calls through a prog array initialised with
 * __array(values): a chain a -> b -> c, a self tail call that runs into
 * the limit of 33, a tail call from a subprogram (the target's r0 goes to
 * the subprogram's caller) and an empty slot. Run by tests/test_obj_load.c. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

int self_tail(void *ctx);
int chain_b(void *ctx);
int chain_c(void *ctx);
int leaf(void *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__array(values, int (void *));
} jmp SEC(".maps") = {
	.values = { [0] = (void *)&self_tail, [1] = (void *)&chain_b,
		    [2] = (void *)&chain_c, [3] = (void *)&leaf },
};

__u64 self_cnt;
__u64 trace;
const volatile int fail_ret = 50;   /* volatile: clang cannot fold sub_tail's result */

SEC("syscall")
int self_tail(void *ctx)
{
	self_cnt++;
	bpf_tail_call(ctx, &jmp, 0);
	return (int)self_cnt + 1000;   /* only once the 34th call fails */
}

SEC("syscall")
int chain_a(void *ctx)
{
	trace = 1;
	bpf_tail_call(ctx, &jmp, 1);
	return -1;
}

SEC("syscall")
int chain_b(void *ctx)
{
	trace = trace * 10 + 2;
	bpf_tail_call(ctx, &jmp, 2);
	return -2;
}

SEC("syscall")
int chain_c(void *ctx)
{
	trace = trace * 10 + 3;
	return (int)trace;
}

SEC("syscall")
int leaf(void *ctx)
{
	return 5;
}

static __attribute__((noinline)) int sub_tail(void *ctx, __u32 slot)
{
	bpf_tail_call(ctx, &jmp, slot);
	return fail_ret;
}

SEC("syscall")
int via_sub(void *ctx)
{
	return sub_tail(ctx, 3) + 100;   /* leaf's 5 comes back: 105 */
}

SEC("syscall")
int empty_slot(void *ctx)
{
	return sub_tail(ctx, 4) + 100;   /* slot 4 is empty: 150 */
}

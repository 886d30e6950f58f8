// SPDX-License-Identifier: GPL-2.0
/* load_mim.bpf.c - an array of maps initialised with __array(values), a
 * lookup through it, and a bpf_loop callback (lddw BPF_PSEUDO_FUNC). Run by
 * tests/test_obj_load.c. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 2);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__type(key, __u32);
	__uint(max_entries, 2);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { [0] = &inner_a, [1] = &inner_b },
};

SEC("syscall")
int mim_lookup(void *ctx)
{
	__u32 k = 1, j = 1;
	__u64 *v;
	void *in;

	in = bpf_map_lookup_elem(&outer, &k);
	if (!in)
		return -1;
	v = bpf_map_lookup_elem(in, &j);
	if (!v)
		return -2;
	*v += 40;
	return (int)*v;
}

static long loop_cb(__u32 idx, void *data)
{
	*(__u64 *)data += idx + 1;
	return 0;
}

SEC("syscall")
int loop_sum(void *ctx)
{
	__u64 sum = 0;

	bpf_loop(4, loop_cb, &sum, 0);
	return (int)sum;   /* 1 + 2 + 3 + 4 = 10 */
}

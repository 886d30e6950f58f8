// SPDX-License-Identifier: GPL-2.0
/* maps.bpf.c - BTF-defined maps of several kinds, a prog array initialised
 * with __array(values), a hash of maps, global data, subprograms, a bpf_loop
 * callback and a CO-RE access. Compiled by mk/bpf.mk; pinned by
 * tests/test_elf.c (keep line numbers of marked lines in sync). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 128);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 16);
	__uint(max_entries, 4);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats SEC(".maps");

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 8);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__type(key, __u32);
	__uint(max_entries, 4);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { [0] = &inner_a, [2] = &inner_b },
};

int tail_a(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__array(values, int (void *));
} jumps SEC(".maps") = {
	.values = { [1] = (void *)&tail_a },
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

int counter = 7;                 /* .data */
const volatile int limit = 42;   /* .rodata */
__u64 hits;                      /* .bss */
__u32 extra[4] SEC(".data.extra") = { 1, 2, 3, 4 };

static __attribute__((noinline)) int add_static(int a, int b)
{
	return a * b + counter;
}

__attribute__((noinline)) int global_helper(int x)
{
	hits++;
	return add_static(x, limit);
}

static int loop_cb(__u32 idx, void *data)
{
	*(__u64 *)data += idx;
	return 0;
}

SEC("xdp")
int xdp_main(struct xdp_md *ctx)
{
	__u32 key = 1;
	__u64 *v, sum = 0;

	v = bpf_map_lookup_elem(&counts, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	bpf_loop(4, loop_cb, &sum, 0);
	bpf_tail_call(ctx, &jumps, 1);
	return global_helper((int)sum) > extra[2] ? XDP_PASS : XDP_DROP; /* LINE_XDP_RET */
}

SEC("xdp")
int tail_a(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("tc")
int tc_main(struct __sk_buff *skb)
{
	__u32 key = 0;
	void *in = bpf_map_lookup_elem(&outer, &key);

	if (in)
		bpf_ringbuf_output(&rb, &key, sizeof(key), 0);
	return global_helper(skb->len) + add_static(1, 2);
}

struct task_like {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

SEC("kprobe/do_exit")
int kp_core(struct task_like *t)
{
	return __builtin_preserve_access_index(t->tgid); /* LINE_CORE */
}

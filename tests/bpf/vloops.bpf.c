/*
 * vloops.bpf.c - loops whose verification needs precision tracking (the
 * kernel's mark_chain_precision): the carried value of each loop is
 * unknown, so only an imprecise comparison lets the states of successive
 * iterations be pruned. tests/test_verifier_loops.c loads each program
 * into the kernel and into bpfbox and compares the processed-insn counts;
 * bench/bench_verifier.c times them.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "../../bench/progs/loops.h"

/* collatz: 3n+1 steps (32-bit) from a seed taken from the packet, at most 1,000 */
SEC("xdp") int collatz(struct xdp_md *ctx)
{
	const unsigned char *d = (const unsigned char *)(long)ctx->data;
	const unsigned char *e = (const unsigned char *)(long)ctx->data_end;
	unsigned int n, steps = 0;

	if (d + 4 > e)
		return 0;
	n = *(const unsigned int *)(const void *)d;
	while (n > 1 && steps < 1000) {
		if (n & 1)
			n = 3 * n + 1;
		else
			n >>= 1;
		steps++;
	}
	return (int)steps;
}

/* collatz_heavy: the same at most 3,000 steps, the heaviest program here
 * (close to 900,000 processed insns in both verifiers, under the kernel's
 * 1M limit): the speed target of issue 11 is measured on it */
SEC("xdp") int collatz_heavy(struct xdp_md *ctx)
{
	const unsigned char *d = (const unsigned char *)(long)ctx->data;
	const unsigned char *e = (const unsigned char *)(long)ctx->data_end;
	unsigned int n, steps = 0;

	if (d + 4 > e)
		return 0;
	n = *(const unsigned int *)(const void *)d;
	while (n > 1 && steps < 3000) {
		if (n & 1)
			n = 3 * n + 1;
		else
			n >>= 1;
		steps++;
	}
	return (int)steps;
}

/* branchy: the JIT benchmark's data-dependent loop (bench/progs/loops.h) */
SEC("xdp") int branchy(struct xdp_md *ctx)
{
	return (int)loops_branchy((const u8_t *)(long)ctx->data, (const u8_t *)(long)ctx->data_end);
}

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} vloops_rb SEC(".maps");

/* ringbuf200: 200 reserve/submit pairs in a loop */
SEC("xdp") int ringbuf200(struct xdp_md *ctx)
{
	unsigned int sent = 0;

	for (int i = 0; i < 200; i++) {
		unsigned int *r = bpf_ringbuf_reserve(&vloops_rb, sizeof(*r), 0);

		if (!r)
			continue;
		*r = (unsigned int)i ^ ctx->ingress_ifindex;
		bpf_ringbuf_submit(r, 0);
		sent++;
	}
	return (int)sent;
}

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, unsigned int);
	__type(value, unsigned long long);
} vloops_arr SEC(".maps");

/* array_const_key: an array lookup with a constant in-bounds key is not
 * NULL (no check before the dereference), in a loop over the keys */
SEC("xdp") int array_const_key(struct xdp_md *ctx)
{
	unsigned int k0 = 0, k3 = 3;
	unsigned long long *a = bpf_map_lookup_elem(&vloops_arr, &k0);
	unsigned long long *b = bpf_map_lookup_elem(&vloops_arr, &k3);

	*a += ctx->ingress_ifindex;
	*b += 1;
	return (int)(*a + *b);
}

struct loop_ctx {
	unsigned long long x;
	unsigned int steps;
};

/* one bpf_loop round: a Collatz-like step on a value from the packet */
static long loop_step(unsigned int i, void *data)
{
	struct loop_ctx *c = data;

	if (c->x & 1)
		c->x = c->x * 3 + i;
	else
		c->x >>= 1;
	c->steps++;
	return c->x == 1;
}

/* bpf_loop_collatz: the same kind of loop through bpf_loop's callback */
SEC("xdp") int bpf_loop_collatz(struct xdp_md *ctx)
{
	struct loop_ctx c = { .x = ctx->ingress_ifindex | 1, .steps = 0 };

	bpf_loop(1000, loop_step, &c, 0);
	return (int)c.steps;
}

char LICENSE[] SEC("license") = "GPL";

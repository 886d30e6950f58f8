/* loops.bpf.c - the JIT benchmark's programs (loops.h) as XDP programs. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "loops.h"

#define PROG(NAME)                                                            \
	SEC("xdp") int NAME(struct xdp_md *ctx)                               \
	{                                                                     \
		return (int)loops_##NAME((const u8_t *)(long)ctx->data,      \
					 (const u8_t *)(long)ctx->data_end); \
	}

PROG(hash_chain)
PROG(checksum)
PROG(branchy)
PROG(arith32)
PROG(stack_heavy)

/* the test-run overhead, subtracted from the others */
SEC("xdp") int empty(struct xdp_md *ctx)
{
	(void)ctx;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

/*
 * ctx_int.h - internals of the program types (src/progtype) and the packet
 * path (src/pkt): context access rules per program type, and the test-run
 * entry points per context family.
 */
#ifndef BXH_CTX_INT_H
#define BXH_CTX_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfbox/bpfbox.h"
#include "core/prog_type.h"
#include "progtype/ctx.h"

struct bpfbox_vm;
struct bpfbox_call;
struct bxh_pkt;

/* Is the access valid for the program type (the kernel's
 * is_valid_access)? If so, r holds its rewritten form (the kernel's
 * convert_ctx_access); unconverted contexts keep the instruction. The
 * same as q's type's ops->ctx_access (prog_types.h). */
bool bxh_ctx_access(const struct bxh_access_req *q, struct bxh_access_res *r);

/* The packet state of a running packet program, or NULL (logged, run
 * aborted) if the run has none of kind `kind` (0: any). */
struct bxh_pkt *bxh_call_pkt(struct bpfbox_call *call, const char *helper, uint32_t kind);

/* ---- test runs (test_run*.c) ------------------------------------------------------ */

/* The options as the test run uses them (a full copy). */
typedef struct bpfbox_test_run_opts bxh_tr_opts;

/* bxh_test_run_xdp / _skb / _bytes: see ctx.h. */

/* Shared pieces of net/bpf/test_run.c. */

/* bpf_ctx_init: the user's ctx_in copied into a zeroed buffer of max_size
 * (NULL in *out if neither ctx_in nor ctx_out was given); bytes beyond
 * max_size must be zero (-E2BIG). */
int bxh_ctx_init(struct bpfbox_prog *prog, const bxh_tr_opts *o, uint32_t max_size, void **out);
/* bpf_ctx_finish: copy ctx (size bytes) to ctx_out (clamped: -ENOSPC). */
int bxh_ctx_finish(bxh_tr_opts *o, const void *ctx, uint32_t size);
/* bpf_test_finish: copy the output packet (linear part, then fragments)
 * to data_out, clamped to data_size_out (-ENOSPC); data_size_out = size. */
int bxh_test_finish(bxh_tr_opts *o, const void *data, uint32_t linear,
		    const struct bxh_pkt *frags, uint32_t size);
/* eth_type_trans: pkt_type and protocol (network byte order, as the
 * kernel stores it) of the frame at p (len >= 14 bytes), on a device
 * whose address and broadcast address are all zero (the loopback device
 * BPF_PROG_TEST_RUN uses). */
void bxh_eth_type_trans(const uint8_t *p, uint32_t len, uint32_t *pkt_type, uint32_t *proto);
/* Run `repeat` times through bxv_prog_run with ctx / hook / regions and
 * measure the mean duration around the runs alone. */
int bxh_run_repeat(struct bpfbox_prog *prog, bxh_tr_opts *o, void *ctx, size_t ctx_size,
		   void *hook, const void *region, size_t region_len, uint32_t cpu);

/* One instruction slot, for the rewrites of context accesses. */
static inline struct bpfbox_insn bxh_insn(uint8_t code, uint8_t dst, uint8_t src,
					  int16_t off, int32_t imm)
{
	struct bpfbox_insn in = { .code = code, .dst_reg = dst & 0xf, .src_reg = src & 0xf,
				  .off = off, .imm = imm };
	return in;
}

#endif /* BXH_CTX_INT_H */

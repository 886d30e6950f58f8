/*
 * ctx_int.h - internals of the hooks module: context access rules per
 * program type, the packet helpers, and the test-run entry points per
 * context family.
 */
#ifndef BXH_CTX_INT_H
#define BXH_CTX_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfbox/bpfbox.h"
#include "progtype/ctx.h"

struct bpfbox_vm;
struct bpfbox_call;
struct bxh_pkt;

/* One context access, as the program wrote it. */
struct bxh_access_req {
	uint32_t prog_type;
	uint32_t expected_attach_type;
	const struct bpfbox_insn *insn;
	int off;            /* insn->off (the register offset is 0) */
	int size;           /* bytes */
	bool write;         /* ST / STX */
	bool ldsx;          /* sign-extending load */
};

/* What it becomes: n (1 or 2) instructions. */
struct bxh_access_res {
	struct bpfbox_insn insn[2];
	int n;
};

/* Is the access valid for the program type (the kernel's
 * is_valid_access)? If so, r holds its rewritten form (the kernel's
 * convert_ctx_access); unconverted contexts keep the instruction. */
bool bxh_ctx_access(const struct bxh_access_req *q, struct bxh_access_res *r);

/* How bpfbox builds the context of (and test-runs) a program type. */
enum bxh_ctx_kind {
	BXH_CTX_NONE,   /* not supported */
	BXH_CTX_XDP,    /* struct xdp_md */
	BXH_CTX_SKB,    /* struct __sk_buff: socket_filter, sched_cls, sched_act */
	BXH_CTX_BYTES,  /* a caller-given context (tracing types, syscall) */
};
enum bxh_ctx_kind bxh_ctx_kind(uint32_t prog_type);
/* bxh_type_supported(): see ctx.h */
/* socket_filter, sched_cls, sched_act */
bool bxh_type_is_skb(uint32_t prog_type);

/* Helper ids of src/pkt/helpers_pkt.c and whether program type t may
 * call them (the kernel's get_func_proto); -1: not a packet helper. */
int bxh_helper_allowed(uint32_t helper_id, uint32_t prog_type);
/* Is helper `id` of vm the packet helper bpfbox registered (not a replacement)? */
bool bxh_helper_is_ours(const struct bpfbox_vm *vm, uint32_t id);

/* The packet state of a running packet program, or NULL (logged, run
 * aborted) if the run has none of kind `kind` (0: any). */
struct bxh_pkt *bxh_call_pkt(struct bpfbox_call *call, const char *helper, uint32_t kind);

/* ---- test runs (test_run*.c) ------------------------------------------------------ */

/* The options as the test run uses them (a full copy). */
typedef struct bpfbox_test_run_opts bxh_tr_opts;

int bxh_test_run_xdp(struct bpfbox_prog *prog, bxh_tr_opts *o);
int bxh_test_run_skb(struct bpfbox_prog *prog, bxh_tr_opts *o);
int bxh_test_run_bytes(struct bpfbox_prog *prog, bxh_tr_opts *o);

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

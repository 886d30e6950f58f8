/*
 * ctx.h - program contexts: what r1 points to for each program type, and
 * the load-time rewriting of context accesses (as the kernel's
 * convert_ctx_accesses() does), so that e.g. a 32-bit load of
 * xdp_md->data yields a full 64-bit pointer.
 */
#ifndef BXH_CTX_H
#define BXH_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpfbox_prog;

/* Called by bpfbox_prog__load() once the program passed its structural
 * checks: rewrite the context accesses of prog->prog_type in prog->insns
 * (0: raw program, nothing to do). Returns 0 or a negative errno with a
 * log line naming the instruction. */
int bxh_prog_convert_ctx(struct bpfbox_prog *prog);

/* Release what bxh_prog_convert_ctx() attached to prog->ctx_info. */
void bxh_prog_free_ctx(struct bpfbox_prog *prog);

struct bpfbox_vm;

/* Register the packet helpers (bpf_xdp_adjust_head/tail/meta,
 * bpf_skb_load_bytes, bpf_redirect, bpf_redirect_map) under their kernel
 * ids, and the internal LD_ABS / LD_IND load helpers, in vm. Called by
 * bxk_register_kernel_helpers(). Returns 0 or a negative errno. */
int bxh_register_packet_helpers(struct bpfbox_vm *vm);

/* Before a trusted bpfbox_prog__run() of a verified typed program (no
 * hook built its context): 0 if the caller's ctx of ctx_size bytes is
 * what the program may read, -EINVAL (logged) otherwise. */
int bxh_check_direct_run(const struct bpfbox_prog *prog, size_t ctx_size);

/* Can bpfbox build the context of (and so run) programs of this type?
 * Other types may still be verified and loaded, but not run. */
bool bxh_type_supported(uint32_t prog_type);

#endif /* BXH_CTX_H */

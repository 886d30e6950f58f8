/*
 * ctx.h - program contexts: what r1 points to for each program type, and
 * the load-time rewriting of context accesses (as the kernel's
 * convert_ctx_accesses() does), so that e.g. a 32-bit load of
 * xdp_md->data yields a full 64-bit pointer.
 */
#ifndef BXH_CTX_H
#define BXH_CTX_H

struct bpfbox_prog;

/* Called by bpfbox_prog__load() once the program passed its structural
 * checks: rewrite the context accesses of prog->prog_type in prog->insns
 * (0: raw program, nothing to do). Returns 0 or a negative errno with a
 * log line naming the instruction. */
int bxh_prog_convert_ctx(struct bpfbox_prog *prog);

/* Release what bxh_prog_convert_ctx() attached to prog->ctx_info. */
void bxh_prog_free_ctx(struct bpfbox_prog *prog);

#endif /* BXH_CTX_H */

/*
 * ctx.h - program contexts: what r1 points to for each program type, and
 * the load-time rewriting of context accesses (as the kernel's
 * convert_ctx_accesses() does), so that e.g. a 32-bit load of
 * xdp_md->data yields a full 64-bit pointer. These are the functions the
 * program-type ops (prog_types.h) point to.
 */
#ifndef BXH_CTX_H
#define BXH_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpfbox_prog;
struct bpfbox_test_run_opts;

/* Called by bpfbox_prog__load() once the program passed its structural
 * checks: rewrite the context accesses of prog->prog_type in prog->insns
 * (0: raw program, nothing to do). Returns 0 or a negative errno with a
 * log line naming the instruction. */
int bxh_prog_convert_ctx(struct bpfbox_prog *prog);

/* Release what bxh_prog_convert_ctx() attached to prog->ctx_info. */
void bxh_prog_free_ctx(struct bpfbox_prog *prog);

/* Before a trusted bpfbox_prog__run() of a verified typed program (no
 * hook built its context): 0 if the caller's ctx of ctx_size bytes is
 * what the program may read, -EINVAL (logged) otherwise. */
int bxh_check_direct_run(const struct bpfbox_prog *prog, size_t ctx_size);

/* BPF_PROG_TEST_RUN of one context family (test_run*.c), the ops'
 * test_run of the program types of that family. */
int bxh_test_run_xdp(struct bpfbox_prog *prog, struct bpfbox_test_run_opts *o);
int bxh_test_run_skb(struct bpfbox_prog *prog, struct bpfbox_test_run_opts *o);
int bxh_test_run_bytes(struct bpfbox_prog *prog, struct bpfbox_test_run_opts *o);

#endif /* BXH_CTX_H */

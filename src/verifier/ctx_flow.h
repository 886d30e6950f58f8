/*
 * ctx_flow.h - which memory accesses of a program go through the context
 * pointer: a forward data-flow analysis over the control-flow graph
 * (bpf-to-bpf calls included) that the context conversion uses; the
 * verifier's last pass checks it against what it proved path by path.
 */
#ifndef BXF_CTX_FLOW_H
#define BXF_CTX_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "bpfbox/bpfbox.h"
#include "util/log.h"

/* What the base register of one access may hold. */
enum bxf_base {
	BXF_NONE = 0,        /* not a memory access, or never reached */
	BXF_NOT_CTX = 1,     /* never the context */
	BXF_CTX = 2,         /* always ctx + reg_off (a constant) */
	BXF_CTX_VAROFF = 3,  /* always the context, at a varying offset */
	BXF_MIXED = 4,       /* the context on some paths, another pointer on others */
};

/* The result for one instruction slot. */
struct bxf_access {
	uint8_t base;        /* enum bxf_base */
	uint8_t reg;         /* the base register (LD_ABS / LD_IND: r6) */
	int32_t reg_off;     /* BXF_CTX: the register's constant offset from ctx */
};

/*
 * Analyse insns[0..cnt) (ops: the op of every slot as bx_isa_check()
 * computed it, -1 for second lddw halves). r1 holds the context at slot 0;
 * it flows through register moves, constant adds and subtracts, 8-byte
 * stack spills and fills, and into subprograms as r1..r5. At joins the
 * values must agree, otherwise the result is "varying offset" (two
 * context offsets) or "mixed" (context and something else).
 *
 * For every slot that loads, stores or does an atomic operation, and for
 * LD_ABS / LD_IND (base r6), out[i] says what its base register holds.
 * Returns 0, or -ENOMEM.
 */
int bxf_ctx_flow(const struct bpfbox_insn *insns, const int16_t *ops, size_t cnt,
		 struct bxf_access *out);

#endif /* BXF_CTX_FLOW_H */

/*
 * isa.h - instruction metadata generated from insn_table.h, decoding, and
 * the structural check that every loaded program passes.
 */
#ifndef BX_ISA_H
#define BX_ISA_H

#include <stddef.h>
#include <stdint.h>

#include "bpfbox/bpfbox.h"
#include "insn_table.h"
#include "util/log.h"

/* One row of insn_table.h, as data. */
struct bx_opinfo {
	const char *name;   /* "ADD64_K" */
	const char *mnem;   /* conformance-suite mnemonic: "add" */
	const char *llvm;   /* LLVM operator or type text: "+=" */
	int32_t mval;       /* value of the MATCH field */
	uint8_t code;       /* opcode byte */
	uint8_t match;      /* enum bx_match */
	uint8_t fmt;        /* enum bx_fmt */
	uint8_t cpu;        /* first -mcpu version */
};

extern const struct bx_opinfo bx_ops[BX_OP__COUNT];

/* The op of one slot, or -1 if the slot is no known instruction. */
int bx_decode(const struct bpfbox_insn *insn);

/* Slots taken by op (2 for lddw, 1 otherwise). */
static inline int bx_op_slots(int op)
{
	return bx_ops[op].fmt == BX_F_LDDW ? 2 : 1;
}

/* Properties derived from the opcode byte. */
static inline int bx_code_is64(uint8_t code)   /* ALU64, JMP, or a DW access */
{
	switch (code & 7) {
	case BX_ALU64: case BX_JMP: return 1;
	case BX_ALU: case BX_JMP32: return 0;
	default: return (code & 0x18) == BX_DW;
	}
}
static inline int bx_code_size(uint8_t code)   /* bytes a memory op moves */
{
	static const uint8_t sz[4] = { 4, 2, 1, 8 };
	return sz[(code >> 3) & 3];
}

/* The jump target of a jump or local call at index i (JA32 uses imm,
 * local calls imm, other jumps off). Only meaningful for those ops. */
static inline int64_t bx_jump_target(const struct bpfbox_insn *insn, size_t i, int op)
{
	int fmt = bx_ops[op].fmt;
	if (fmt == BX_F_JA32 || op == BX_OP_CALL_LOCAL)
		return (int64_t)i + 1 + insn->imm;
	return (int64_t)i + 1 + insn->off;
}
static inline int bx_op_is_jump(int op)   /* has a pc-relative target */
{
	int fmt = bx_ops[op].fmt;
	return fmt == BX_F_JA || fmt == BX_F_JA32 || fmt == BX_F_JCOND ||
	       fmt == BX_F_MAYGOTO || op == BX_OP_CALL_LOCAL;
}

/* How bx_use_def() sees calls, exit and the legacy packet loads. */
enum bx_use_def_view {
	/* The kernel's calling convention, as the verifier reasons: a call
	 * reads r1..r5 (and callx its target) and clobbers r0..r5, exit
	 * reads r0, LD_ABS/LD_IND read r6 and clobber r0..r5. */
	BX_UD_ABI = 0,
	/* What the engines do, for analyses that must keep the behaviour of
	 * unverified trusted programs (the JIT's): calls and exit read every
	 * register, calls and LD_ABS/LD_IND write only r0. */
	BX_UD_MACHINE = 1,
};

/* The registers slot `in` (of op `op`) reads (*use) and writes (*def), as
 * bit masks (bit r = register r); driven by the table's FMT column. r10
 * is never in *def. */
void bx_use_def(const struct bpfbox_insn *in, int op, enum bx_use_def_view view,
		uint16_t *use, uint16_t *def);

/* Does this instruction write r10 (see isa.c)? */
bool bx_writes_fp(const struct bpfbox_insn *in, int op);

/* Structural check of a whole program (see bpfbox_prog__load()). On
 * failure logs "insn N: ..." and returns -EINVAL. If ops_out is non-NULL it
 * receives the op of every slot (-1 for second lddw halves). */
int bx_isa_check(const struct bpfbox_insn *insns, size_t cnt,
		 const struct bx_log *log, int16_t *ops_out);

#endif /* BX_ISA_H */

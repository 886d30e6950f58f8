/*
 * isa.c - instruction metadata, decoding and the structural check.
 */
#include "isa.h"

#include <errno.h>
#include <stdlib.h>

const struct bx_opinfo bx_ops[BX_OP__COUNT] = {
#define BX__ROW(NAME, CODE, MATCH, MVAL, FMT, SEM, MNEM, LLVM, CPU)          \
	[BX_OP_##NAME] = { .name = #NAME, .mnem = MNEM, .llvm = LLVM,         \
			   .mval = MVAL, .code = CODE, .match = BX_M_##MATCH,  \
			   .fmt = BX_F_##FMT, .cpu = CPU },
	BX_INSN_MAP(BX__ROW)
#undef BX__ROW
};

/*
 * last_of_code[c] = 1 + the index of the last table row with opcode c
 * (0: none). Rows with one opcode are adjacent, so bx_decode() walks back
 * from there. Later designated initialisers override earlier ones, which is
 * exactly "the last row wins".
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
#if defined(__clang__)
#pragma GCC diagnostic ignored "-Winitializer-overrides"
#endif
static const uint8_t last_of_code[256] = {
#define BX__LAST(NAME, CODE, ...) [CODE] = BX_OP_##NAME + 1,
	BX_INSN_MAP(BX__LAST)
#undef BX__LAST
};
#pragma GCC diagnostic pop

_Static_assert(BX_OP__COUNT < 255, "op index must fit in a byte");

/*
 * bx_decode - find the table row that matches one instruction slot.
 */
int bx_decode(const struct bpfbox_insn *insn)
{
	int last = last_of_code[insn->code] - 1;

	for (int op = last; op >= 0 && bx_ops[op].code == insn->code; op--) {
		const struct bx_opinfo *o = &bx_ops[op];
		switch (o->match) {
		case BX_M_NONE: return op;
		case BX_M_OFF: if (insn->off == o->mval) return op; break;
		case BX_M_IMM: if (insn->imm == o->mval) return op; break;
		case BX_M_SRC: if (insn->src_reg == o->mval) return op; break;
		}
	}
	return -1;
}

/* Does this op write its dst register? */
static int writes_dst(int op)
{
	switch (bx_ops[op].fmt) {
	case BX_F_ALU: case BX_F_NEG: case BX_F_MOVSX: case BX_F_END:
	case BX_F_LDDW: case BX_F_LDX: case BX_F_LDXSX:
		return 1;
	default:
		return 0;
	}
}

/* Does this op write its src register? (atomic fetch and xchg do) */
static int writes_src(int op)
{
	return bx_ops[op].fmt == BX_F_AFETCH || bx_ops[op].fmt == BX_F_XCHG;
}

/* bx_writes_fp - does this instruction write r10 (its dst, or the src
 * of an atomic fetch / xchg)? The verifier refuses it where it is
 * reached; the loader (src/loader/load.c) anywhere else. */
bool bx_writes_fp(const struct bpfbox_insn *in, int op)
{
	return (in->dst_reg == BX_REG_FP && writes_dst(op)) ||
	       (in->src_reg == BX_REG_FP && writes_src(op));
}

/*
 * bx_isa_check - the structural rules every program must meet before any
 * engine sees it. Semantic safety is the verifier's job; this only makes
 * sure that decoding and control flow cannot leave the program.
 */
int bx_isa_check(const struct bpfbox_insn *insns, size_t cnt,
		 const struct bx_log *log, int16_t *ops_out)
{
	int16_t *ops = ops_out;
	size_t last = 0;
	int err = -EINVAL;

	if (cnt == 0) {
		bx_err(log, "program is empty");
		return -EINVAL;
	}
	if (cnt > BX_MAX_INSNS) {
		bx_err(log, "program has %zu instructions; the limit is %u", cnt, BX_MAX_INSNS);
		return -E2BIG;
	}
	if (!ops && !(ops = malloc(cnt * sizeof(*ops))))
		return -ENOMEM;

	/* pass 1: opcodes, registers, lddw pairs */
	for (size_t i = 0; i < cnt; i++) {
		const struct bpfbox_insn *in = &insns[i];
		int op = bx_decode(in);

		last = i;
		if (op < 0) {
			/* a byte swap of another width: the kernel's words for it */
			if ((in->code & 0xf0) == 0xd0 && ((in->code & 7) == 4 || (in->code & 7) == 7))
				bx_err(log, "insn %zu: BPF_END uses reserved fields (imm=%d: not 16, 32 or 64)",
				       i, in->imm);
			else
				bx_err(log, "insn %zu: unknown opcode %02x (src=%u off=%d imm=%d)",
				       i, in->code, in->src_reg, in->off, in->imm);
			goto out;
		}
		ops[i] = (int16_t)op;
		/* lddw and call keep a pseudo kind in src, not a register */
		if (in->dst_reg >= BX_NREGS ||
		    (in->src_reg >= BX_NREGS && bx_ops[op].fmt != BX_F_LDDW &&
		     bx_ops[op].fmt != BX_F_CALL)) {
			bx_err(log, "insn %zu: invalid register r%u (only r0..r10 exist)", i,
			       in->dst_reg >= BX_NREGS ? in->dst_reg : in->src_reg);
			goto out;
		}
		if (bx_ops[op].fmt == BX_F_LDDW) {
			const struct bpfbox_insn *hi = &insns[i + 1];
			if (i + 1 >= cnt) {
				bx_err(log, "insn %zu: invalid bpf_ld_imm64 insn: lddw is truncated (its second "
				       "half is missing)", i);
				goto out;
			}
			if (hi->code || hi->dst_reg || hi->src_reg || hi->off) {
				bx_err(log, "insn %zu: invalid bpf_ld_imm64 insn: the second half (insn %zu) "
				       "must be all zero but its imm", i, i + 1);
				goto out;
			}
			ops[++i] = -1;
		}
	}
	/* pass 2: control flow stays inside and never lands on a second half */
	for (size_t i = 0; i < cnt; i++) {
		int op = ops[i];
		int64_t t;

		if (op == BX_OP_LDDW_FUNC) {	/* a function address: i + 1 + imm */
			t = (int64_t)i + 1 + insns[i].imm;
			if (t < 0 || t >= (int64_t)cnt || ops[t] < 0) {
				bx_err(log, "insn %zu: function address (lddw src 4) targets %lld, "
				       "which is no instruction of the program", i, (long long)t);
				goto out;
			}
			continue;
		}
		if (op < 0 || !bx_op_is_jump(op))
			continue;
		t = bx_jump_target(&insns[i], i, op);
		if (t < 0 || t >= (int64_t)cnt) {
			bx_err(log, "insn %zu: jump out of range to %lld (program has %zu instructions)",
			       i, (long long)t, cnt);
			goto out;
		}
		if (ops[t] < 0) {
			bx_err(log, "insn %zu: jump into the middle of lddw at insn %lld", i, (long long)t - 1);
			goto out;
		}
	}
	/* the last instruction must not fall through */
	if (ops[last] < 0)
		last--;
	if (ops[last] != BX_OP_EXIT && ops[last] != BX_OP_JA && ops[last] != BX_OP_JA32) {
		bx_err(log, "insn %zu: the program does not end in exit or a jump (it would fall off the end)", last);
		goto out;
	}
	err = 0;
out:
	if (ops != ops_out)
		free(ops);
	return err;
}

/*
 * bx_use_def - see isa.h. One place for the register effects of every
 * format: the verifier's liveness and precision passes use the ABI view,
 * the JIT's peephole liveness the machine view.
 */
void bx_use_def(const struct bpfbox_insn *in, int op, enum bx_use_def_view view,
		uint16_t *use, uint16_t *def)
{
	const uint16_t all = (uint16_t)((1u << BX_NREGS) - 1), r0_5 = 0x3f, r6 = 1u << 6;
	int fmt = bx_ops[op].fmt;
	uint16_t d = (uint16_t)(1u << (in->dst_reg % BX_NREGS));
	uint16_t s = (uint16_t)(1u << (in->src_reg % BX_NREGS));
	bool x = BX_SRC(in->code) == BX_X;
	bool abi = view == BX_UD_ABI;

	*use = *def = 0;
	switch (fmt) {
	case BX_F_ALU:
		*use = (uint16_t)((BX_OP(in->code) == BX_MOV ? 0 : d) | (x ? s : 0));
		*def = d;
		break;
	case BX_F_NEG: case BX_F_END:
		*use = *def = d;
		break;
	case BX_F_MOVSX: case BX_F_LDX: case BX_F_LDXSX:
		*use = s;
		*def = d;
		break;
	case BX_F_ST:
		*use = d;
		break;
	case BX_F_STX: case BX_F_AOP:
		*use = (uint16_t)(d | s);
		break;
	case BX_F_AFETCH: case BX_F_XCHG:
		*use = (uint16_t)(d | s);
		*def = s;
		break;
	case BX_F_CMPXCHG:
		*use = (uint16_t)(d | s | 1);
		*def = 1;
		break;
	case BX_F_LDDW:
		*def = d;
		break;
	case BX_F_LDABS: case BX_F_LDIND:
		*use = (uint16_t)(r6 | (fmt == BX_F_LDIND ? s : 0));
		*def = abi ? r0_5 : 1;
		break;
	case BX_F_JCOND:
		*use = (uint16_t)(d | (x ? s : 0));
		break;
	case BX_F_CALL: case BX_F_CALLX:
		*use = abi ? (uint16_t)(0x3e | (fmt == BX_F_CALLX ? d : 0)) : all;
		*def = abi ? r0_5 : 1;
		break;
	case BX_F_EXIT:
		*use = abi ? 1 : all;
		break;
	default:	/* ja, gotol */
		break;
	}
	*def &= (uint16_t)~(1u << BX_REG_FP);
}

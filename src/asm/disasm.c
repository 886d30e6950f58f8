/*
 * disasm.c - bpfbox_disasm_insn(): one instruction as text.
 *
 * The row comes from bx_decode(); its FMT picks the layout and its LLVM or
 * MNEM column supplies the words. The output of either syntax assembles
 * back to the same bytes.
 */
#include "asm_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Output buffer with truncation. */
struct bxd_buf {
	char *s;
	size_t size, len;
};

/* Append formatted text (silently truncated; always NUL-terminated). */
__attribute__((format(printf, 2, 3)))
static void put(struct bxd_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!b->size || b->len >= b->size - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n < b->size - b->len ? (size_t)n : b->size - 1 - b->len;
}

/* "u8", "u16", "u32" or "u64" for a load/store opcode. */
const char *bxa_size_type(uint8_t code)
{
	static const char *const t[4] = { "u32", "u16", "u8", "u64" };

	return t[(code >> 3) & 3];
}

/* Signed hex: 0x5, -0x1. */
static void put_shex(struct bxd_buf *b, int32_t v)
{
	if (v < 0)
		put(b, "-0x%" PRIx32, (uint32_t)0 - (uint32_t)v);
	else
		put(b, "0x%" PRIx32, (uint32_t)v);
}

/* "(r1 + 4)" / "r1 - 8" */
static void put_baseoff(struct bxd_buf *b, int reg, int16_t off)
{
	put(b, "r%d %c %d", reg, off < 0 ? '-' : '+', off < 0 ? -(int)off : (int)off);
}

/* The LLVM syntax. */
static void llvm_insn(struct bxd_buf *b, const struct bpfbox_insn *in, const struct bpfbox_insn *hi,
		      int op)
{
	const struct bx_opinfo *o = &bx_ops[op];
	int cls = BX_CLASS(in->code);
	char r = (cls == BX_ALU || cls == BX_JMP32) ? 'w' : 'r';
	char ra = BX_SIZE(in->code) == BX_DW ? 'r' : 'w'; /* atomics */
	int d = in->dst_reg, s = in->src_reg;

	switch (o->fmt) {
	case BX_F_ALU:
		put(b, "%c%d %s ", r, d, o->llvm);
		if (BX_SRC(in->code))
			put(b, "%c%d", r, s);
		else
			put_shex(b, in->imm);
		break;
	case BX_F_NEG:
		put(b, "%c%d = -%c%d", r, d, r, d);
		break;
	case BX_F_MOVSX:
		put(b, "%c%d = (%s)%c%d", r, d, o->llvm, r, s);
		break;
	case BX_F_END:
		put(b, "r%d = %s r%d", d, o->llvm, d);
		break;
	case BX_F_JA:
	case BX_F_MAYGOTO:
		put(b, "%s %+d", o->llvm, in->off);
		break;
	case BX_F_JA32:
		put(b, "%s %+d", o->llvm, in->imm);
		break;
	case BX_F_JCOND:
		put(b, "if %c%d %s ", r, d, o->llvm);
		if (BX_SRC(in->code))
			put(b, "%c%d", r, s);
		else
			put_shex(b, in->imm);
		put(b, " goto %+d", in->off);
		break;
	case BX_F_CALL:
		if (o->mval == BX_CALL_LOCAL)
			put(b, "%s pc%+d", o->llvm, in->imm);
		else if (o->mval == BX_CALL_KFUNC)
			put(b, in->off ? "%s kfunc:%d:%d" : "%s kfunc:%d", o->llvm, in->imm, in->off);
		else
			put(b, "%s %d", o->llvm, in->imm);
		break;
	case BX_F_CALLX:
		put(b, "%s r%d", o->llvm, d);
		break;
	case BX_F_EXIT:
		put(b, "%s", o->llvm);
		break;
	case BX_F_LDDW:
		if (o->mval == BX_PSEUDO_NONE) { /* signed, as llvm-objdump: r1 = -0x1 ll */
			uint64_t v = (uint32_t)in->imm | (uint64_t)(uint32_t)hi->imm << 32;
			put(b, "r%d = %s0x%" PRIx64 " %s", d, (int64_t)v < 0 ? "-" : "",
			    (int64_t)v < 0 ? 0 - v : v, o->llvm);
			break;
		}
		for (size_t i = 0; i < bxa_npseudos; i++) {
			const struct bxa_pseudo *ps = &bxa_pseudos[i];
			if (ps->src != o->mval)
				continue;
			put(b, "r%d = %s", d, ps->head);
			put(b, ps->pcrel ? "pc%+d]" : "%d]", in->imm);
			if (ps->value)
				put(b, "[0]+%d", hi->imm);
			put(b, " %s", o->llvm);
		}
		break;
	case BX_F_LDABS: /* llvm-objdump: skb[0x17] */
		put(b, "r%d = *(%s *)skb[", d, o->llvm);
		put_shex(b, in->imm);
		put(b, "]");
		break;
	case BX_F_LDIND: /* llvm-objdump: skb[r1]; it has no spelling for an imm */
		put(b, "r%d = *(%s *)skb[r%d", d, o->llvm, s);
		if (in->imm)
			put(b, " %c %d", in->imm < 0 ? '-' : '+',
			    in->imm < 0 ? (int)(0u - (uint32_t)in->imm) : in->imm);
		put(b, "]");
		break;
	case BX_F_LDX:
	case BX_F_LDXSX:
		put(b, "r%d = *(%s *)(", d, o->llvm);
		put_baseoff(b, s, in->off);
		put(b, ")");
		break;
	case BX_F_ST:
	case BX_F_STX:
		put(b, "*(%s *)(", o->llvm);
		put_baseoff(b, d, in->off);
		put(b, ") = ");
		if (o->fmt == BX_F_STX)
			put(b, "r%d", s);
		else
			put_shex(b, in->imm);
		break;
	case BX_F_AOP:
		put(b, "lock *(%s *)(", bxa_size_type(in->code));
		put_baseoff(b, d, in->off);
		put(b, ") %s %c%d", o->llvm, ra, s);
		break;
	case BX_F_AFETCH:
		put(b, "%c%d = atomic_fetch_%s((%s *)(", ra, s, o->llvm, bxa_size_type(in->code));
		put_baseoff(b, d, in->off);
		put(b, "), %c%d)", ra, s);
		break;
	case BX_F_XCHG:
	case BX_F_CMPXCHG:
		put(b, "%c%d = %s%s(", ra, o->fmt == BX_F_XCHG ? s : 0, o->llvm,
		    ra == 'r' ? "_64" : "32_32");
		put_baseoff(b, d, in->off);
		if (o->fmt == BX_F_CMPXCHG)
			put(b, ", %c0, %c%d)", ra, ra, s);
		else
			put(b, ", %c%d)", ra, s);
		break;
	}
}

/* "[%r1+4]" */
static void put_memop(struct bxd_buf *b, int reg, int16_t off)
{
	put(b, "[%%r%d%+d]", reg, off);
}

/* The conformance-suite (mnemonic) syntax. */
static void mnem_insn(struct bxd_buf *b, const struct bpfbox_insn *in, const struct bpfbox_insn *hi,
		      int op)
{
	const struct bx_opinfo *o = &bx_ops[op];
	int d = in->dst_reg, s = in->src_reg;

	put(b, "%s", o->mnem);
	switch (o->fmt) {
	case BX_F_ALU:
	case BX_F_JCOND:
		put(b, " %%r%d, ", d);
		if (BX_SRC(in->code))
			put(b, "%%r%d", s);
		else
			put_shex(b, in->imm);
		if (o->fmt == BX_F_JCOND)
			put(b, ", %+d", in->off);
		break;
	case BX_F_NEG:
	case BX_F_END:
	case BX_F_CALLX:
		put(b, " %%r%d", d);
		break;
	case BX_F_MOVSX:
		put(b, " %%r%d, %%r%d", d, s);
		break;
	case BX_F_JA:
	case BX_F_MAYGOTO:
		put(b, " %+d", in->off);
		break;
	case BX_F_JA32:
		put(b, " %+d", in->imm);
		break;
	case BX_F_CALL:
		if (o->mval == BX_CALL_LOCAL)
			put(b, " %+d", in->imm);
		else if (o->mval == BX_CALL_KFUNC && in->off)
			put(b, " %d, %d", in->imm, in->off);
		else
			put(b, " %d", in->imm);
		break;
	case BX_F_EXIT:
		break;
	case BX_F_LDDW:
		if (o->mval == BX_PSEUDO_NONE) {
			uint64_t v = (uint32_t)in->imm | (uint64_t)(uint32_t)hi->imm << 32;
			put(b, " %%r%d, 0x%" PRIx64, d, v);
		} else if (o->mval == BX_PSEUDO_FUNC) {
			put(b, " %%r%d, %+d", d, in->imm);
		} else {
			put(b, " %%r%d, %d", d, in->imm);
			for (size_t i = 0; i < bxa_npseudos; i++)
				if (bxa_pseudos[i].src == o->mval && bxa_pseudos[i].value)
					put(b, ", %d", hi->imm);
		}
		break;
	case BX_F_LDABS:
		put(b, " ");
		put_shex(b, in->imm);
		break;
	case BX_F_LDIND:
		put(b, " %%r%d, ", s);
		put_shex(b, in->imm);
		break;
	case BX_F_LDX:
	case BX_F_LDXSX:
		put(b, " %%r%d, ", d);
		put_memop(b, s, in->off);
		break;
	case BX_F_ST:
		put(b, " ");
		put_memop(b, d, in->off);
		put(b, ", ");
		put_shex(b, in->imm);
		break;
	default: /* STX and atomics */
		put(b, " ");
		put_memop(b, d, in->off);
		put(b, ", %%r%d", s);
		break;
	}
}

/* The raw prefix of llvm-objdump -d: index, then the slot's bytes. */
static void raw_prefix(struct bxd_buf *b, const struct bpfbox_insn *insns, size_t idx, int nslots)
{
	put(b, "%8zu:\t", idx);
	for (int k = 0; k < nslots; k++) {
		unsigned char bytes[8];
		memcpy(bytes, &insns[idx + (size_t)k], 8);
		for (int i = 0; i < 8; i++)
			put(b, k || i ? " %02x" : "%02x", bytes[i]);
	}
	put(b, "\t");
}

/*
 * bpfbox_disasm_insn - see bpfbox.h.
 */
int bpfbox_disasm_insn(const struct bpfbox_insn *insns, size_t cnt, size_t idx,
		       const struct bpfbox_disasm_opts *opts, char *buf, size_t size)
{
	struct bpfbox_disasm_opts o;
	struct bxd_buf b = { .s = buf, .size = size };
	const struct bpfbox_insn *in;
	int op, n;

	if (size)
		buf[0] = '\0';
	if (!insns || idx >= cnt)
		return -ERANGE;
	if (bx_opts_copy(&o, sizeof(o), opts)) {
		put(&b, ".invalid options");
		return -EINVAL;
	}
	in = &insns[idx];
	op = bx_decode(in);
	if (op < 0) {
		if (o.flags & BPFBOX_DISASM_RAW)
			raw_prefix(&b, insns, idx, 1);
		put(&b, ".invalid opcode 0x%02x", in->code);
		return -EINVAL;
	}
	n = bx_op_slots(op);
	if (idx + (size_t)n > cnt) {
		if (o.flags & BPFBOX_DISASM_RAW)
			raw_prefix(&b, insns, idx, 1);
		put(&b, ".invalid lddw: second half missing");
		return -EINVAL;
	}
	if (o.flags & BPFBOX_DISASM_RAW)
		raw_prefix(&b, insns, idx, n);
	if (o.flags & BPFBOX_DISASM_MNEMONIC)
		mnem_insn(&b, in, n == 2 ? &in[1] : in, op);
	else
		llvm_insn(&b, in, n == 2 ? &in[1] : in, op);
	return n;
}

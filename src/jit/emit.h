/*
 * emit.h - a small x86-64 instruction encoder for the JIT (src/jit/).
 *
 * Code goes into a growable byte buffer; an allocation failure sets
 * b->err and later emits do nothing, so callers check once at the end.
 * Registers are the hardware numbers (BXJ_RAX = 0 ... BXJ_R15 = 15).
 * The generic forms take the opcode as up to three bytes packed into an
 * integer (0x0FAF, len 2) and a flag set for the prefixes:
 *
 *   bxj_op_rr(b, fl, op, len, reg, rm)          op  reg, rm       (mod = 11)
 *   bxj_op_rm(b, fl, op, len, reg, base, disp)  op  reg, [base + disp]
 *
 * `reg` is the ModRM reg field, which is an opcode extension (/digit) for
 * some instructions.
 */
#ifndef BXJ_EMIT_H
#define BXJ_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	BXJ_RAX = 0, BXJ_RCX, BXJ_RDX, BXJ_RBX, BXJ_RSP, BXJ_RBP, BXJ_RSI, BXJ_RDI,
	BXJ_R8, BXJ_R9, BXJ_R10, BXJ_R11, BXJ_R12, BXJ_R13, BXJ_R14, BXJ_R15,
};

/* condition codes (the low nibble of Jcc / SETcc) */
enum {
	BXJ_CC_B = 0x2, BXJ_CC_AE = 0x3, BXJ_CC_E = 0x4, BXJ_CC_NE = 0x5, BXJ_CC_BE = 0x6,
	BXJ_CC_A = 0x7, BXJ_CC_S = 0x8, BXJ_CC_L = 0xc, BXJ_CC_GE = 0xd, BXJ_CC_LE = 0xe,
	BXJ_CC_G = 0xf,
};

/* prefix flags */
#define BXJ_W    1u   /* REX.W: 64-bit operand */
#define BXJ_66   2u   /* 16-bit operand */
#define BXJ_BYTE 4u   /* byte registers: a REX prefix so that 4..7 mean spl..dil */
#define BXJ_LOCK 8u   /* lock prefix */

struct bxj_buf {
	uint8_t *p;
	size_t len, cap;
	int err;          /* -ENOMEM once an allocation failed */
};

void bxj_byte(struct bxj_buf *b, uint8_t v);
void bxj_u16(struct bxj_buf *b, uint16_t v);
void bxj_u32(struct bxj_buf *b, uint32_t v);
void bxj_u64(struct bxj_buf *b, uint64_t v);

void bxj_op_rr(struct bxj_buf *b, unsigned fl, uint32_t op, int len, int reg, int rm);
void bxj_op_rm(struct bxj_buf *b, unsigned fl, uint32_t op, int len, int reg, int base,
	       int32_t disp);

/* op reg, [base + index * scale + disp]: index != rsp, scale 1/2/4/8 */
void bxj_op_rmi(struct bxj_buf *b, unsigned fl, uint32_t op, int len, int reg, int base,
		int index, int scale, int32_t disp);

/* common instructions */
void bxj_mov_rr(struct bxj_buf *b, bool w, int dst, int src);       /* mov dst, src */
void bxj_mov_imm(struct bxj_buf *b, int dst, uint64_t v);             /* dst = v (64-bit) */
void bxj_mov_imm32(struct bxj_buf *b, int dst, uint32_t v);           /* dst = v, zero-extended */
void bxj_load(struct bxj_buf *b, bool w, int dst, int base, int32_t disp);   /* mov dst, [base+disp] */
void bxj_store(struct bxj_buf *b, bool w, int base, int32_t disp, int src);  /* mov [base+disp], src */
/* ALU group 1 with an immediate: ext = 0 add, 1 or, 4 and, 5 sub, 6 xor, 7 cmp */
void bxj_alu_imm(struct bxj_buf *b, bool w, int ext, int rm, int32_t imm);
void bxj_alu_mem_imm(struct bxj_buf *b, bool w, int ext, int base, int32_t disp, int32_t imm);
/* shift group 2 by an immediate: ext = 0 rol, 1 ror, 4 shl, 5 shr, 7 sar */
void bxj_shift_imm(struct bxj_buf *b, unsigned fl, int ext, int rm, uint8_t n);
void bxj_push(struct bxj_buf *b, int r);
void bxj_pop(struct bxj_buf *b, int r);
void bxj_lea(struct bxj_buf *b, int dst, int base, int32_t disp);
void bxj_call_reg(struct bxj_buf *b, int r);                          /* call r */
void bxj_jmp_reg(struct bxj_buf *b, int r);                           /* jmp r */
void bxj_ret(struct bxj_buf *b);
void bxj_nops(struct bxj_buf *b, size_t n);                           /* n bytes of nops */

/* forward jump with an 8-bit displacement patched later (short local
 * branches inside one sequence); cc < 0 is jmp */
size_t bxj_jfwd8(struct bxj_buf *b, int cc);
void bxj_patch8(struct bxj_buf *b, size_t at);

static inline bool bxj_fits8(int64_t v)
{
	return v >= -128 && v <= 127;
}
static inline bool bxj_fits32(int64_t v)
{
	return v >= INT32_MIN && v <= INT32_MAX;
}

#endif /* BXJ_EMIT_H */

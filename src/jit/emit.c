/*
 * emit.c - the x86-64 encoder behind the JIT (see emit.h).
 */
#include "emit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)

/*
 * grow - make room for n more bytes; sets b->err on failure.
 */
static bool grow(struct bxj_buf *b, size_t n)
{
	uint8_t *p;
	size_t cap;

	if (b->err)
		return false;
	if (b->len + n <= b->cap)
		return true;
	cap = b->cap ? b->cap * 2 : 4096;
	while (cap < b->len + n)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->err = -ENOMEM;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

/* bxj_byte - one byte. */
void bxj_byte(struct bxj_buf *b, uint8_t v)
{
	if (grow(b, 1))
		b->p[b->len++] = v;
}

/* bxj_u16 - a little-endian 16-bit value. */
void bxj_u16(struct bxj_buf *b, uint16_t v)
{
	if (grow(b, 2)) {
		memcpy(b->p + b->len, &v, 2);
		b->len += 2;
	}
}

/* bxj_u32 - a little-endian 32-bit value. */
void bxj_u32(struct bxj_buf *b, uint32_t v)
{
	if (grow(b, 4)) {
		memcpy(b->p + b->len, &v, 4);
		b->len += 4;
	}
}

/* bxj_u64 - a little-endian 64-bit value. */
void bxj_u64(struct bxj_buf *b, uint64_t v)
{
	if (grow(b, 8)) {
		memcpy(b->p + b->len, &v, 8);
		b->len += 8;
	}
}

/*
 * prefix_op - legacy prefixes, REX (when needed) and the opcode bytes.
 * `rm_byte` says whether the rm operand is a byte register (rr forms).
 */
static void prefix_op(struct bxj_buf *b, unsigned fl, uint32_t op, int len, int reg, int rm,
		      bool rm_byte)
{
	uint8_t rex = 0x40;

	if (fl & BXJ_LOCK)
		bxj_byte(b, 0xf0);
	if (fl & BXJ_66)
		bxj_byte(b, 0x66);
	if (fl & BXJ_W)
		rex |= 8;
	if (reg & 8)
		rex |= 4;
	if (rm & 8)
		rex |= 1;
	if (rex != 0x40 || ((fl & BXJ_BYTE) && ((reg >= 4 && reg <= 7) ||
						 (rm_byte && rm >= 4 && rm <= 7))))
		bxj_byte(b, rex);
	for (int i = len - 1; i >= 0; i--)
		bxj_byte(b, (uint8_t)(op >> (8 * i)));
}

/* bxj_op_rr - op reg, rm with both operands registers. */
void bxj_op_rr(struct bxj_buf *b, unsigned fl, uint32_t op, int len, int reg, int rm)
{
	prefix_op(b, fl, op, len, reg, rm, true);
	bxj_byte(b, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
}

/* bxj_op_rm - op reg, [base + disp]. */
void bxj_op_rm(struct bxj_buf *b, unsigned fl, uint32_t op, int len, int reg, int base,
	       int32_t disp)
{
	int mod = disp == 0 && (base & 7) != BXJ_RBP ? 0 : bxj_fits8(disp) ? 1 : 2;

	prefix_op(b, fl, op, len, reg, base, false);
	bxj_byte(b, (uint8_t)(mod << 6 | (reg & 7) << 3 | (base & 7)));
	if ((base & 7) == BXJ_RSP)
		bxj_byte(b, 0x24);
	if (mod == 1)
		bxj_byte(b, (uint8_t)disp);
	else if (mod == 2)
		bxj_u32(b, (uint32_t)disp);
}

/*
 * bxj_op_rmi - op reg, [base + index * scale + disp] (scale 1, 2, 4, 8;
 * index must not be rsp). REX.X carries index bit 3.
 */
void bxj_op_rmi(struct bxj_buf *b, unsigned fl, uint32_t op, int len, int reg, int base,
		int index, int scale, int32_t disp)
{
	int mod = disp == 0 && (base & 7) != BXJ_RBP ? 0 : bxj_fits8(disp) ? 1 : 2;
	int ss = scale == 8 ? 3 : scale == 4 ? 2 : scale == 2 ? 1 : 0;

	if (index & 8) {
		/* prefix_op has no X bit: emit the REX here (then no second REX) */
		uint8_t rex = 0x42 | (fl & BXJ_W ? 8 : 0) | (reg & 8 ? 4 : 0) | (base & 8 ? 1 : 0);

		if (fl & BXJ_LOCK)
			bxj_byte(b, 0xf0);
		if (fl & BXJ_66)
			bxj_byte(b, 0x66);
		bxj_byte(b, rex);
		for (int i = len - 1; i >= 0; i--)
			bxj_byte(b, (uint8_t)(op >> (8 * i)));
	} else {
		prefix_op(b, fl, op, len, reg, base, false);
	}
	bxj_byte(b, (uint8_t)(mod << 6 | (reg & 7) << 3 | 4));
	bxj_byte(b, (uint8_t)(ss << 6 | (index & 7) << 3 | (base & 7)));
	if (mod == 1)
		bxj_byte(b, (uint8_t)disp);
	else if (mod == 2)
		bxj_u32(b, (uint32_t)disp);
}

/* bxj_nops - n bytes of the recommended multi-byte nops (at most 9 each). */
void bxj_nops(struct bxj_buf *b, size_t n)
{
	static const uint8_t nop[9][9] = {
		{ 0x90 },
		{ 0x66, 0x90 },
		{ 0x0f, 0x1f, 0x00 },
		{ 0x0f, 0x1f, 0x40, 0x00 },
		{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
		{ 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
	};

	while (n) {
		size_t k = n > 9 ? 9 : n;

		for (size_t j = 0; j < k; j++)
			bxj_byte(b, nop[k - 1][j]);
		n -= k;
	}
}

/* bxj_mov_rr - mov dst, src (32-bit moves zero-extend). */
void bxj_mov_rr(struct bxj_buf *b, bool w, int dst, int src)
{
	bxj_op_rr(b, w ? BXJ_W : 0, 0x89, 1, src, dst);
}

/* bxj_mov_imm32 - dst = v zero-extended (xor for 0). */
void bxj_mov_imm32(struct bxj_buf *b, int dst, uint32_t v)
{
	if (v == 0) {
		bxj_op_rr(b, 0, 0x31, 1, dst, dst);
		return;
	}
	if (dst & 8)
		bxj_byte(b, 0x41);
	bxj_byte(b, (uint8_t)(0xb8 + (dst & 7)));
	bxj_u32(b, v);
}

/* bxj_mov_imm - dst = v with the shortest encoding. */
void bxj_mov_imm(struct bxj_buf *b, int dst, uint64_t v)
{
	if (v <= UINT32_MAX) {
		bxj_mov_imm32(b, dst, (uint32_t)v);
	} else if (bxj_fits32((int64_t)v)) {
		bxj_op_rr(b, BXJ_W, 0xc7, 1, 0, dst);
		bxj_u32(b, (uint32_t)v);
	} else {
		bxj_byte(b, (uint8_t)(0x48 | (dst & 8 ? 1 : 0)));
		bxj_byte(b, (uint8_t)(0xb8 + (dst & 7)));
		bxj_u64(b, v);
	}
}

/* bxj_load - mov dst, [base + disp]. */
void bxj_load(struct bxj_buf *b, bool w, int dst, int base, int32_t disp)
{
	bxj_op_rm(b, w ? BXJ_W : 0, 0x8b, 1, dst, base, disp);
}

/* bxj_store - mov [base + disp], src. */
void bxj_store(struct bxj_buf *b, bool w, int base, int32_t disp, int src)
{
	bxj_op_rm(b, w ? BXJ_W : 0, 0x89, 1, src, base, disp);
}

/* bxj_alu_imm - group-1 op on a register with an immediate. */
void bxj_alu_imm(struct bxj_buf *b, bool w, int ext, int rm, int32_t imm)
{
	if (bxj_fits8(imm)) {
		bxj_op_rr(b, w ? BXJ_W : 0, 0x83, 1, ext, rm);
		bxj_byte(b, (uint8_t)imm);
	} else {
		bxj_op_rr(b, w ? BXJ_W : 0, 0x81, 1, ext, rm);
		bxj_u32(b, (uint32_t)imm);
	}
}

/* bxj_alu_mem_imm - group-1 op on [base + disp] with an immediate. */
void bxj_alu_mem_imm(struct bxj_buf *b, bool w, int ext, int base, int32_t disp, int32_t imm)
{
	if (bxj_fits8(imm)) {
		bxj_op_rm(b, w ? BXJ_W : 0, 0x83, 1, ext, base, disp);
		bxj_byte(b, (uint8_t)imm);
	} else {
		bxj_op_rm(b, w ? BXJ_W : 0, 0x81, 1, ext, base, disp);
		bxj_u32(b, (uint32_t)imm);
	}
}

/* bxj_shift_imm - group-2 shift/rotate of a register by n. */
void bxj_shift_imm(struct bxj_buf *b, unsigned fl, int ext, int rm, uint8_t n)
{
	if (n == 1) {
		bxj_op_rr(b, fl, 0xd1, 1, ext, rm);
	} else {
		bxj_op_rr(b, fl, 0xc1, 1, ext, rm);
		bxj_byte(b, n);
	}
}

/* bxj_push - push r. */
void bxj_push(struct bxj_buf *b, int r)
{
	if (r & 8)
		bxj_byte(b, 0x41);
	bxj_byte(b, (uint8_t)(0x50 + (r & 7)));
}

/* bxj_pop - pop r. */
void bxj_pop(struct bxj_buf *b, int r)
{
	if (r & 8)
		bxj_byte(b, 0x41);
	bxj_byte(b, (uint8_t)(0x58 + (r & 7)));
}

/* bxj_lea - lea dst, [base + disp] (64-bit). */
void bxj_lea(struct bxj_buf *b, int dst, int base, int32_t disp)
{
	bxj_op_rm(b, BXJ_W, 0x8d, 1, dst, base, disp);
}

/* bxj_call_reg - call r. */
void bxj_call_reg(struct bxj_buf *b, int r)
{
	bxj_op_rr(b, 0, 0xff, 1, 2, r);
}

/* bxj_jmp_reg - jmp r. */
void bxj_jmp_reg(struct bxj_buf *b, int r)
{
	bxj_op_rr(b, 0, 0xff, 1, 4, r);
}

/* bxj_ret - ret. */
void bxj_ret(struct bxj_buf *b)
{
	bxj_byte(b, 0xc3);
}

/* bxj_jfwd8 - jmp/jcc rel8 with the displacement left to bxj_patch8(). */
size_t bxj_jfwd8(struct bxj_buf *b, int cc)
{
	bxj_byte(b, cc < 0 ? 0xeb : (uint8_t)(0x70 + cc));
	bxj_byte(b, 0);
	return b->len;
}

/* bxj_patch8 - point the rel8 jump that ended at `at` to here. */
void bxj_patch8(struct bxj_buf *b, size_t at)
{
	if (b->err)
		return;
	if (b->len - at > 127)
		b->err = -ERANGE;
	else
		b->p[at - 1] = (uint8_t)(b->len - at);
}

#endif /* __x86_64__ */

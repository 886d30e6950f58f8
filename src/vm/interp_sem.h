/*
 * interp_sem.h - the operations behind the SEM column of insn_table.h, and
 * the per-FMT body templates the interpreter is generated from.
 *
 * A body template BODY_<FMT>(CODE, MVAL, SEM) gets the opcode byte and the
 * variant value as compile-time constants, so tests such as "is this a
 * 64-bit op" or "is the operand a register" fold away and every table row
 * becomes straight-line code. SEM_<SEM>(U, S, a, b) computes an ALU
 * operation on the unsigned type U (uint32_t or uint64_t; S is the signed
 * type of the same width) and CMP_<SEM> a jump condition, exactly as
 * RFC 9669 says, without undefined behaviour:
 *  - wrapping arithmetic is done on unsigned types;
 *  - x / 0 = 0, x % 0 = x (signed and unsigned);
 *  - INT_MIN s/ -1 = INT_MIN and INT_MIN s% -1 = 0 (no trap): division by
 *    -1 is done as a negation, the remainder of it is 0;
 *  - shift amounts are masked to the width.
 * Converting an out-of-range unsigned value to a signed type and >> on a
 * negative value are implementation-defined, not undefined; GCC and Clang
 * wrap and shift arithmetically.
 *
 * Used only by interp_body.h; the macros expect the interpreter's locals
 * R (registers), pc (current struct bxv_insn) and call.
 */
#ifndef BXV_INTERP_SEM_H
#define BXV_INTERP_SEM_H

#include <stdint.h>
#include <string.h>

#include "isa/opcodes.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "the interpreter assumes a little-endian host");

#define BXV_LIKELY(x)   __builtin_expect(!!(x), 1)
#define BXV_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---- properties of the opcode byte (compile-time constants) ---------------- */

#define OP_IS64(CODE)  (BX_CLASS(CODE) == BX_ALU64 || BX_CLASS(CODE) == BX_JMP)
#define OP_ISX(CODE)   (BX_SRC(CODE) == BX_X)
#define OP_SIZE(CODE)  (BX_SIZE(CODE) == BX_DW ? 8 : BX_SIZE(CODE) == BX_W ? 4 : \
			BX_SIZE(CODE) == BX_H ? 2 : 1)

/* ---- ALU operations ---------------------------------------------------------- */

#define SEM_WMASK(U)        ((U)(sizeof(U) * 8 - 1))
#define SEM_ADD(U, S, a, b)  ((U)((a) + (b)))
#define SEM_SUB(U, S, a, b)  ((U)((a) - (b)))
#define SEM_MUL(U, S, a, b)  ((U)((a) * (b)))
#define SEM_DIV(U, S, a, b)  ((U)((b) ? (a) / (b) : 0))
#define SEM_MOD(U, S, a, b)  ((U)((b) ? (a) % (b) : (a)))
#define SEM_SDIV(U, S, a, b) ((U)((b) == 0 ? 0 : (b) == (U)-1 ? (U)0 - (a) : \
				  (U)((S)(a) / (S)(b))))
#define SEM_SMOD(U, S, a, b) ((U)((b) == 0 ? (a) : (b) == (U)-1 ? 0 : \
				  (U)((S)(a) % (S)(b))))
#define SEM_OR(U, S, a, b)   ((U)((a) | (b)))
#define SEM_AND(U, S, a, b)  ((U)((a) & (b)))
#define SEM_XOR(U, S, a, b)  ((U)((a) ^ (b)))
#define SEM_LSH(U, S, a, b)  ((U)((a) << ((b) & SEM_WMASK(U))))
#define SEM_RSH(U, S, a, b)  ((U)((a) >> ((b) & SEM_WMASK(U))))
#define SEM_ARSH(U, S, a, b) ((U)((S)(a) >> ((b) & SEM_WMASK(U))))
#define SEM_MOV(U, S, a, b)  ((void)(a), (U)(b))

/* movsx: sign-extend the low 8, 16 or 32 bits */
#define SX_S8(x)  ((int64_t)(int8_t)(x))
#define SX_S16(x) ((int64_t)(int16_t)(x))
#define SX_S32(x) ((int64_t)(int32_t)(x))

/* byte order (the host is little-endian): to-LE truncates, to-BE and
 * bswap swap then truncate */
#define END_LE(v, W)   ((W) == 64 ? (v) : (W) == 32 ? (uint64_t)(uint32_t)(v) : \
			(uint64_t)(uint16_t)(v))
#define END_SWAP(v, W) ((W) == 64 ? __builtin_bswap64(v) :                       \
			(W) == 32 ? (uint64_t)__builtin_bswap32((uint32_t)(v)) :   \
			(uint64_t)__builtin_bswap16((uint16_t)(v)))
#define END_BE(v, W)   END_SWAP(v, W)

/* ---- jump conditions ------------------------------------------------------------ */

#define CMP_EQ(U, S, a, b)  ((a) == (b))
#define CMP_NE(U, S, a, b)  ((a) != (b))
#define CMP_GT(U, S, a, b)  ((a) > (b))
#define CMP_GE(U, S, a, b)  ((a) >= (b))
#define CMP_LT(U, S, a, b)  ((a) < (b))
#define CMP_LE(U, S, a, b)  ((a) <= (b))
#define CMP_SET(U, S, a, b) (((a) & (b)) != 0)
#define CMP_SGT(U, S, a, b) ((S)(a) > (S)(b))
#define CMP_SGE(U, S, a, b) ((S)(a) >= (S)(b))
#define CMP_SLT(U, S, a, b) ((S)(a) < (S)(b))
#define CMP_SLE(U, S, a, b) ((S)(a) <= (S)(b))

/* ---- atomics (sequentially consistent, as the kernel's) -------------------------- */

#define ATOMIC_ADD(p, v) __atomic_fetch_add((p), (v), __ATOMIC_SEQ_CST)
#define ATOMIC_OR(p, v)  __atomic_fetch_or((p), (v), __ATOMIC_SEQ_CST)
#define ATOMIC_AND(p, v) __atomic_fetch_and((p), (v), __ATOMIC_SEQ_CST)
#define ATOMIC_XOR(p, v) __atomic_fetch_xor((p), (v), __ATOMIC_SEQ_CST)

/* ---- memory: unaligned-safe loads and stores (memcpy folds to one move) ---- */

static inline __attribute__((always_inline)) uint64_t bxv_ld(uint64_t a, int sz)
{
	const void *p = (const void *)(uintptr_t)a;
	uint8_t v8; uint16_t v16; uint32_t v32; uint64_t v64;

	switch (sz) {
	case 1: memcpy(&v8, p, 1); return v8;
	case 2: memcpy(&v16, p, 2); return v16;
	case 4: memcpy(&v32, p, 4); return v32;
	default: memcpy(&v64, p, 8); return v64;
	}
}

static inline __attribute__((always_inline)) uint64_t bxv_ldsx(uint64_t a, int sz)
{
	uint64_t v = bxv_ld(a, sz);

	switch (sz) {
	case 1: return (uint64_t)(int64_t)(int8_t)v;
	case 2: return (uint64_t)(int64_t)(int16_t)v;
	case 4: return (uint64_t)(int64_t)(int32_t)v;
	default: return v;
	}
}

static inline __attribute__((always_inline)) void bxv_st(uint64_t a, int sz, uint64_t v)
{
	void *p = (void *)(uintptr_t)a;
	uint8_t v8 = (uint8_t)v; uint16_t v16 = (uint16_t)v; uint32_t v32 = (uint32_t)v;

	switch (sz) {
	case 1: memcpy(p, &v8, 1); break;
	case 2: memcpy(p, &v16, 2); break;
	case 4: memcpy(p, &v32, 4); break;
	default: memcpy(p, &v, 8); break;
	}
}

/* big-endian load of the legacy packet instructions */
static inline __attribute__((always_inline)) uint64_t bxv_ld_be(const uint8_t *p, int sz)
{
	switch (sz) {
	case 1: return p[0];
	case 2: return (uint64_t)p[0] << 8 | p[1];
	default: return (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 |
			(uint64_t)p[2] << 8 | p[3];
	}
}

#endif /* BXV_INTERP_SEM_H */

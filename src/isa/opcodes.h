/*
 * opcodes.h - the eBPF instruction encoding (RFC 9669), as constants.
 *
 * Every instruction is one 64-bit slot; lddw takes two.
 *
 *   63            32 31        16 15    12 11     8 7              0
 *  +----------------+------------+--------+--------+----------------+
 *  |      imm       |    off     |  src   |  dst   |     opcode     |
 *  +----------------+------------+--------+--------+----------------+
 *        s32             s16        4 bits   4 bits      8 bits
 *
 *  (little-endian in memory: byte 0 is the opcode, byte 1 holds dst in its
 *   low nibble and src in its high nibble, bytes 2-3 off, bytes 4-7 imm)
 *
 * The opcode byte has two shapes, chosen by its class (low 3 bits):
 *
 *  ALU, ALU64, JMP, JMP32                LD, LDX, ST, STX
 *    7      4   3   2   0                  7    5 4   3 2   0
 *  +---------+-----+-----+               +------+-----+-----+
 *  |   op    | src |class|               | mode |size |class|
 *  +---------+-----+-----+               +------+-----+-----+
 *   src: 0 = K (imm), 1 = X (src reg)     size: W=0 H=1 B=2 DW=3
 *
 * Classes:  LD=0 LDX=1 ST=2 STX=3 ALU=4 JMP=5 JMP32=6 ALU64=7
 * Modes:    IMM=0 ABS=1 IND=2 MEM=3 MEMSX=4 ATOMIC=6 (shifted left by 5)
 *
 * Some instructions share an opcode byte and differ in another field:
 *  - sdiv/smod are div/mod with off = 1;
 *  - movsx is mov (X) with off = 8, 16 or 32;
 *  - the atomic operation is in imm (ADD, OR, AND, XOR, each optionally
 *    | FETCH, plus XCHG and CMPXCHG);
 *  - byte swaps carry their width (16, 32, 64) in imm;
 *  - call: src = 0 helper id in imm, 1 local call (imm = pc offset),
 *    2 kfunc BTF id;
 *  - lddw: src = 0..6 selects the pseudo form (plain, map fd, map value,
 *    BTF id, func, map index, map index value).
 * insn_table.h lists each such variant as an instruction of its own.
 */
#ifndef BX_OPCODES_H
#define BX_OPCODES_H

/* classes */
#define BX_LD    0x00
#define BX_LDX   0x01
#define BX_ST    0x02
#define BX_STX   0x03
#define BX_ALU   0x04
#define BX_JMP   0x05
#define BX_JMP32 0x06
#define BX_ALU64 0x07
#define BX_CLASS(code) ((code) & 0x07)

/* source operand */
#define BX_K 0x00
#define BX_X 0x08
#define BX_SRC(code) ((code) & 0x08)

/* ALU operations */
#define BX_ADD  0x00
#define BX_SUB  0x10
#define BX_MUL  0x20
#define BX_DIV  0x30
#define BX_OR   0x40
#define BX_AND  0x50
#define BX_LSH  0x60
#define BX_RSH  0x70
#define BX_NEG  0x80
#define BX_MOD  0x90
#define BX_XOR  0xa0
#define BX_MOV  0xb0
#define BX_ARSH 0xc0
#define BX_END  0xd0
#define BX_OP(code) ((code) & 0xf0)

/* byte-swap direction (the src bit of ALU|END) */
#define BX_TO_LE 0x00
#define BX_TO_BE 0x08

/* jump operations */
#define BX_JA   0x00
#define BX_JEQ  0x10
#define BX_JGT  0x20
#define BX_JGE  0x30
#define BX_JSET 0x40
#define BX_JNE  0x50
#define BX_JSGT 0x60
#define BX_JSGE 0x70
#define BX_CALL 0x80
#define BX_EXIT 0x90
#define BX_JLT  0xa0
#define BX_JLE  0xb0
#define BX_JSLT 0xc0
#define BX_JSLE 0xd0
#define BX_JCOND_OP 0xe0   /* may_goto (src 0: BPF_MAY_GOTO) */

/* load/store sizes */
#define BX_W  0x00
#define BX_H  0x08
#define BX_B  0x10
#define BX_DW 0x18
#define BX_SIZE(code) ((code) & 0x18)

/* load/store modes */
#define BX_IMM    0x00
#define BX_ABS    0x20
#define BX_IND    0x40
#define BX_MEM    0x60
#define BX_MEMSX  0x80
#define BX_ATOMIC 0xc0
#define BX_MODE(code) ((code) & 0xe0)

/* atomic operations, in imm */
#define BX_FETCH   0x01
#define BX_XCHG    (0xe0 | BX_FETCH)
#define BX_CMPXCHG (0xf0 | BX_FETCH)

/* call kinds, in src */
#define BX_CALL_HELPER 0
#define BX_CALL_LOCAL  1
#define BX_CALL_KFUNC  2

/* lddw pseudo forms, in src */
#define BX_PSEUDO_NONE          0
#define BX_PSEUDO_MAP_FD        1
#define BX_PSEUDO_MAP_VALUE     2
#define BX_PSEUDO_BTF_ID        3
#define BX_PSEUDO_FUNC          4
#define BX_PSEUDO_MAP_IDX       5
#define BX_PSEUDO_MAP_IDX_VALUE 6

/* registers */
#define BX_NREGS  11   /* r0..r10 */
#define BX_REG_FP 10   /* read-only frame pointer */

/* execution limits */
#define BX_STACK_SIZE     512  /* bytes per frame */
#define BX_MAX_CALL_DEPTH 8    /* frames, including the main program */
#define BX_MAX_LOOPS      (8u * 1024 * 1024)  /* may_goto passes per run (BPF_MAX_LOOPS) */
#define BX_MAX_INSNS      1000000u /* slots in one program (kernel: BPF_COMPLEXITY_LIMIT_INSNS) */

#endif /* BX_OPCODES_H */

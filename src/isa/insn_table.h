/*
 * insn_table.h - the one list of every instruction bpfbox knows.
 *
 * BX_INSN_MAP(X) calls X once per instruction variant:
 *
 *   X(NAME, CODE, MATCH, MVAL, FMT, SEM, MNEM, LLVM, CPU)
 *
 *   NAME   unique token; BX_OP_<NAME> is its index (enum bx_op)
 *   CODE   the opcode byte
 *   MATCH  the field that tells variants of one opcode apart:
 *          NONE, OFF, IMM or SRC (BX_M_<MATCH>)
 *   MVAL   the value that field holds for this variant
 *   FMT    the operand shape (BX_F_<FMT>): how the assembler parses it, the
 *          disassembler prints it, and which body template the interpreter,
 *          verifier and JIT use
 *   SEM    the operation inside that shape (ADD, EQ, LE, ...; _ = none)
 *   MNEM   the mnemonic of the conformance-suite syntax
 *   LLVM   the operator or type text of the LLVM/kernel syntax
 *   CPU    the first -mcpu version that emits it
 *
 * Invariant (checked by tests/test_isa.c): entries that share an opcode byte
 * are adjacent, and at most one of them has MATCH NONE (it is then alone).
 * Everything that needs to know about opcodes - assembler, disassembler,
 * interpreter, verifier, JIT - is generated from this list; nothing else
 * keeps its own list of opcodes.
 */
#ifndef BX_INSN_TABLE_H
#define BX_INSN_TABLE_H

#include "opcodes.h"

#define BX_INSN_MAP(X)                                                                  \
  /* ---- ALU64 ------------------------------------------------------------------ */ \
  X(ADD64_K,   BX_ALU64|BX_K|BX_ADD,  NONE, 0,  ALU,   ADD,  "add",      "+=",   1)  \
  X(ADD64_X,   BX_ALU64|BX_X|BX_ADD,  NONE, 0,  ALU,   ADD,  "add",      "+=",   1)  \
  X(SUB64_K,   BX_ALU64|BX_K|BX_SUB,  NONE, 0,  ALU,   SUB,  "sub",      "-=",   1)  \
  X(SUB64_X,   BX_ALU64|BX_X|BX_SUB,  NONE, 0,  ALU,   SUB,  "sub",      "-=",   1)  \
  X(MUL64_K,   BX_ALU64|BX_K|BX_MUL,  NONE, 0,  ALU,   MUL,  "mul",      "*=",   1)  \
  X(MUL64_X,   BX_ALU64|BX_X|BX_MUL,  NONE, 0,  ALU,   MUL,  "mul",      "*=",   1)  \
  X(DIV64_K,   BX_ALU64|BX_K|BX_DIV,  OFF,  0,  ALU,   DIV,  "div",      "/=",   1)  \
  X(SDIV64_K,  BX_ALU64|BX_K|BX_DIV,  OFF,  1,  ALU,   SDIV, "sdiv",     "s/=",  4)  \
  X(DIV64_X,   BX_ALU64|BX_X|BX_DIV,  OFF,  0,  ALU,   DIV,  "div",      "/=",   1)  \
  X(SDIV64_X,  BX_ALU64|BX_X|BX_DIV,  OFF,  1,  ALU,   SDIV, "sdiv",     "s/=",  4)  \
  X(OR64_K,    BX_ALU64|BX_K|BX_OR,   NONE, 0,  ALU,   OR,   "or",       "|=",   1)  \
  X(OR64_X,    BX_ALU64|BX_X|BX_OR,   NONE, 0,  ALU,   OR,   "or",       "|=",   1)  \
  X(AND64_K,   BX_ALU64|BX_K|BX_AND,  NONE, 0,  ALU,   AND,  "and",      "&=",   1)  \
  X(AND64_X,   BX_ALU64|BX_X|BX_AND,  NONE, 0,  ALU,   AND,  "and",      "&=",   1)  \
  X(LSH64_K,   BX_ALU64|BX_K|BX_LSH,  NONE, 0,  ALU,   LSH,  "lsh",      "<<=",  1)  \
  X(LSH64_X,   BX_ALU64|BX_X|BX_LSH,  NONE, 0,  ALU,   LSH,  "lsh",      "<<=",  1)  \
  X(RSH64_K,   BX_ALU64|BX_K|BX_RSH,  NONE, 0,  ALU,   RSH,  "rsh",      ">>=",  1)  \
  X(RSH64_X,   BX_ALU64|BX_X|BX_RSH,  NONE, 0,  ALU,   RSH,  "rsh",      ">>=",  1)  \
  X(NEG64,     BX_ALU64|BX_K|BX_NEG,  NONE, 0,  NEG,   NEG,  "neg",      "-",    1)  \
  X(MOD64_K,   BX_ALU64|BX_K|BX_MOD,  OFF,  0,  ALU,   MOD,  "mod",      "%=",   1)  \
  X(SMOD64_K,  BX_ALU64|BX_K|BX_MOD,  OFF,  1,  ALU,   SMOD, "smod",     "s%=",  4)  \
  X(MOD64_X,   BX_ALU64|BX_X|BX_MOD,  OFF,  0,  ALU,   MOD,  "mod",      "%=",   1)  \
  X(SMOD64_X,  BX_ALU64|BX_X|BX_MOD,  OFF,  1,  ALU,   SMOD, "smod",     "s%=",  4)  \
  X(XOR64_K,   BX_ALU64|BX_K|BX_XOR,  NONE, 0,  ALU,   XOR,  "xor",      "^=",   1)  \
  X(XOR64_X,   BX_ALU64|BX_X|BX_XOR,  NONE, 0,  ALU,   XOR,  "xor",      "^=",   1)  \
  X(MOV64_K,   BX_ALU64|BX_K|BX_MOV,  NONE, 0,  ALU,   MOV,  "mov",      "=",    1)  \
  X(MOV64_X,   BX_ALU64|BX_X|BX_MOV,  OFF,  0,  ALU,   MOV,  "mov",      "=",    1)  \
  X(MOVSX64_8, BX_ALU64|BX_X|BX_MOV,  OFF,  8,  MOVSX, S8,   "movsx864", "s8",   4)  \
  X(MOVSX64_16,BX_ALU64|BX_X|BX_MOV,  OFF,  16, MOVSX, S16,  "movsx1664","s16",  4)  \
  X(MOVSX64_32,BX_ALU64|BX_X|BX_MOV,  OFF,  32, MOVSX, S32,  "movsx3264","s32",  4)  \
  X(ARSH64_K,  BX_ALU64|BX_K|BX_ARSH, NONE, 0,  ALU,   ARSH, "arsh",     "s>>=", 1)  \
  X(ARSH64_X,  BX_ALU64|BX_X|BX_ARSH, NONE, 0,  ALU,   ARSH, "arsh",     "s>>=", 1)  \
  X(BSWAP16,   BX_ALU64|BX_K|BX_END,  IMM,  16, END,   SWAP, "bswap16",  "bswap16", 4) \
  X(BSWAP32,   BX_ALU64|BX_K|BX_END,  IMM,  32, END,   SWAP, "bswap32",  "bswap32", 4) \
  X(BSWAP64,   BX_ALU64|BX_K|BX_END,  IMM,  64, END,   SWAP, "bswap64",  "bswap64", 4) \
  /* ---- ALU (32-bit, result zero-extended) ------------------------------------- */ \
  X(ADD32_K,   BX_ALU|BX_K|BX_ADD,    NONE, 0,  ALU,   ADD,  "add32",    "+=",   1)  \
  X(ADD32_X,   BX_ALU|BX_X|BX_ADD,    NONE, 0,  ALU,   ADD,  "add32",    "+=",   1)  \
  X(SUB32_K,   BX_ALU|BX_K|BX_SUB,    NONE, 0,  ALU,   SUB,  "sub32",    "-=",   1)  \
  X(SUB32_X,   BX_ALU|BX_X|BX_SUB,    NONE, 0,  ALU,   SUB,  "sub32",    "-=",   1)  \
  X(MUL32_K,   BX_ALU|BX_K|BX_MUL,    NONE, 0,  ALU,   MUL,  "mul32",    "*=",   1)  \
  X(MUL32_X,   BX_ALU|BX_X|BX_MUL,    NONE, 0,  ALU,   MUL,  "mul32",    "*=",   1)  \
  X(DIV32_K,   BX_ALU|BX_K|BX_DIV,    OFF,  0,  ALU,   DIV,  "div32",    "/=",   1)  \
  X(SDIV32_K,  BX_ALU|BX_K|BX_DIV,    OFF,  1,  ALU,   SDIV, "sdiv32",   "s/=",  4)  \
  X(DIV32_X,   BX_ALU|BX_X|BX_DIV,    OFF,  0,  ALU,   DIV,  "div32",    "/=",   1)  \
  X(SDIV32_X,  BX_ALU|BX_X|BX_DIV,    OFF,  1,  ALU,   SDIV, "sdiv32",   "s/=",  4)  \
  X(OR32_K,    BX_ALU|BX_K|BX_OR,     NONE, 0,  ALU,   OR,   "or32",     "|=",   1)  \
  X(OR32_X,    BX_ALU|BX_X|BX_OR,     NONE, 0,  ALU,   OR,   "or32",     "|=",   1)  \
  X(AND32_K,   BX_ALU|BX_K|BX_AND,    NONE, 0,  ALU,   AND,  "and32",    "&=",   1)  \
  X(AND32_X,   BX_ALU|BX_X|BX_AND,    NONE, 0,  ALU,   AND,  "and32",    "&=",   1)  \
  X(LSH32_K,   BX_ALU|BX_K|BX_LSH,    NONE, 0,  ALU,   LSH,  "lsh32",    "<<=",  1)  \
  X(LSH32_X,   BX_ALU|BX_X|BX_LSH,    NONE, 0,  ALU,   LSH,  "lsh32",    "<<=",  1)  \
  X(RSH32_K,   BX_ALU|BX_K|BX_RSH,    NONE, 0,  ALU,   RSH,  "rsh32",    ">>=",  1)  \
  X(RSH32_X,   BX_ALU|BX_X|BX_RSH,    NONE, 0,  ALU,   RSH,  "rsh32",    ">>=",  1)  \
  X(NEG32,     BX_ALU|BX_K|BX_NEG,    NONE, 0,  NEG,   NEG,  "neg32",    "-",    1)  \
  X(MOD32_K,   BX_ALU|BX_K|BX_MOD,    OFF,  0,  ALU,   MOD,  "mod32",    "%=",   1)  \
  X(SMOD32_K,  BX_ALU|BX_K|BX_MOD,    OFF,  1,  ALU,   SMOD, "smod32",   "s%=",  4)  \
  X(MOD32_X,   BX_ALU|BX_X|BX_MOD,    OFF,  0,  ALU,   MOD,  "mod32",    "%=",   1)  \
  X(SMOD32_X,  BX_ALU|BX_X|BX_MOD,    OFF,  1,  ALU,   SMOD, "smod32",   "s%=",  4)  \
  X(XOR32_K,   BX_ALU|BX_K|BX_XOR,    NONE, 0,  ALU,   XOR,  "xor32",    "^=",   1)  \
  X(XOR32_X,   BX_ALU|BX_X|BX_XOR,    NONE, 0,  ALU,   XOR,  "xor32",    "^=",   1)  \
  X(MOV32_K,   BX_ALU|BX_K|BX_MOV,    NONE, 0,  ALU,   MOV,  "mov32",    "=",    1)  \
  X(MOV32_X,   BX_ALU|BX_X|BX_MOV,    OFF,  0,  ALU,   MOV,  "mov32",    "=",    1)  \
  X(MOVSX32_8, BX_ALU|BX_X|BX_MOV,    OFF,  8,  MOVSX, S8,   "movsx832", "s8",   4)  \
  X(MOVSX32_16,BX_ALU|BX_X|BX_MOV,    OFF,  16, MOVSX, S16,  "movsx1632","s16",  4)  \
  X(ARSH32_K,  BX_ALU|BX_K|BX_ARSH,   NONE, 0,  ALU,   ARSH, "arsh32",   "s>>=", 1)  \
  X(ARSH32_X,  BX_ALU|BX_X|BX_ARSH,   NONE, 0,  ALU,   ARSH, "arsh32",   "s>>=", 1)  \
  X(LE16,      BX_ALU|BX_TO_LE|BX_END,IMM,  16, END,   LE,   "le16",     "le16", 1)  \
  X(LE32,      BX_ALU|BX_TO_LE|BX_END,IMM,  32, END,   LE,   "le32",     "le32", 1)  \
  X(LE64,      BX_ALU|BX_TO_LE|BX_END,IMM,  64, END,   LE,   "le64",     "le64", 1)  \
  X(BE16,      BX_ALU|BX_TO_BE|BX_END,IMM,  16, END,   BE,   "be16",     "be16", 1)  \
  X(BE32,      BX_ALU|BX_TO_BE|BX_END,IMM,  32, END,   BE,   "be32",     "be32", 1)  \
  X(BE64,      BX_ALU|BX_TO_BE|BX_END,IMM,  64, END,   BE,   "be64",     "be64", 1)  \
  /* ---- JMP (64-bit compares) -------------------------------------------------- */ \
  X(JA,        BX_JMP|BX_K|BX_JA,     NONE, 0,  JA,    _,    "ja",       "goto", 1)  \
  X(JEQ_K,     BX_JMP|BX_K|BX_JEQ,    NONE, 0,  JCOND, EQ,   "jeq",      "==",   1)  \
  X(JEQ_X,     BX_JMP|BX_X|BX_JEQ,    NONE, 0,  JCOND, EQ,   "jeq",      "==",   1)  \
  X(JGT_K,     BX_JMP|BX_K|BX_JGT,    NONE, 0,  JCOND, GT,   "jgt",      ">",    1)  \
  X(JGT_X,     BX_JMP|BX_X|BX_JGT,    NONE, 0,  JCOND, GT,   "jgt",      ">",    1)  \
  X(JGE_K,     BX_JMP|BX_K|BX_JGE,    NONE, 0,  JCOND, GE,   "jge",      ">=",   1)  \
  X(JGE_X,     BX_JMP|BX_X|BX_JGE,    NONE, 0,  JCOND, GE,   "jge",      ">=",   1)  \
  X(JSET_K,    BX_JMP|BX_K|BX_JSET,   NONE, 0,  JCOND, SET,  "jset",     "&",    1)  \
  X(JSET_X,    BX_JMP|BX_X|BX_JSET,   NONE, 0,  JCOND, SET,  "jset",     "&",    1)  \
  X(JNE_K,     BX_JMP|BX_K|BX_JNE,    NONE, 0,  JCOND, NE,   "jne",      "!=",   1)  \
  X(JNE_X,     BX_JMP|BX_X|BX_JNE,    NONE, 0,  JCOND, NE,   "jne",      "!=",   1)  \
  X(JSGT_K,    BX_JMP|BX_K|BX_JSGT,   NONE, 0,  JCOND, SGT,  "jsgt",     "s>",   1)  \
  X(JSGT_X,    BX_JMP|BX_X|BX_JSGT,   NONE, 0,  JCOND, SGT,  "jsgt",     "s>",   1)  \
  X(JSGE_K,    BX_JMP|BX_K|BX_JSGE,   NONE, 0,  JCOND, SGE,  "jsge",     "s>=",  1)  \
  X(JSGE_X,    BX_JMP|BX_X|BX_JSGE,   NONE, 0,  JCOND, SGE,  "jsge",     "s>=",  1)  \
  X(CALL,      BX_JMP|BX_K|BX_CALL,   SRC,  0,  CALL,  HELPER, "call",   "call", 1)  \
  X(CALL_LOCAL,BX_JMP|BX_K|BX_CALL,   SRC,  1,  CALL,  LOCAL,  "call local", "call", 1) \
  X(CALL_KFUNC,BX_JMP|BX_K|BX_CALL,   SRC,  2,  CALL,  KFUNC,  "call kfunc", "call", 1) \
  X(CALLX,     BX_JMP|BX_X|BX_CALL,   NONE, 0,  CALLX, _,    "callx",    "callx",1)  \
  X(EXIT,      BX_JMP|BX_K|BX_EXIT,   NONE, 0,  EXIT,  _,    "exit",     "exit", 1)  \
  X(JLT_K,     BX_JMP|BX_K|BX_JLT,    NONE, 0,  JCOND, LT,   "jlt",      "<",    2)  \
  X(JLT_X,     BX_JMP|BX_X|BX_JLT,    NONE, 0,  JCOND, LT,   "jlt",      "<",    2)  \
  X(JLE_K,     BX_JMP|BX_K|BX_JLE,    NONE, 0,  JCOND, LE,   "jle",      "<=",   2)  \
  X(JLE_X,     BX_JMP|BX_X|BX_JLE,    NONE, 0,  JCOND, LE,   "jle",      "<=",   2)  \
  X(JSLT_K,    BX_JMP|BX_K|BX_JSLT,   NONE, 0,  JCOND, SLT,  "jslt",     "s<",   2)  \
  X(JSLT_X,    BX_JMP|BX_X|BX_JSLT,   NONE, 0,  JCOND, SLT,  "jslt",     "s<",   2)  \
  X(JSLE_K,    BX_JMP|BX_K|BX_JSLE,   NONE, 0,  JCOND, SLE,  "jsle",     "s<=",  2)  \
  X(JSLE_X,    BX_JMP|BX_X|BX_JSLE,   NONE, 0,  JCOND, SLE,  "jsle",     "s<=",  2)  \
  /* may_goto +N: falls through while the run's loop budget lasts (one    \
   * unit per pass), jumps once it is spent (BPF_JMP|BPF_JCOND, src 0) */  \
  X(MAY_GOTO,  BX_JMP|BX_K|BX_JCOND_OP,SRC, 0,  MAYGOTO,_,   "may_goto", "may_goto", 4) \
  /* ---- JMP32 (32-bit compares; JA here is gotol, offset in imm) ---------------- */ \
  X(JA32,      BX_JMP32|BX_K|BX_JA,   NONE, 0,  JA32,  _,    "ja32",     "gotol",4)  \
  X(JEQ32_K,   BX_JMP32|BX_K|BX_JEQ,  NONE, 0,  JCOND, EQ,   "jeq32",    "==",   3)  \
  X(JEQ32_X,   BX_JMP32|BX_X|BX_JEQ,  NONE, 0,  JCOND, EQ,   "jeq32",    "==",   3)  \
  X(JGT32_K,   BX_JMP32|BX_K|BX_JGT,  NONE, 0,  JCOND, GT,   "jgt32",    ">",    3)  \
  X(JGT32_X,   BX_JMP32|BX_X|BX_JGT,  NONE, 0,  JCOND, GT,   "jgt32",    ">",    3)  \
  X(JGE32_K,   BX_JMP32|BX_K|BX_JGE,  NONE, 0,  JCOND, GE,   "jge32",    ">=",   3)  \
  X(JGE32_X,   BX_JMP32|BX_X|BX_JGE,  NONE, 0,  JCOND, GE,   "jge32",    ">=",   3)  \
  X(JSET32_K,  BX_JMP32|BX_K|BX_JSET, NONE, 0,  JCOND, SET,  "jset32",   "&",    3)  \
  X(JSET32_X,  BX_JMP32|BX_X|BX_JSET, NONE, 0,  JCOND, SET,  "jset32",   "&",    3)  \
  X(JNE32_K,   BX_JMP32|BX_K|BX_JNE,  NONE, 0,  JCOND, NE,   "jne32",    "!=",   3)  \
  X(JNE32_X,   BX_JMP32|BX_X|BX_JNE,  NONE, 0,  JCOND, NE,   "jne32",    "!=",   3)  \
  X(JSGT32_K,  BX_JMP32|BX_K|BX_JSGT, NONE, 0,  JCOND, SGT,  "jsgt32",   "s>",   3)  \
  X(JSGT32_X,  BX_JMP32|BX_X|BX_JSGT, NONE, 0,  JCOND, SGT,  "jsgt32",   "s>",   3)  \
  X(JSGE32_K,  BX_JMP32|BX_K|BX_JSGE, NONE, 0,  JCOND, SGE,  "jsge32",   "s>=",  3)  \
  X(JSGE32_X,  BX_JMP32|BX_X|BX_JSGE, NONE, 0,  JCOND, SGE,  "jsge32",   "s>=",  3)  \
  X(JLT32_K,   BX_JMP32|BX_K|BX_JLT,  NONE, 0,  JCOND, LT,   "jlt32",    "<",    3)  \
  X(JLT32_X,   BX_JMP32|BX_X|BX_JLT,  NONE, 0,  JCOND, LT,   "jlt32",    "<",    3)  \
  X(JLE32_K,   BX_JMP32|BX_K|BX_JLE,  NONE, 0,  JCOND, LE,   "jle32",    "<=",   3)  \
  X(JLE32_X,   BX_JMP32|BX_X|BX_JLE,  NONE, 0,  JCOND, LE,   "jle32",    "<=",   3)  \
  X(JSLT32_K,  BX_JMP32|BX_K|BX_JSLT, NONE, 0,  JCOND, SLT,  "jslt32",   "s<",   3)  \
  X(JSLT32_X,  BX_JMP32|BX_X|BX_JSLT, NONE, 0,  JCOND, SLT,  "jslt32",   "s<",   3)  \
  X(JSLE32_K,  BX_JMP32|BX_K|BX_JSLE, NONE, 0,  JCOND, SLE,  "jsle32",   "s<=",  3)  \
  X(JSLE32_X,  BX_JMP32|BX_X|BX_JSLE, NONE, 0,  JCOND, SLE,  "jsle32",   "s<=",  3)  \
  /* ---- LD: 64-bit immediate and its pseudo forms; legacy packet loads --------- */ \
  X(LDDW,          BX_LD|BX_IMM|BX_DW, SRC, 0, LDDW, IMM64,         "lddw",          "ll", 1) \
  X(LDDW_MAP_FD,   BX_LD|BX_IMM|BX_DW, SRC, 1, LDDW, MAP_FD,        "lddw_map_fd",   "ll", 1) \
  X(LDDW_MAP_VAL,  BX_LD|BX_IMM|BX_DW, SRC, 2, LDDW, MAP_VALUE,     "lddw_map_value","ll", 1) \
  X(LDDW_BTF_ID,   BX_LD|BX_IMM|BX_DW, SRC, 3, LDDW, BTF_ID,        "lddw_btf_id",   "ll", 1) \
  X(LDDW_FUNC,     BX_LD|BX_IMM|BX_DW, SRC, 4, LDDW, FUNC,          "lddw_func",     "ll", 1) \
  X(LDDW_MAP_IDX,  BX_LD|BX_IMM|BX_DW, SRC, 5, LDDW, MAP_IDX,       "lddw_map_idx",  "ll", 1) \
  X(LDDW_MAP_IDXV, BX_LD|BX_IMM|BX_DW, SRC, 6, LDDW, MAP_IDX_VALUE, "lddw_map_idx_value", "ll", 1) \
  X(LDABSW,    BX_LD|BX_ABS|BX_W,     NONE, 0,  LDABS, _,    "ldabsw",   "u32",  1)  \
  X(LDABSH,    BX_LD|BX_ABS|BX_H,     NONE, 0,  LDABS, _,    "ldabsh",   "u16",  1)  \
  X(LDABSB,    BX_LD|BX_ABS|BX_B,     NONE, 0,  LDABS, _,    "ldabsb",   "u8",   1)  \
  X(LDINDW,    BX_LD|BX_IND|BX_W,     NONE, 0,  LDIND, _,    "ldindw",   "u32",  1)  \
  X(LDINDH,    BX_LD|BX_IND|BX_H,     NONE, 0,  LDIND, _,    "ldindh",   "u16",  1)  \
  X(LDINDB,    BX_LD|BX_IND|BX_B,     NONE, 0,  LDIND, _,    "ldindb",   "u8",   1)  \
  /* ---- LDX: loads, zero- or sign-extending ------------------------------------ */ \
  X(LDXW,      BX_LDX|BX_MEM|BX_W,    NONE, 0,  LDX,   _,    "ldxw",     "u32",  1)  \
  X(LDXH,      BX_LDX|BX_MEM|BX_H,    NONE, 0,  LDX,   _,    "ldxh",     "u16",  1)  \
  X(LDXB,      BX_LDX|BX_MEM|BX_B,    NONE, 0,  LDX,   _,    "ldxb",     "u8",   1)  \
  X(LDXDW,     BX_LDX|BX_MEM|BX_DW,   NONE, 0,  LDX,   _,    "ldxdw",    "u64",  1)  \
  X(LDXSW,     BX_LDX|BX_MEMSX|BX_W,  NONE, 0,  LDXSX, _,    "ldxsw",    "s32",  4)  \
  X(LDXSH,     BX_LDX|BX_MEMSX|BX_H,  NONE, 0,  LDXSX, _,    "ldxsh",    "s16",  4)  \
  X(LDXSB,     BX_LDX|BX_MEMSX|BX_B,  NONE, 0,  LDXSX, _,    "ldxsb",    "s8",   4)  \
  /* ---- ST / STX: stores of an immediate or a register ------------------------- */ \
  X(STW,       BX_ST|BX_MEM|BX_W,     NONE, 0,  ST,    _,    "stw",      "u32",  1)  \
  X(STH,       BX_ST|BX_MEM|BX_H,     NONE, 0,  ST,    _,    "sth",      "u16",  1)  \
  X(STB,       BX_ST|BX_MEM|BX_B,     NONE, 0,  ST,    _,    "stb",      "u8",   1)  \
  X(STDW,      BX_ST|BX_MEM|BX_DW,    NONE, 0,  ST,    _,    "stdw",     "u64",  1)  \
  X(STXW,      BX_STX|BX_MEM|BX_W,    NONE, 0,  STX,   _,    "stxw",     "u32",  1)  \
  X(STXH,      BX_STX|BX_MEM|BX_H,    NONE, 0,  STX,   _,    "stxh",     "u16",  1)  \
  X(STXB,      BX_STX|BX_MEM|BX_B,    NONE, 0,  STX,   _,    "stxb",     "u8",   1)  \
  X(STXDW,     BX_STX|BX_MEM|BX_DW,   NONE, 0,  STX,   _,    "stxdw",    "u64",  1)  \
  /* ---- atomics (operation in imm) --------------------------------------------- */ \
  X(AADD32,    BX_STX|BX_ATOMIC|BX_W, IMM, BX_ADD,          AOP,    ADD, "lock add32",       "+=",  1) \
  X(AOR32,     BX_STX|BX_ATOMIC|BX_W, IMM, BX_OR,           AOP,    OR,  "lock or32",        "|=",  3) \
  X(AAND32,    BX_STX|BX_ATOMIC|BX_W, IMM, BX_AND,          AOP,    AND, "lock and32",       "&=",  3) \
  X(AXOR32,    BX_STX|BX_ATOMIC|BX_W, IMM, BX_XOR,          AOP,    XOR, "lock xor32",       "^=",  3) \
  X(AFADD32,   BX_STX|BX_ATOMIC|BX_W, IMM, BX_ADD|BX_FETCH, AFETCH, ADD, "lock fetch add32", "add", 3) \
  X(AFOR32,    BX_STX|BX_ATOMIC|BX_W, IMM, BX_OR|BX_FETCH,  AFETCH, OR,  "lock fetch or32",  "or",  3) \
  X(AFAND32,   BX_STX|BX_ATOMIC|BX_W, IMM, BX_AND|BX_FETCH, AFETCH, AND, "lock fetch and32", "and", 3) \
  X(AFXOR32,   BX_STX|BX_ATOMIC|BX_W, IMM, BX_XOR|BX_FETCH, AFETCH, XOR, "lock fetch xor32", "xor", 3) \
  X(AXCHG32,   BX_STX|BX_ATOMIC|BX_W, IMM, BX_XCHG,         XCHG,   _,   "lock xchg32",      "xchg", 3) \
  X(ACMPXCHG32,BX_STX|BX_ATOMIC|BX_W, IMM, BX_CMPXCHG,      CMPXCHG,_,   "lock cmpxchg32",   "cmpxchg", 3) \
  X(AADD64,    BX_STX|BX_ATOMIC|BX_DW,IMM, BX_ADD,          AOP,    ADD, "lock add",         "+=",  1) \
  X(AOR64,     BX_STX|BX_ATOMIC|BX_DW,IMM, BX_OR,           AOP,    OR,  "lock or",          "|=",  3) \
  X(AAND64,    BX_STX|BX_ATOMIC|BX_DW,IMM, BX_AND,          AOP,    AND, "lock and",         "&=",  3) \
  X(AXOR64,    BX_STX|BX_ATOMIC|BX_DW,IMM, BX_XOR,          AOP,    XOR, "lock xor",         "^=",  3) \
  X(AFADD64,   BX_STX|BX_ATOMIC|BX_DW,IMM, BX_ADD|BX_FETCH, AFETCH, ADD, "lock fetch add",   "add", 3) \
  X(AFOR64,    BX_STX|BX_ATOMIC|BX_DW,IMM, BX_OR|BX_FETCH,  AFETCH, OR,  "lock fetch or",    "or",  3) \
  X(AFAND64,   BX_STX|BX_ATOMIC|BX_DW,IMM, BX_AND|BX_FETCH, AFETCH, AND, "lock fetch and",   "and", 3) \
  X(AFXOR64,   BX_STX|BX_ATOMIC|BX_DW,IMM, BX_XOR|BX_FETCH, AFETCH, XOR, "lock fetch xor",   "xor", 3) \
  X(AXCHG64,   BX_STX|BX_ATOMIC|BX_DW,IMM, BX_XCHG,         XCHG,   _,   "lock xchg",        "xchg", 3) \
  X(ACMPXCHG64,BX_STX|BX_ATOMIC|BX_DW,IMM, BX_CMPXCHG,      CMPXCHG,_,   "lock cmpxchg",     "cmpxchg", 3)

/* Operand shapes (the FMT column). */
#define BX_FMT_LIST(F) \
  F(ALU) F(NEG) F(MOVSX) F(END) F(JA) F(JA32) F(JCOND) F(MAYGOTO) F(CALL) F(CALLX) F(EXIT) \
  F(LDDW) F(LDABS) F(LDIND) F(LDX) F(LDXSX) F(ST) F(STX) F(AOP) F(AFETCH) F(XCHG) F(CMPXCHG)

enum bx_fmt {
#define BX__F(name) BX_F_##name,
  BX_FMT_LIST(BX__F)
#undef BX__F
  BX_F__COUNT
};

/* Which field tells variants of one opcode apart (the MATCH column). */
enum bx_match { BX_M_NONE, BX_M_OFF, BX_M_IMM, BX_M_SRC };

/* BX_OP_<NAME>: index of an instruction in the table. */
enum bx_op {
#define BX__OP(name, ...) BX_OP_##name,
  BX_INSN_MAP(BX__OP)
#undef BX__OP
  BX_OP__COUNT
};

#endif /* BX_INSN_TABLE_H */

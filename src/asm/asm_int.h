/*
 * asm_int.h - internals shared by the assembler's files.
 *
 *   lex.c            cursor helpers: blanks, words, numbers, registers
 *   parse_llvm.c     one statement of the LLVM/kernel syntax
 *   parse_mnemonic.c one statement of the conformance-suite syntax
 *   asm.c            the driver: lines, prefixes, labels, two passes
 *   disasm.c         the disassembler (both syntaxes)
 *
 * Each line is copied into a NUL-terminated buffer (comments and prefixes
 * stripped) and handed to one of the two statement parsers, which fill a
 * struct bxa_stmt: the table row (enum bx_op) and the operand fields. The
 * row's MATCH field (off, imm or src) is filled in by bxa_encode().
 */
#ifndef BXA_ASM_INT_H
#define BXA_ASM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfbox/bpfbox.h"
#include "isa/isa.h"
#include "util/log.h"

#define BXA_MAX_ERRORS 20

/* A label defined in the source. */
struct bxa_label {
	char *name;
	size_t idx;        /* instruction slot it names */
	int line;
};

/* Assembler state for one bpfbox_asm() call. */
struct bxa_ctx {
	const struct bx_log *log;
	const char *file;
	int line;          /* current line, 1-based */
	int pass;          /* 1: collect labels (quiet), 2: encode and report */
	int nerr;          /* errors reported so far */
	bool line_err;     /* an error was reported on this line */
	size_t pc;         /* slot index of the statement being parsed */
	long first_exit;   /* slot of the first exit (-1: none) */
	struct bxa_label *labels;
	size_t nlabels, labels_cap;
};

/* One parsed statement. */
struct bxa_stmt {
	int op;            /* enum bx_op */
	uint8_t dst, src;
	int16_t off;
	int32_t imm;
	int32_t imm2;      /* lddw: imm of the second slot */
};

/* A number as written: sign, magnitude and its text (for messages). */
struct bxa_num {
	bool neg;
	uint64_t mag;
	const char *text;
	int len;
};

/* ---- asm.c ---- */
void bxa_error(struct bxa_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Slot of a label; pass 1 always succeeds with the current pc. Returns -1
 * (after reporting) if undefined in pass 2. */
int bxa_label_lookup(struct bxa_ctx *c, const char *name, size_t *idx);
/* Row matcher: first row with fmt and (when given) llvm text, class,
 * K/X bit and size; -1 if none. Pass NULL / -1 to ignore a criterion. */
int bxa_find_row(int fmt, const char *llvm, int cls, int x, int size);
/* The row with this shape whose MATCH value is mval (call kinds, lddw
 * pseudo forms); -1 if none. */
int bxa_find_mval(int fmt, int32_t mval);
/* Store a pc-relative distance in a 16-bit offset / 32-bit immediate,
 * reporting "jump offset N is out of range". */
int bxa_rel_off16(struct bxa_ctx *c, int64_t rel, int16_t *out);
int bxa_rel_imm32(struct bxa_ctx *c, int64_t rel, int32_t *out);

/* ---- lex.c ---- */
void bxa_skip_ws(const char **p);
bool bxa_is_ident_start(int ch);
bool bxa_is_ident_char(int ch);
/* Skip blanks, then consume `lit` if it is next. */
bool bxa_eat(const char **p, const char *lit);
/* Like bxa_eat, but `word` must not be followed by an identifier char. */
bool bxa_eat_word(const char **p, const char *word);
/* Skip blanks and copy an identifier (letters, digits, _ . $) into buf;
 * 0 if there is none (nothing consumed). Too long: truncated, still consumed. */
size_t bxa_ident(const char **p, char *buf, size_t size);
/* Skip blanks and read [+-] [blanks] (0x<hex> | <decimal>). Returns 0, or -1
 * with nothing consumed if no number is there, or -2 after reporting an
 * overflow. */
int bxa_num(struct bxa_ctx *c, const char **p, struct bxa_num *n);
/* Number conversions; each reports and returns -1 if out of range. */
int bxa_num_imm32(struct bxa_ctx *c, const struct bxa_num *n, int32_t *out);
int bxa_num_off16(struct bxa_ctx *c, const struct bxa_num *n, int16_t *out);
uint64_t bxa_num_u64(const struct bxa_num *n);
bool bxa_num_fits_s32(const struct bxa_num *n);
/* Skip blanks and read a register: [%] (r|w) <0..10>. Returns 0 and sets
 * *reg (and *is_w if non-NULL); -1 if no register is there (nothing
 * consumed); -2 after reporting "invalid register". */
int bxa_reg(struct bxa_ctx *c, const char **p, uint8_t *reg, bool *is_w);
/* Report that something was expected at p. Returns -1. */
int bxa_expected(struct bxa_ctx *c, const char *what, const char *p);
/* Report "unexpected '...' after instruction" unless p is at the end. */
int bxa_expect_end(struct bxa_ctx *c, const char *p);
/* Copy a printable excerpt of s (escaped, truncated) into buf. */
const char *bxa_excerpt(const char *s, char *buf, size_t size);
/* Jump target: [pc] +N / -N, or a label; sets *rel to target-(pc+1). */
int bxa_target(struct bxa_ctx *c, const char **p, int64_t *rel);

/* ---- parsers ---- */
int bxa_parse_llvm(struct bxa_ctx *c, const char *s, struct bxa_stmt *st);
int bxa_parse_mnemonic(struct bxa_ctx *c, const char *s, struct bxa_stmt *st);
/* Does this statement look like the LLVM syntax? (for BPFBOX_SYNTAX_AUTO) */
bool bxa_looks_llvm(const char *s);

/* lddw pseudo forms in the LLVM syntax (shared by parser and printer):
 * "map[fd:3]", "map[fd:3][0]+16", "btf_id[7]", "func[pc+5]", ... */
struct bxa_pseudo {
	uint8_t src;       /* BX_PSEUDO_* */
	bool value;        /* has "[0]+OFF" (offset in the second slot's imm) */
	bool pcrel;        /* "pc+N" inside the brackets */
	const char *head;  /* text up to the number */
};
extern const struct bxa_pseudo bxa_pseudos[];
extern const size_t bxa_npseudos;

/* ---- disasm.c ---- */
/* Memory-size type text of an opcode: "u8", "u16", "u32", "u64". */
const char *bxa_size_type(uint8_t code);

#endif /* BXA_ASM_INT_H */

/*
 * parse_mnemonic.c - one statement of the conformance-suite syntax:
 *
 *   mov32 %r0, 1      ldxw %r0, [%r1+4]      stxdw [%r10-8], %r0
 *   jne %r1, 0, fail  lock fetch add [%r10-8], %r1      call local func1
 *
 * The mnemonic is looked up in bx_ops[].mnem (the longest one that matches
 * whole words, so "lock fetch add32" beats "lock fetch add"); the row's
 * FMT then says which operands follow. Rows that share a mnemonic (add
 * with K or X) are told apart by the second operand.
 */
#include "asm_int.h"

#include <string.h>

/* Other spellings accepted for a table mnemonic. */
static const struct { const char *alias, *mnem; } aliases[] = {
	{ "swap16", "bswap16" }, { "swap32", "bswap32" }, { "swap64", "bswap64" },
};

/* Match mnem at p (one or more blanks where mnem has a space, a word
 * boundary at the end); returns the end, or NULL. */
static const char *match_mnem(const char *p, const char *mnem)
{
	for (; *mnem; mnem++) {
		if (*mnem == ' ') {
			if (*p != ' ' && *p != '\t')
				return NULL;
			bxa_skip_ws(&p);
		} else if (*p++ != *mnem) {
			return NULL;
		}
	}
	return bxa_is_ident_char((unsigned char)*p) ? NULL : p;
}

/* The row with the longest mnemonic that matches at *p; advances *p. */
static int lookup_mnem(const char **p)
{
	const char *best_end = NULL;
	size_t best_len = 0;
	int best = -1;

	for (int op = 0; op < BX_OP__COUNT; op++) {
		const char *e = match_mnem(*p, bx_ops[op].mnem);
		size_t len = strlen(bx_ops[op].mnem);
		if (e && len > best_len) {
			best = op;
			best_len = len;
			best_end = e;
		}
	}
	for (size_t i = 0; best < 0 && i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		const char *e = match_mnem(*p, aliases[i].alias);
		if (!e)
			continue;
		for (int op = 0; op < BX_OP__COUNT; op++)
			if (strcmp(bx_ops[op].mnem, aliases[i].mnem) == 0) {
				best = op;
				best_end = e;
				break;
			}
	}
	if (best >= 0)
		*p = best_end;
	return best;
}

/* Among the rows named like `op`, the one with the K/X bit x. */
static int with_src(int op, int x)
{
	for (int i = 0; i < BX_OP__COUNT; i++)
		if (strcmp(bx_ops[i].mnem, bx_ops[op].mnem) == 0 &&
		    bx_ops[i].fmt == bx_ops[op].fmt && (BX_SRC(bx_ops[i].code) != 0) == (x != 0))
			return i;
	return -1;
}

/* A register that must be there. */
static int need_reg(struct bxa_ctx *c, const char **p, uint8_t *reg)
{
	int r = bxa_reg(c, p, reg, NULL);

	if (r == -1)
		return bxa_expected(c, "a register", *p);
	return r ? -1 : 0;
}

/* A comma between operands. */
static int comma(struct bxa_ctx *c, const char **p)
{
	return bxa_eat(p, ",") ? 0 : bxa_expected(c, "','", *p);
}

/* An immediate that must be there, as 32 bits. */
static int need_imm32(struct bxa_ctx *c, const char **p, int32_t *out)
{
	struct bxa_num n;
	int r = bxa_num(c, p, &n);

	if (r == -1)
		return bxa_expected(c, "an immediate", *p);
	return r ? -1 : bxa_num_imm32(c, &n, out);
}

/* [%rB], [%rB+off], [%rB-off] */
static int memop(struct bxa_ctx *c, const char **p, uint8_t *base, int16_t *off)
{
	struct bxa_num n;
	int r;

	if (!bxa_eat(p, "["))
		return bxa_expected(c, "'['", *p);
	if (need_reg(c, p, base))
		return -1;
	*off = 0;
	r = bxa_num(c, p, &n);
	if (r == -2)
		return -1;
	if (r == 0) {
		if (n.text[0] != '+' && n.text[0] != '-')
			return bxa_expected(c, "'+' or '-'", n.text);
		if (bxa_num_off16(c, &n, off))
			return -1;
	}
	if (!bxa_eat(p, "]"))
		return bxa_expected(c, "']'", *p);
	return 0;
}

/* Register or immediate; returns the K/X bit or -1. */
static int reg_or_imm(struct bxa_ctx *c, const char **p, uint8_t *reg, int32_t *imm)
{
	struct bxa_num n;
	int r = bxa_reg(c, p, reg, NULL);

	if (r == 0)
		return 1;
	if (r == -2)
		return -1;
	r = bxa_num(c, p, &n);
	if (r == -1)
		return bxa_expected(c, "a register or an immediate", *p);
	if (r || bxa_num_imm32(c, &n, imm))
		return -1;
	return 0;
}

/* lddw and its pseudo forms: %rD, imm64 | %rD, imm [, imm2] | %rD, target */
static int parse_lddw(struct bxa_ctx *c, const char **p, struct bxa_stmt *st)
{
	const struct bx_opinfo *o = &bx_ops[st->op];
	struct bxa_num n;
	int64_t rel;
	int r;

	if (need_reg(c, p, &st->dst) || comma(c, p))
		return -1;
	if (o->mval == BX_PSEUDO_NONE) {
		r = bxa_num(c, p, &n);
		if (r == -1)
			return bxa_expected(c, "a 64-bit immediate", *p);
		if (r)
			return -1;
		uint64_t v = bxa_num_u64(&n);
		st->imm = (int32_t)(uint32_t)v;
		st->imm2 = (int32_t)(uint32_t)(v >> 32);
		return 0;
	}
	for (size_t i = 0; i < bxa_npseudos; i++) {
		const struct bxa_pseudo *ps = &bxa_pseudos[i];
		if (ps->src != o->mval)
			continue;
		if (ps->pcrel)
			return bxa_target(c, p, &rel) || bxa_rel_imm32(c, rel, &st->imm) ? -1 : 0;
		if (need_imm32(c, p, &st->imm))
			return -1;
		/* map value forms: the offset into the value, in the second slot */
		if (ps->value && bxa_eat(p, ","))
			return need_imm32(c, p, &st->imm2);
		return 0;
	}
	return -1;
}

/*
 * bxa_parse_mnemonic - parse one conformance-syntax statement into st.
 */
int bxa_parse_mnemonic(struct bxa_ctx *c, const char *s, struct bxa_stmt *st)
{
	const char *p = s;
	int64_t rel;
	int x, err = 0;

	bxa_skip_ws(&p);
	st->op = lookup_mnem(&p);
	if (st->op < 0) {
		char word[64];
		const char *q = p;
		if (!bxa_ident(&q, word, sizeof(word)))
			bxa_excerpt(p, word, sizeof(word));
		bxa_error(c, "unknown instruction '%s'", word);
		return -1;
	}
	switch (bx_ops[st->op].fmt) {
	case BX_F_ALU:
		if (need_reg(c, &p, &st->dst) || comma(c, &p))
			return -1;
		if ((x = reg_or_imm(c, &p, &st->src, &st->imm)) < 0)
			return -1;
		st->op = with_src(st->op, x);
		break;
	case BX_F_NEG:
	case BX_F_END:
	case BX_F_CALLX:
		err = need_reg(c, &p, &st->dst);
		break;
	case BX_F_MOVSX:
		err = need_reg(c, &p, &st->dst) || comma(c, &p) || need_reg(c, &p, &st->src);
		break;
	case BX_F_JA:
	case BX_F_MAYGOTO:
		err = bxa_target(c, &p, &rel) || bxa_rel_off16(c, rel, &st->off);
		break;
	case BX_F_JA32:
		err = bxa_target(c, &p, &rel) || bxa_rel_imm32(c, rel, &st->imm);
		break;
	case BX_F_JCOND:
		if (need_reg(c, &p, &st->dst) || comma(c, &p))
			return -1;
		if ((x = reg_or_imm(c, &p, &st->src, &st->imm)) < 0 || comma(c, &p))
			return -1;
		st->op = with_src(st->op, x);
		err = bxa_target(c, &p, &rel) || bxa_rel_off16(c, rel, &st->off);
		break;
	case BX_F_CALL:
		if (bx_ops[st->op].mval == BX_CALL_LOCAL) {
			err = bxa_target(c, &p, &rel) || bxa_rel_imm32(c, rel, &st->imm);
		} else if (bx_ops[st->op].mval == BX_CALL_KFUNC) {
			err = need_imm32(c, &p, &st->imm);
			if (!err && bxa_eat(&p, ",")) {
				struct bxa_num n;
				int r = bxa_num(c, &p, &n);
				err = r == -1 ? bxa_expected(c, "an offset", p) :
				      r ? -1 : bxa_num_off16(c, &n, &st->off);
			}
		} else {
			/* "call %r2" is callx */
			x = bxa_reg(c, &p, &st->dst, NULL);
			if (x == 0)
				st->op = bxa_find_row(BX_F_CALLX, NULL, -1, -1, -1);
			else
				err = x == -2 ? -1 : need_imm32(c, &p, &st->imm);
		}
		break;
	case BX_F_EXIT:
		break;
	case BX_F_LDDW:
		err = parse_lddw(c, &p, st);
		break;
	case BX_F_LDABS:
		err = need_imm32(c, &p, &st->imm);
		break;
	case BX_F_LDIND:
		err = need_reg(c, &p, &st->src) || comma(c, &p) || need_imm32(c, &p, &st->imm);
		break;
	case BX_F_LDX:
	case BX_F_LDXSX:
		err = need_reg(c, &p, &st->dst) || comma(c, &p) || memop(c, &p, &st->src, &st->off);
		break;
	case BX_F_ST:
		err = memop(c, &p, &st->dst, &st->off) || comma(c, &p) || need_imm32(c, &p, &st->imm);
		break;
	default: /* STX and the atomics: [%rB+off], %rS */
		err = memop(c, &p, &st->dst, &st->off) || comma(c, &p) || need_reg(c, &p, &st->src);
		break;
	}
	if (err || st->op < 0)
		return -1;
	return bxa_expect_end(c, p);
}

/*
 * parse_llvm.c - one statement of the LLVM / kernel-verifier-log syntax.
 *
 * The statement's shape gives the operand format (FMT): "rD op= x" is ALU,
 * "if ... goto" is JCOND, "*(T *)(rB + off) = x" is ST/STX, and so on. The
 * row is then looked up in bx_ops[] by FMT plus the LLVM text (operator,
 * type or function name), the class (r or w registers), the K/X bit and
 * the access size; nothing here lists opcodes.
 */
#include "asm_int.h"

#include <string.h>

/* Report that no row matches, naming the LLVM text. */
static int no_row(struct bxa_ctx *c, const char *what, const char *text)
{
	bxa_error(c, "unknown %s '%s'", what, text);
	return -1;
}

/* Access size code (BX_W/H/B/DW) of a type name: u8..u64, s8..s64. */
static int type_size(const char *t)
{
	static const struct { const char *n; int size; } sizes[] = {
		{ "8", BX_B }, { "16", BX_H }, { "32", BX_W }, { "64", BX_DW },
	};

	if (t[0] != 'u' && t[0] != 's')
		return -1;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (strcmp(t + 1, sizes[i].n) == 0)
			return sizes[i].size;
	return -1;
}

/* "(T *)" : copy the type name. */
static int type_cast(struct bxa_ctx *c, const char **p, char *type, size_t size)
{
	const char *q;

	if (!bxa_eat(p, "("))
		return bxa_expected(c, "'('", *p);
	q = *p;
	if (!bxa_ident(&q, type, size) || type_size(type) < 0)
		return bxa_expected(c, "a type (u8, u16, u32, u64)", *p);
	*p = q;
	if (!bxa_eat(p, "*") || !bxa_eat(p, ")"))
		return bxa_expected(c, "'*)'", *p);
	return 0;
}

/* "rB + off" / "rB -8" / "rB" without parentheses. */
static int base_off(struct bxa_ctx *c, const char **p, uint8_t *base, int16_t *off)
{
	struct bxa_num n;
	int r;

	if ((r = bxa_reg(c, p, base, NULL)))
		return r == -1 ? bxa_expected(c, "a base register", *p) : -1;
	*off = 0;
	r = bxa_num(c, p, &n);
	if (r == -2)
		return -1;
	if (r == 0) {
		if (n.text[0] != '+' && n.text[0] != '-')
			return bxa_expected(c, "'+' or '-'", n.text);
		return bxa_num_off16(c, &n, off);
	}
	return 0;
}

/* "(rB + off)" */
static int memref(struct bxa_ctx *c, const char **p, uint8_t *base, int16_t *off)
{
	if (!bxa_eat(p, "("))
		return bxa_expected(c, "'('", *p);
	if (base_off(c, p, base, off))
		return -1;
	if (!bxa_eat(p, ")"))
		return bxa_expected(c, "')'", *p);
	return 0;
}

/* A register operand that must be there. */
static int need_reg(struct bxa_ctx *c, const char **p, uint8_t *reg, bool *is_w)
{
	int r = bxa_reg(c, p, reg, is_w);

	if (r == -1)
		return bxa_expected(c, "a register", *p);
	return r ? -1 : 0;
}

/* Operator text: an optional leading 's', then chars of `set`, up to and
 * including the first '=' when stop_at_eq. */
static size_t operator(const char **p, const char *set, bool stop_at_eq, char *buf, size_t size)
{
	const char *q = *p;
	size_t n = 0;

	bxa_skip_ws(&q);
	if (*q == 's' && q[1] && strchr(set, q[1]))
		buf[n++] = *q++;
	while (*q && strchr(set, *q) && n + 1 < size) {
		buf[n++] = *q;
		if (stop_at_eq && *q++ == '=')
			break;
		if (!stop_at_eq)
			q++;
	}
	buf[n] = '\0';
	if (n == 0 || (n == 1 && buf[0] == 's'))
		return 0;
	*p = q;
	return n;
}

/* Register or immediate second operand; sets *x. */
static int reg_or_imm(struct bxa_ctx *c, const char **p, struct bxa_stmt *st, int *x)
{
	struct bxa_num n;
	int r = bxa_reg(c, p, &st->src, NULL);

	if (r == 0) {
		*x = 1;
		return 0;
	}
	if (r == -2)
		return -1;
	*x = 0;
	r = bxa_num(c, p, &n);
	if (r == -1)
		return bxa_expected(c, "a register or an immediate", *p);
	if (r)
		return -1;
	return bxa_num_imm32(c, &n, &st->imm);
}

/* call N | call name#N | call pc+N | call kfunc:ID[:OFF] | call label */
static int parse_call(struct bxa_ctx *c, const char *p, struct bxa_stmt *st)
{
	struct bxa_num n;
	char name[128];
	const char *q;
	int64_t rel;
	int r;

	bxa_skip_ws(&p);
	if (p[0] == 'p' && p[1] == 'c' && (p[2] == '+' || p[2] == '-')) {
		st->op = bxa_find_mval(BX_F_CALL, BX_CALL_LOCAL);
		if (bxa_target(c, &p, &rel) || bxa_rel_imm32(c, rel, &st->imm))
			return -1;
		return bxa_expect_end(c, p);
	}
	q = p;
	if (bxa_eat_word(&q, "kfunc") && bxa_eat(&q, ":")) {
		st->op = bxa_find_mval(BX_F_CALL, BX_CALL_KFUNC);
		if ((r = bxa_num(c, &q, &n)))
			return r == -1 ? bxa_expected(c, "a BTF id", q) : -1;
		if (bxa_num_imm32(c, &n, &st->imm))
			return -1;
		if (bxa_eat(&q, ":")) {
			if ((r = bxa_num(c, &q, &n)))
				return r == -1 ? bxa_expected(c, "an offset", q) : -1;
			if (bxa_num_off16(c, &n, &st->off))
				return -1;
		}
		return bxa_expect_end(c, q);
	}
	q = p;
	if (bxa_ident(&q, name, sizeof(name))) {
		if (*q == '#') {        /* kernel log: helper name#id */
			q++;
			p = q;
		} else {                /* local call to a label */
			st->op = bxa_find_mval(BX_F_CALL, BX_CALL_LOCAL);
			if (bxa_target(c, &p, &rel) || bxa_rel_imm32(c, rel, &st->imm))
				return -1;
			return bxa_expect_end(c, p);
		}
	}
	st->op = bxa_find_mval(BX_F_CALL, BX_CALL_HELPER);
	if ((r = bxa_num(c, &p, &n)))
		return r == -1 ? bxa_expected(c, "a helper id", p) : -1;
	if (bxa_num_imm32(c, &n, &st->imm))
		return -1;
	bxa_skip_ws(&p);
	if (*p == '<' && strchr(p, '>'))   /* objdump annotation */
		p = strchr(p, '>') + 1;
	return bxa_expect_end(c, p);
}

/* if rD OP (rS|imm) goto target */
static int parse_jcond(struct bxa_ctx *c, const char *p, struct bxa_stmt *st)
{
	char opt[8];
	bool w;
	int x;
	int64_t rel;

	if (need_reg(c, &p, &st->dst, &w))
		return -1;
	if (!operator(&p, "<>=!&", false, opt, sizeof(opt)))
		return bxa_expected(c, "a comparison", p);
	if (reg_or_imm(c, &p, st, &x))
		return -1;
	st->op = bxa_find_row(BX_F_JCOND, opt, w ? BX_JMP32 : BX_JMP, x, -1);
	if (st->op < 0)
		return no_row(c, "comparison", opt);
	if (!bxa_eat_word(&p, "goto"))
		return bxa_expected(c, "'goto'", p);
	if (bxa_target(c, &p, &rel) || bxa_rel_off16(c, rel, &st->off))
		return -1;
	return bxa_expect_end(c, p);
}

/* lock *(T *)(rB + off) OP= rS */
static int parse_lock(struct bxa_ctx *c, const char *p, struct bxa_stmt *st)
{
	char type[16], opt[8];

	if (!bxa_eat(&p, "*"))
		return bxa_expected(c, "'*('", p);
	if (type_cast(c, &p, type, sizeof(type)) || memref(c, &p, &st->dst, &st->off))
		return -1;
	if (!operator(&p, "|&^+-=", true, opt, sizeof(opt)))
		return bxa_expected(c, "an operator (+=, |=, &=, ^=)", p);
	if (need_reg(c, &p, &st->src, NULL))
		return -1;
	st->op = bxa_find_row(BX_F_AOP, opt, BX_STX, -1, type_size(type));
	if (st->op < 0)
		return no_row(c, "atomic operation", opt);
	return bxa_expect_end(c, p);
}

/* *(T *)(rB + off) = (rS|imm) */
static int parse_store(struct bxa_ctx *c, const char *p, struct bxa_stmt *st)
{
	char type[16];
	int x;

	p++; /* '*' */
	if (type_cast(c, &p, type, sizeof(type)) || memref(c, &p, &st->dst, &st->off))
		return -1;
	if (!bxa_eat(&p, "="))
		return bxa_expected(c, "'='", p);
	if (reg_or_imm(c, &p, st, &x))
		return -1;
	st->op = bxa_find_row(x ? BX_F_STX : BX_F_ST, type, -1, -1, -1);
	if (st->op < 0)
		return no_row(c, "store type", type);
	return bxa_expect_end(c, p);
}

/* rD = *(T *)(rS + off) | rD = *(T *)skb[imm] | rD = *(T *)skb[rS + imm] */
static int parse_load(struct bxa_ctx *c, const char *p, struct bxa_stmt *st)
{
	char type[16];

	if (type_cast(c, &p, type, sizeof(type)))
		return -1;
	if (bxa_eat(&p, "skb[")) {
		struct bxa_num n;
		int r = bxa_reg(c, &p, &st->src, NULL);
		if (r == -2)
			return -1;
		st->op = bxa_find_row(r == 0 ? BX_F_LDIND : BX_F_LDABS, type, -1, -1, -1);
		if (st->op < 0)
			return no_row(c, "load type", type);
		r = bxa_num(c, &p, &n);
		if (r == -2)
			return -1;
		if (r == 0 && bxa_num_imm32(c, &n, &st->imm))
			return -1;
		if (r == -1 && bx_ops[st->op].fmt == BX_F_LDABS)
			return bxa_expected(c, "an offset", p);
		if (!bxa_eat(&p, "]"))
			return bxa_expected(c, "']'", p);
		return bxa_expect_end(c, p);
	}
	if (memref(c, &p, &st->src, &st->off))
		return -1;
	st->op = bxa_find_row(BX_F_LDX, type, -1, -1, -1);
	if (st->op < 0)
		st->op = bxa_find_row(BX_F_LDXSX, type, -1, -1, -1);
	if (st->op < 0)
		return no_row(c, "load type", type);
	return bxa_expect_end(c, p);
}

/* rD = map[fd:N] | map[fd:N][0]+OFF | btf_id[N] | func[pc+N] | ... [ll] */
static int parse_pseudo(struct bxa_ctx *c, const char *p, struct bxa_stmt *st, bool *matched)
{
	for (size_t i = 0; i < bxa_npseudos; i++) {
		const struct bxa_pseudo *ps = &bxa_pseudos[i];
		const char *q = p;
		struct bxa_num n;
		int64_t rel;
		bool value = false;
		int r;

		if (!bxa_eat(&q, ps->head))
			continue;
		*matched = true;
		if (ps->pcrel) {
			if (bxa_target(c, &q, &rel) || bxa_rel_imm32(c, rel, &st->imm))
				return -1;
		} else {
			if ((r = bxa_num(c, &q, &n)))
				return r == -1 ? bxa_expected(c, "a number", q) : -1;
			if (bxa_num_imm32(c, &n, &st->imm))
				return -1;
		}
		if (!bxa_eat(&q, "]"))
			return bxa_expected(c, "']'", q);
		if (bxa_eat(&q, "[")) {
			if (!bxa_eat(&q, "0") || !bxa_eat(&q, "]"))
				return bxa_expected(c, "'[0]'", q);
			if ((r = bxa_num(c, &q, &n)))
				return r == -1 ? bxa_expected(c, "'+OFFSET'", q) : -1;
			if (bxa_num_imm32(c, &n, &st->imm2))
				return -1;
			value = true;
		}
		/* the row: the pseudo form with this head and value-ness */
		for (size_t j = 0; j < bxa_npseudos; j++)
			if (strcmp(bxa_pseudos[j].head, ps->head) == 0 && bxa_pseudos[j].value == value)
				st->op = bxa_find_mval(BX_F_LDDW, bxa_pseudos[j].src);
		if (st->op < 0)
			return bxa_expected(c, "no '[0]+OFFSET' for this form", q);
		bxa_eat_word(&q, "ll");
		return bxa_expect_end(c, q);
	}
	return 0;
}

/*
 * parse_atomic_call - rD = NAME(args): the fetch/xchg/cmpxchg forms of
 * new LLVM (atomic_fetch_add((u64 *)(r1 + 0), r0), xchg_64(r1 + 0, r0),
 * cmpxchg32_32(r1 + 0, w0, w2)) and of the kernel log (atomic64_fetch_add,
 * atomic64_xchg, atomic64_cmpxchg).
 */
static int parse_atomic_call(struct bxa_ctx *c, const char *p, const char *name,
			     uint8_t lhs, bool lhs_w, struct bxa_stmt *st)
{
	char type[16];
	const char *op = name;
	size_t len;
	int size = -1, fmt;
	uint8_t r0, r1;

	if (strncmp(op, "atomic64_", 9) == 0) {
		op += 9;
		size = BX_DW;
	} else if (strncmp(op, "atomic_", 7) == 0) {
		op += 7;
	}
	char base[32];
	len = strlen(op);
	if (len >= sizeof(base))
		return -1;
	memcpy(base, op, len + 1);
	if (len > 5 && strcmp(base + len - 5, "32_32") == 0) {
		base[len - 5] = '\0';
		size = BX_W;
	} else if (len > 3 && strcmp(base + len - 3, "_64") == 0) {
		base[len - 3] = '\0';
		size = BX_DW;
	}
	if (strncmp(base, "fetch_", 6) == 0) {
		fmt = BX_F_AFETCH;
		memmove(base, base + 6, strlen(base + 6) + 1);
	} else if (strcmp(base, bx_ops[BX_OP_AXCHG64].llvm) == 0) {
		fmt = BX_F_XCHG;
	} else if (strcmp(base, bx_ops[BX_OP_ACMPXCHG64].llvm) == 0) {
		fmt = BX_F_CMPXCHG;
	} else {
		return -1;
	}
	if (!bxa_eat(&p, "("))
		return -1;
	bxa_skip_ws(&p);
	if (p[0] == '(') {
		if (type_cast(c, &p, type, sizeof(type)) || memref(c, &p, &st->dst, &st->off))
			return -1;
		size = type_size(type);
	} else if (base_off(c, &p, &st->dst, &st->off)) {
		return -1;
	}
	if (size < 0)
		size = lhs_w ? BX_W : BX_DW;
	if (!bxa_eat(&p, ",") || need_reg(c, &p, &r0, NULL))
		return c->line_err ? -1 : bxa_expected(c, "', register'", p);
	if (fmt == BX_F_CMPXCHG) {
		if (!bxa_eat(&p, ",") || need_reg(c, &p, &r1, NULL))
			return c->line_err ? -1 : bxa_expected(c, "', register'", p);
		if (lhs != 0 || r0 != 0) {
			bxa_error(c, "cmpxchg compares and returns r0 (write r0 = %s(..., r0, rS))", name);
			return -1;
		}
		st->src = r1;
	} else {
		if (lhs != r0) {
			bxa_error(c, "%s returns the old value in its operand register r%u, not r%u",
				  name, r0, lhs);
			return -1;
		}
		st->src = r0;
	}
	if (!bxa_eat(&p, ")"))
		return bxa_expected(c, "')'", p);
	st->op = bxa_find_row(fmt, base, BX_STX, -1, size);
	if (st->op < 0)
		return no_row(c, "atomic operation", name);
	return bxa_expect_end(c, p);
}

/* rD = ... (every form whose operator is a plain '=') */
static int parse_assign(struct bxa_ctx *c, const char *p, uint8_t dst, bool w, struct bxa_stmt *st)
{
	int cls = w ? BX_ALU : BX_ALU64;
	char word[64];
	struct bxa_num n;
	const char *q;
	uint8_t reg;
	bool matched = false;
	int r;

	st->dst = dst;
	bxa_skip_ws(&p);
	/* -rD: neg */
	q = p;
	if (bxa_eat(&q, "-") && bxa_reg(c, &q, &reg, NULL) == 0) {
		if (reg != dst) {
			bxa_error(c, "negation must use the destination register (r%u = -r%u)", dst, dst);
			return -1;
		}
		st->op = bxa_find_row(BX_F_NEG, NULL, cls, -1, -1);
		return bxa_expect_end(c, q);
	}
	if (c->line_err)
		return -1;
	/* *(T *)...: loads */
	if (p[0] == '*')
		return parse_load(c, p + 1, st);
	/* (sN)rS: sign-extending move */
	if (p[0] == '(') {
		q = p + 1;
		if (!bxa_ident(&q, word, sizeof(word)) || !bxa_eat(&q, ")"))
			return bxa_expected(c, "'(s8)', '(s16)' or '(s32)'", p);
		if (need_reg(c, &q, &st->src, NULL))
			return -1;
		st->op = bxa_find_row(BX_F_MOVSX, word, cls, -1, -1);
		if (st->op < 0)
			return no_row(c, "sign extension", word);
		return bxa_expect_end(c, q);
	}
	/* lddw pseudo forms */
	if ((r = parse_pseudo(c, p, st, &matched)) || matched)
		return r;
	/* rS: mov */
	q = p;
	r = bxa_reg(c, &q, &st->src, NULL);
	if (r == -2)
		return -1;
	if (r == 0) {
		st->op = bxa_find_row(BX_F_ALU, "=", cls, 1, -1);
		return bxa_expect_end(c, q);
	}
	/* be16 rD, bswap64 rD, NAME(...) */
	q = p;
	if (bxa_ident(&q, word, sizeof(word))) {
		bxa_skip_ws(&q);
		if (*q == '(') {
			if (parse_atomic_call(c, q, word, dst, w, st) == 0)
				return 0;
			if (!c->line_err)
				bxa_error(c, "unknown atomic operation '%s'", word);
			return -1;
		}
		st->op = bxa_find_row(BX_F_END, word, -1, -1, -1);
		if (st->op < 0)
			return no_row(c, "operation", word);
		if (need_reg(c, &q, &reg, NULL))
			return -1;
		if (reg != dst) {
			bxa_error(c, "%s must use the destination register (r%u = %s r%u)", word,
				  dst, word, dst);
			return -1;
		}
		return bxa_expect_end(c, q);
	}
	/* imm [ll]: mov or lddw */
	r = bxa_num(c, &p, &n);
	if (r == -1)
		return bxa_expected(c, "a register, an immediate or a load", p);
	if (r)
		return -1;
	q = p;
	if (bxa_eat_word(&q, "ll") || (!w && !bxa_num_fits_s32(&n))) {
		uint64_t v = bxa_num_u64(&n);
		if (w) {
			bxa_error(c, "a 64-bit load (ll) needs an r register");
			return -1;
		}
		st->op = bxa_find_mval(BX_F_LDDW, BX_PSEUDO_NONE);
		st->imm = (int32_t)(uint32_t)v;
		st->imm2 = (int32_t)(uint32_t)(v >> 32);
		return bxa_expect_end(c, q);
	}
	st->op = bxa_find_row(BX_F_ALU, "=", cls, 0, -1);
	if (bxa_num_imm32(c, &n, &st->imm))
		return -1;
	return bxa_expect_end(c, p);
}

/*
 * bxa_parse_llvm - parse one LLVM-syntax statement into st.
 */
int bxa_parse_llvm(struct bxa_ctx *c, const char *s, struct bxa_stmt *st)
{
	const char *p = s;
	char opt[8];
	int64_t rel;
	uint8_t dst;
	bool w;
	int x, r;

	bxa_skip_ws(&p);
	if (bxa_eat_word(&p, "exit")) {
		st->op = bxa_find_row(BX_F_EXIT, NULL, -1, -1, -1);
		return bxa_expect_end(c, p);
	}
	if (bxa_eat_word(&p, "callx")) {
		st->op = bxa_find_row(BX_F_CALLX, NULL, -1, -1, -1);
		if (need_reg(c, &p, &st->dst, NULL))
			return -1;
		return bxa_expect_end(c, p);
	}
	if (bxa_eat_word(&p, "call"))
		return parse_call(c, p, st);
	if (bxa_eat_word(&p, "gotol")) {
		st->op = bxa_find_row(BX_F_JA32, NULL, -1, -1, -1);
		if (bxa_target(c, &p, &rel) || bxa_rel_imm32(c, rel, &st->imm))
			return -1;
		return bxa_expect_end(c, p);
	}
	if (bxa_eat_word(&p, "may_goto")) {
		st->op = bxa_find_row(BX_F_MAYGOTO, NULL, -1, -1, -1);
		if (bxa_target(c, &p, &rel) || bxa_rel_off16(c, rel, &st->off))
			return -1;
		return bxa_expect_end(c, p);
	}
	if (bxa_eat_word(&p, "goto")) {
		st->op = bxa_find_row(BX_F_JA, NULL, -1, -1, -1);
		if (bxa_target(c, &p, &rel) || bxa_rel_off16(c, rel, &st->off))
			return -1;
		return bxa_expect_end(c, p);
	}
	if (bxa_eat_word(&p, "if"))
		return parse_jcond(c, p, st);
	if (bxa_eat_word(&p, "lock"))
		return parse_lock(c, p, st);
	if (*p == '*')
		return parse_store(c, p, st);
	r = bxa_reg(c, &p, &dst, &w);
	if (r == -2)
		return -1;
	if (r == -1) {
		char buf[64];
		bxa_error(c, "invalid instruction '%s'", bxa_excerpt(s, buf, sizeof(buf)));
		return -1;
	}
	if (!operator(&p, "<>=+-*/%&|^", true, opt, sizeof(opt)) || opt[strlen(opt) - 1] != '=')
		return bxa_expected(c, "an assignment operator (=, +=, ...)", p);
	if (strcmp(opt, "=") == 0)
		return parse_assign(c, p, dst, w, st);
	st->dst = dst;
	if (reg_or_imm(c, &p, st, &x))
		return -1;
	st->op = bxa_find_row(BX_F_ALU, opt, w ? BX_ALU : BX_ALU64, x, -1);
	if (st->op < 0)
		return no_row(c, "operator", opt);
	return bxa_expect_end(c, p);
}

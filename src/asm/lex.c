/*
 * lex.c - the assembler's cursor helpers: blanks, words, numbers,
 * registers, jump targets, and excerpts of source text for messages.
 *
 * Every helper works on a NUL-terminated statement through a
 * `const char **p` cursor and consumes nothing when it does not match.
 */
#include "asm_int.h"

#include <stdio.h>
#include <string.h>

/* Skip spaces and tabs (and any other blank control characters). */
void bxa_skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\v' || **p == '\f')
		(*p)++;
}

/* First character of an identifier. */
bool bxa_is_ident_start(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
	       ch == '.' || ch == '$';
}

/* Any later character of an identifier. */
bool bxa_is_ident_char(int ch)
{
	return bxa_is_ident_start(ch) || (ch >= '0' && ch <= '9');
}

/* Skip blanks, then consume the literal text `lit` if it comes next. */
bool bxa_eat(const char **p, const char *lit)
{
	const char *q = *p;
	size_t n = strlen(lit);

	bxa_skip_ws(&q);
	if (strncmp(q, lit, n) != 0)
		return false;
	*p = q + n;
	return true;
}

/* Consume `word` if it is next and is a whole word. */
bool bxa_eat_word(const char **p, const char *word)
{
	const char *q = *p;

	if (!bxa_eat(&q, word) || bxa_is_ident_char((unsigned char)*q))
		return false;
	*p = q;
	return true;
}

/* Read an identifier into buf (truncated to size-1 chars). */
size_t bxa_ident(const char **p, char *buf, size_t size)
{
	const char *q = *p;
	size_t n = 0;

	bxa_skip_ws(&q);
	if (!bxa_is_ident_start((unsigned char)*q))
		return 0;
	while (bxa_is_ident_char((unsigned char)*q)) {
		if (n + 1 < size)
			buf[n] = *q;
		n++;
		q++;
	}
	if (size)
		buf[n < size ? n : size - 1] = '\0';
	*p = q;
	return n;
}

/* Value of one hex digit, or -1. */
static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * bxa_num - [+|-] [blanks] (0x<hex> | <decimal>), magnitude up to 2^64-1.
 * A number must not run into an identifier character ("12ab").
 */
int bxa_num(struct bxa_ctx *c, const char **p, struct bxa_num *n)
{
	const char *q = *p, *start;
	uint64_t mag = 0;
	bool neg = false, ovf = false;
	int base = 10, digits = 0;
	char buf[64];

	bxa_skip_ws(&q);
	start = q;
	if (*q == '+' || *q == '-') {
		neg = *q == '-';
		q++;
		bxa_skip_ws(&q);
	}
	if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X') && hexval((unsigned char)q[2]) >= 0) {
		base = 16;
		q += 2;
	}
	for (int d; (d = hexval((unsigned char)*q)) >= 0 && d < base; q++, digits++) {
		if (mag > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			ovf = true;
		mag = mag * (uint64_t)base + (uint64_t)d;
	}
	if (!digits || bxa_is_ident_char((unsigned char)*q))
		return -1;
	n->neg = neg && mag != 0;
	n->mag = mag;
	n->text = start;
	n->len = (int)(q - start);
	*p = q;
	if (ovf) {
		bxa_error(c, "number %s does not fit in 64 bits",
			  bxa_excerpt(start, buf, (size_t)(q - start) + 1 < sizeof(buf) ?
				      (size_t)(q - start) + 1 : sizeof(buf)));
		return -2;
	}
	return 0;
}

/* The number's text without blanks ("- 8" -> "-8"), for messages. */
static const char *numtext(const struct bxa_num *n, char *buf, size_t size)
{
	size_t o = 0;

	for (int i = 0; i < n->len && o + 1 < size; i++)
		if (n->text[i] != ' ' && n->text[i] != '\t')
			buf[o++] = n->text[i];
	buf[o] = '\0';
	return buf;
}

/* Accept [-2^31, 2^32) and keep the low 32 bits. */
int bxa_num_imm32(struct bxa_ctx *c, const struct bxa_num *n, int32_t *out)
{
	char buf[48];

	if (n->neg ? n->mag <= 0x80000000ull : n->mag <= 0xffffffffull) {
		uint32_t v = (uint32_t)n->mag;
		*out = (int32_t)(n->neg ? 0u - v : v);
		return 0;
	}
	bxa_error(c, "immediate %s does not fit in 32 bits", numtext(n, buf, sizeof(buf)));
	return -1;
}

/* Accept [-32768, 32767]. */
int bxa_num_off16(struct bxa_ctx *c, const struct bxa_num *n, int16_t *out)
{
	char buf[48];

	if (n->neg ? n->mag <= 0x8000u : n->mag <= 0x7fffu) {
		*out = (int16_t)(n->neg ? -(int32_t)n->mag : (int32_t)n->mag);
		return 0;
	}
	bxa_error(c, "offset %s does not fit in 16 bits", numtext(n, buf, sizeof(buf)));
	return -1;
}

/* Two's complement 64-bit value (wraps for magnitudes beyond 2^63). */
uint64_t bxa_num_u64(const struct bxa_num *n)
{
	return n->neg ? 0 - n->mag : n->mag;
}

/* Is the value in [-2^31, 2^31)? */
bool bxa_num_fits_s32(const struct bxa_num *n)
{
	return n->neg ? n->mag <= 0x80000000ull : n->mag <= 0x7fffffffull;
}

/* [%] (r|w) digits, a whole word; r0..r10 only. */
int bxa_reg(struct bxa_ctx *c, const char **p, uint8_t *reg, bool *is_w)
{
	const char *q = *p, *start;
	unsigned long v = 0;
	int digits = 0;
	bool w;

	bxa_skip_ws(&q);
	if (*q == '%')
		q++;
	start = q;
	if (*q != 'r' && *q != 'w')
		return -1;
	w = *q++ == 'w';
	while (*q >= '0' && *q <= '9') {
		if (v < 1000)
			v = v * 10 + (unsigned long)(*q - '0');
		q++;
		digits++;
	}
	if (!digits || bxa_is_ident_char((unsigned char)*q))
		return -1;
	*p = q;
	if (v >= BX_NREGS) {
		char buf[32];
		size_t len = (size_t)(q - start) + 1;
		bxa_error(c, "invalid register %s",
			  bxa_excerpt(start, buf, len < sizeof(buf) ? len : sizeof(buf)));
		return -2;
	}
	*reg = (uint8_t)v;
	if (is_w)
		*is_w = w;
	return 0;
}

/* Copy at most size-1 bytes of s, printable ASCII kept, the rest as \xNN;
 * long text ends in "...". */
const char *bxa_excerpt(const char *s, char *buf, size_t size)
{
	size_t o = 0, limit;
	const unsigned char *u = (const unsigned char *)s;

	if (!size)
		return buf;
	limit = size - 1;
	for (; *u && o < limit; u++) {
		if (*u >= 0x20 && *u < 0x7f) {
			buf[o++] = (char)*u;
		} else if (o + 4 <= limit) {
			snprintf(buf + o, 5, "\\x%02x", *u);
			o += 4;
		} else {
			break;
		}
	}
	/* trim trailing blanks */
	while (o && buf[o - 1] == ' ')
		o--;
	buf[o] = '\0';
	if (*u && size > 8 && o >= 3) {
		if (o > limit - 3)
			o = limit - 3;
		memcpy(buf + o, "...", 4);
	}
	return buf;
}

/* "expected X, found '...'" (or "... at end of line"). */
int bxa_expected(struct bxa_ctx *c, const char *what, const char *p)
{
	char buf[48];

	bxa_skip_ws(&p);
	if (!*p)
		bxa_error(c, "expected %s at end of line", what);
	else
		bxa_error(c, "expected %s, found '%s'", what, bxa_excerpt(p, buf, sizeof(buf)));
	return -1;
}

/* Nothing but blanks may follow a complete statement. */
int bxa_expect_end(struct bxa_ctx *c, const char *p)
{
	char buf[48];

	bxa_skip_ws(&p);
	if (!*p)
		return 0;
	bxa_error(c, "unexpected '%s' after instruction", bxa_excerpt(p, buf, sizeof(buf)));
	return -1;
}

/* Skip an llvm-objdump annotation "<LBB0_4>" after a jump target. */
static void skip_annotation(const char **p)
{
	const char *q = *p;

	bxa_skip_ws(&q);
	if (*q != '<')
		return;
	const char *e = strchr(q, '>');
	if (e)
		*p = e + 1;
}

/*
 * bxa_target - a pc-relative jump target: "+3", "-2", "pc+1", "pc-3",
 * "+0x3 <LBB0_4>", or a label. Offsets are returned as written; labels as
 * label - (pc + 1).
 */
int bxa_target(struct bxa_ctx *c, const char **p, int64_t *rel)
{
	const char *q = *p;
	struct bxa_num n;
	char name[128];
	int r;

	bxa_skip_ws(&q);
	if (q[0] == 'p' && q[1] == 'c' && (q[2] == '+' || q[2] == '-'))
		q += 2;
	r = bxa_num(c, &q, &n);
	if (r == -2)
		return -1;
	if (r == 0) {
		if (n.mag > 0xffffffffull) {
			char buf[48];
			bxa_error(c, "jump offset %s is out of range",
				  bxa_excerpt(n.text, buf, (size_t)n.len + 1 < sizeof(buf) ?
					      (size_t)n.len + 1 : sizeof(buf)));
			return -1;
		}
		*rel = n.neg ? -(int64_t)n.mag : (int64_t)n.mag;
		skip_annotation(&q);
		*p = q;
		return 0;
	}
	q = *p;
	if (bxa_ident(&q, name, sizeof(name))) {
		size_t idx;
		if (bxa_label_lookup(c, name, &idx) < 0)
			return -1;
		*rel = (int64_t)idx - (int64_t)(c->pc + 1);
		*p = q;
		return 0;
	}
	return bxa_expected(c, "a jump target (+N, -N or a label)", *p);
}

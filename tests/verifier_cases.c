/*
 * verifier_cases.c - read the kernel's verifier selftest cases from JSON
 * (see verifier_cases.h). The reader is a small recursive-descent JSON
 * parser that understands the whole grammar (objects, arrays, strings with
 * escapes, numbers, true/false/null), keeps the fields the tests use and
 * skips the others, and names the byte offset of any syntax error.
 */
#include "verifier_cases.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct jp {
	const char *s;
	size_t len, pos;
	char *why;
	size_t why_sz;
	int depth;
};

/* Record a syntax error at the current offset; returns -EINVAL. */
static int jp_fail(struct jp *p, const char *what)
{
	if (p->why && !p->why[0])
		snprintf(p->why, p->why_sz, "byte %zu: %s", p->pos, what);
	return -EINVAL;
}

static void jp_ws(struct jp *p)
{
	while (p->pos < p->len && isspace((unsigned char)p->s[p->pos]))
		p->pos++;
}

/* Consume character c (after whitespace); 0 or -EINVAL. */
static int jp_expect(struct jp *p, char c)
{
	char msg[32];

	jp_ws(p);
	if (p->pos < p->len && p->s[p->pos] == c) {
		p->pos++;
		return 0;
	}
	snprintf(msg, sizeof(msg), "expected '%c'", c);
	return jp_fail(p, msg);
}

/* Is the next character c (after whitespace)? Consumes it if so. */
static bool jp_peek_take(struct jp *p, char c)
{
	jp_ws(p);
	if (p->pos < p->len && p->s[p->pos] == c) {
		p->pos++;
		return true;
	}
	return false;
}

static int hexv(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Parse a string; *out gets a malloc'ed, NUL-terminated UTF-8 copy (NULL
 * out: skip). \uXXXX escapes become UTF-8 (surrogate pairs joined). */
static int jp_string(struct jp *p, char **out)
{
	char *b = NULL;
	size_t n = 0;
	int err;

	if ((err = jp_expect(p, '"')))
		return err;
	if (out && !(b = malloc(p->len - p->pos + 1)))
		return -ENOMEM;
	while (p->pos < p->len && p->s[p->pos] != '"') {
		unsigned char c = (unsigned char)p->s[p->pos++];
		uint32_t cp;

		if (c < 0x20) {
			free(b);
			return jp_fail(p, "control character in string");
		}
		if (c != '\\') {
			if (b) b[n++] = (char)c;
			continue;
		}
		if (p->pos >= p->len)
			break;
		c = (unsigned char)p->s[p->pos++];
		switch (c) {
		case '"': case '\\': case '/': cp = c; break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			cp = 0;
			for (int i = 0; i < 4; i++) {
				int h = p->pos < p->len ? hexv(p->s[p->pos]) : -1;
				if (h < 0) {
					free(b);
					return jp_fail(p, "bad \\u escape");
				}
				cp = cp << 4 | (uint32_t)h;
				p->pos++;
			}
			if (cp >= 0xd800 && cp < 0xdc00 && p->pos + 6 <= p->len &&
			    p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u') {
				uint32_t lo = 0;
				bool ok = true;
				for (int i = 0; i < 4; i++) {
					int h = hexv(p->s[p->pos + 2 + i]);
					ok &= h >= 0;
					lo = lo << 4 | (uint32_t)(h < 0 ? 0 : h);
				}
				if (ok && lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					p->pos += 6;
				}
			}
			break;
		default:
			free(b);
			return jp_fail(p, "bad escape in string");
		}
		if (!b)
			continue;
		if (cp < 0x80) {
			b[n++] = (char)cp;
		} else if (cp < 0x800) {
			b[n++] = (char)(0xc0 | cp >> 6);
			b[n++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			b[n++] = (char)(0xe0 | cp >> 12);
			b[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
			b[n++] = (char)(0x80 | (cp & 0x3f));
		} else {
			b[n++] = (char)(0xf0 | cp >> 18);
			b[n++] = (char)(0x80 | (cp >> 12 & 0x3f));
			b[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
			b[n++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	if (p->pos >= p->len) {
		free(b);
		return jp_fail(p, "unterminated string");
	}
	p->pos++;
	if (out) {
		b[n] = 0;
		*out = b;
	}
	return 0;
}

/* Parse a number as an integer (fractions/exponents are accepted and
 * truncated). */
static int jp_int(struct jp *p, int64_t *out)
{
	char tmp[64];
	size_t k = 0;

	jp_ws(p);
	while (p->pos < p->len && k < sizeof(tmp) - 1 &&
	       (isdigit((unsigned char)p->s[p->pos]) || strchr("+-.eE", p->s[p->pos])))
		tmp[k++] = p->s[p->pos++];
	tmp[k] = 0;
	if (!k || (!isdigit((unsigned char)tmp[0]) && tmp[0] != '-'))
		return jp_fail(p, "expected a number");
	if (strpbrk(tmp, ".eE"))
		*out = (int64_t)strtod(tmp, NULL);
	else
		*out = strtoll(tmp, NULL, 10);
	return 0;
}

/* Match a literal word (true/false/null). */
static bool jp_word(struct jp *p, const char *w)
{
	size_t n = strlen(w);

	jp_ws(p);
	if (p->len - p->pos >= n && !memcmp(p->s + p->pos, w, n)) {
		p->pos += n;
		return true;
	}
	return false;
}

static int jp_skip(struct jp *p);

/* Skip the rest of an object or array whose opener was consumed. */
static int jp_skip_container(struct jp *p, char close, bool keys)
{
	int err;

	if (jp_peek_take(p, close))
		return 0;
	for (;;) {
		if (keys && ((err = jp_string(p, NULL)) || (err = jp_expect(p, ':'))))
			return err;
		if ((err = jp_skip(p)))
			return err;
		if (jp_peek_take(p, close))
			return 0;
		if ((err = jp_expect(p, ',')))
			return err;
	}
}

/* Skip any value. */
static int jp_skip(struct jp *p)
{
	int64_t v;
	int err;

	jp_ws(p);
	if (p->pos >= p->len)
		return jp_fail(p, "unexpected end of input");
	if (++p->depth > 64)
		return jp_fail(p, "nesting too deep");
	switch (p->s[p->pos]) {
	case '{': p->pos++; err = jp_skip_container(p, '}', true); break;
	case '[': p->pos++; err = jp_skip_container(p, ']', false); break;
	case '"': err = jp_string(p, NULL); break;
	default:
		if (jp_word(p, "true") || jp_word(p, "false") || jp_word(p, "null"))
			err = 0;
		else
			err = jp_int(p, &v);
	}
	p->depth--;
	return err;
}

/* A string or null (*out = NULL). */
static int jp_string_or_null(struct jp *p, char **out)
{
	*out = NULL;
	if (jp_word(p, "null"))
		return 0;
	return jp_string(p, out);
}

/* true/false (null counts as false). */
static int jp_bool(struct jp *p, bool *out)
{
	if (jp_word(p, "true"))
		*out = true;
	else if (jp_word(p, "false") || jp_word(p, "null"))
		*out = false;
	else
		return jp_fail(p, "expected true or false");
	return 0;
}

/* Decode the hex bytecode. */
static int parse_insns(struct jp *p, const char *hex, struct vc_case *c)
{
	size_t n = strlen(hex);
	uint8_t *b;

	if (n % 16)
		return jp_fail(p, "insns_hex is not a whole number of instructions");
	if (!n)
		return 0; /* generated by a fill function the JSON does not carry */
	if (!(b = malloc(n / 2)))
		return -ENOMEM;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexv(hex[2 * i]), lo = hexv(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(b);
			return jp_fail(p, "bad hex digit in insns_hex");
		}
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	c->insns = (struct bpfbox_insn *)(void *)b;
	c->cnt = n / 16;
	return 0;
}

static enum vc_result parse_result(const char *s)
{
	if (!s) return VC_UNDEF;
	if (!strcmp(s, "ACCEPT")) return VC_ACCEPT;
	if (!strcmp(s, "REJECT")) return VC_REJECT;
	if (!strcmp(s, "VERBOSE_ACCEPT")) return VC_VERBOSE_ACCEPT;
	return VC_UNDEF;
}

/* "fixups": {KIND: [idx, ...], ...} */
static int parse_fixups(struct jp *p, struct vc_case *c)
{
	int err;

	if (jp_word(p, "null"))
		return 0;
	if ((err = jp_expect(p, '{')))
		return err;
	if (jp_peek_take(p, '}'))
		return 0;
	for (;;) {
		char *kind = NULL;
		struct vc_fixup *f, *nf;

		if ((err = jp_string(p, &kind)) || (err = jp_expect(p, ':'))) {
			free(kind);
			return err;
		}
		nf = realloc(c->fixups, (c->nfixups + 1) * sizeof(*nf));
		if (!nf) {
			free(kind);
			return -ENOMEM;
		}
		c->fixups = nf;
		f = &c->fixups[c->nfixups++];
		memset(f, 0, sizeof(*f));
		snprintf(f->kind, sizeof(f->kind), "%s", kind);
		free(kind);
		/* a list of indices; anything else (fixup_kfunc_btf_id: true)
		 * records the kind alone */
		if (!jp_peek_take(p, '[')) {
			if ((err = jp_skip(p)))
				return err;
		} else if (!jp_peek_take(p, ']')) {
			for (;;) {
				int64_t v;
				uint32_t *ni;

				if ((err = jp_int(p, &v)))
					return err;
				if (v < 0 || v > 1000000)
					return jp_fail(p, "fixup index out of range");
				if (!(ni = realloc(f->idx, (f->n + 1) * sizeof(*ni))))
					return -ENOMEM;
				f->idx = ni;
				f->idx[f->n++] = (uint32_t)v;
				if (jp_peek_take(p, ']'))
					break;
				if ((err = jp_expect(p, ',')))
					return err;
			}
		}
		if (jp_peek_take(p, '}'))
			return 0;
		if ((err = jp_expect(p, ',')))
			return err;
	}
}

/* One case object. */
static int parse_case(struct jp *p, struct vc_case *c)
{
	int err;

	memset(c, 0, sizeof(*c));
	if ((err = jp_expect(p, '{')))
		return err;
	if (jp_peek_take(p, '}'))
		goto check;
	for (;;) {
		char *key = NULL, *s = NULL;
		int64_t v;

		if ((err = jp_string(p, &key)) || (err = jp_expect(p, ':'))) {
			free(key);
			return err;
		}
		if (!strcmp(key, "descr")) {
			err = jp_string_or_null(p, &c->descr);
		} else if (!strcmp(key, "insns_hex")) {
			if (!(err = jp_string(p, &s)))
				err = parse_insns(p, s, c);
		} else if (!strcmp(key, "result") || !strcmp(key, "result_unpriv")) {
			if (!(err = jp_string_or_null(p, &s)))
				*(key[6] ? &c->result_unpriv : &c->result) = parse_result(s);
		} else if (!strcmp(key, "errstr")) {
			err = jp_string_or_null(p, &c->errstr);
		} else if (!strcmp(key, "errstr_unpriv")) {
			err = jp_string_or_null(p, &c->errstr_unpriv);
		} else if (!strcmp(key, "prog_type") || !strcmp(key, "flags")) {
			if (!(err = jp_int(p, &v))) {
				if (v < 0 || v > UINT32_MAX)
					err = jp_fail(p, "value out of range");
				else
					*(key[0] == 'p' ? &c->prog_type : &c->flags) = (uint32_t)v;
			}
		} else if (!strcmp(key, "retval")) {
			err = jp_word(p, "null") ? 0 : jp_int(p, &c->retval);
		} else if (!strcmp(key, "runs")) {
			err = jp_int(p, &c->runs);
		} else if (!strcmp(key, "has_data")) {
			err = jp_bool(p, &c->has_data);
		} else if (!strcmp(key, "generated")) {
			err = jp_bool(p, &c->generated);
		} else if (!strcmp(key, "fixups")) {
			err = parse_fixups(p, c);
		} else {
			err = jp_skip(p);
		}
		free(key);
		free(s);
		if (err)
			return err;
		if (jp_peek_take(p, '}'))
			break;
		if ((err = jp_expect(p, ',')))
			return err;
	}
check:
	if (!c->descr)
		return jp_fail(p, "case without descr");
	return 0;
}

/* Free one case's fields. */
static void case_free(struct vc_case *c)
{
	free(c->descr);
	free(c->insns);
	free(c->errstr);
	free(c->errstr_unpriv);
	for (size_t i = 0; i < c->nfixups; i++)
		free(c->fixups[i].idx);
	free(c->fixups);
}

/* See verifier_cases.h. */
int vc_load(const char *path, struct vc_case **cases, size_t *n, char *why, size_t why_sz)
{
	FILE *f = fopen(path, "rb");
	struct jp p = { .why = why, .why_sz = why_sz };
	struct vc_case *v = NULL;
	size_t cnt = 0, cap = 0;
	char *buf = NULL;
	long sz;
	int err;

	if (why && why_sz)
		why[0] = 0;
	*cases = NULL;
	*n = 0;
	if (!f) {
		err = -errno;
		if (why)
			snprintf(why, why_sz, "%s: %s", path, strerror(errno));
		return err;
	}
	if (fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    !(buf = malloc((size_t)sz + 1)) || fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
		fclose(f);
		free(buf);
		if (why)
			snprintf(why, why_sz, "%s: cannot read", path);
		return -EIO;
	}
	fclose(f);
	p.s = buf;
	p.len = (size_t)sz;
	if ((err = jp_expect(&p, '[')))
		goto fail;
	if (!jp_peek_take(&p, ']')) {
		for (;;) {
			if (cnt == cap) {
				struct vc_case *nv = realloc(v, (cap = cap * 2 + 64) * sizeof(*v));
				if (!nv) {
					err = -ENOMEM;
					goto fail;
				}
				v = nv;
			}
			err = parse_case(&p, &v[cnt]);
			cnt++;
			if (err)
				goto fail;
			if (jp_peek_take(&p, ']'))
				break;
			if ((err = jp_expect(&p, ',')))
				goto fail;
		}
	}
	jp_ws(&p);
	if (p.pos != p.len) {
		err = jp_fail(&p, "trailing data after the array");
		goto fail;
	}
	free(buf);
	*cases = v;
	*n = cnt;
	return 0;
fail:
	if (why && why_sz && !why[0])
		snprintf(why, why_sz, "byte %zu: %s", p.pos, strerror(-err));
	vc_free(v, cnt);
	free(buf);
	return err;
}

/* See verifier_cases.h. */
void vc_free(struct vc_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		case_free(&cases[i]);
	free(cases);
}

/* test_verifier.c: F_NEEDS_EFFICIENT_UNALIGNED_ACCESS (1) becomes
 * BPF_F_ANY_ALIGNMENT (2), F_LOAD_WITH_STRICT_ALIGNMENT (2) becomes
 * BPF_F_STRICT_ALIGNMENT (1); the other bits are BPF_F_* already. */
uint32_t vc_prog_flags(uint32_t flags, bool harness_extra)
{
	uint32_t pf = harness_extra ? (4u /* BPF_F_TEST_RND_HI32 */ | 128u /* BPF_F_TEST_REG_INVARIANTS */) : 0;

	if (flags & 2u)
		pf |= 1u;
	if (flags & 1u)
		pf |= 2u;
	if (flags & ~3u)
		pf |= flags & ~3u;
	return pf;
}

/* See verifier_cases.h. */
const struct vc_fixup *vc_find_fixup(const struct vc_case *c, const char *kind)
{
	for (size_t i = 0; i < c->nfixups; i++)
		if (!strcmp(c->fixups[i].kind, kind))
			return &c->fixups[i];
	return NULL;
}

/*
 * btf_dump.c - format a value through its BTF type: C-like text
 * ({.field = value, ...}) or JSON. Used by `bpfbox run --dump-maps` and by
 * anything that decodes map values or ring-buffer records.
 *
 * Only the public BTF accessors are used; BTF was validated at load (no
 * reference loops), and a depth bound guards the recursion anyway.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bpfbox/object.h"

#define BXD_MAX_DEPTH 32

/* An snprintf-like output: writes what fits, counts everything. */
struct bxd_out {
	char *buf;
	size_t cap;
	size_t len;     /* bytes that the whole output needs */
	bool json;
};

/* Append formatted text. */
__attribute__((format(printf, 2, 3)))
static void bxd_printf(struct bxd_out *o, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	for (int i = 0; i < n && i < (int)sizeof(tmp) - 1; i++) {
		if (o->len + 1 < o->cap)
			o->buf[o->len] = tmp[i];
		o->len++;
	}
}

/* Append one character. */
static void bxd_putc(struct bxd_out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

/* Append a string. */
static void bxd_puts(struct bxd_out *o, const char *s)
{
	while (*s)
		bxd_putc(o, *s++);
}

/* Bytes as hex: "01 02 03" (text) or "010203" (JSON, quoted). */
static void bxd_hex(struct bxd_out *o, const uint8_t *d, size_t n)
{
	if (o->json)
		bxd_putc(o, '"');
	for (size_t i = 0; i < n; i++)
		bxd_printf(o, o->json || !i ? "%02x" : " %02x", d[i]);
	if (o->json)
		bxd_putc(o, '"');
}

/* A quoted, escaped string of at most n bytes (stops at NUL). */
static void bxd_str(struct bxd_out *o, const uint8_t *d, size_t n)
{
	bxd_putc(o, '"');
	for (size_t i = 0; i < n && d[i]; i++) {
		uint8_t c = d[i];

		if (c == '"' || c == '\\') {
			bxd_putc(o, '\\');
			bxd_putc(o, (char)c);
		} else if (c == '\n') {
			bxd_puts(o, "\\n");
		} else if (c == '\t') {
			bxd_puts(o, "\\t");
		} else if (c < 0x20 || c >= 0x7f) {
			bxd_printf(o, o->json ? "\\u%04x" : "\\x%02x", c);
		} else {
			bxd_putc(o, (char)c);
		}
	}
	bxd_putc(o, '"');
}

/* Little-endian bits [bit_off, bit_off + nbits) of d (nbits <= 64). */
static uint64_t bxd_bits(const uint8_t *d, uint32_t bit_off, uint32_t nbits)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < nbits; i++) {
		uint32_t b = bit_off + i;
		v |= (uint64_t)((d[b / 8] >> (b % 8)) & 1) << i;
	}
	return v;
}

/* Sign-extend the low nbits of v. */
static int64_t bxd_sext(uint64_t v, uint32_t nbits)
{
	if (nbits == 0 || nbits >= 64)
		return (int64_t)v;
	uint64_t m = 1ULL << (nbits - 1);
	v &= (m << 1) - 1;
	return (int64_t)((v ^ m) - m);
}

/* Is this (modifier-stripped) type a character (1-byte INT)? */
static bool bxd_is_char(const struct bpfbox_btf *btf, uint32_t id)
{
	struct bpfbox_btf_type t;

	if (bpfbox_btf__type(btf, bpfbox_btf__skip_mods(btf, id), &t))
		return false;
	return t.kind == BPFBOX_BTF_KIND_INT && t.size == 1 && !(t.int_encoding & 4) &&
	       ((t.int_encoding & 2) || !strcmp(t.name, "char"));
}

static int bxd_value(const struct bpfbox_btf *btf, uint32_t id, const uint8_t *d, size_t n,
		     struct bxd_out *o, int depth);

/* An integer of nbits at bit_off in d. */
static void bxd_int(struct bxd_out *o, const struct bpfbox_btf_type *t, const uint8_t *d,
		    uint32_t bit_off, uint32_t nbits)
{
	uint64_t v;

	if (nbits > 64) {  /* __int128 and the like */
		bxd_hex(o, d + bit_off / 8, (nbits + 7) / 8);
		return;
	}
	v = bxd_bits(d, bit_off, nbits);
	if (t->int_encoding & 4)
		bxd_puts(o, v ? "true" : "false");
	else if (t->int_encoding & 1)
		bxd_printf(o, "%lld", (long long)bxd_sext(v, nbits));
	else
		bxd_printf(o, "%llu", (unsigned long long)v);
}

/* An enum value (by name when it matches an enumerator). */
static void bxd_enum(const struct bpfbox_btf *btf, const struct bpfbox_btf_type *t,
		     const uint8_t *d, struct bxd_out *o)
{
	uint64_t raw = bxd_bits(d, 0, t->size >= 8 ? 64 : t->size * 8);
	int64_t v = t->kflag ? bxd_sext(raw, t->size * 8) : (int64_t)raw;
	struct bpfbox_btf_member m;

	for (uint32_t i = 0; i < t->vlen; i++) {
		if (bpfbox_btf__member(btf, t->id, i, &m))
			break;
		if (m.value == v || (uint64_t)m.value == raw) {
			if (o->json)
				bxd_printf(o, "\"%s\"", m.name);
			else
				bxd_puts(o, m.name);
			return;
		}
	}
	if (t->kflag)
		bxd_printf(o, "%lld", (long long)v);
	else
		bxd_printf(o, "%llu", (unsigned long long)raw);
}

/* A float of 4 or 8 bytes (others in hex). */
static void bxd_float(const struct bpfbox_btf_type *t, const uint8_t *d, struct bxd_out *o)
{
	double v;

	if (t->size == 4) {
		float f;
		memcpy(&f, d, 4);
		v = f;
	} else if (t->size == 8) {
		memcpy(&v, d, 8);
	} else {
		bxd_hex(o, d, t->size);
		return;
	}
	if (o->json && !isfinite(v))
		bxd_printf(o, "\"%g\"", v);
	else
		bxd_printf(o, "%.17g", v);
}

/* Members of a struct/union (anonymous members are flattened into the
 * enclosing braces). *first tracks the separator. */
static int bxd_members(const struct bpfbox_btf *btf, const struct bpfbox_btf_type *t,
		       const uint8_t *d, size_t n, struct bxd_out *o, int depth, bool *first)
{
	struct bpfbox_btf_member m;
	int err;

	for (uint32_t i = 0; i < t->vlen; i++) {
		struct bpfbox_btf_type mt;
		uint32_t mid;

		if ((err = bpfbox_btf__member(btf, t->id, i, &m)))
			return err;
		mid = bpfbox_btf__skip_mods(btf, m.type);
		if ((err = bpfbox_btf__type(btf, mid, &mt)))
			return err;
		if (!m.name[0] && (mt.kind == BPFBOX_BTF_KIND_STRUCT ||
				   mt.kind == BPFBOX_BTF_KIND_UNION) && m.offset % 8 == 0) {
			if ((size_t)m.offset / 8 + mt.size > n)
				return -EINVAL;
			err = bxd_members(btf, &mt, d + m.offset / 8, n - m.offset / 8, o, depth + 1,
					  first);
			if (err)
				return err;
			continue;
		}
		bxd_puts(o, *first ? "" : ", ");
		*first = false;
		if (o->json)
			bxd_printf(o, "\"%s\": ", m.name);
		else
			bxd_printf(o, ".%s = ", m.name);
		if (m.size || m.offset % 8) {
			/* a bitfield (or an unaligned member: integers only) */
			uint32_t nbits = m.size ? m.size : mt.size * 8;
			if ((mt.kind != BPFBOX_BTF_KIND_INT && mt.kind != BPFBOX_BTF_KIND_ENUM) ||
			    ((uint64_t)m.offset + nbits + 7) / 8 > n || nbits > 64)
				return -EINVAL;
			if (mt.kind == BPFBOX_BTF_KIND_ENUM) {
				mt.int_encoding = mt.kflag ? 1 : 0;
			}
			bxd_int(o, &mt, d, m.offset, nbits);
			continue;
		}
		if (m.offset / 8 > n)
			return -EINVAL;
		err = bxd_value(btf, m.type, d + m.offset / 8, n - m.offset / 8, o, depth + 1);
		if (err)
			return err;
	}
	return 0;
}

/* Variables of a DATASEC (global data): {.var = value, ...}. */
static int bxd_datasec(const struct bpfbox_btf *btf, const struct bpfbox_btf_type *t,
		       const uint8_t *d, size_t n, struct bxd_out *o, int depth)
{
	struct bpfbox_btf_member m;
	struct bpfbox_btf_type var;
	bool first = true;
	int err;

	bxd_putc(o, '{');
	for (uint32_t i = 0; i < t->vlen; i++) {
		if ((err = bpfbox_btf__member(btf, t->id, i, &m)) ||
		    (err = bpfbox_btf__type(btf, m.type, &var)))
			return err;
		if (m.offset > n || m.size > n - m.offset)
			return -EINVAL;
		bxd_puts(o, first ? "" : ", ");
		first = false;
		if (o->json)
			bxd_printf(o, "\"%s\": ", var.name);
		else
			bxd_printf(o, ".%s = ", var.name);
		err = bxd_value(btf, var.type, d + m.offset, m.size, o, depth + 1);
		if (err)
			return err;
	}
	bxd_putc(o, '}');
	return 0;
}

/* One value of type id at d (n bytes available). */
static int bxd_value(const struct bpfbox_btf *btf, uint32_t id, const uint8_t *d, size_t n,
		     struct bxd_out *o, int depth)
{
	struct bpfbox_btf_type t;
	int64_t sz;
	int err;

	if (depth > BXD_MAX_DEPTH)
		return -ELOOP;
	id = bpfbox_btf__skip_mods(btf, id);
	if ((err = bpfbox_btf__type(btf, id, &t)))
		return err;
	if (t.kind == BPFBOX_BTF_KIND_VAR)
		return bxd_value(btf, t.type, d, n, o, depth + 1);
	sz = bpfbox_btf__resolve_size(btf, id);
	if (sz < 0)
		return (int)sz;
	if ((uint64_t)sz > n)
		return -EINVAL;
	switch (t.kind) {
	case BPFBOX_BTF_KIND_INT:
		if (t.int_offset + t.int_bits > t.size * 8)
			return -EINVAL;
		bxd_int(o, &t, d, t.int_offset, t.int_bits);
		return 0;
	case BPFBOX_BTF_KIND_PTR: {
		uint64_t p;
		memcpy(&p, d, 8);
		bxd_printf(o, o->json ? "\"0x%llx\"" : "0x%llx", (unsigned long long)p);
		return 0;
	}
	case BPFBOX_BTF_KIND_ENUM:
	case BPFBOX_BTF_KIND_ENUM64:
		bxd_enum(btf, &t, d, o);
		return 0;
	case BPFBOX_BTF_KIND_FLOAT:
		bxd_float(&t, d, o);
		return 0;
	case BPFBOX_BTF_KIND_ARRAY: {
		int64_t esz = bpfbox_btf__resolve_size(btf, t.type);
		if (esz < 0)
			return (int)esz;
		if (bxd_is_char(btf, t.type)) {
			bxd_str(o, d, t.nelems);
			return 0;
		}
		bxd_putc(o, '[');
		for (uint32_t i = 0; i < t.nelems; i++) {
			bxd_puts(o, i ? ", " : "");
			err = bxd_value(btf, t.type, d + (size_t)esz * i, n - (size_t)esz * i, o,
					depth + 1);
			if (err)
				return err;
		}
		bxd_putc(o, ']');
		return 0;
	}
	case BPFBOX_BTF_KIND_STRUCT:
	case BPFBOX_BTF_KIND_UNION: {
		bool first = true;
		bxd_putc(o, '{');
		err = bxd_members(btf, &t, d, (size_t)sz, o, depth, &first);
		if (err)
			return err;
		bxd_putc(o, '}');
		return 0;
	}
	case BPFBOX_BTF_KIND_DATASEC:
		return bxd_datasec(btf, &t, d, (size_t)sz, o, depth);
	default:
		bxd_hex(o, d, (size_t)sz);
		return 0;
	}
}

/* See object.h. */
int bpfbox_btf__dump_value(const struct bpfbox_btf *btf, uint32_t type_id, const void *data,
			   size_t size, unsigned flags, char *buf, size_t buflen)
{
	struct bxd_out o = { .buf = buf, .cap = buflen, .json = flags & BPFBOX_BTF_DUMP_JSON };
	int err;

	if (!btf || !data || (!buf && buflen))
		return -EINVAL;
	if (flags & ~(unsigned)BPFBOX_BTF_DUMP_JSON)
		return -EINVAL;
	err = bxd_value(btf, type_id, data, size, &o, 0);
	if (buflen)
		buf[o.len < buflen ? o.len : buflen - 1] = 0;
	if (err)
		return err;
	return o.len > INT32_MAX ? -E2BIG : (int)o.len;
}

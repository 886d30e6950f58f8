/*
 * btf.c - BTF type and string parsing, validation (including reference
 * loops) and the public bpfbox_btf__*() accessors.
 */
#include "btf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BTF_MAGIC    0xeB9F
#define BTF_HDR_MIN  24
#define BTF_MAX_TYPES 0x7fffffffu

enum {
	K_UNKN, K_INT, K_PTR, K_ARRAY, K_STRUCT, K_UNION, K_ENUM, K_FWD, K_TYPEDEF,
	K_VOLATILE, K_CONST, K_RESTRICT, K_FUNC, K_FUNC_PROTO, K_VAR, K_DATASEC,
	K_FLOAT, K_DECL_TAG, K_TYPE_TAG, K_ENUM64, K__MAX
};

static const char *const kind_names[K__MAX] = {
	"unknown", "int", "ptr", "array", "struct", "union", "enum", "fwd", "typedef",
	"volatile", "const", "restrict", "func", "func_proto", "var", "datasec",
	"float", "decl_tag", "type_tag", "enum64",
};

/* Raw fields of a type record. */
static const uint8_t *t_rec(const struct bpfbox_btf *b, uint32_t id) { return b->types + b->off[id]; }
static uint32_t t_info(const struct bpfbox_btf *b, uint32_t id) { return bxe_rd32(t_rec(b, id) + 4); }
static uint32_t t_vlen(const struct bpfbox_btf *b, uint32_t id) { return t_info(b, id) & 0xffff; }
static uint32_t t_sztype(const struct bpfbox_btf *b, uint32_t id) { return bxe_rd32(t_rec(b, id) + 8); }
static const uint8_t *t_extra(const struct bpfbox_btf *b, uint32_t id) { return t_rec(b, id) + 12; }

/* See btf.h. */
uint32_t bxe_btf_kind(const struct bpfbox_btf *b, uint32_t id)
{
	if (!b || id == 0 || id >= b->cnt)
		return K_UNKN;
	return (t_info(b, id) >> 24) & 0x1f;
}

/* See btf.h. */
const char *bxe_btf_str(const struct bpfbox_btf *b, uint32_t off)
{
	return bxe_str(b->strs, b->strs_len, off);
}

/* Bytes that follow the 12-byte header for a kind with vlen entries, or
 * -1 for an unknown kind. */
static int64_t extra_size(uint32_t kind, uint32_t vlen)
{
	switch (kind) {
	case K_INT: case K_VAR: case K_DECL_TAG: return 4;
	case K_ARRAY: return 12;
	case K_STRUCT: case K_UNION: case K_DATASEC: case K_ENUM64: return 12 * (int64_t)vlen;
	case K_ENUM: case K_FUNC_PROTO: return 8 * (int64_t)vlen;
	case K_PTR: case K_FWD: case K_TYPEDEF: case K_VOLATILE: case K_CONST:
	case K_RESTRICT: case K_FUNC: case K_FLOAT: case K_TYPE_TAG: return 0;
	default: return -1;
	}
}

/* Is a name offset valid? (strings are checked to be NUL-terminated) */
static int chk_name(const struct bxe_elf *e, const struct bpfbox_btf *b, uint32_t id,
		    uint32_t off, const char *what)
{
	if (bxe_btf_str(b, off))
		return 0;
	bxe_err(e, "BTF type [%u]: %s name offset %u is outside the string section (%zu bytes)",
		id, what, off, b->strs_len);
	return -EINVAL;
}

/* Is a referenced type id valid? */
static int chk_ref(const struct bxe_elf *e, const struct bpfbox_btf *b, uint32_t id,
		   uint32_t ref, const char *what)
{
	if (ref < b->cnt)
		return 0;
	bxe_err(e, "BTF type [%u] %s: %s refers to type [%u], but there are only %u types",
		id, kind_names[bxe_btf_kind(b, id)], what, ref, b->cnt - 1);
	return -EINVAL;
}

/* Validate one type's fields (after all offsets are known). */
static int chk_type(const struct bxe_elf *e, const struct bpfbox_btf *b, uint32_t id)
{
	uint32_t kind = bxe_btf_kind(b, id), vlen = t_vlen(b, id), st = t_sztype(b, id);
	const uint8_t *x = t_extra(b, id);
	int err = chk_name(e, b, id, bxe_rd32(t_rec(b, id)), "type");

	if (err)
		return err;
	switch (kind) {
	case K_INT: {
		uint32_t v = bxe_rd32(x), bits = v & 0xff, off = (v >> 16) & 0xff;
		if ((st != 1 && st != 2 && st != 4 && st != 8 && st != 16) || bits > 128 ||
		    off + bits > st * 8) {
			bxe_err(e, "BTF type [%u] int: bad size %u / bits %u / offset %u", id, st, bits, off);
			return -EINVAL;
		}
		return 0;
	}
	case K_PTR: case K_TYPEDEF: case K_VOLATILE: case K_CONST: case K_RESTRICT:
	case K_TYPE_TAG: case K_VAR:
		return chk_ref(e, b, id, st, "type");
	case K_FUNC:
		err = chk_ref(e, b, id, st, "prototype");
		if (!err && bxe_btf_kind(b, st) != K_FUNC_PROTO) {
			bxe_err(e, "BTF type [%u] func: type [%u] is not a func_proto", id, st);
			err = -EINVAL;
		}
		return err;
	case K_DECL_TAG:
		if ((int32_t)bxe_rd32(x) < -1) {
			bxe_err(e, "BTF type [%u] decl_tag: bad component index %d", id, (int32_t)bxe_rd32(x));
			return -EINVAL;
		}
		return chk_ref(e, b, id, st, "type");
	case K_ARRAY:
		return chk_ref(e, b, id, bxe_rd32(x), "element type") ?:
		       chk_ref(e, b, id, bxe_rd32(x + 4), "index type");
	case K_STRUCT: case K_UNION:
		for (uint32_t i = 0; i < vlen && !err; i++)
			err = chk_name(e, b, id, bxe_rd32(x + 12 * i), "member") ?:
			      chk_ref(e, b, id, bxe_rd32(x + 12 * i + 4), "member");
		return err;
	case K_ENUM: case K_ENUM64:
		for (uint32_t i = 0; i < vlen && !err; i++)
			err = chk_name(e, b, id, bxe_rd32(x + (kind == K_ENUM ? 8 : 12) * i), "enumerator");
		return err;
	case K_FUNC_PROTO:
		err = chk_ref(e, b, id, st, "return type");
		for (uint32_t i = 0; i < vlen && !err; i++)
			err = chk_name(e, b, id, bxe_rd32(x + 8 * i), "parameter") ?:
			      chk_ref(e, b, id, bxe_rd32(x + 8 * i + 4), "parameter");
		return err;
	case K_DATASEC:
		for (uint32_t i = 0; i < vlen && !err; i++)
			err = chk_ref(e, b, id, bxe_rd32(x + 12 * i), "variable");
		return err;
	default:
		return 0;
	}
}

/* The k-th size-determining reference of a type (0 if none). Pointers and
 * function prototypes end a chain, so legitimate recursive types (a list
 * node pointing to itself) are fine. */
static uint32_t edge(const struct bpfbox_btf *b, uint32_t id, uint32_t k, int *more)
{
	uint32_t kind = bxe_btf_kind(b, id);

	*more = 0;
	switch (kind) {
	case K_TYPEDEF: case K_VOLATILE: case K_CONST: case K_RESTRICT: case K_TYPE_TAG:
	case K_VAR: case K_DECL_TAG: case K_FUNC:
		return k == 0 ? t_sztype(b, id) : 0;
	case K_ARRAY:
		return k == 0 ? bxe_rd32(t_extra(b, id)) : 0;
	case K_STRUCT: case K_UNION: case K_DATASEC:
		if (k >= t_vlen(b, id))
			return 0;
		*more = 1;
		return bxe_rd32(t_extra(b, id) + 12 * k + (kind == K_DATASEC ? 0 : 4));
	default:
		return 0;
	}
}

/* Iterative DFS over edge(): a back edge is a loop. */
static int chk_loops(const struct bxe_elf *e, const struct bpfbox_btf *b)
{
	uint8_t *state = calloc(b->cnt, 1);
	uint32_t *st_id = malloc(sizeof(uint32_t) * b->cnt), *st_k = malloc(sizeof(uint32_t) * b->cnt);
	int err = 0;

	if (!state || !st_id || !st_k) {
		err = -ENOMEM;
		goto out;
	}
	for (uint32_t root = 1; root < b->cnt && !err; root++) {
		size_t sp = 0;

		if (state[root])
			continue;
		state[root] = 1;
		st_id[sp] = root;
		st_k[sp++] = 0;
		while (sp && !err) {
			uint32_t id = st_id[sp - 1], k = st_k[sp - 1]++, to;
			int more;

			to = edge(b, id, k, &more);
			if (!to) {
				if (!more) {
					state[id] = 2;
					sp--;
				}
				continue;
			}
			if (state[to] == 1) {
				bxe_err(e, "BTF type [%u] %s: reference loop through type [%u] %s", to,
					kind_names[bxe_btf_kind(b, to)], id, kind_names[bxe_btf_kind(b, id)]);
				err = -ELOOP;
			} else if (state[to] == 0) {
				state[to] = 1;
				st_id[sp] = to;
				st_k[sp++] = 0;
			}
		}
	}
out:
	free(state);
	free(st_id);
	free(st_k);
	return err == -ELOOP ? -EINVAL : err;
}

/* See btf.h. */
int bxe_btf_load(const struct bxe_elf *e, const uint8_t *data, size_t size,
		 struct bpfbox_btf **out)
{
	struct bpfbox_btf *b;
	uint32_t hdr_len, type_off, type_len, str_off, str_len, cap = 64;
	size_t pos = 0;
	int err = 0;

	*out = NULL;
	if (size < BTF_HDR_MIN || bxe_rd16(data) != BTF_MAGIC || data[2] != 1) {
		bxe_err(e, ".BTF: bad header (size %zu, magic 0x%x, version %u)", size,
			size >= 2 ? bxe_rd16(data) : 0, size >= 3 ? data[2] : 0);
		return -EINVAL;
	}
	hdr_len = bxe_rd32(data + 4);
	type_off = bxe_rd32(data + 8);
	type_len = bxe_rd32(data + 12);
	str_off = bxe_rd32(data + 16);
	str_len = bxe_rd32(data + 20);
	if (hdr_len < BTF_HDR_MIN || hdr_len > size ||
	    !bxe_in_range(type_off, type_len, size - hdr_len) ||
	    !bxe_in_range(str_off, str_len, size - hdr_len) ||
	    (type_len && str_len && type_off < (uint64_t)str_off + str_len &&
	     str_off < (uint64_t)type_off + type_len)) {
		bxe_err(e, ".BTF: header (len %u) type section %u+%u / string section %u+%u "
			"out of the %zu-byte section or overlapping", hdr_len, type_off, type_len,
			str_off, str_len, size);
		return -EINVAL;
	}
	if (str_len == 0 || data[hdr_len + str_off] != 0 || data[hdr_len + str_off + str_len - 1] != 0) {
		bxe_err(e, ".BTF: string section must start and end with a NUL byte");
		return -EINVAL;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->data = malloc(size);
	b->off = malloc(sizeof(uint32_t) * cap);
	if (!b->data || !b->off) {
		bxe_btf_free(b);
		return -ENOMEM;
	}
	memcpy(b->data, data, size);
	b->size = size;
	b->types = b->data + hdr_len + type_off;
	b->types_len = type_len;
	b->strs = b->data + hdr_len + str_off;
	b->strs_len = str_len;
	b->cnt = 1;
	b->off[0] = 0;
	while (pos < b->types_len) {
		uint32_t info, kind;
		int64_t extra;

		if (b->types_len - pos < 12) {
			bxe_err(e, ".BTF: type [%u] record truncated at byte %zu of the type section", b->cnt, pos);
			err = -EINVAL;
			break;
		}
		info = bxe_rd32(b->types + pos + 4);
		kind = (info >> 24) & 0x1f;
		extra = extra_size(kind, info & 0xffff);
		if (extra < 0) {
			bxe_err(e, ".BTF: type [%u] has unknown kind %u", b->cnt, kind);
			err = -EINVAL;
			break;
		}
		if ((uint64_t)extra > b->types_len - pos - 12) {
			bxe_err(e, ".BTF: type [%u] %s with %u entries runs past the type section",
				b->cnt, kind_names[kind], info & 0xffff);
			err = -EINVAL;
			break;
		}
		if (b->cnt == cap) {
			uint32_t *n;

			if (cap >= BTF_MAX_TYPES / 2) {
				bxe_err(e, ".BTF: too many types");
				err = -E2BIG;
				break;
			}
			n = realloc(b->off, sizeof(uint32_t) * cap * 2);
			if (!n) {
				err = -ENOMEM;
				break;
			}
			b->off = n;
			cap *= 2;
		}
		b->off[b->cnt++] = (uint32_t)pos;
		pos += 12 + (size_t)extra;
	}
	for (uint32_t id = 1; id < b->cnt && !err; id++)
		err = chk_type(e, b, id);
	if (!err)
		err = chk_loops(e, b);
	if (err) {
		bxe_btf_free(b);
		return err;
	}
	*out = b;
	return 0;
}

/* See btf.h. */
void bxe_btf_free(struct bpfbox_btf *b)
{
	if (!b)
		return;
	free(b->data);
	free(b->off);
	free(b);
}

/* ---- public accessors ---------------------------------------------------- */

/* See object.h. */
const char *bpfbox_btf_kind_name(uint32_t kind)
{
	return kind < K__MAX ? kind_names[kind] : "unknown";
}

/* See object.h. */
uint32_t bpfbox_btf__type_cnt(const struct bpfbox_btf *b)
{
	return b ? b->cnt : 0;
}

/* See object.h. */
int bpfbox_btf__type(const struct bpfbox_btf *b, uint32_t id, struct bpfbox_btf_type *t)
{
	uint32_t kind, st;
	const uint8_t *x;

	if (!t)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->id = id;
	t->name = "";
	if (!b || id >= b->cnt)
		return -ENOENT;
	if (id == 0)
		return 0;
	kind = bxe_btf_kind(b, id);
	st = t_sztype(b, id);
	x = t_extra(b, id);
	t->kind = kind;
	t->name = bxe_btf_str(b, bxe_rd32(t_rec(b, id)));
	t->vlen = t_vlen(b, id);
	t->kflag = t_info(b, id) >> 31;
	switch (kind) {
	case K_INT:
		t->size = st;
		t->int_encoding = bxe_rd32(x) >> 24 & 0xf;
		t->int_offset = bxe_rd32(x) >> 16 & 0xff;
		t->int_bits = bxe_rd32(x) & 0xff;
		break;
	case K_STRUCT: case K_UNION: case K_ENUM: case K_ENUM64: case K_DATASEC: case K_FLOAT:
		t->size = st;
		break;
	case K_ARRAY:
		t->type = bxe_rd32(x);
		t->index_type = bxe_rd32(x + 4);
		t->nelems = bxe_rd32(x + 8);
		break;
	case K_VAR:
		t->type = st;
		t->linkage = bxe_rd32(x);
		break;
	case K_FUNC:
		t->type = st;
		t->linkage = t->vlen;
		break;
	case K_DECL_TAG:
		t->type = st;
		t->component_idx = (int32_t)bxe_rd32(x);
		break;
	case K_FWD:
		break;
	default:
		t->type = st;
	}
	return 0;
}

/* See object.h. */
int bpfbox_btf__member(const struct bpfbox_btf *b, uint32_t id, uint32_t idx,
		       struct bpfbox_btf_member *m)
{
	uint32_t kind;
	const uint8_t *x;

	if (!m)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->name = "";
	if (!b || id == 0 || id >= b->cnt || idx >= t_vlen(b, id))
		return -ENOENT;
	kind = bxe_btf_kind(b, id);
	x = t_extra(b, id);
	switch (kind) {
	case K_STRUCT: case K_UNION: {
		uint32_t off = bxe_rd32(x + 12 * idx + 8);
		m->name = bxe_btf_str(b, bxe_rd32(x + 12 * idx));
		m->type = bxe_rd32(x + 12 * idx + 4);
		if (t_info(b, id) >> 31) {
			m->offset = off & 0xffffff;
			m->size = off >> 24;
		} else {
			m->offset = off;
		}
		return 0;
	}
	case K_ENUM:
		m->name = bxe_btf_str(b, bxe_rd32(x + 8 * idx));
		m->value = (t_info(b, id) >> 31) ? (int64_t)(int32_t)bxe_rd32(x + 8 * idx + 4)
						 : (int64_t)bxe_rd32(x + 8 * idx + 4);
		return 0;
	case K_ENUM64:
		m->name = bxe_btf_str(b, bxe_rd32(x + 12 * idx));
		m->value = (int64_t)((uint64_t)bxe_rd32(x + 12 * idx + 4) |
				     (uint64_t)bxe_rd32(x + 12 * idx + 8) << 32);
		return 0;
	case K_FUNC_PROTO:
		m->name = bxe_btf_str(b, bxe_rd32(x + 8 * idx));
		m->type = bxe_rd32(x + 8 * idx + 4);
		return 0;
	case K_DATASEC:
		m->type = bxe_rd32(x + 12 * idx);
		m->offset = bxe_rd32(x + 12 * idx + 4);
		m->size = bxe_rd32(x + 12 * idx + 8);
		return 0;
	default:
		return -ENOENT;
	}
}

/* See object.h. */
uint32_t bpfbox_btf__skip_mods(const struct bpfbox_btf *b, uint32_t id)
{
	/* loops were rejected at load; the bound is belt and braces */
	for (uint32_t n = 0; b && id < b->cnt && n < b->cnt; n++) {
		switch (bxe_btf_kind(b, id)) {
		case K_TYPEDEF: case K_VOLATILE: case K_CONST: case K_RESTRICT: case K_TYPE_TAG:
			id = t_sztype(b, id);
			continue;
		default:
			return id;
		}
	}
	return id;
}

/* See object.h. */
int64_t bpfbox_btf__resolve_size(const struct bpfbox_btf *b, uint32_t id)
{
	uint64_t mult = 1;

	if (!b || id >= b->cnt)
		return -ENOENT;
	for (uint32_t n = 0; n <= b->cnt; n++) {
		uint64_t sz;

		switch (bxe_btf_kind(b, id)) {
		case K_INT: case K_ENUM: case K_ENUM64: case K_STRUCT: case K_UNION:
		case K_DATASEC: case K_FLOAT:
			sz = t_sztype(b, id);
			break;
		case K_PTR:
			sz = 8;
			break;
		case K_TYPEDEF: case K_VOLATILE: case K_CONST: case K_RESTRICT:
		case K_TYPE_TAG: case K_VAR:
			id = t_sztype(b, id);
			continue;
		case K_ARRAY:
			mult *= bxe_rd32(t_extra(b, id) + 8);
			if (mult > UINT32_MAX)
				return -E2BIG;
			id = bxe_rd32(t_extra(b, id));
			continue;
		default:
			return -EINVAL;
		}
		if (sz * mult > UINT32_MAX)
			return -E2BIG;
		return (int64_t)(sz * mult);
	}
	return -ELOOP;
}

/* See object.h. */
int bpfbox_btf__find_by_name_kind(const struct bpfbox_btf *b, const char *name, uint32_t kind)
{
	if (!b || !name)
		return -ENOENT;
	for (uint32_t id = 1; id < b->cnt; id++) {
		const char *n = bxe_btf_str(b, bxe_rd32(t_rec(b, id)));

		if ((kind == 0 || bxe_btf_kind(b, id) == kind) && n && strcmp(n, name) == 0)
			return (int)id;
	}
	return -ENOENT;
}

/* ---- DATASEC fix-up ------------------------------------------------------ */

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Order symbol indices by name. */
static int cmp_symname(const void *a, const void *b, void *ctx)
{
	const struct bxe_sym *s = ctx;

	return strcmp(s[*(const uint32_t *)a].name, s[*(const uint32_t *)b].name);
}

/* See btf.h. */
int bxe_btf_fixup_datasec(struct bpfbox_btf *b, const struct bxe_elf *e)
{
	uint32_t *idx, n = 0;

	if (!b || !e->nsyms)
		return 0;
	idx = malloc(sizeof(*idx) * e->nsyms);
	if (!idx)
		return -ENOMEM;
	for (uint32_t i = 1; i < e->nsyms; i++)
		if (e->syms[i].type == BXE_STT_OBJECT || e->syms[i].type == BXE_STT_NOTYPE)
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), cmp_symname, e->syms);
	for (uint32_t id = 1; id < b->cnt; id++) {
		const char *sname;
		size_t sec;
		uint8_t *x;

		if (bxe_btf_kind(b, id) != K_DATASEC)
			continue;
		sname = bxe_btf_str(b, bxe_rd32(t_rec(b, id)));
		sec = sname ? bxe_elf_find_sec(e, sname) : 0;
		if (!sec)
			continue;
		if (t_sztype(b, id) == 0 && e->sh[sec].size <= UINT32_MAX)
			wr32(b->data + (t_rec(b, id) - b->data) + 8, (uint32_t)e->sh[sec].size);
		x = b->data + (t_extra(b, id) - b->data);
		for (uint32_t i = 0; i < t_vlen(b, id); i++) {
			uint32_t var = bxe_rd32(x + 12 * i);
			const char *vname = bxe_btf_kind(b, var) == K_VAR ? bxe_btf_str(b, bxe_rd32(t_rec(b, var))) : NULL;
			size_t lo = 0, hi = n;

			if (!vname)
				continue;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (strcmp(e->syms[idx[mid]].name, vname) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (; lo < n && !strcmp(e->syms[idx[lo]].name, vname); lo++) {
				const struct bxe_sym *y = &e->syms[idx[lo]];
				if (y->shndx == sec && y->value <= UINT32_MAX) {
					wr32(x + 12 * i + 4, (uint32_t)y->value);
					break;
				}
			}
		}
	}
	free(idx);
	return 0;
}

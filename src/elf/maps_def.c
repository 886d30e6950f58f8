/*
 * maps_def.c - map definitions: the legacy "maps" section (struct
 * bpf_map_def and longer variants), BTF-defined ".maps" (including
 * __array(values) initialisers and inner map definitions) and the internal
 * array maps made for global data sections.
 */
#include "obj.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAP_TYPE_ARRAY         2
#define MAP_TYPE_PROG_ARRAY    3
#define MAP_TYPE_ARRAY_OF_MAPS 12
#define MAP_TYPE_HASH_OF_MAPS  13
#define F_RDONLY_PROG 0x80
#define F_MMAPABLE    0x400
#define LEGACY_DEF_SZ 20

static bool is_map_in_map(uint32_t t) { return t == MAP_TYPE_ARRAY_OF_MAPS || t == MAP_TYPE_HASH_OF_MAPS; }

/* Append an empty map definition; returns its index or -ENOMEM. */
static int map_new(struct bpfbox_object *obj, const char *name, size_t sec, uint64_t off, uint64_t size)
{
	return bxe_map_new(obj, name, sec, off, size);
}

/* See obj.h. */
int bxe_map_new(struct bpfbox_object *obj, const char *name, size_t sec, uint64_t off, uint64_t size)
{
	if (obj->nmaps == obj->cap_maps) {
		size_t cap = obj->cap_maps ? obj->cap_maps * 2 : 8;
		struct bpfbox_map_def *m = realloc(obj->maps, cap * sizeof(*m));
		struct bxe_mapsrc *s;

		if (!m)
			return -ENOMEM;
		obj->maps = m;
		s = realloc(obj->msrc, cap * sizeof(*s));
		if (!s)
			return -ENOMEM;
		obj->msrc = s;
		obj->cap_maps = cap;
	}
	memset(&obj->maps[obj->nmaps], 0, sizeof(obj->maps[0]));
	obj->maps[obj->nmaps].name = name;
	obj->maps[obj->nmaps].section = obj->elf.sh[sec].name;
	obj->msrc[obj->nmaps] = (struct bxe_mapsrc){ sec, off, size, -1 };
	return (int)obj->nmaps++;
}

/* See obj.h. */
int bxe_map_at(const struct bpfbox_object *obj, size_t sec, uint64_t off)
{
	for (size_t i = 0; i < obj->nmaps; i++)
		if (obj->msrc[i].sec == sec && obj->msrc[i].off == off &&
		    obj->maps[i].origin != BPFBOX_MAP_DATA)
			return (int)i;
	return -1;
}

/* Compare symbols (indices) by value. */
static int cmp_sym(const void *a, const void *b, void *ctx)
{
	const struct bxe_sym *s = ctx;
	uint64_t x = s[*(const size_t *)a].value, y = s[*(const size_t *)b].value;

	return x < y ? -1 : x > y;
}

/* See obj.h: one map per symbol of the section; the definition size is the
 * section size divided by the number of symbols. */
int bxe_maps_legacy(struct bpfbox_object *obj, size_t sec)
{
	const struct bxe_elf *e = &obj->elf;
	const struct bxe_shdr *sh = &e->sh[sec];
	size_t *idx, n = 0, def_sz;
	int err = 0;

	if (!sh->data) {
		bxe_err(e, "legacy maps section '%s' has no contents", sh->name);
		return -EINVAL;
	}
	idx = calloc(e->nsyms + 1, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 1; i < e->nsyms; i++)
		if (e->syms[i].shndx == sec && e->syms[i].type != BXE_STT_SECTION)
			idx[n++] = i;
	if (!n || !sh->size || sh->size % n || (sh->size / n) % 4) {
		bxe_err(e, "legacy maps section: %llu bytes cannot hold %zu map definitions",
			(unsigned long long)sh->size, n);
		free(idx);
		return -EINVAL;
	}
	def_sz = sh->size / n;
	qsort_r(idx, n, sizeof(*idx), cmp_sym, e->syms);
	for (size_t k = 0; k < n && !err; k++) {
		const struct bxe_sym *y = &e->syms[idx[k]];
		const uint8_t *p;
		struct bpfbox_map_def *d;
		uint32_t f[5] = { 0 };
		int mi;

		if (!bxe_in_range(y->value, def_sz, sh->size) || (k && y->value == e->syms[idx[k - 1]].value)) {
			bxe_err(e, "legacy map '%s': definition at offset %llu (%zu bytes) is outside the "
				"maps section or shared", y->name, (unsigned long long)y->value, def_sz);
			err = -EINVAL;
			break;
		}
		p = sh->data + y->value;
		for (size_t j = 0; j < 5 && j * 4 < def_sz; j++)
			f[j] = bxe_rd32(p + 4 * j);
		for (size_t j = LEGACY_DEF_SZ; j < def_sz; j++)
			if (p[j]) {
				bxe_warn(e, "legacy map '%s': ignoring non-zero bytes after the %d-byte "
					 "struct bpf_map_def", y->name, LEGACY_DEF_SZ);
				break;
			}
		mi = map_new(obj, y->name, sec, y->value, def_sz);
		if (mi < 0) {
			err = mi;
			break;
		}
		d = &obj->maps[mi];
		d->origin = BPFBOX_MAP_LEGACY;
		d->type = f[0];
		d->key_size = f[1];
		d->value_size = f[2];
		d->max_entries = f[3];
		d->map_flags = f[4];
	}
	free(idx);
	return err;
}

/* The value of a __uint(name, val) member: pointer to an array of val. */
static int get_uint(const struct bxe_elf *e, const struct bpfbox_btf *btf, const char *map,
		    const char *field, uint32_t type, uint32_t *val)
{
	struct bpfbox_btf_type t;

	bpfbox_btf__type(btf, bpfbox_btf__skip_mods(btf, type), &t);
	if (t.kind == BPFBOX_BTF_KIND_PTR) {
		bpfbox_btf__type(btf, bpfbox_btf__skip_mods(btf, t.type), &t);
		if (t.kind == BPFBOX_BTF_KIND_ARRAY) {
			*val = t.nelems;
			return 0;
		}
	}
	bxe_err(e, "map '%s': field '%s' is not an __uint() (pointer to array)", map, field);
	return -EINVAL;
}

/* Key or value type of a __type(name, T) member: pointer to T. */
static int get_type(const struct bxe_elf *e, const struct bpfbox_btf *btf, const char *map,
		    const char *field, uint32_t type, uint32_t *id, uint32_t *size)
{
	struct bpfbox_btf_type t;
	int64_t sz;

	bpfbox_btf__type(btf, bpfbox_btf__skip_mods(btf, type), &t);
	if (t.kind != BPFBOX_BTF_KIND_PTR) {
		bxe_err(e, "map '%s': field '%s' is not a __type() (pointer)", map, field);
		return -EINVAL;
	}
	sz = bpfbox_btf__resolve_size(btf, t.type);
	if (sz <= 0) {
		bxe_err(e, "map '%s': cannot size the %s type [%u] (%lld)", map, field, t.type, (long long)sz);
		return -EINVAL;
	}
	*id = t.type;
	*size = (uint32_t)sz;
	return 0;
}

/* Set a size field, complaining if key_size/__type(key) disagree. */
static int set_size(const struct bxe_elf *e, const char *map, const char *what, uint32_t *dst,
		    uint32_t val)
{
	if (*dst && *dst != val) {
		bxe_err(e, "map '%s': conflicting %s sizes %u and %u", map, what, *dst, val);
		return -EINVAL;
	}
	*dst = val;
	return 0;
}

/* Parse a BTF map definition struct into d. values_off/values_type receive
 * the __array(values) member (if any). */
static int parse_btf_def(struct bpfbox_object *obj, const char *map, uint32_t sid,
			 struct bpfbox_map_def *d, bool inner, int64_t *values_off, int depth)
{
	const struct bxe_elf *e = &obj->elf;
	const struct bpfbox_btf *btf = obj->btf;
	struct bpfbox_btf_type st, t;
	uint32_t values_type = 0;
	int err = 0;

	bpfbox_btf__type(btf, sid, &st);
	for (uint32_t i = 0; i < st.vlen && !err; i++) {
		struct bpfbox_btf_member m;
		uint32_t v = 0;

		bpfbox_btf__member(btf, sid, i, &m);
		if (!strcmp(m.name, "type")) {
			err = get_uint(e, btf, map, m.name, m.type, &d->type);
		} else if (!strcmp(m.name, "max_entries")) {
			err = get_uint(e, btf, map, m.name, m.type, &d->max_entries);
		} else if (!strcmp(m.name, "map_flags")) {
			err = get_uint(e, btf, map, m.name, m.type, &d->map_flags);
		} else if (!strcmp(m.name, "numa_node")) {
			err = get_uint(e, btf, map, m.name, m.type, &d->numa_node);
		} else if (!strcmp(m.name, "pinning")) {
			err = get_uint(e, btf, map, m.name, m.type, &d->pinning);
			if (!err && d->pinning > 1) {
				bxe_err(e, "map '%s': unknown pinning %u", map, d->pinning);
				err = -EINVAL;
			}
		} else if (!strcmp(m.name, "map_extra")) {
			err = get_uint(e, btf, map, m.name, m.type, &v);
			d->map_extra = v;
		} else if (!strcmp(m.name, "key_size")) {
			err = get_uint(e, btf, map, m.name, m.type, &v) ?: set_size(e, map, "key", &d->key_size, v);
		} else if (!strcmp(m.name, "value_size")) {
			err = get_uint(e, btf, map, m.name, m.type, &v) ?:
			      set_size(e, map, "value", &d->value_size, v);
		} else if (!strcmp(m.name, "key")) {
			err = get_type(e, btf, map, m.name, m.type, &d->btf_key_type_id, &v) ?:
			      set_size(e, map, "key", &d->key_size, v);
		} else if (!strcmp(m.name, "value")) {
			err = get_type(e, btf, map, m.name, m.type, &d->btf_value_type_id, &v) ?:
			      set_size(e, map, "value", &d->value_size, v);
		} else if (!strcmp(m.name, "values")) {
			bpfbox_btf__type(btf, bpfbox_btf__skip_mods(btf, m.type), &t);
			if (inner) {
				bxe_err(e, "map '%s': an inner map definition cannot have values", map);
				err = -EINVAL;
			} else if (t.kind != BPFBOX_BTF_KIND_ARRAY || m.offset % 8 || t.nelems) {
				bxe_err(e, "map '%s': 'values' is not an __array() (zero-length array)", map);
				err = -EINVAL;
			} else {
				bpfbox_btf__type(btf, bpfbox_btf__skip_mods(btf, t.type), &t);
				if (t.kind != BPFBOX_BTF_KIND_PTR) {
					bxe_err(e, "map '%s': 'values' elements are not pointers", map);
					err = -EINVAL;
				}
				values_type = bpfbox_btf__skip_mods(btf, t.type);
				*values_off = m.offset / 8;
			}
		} else {
			bxe_warn(e, "map '%s': ignoring unknown field '%s'", map, m.name);
		}
	}
	if (err || !values_type)
		return err;
	bpfbox_btf__type(btf, values_type, &t);
	if (is_map_in_map(d->type)) {
		struct bpfbox_map_def *in;

		if (t.kind != BPFBOX_BTF_KIND_STRUCT || depth > 0) {
			bxe_err(e, "map '%s': map-in-map values must point to a map definition struct", map);
			return -EINVAL;
		}
		in = calloc(1, sizeof(*in));
		if (!in)
			return -ENOMEM;
		d->inner = in;
		in->name = "";
		in->section = d->section;
		in->origin = BPFBOX_MAP_BTF;
		err = parse_btf_def(obj, map, values_type, in, true, values_off, depth + 1);
		if (err)
			return err;
	} else if (d->type == MAP_TYPE_PROG_ARRAY) {
		if (t.kind != BPFBOX_BTF_KIND_FUNC_PROTO) {
			bxe_err(e, "map '%s': prog array values must point to a function prototype", map);
			return -EINVAL;
		}
	} else {
		bxe_err(e, "map '%s': __array(values) needs a prog array or map-in-map type, not %u",
			map, d->type);
		return -EINVAL;
	}
	if (d->value_size && d->value_size != 4) {
		bxe_err(e, "map '%s': value size %u must be 4 for __array(values)", map, d->value_size);
		return -EINVAL;
	}
	d->value_size = 4;
	return 0;
}

/* See obj.h: the variables of the ".maps" DATASEC. */
int bxe_maps_btf(struct bpfbox_object *obj, size_t sec)
{
	const struct bxe_elf *e = &obj->elf;
	const struct bxe_shdr *sh = &e->sh[sec];
	struct bpfbox_btf_type ds;
	int dsid;

	if (!obj->btf) {
		bxe_err(e, "section '.maps' needs BTF, but the object has no .BTF section");
		return -EINVAL;
	}
	dsid = bpfbox_btf__find_by_name_kind(obj->btf, ".maps", BPFBOX_BTF_KIND_DATASEC);
	if (dsid < 0) {
		bxe_err(e, "section '.maps' has no BTF DATASEC '.maps'");
		return -EINVAL;
	}
	bpfbox_btf__type(obj->btf, (uint32_t)dsid, &ds);
	for (uint32_t i = 0; i < ds.vlen; i++) {
		struct bpfbox_btf_member v;
		struct bpfbox_btf_type var, st;
		int mi, err;

		bpfbox_btf__member(obj->btf, (uint32_t)dsid, i, &v);
		bpfbox_btf__type(obj->btf, v.type, &var);
		if (var.kind != BPFBOX_BTF_KIND_VAR) {
			bxe_err(e, ".maps: DATASEC entry %u (type [%u]) is not a variable", i, v.type);
			return -EINVAL;
		}
		bpfbox_btf__type(obj->btf, bpfbox_btf__skip_mods(obj->btf, var.type), &st);
		if (st.kind != BPFBOX_BTF_KIND_STRUCT) {
			bxe_err(e, "map '%s': definition is a %s, not a struct", var.name,
				bpfbox_btf_kind_name(st.kind));
			return -EINVAL;
		}
		if (!bxe_in_range(v.offset, v.size, sh->size) || v.size < st.size) {
			bxe_err(e, "map '%s': definition at offset %u (%u bytes) does not fit section '.maps' "
				"(%llu bytes)", var.name, v.offset, v.size, (unsigned long long)sh->size);
			return -EINVAL;
		}
		mi = map_new(obj, var.name, sec, v.offset, v.size);
		if (mi < 0)
			return mi;
		obj->maps[mi].origin = BPFBOX_MAP_BTF;
		err = parse_btf_def(obj, var.name, st.id, &obj->maps[mi], false, &obj->msrc[mi].values_off, 0);
		if (err)
			return err;
	}
	return 0;
}

/* See obj.h: one single-entry array per non-empty global data section. */
int bxe_maps_data(struct bpfbox_object *obj)
{
	const struct bxe_elf *e = &obj->elf;

	for (size_t s = 1; s < e->shnum; s++) {
		const struct bxe_shdr *sh = &e->sh[s];
		struct bpfbox_map_def *d;
		int mi, id;

		if (obj->secs[s].role != BXE_SEC_DATA || !sh->size)
			continue;
		if (sh->size > UINT32_MAX) {
			bxe_err(e, "data section '%s' is too large (%llu bytes)", sh->name,
				(unsigned long long)sh->size);
			return -E2BIG;
		}
		mi = map_new(obj, sh->name, s, 0, sh->size);
		if (mi < 0)
			return mi;
		obj->secs[s].map_idx = mi;
		d = &obj->maps[mi];
		d->origin = BPFBOX_MAP_DATA;
		d->type = MAP_TYPE_ARRAY;
		d->key_size = 4;
		d->value_size = (uint32_t)sh->size;
		d->max_entries = 1;
		d->internal = true;
		d->readonly = !strncmp(sh->name, ".rodata", 7);
		d->map_flags = F_MMAPABLE | (d->readonly ? F_RDONLY_PROG : 0);
		d->init_data = sh->type == BXE_SHT_NOBITS ? NULL : sh->data;
		id = bpfbox_btf__find_by_name_kind(obj->btf, sh->name, BPFBOX_BTF_KIND_DATASEC);
		d->btf_value_type_id = id > 0 ? (uint32_t)id : 0;
	}
	return 0;
}

/* Order initialisers by slot. */
static int cmp_init(const void *a, const void *b)
{
	const struct bpfbox_map_init *x = a, *y = b;

	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/* Resolve one .maps relocation into an initial slot of map mi. */
static int add_init(struct bpfbox_object *obj, int mi, const struct bxe_rel *r)
{
	const struct bxe_elf *e = &obj->elf;
	struct bpfbox_map_def *d = &obj->maps[mi];
	const struct bxe_sym *y = &e->syms[r->sym];
	struct bpfbox_map_init in = { .map_idx = -1 };
	struct bpfbox_map_init *n;
	int64_t rel = (int64_t)(r->offset - obj->msrc[mi].off) - obj->msrc[mi].values_off;

	if (obj->msrc[mi].values_off < 0 || rel < 0 || rel % 8 || r->type != BXE_R_BPF_64_ABS64) {
		bxe_err(e, "map '%s': relocation at .maps offset %llu (symbol '%s', type %u) is not a "
			"'values' slot", d->name, (unsigned long long)r->offset, y->name, r->type);
		return -EINVAL;
	}
	in.slot = (uint32_t)(rel / 8);
	if (in.slot >= d->max_entries) {
		bxe_err(e, "map '%s': initial value for slot %u, but max_entries is %u", d->name, in.slot,
			d->max_entries);
		return -EINVAL;
	}
	if (is_map_in_map(d->type)) {
		in.map_idx = y->shndx == obj->btf_maps_sec ? bxe_map_at(obj, y->shndx, y->value) : -1;
		if (in.map_idx < 0) {
			bxe_err(e, "map '%s': slot %u refers to '%s', which is not a map", d->name, in.slot, y->name);
			return -EINVAL;
		}
		in.map_name = obj->maps[in.map_idx].name;
	} else {
		int f = (y->shndx < e->shnum && obj->secs[y->shndx].role == BXE_SEC_CODE && y->value % 8 == 0)
			? bxe_func_at(obj, y->shndx, y->value / 8) : -1;
		if (f < 0 || !obj->funcs[f].is_prog) {
			bxe_err(e, "map '%s': slot %u refers to '%s', which is not a program", d->name, in.slot, y->name);
			return -EINVAL;
		}
		in.prog_name = obj->funcs[f].name;
	}
	for (size_t i = 0; i < d->init_cnt; i++)
		if (d->init[i].slot == in.slot) {
			bxe_err(e, "map '%s': slot %u initialised twice", d->name, in.slot);
			return -EINVAL;
		}
	n = realloc((void *)d->init, (d->init_cnt + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	n[d->init_cnt++] = in;
	d->init = n;
	return 0;
}

/* See obj.h: relocations of the ".maps" section are __array(values)
 * initialisers. */
int bxe_maps_values(struct bpfbox_object *obj)
{
	const struct bxe_secinfo *si;

	if (!obj->btf_maps_sec)
		return 0;
	si = &obj->secs[obj->btf_maps_sec];
	for (size_t i = 0; i < si->nrels; i++) {
		const struct bxe_rel *r = &si->rels[i];
		int mi = -1, err;

		for (size_t k = 0; k < obj->nmaps; k++)
			if (obj->msrc[k].sec == obj->btf_maps_sec && r->offset >= obj->msrc[k].off &&
			    r->offset - obj->msrc[k].off < obj->msrc[k].size)
				mi = (int)k;
		if (mi < 0) {
			bxe_err(&obj->elf, ".maps relocation at offset %llu is outside every map definition",
				(unsigned long long)r->offset);
			return -EINVAL;
		}
		err = add_init(obj, mi, r);
		if (err)
			return err;
	}
	for (size_t k = 0; k < obj->nmaps; k++)
		if (obj->maps[k].init_cnt)
			qsort((void *)obj->maps[k].init, obj->maps[k].init_cnt, sizeof(*obj->maps[k].init), cmp_init);
	return 0;
}

/* See obj.h. */
void bxe_maps_free(struct bpfbox_object *obj)
{
	for (size_t i = 0; i < obj->nmaps; i++) {
		free((void *)obj->maps[i].init);
		free((void *)obj->maps[i].inner);
	}
	free(obj->maps);
	free(obj->msrc);
	obj->maps = NULL;
	obj->msrc = NULL;
	obj->nmaps = 0;
}

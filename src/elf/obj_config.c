/*
 * obj_config.c - what a loader may change in an object before
 * bpfbox_object__load(), as libbpf's skeleton and bpf_program__set_*()
 * allow: the initial values of global data (.data, .rodata, .bss) and
 * their variables by name through the BTF DATASEC, a program's type and
 * expected attach type, and which programs load (a selection and what it
 * needs through its prog arrays).
 */
#include "obj.h"
#include "progtype/prog_types.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define CFG_LOG(obj) (&(obj)->log)

/* ---- global data --------------------------------------------------------- */

/* See object.h. */
void *bpfbox_object__map_initial_value(struct bpfbox_object *obj, size_t idx, size_t *size)
{
	struct bpfbox_map_def *d;

	if (!obj || obj->loaded || idx >= obj->nmaps || obj->maps[idx].origin != BPFBOX_MAP_DATA)
		return NULL;
	d = &obj->maps[idx];
	if (!obj->init_buf && !(obj->init_buf = calloc(obj->nmaps, sizeof(*obj->init_buf))))
		return NULL;
	if (!obj->init_buf[idx]) {
		uint8_t *b = calloc(1, d->value_size ? d->value_size : 1);

		if (!b)
			return NULL;
		if (d->init_data)
			memcpy(b, d->init_data, d->value_size);
		obj->init_buf[idx] = b;
		d->init_data = b;	/* what load_map() stores */
	}
	if (size)
		*size = d->value_size;
	return obj->init_buf[idx];
}

/* See object.h. */
int bpfbox_object__set_map_initial_value(struct bpfbox_object *obj, size_t idx, const void *data,
					 size_t size)
{
	size_t have;
	void *b;

	if (!obj || !data)
		return -EINVAL;
	if (obj->loaded)
		return -EBUSY;
	if (idx >= obj->nmaps || obj->maps[idx].origin != BPFBOX_MAP_DATA ||
	    size != obj->maps[idx].value_size)
		return -EINVAL;
	if (!(b = bpfbox_object__map_initial_value(obj, idx, &have)))
		return -ENOMEM;
	memcpy(b, data, size);
	return 0;
}

/* Variable `name` in the DATASEC of global-data map mi: 1 if found (out
 * filled), else 0. */
static int var_in_map(const struct bpfbox_object *obj, size_t mi, const char *name,
		      struct bpfbox_var *out)
{
	const struct bpfbox_map_def *d = &obj->maps[mi];
	struct bpfbox_btf_type ds, v;
	struct bpfbox_btf_member m;

	if (bpfbox_btf__type(obj->btf, d->btf_value_type_id, &ds) ||
	    ds.kind != BPFBOX_BTF_KIND_DATASEC)
		return 0;
	for (uint32_t k = 0; k < ds.vlen; k++) {
		if (bpfbox_btf__member(obj->btf, ds.id, k, &m) || bpfbox_btf__type(obj->btf, m.type, &v) ||
		    v.kind != BPFBOX_BTF_KIND_VAR || strcmp(v.name, name))
			continue;
		if ((uint64_t)m.offset + m.size > d->value_size)
			continue;	/* malformed: never write outside the value */
		*out = (struct bpfbox_var){ .name = v.name, .map_idx = mi, .offset = m.offset,
					    .size = m.size, .type_id = v.type,
					    .readonly = d->readonly };
		return 1;
	}
	return 0;
}

/* See object.h. */
int bpfbox_object__find_var(const struct bpfbox_object *obj, const char *name,
			    struct bpfbox_var *out)
{
	if (!obj || !name || !out)
		return -EINVAL;
	if (!obj->btf)
		return -ENOENT;
	for (size_t i = 0; i < obj->nmaps; i++)
		if (obj->maps[i].origin == BPFBOX_MAP_DATA && obj->maps[i].btf_value_type_id &&
		    var_in_map(obj, i, name, out))
			return 0;
	return -ENOENT;
}

/* Parse an integer of `bytes` bytes, signed or not, into *out (its two's
 * complement bits). Returns 0, -EINVAL (not a number) or -ERANGE. */
static int parse_int(const char *s, uint32_t bytes, bool sign, uint64_t *out)
{
	char *end;

	if (!*s)
		return -EINVAL;
	errno = 0;
	if (sign) {
		long long v = strtoll(s, &end, 0);
		long long max = bytes >= 8 ? LLONG_MAX : (1LL << (bytes * 8 - 1)) - 1;

		if (*end)
			return -EINVAL;
		if (errno == ERANGE || v > max || v < -max - 1)
			return -ERANGE;
		*out = (uint64_t)v;
	} else {
		unsigned long long v;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '-')
			return -ERANGE;
		v = strtoull(s, &end, 0);
		if (*end)
			return -EINVAL;
		if (errno == ERANGE || (bytes < 8 && v >> (bytes * 8)))
			return -ERANGE;
		*out = v;
	}
	return 0;
}

/* An enum value from an enumerator name or a number. */
static int parse_enum(const struct bpfbox_btf *btf, const struct bpfbox_btf_type *t,
		      const char *s, uint64_t *out)
{
	struct bpfbox_btf_member m;

	for (uint32_t k = 0; k < t->vlen; k++)
		if (!bpfbox_btf__member(btf, t->id, k, &m) && !strcmp(m.name, s)) {
			*out = (uint64_t)m.value;
			return 0;
		}
	return parse_int(s, t->size, t->kflag, out);
}

/* Encode text `val` as a value of BTF type tid into dst (size bytes, the
 * variable's). Sets *what to the kind of value expected, for messages. */
static int encode(const struct bpfbox_btf *btf, uint32_t tid, const char *val, uint8_t *dst,
		  uint32_t size, const char **what)
{
	struct bpfbox_btf_type t, e;
	uint64_t v = 0;
	int err;

	tid = bpfbox_btf__skip_mods(btf, tid);
	if (bpfbox_btf__type(btf, tid, &t))
		return -EINVAL;
	switch (t.kind) {
	case BPFBOX_BTF_KIND_INT:
		if (t.int_encoding & 4) {	/* bool */
			*what = "a bool (true, false, 1 or 0)";
			if (!strcmp(val, "true") || !strcmp(val, "1"))
				v = 1;
			else if (strcmp(val, "false") && strcmp(val, "0"))
				return -EINVAL;
		} else {
			*what = t.int_encoding & 1 ? "a signed integer" : "an unsigned integer";
			if (t.int_offset || t.int_bits != t.size * 8 || t.size > 8)
				return -ENOTSUP;
			if ((err = parse_int(val, t.size, t.int_encoding & 1, &v)))
				return err;
		}
		break;
	case BPFBOX_BTF_KIND_ENUM: case BPFBOX_BTF_KIND_ENUM64:
		*what = "an enumerator's name or an integer";
		if (t.size > 8 || (err = parse_enum(btf, &t, val, &v)))
			return t.size > 8 ? -ENOTSUP : err;
		break;
	case BPFBOX_BTF_KIND_ARRAY: {
		size_t len = strlen(val);

		*what = "a string";
		if (bpfbox_btf__type(btf, bpfbox_btf__skip_mods(btf, t.type), &e) ||
		    e.kind != BPFBOX_BTF_KIND_INT || e.size != 1 || (uint64_t)t.nelems > size)
			return -ENOTSUP;
		if (len >= t.nelems)
			return -ERANGE;
		memset(dst, 0, t.nelems);
		memcpy(dst, val, len);
		return 0;
	}
	default:
		*what = bpfbox_btf_kind_name(t.kind);
		return -ENOTSUP;
	}
	if (t.size > size)
		return -ENOTSUP;
	for (uint32_t b = 0; b < t.size; b++)	/* little-endian, as the BPF target */
		dst[b] = (uint8_t)(v >> (8 * b));
	return 0;
}

/* See object.h. */
int bpfbox_object__set_var(struct bpfbox_object *obj, const char *name, const char *value)
{
	const char *what = "a value";
	struct bpfbox_var var;
	uint8_t *buf;
	int err;

	if (!obj || !name || !value)
		return -EINVAL;
	if (obj->loaded) {
		bx_err(CFG_LOG(obj), "%s: cannot set '%s': the object is loaded", obj->name, name);
		return -EBUSY;
	}
	if (bpfbox_object__find_var(obj, name, &var)) {
		bx_err(CFG_LOG(obj), "%s: no global variable '%s' in .data, .rodata or .bss%s",
		       obj->name, name, obj->btf ? "" : " (the object has no BTF)");
		return -ENOENT;
	}
	if (!(buf = bpfbox_object__map_initial_value(obj, var.map_idx, NULL)))
		return -ENOMEM;
	err = encode(obj->btf, var.type_id, value, buf + var.offset, var.size, &what);
	if (err == -ERANGE)
		bx_err(CFG_LOG(obj), "%s: '%s' does not fit variable '%s' (%u bytes, %s)", obj->name,
		       value, name, var.size, what);
	else if (err == -EINVAL)
		bx_err(CFG_LOG(obj), "%s: '%s' is not a value for variable '%s' (%s expected)",
		       obj->name, value, name, what);
	else if (err)
		bx_err(CFG_LOG(obj), "%s: variable '%s' is of a type text cannot set (%s)", obj->name,
		       name, what);
	return err;
}

/* ---- program type -------------------------------------------------------- */

/* See object.h. */
int bpfbox_program__set_type(struct bpfbox_program *prog, uint32_t type)
{
	if (!prog || !bxp_prog_type(type))
		return -EINVAL;
	if (prog->obj->loaded)
		return -EBUSY;
	prog->sm.prog_type = type;
	return 0;
}

/* See object.h. */
int bpfbox_program__set_expected_attach_type(struct bpfbox_program *prog, uint32_t attach_type)
{
	if (!prog)
		return -EINVAL;
	if (prog->obj->loaded)
		return -EBUSY;
	prog->sm.attach_type = attach_type;
	return 0;
}

/* See object.h. */
uint32_t bpfbox_program__flags(const struct bpfbox_program *prog)
{
	return prog && prog->sm.sleepable ? 1u << 4 /* BPF_F_SLEEPABLE */ : 0;
}

/* See object.h. */
uint32_t bpfbox_prog_type_by_name(const char *name)
{
	for (uint32_t t = 1; name && bpfbox_prog_type_name(t); t++)
		if (!strcmp(bpfbox_prog_type_name(t), name))
			return t;
	return 0;
}

/* ---- autoload of a selection --------------------------------------------- */

/* Mark map mi used, and through its initial slots the programs placed in it
 * (want[]) and the inner maps (recursively). */
static void need_map(const struct bpfbox_object *obj, size_t mi, bool *map_seen, bool *want)
{
	const struct bpfbox_map_def *d = &obj->maps[mi];

	if (map_seen[mi])
		return;
	map_seen[mi] = true;
	for (size_t k = 0; k < d->init_cnt; k++) {
		const struct bpfbox_map_init *in = &d->init[k];

		if (in->prog_name) {
			struct bpfbox_program *p = bpfbox_object__find_program_by_name(obj, in->prog_name);

			if (p)
				want[p - obj->progs] = true;
		}
		if (in->map_idx >= 0 && (size_t)in->map_idx < obj->nmaps)
			need_map(obj, (size_t)in->map_idx, map_seen, want);
	}
}

/* See object.h. */
int bpfbox_object__autoload_only(struct bpfbox_object *obj, struct bpfbox_program *const *sel,
				 size_t nsel)
{
	bool *want, *done, *map_seen;
	size_t *idx, n;
	bool more = true;

	if (!obj)
		return -EINVAL;
	if (obj->loaded)
		return -EBUSY;
	for (size_t i = 0; i < nsel; i++)
		if (!sel[i] || sel[i]->obj != obj)
			return -EINVAL;
	want = calloc(obj->nprogs + 1, 1);
	done = calloc(obj->nprogs + 1, 1);
	map_seen = calloc(obj->nmaps + 1, 1);
	idx = calloc(obj->nmaps + 1, sizeof(*idx));
	if (!want || !done || !map_seen || !idx) {
		free(want), free(done), free(map_seen), free(idx);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nsel; i++)
		want[sel[i] - obj->progs] = true;
	while (more) {	/* until no program adds another */
		more = false;
		for (size_t p = 0; p < obj->nprogs; p++) {
			if (!want[p] || done[p])
				continue;
			done[p] = more = true;
			n = bpfbox_program__maps_used(&obj->progs[p], idx, obj->nmaps);
			for (size_t k = 0; k < n && k < obj->nmaps; k++)
				need_map(obj, idx[k], map_seen, want);
		}
	}
	for (size_t p = 0; p < obj->nprogs; p++)
		obj->progs[p].sm.autoload = want[p];
	free(want), free(done), free(map_seen), free(idx);
	return 0;
}

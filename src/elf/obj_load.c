/*
 * obj_load.c - loading an opened object into a VM: the glue between the
 * ELF model (obj.h), the maps (src/maps) and the VM (src/vm).
 *
 * bpfbox_object__load() runs a pipeline in libbpf style
 * (err = err ?: step(obj)): create the maps, load the programs, fill the
 * prog-array and map-in-map slots. bxe_obj_unload() releases whatever the
 * steps built, so a failure at any step just unloads.
 */
#include "obj.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfbox/map.h"
#include "isa/opcodes.h"
#include "maps/map_internal.h"
#include "vm/vm_internal.h"

#define OBJ_LOG(obj) (&(obj)->log)

/* ---- maps ---------------------------------------------------------------------- */

/* A name bpfbox_map__create() accepts: [A-Za-z0-9_.], others become '_'. */
static void map_name(const char *in, char *out, size_t size)
{
	size_t i;

	for (i = 0; in && in[i] && i + 1 < size; i++) {
		char c = in[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '.';
		out[i] = ok ? c : '_';
	}
	out[i] = 0;
}

/* Create one map from a definition (`inner`: the template of a map-in-map). */
static int create_map(struct bpfbox_object *obj, struct bpfbox_vm *vm,
		      const struct bpfbox_map_def *d, struct bpfbox_map *inner,
		      struct bpfbox_map **out)
{
	char name[BXM_NAME_LEN];
	uint32_t max_entries = d->max_entries;
	int err;

	/* libbpf sizes a perf event array without max_entries to the CPUs */
	if (d->type == BPFBOX_MAP_TYPE_PERF_EVENT_ARRAY && !max_entries)
		max_entries = bxv_vm_nr_cpus(vm);
	map_name(d->name, name, sizeof(name));
	BPFBOX_OPTS(bpfbox_map_create_opts, o, .name = name, .map_flags = d->map_flags,
		    .map_extra = d->map_extra, .nr_cpus = bxv_vm_nr_cpus(vm),
		    .inner_map_template = inner, .log = obj->log.fn, .log_ctx = obj->log.ctx);
	err = bpfbox_map__create(d->type, d->key_size, d->value_size, max_entries, &o, out);
	if (err)
		bx_err(OBJ_LOG(obj), "%s: map '%s' (%s, key %u, value %u, %u entries, flags 0x%x): "
		       "cannot create it (%d)", obj->name, d->name,
		       bpfbox_map_type_name(d->type) ? bpfbox_map_type_name(d->type) : "unknown type",
		       d->key_size, d->value_size, d->max_entries, d->map_flags, err);
	return err;
}

/* Create map idx; map-in-maps through a template made from the inner
 * definition; global data gets its section's bytes. */
static int load_map(struct bpfbox_object *obj, struct bpfbox_vm *vm, size_t idx)
{
	const struct bpfbox_map_def *d = &obj->maps[idx];
	struct bpfbox_map *tmpl = NULL;
	uint32_t key = 0;
	int err;

	if (d->inner) {
		err = create_map(obj, vm, d->inner, NULL, &tmpl);
		if (err)
			return err;
	}
	err = create_map(obj, vm, d, tmpl, &obj->map_inst[idx]);
	bpfbox_map__free(tmpl);	/* only read at creation */
	if (err || !d->internal || !d->init_data)
		return err;
	err = bpfbox_map__update_elem(obj->map_inst[idx], &key, d->init_data, BPFBOX_ANY);
	if (err)
		bx_err(OBJ_LOG(obj), "%s: map '%s': cannot store the initial data (%d)", obj->name,
		       d->name, err);
	return err;
}

/* Step 1: every map, in object map index order. */
static int obj_create_maps(struct bpfbox_object *obj, struct bpfbox_vm *vm)
{
	int err = 0;

	obj->map_inst = calloc(obj->nmaps ? obj->nmaps : 1, sizeof(*obj->map_inst));
	if (!obj->map_inst)
		return -ENOMEM;
	for (size_t i = 0; i < obj->nmaps && !err; i++)
		err = load_map(obj, vm, i);
	return err;
}

/* ---- programs ------------------------------------------------------------------ */

/* Step 2: every program whose autoload is on. */
static int obj_load_progs(struct bpfbox_object *obj, struct bpfbox_vm *vm,
			  const struct bpfbox_object_load_opts *opts)
{
	for (size_t i = 0; i < obj->nprogs; i++) {
		struct bpfbox_program *p = &obj->progs[i];
		const char *why;
		int err;

		if (!p->sm.autoload)
			continue;
		if (!bpfbox_program__loadable(p, &why)) {
			if (opts->skip_unloadable) {
				bx_warn(OBJ_LOG(obj), "%s: program '%s' skipped: %s", obj->name,
					p->name, why);
				continue;
			}
			bx_err(OBJ_LOG(obj), "%s: program '%s' cannot be loaded: %s (turn its "
			       "autoload off to load the rest)", obj->name, p->name, why);
			return -ENOTSUP;
		}
		BPFBOX_OPTS(bpfbox_prog_opts, po, .name = p->name, .prog_type = p->sm.prog_type,
			    .expected_attach_type = p->sm.attach_type, .license = obj->license,
			    .prog_flags = bpfbox_program__flags(p),
			    .maps = obj->map_inst, .map_cnt = obj->nmaps,
			    .no_verify = opts->no_verify, .unpriv = opts->unpriv);
		struct bpfbox_line_info *li = NULL;

		/* BTF-typed programs: the kernel BTF and the attach target (attach.c) */
		if (p->attach_btf_id) {
			po.attach_btf = bpfbox_object__target_btf(obj);
			po.attach_btf_id = p->attach_btf_id;
		}

		/* the verifier names source lines in its reports */
		if (p->nlines && (li = calloc(p->nlines, sizeof(*li)))) {
			for (size_t k = 0; k < p->nlines; k++)
				li[k] = (struct bpfbox_line_info){
					.insn_off = (uint32_t)p->lines[k].insn, .line = p->lines[k].line,
					.col = p->lines[k].col, .file = p->lines[k].file,
					.text = p->lines[k].text,
				};
			po.line_info = li;
			po.line_info_cnt = p->nlines;
		}
		/* the verifier's rules for LD_ABS and tail calls in subprograms */
		struct bpfbox_func_info *fi = p->nfinfo ? calloc(p->nfinfo, sizeof(*fi)) : NULL;

		if (fi) {
			po.func_info = fi;
			po.func_info_cnt = bpfbox_program__verifier_funcs(p, fi, p->nfinfo);
		}
		err = bpfbox_prog__load(vm, p->insns, p->cnt, &po, &p->inst);
		free(fi);
		free(li);
		if (err) {
			bx_err(OBJ_LOG(obj), "%s: program '%s' (section '%s'): load failed (%d)",
			       obj->name, p->name, p->sec_name, err);
			return err;
		}
	}
	return 0;
}

/* ---- __array(values) slots ------------------------------------------------------ */

/* Fill slot `in` of map idx: a program (prog array) or an inner map. */
static int init_slot(struct bpfbox_object *obj, size_t idx, const struct bpfbox_map_init *in)
{
	const struct bpfbox_map_def *d = &obj->maps[idx];
	struct bpfbox_map *m = obj->map_inst[idx];
	void *val = NULL;
	int err;

	if (d->key_size != sizeof(in->slot)) {
		bx_err(OBJ_LOG(obj), "%s: map '%s': __array(values) needs 4-byte keys (has %u)",
		       obj->name, d->name, d->key_size);
		return -EINVAL;
	}
	if (in->prog_name) {
		struct bpfbox_program *t = bpfbox_object__find_program_by_name(obj, in->prog_name);

		if (!t) {
			bx_err(OBJ_LOG(obj), "%s: map '%s', slot %u: no program '%s'", obj->name,
			       d->name, in->slot, in->prog_name);
			return -ENOENT;
		}
		if (!t->inst) {	/* not loaded (autoload off, e.g. not selected): empty slot */
			bx_info(OBJ_LOG(obj), "%s: map '%s', slot %u: program '%s' is not loaded; "
				"the slot stays empty", obj->name, d->name, in->slot, in->prog_name);
			return 0;
		}
		val = t->inst;
	} else if (in->map_idx >= 0 && (size_t)in->map_idx < obj->nmaps) {
		val = obj->map_inst[in->map_idx];
	} else {
		bx_err(OBJ_LOG(obj), "%s: map '%s', slot %u: names neither a program nor a map",
		       obj->name, d->name, in->slot);
		return -EINVAL;
	}
	err = bpfbox_map__update_elem(m, &in->slot, &val, BPFBOX_ANY);
	if (err)
		bx_err(OBJ_LOG(obj), "%s: map '%s': cannot set slot %u to %s '%s' (%d)", obj->name,
		       d->name, in->slot, in->prog_name ? "program" : "map",
		       in->prog_name ? in->prog_name : in->map_name ? in->map_name : "?", err);
	return err;
}

/* Step 3: the initial slots of prog arrays and map-in-maps. */
static int obj_init_slots(struct bpfbox_object *obj)
{
	int err = 0;

	for (size_t i = 0; i < obj->nmaps && !err; i++)
		for (size_t k = 0; k < obj->maps[i].init_cnt && !err; k++)
			err = init_slot(obj, i, &obj->maps[i].init[k]);
	return err;
}

/* ---- the API -------------------------------------------------------------------- */

/* See obj.h: programs first (they point at the maps), then the maps. */
void bxe_obj_unload(struct bpfbox_object *obj)
{
	for (size_t i = 0; i < obj->nprogs; i++) {
		bpfbox_prog__free(obj->progs[i].inst);
		obj->progs[i].inst = NULL;
	}
	if (obj->map_inst)
		for (size_t i = 0; i < obj->nmaps; i++)
			bpfbox_map__free(obj->map_inst[i]);
	free(obj->map_inst);
	obj->map_inst = NULL;
	obj->loaded = false;
}

/* See object.h. */
int bpfbox_object__load(struct bpfbox_object *obj, struct bpfbox_vm *vm,
			const struct bpfbox_object_load_opts *uopts)
{
	struct bpfbox_object_load_opts opts;
	int err;

	if (!obj || !vm)
		return -EINVAL;
	if (obj->loaded) {
		bx_err(OBJ_LOG(obj), "%s: the object is already loaded", obj->name);
		return -EBUSY;
	}
	err = bx_opts_copy(&opts, sizeof(opts), uopts);
	if (err) {
		bx_err(OBJ_LOG(obj), "%s: invalid bpfbox_object_load_opts", obj->name);
		return err;
	}
	err = obj_create_maps(obj, vm);
	err = err ?: obj_load_progs(obj, vm, &opts);
	err = err ?: obj_init_slots(obj);
	if (err) {
		bxe_obj_unload(obj);
		return err;
	}
	obj->loaded = true;
	return 0;
}

/* See object.h. */
bool bpfbox_object__is_loaded(const struct bpfbox_object *obj)
{
	return obj && obj->loaded;
}

/* See object.h. */
int bpfbox_program__set_autoload(struct bpfbox_program *prog, bool autoload)
{
	if (!prog)
		return -EINVAL;
	if (prog->obj->loaded)
		return -EBUSY;
	prog->sm.autoload = autoload;
	return 0;
}

/* See object.h. */
struct bpfbox_prog *bpfbox_program__prog(const struct bpfbox_program *prog)
{
	return prog ? prog->inst : NULL;
}

/* See object.h. */
struct bpfbox_map *bpfbox_object__map_instance(const struct bpfbox_object *obj, size_t idx)
{
	if (!obj || !obj->loaded || idx >= obj->nmaps)
		return NULL;
	return obj->map_inst[idx];
}

/* See object.h. */
struct bpfbox_map *bpfbox_object__find_map_instance(const struct bpfbox_object *obj,
						    const char *name)
{
	const struct bpfbox_map_def *d = bpfbox_object__find_map_by_name(obj, name);

	return d ? bpfbox_object__map_instance(obj, (size_t)(d - obj->maps)) : NULL;
}

/* See object.h. */
struct bpfbox_program *bpfbox_object__program_of(const struct bpfbox_object *obj,
						 const struct bpfbox_prog *prog)
{
	for (size_t i = 0; obj && prog && i < obj->nprogs; i++)
		if (obj->progs[i].inst == prog)
			return &obj->progs[i];
	return NULL;
}

/* See object.h. */
size_t bpfbox_program__maps_used(const struct bpfbox_program *prog, size_t *idx, size_t max)
{
	const struct bpfbox_object *obj;
	size_t n = 0;

	if (!prog)
		return 0;
	obj = prog->obj;
	for (size_t m = 0; m < obj->nmaps; m++) {
		bool used = false;

		for (size_t i = 0; i + 1 < prog->cnt && !used; i++) {
			const struct bpfbox_insn *in = &prog->insns[i];

			if (in->code != (BX_LD | BX_IMM | BX_DW))
				continue;
			used = (in->src_reg == BX_PSEUDO_MAP_IDX ||
				in->src_reg == BX_PSEUDO_MAP_IDX_VALUE) && in->imm >= 0 &&
			       (size_t)in->imm == m;
			i++;	/* skip the second half */
		}
		if (used && idx && n < max)
			idx[n] = m;
		n += used;
	}
	return n;
}

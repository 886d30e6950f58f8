/*
 * helper_register.c - the prototype table generated from helper_table.h,
 * registration of the kernel helpers into a vm, and the argument checks
 * every helper shares (checked mode).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "helpers/helpers.h"
#include "maps/map_internal.h"
#include "vm/vm_internal.h"

#define BXK_ROW(ID, NAME, FN, GPL, RET, A1, A2, A3, A4, A5, SETS)          \
	{ .id = ID, .name = #NAME, .fn = FN, .gpl_only = GPL, .ret = BXK_##RET, \
	  .arg = { BXK_##A1, BXK_##A2, BXK_##A3, BXK_##A4, BXK_##A5 },        \
	  .sets = SETS },

const struct bxk_proto bxk_protos[] = { BXK_HELPER_TABLE(BXK_ROW) };
const size_t bxk_nprotos = sizeof(bxk_protos) / sizeof(bxk_protos[0]);

#undef BXK_ROW

/*
 * bxk_proto - the prototype of helper `id` (a linear scan of ~40 rows;
 * the verifier calls it once per call instruction).
 */
const struct bxk_proto *bxk_proto(uint32_t id)
{
	for (size_t i = 0; i < bxk_nprotos; i++)
		if (bxk_protos[i].id == id)
			return &bxk_protos[i];
	return NULL;
}

/*
 * bxk_helper_is_builtin - see helpers.h.
 */
bool bxk_helper_is_builtin(const struct bpfbox_vm *vm, uint32_t id)
{
	const struct bxv_helper *h = bxv_vm_helper(vm, id);
	const struct bxk_proto *p = bxk_proto(id);

	return h && p && h->fn == p->fn;
}

/*
 * bxk_register_kernel_helpers - install every table row under its kernel
 * id as "bpf_NAME", and seed the vm's bpf_get_prandom_u32() state.
 */
int bxk_register_kernel_helpers(struct bpfbox_vm *vm)
{
	struct timespec ts;
	char name[64];
	int err;

	if (!vm)
		return -EINVAL;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	atomic_store(&vm->prandom, (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^
				   (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)vm);
	for (size_t i = 0; i < bxk_nprotos; i++) {
		snprintf(name, sizeof(name), "bpf_%s", bxk_protos[i].name);
		err = bpfbox_vm__register_helper(vm, bxk_protos[i].id, name,
						 bxk_protos[i].fn, NULL);
		if (err)
			return err;
	}
	return 0;
}

/* ---- prototypes an embedder gives (bpfbox_vm__set_helper_proto) ---------- */

/* proto_arg_kind - the internal (src/helpers) kind of a public argument
 * kind; BXK_ARG__BASE_MAX if it is not one. */
static uint32_t proto_arg_kind(enum bpfbox_arg_kind k)
{
	switch (k) {
	case BPFBOX_ARG_NONE:               return BXK_ARG_DONTCARE;
	case BPFBOX_ARG_ANYTHING:           return BXK_ARG_ANYTHING;
	case BPFBOX_ARG_PTR_TO_MEM:         return BXK_ARG_PTR_TO_MEM_RDONLY;
	case BPFBOX_ARG_PTR_TO_UNINIT_MEM:  return BXK_ARG_PTR_TO_UNINIT_MEM;
	case BPFBOX_ARG_CONST_SIZE:         return BXK_ARG_CONST_SIZE;
	case BPFBOX_ARG_CONST_SIZE_OR_ZERO: return BXK_ARG_CONST_SIZE_OR_ZERO;
	case BPFBOX_ARG_PTR_TO_CTX:         return BXK_ARG_PTR_TO_CTX;
	case BPFBOX_ARG_CONST_MAP_PTR:      return BXK_ARG_CONST_MAP_PTR;
	}
	return BXK_ARG__BASE_MAX;
}

/* is_mem_kind / is_size_kind - the two halves of a (memory, size) pair. */
static bool is_mem_kind(enum bpfbox_arg_kind k)
{
	return k == BPFBOX_ARG_PTR_TO_MEM || k == BPFBOX_ARG_PTR_TO_UNINIT_MEM;
}

static bool is_size_kind(enum bpfbox_arg_kind k)
{
	return k == BPFBOX_ARG_CONST_SIZE || k == BPFBOX_ARG_CONST_SIZE_OR_ZERO;
}

/*
 * bpfbox_vm__set_helper_proto - give helper `id` a prototype the verifier
 * checks its calls against (NULL: remove it). Memory arguments must come
 * in (memory, size) pairs, as the kernel's check_arg_pair_ok() requires.
 */
int bpfbox_vm__set_helper_proto(struct bpfbox_vm *vm, uint32_t id,
				const struct bpfbox_helper_proto *proto)
{
	struct bpfbox_helper_proto p;
	struct bxv_helper *h;
	uint32_t arg[5];
	int err;

	if (!vm)
		return -EINVAL;
	if (id == 0 || id > BPFBOX_MAX_HELPER_ID || !vm->helpers[id].fn) {
		bx_err(&vm->log, "helper %u: no helper with this id to give a prototype", id);
		return -ENOENT;
	}
	h = &vm->helpers[id];
	if (!proto) {
		h->has_proto = false;
		return 0;
	}
	err = bx_opts_copy(&p, sizeof(p), proto);
	if (err) {
		bx_err(&vm->log, "helper %u (%s): prototype struct has unknown fields", id, h->name);
		return err;
	}
	if (p.ret != BPFBOX_RET_INTEGER && p.ret != BPFBOX_RET_VOID) {
		bx_err(&vm->log, "helper %u (%s): unknown return kind %d", id, h->name, (int)p.ret);
		return -EINVAL;
	}
	for (int i = 0; i < 5; i++) {
		arg[i] = proto_arg_kind(p.args[i]);
		if (arg[i] == BXK_ARG__BASE_MAX) {
			bx_err(&vm->log, "helper %u (%s): argument %d: unknown kind %d", id, h->name,
			       i + 1, (int)p.args[i]);
			return -EINVAL;
		}
		if (is_mem_kind(p.args[i]) && (i == 4 || !is_size_kind(p.args[i + 1]))) {
			bx_err(&vm->log, "helper %u (%s): argument %d is memory but argument %d is not its size",
			       id, h->name, i + 1, i + 2);
			return -EINVAL;
		}
		if (is_size_kind(p.args[i]) && (i == 0 || !is_mem_kind(p.args[i - 1]))) {
			bx_err(&vm->log, "helper %u (%s): argument %d is a size but argument %d is not memory",
			       id, h->name, i + 1, i);
			return -EINVAL;
		}
	}
	h->proto_ret = p.ret == BPFBOX_RET_VOID ? BXK_RET_VOID : BXK_RET_INTEGER;
	memcpy(h->proto_arg, arg, sizeof(arg));
	h->has_proto = true;
	return 0;
}

/* ---- argument checks ------------------------------------------------------- */

/*
 * bxk_arg_mem - see helpers.h.
 */
int bxk_arg_mem(struct bpfbox_call *call, const char *helper, int argno,
		const char *what, uint64_t ptr, uint64_t len, bool write)
{
	if (!call->checked || len == 0)
		return 0;
	if (bpfbox_call__check_mem(call, ptr, len, write) == 0)
		return 0;
	bx_err(&call->vm->log,
	       "%s: bpf_%s: arg %d (%s): [0x%llx, +%llu) is not memory the program may %s",
	       call->prog->name, helper, argno, what, (unsigned long long)ptr,
	       (unsigned long long)len, write ? "write" : "read");
	bpfbox_call__abort(call, -EFAULT);
	return -EFAULT;
}

/* Is m an inner map a lookup of this run handed out (a region of exactly
 * one struct bpfbox_map registered by bxk_allow_value)? */
static bool bxk_inner_map_ok(const struct bpfbox_call *call, uint64_t m)
{
	for (unsigned i = 0; i < call->nregions; i++)
		if (call->regions[i].lo == m && !call->regions[i].writable &&
		    call->regions[i].len == sizeof(struct bpfbox_map))
			return true;
	return false;
}

/*
 * bxk_arg_map - see helpers.h.
 */
struct bpfbox_map *bxk_arg_map(struct bpfbox_call *call, const char *helper,
			       int argno, uint64_t ptr)
{
	if (ptr && !call->checked)
		return BXK_PTR(ptr);
	if (ptr) {
		for (size_t i = 0; i < call->prog->map_cnt; i++)
			if (BXK_REG(call->prog->maps[i]) == ptr)
				return BXK_PTR(ptr);
		if (bxk_inner_map_ok(call, ptr))
			return BXK_PTR(ptr);
	}
	bx_err(&call->vm->log, "%s: bpf_%s: arg %d (map): 0x%llx is not a map of the program",
	       call->prog->name, helper, argno, (unsigned long long)ptr);
	bpfbox_call__abort(call, -EFAULT);
	return NULL;
}

/*
 * bxk_allow_value - see helpers.h. Arrays keep their values in one block
 * (checked here from two lookups rather than assumed): registering it
 * once keeps the region table small however many elements are used.
 */
int bxk_allow_value(struct bpfbox_call *call, const char *helper,
		    struct bpfbox_map *m, void *value)
{
	bool wr = !(m->map_flags & BPFBOX_F_RDONLY_PROG);
	const void *lo = value;
	size_t len = m->value_size;
	int err;

	if (!call->checked)
		return 0;
	if (m->map_of_maps) {	/* the inner map: usable as a map argument */
		lo = value;
		len = sizeof(struct bpfbox_map);
		wr = false;
	} else if (m->type == BPFBOX_MAP_TYPE_ARRAY || m->type == BPFBOX_MAP_TYPE_PERCPU_ARRAY) {
		uint32_t k0 = 0, kn = m->max_entries - 1;
		uint32_t ncpu = m->percpu ? m->nr_cpus : 1;
		char *first = bxm_lookup(m, &k0, 0);
		char *last = bxm_lookup(m, &kn, ncpu - 1);
		uint64_t total = (uint64_t)m->max_entries * m->stride * ncpu;

		if (first && last && (uint64_t)(last - first) + m->stride == total) {
			lo = first;
			len = total;
		}
	}
	if (lo == value && m->ops->value_ok)	/* scattered elements: one region for the map */
		err = bxv_run_add_map(call, m, wr);
	else
		err = bxv_run_add_region(call, lo, len, wr);
	if (err) {
		bx_err(&call->vm->log, "%s: bpf_%s: cannot hand out the value of map '%s' (%d)",
		       call->prog->name, helper, m->name, err);
		bpfbox_call__abort(call, err);
	}
	return err;
}

/*
 * helper_register.c - the prototype table generated from helper_table.h,
 * registration of the kernel helpers into a vm, and the argument checks
 * every helper shares (checked mode).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "helpers/helpers.h"
#include "progtype/ctx.h"
#include "maps/map_internal.h"
#include "vm/vm_internal.h"

#define BXK_ROW(ID, NAME, FN, GPL, RET, A1, A2, A3, A4, A5, GROUPS)          \
	{ .id = ID, .name = #NAME, .fn = FN, .gpl_only = GPL, .ret = BXK_##RET, \
	  .arg = { BXK_##A1, BXK_##A2, BXK_##A3, BXK_##A4, BXK_##A5 },        \
	  .groups = GROUPS },

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
 * bxk_prog_type_groups - the helper groups of a program type, as the
 * kernel's per-type get_func_proto callbacks sort them.
 */
uint32_t bxk_prog_type_groups(uint32_t prog_type)
{
	switch (prog_type) {
	case BPFBOX_PROG_TYPE_UNSPEC:
		return BXK_G_BASE | BXK_G_TRACING | BXK_G_NET;
	case BPFBOX_PROG_TYPE_KPROBE:
	case BPFBOX_PROG_TYPE_TRACEPOINT:
	case BPFBOX_PROG_TYPE_PERF_EVENT:
	case BPFBOX_PROG_TYPE_RAW_TRACEPOINT:
	case BPFBOX_PROG_TYPE_RAW_TRACEPOINT_WRITABLE:
	case BPFBOX_PROG_TYPE_TRACING:
	case BPFBOX_PROG_TYPE_LSM:
	case BPFBOX_PROG_TYPE_SYSCALL:
		return BXK_G_BASE | BXK_G_TRACING;
	case BPFBOX_PROG_TYPE_SOCKET_FILTER:
	case BPFBOX_PROG_TYPE_SCHED_CLS:
	case BPFBOX_PROG_TYPE_SCHED_ACT:
	case BPFBOX_PROG_TYPE_XDP:
	case BPFBOX_PROG_TYPE_CGROUP_SKB:
	case BPFBOX_PROG_TYPE_LWT_IN:
	case BPFBOX_PROG_TYPE_LWT_OUT:
	case BPFBOX_PROG_TYPE_LWT_XMIT:
	case BPFBOX_PROG_TYPE_SK_SKB:
	case BPFBOX_PROG_TYPE_LWT_SEG6LOCAL:
		return BXK_G_BASE | BXK_G_NET;
	default:
		return BXK_G_BASE;
	}
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
	return bxh_register_packet_helpers(vm);	/* src/pkt: xdp_adjust_head, ... */
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

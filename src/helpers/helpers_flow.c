/*
 * helpers_flow.c - helpers that change the flow of the program:
 * bpf_tail_call(), bpf_loop() and bpf_for_each_map_elem() (callbacks run
 * as subprograms of the running program, bxv_call_subprog()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/helpers.h"
#include "maps/map_internal.h"
#include "vm/vm_internal.h"

#define BXK_MAX_LOOPS (1u << 23) /* BPF_MAX_LOOPS */

/*
 * bxk_tail_call - long bpf_tail_call(ctx, prog_array, index): continue in
 * the program at `index` once this helper returns. On failure (not a
 * prog array, index out of range, empty slot, more than 33 tail calls)
 * the program goes on with the next instruction, as in the kernel; r0 is
 * then -EINVAL, -ENOENT or -E2BIG. An out-of-range index does not count
 * towards the limit, an empty slot does (as in the kernel).
 */
uint64_t bxk_tail_call(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
		       uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct bpfbox_map *m = bxk_arg_map(call, "tail_call", 2, r2);
	uint32_t index = (uint32_t)r3;

	(void)r1, (void)r4, (void)r5;
	if (!m)
		return (uint64_t)(long)-EFAULT;
	if (m->type != BPFBOX_MAP_TYPE_PROG_ARRAY)
		return (uint64_t)(long)-EINVAL;
	if (index >= m->max_entries)
		return (uint64_t)(long)-ENOENT;
	return (uint64_t)(long)bxv_tail_call(call, bxm_prog_array_get(m, index));
}

/* The instruction a callback argument names, or -EINVAL (logged, run
 * stopped). */
static int bxk_callback(struct bpfbox_call *call, const char *name, uint64_t fn,
			uint32_t *idx)
{
	int err = bxv_func_idx(call, fn, idx);

	if (err) {
		bx_err(&call->vm->log, "%s: bpf_%s: arg 2 (callback) is no function of the program",
		       call->prog->name, name);
		bpfbox_call__abort(call, err);
	}
	return err;
}

/*
 * bxk_loop - long bpf_loop(nr_loops, callback, ctx, flags): call
 * callback(i, ctx) for i = 0.. until it returns non-zero (1) or nr_loops
 * calls. Returns the number of calls made; -EINVAL if flags != 0, -E2BIG
 * if nr_loops > 1 << 23.
 */
uint64_t bxk_loop(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
		  uint64_t r3, uint64_t r4, uint64_t r5)
{
	uint32_t nr = (uint32_t)r1, idx, i;
	uint64_t ret;
	int err;

	(void)r5;
	if (r4)
		return (uint64_t)(long)-EINVAL;
	if (nr > BXK_MAX_LOOPS)
		return (uint64_t)(long)-E2BIG;
	if (nr == 0)
		return 0;
	err = bxk_callback(call, "loop", r2, &idx);
	if (err)
		return (uint64_t)(long)err;
	for (i = 0; i < nr; i++) {
		err = bxv_call_subprog(call, idx, i, r3, 0, 0, 0, &ret);
		if (err)
			return (uint64_t)(long)err;
		if (ret)
			return i + 1;
	}
	return i;
}

/* One element of for_each_map_elem: callback(map, key, value, ctx).
 * Returns 1 to stop, 0 to go on, < 0 on error. */
static int bxk_each_one(struct bpfbox_call *call, uint32_t idx, struct bpfbox_map *m,
			void *key, void *value, uint64_t ctx)
{
	uint64_t ret;
	int err;

	if (call->checked && (bxv_run_add_region(call, key, m->key_size, false) ||
			      bxk_allow_value(call, "for_each_map_elem", m, value))) {
		bpfbox_call__abort(call, -ENOSPC);
		return -ENOSPC;
	}
	err = bxv_call_subprog(call, idx, BXK_REG(m), BXK_REG(key), BXK_REG(value), ctx, 0,
			       &ret);
	if (err)
		return err;
	return ret ? 1 : 0;
}

/*
 * bxk_for_each_map_elem - long bpf_for_each_map_elem(map, callback, ctx,
 * flags): callback(map, key, value, ctx) for every element of an array
 * or hash map (this run's CPU's value for per-CPU maps) until it returns
 * 1. Returns the number of elements visited (incl. the one that stopped
 * it); -EINVAL for flags != 0 or another map type. Hash maps: the keys
 * present at the start are visited once each (deleted ones are skipped),
 * as the kernel's bucket walk does.
 */
uint64_t bxk_for_each_map_elem(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			       uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "for_each_map_elem";
	struct bpfbox_map *m = bxk_arg_map(call, name, 1, r1);
	uint64_t n = 0;
	uint32_t idx;
	int err;

	(void)r5;
	if (!m)
		return (uint64_t)(long)-EFAULT;
	if (r4)
		return (uint64_t)(long)-EINVAL;
	switch (m->type) {
	case BPFBOX_MAP_TYPE_ARRAY:
	case BPFBOX_MAP_TYPE_PERCPU_ARRAY:
	case BPFBOX_MAP_TYPE_HASH:
	case BPFBOX_MAP_TYPE_PERCPU_HASH:
	case BPFBOX_MAP_TYPE_LRU_HASH:
	case BPFBOX_MAP_TYPE_LRU_PERCPU_HASH:
		break;
	default:
		return (uint64_t)(long)-EINVAL;
	}
	err = bxk_callback(call, name, r2, &idx);
	if (err)
		return (uint64_t)(long)err;

	if (m->type == BPFBOX_MAP_TYPE_ARRAY || m->type == BPFBOX_MAP_TYPE_PERCPU_ARRAY) {
		uint32_t key;	/* lives until the last callback returns */

		for (uint32_t i = 0; i < m->max_entries; i++) {
			void *v;

			key = i;
			v = bxm_lookup(m, &key, call->cpu);
			if (!v)
				continue;
			n++;
			err = bxk_each_one(call, idx, m, &key, v, r3);
			if (err)
				return err < 0 ? (uint64_t)(long)err : n;
		}
		return n;
	}

	/* hash maps: snapshot the keys, then visit those still present */
	{
		size_t ks = m->key_size, cnt = 0, cap = 0;
		char *keys = NULL, stack_key[512], *cur = stack_key;

		err = 0;
		if (ks > sizeof(stack_key) && !(cur = malloc(ks)))
			return (uint64_t)(long)-ENOMEM;
		for (;;) {	/* keys[0..cnt) */
			if (cnt == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				char *nk = cnt < m->max_entries ? realloc(keys, ncap * ks) : NULL;

				if (!nk) {
					err = cnt < m->max_entries ? -ENOMEM : 0;
					break;
				}
				keys = nk;
				cap = ncap;
			}
			if (m->ops->next_key(m, cnt ? keys + (cnt - 1) * ks : NULL, keys + cnt * ks))
				break;
			cnt++;
		}
		for (size_t i = 0; i < cnt && !err; i++) {
			void *v;

			/* the callback's key: a stable copy (read-only to it) */
			memcpy(cur, keys + i * ks, ks);
			v = bxm_lookup(m, cur, call->cpu);
			if (!v)
				continue;
			n++;
			err = bxk_each_one(call, idx, m, cur, v, r3);
		}
		free(keys);
		if (cur != stack_key)
			free(cur);
		return err < 0 ? (uint64_t)(long)err : n;
	}
}

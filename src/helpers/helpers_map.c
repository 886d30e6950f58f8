/*
 * helpers_map.c - bpf_map_lookup_elem() and the other element helpers,
 * on top of the maps' program API (src/maps/map_internal.h).
 *
 * As the kernel's verifier does, programs may only look up map-in-map
 * maps and only tail-call through prog arrays: the other element helpers
 * return -EINVAL for those types.
 */
#include <errno.h>

#include "helpers/helpers.h"
#include "maps/map_internal.h"
#include "vm/vm_internal.h"

/* Lookup on CPU `cpu`: check the key, find the value, let a checked
 * program reach it. */
static uint64_t bxk_lookup_on(struct bpfbox_call *call, const char *name,
			      uint64_t r1, uint64_t r2, uint32_t cpu, bool percpu_only)
{
	struct bpfbox_map *m = bxk_arg_map(call, name, 1, r1);
	void *v;

	if (!m || bxk_arg_mem(call, name, 2, "key", r2, m->key_size, false))
		return 0;
	if (m->type == BPFBOX_MAP_TYPE_PROG_ARRAY || (percpu_only && !m->percpu))
		return 0;
	v = bxm_lookup(m, BXK_PTR(r2), cpu);
	if (!v || bxk_allow_value(call, name, m, v))
		return 0;
	return BXK_REG(v);
}

/*
 * bxk_map_lookup_elem - void *bpf_map_lookup_elem(map, key): the value
 * (this run's CPU's copy for per-CPU maps) or NULL.
 */
uint64_t bxk_map_lookup_elem(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			     uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r3, (void)r4, (void)r5;
	return bxk_lookup_on(call, "map_lookup_elem", r1, r2, call->cpu, false);
}

/*
 * bxk_map_lookup_percpu_elem - void *bpf_map_lookup_percpu_elem(map, key,
 * cpu): CPU `cpu`'s value of a per-CPU map; NULL for cpu >= nr_cpus.
 */
uint64_t bxk_map_lookup_percpu_elem(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
				    uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r4, (void)r5;
	if (r3 > UINT32_MAX)
		return 0;
	return bxk_lookup_on(call, "map_lookup_percpu_elem", r1, r2, (uint32_t)r3, true);
}

/* The map argument of a helper that modifies elements: a map of a type
 * programs may modify, or NULL (*err set). */
static struct bpfbox_map *bxk_rw_map(struct bpfbox_call *call, const char *name,
				     uint64_t r1, long *err)
{
	struct bpfbox_map *m = bxk_arg_map(call, name, 1, r1);

	*err = -EFAULT;
	if (!m)
		return NULL;
	if (m->ptr_values) {
		*err = -EINVAL;
		return NULL;
	}
	return m;
}

/*
 * bxk_map_update_elem - long bpf_map_update_elem(map, key, value, flags).
 */
uint64_t bxk_map_update_elem(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			     uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "map_update_elem";
	long err;
	struct bpfbox_map *m = bxk_rw_map(call, name, r1, &err);

	(void)r5;
	if (!m)
		return (uint64_t)err;
	if (bxk_arg_mem(call, name, 2, "key", r2, m->key_size, false) ||
	    bxk_arg_mem(call, name, 3, "value", r3, m->value_size, false))
		return (uint64_t)(long)-EFAULT;
	return (uint64_t)bxm_update(m, BXK_PTR(r2), BXK_PTR(r3), r4, call->cpu);
}

/*
 * bxk_map_delete_elem - long bpf_map_delete_elem(map, key).
 */
uint64_t bxk_map_delete_elem(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			     uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "map_delete_elem";
	long err;
	struct bpfbox_map *m = bxk_rw_map(call, name, r1, &err);

	(void)r3, (void)r4, (void)r5;
	if (!m)
		return (uint64_t)err;
	if (bxk_arg_mem(call, name, 2, "key", r2, m->key_size, false))
		return (uint64_t)(long)-EFAULT;
	return (uint64_t)bxm_delete(m, BXK_PTR(r2));
}

/*
 * bxk_map_push_elem - long bpf_map_push_elem(map, value, flags): queue,
 * stack (BPF_EXIST overwrites the oldest when full), bloom filter.
 */
uint64_t bxk_map_push_elem(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			   uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "map_push_elem";
	long err;
	struct bpfbox_map *m = bxk_rw_map(call, name, r1, &err);

	(void)r4, (void)r5;
	if (!m)
		return (uint64_t)err;
	if (bxk_arg_mem(call, name, 2, "value", r2, m->value_size, false))
		return (uint64_t)(long)-EFAULT;
	return (uint64_t)bxm_push(m, BXK_PTR(r2), r3);
}

/* pop and peek: value is value_size bytes the helper writes. */
static uint64_t bxk_pop_peek(struct bpfbox_call *call, const char *name, uint64_t r1,
			     uint64_t r2, bool pop)
{
	long err;
	struct bpfbox_map *m = bxk_rw_map(call, name, r1, &err);

	if (!m)
		return (uint64_t)err;
	/* a bloom filter's peek reads the value it tests */
	if (bxk_arg_mem(call, name, 2, "value", r2, m->value_size,
			m->type != BPFBOX_MAP_TYPE_BLOOM_FILTER))
		return (uint64_t)(long)-EFAULT;
	return (uint64_t)(pop ? bxm_pop(m, BXK_PTR(r2)) : bxm_peek(m, BXK_PTR(r2)));
}

/*
 * bxk_map_pop_elem - long bpf_map_pop_elem(map, value): queue/stack.
 */
uint64_t bxk_map_pop_elem(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			  uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r3, (void)r4, (void)r5;
	return bxk_pop_peek(call, "map_pop_elem", r1, r2, true);
}

/*
 * bxk_map_peek_elem - long bpf_map_peek_elem(map, value): queue/stack.
 */
uint64_t bxk_map_peek_elem(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			   uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r3, (void)r4, (void)r5;
	return bxk_pop_peek(call, "map_peek_elem", r1, r2, false);
}

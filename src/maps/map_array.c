/*
 * map_array.c - array and percpu_array (values in one flat, 8-byte aligned
 * block; lookups are lock-free), and the pointer arrays prog_array and
 * array_of_maps (atomic pointer slots).
 */
#include "maps/map_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BXM_ARRAY_MAX_BYTES (1ull << 32)

/* Index from a 4-byte key. */
static uint32_t bxm_idx(const void *key)
{
	uint32_t i;

	memcpy(&i, key, sizeof(i));
	return i;
}

/* Start of element `idx` (CPU 0's copy for per-CPU arrays). */
static char *bxm_arr_elem(struct bpfbox_map *m, uint32_t idx)
{
	return (char *)m->impl + (size_t)idx * m->stride * (m->percpu ? m->nr_cpus : 1);
}

/* Allocate max_entries values (times nr_cpus), zeroed. */
static int bxm_arr_alloc(struct bpfbox_map *m)
{
	uint64_t total = (uint64_t)m->max_entries * m->stride * (m->percpu ? m->nr_cpus : 1);

	if (total > BXM_ARRAY_MAX_BYTES)
		return -ENOMEM;
	m->impl = calloc(1, total ? total : 8);
	return m->impl ? 0 : -ENOMEM;
}

/* Free the value block. */
static void bxm_arr_free(struct bpfbox_map *m)
{
	free(m->impl);
}

/* Program path: pointer to the value (this CPU's copy), NULL out of range. */
static void *bxm_arr_lookup(struct bpfbox_map *m, const void *key, uint32_t cpu)
{
	uint32_t i = bxm_idx(key);

	if (i >= m->max_entries)
		return NULL;
	return bxm_arr_elem(m, i) + (m->percpu ? (size_t)cpu * m->stride : 0);
}

/* Syscall lookup: copy the value (all CPUs for per-CPU arrays). */
static int bxm_arr_copy(struct bpfbox_map *m, const void *key, void *value)
{
	uint32_t i = bxm_idx(key);

	if (i >= m->max_entries)
		return -ENOENT;
	memcpy(value, bxm_arr_elem(m, i),
	       m->percpu ? (size_t)m->nr_cpus * m->stride : m->value_size);
	return 0;
}

/* array_map_update_elem: flags, range (-E2BIG), BPF_NOEXIST is -EEXIST. */
static int bxm_arr_update(struct bpfbox_map *m, const void *key, const void *value,
			  uint64_t flags, bool all_cpus, uint32_t cpu)
{
	uint32_t i = bxm_idx(key);
	char *dst;

	if ((flags & ~BPFBOX_F_LOCK) > BPFBOX_EXIST)
		return -EINVAL;
	if (i >= m->max_entries)
		return -E2BIG;
	if (flags & BPFBOX_NOEXIST)
		return -EEXIST;
	dst = bxm_arr_elem(m, i);
	if (!m->percpu) {
		memcpy(dst, value, m->value_size);
	} else if (all_cpus) {
		for (uint32_t c = 0; c < m->nr_cpus; c++)
			memcpy(dst + (size_t)c * m->stride,
			       (const char *)value + (size_t)c * m->stride, m->value_size);
	} else {
		memcpy(dst + (size_t)cpu * m->stride, value, m->value_size);
	}
	return 0;
}

/* Array elements cannot be deleted. */
static int bxm_arr_delete(struct bpfbox_map *m, const void *key)
{
	(void)m;
	(void)key;
	return -EINVAL;
}

/* array_map_get_next_key: NULL or out of range gives 0, the last -ENOENT. */
static int bxm_arr_next_key(struct bpfbox_map *m, const void *key, void *next)
{
	uint32_t i = key ? bxm_idx(key) : 0, n;

	if (!key || i >= m->max_entries)
		n = 0;
	else if (i == m->max_entries - 1)
		return -ENOENT;
	else
		n = i + 1;
	memcpy(next, &n, sizeof(n));
	return 0;
}

const struct bxm_ops bxm_array_ops = {
	.alloc = bxm_arr_alloc,
	.free = bxm_arr_free,
	.lookup = bxm_arr_lookup,
	.copy = bxm_arr_copy,
	.update = bxm_arr_update,
	.delete = bxm_arr_delete,
	.next_key = bxm_arr_next_key,
};

/* ---- prog_array, array_of_maps ----------------------------------------- */

typedef _Atomic(void *) bxm_slot;

/* Allocate max_entries empty slots. */
static int bxm_parr_alloc(struct bpfbox_map *m)
{
	bxm_slot *s;

	if ((uint64_t)m->max_entries * sizeof(bxm_slot) > BXM_ARRAY_MAX_BYTES)
		return -ENOMEM;
	s = calloc(m->max_entries, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (uint32_t i = 0; i < m->max_entries; i++)
		atomic_init(&s[i], NULL);
	m->impl = s;
	return 0;
}

/* Release every stored pointer, then the slots. */
static void bxm_parr_free(struct bpfbox_map *m)
{
	bxm_slot *s = m->impl;

	for (uint32_t i = 0; i < m->max_entries; i++)
		bxm_ptr_put(m, atomic_load(&s[i]));
	free(s);
}

/* Program path: the stored pointer itself (inner map / program handle). */
static void *bxm_parr_lookup(struct bpfbox_map *m, const void *key, uint32_t cpu)
{
	uint32_t i = bxm_idx(key);

	(void)cpu;
	if (i >= m->max_entries)
		return NULL;
	return atomic_load_explicit(&((bxm_slot *)m->impl)[i], memory_order_acquire);
}

/* Syscall lookup: the pointer into a `void *` buffer; empty is -ENOENT. */
static int bxm_parr_copy(struct bpfbox_map *m, const void *key, void *value)
{
	void *p = bxm_parr_lookup(m, key, 0);

	if (!p)
		return -ENOENT;
	memcpy(value, &p, sizeof(p));
	return 0;
}

/* bpf_fd_array_map_update_elem: only BPF_ANY, -E2BIG out of range. */
static int bxm_parr_update(struct bpfbox_map *m, const void *key, const void *value,
			   uint64_t flags, bool all_cpus, uint32_t cpu)
{
	uint32_t i = bxm_idx(key);
	void *p, *old;
	int err;

	(void)all_cpus;
	(void)cpu;
	if (flags != BPFBOX_ANY)
		return -EINVAL;
	if (i >= m->max_entries)
		return -E2BIG;
	memcpy(&p, value, sizeof(p));
	if ((err = bxm_ptr_get(m, p)))
		return err;
	old = atomic_exchange(&((bxm_slot *)m->impl)[i], p);
	bxm_ptr_put(m, old);
	return 0;
}

/* fd_array_map_delete_elem: -E2BIG out of range, -ENOENT if empty. */
static int bxm_parr_delete(struct bpfbox_map *m, const void *key)
{
	uint32_t i = bxm_idx(key);
	void *old;

	if (i >= m->max_entries)
		return -E2BIG;
	old = atomic_exchange(&((bxm_slot *)m->impl)[i], NULL);
	if (!old)
		return -ENOENT;
	bxm_ptr_put(m, old);
	return 0;
}

const struct bxm_ops bxm_ptr_array_ops = {
	.alloc = bxm_parr_alloc,
	.free = bxm_parr_free,
	.lookup = bxm_parr_lookup,
	.copy = bxm_parr_copy,
	.update = bxm_parr_update,
	.delete = bxm_parr_delete,
	.next_key = bxm_arr_next_key,
};

void *bxm_prog_array_get(struct bpfbox_map *m, uint32_t index)
{
	if (m->type != BPFBOX_MAP_TYPE_PROG_ARRAY)
		return NULL;
	return bxm_parr_lookup(m, &index, 0);
}

/*
 * bxm_direct_value_addr - see map_internal.h. Global data (.data, .rodata,
 * .bss) are such one-entry arrays.
 */
int bxm_direct_value_addr(const struct bpfbox_map *m, uint64_t *addr)
{
	if (!m || m->type != BPFBOX_MAP_TYPE_ARRAY)
		return -EINVAL;
	if (m->max_entries != 1)
		return -EOPNOTSUPP;
	*addr = (uint64_t)(uintptr_t)m->impl;
	return 0;
}

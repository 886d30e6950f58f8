/*
 * map_stacktrace.c - BPF_MAP_TYPE_STACK_TRACE, as the kernel's stackmap.c:
 * key a u32 stack id, value an array of value_size / 8 u64 instruction
 * pointers (or of 32-byte struct bpf_stack_build_id with
 * BPF_F_STACK_BUILD_ID). n_buckets = max_entries rounded up to a power of
 * two; a stack's id is the hash of its ips masked to the bucket count.
 * Filled by bpf_get_stackid() only: the syscall update is -EINVAL; the
 * syscall lookup copies the stack and zeroes the rest of the value.
 */
#include "maps/map_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct bxm_stack_bucket {
	uint32_t nr;               /* entries (ips or build-id records) */
	uint32_t hash;
	_Alignas(8) unsigned char data[];
};

struct bxm_stackmap {
	pthread_mutex_t lock;
	uint32_t n_buckets;
	struct bxm_stack_bucket *buckets[];
};

/* Bytes per stack entry: 8 (ip) or 32 (build-id record). */
static uint32_t entry_size(const struct bpfbox_map *m)
{
	return (m->map_flags & BPFBOX_F_STACK_BUILD_ID) ? BXM_STACK_BUILD_ID_SIZE : 8;
}

/* Allocate the bucket array (elements are allocated as stacks arrive). */
static int stackmap_alloc(struct bpfbox_map *m)
{
	uint32_t n = 1;
	struct bxm_stackmap *s;

	while (n < m->max_entries)
		n <<= 1;
	s = calloc(1, sizeof(*s) + (size_t)n * sizeof(s->buckets[0]));
	if (!s)
		return -ENOMEM;
	s->n_buckets = n;
	pthread_mutex_init(&s->lock, NULL);
	m->impl = s;
	return 0;
}

/* Free every bucket. */
static void stackmap_free(struct bpfbox_map *m)
{
	struct bxm_stackmap *s = m->impl;

	for (uint32_t i = 0; i < s->n_buckets; i++)
		free(s->buckets[i]);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* Programs cannot look stacks up (the verifier allows only get_stackid). */
static void *stackmap_lookup(struct bpfbox_map *m, const void *key, uint32_t cpu)
{
	(void)m, (void)key, (void)cpu;
	return NULL;
}

/* Syscall lookup (bpf_stackmap_copy): -ENOENT for an empty or out-of-range id. */
static int stackmap_copy(struct bpfbox_map *m, const void *key, void *value)
{
	struct bxm_stackmap *s = m->impl;
	uint32_t id, len;
	int err = 0;

	memcpy(&id, key, 4);
	if (id >= s->n_buckets)
		return -ENOENT;
	pthread_mutex_lock(&s->lock);
	if (!s->buckets[id]) {
		err = -ENOENT;
	} else {
		len = s->buckets[id]->nr * entry_size(m);
		memcpy(value, s->buckets[id]->data, len);
		memset((char *)value + len, 0, m->value_size - len);
	}
	pthread_mutex_unlock(&s->lock);
	return err;
}

/* Syscall and program updates: -EINVAL (stack_map_update_elem). */
static int stackmap_update(struct bpfbox_map *m, const void *key, const void *value,
			   uint64_t flags, bool all_cpus, uint32_t cpu)
{
	(void)m, (void)key, (void)value, (void)flags, (void)all_cpus, (void)cpu;
	return -EINVAL;
}

/* Delete: -E2BIG out of range (what the 6.18 kernel returns), -ENOENT if empty. */
static int stackmap_delete(struct bpfbox_map *m, const void *key)
{
	struct bxm_stackmap *s = m->impl;
	struct bxm_stack_bucket *old;
	uint32_t id;

	memcpy(&id, key, 4);
	if (id >= s->n_buckets)
		return -E2BIG;
	pthread_mutex_lock(&s->lock);
	old = s->buckets[id];
	s->buckets[id] = NULL;
	pthread_mutex_unlock(&s->lock);
	free(old);
	return old ? 0 : -ENOENT;
}

/* Syscall lookup-and-delete (the kernel's stack_map_lookup_and_delete_elem):
 * copy, then empty the bucket; -ENOENT if empty or out of range. */
static int stackmap_lookup_and_delete(struct bpfbox_map *m, const void *key, void *value)
{
	int err = stackmap_copy(m, key, value);

	if (err)
		return err;
	stackmap_delete(m, key);
	return 0;
}

/* The next non-empty id after key (from 0 without a key or with an
 * empty/out-of-range one), -ENOENT at the end (stack_map_get_next_key). */
static int stackmap_next_key(struct bpfbox_map *m, const void *key, void *next)
{
	struct bxm_stackmap *s = m->impl;
	uint32_t id = 0;
	int err = 0;

	pthread_mutex_lock(&s->lock);
	if (key) {
		memcpy(&id, key, 4);
		id = (id >= s->n_buckets || !s->buckets[id]) ? 0 : id + 1;
	}
	while (id < s->n_buckets && !s->buckets[id])
		id++;
	if (id >= s->n_buckets)
		err = -ENOENT;
	else
		memcpy(next, &id, 4);
	pthread_mutex_unlock(&s->lock);
	return err;
}

/* Hash of the ips (the kernel uses jhash2; ids are bpfbox's own). */
static uint32_t stack_hash(const uint64_t *ips, uint32_t nr)
{
	return bxm_hash(ips, nr * 8u, 0);
}

/*
 * bxm_stackmap_store - see map_internal.h. The kernel's __bpf_get_stackid()
 * on an ip callchain: same bucket with the same stack: its id; a different
 * stack there: -EEXIST unless BPF_F_REUSE_STACKID (then replaced). With
 * BPF_F_FAST_STACK_CMP only the hashes are compared.
 */
long bxm_stackmap_store(struct bpfbox_map *m, const uint64_t *ips, uint32_t nr,
			uint64_t flags)
{
	struct bxm_stackmap *s = m->impl;
	uint32_t esz = entry_size(m), hash, id;
	struct bxm_stack_bucket *b, *nb;
	bool fast = flags & BXM_F_FAST_STACK_CMP;
	long ret;

	if (nr * esz > m->value_size)
		nr = m->value_size / esz;
	hash = stack_hash(ips, nr);
	id = hash & (s->n_buckets - 1);
	pthread_mutex_lock(&s->lock);
	b = s->buckets[id];
	if (b && b->hash == hash && b->nr == nr &&
	    (fast || (esz == 8 && memcmp(b->data, ips, (size_t)nr * 8) == 0))) {
		ret = id;
		goto out;
	}
	if (b && !(flags & BXM_F_REUSE_STACKID)) {
		ret = -EEXIST;
		goto out;
	}
	nb = calloc(1, sizeof(*nb) + (size_t)nr * esz);
	if (!nb) {
		ret = -ENOMEM;
		goto out;
	}
	nb->nr = nr;
	nb->hash = hash;
	if (esz == 8) {
		memcpy(nb->data, ips, (size_t)nr * 8);
	} else {
		/* build-id records: status BPF_STACK_BUILD_ID_IP (2) and the ip,
		 * as the kernel when it cannot read a build id */
		for (uint32_t i = 0; i < nr; i++) {
			int32_t st = 2;
			memcpy(nb->data + (size_t)i * esz, &st, 4);
			memcpy(nb->data + (size_t)i * esz + 24, &ips[i], 8);
		}
	}
	free(b);
	s->buckets[id] = nb;
	ret = id;
out:
	pthread_mutex_unlock(&s->lock);
	return ret;
}

const struct bxm_ops bxm_stacktrace_ops = {
	.alloc = stackmap_alloc,
	.free = stackmap_free,
	.lookup = stackmap_lookup,
	.copy = stackmap_copy,
	.update = stackmap_update,
	.delete = stackmap_delete,
	.next_key = stackmap_next_key,
	.lookup_and_delete = stackmap_lookup_and_delete,
};

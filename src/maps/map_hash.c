/*
 * map_hash.c - hash, percpu_hash, lru_hash, lru_percpu_hash, hash_of_maps.
 *
 * Buckets are singly linked chains (new elements at the head, as the
 * kernel's hlist), guarded by striped mutexes. Elements come from chunks
 * that are never freed while the map lives (all allocated up front unless
 * BPF_F_NO_PREALLOC); deleted elements go to a free list. Updates of an
 * existing key copy the value in place, so program pointers keep pointing
 * at the live element. LRU maps use one mutex for everything: buckets, the
 * recency list and eviction (second chance on the reference bit).
 */
#include "maps/map_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define BXM_MAX_STRIPES 1024u
#define BXM_CHUNK_ELEMS 1024u

struct bxm_helem {
	struct bxm_helem *next;      /* bucket chain or free list */
	struct bxm_helem *lru_prev;  /* LRU recency list (head = newest) */
	struct bxm_helem *lru_next;
	uint32_t hash;
	uint32_t ref;                /* LRU reference bit */
	/* key (rounded up to 8), then the value(s): 8-byte aligned */
	_Alignas(8) unsigned char data[];
};

struct bxm_htab {
	uint32_t n_buckets;
	uint32_t n_locks;
	uint32_t key_space;          /* round_up(key_size, 8) */
	uint32_t elem_size;
	bool lru;
	struct bxm_helem **buckets;
	pthread_mutex_t *locks;      /* stripes; LRU maps use locks[0] only */
	pthread_mutex_t pool_lock;
	struct bxm_helem *free_list;
	unsigned char **chunks;
	uint32_t n_chunks;
	uint32_t allocated;          /* elements handed out from chunks */
	atomic_uint count;           /* live elements */
	struct bxm_helem lru_head;   /* sentinel of the recency list */
};

/* Pointer to the value area of an element. */
static inline void *bxm_hval(const struct bxm_htab *h, struct bxm_helem *e)
{
	return e->data + h->key_space;
}

/* The lock guarding bucket b. */
static inline pthread_mutex_t *bxm_hlock(struct bxm_htab *h, uint32_t b)
{
	return &h->locks[h->lru ? 0 : b & (h->n_locks - 1)];
}

/* Get an element from the free list or from a chunk, NULL if none left. */
static struct bxm_helem *bxm_pool_get(struct bxm_htab *h, uint32_t max)
{
	struct bxm_helem *e = NULL;
	uint32_t slot;

	pthread_mutex_lock(&h->pool_lock);
	if (h->free_list) {
		e = h->free_list;
		h->free_list = e->next;
	} else if (h->allocated < max) {
		slot = h->allocated / BXM_CHUNK_ELEMS;
		if (!h->chunks[slot]) {
			uint32_t n = max - slot * BXM_CHUNK_ELEMS;
			if (n > BXM_CHUNK_ELEMS)
				n = BXM_CHUNK_ELEMS;
			h->chunks[slot] = calloc(n, h->elem_size);
		}
		if (h->chunks[slot]) {
			e = (struct bxm_helem *)(h->chunks[slot] +
				(size_t)(h->allocated % BXM_CHUNK_ELEMS) * h->elem_size);
			h->allocated++;
		}
	}
	pthread_mutex_unlock(&h->pool_lock);
	return e;
}

/* Return an element to the free list (its memory stays). */
static void bxm_pool_put(struct bxm_htab *h, struct bxm_helem *e)
{
	pthread_mutex_lock(&h->pool_lock);
	e->next = h->free_list;
	h->free_list = e;
	pthread_mutex_unlock(&h->pool_lock);
}

/* Allocate buckets, locks and (unless BPF_F_NO_PREALLOC) every element. */
static int bxm_htab_alloc(struct bpfbox_map *m)
{
	struct bxm_htab *h = calloc(1, sizeof(*h));
	uint32_t vspace;

	if (!h)
		return -ENOMEM;
	m->impl = h;
	h->lru = m->type == BPFBOX_MAP_TYPE_LRU_HASH || m->type == BPFBOX_MAP_TYPE_LRU_PERCPU_HASH;
	h->n_buckets = 1;
	while (h->n_buckets < m->max_entries)
		h->n_buckets <<= 1;
	h->n_locks = h->n_buckets < BXM_MAX_STRIPES ? h->n_buckets : BXM_MAX_STRIPES;
	if (h->lru)
		h->n_locks = 1;
	h->key_space = (uint32_t)BXM_ROUND8(m->key_size);
	vspace = m->percpu ? m->stride * m->nr_cpus : m->stride;
	h->elem_size = (uint32_t)(sizeof(struct bxm_helem) + h->key_space + vspace);
	h->n_chunks = (m->max_entries + BXM_CHUNK_ELEMS - 1) / BXM_CHUNK_ELEMS;
	h->buckets = calloc(h->n_buckets, sizeof(*h->buckets));
	h->locks = calloc(h->n_locks, sizeof(*h->locks));
	h->chunks = calloc(h->n_chunks, sizeof(*h->chunks));
	h->lru_head.lru_next = h->lru_head.lru_prev = &h->lru_head;
	atomic_init(&h->count, 0);
	pthread_mutex_init(&h->pool_lock, NULL);
	if (h->locks)
		for (uint32_t i = 0; i < h->n_locks; i++)
			pthread_mutex_init(&h->locks[i], NULL);
	if (!h->buckets || !h->locks || !h->chunks)
		goto nomem;
	if (!(m->map_flags & BPFBOX_F_NO_PREALLOC)) {
		for (uint32_t c = 0; c < h->n_chunks; c++) {
			uint32_t n = m->max_entries - c * BXM_CHUNK_ELEMS;
			h->chunks[c] = calloc(n > BXM_CHUNK_ELEMS ? BXM_CHUNK_ELEMS : n, h->elem_size);
			if (!h->chunks[c])
				goto nomem;
		}
	}
	return 0;
nomem:
	m->ops->free(m);
	m->impl = NULL;
	return -ENOMEM;
}

/* Release stored pointers (hash_of_maps), then all memory. */
static void bxm_htab_free(struct bpfbox_map *m)
{
	struct bxm_htab *h = m->impl;

	if (!h)
		return;
	if (m->ptr_values && h->buckets) {
		for (uint32_t b = 0; b < h->n_buckets; b++)
			for (struct bxm_helem *e = h->buckets[b]; e; e = e->next) {
				void *p;
				memcpy(&p, bxm_hval(h, e), sizeof(p));
				bxm_ptr_put(m, p);
			}
	}
	if (h->locks)
		for (uint32_t i = 0; i < h->n_locks; i++)
			pthread_mutex_destroy(&h->locks[i]);
	pthread_mutex_destroy(&h->pool_lock);
	if (h->chunks)
		for (uint32_t c = 0; c < h->n_chunks; c++)
			free(h->chunks[c]);
	free(h->chunks);
	free(h->locks);
	free(h->buckets);
	free(h);
}

/* Find `key` in bucket b (lock held); *prevp gets the link pointing at it. */
static struct bxm_helem *bxm_hfind(struct bpfbox_map *m, struct bxm_htab *h, uint32_t b,
				   uint32_t hash, const void *key, struct bxm_helem ***prevp)
{
	struct bxm_helem **pp = &h->buckets[b];

	for (; *pp; pp = &(*pp)->next) {
		if ((*pp)->hash == hash && memcmp((*pp)->data, key, m->key_size) == 0) {
			if (prevp)
				*prevp = pp;
			return *pp;
		}
	}
	return NULL;
}

/* LRU list helpers (map lock held). */
static void bxm_lru_unlink(struct bxm_helem *e)
{
	e->lru_prev->lru_next = e->lru_next;
	e->lru_next->lru_prev = e->lru_prev;
}

static void bxm_lru_push_head(struct bxm_htab *h, struct bxm_helem *e)
{
	e->lru_next = h->lru_head.lru_next;
	e->lru_prev = &h->lru_head;
	h->lru_head.lru_next->lru_prev = e;
	h->lru_head.lru_next = e;
}

/* Evict the least recently used element (second chance on `ref`) and
 * return it for reuse; map lock held. */
static struct bxm_helem *bxm_lru_evict(struct bpfbox_map *m, struct bxm_htab *h)
{
	struct bxm_helem *e, **pp;

	for (;;) {
		e = h->lru_head.lru_prev;
		if (e == &h->lru_head)
			return NULL;
		bxm_lru_unlink(e);
		if (e->ref) {
			e->ref = 0;
			bxm_lru_push_head(h, e);
			continue;
		}
		break;
	}
	if (bxm_hfind(m, h, e->hash & (h->n_buckets - 1), e->hash, e->data, &pp))
		*pp = e->next;
	atomic_fetch_sub(&h->count, 1);
	return e;
}

/* Locate an element: hash, bucket, lock. Returns the element (or NULL)
 * with the bucket lock held; the caller unlocks. */
static struct bxm_helem *bxm_hget(struct bpfbox_map *m, struct bxm_htab *h, const void *key,
				  uint32_t *hashp, uint32_t *bp, struct bxm_helem ***prevp)
{
	uint32_t hash = bxm_hash(key, m->key_size, 0);
	uint32_t b = hash & (h->n_buckets - 1);

	*hashp = hash;
	*bp = b;
	pthread_mutex_lock(bxm_hlock(h, b));
	return bxm_hfind(m, h, b, hash, key, prevp);
}

/* Program path: pointer to the value (this CPU's copy); sets the LRU ref bit. */
static void *bxm_htab_lookup(struct bpfbox_map *m, const void *key, uint32_t cpu)
{
	struct bxm_htab *h = m->impl;
	struct bxm_helem *e;
	uint32_t hash, b;
	void *v = NULL;

	e = bxm_hget(m, h, key, &hash, &b, NULL);
	if (e) {
		e->ref = 1;
		v = (char *)bxm_hval(h, e) + (m->percpu ? (size_t)cpu * m->stride : 0);
		if (m->ptr_values)
			memcpy(&v, v, sizeof(v));
	}
	pthread_mutex_unlock(bxm_hlock(h, b));
	return v;
}

/* Copy out a value in syscall layout (lock held). */
static void bxm_hcopy_out(struct bpfbox_map *m, struct bxm_htab *h, struct bxm_helem *e, void *value)
{
	memcpy(value, bxm_hval(h, e), m->percpu ? (size_t)m->nr_cpus * m->stride : m->val_bytes);
}

/*
 * bxm_htab_value_ok - is [a, a+sz) inside one value slot of an element?
 * Elements live in chunks of BXM_CHUNK_ELEMS; a value slot is one CPU's
 * stride-sized part of the value area after the key. Pointer-valued maps
 * (hash of maps) hand out no value memory.
 */
static bool bxm_htab_value_ok(const struct bpfbox_map *m, uint64_t a, uint64_t sz)
{
	const struct bxm_htab *h = m->impl;
	uint64_t voff = offsetof(struct bxm_helem, data) + h->key_space;
	uint64_t nvals = m->percpu ? m->nr_cpus : 1;

	if (m->ptr_values || sz == 0 || sz > m->stride)
		return false;
	for (uint32_t c = 0; c < h->n_chunks; c++) {
		uint64_t base = (uint64_t)(uintptr_t)h->chunks[c], n, off;

		if (!base || a < base)
			continue;
		n = m->max_entries - (uint64_t)c * BXM_CHUNK_ELEMS;
		if (n > BXM_CHUNK_ELEMS)
			n = BXM_CHUNK_ELEMS;
		if (a - base >= n * h->elem_size)
			continue;
		off = (a - base) % h->elem_size;
		if (off < voff || off - voff >= nvals * m->stride)
			return false;
		return (off - voff) % m->stride + sz <= m->stride;
	}
	return false;
}

/* Syscall lookup. */
static int bxm_htab_copy(struct bpfbox_map *m, const void *key, void *value)
{
	struct bxm_htab *h = m->impl;
	struct bxm_helem *e;
	uint32_t hash, b;

	e = bxm_hget(m, h, key, &hash, &b, NULL);
	if (e) {
		e->ref = 1;
		bxm_hcopy_out(m, h, e, value);
	}
	pthread_mutex_unlock(bxm_hlock(h, b));
	return e ? 0 : -ENOENT;
}

/* Write a value into an element: all CPUs, one CPU, or one CPU of a new
 * element (others zeroed). Hash-of-maps drops the old pointer. */
static void bxm_hcopy_in(struct bpfbox_map *m, struct bxm_htab *h, struct bxm_helem *e,
			 const void *value, bool all_cpus, uint32_t cpu, bool fresh)
{
	char *dst = bxm_hval(h, e);

	if (m->ptr_values && !fresh) {
		void *old;
		memcpy(&old, dst, sizeof(old));
		bxm_ptr_put(m, old);
	}
	if (!m->percpu) {
		memcpy(dst, value, m->val_bytes);
	} else if (all_cpus) {
		for (uint32_t c = 0; c < m->nr_cpus; c++)
			memcpy(dst + (size_t)c * m->stride,
			       (const char *)value + (size_t)c * m->stride, m->value_size);
	} else {
		if (fresh)
			memset(dst, 0, (size_t)m->nr_cpus * m->stride);
		memcpy(dst + (size_t)cpu * m->stride, value, m->value_size);
	}
}

/* htab_map_update_elem: flags (-EINVAL), -EEXIST / -ENOENT by flags,
 * -E2BIG when full (LRU maps evict instead). */
static int bxm_htab_update(struct bpfbox_map *m, const void *key, const void *value,
			   uint64_t flags, bool all_cpus, uint32_t cpu)
{
	struct bxm_htab *h = m->impl;
	struct bxm_helem *e;
	uint32_t hash, b;
	int err = 0;

	if ((flags & ~BPFBOX_F_LOCK) > BPFBOX_EXIST)
		return -EINVAL;
	e = bxm_hget(m, h, key, &hash, &b, NULL);
	if (e && flags == BPFBOX_NOEXIST) {
		err = -EEXIST;
	} else if (!e && flags == BPFBOX_EXIST) {
		err = -ENOENT;
	} else if (e) {
		bxm_hcopy_in(m, h, e, value, all_cpus, cpu, false);
		if (h->lru) {
			e->ref = 1;
			bxm_lru_unlink(e);
			bxm_lru_push_head(h, e);
		}
	} else {
		if (atomic_fetch_add(&h->count, 1) >= m->max_entries) {
			atomic_fetch_sub(&h->count, 1);
			e = h->lru ? bxm_lru_evict(m, h) : NULL;
			if (!e) {
				err = h->lru ? -ENOMEM : -E2BIG;
				goto out;
			}
			atomic_fetch_add(&h->count, 1);
		} else {
			e = bxm_pool_get(h, m->max_entries);
			if (!e) {
				atomic_fetch_sub(&h->count, 1);
				err = -ENOMEM;
				goto out;
			}
		}
		e->hash = hash;
		e->ref = 0;
		memcpy(e->data, key, m->key_size);
		bxm_hcopy_in(m, h, e, value, all_cpus, cpu, true);
		e->next = h->buckets[b];
		h->buckets[b] = e;
		if (h->lru)
			bxm_lru_push_head(h, e);
	}
out:
	pthread_mutex_unlock(bxm_hlock(h, b));
	return err;
}

/* Unlink a found element (lock held), drop its pointer, free it. */
static void bxm_hremove(struct bpfbox_map *m, struct bxm_htab *h, struct bxm_helem *e,
			struct bxm_helem **pp)
{
	*pp = e->next;
	if (h->lru)
		bxm_lru_unlink(e);
	if (m->ptr_values) {
		void *p;
		memcpy(&p, bxm_hval(h, e), sizeof(p));
		bxm_ptr_put(m, p);
	}
	bxm_pool_put(h, e);
	atomic_fetch_sub(&h->count, 1);
}

/* Delete a key: -ENOENT if absent. */
static int bxm_htab_delete(struct bpfbox_map *m, const void *key)
{
	struct bxm_htab *h = m->impl;
	struct bxm_helem *e, **pp;
	uint32_t hash, b;

	e = bxm_hget(m, h, key, &hash, &b, &pp);
	if (e)
		bxm_hremove(m, h, e, pp);
	pthread_mutex_unlock(bxm_hlock(h, b));
	return e ? 0 : -ENOENT;
}

/* Copy the value, then delete (BPF_MAP_LOOKUP_AND_DELETE_ELEM). */
static int bxm_htab_lookup_and_delete(struct bpfbox_map *m, const void *key, void *value)
{
	struct bxm_htab *h = m->impl;
	struct bxm_helem *e, **pp;
	uint32_t hash, b;

	e = bxm_hget(m, h, key, &hash, &b, &pp);
	if (e) {
		bxm_hcopy_out(m, h, e, value);
		bxm_hremove(m, h, e, pp);
	}
	pthread_mutex_unlock(bxm_hlock(h, b));
	return e ? 0 : -ENOENT;
}

/* htab_map_get_next_key: next in the key's bucket, else the first element
 * of the following non-empty bucket; unknown/NULL key restarts at bucket 0. */
static int bxm_htab_next_key(struct bpfbox_map *m, const void *key, void *next)
{
	struct bxm_htab *h = m->impl;
	struct bxm_helem *e = NULL;
	uint32_t hash, b = 0;

	if (key) {
		e = bxm_hget(m, h, key, &hash, &b, NULL);
		if (e && e->next) {
			memcpy(next, e->next->data, m->key_size);
			pthread_mutex_unlock(bxm_hlock(h, b));
			return 0;
		}
		pthread_mutex_unlock(bxm_hlock(h, b));
		b = e ? b + 1 : 0;
	}
	for (; b < h->n_buckets; b++) {
		pthread_mutex_lock(bxm_hlock(h, b));
		e = h->buckets[b];
		if (e)
			memcpy(next, e->data, m->key_size);
		pthread_mutex_unlock(bxm_hlock(h, b));
		if (e)
			return 0;
	}
	return -ENOENT;
}

const struct bxm_ops bxm_hash_ops = {
	.alloc = bxm_htab_alloc,
	.value_ok = bxm_htab_value_ok,
	.free = bxm_htab_free,
	.lookup = bxm_htab_lookup,
	.copy = bxm_htab_copy,
	.update = bxm_htab_update,
	.delete = bxm_htab_delete,
	.next_key = bxm_htab_next_key,
	.lookup_and_delete = bxm_htab_lookup_and_delete,
};

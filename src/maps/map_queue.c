/*
 * map_queue.c - queue (FIFO) and stack (LIFO): a ring of max_entries + 1
 * slots under a mutex, as the kernel's queue_stack_maps.c; and the bloom
 * filter: an atomic bitset probed by nr_hash_funcs seeded hashes.
 */
#include "maps/map_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct bxm_qs {
	pthread_mutex_t lock;
	uint32_t size;      /* max_entries + 1 */
	uint32_t head;      /* next slot to write */
	uint32_t tail;      /* oldest element */
	_Alignas(8) unsigned char elems[];
};

/* Allocate the ring. */
static int bxm_qs_alloc(struct bpfbox_map *m)
{
	uint64_t bytes = ((uint64_t)m->max_entries + 1) * m->stride;
	struct bxm_qs *q;

	if (bytes > (1ull << 32))
		return -ENOMEM;
	q = calloc(1, sizeof(*q) + bytes);
	if (!q)
		return -ENOMEM;
	q->size = m->max_entries + 1;
	pthread_mutex_init(&q->lock, NULL);
	m->impl = q;
	return 0;
}

/* Free the ring. */
static void bxm_qs_free(struct bpfbox_map *m)
{
	struct bxm_qs *q = m->impl;

	pthread_mutex_destroy(&q->lock);
	free(q);
}

/* Push: -E2BIG when full unless BPF_EXIST, which drops the oldest. */
static int bxm_qs_push(struct bpfbox_map *m, const void *value, uint64_t flags)
{
	struct bxm_qs *q = m->impl;
	int err = 0;

	if ((flags & BPFBOX_NOEXIST) || flags > BPFBOX_EXIST)
		return -EINVAL;
	pthread_mutex_lock(&q->lock);
	if ((q->head + 1) % q->size == q->tail) {
		if (!(flags & BPFBOX_EXIST)) {
			err = -E2BIG;
			goto out;
		}
		q->tail = (q->tail + 1) % q->size;
	}
	memcpy(q->elems + (size_t)q->head * m->stride, value, m->value_size);
	q->head = (q->head + 1) % q->size;
out:
	pthread_mutex_unlock(&q->lock);
	return err;
}

/* Pop or peek: the oldest (queue) or newest (stack); -ENOENT if empty. */
static int bxm_qs_take(struct bpfbox_map *m, void *value, bool remove)
{
	struct bxm_qs *q = m->impl;
	bool stack = m->type == BPFBOX_MAP_TYPE_STACK;
	uint32_t idx;
	int err = 0;

	pthread_mutex_lock(&q->lock);
	if (q->head == q->tail) {
		err = -ENOENT;
		goto out;
	}
	idx = stack ? (q->head + q->size - 1) % q->size : q->tail;
	memcpy(value, q->elems + (size_t)idx * m->stride, m->value_size);
	if (remove) {
		if (stack)
			q->head = idx;
		else
			q->tail = (q->tail + 1) % q->size;
	}
out:
	pthread_mutex_unlock(&q->lock);
	return err;
}

static int bxm_qs_pop(struct bpfbox_map *m, void *value)
{
	return bxm_qs_take(m, value, true);
}

static int bxm_qs_peek(struct bpfbox_map *m, void *value)
{
	return bxm_qs_take(m, value, false);
}

/* Queue/stack have no keys: delete and get_next_key are -EINVAL. */
static int bxm_qs_delete(struct bpfbox_map *m, const void *key)
{
	(void)m;
	(void)key;
	return -EINVAL;
}

static int bxm_qs_next_key(struct bpfbox_map *m, const void *key, void *next)
{
	(void)m;
	(void)key;
	(void)next;
	return -EINVAL;
}

const struct bxm_ops bxm_queue_ops = {
	.alloc = bxm_qs_alloc,
	.free = bxm_qs_free,
	.delete = bxm_qs_delete,
	.next_key = bxm_qs_next_key,
	.push = bxm_qs_push,
	.pop = bxm_qs_pop,
	.peek = bxm_qs_peek,
};

/* ---- bloom filter ---------------------------------------------------------- */

struct bxm_bloom {
	uint32_t nr_hash;
	uint64_t mask;            /* nr_bits - 1 */
	_Atomic uint64_t bits[];
};

/* Size the bitset like the kernel: max_entries * nr_hash / ln(2) bits,
 * rounded up to a power of 2. */
static int bxm_bloom_alloc(struct bpfbox_map *m)
{
	uint32_t nh = (uint32_t)(m->map_extra & 0xf);
	uint64_t nbits, want;
	struct bxm_bloom *b;

	if (!nh)
		nh = 5;
	want = (uint64_t)m->max_entries * nh * 7 / 5;
	nbits = 64;
	while (nbits < want && nbits < (1ull << 32))
		nbits <<= 1;
	b = calloc(1, sizeof(*b) + nbits / 8);
	if (!b)
		return -ENOMEM;
	b->nr_hash = nh;
	b->mask = nbits - 1;
	for (uint64_t i = 0; i < nbits / 64; i++)
		atomic_init(&b->bits[i], 0);
	m->impl = b;
	return 0;
}

static void bxm_bloom_free(struct bpfbox_map *m)
{
	free(m->impl);
}

/* Add a value (only BPF_ANY). */
static int bxm_bloom_push(struct bpfbox_map *m, const void *value, uint64_t flags)
{
	struct bxm_bloom *b = m->impl;

	if (flags != BPFBOX_ANY)
		return -EINVAL;
	for (uint32_t i = 0; i < b->nr_hash; i++) {
		uint64_t bit = bxm_hash(value, m->value_size, i) & b->mask;
		atomic_fetch_or_explicit(&b->bits[bit / 64], 1ull << (bit % 64), memory_order_relaxed);
	}
	return 0;
}

/* Test a value: 0 if maybe present, -ENOENT if certainly absent. */
static int bxm_bloom_peek(struct bpfbox_map *m, void *value)
{
	struct bxm_bloom *b = m->impl;

	for (uint32_t i = 0; i < b->nr_hash; i++) {
		uint64_t bit = bxm_hash(value, m->value_size, i) & b->mask;
		if (!(atomic_load_explicit(&b->bits[bit / 64], memory_order_relaxed) & (1ull << (bit % 64))))
			return -ENOENT;
	}
	return 0;
}

const struct bxm_ops bxm_bloom_ops = {
	.alloc = bxm_bloom_alloc,
	.free = bxm_bloom_free,
	.push = bxm_bloom_push,
	.peek = bxm_bloom_peek,
};

/*
 * map_ringbuf.c - ringbuf (the kernel's BPF ring buffer: 8-byte record
 * headers with busy/discard bits, producer/consumer positions, data pages
 * mapped twice so every record is contiguous) and perf_event_array (one
 * perf-style record buffer per slot, normally per CPU).
 */
#include "maps/map_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define BXM_RB_PGUNIT 4096u     /* unit of the header's pg_off */

struct bxm_rb {
	pthread_mutex_t lock;    /* producers */
	uint64_t mask;           /* data size - 1 */
	_Atomic uint64_t consumer_pos;
	_Atomic uint64_t producer_pos;
	uint64_t pending_pos;    /* oldest record that may still be busy */
	unsigned char *base;     /* meta page, then data twice */
	unsigned char *data;
	size_t map_len;
};

struct bxm_rb_hdr {
	uint32_t len;            /* size | BUSY | DISCARD, accessed atomically */
	uint32_t pg_off;         /* 4 KiB units from `base` (finds the ring) */
};

/* Map [meta page][data][same data again] using a memfd. */
static int bxm_rb_alloc(struct bpfbox_map *m)
{
	size_t size = m->max_entries, page = (size_t)sysconf(_SC_PAGESIZE);
	struct bxm_rb *rb;
	unsigned char *base;
	int fd;

	if (page < BXM_RB_PGUNIT)
		page = BXM_RB_PGUNIT;
	rb = calloc(1, sizeof(*rb));
	if (!rb)
		return -ENOMEM;
	fd = memfd_create("bpfbox-ringbuf", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
		goto fail_fd;
	rb->map_len = page + 2 * size;
	base = mmap(NULL, rb->map_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		goto fail_fd;
	if (mmap(base, page, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ||
	    mmap(base + page, size, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_SHARED, fd, 0) == MAP_FAILED ||
	    mmap(base + page + size, size, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_SHARED, fd, 0) == MAP_FAILED) {
		munmap(base, rb->map_len);
		goto fail_fd;
	}
	close(fd);
	memcpy(base, &rb, sizeof(rb));
	rb->base = base;
	rb->data = base + page;
	rb->mask = size - 1;
	atomic_init(&rb->consumer_pos, 0);
	atomic_init(&rb->producer_pos, 0);
	pthread_mutex_init(&rb->lock, NULL);
	m->impl = rb;
	return 0;
fail_fd:
	if (fd >= 0)
		close(fd);
	free(rb);
	return -ENOMEM;
}

static void bxm_rb_free(struct bpfbox_map *m)
{
	struct bxm_rb *rb = m->impl;

	munmap(rb->base, rb->map_len);
	pthread_mutex_destroy(&rb->lock);
	free(rb);
}

const struct bxm_ops bxm_ringbuf_ops = {
	.alloc = bxm_rb_alloc,
	.free = bxm_rb_free,
};

/* __bpf_ringbuf_reserve: NULL if the record does not fit. */
void *bxm_ringbuf_reserve(struct bpfbox_map *m, uint64_t size, uint64_t flags)
{
	struct bxm_rb *rb = m->impl;
	struct bxm_rb_hdr *hdr;
	uint64_t len, cons, prod, pend, npos;

	if (m->type != BPFBOX_MAP_TYPE_RINGBUF || flags)
		return NULL;
	if (size > (UINT32_MAX >> 2))
		return NULL;
	len = BXM_ROUND8(size + BPFBOX_RINGBUF_HDR_SZ);
	if (len > rb->mask + 1)
		return NULL;
	cons = atomic_load_explicit(&rb->consumer_pos, memory_order_acquire);
	pthread_mutex_lock(&rb->lock);
	pend = rb->pending_pos;
	prod = atomic_load_explicit(&rb->producer_pos, memory_order_relaxed);
	while (pend < prod) {
		uint32_t hl;
		hdr = (struct bxm_rb_hdr *)(rb->data + (pend & rb->mask));
		hl = __atomic_load_n(&hdr->len, __ATOMIC_ACQUIRE);
		if (hl & BPFBOX_RINGBUF_BUSY_BIT)
			break;
		pend += BXM_ROUND8((hl & ~BPFBOX_RINGBUF_DISCARD_BIT) + BPFBOX_RINGBUF_HDR_SZ);
	}
	rb->pending_pos = pend;
	npos = prod + len;
	if (npos - cons > rb->mask || npos - pend > rb->mask) {
		pthread_mutex_unlock(&rb->lock);
		return NULL;
	}
	hdr = (struct bxm_rb_hdr *)(rb->data + (prod & rb->mask));
	hdr->pg_off = (uint32_t)(((unsigned char *)hdr - rb->base) / BXM_RB_PGUNIT);
	__atomic_store_n(&hdr->len, (uint32_t)size | BPFBOX_RINGBUF_BUSY_BIT, __ATOMIC_RELAXED);
	atomic_store_explicit(&rb->producer_pos, npos, memory_order_release);
	pthread_mutex_unlock(&rb->lock);
	return hdr + 1;
}

/* Clear the busy bit (and set discard) of a reserved record. */
static void bxm_rb_commit(void *sample, bool discard)
{
	struct bxm_rb_hdr *hdr = (struct bxm_rb_hdr *)sample - 1;
	uint32_t nl = __atomic_load_n(&hdr->len, __ATOMIC_RELAXED) & ~BPFBOX_RINGBUF_BUSY_BIT;

	if (discard)
		nl |= BPFBOX_RINGBUF_DISCARD_BIT;
	__atomic_exchange_n(&hdr->len, nl, __ATOMIC_ACQ_REL);
}

void bxm_ringbuf_submit(void *sample, uint64_t flags)
{
	(void)flags;
	bxm_rb_commit(sample, false);
}

void bxm_ringbuf_discard(void *sample, uint64_t flags)
{
	(void)flags;
	bxm_rb_commit(sample, true);
}

/* bpf_ringbuf_output: -EINVAL for bad flags, -EAGAIN if it does not fit. */
long bxm_ringbuf_output(struct bpfbox_map *m, const void *data, uint64_t size, uint64_t flags)
{
	void *rec;

	if (flags & ~(BPFBOX_RB_NO_WAKEUP | BPFBOX_RB_FORCE_WAKEUP))
		return -EINVAL;
	rec = bxm_ringbuf_reserve(m, size, 0);
	if (!rec)
		return -EAGAIN;
	memcpy(rec, data, size);
	bxm_rb_commit(rec, false);
	return 0;
}

/* bpf_ringbuf_query. */
uint64_t bxm_ringbuf_query(struct bpfbox_map *m, uint64_t flags)
{
	struct bxm_rb *rb = m->impl;
	uint64_t c, p;

	if (m->type != BPFBOX_MAP_TYPE_RINGBUF)
		return 0;
	c = atomic_load_explicit(&rb->consumer_pos, memory_order_acquire);
	p = atomic_load_explicit(&rb->producer_pos, memory_order_acquire);
	switch (flags) {
	case BPFBOX_RB_AVAIL_DATA: return p - c;
	case BPFBOX_RB_RING_SIZE: return rb->mask + 1;
	case BPFBOX_RB_CONS_POS: return c;
	case BPFBOX_RB_PROD_POS: return p;
	default: return 0;
	}
}

void *bxm_ringbuf_data(struct bpfbox_map *m, uint64_t *cons_pos, uint64_t *prod_pos)
{
	struct bxm_rb *rb = m->impl;

	if (m->type != BPFBOX_MAP_TYPE_RINGBUF)
		return NULL;
	if (cons_pos)
		*cons_pos = atomic_load_explicit(&rb->consumer_pos, memory_order_acquire);
	if (prod_pos)
		*prod_pos = atomic_load_explicit(&rb->producer_pos, memory_order_acquire);
	return rb->data;
}

int bpfbox_map__ringbuf_consume(struct bpfbox_map *m, bpfbox_ringbuf_sample_fn fn, void *ctx)
{
	struct bxm_rb *rb;
	uint64_t cons, prod;
	int cnt = 0, r;

	if (!m || m->type != BPFBOX_MAP_TYPE_RINGBUF || !fn)
		return -EINVAL;
	rb = m->impl;
	cons = atomic_load_explicit(&rb->consumer_pos, memory_order_acquire);
	prod = atomic_load_explicit(&rb->producer_pos, memory_order_acquire);
	while (cons < prod) {
		struct bxm_rb_hdr *hdr = (struct bxm_rb_hdr *)(rb->data + (cons & rb->mask));
		uint32_t hl = __atomic_load_n(&hdr->len, __ATOMIC_ACQUIRE);
		uint32_t len = hl & ~(BPFBOX_RINGBUF_BUSY_BIT | BPFBOX_RINGBUF_DISCARD_BIT);

		if (hl & BPFBOX_RINGBUF_BUSY_BIT)
			break;
		cons += BXM_ROUND8(len + BPFBOX_RINGBUF_HDR_SZ);
		if (!(hl & BPFBOX_RINGBUF_DISCARD_BIT)) {
			r = fn(ctx, hdr + 1, len);
			cnt++;
			if (r) {
				atomic_store_explicit(&rb->consumer_pos, cons, memory_order_release);
				return r;
			}
		}
		atomic_store_explicit(&rb->consumer_pos, cons, memory_order_release);
	}
	return cnt;
}

/* ---- perf_event_array ---------------------------------------------------- */

#define BXM_PERF_RECORD_SAMPLE 9

struct bxm_perf_slot {
	pthread_mutex_t lock;
	unsigned char *buf;      /* NULL: no "perf event" in this slot */
	uint32_t size;
	uint64_t head, tail;     /* byte positions (head = write) */
	uint64_t lost;
};

/* Slots without buffers. */
static int bxm_perf_alloc(struct bpfbox_map *m)
{
	struct bxm_perf_slot *s;

	if ((uint64_t)m->max_entries * sizeof(*s) > (1ull << 32))
		return -ENOMEM;
	s = calloc(m->max_entries, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (uint32_t i = 0; i < m->max_entries; i++)
		pthread_mutex_init(&s[i].lock, NULL);
	m->impl = s;
	return 0;
}

static void bxm_perf_free(struct bpfbox_map *m)
{
	struct bxm_perf_slot *s = m->impl;

	for (uint32_t i = 0; i < m->max_entries; i++) {
		free(s[i].buf);
		pthread_mutex_destroy(&s[i].lock);
	}
	free(s);
}

/* Delete = detach the slot's buffer. */
static int bxm_perf_delete(struct bpfbox_map *m, const void *key)
{
	struct bxm_perf_slot *s;
	uint32_t i;
	int err = 0;

	memcpy(&i, key, 4);
	if (i >= m->max_entries)
		return -E2BIG;
	s = &((struct bxm_perf_slot *)m->impl)[i];
	pthread_mutex_lock(&s->lock);
	if (!s->buf)
		err = -ENOENT;
	free(s->buf);
	s->buf = NULL;
	pthread_mutex_unlock(&s->lock);
	return err;
}

/* Array-style iteration over slot indexes. */
static int bxm_perf_next_key(struct bpfbox_map *m, const void *key, void *next)
{
	uint32_t i = 0, n;

	if (key)
		memcpy(&i, key, 4);
	if (!key || i >= m->max_entries)
		n = 0;
	else if (i == m->max_entries - 1)
		return -ENOENT;
	else
		n = i + 1;
	memcpy(next, &n, 4);
	return 0;
}

const struct bxm_ops bxm_perf_ops = {
	.alloc = bxm_perf_alloc,
	.free = bxm_perf_free,
	.delete = bxm_perf_delete,
	.next_key = bxm_perf_next_key,
};

int bpfbox_map__perf_attach(struct bpfbox_map *m, uint32_t index, uint32_t size)
{
	struct bxm_perf_slot *s;
	unsigned char *buf;

	if (!m || m->type != BPFBOX_MAP_TYPE_PERF_EVENT_ARRAY)
		return -EINVAL;
	if (size < 64 || (size & (size - 1))) {
		bx_err(&m->log, "map %s: perf buffer size %u is not a power of 2 >= 64", m->name, size);
		return -EINVAL;
	}
	if (index >= m->max_entries)
		return -E2BIG;
	buf = calloc(1, size);
	if (!buf)
		return -ENOMEM;
	s = &((struct bxm_perf_slot *)m->impl)[index];
	pthread_mutex_lock(&s->lock);
	free(s->buf);
	s->buf = buf;
	s->size = size;
	s->head = s->tail = s->lost = 0;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* Copy `len` bytes into / out of the slot ring at byte position pos. */
static void bxm_perf_put(struct bxm_perf_slot *s, uint64_t pos, const void *src, size_t len)
{
	size_t off = pos & (s->size - 1), first = s->size - off < len ? s->size - off : len;

	memcpy(s->buf + off, src, first);
	memcpy(s->buf, (const char *)src + first, len - first);
}

static void bxm_perf_get(struct bxm_perf_slot *s, uint64_t pos, void *dst, size_t len)
{
	size_t off = pos & (s->size - 1), first = s->size - off < len ? s->size - off : len;

	memcpy(dst, s->buf + off, first);
	memcpy((char *)dst + first, s->buf, len - first);
}

long bxm_perf_output(struct bpfbox_map *m, uint64_t flags, uint32_t cpu,
		     const void *data, uint64_t size)
{
	struct bxm_perf_slot *s;
	uint64_t idx = flags & BPFBOX_F_INDEX_MASK, rec;
	uint32_t raw;
	struct { uint32_t type; uint16_t misc; uint16_t size; uint32_t raw_size; } h;
	static const unsigned char zero[8];
	long err = 0;

	if (m->type != BPFBOX_MAP_TYPE_PERF_EVENT_ARRAY || (flags & ~BPFBOX_F_INDEX_MASK))
		return -EINVAL;
	if (idx == BPFBOX_F_CURRENT_CPU)
		idx = cpu;
	if (idx >= m->max_entries)
		return -E2BIG;
	raw = (uint32_t)(BXM_ROUND8(size + 4) - 4);    /* the kernel pads raw data */
	rec = 8 + 4 + (uint64_t)raw;
	if (rec > 0xffff)
		return -E2BIG;
	s = &((struct bxm_perf_slot *)m->impl)[idx];
	pthread_mutex_lock(&s->lock);
	if (!s->buf) {
		err = -ENOENT;
	} else if (s->head - s->tail + rec > s->size) {
		s->lost++;
		err = -ENOSPC;
	} else {
		h.type = BXM_PERF_RECORD_SAMPLE;
		h.misc = 0;
		h.size = (uint16_t)rec;
		h.raw_size = raw;
		bxm_perf_put(s, s->head, &h, sizeof(h));
		bxm_perf_put(s, s->head + sizeof(h), data, size);
		bxm_perf_put(s, s->head + sizeof(h) + size, zero, raw - size);
		s->head += rec;
	}
	pthread_mutex_unlock(&s->lock);
	return err;
}

int bpfbox_map__perf_consume(struct bpfbox_map *m, bpfbox_perf_sample_fn sample_fn,
			     bpfbox_perf_lost_fn lost_fn, void *ctx)
{
	struct bxm_perf_slot *slots;
	unsigned char *tmp = NULL;
	int cnt = 0;

	if (!m || m->type != BPFBOX_MAP_TYPE_PERF_EVENT_ARRAY || !sample_fn)
		return -EINVAL;
	slots = m->impl;
	for (uint32_t i = 0; i < m->max_entries; i++) {
		struct bxm_perf_slot *s = &slots[i];

		pthread_mutex_lock(&s->lock);
		if (s->buf && s->lost && lost_fn)
			lost_fn(ctx, i, s->lost);
		s->lost = 0;
		while (s->buf && s->tail < s->head) {
			struct { uint32_t type; uint16_t misc; uint16_t size; uint32_t raw_size; } h;

			bxm_perf_get(s, s->tail, &h, sizeof(h));
			free(tmp);
			tmp = malloc(h.raw_size ? h.raw_size : 1);
			if (!tmp) {
				pthread_mutex_unlock(&s->lock);
				return -ENOMEM;
			}
			bxm_perf_get(s, s->tail + sizeof(h), tmp, h.raw_size);
			s->tail += h.size;
			sample_fn(ctx, i, tmp, h.raw_size);
			cnt++;
		}
		pthread_mutex_unlock(&s->lock);
	}
	free(tmp);
	return cnt;
}

/*
 * test_maps.c - unit tests of the map subsystem: every type, flag and
 * error path, iteration, per-CPU layouts, LRU eviction, LPM matching,
 * bloom filter, queue/stack, ringbuf format and wrap-around, perf buffers,
 * map-in-map, pointer stability, and 4-thread concurrency on a hash.
 */
#include "bpfbox/map.h"
#include "maps/map_internal.h"
#include "testlib.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Create a map or fail the test; NULL on failure. */
static struct bpfbox_map *mk(uint32_t type, uint32_t ks, uint32_t vs, uint32_t me,
			     uint32_t flags, uint32_t ncpu)
{
	BPFBOX_OPTS(bpfbox_map_create_opts, o, .map_flags = flags, .nr_cpus = ncpu, .name = "t");
	struct bpfbox_map *m = NULL;
	int err = bpfbox_map__create(type, ks, vs, me, &o, &m);

	CHECK_MSG(err == 0, "create type %u: %d", type, err);
	return m;
}

/* Creation result only. */
static int try_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t me,
		      uint32_t flags, uint64_t extra)
{
	BPFBOX_OPTS(bpfbox_map_create_opts, o, .map_flags = flags, .map_extra = extra);
	struct bpfbox_map *m = NULL;
	int err = bpfbox_map__create(type, ks, vs, me, &o, &m);

	bpfbox_map__free(m);
	return err;
}

static int nlogs;
static void count_log(void *ctx, enum bpfbox_log_level lvl, const char *msg)
{
	(void)ctx; (void)lvl; (void)msg;
	nlogs++;
}

static void test_create(void)
{
	BPFBOX_OPTS(bpfbox_map_create_opts, lo, .log = count_log, .name = "bad-name");
	struct bpfbox_map *m = NULL;

	CHECK_EQ_INT(try_create(1, 4, 8, 2, 0, 0), 0);
	CHECK_EQ_INT(try_create(1, 0, 8, 2, 0, 0), -EINVAL);
	CHECK_EQ_INT(try_create(1, 4, 0, 2, 0, 0), -EINVAL);
	CHECK_EQ_INT(try_create(1, 4, 8, 0, 0, 0), -EINVAL);
	CHECK_EQ_INT(try_create(1, 4, 8, 2, 0, 1), -EINVAL);
	CHECK_EQ_INT(try_create(1, 4, 8, 2, 1u << 20, 0), -EINVAL);
	CHECK_EQ_INT(try_create(1, 4, 1u << 22, 2, 0, 0), -E2BIG);
	CHECK_EQ_INT(try_create(5, 4, 32769, 2, 0, 0), -E2BIG);
	CHECK_EQ_INT(try_create(2, 8, 8, 2, 0, 0), -EINVAL);
	CHECK_EQ_INT(try_create(2, 4, 8, 2, BPFBOX_F_NO_PREALLOC, 0), -EINVAL);
	CHECK_EQ_INT(try_create(6, 4, 32769, 2, 0, 0), -E2BIG);
	CHECK_EQ_INT(try_create(9, 4, 8, 2, BPFBOX_F_NO_PREALLOC, 0), -BPFBOX_ENOTSUPP);
	CHECK_EQ_INT(try_create(1, 4, 8, 2, BPFBOX_F_NO_COMMON_LRU, 0), -EINVAL);
	CHECK_EQ_INT(try_create(9, 4, 8, 2, BPFBOX_F_NO_COMMON_LRU, 0), 0);
	CHECK_EQ_INT(try_create(22, 4, 8, 2, 0, 0), -EINVAL);
	CHECK_EQ_INT(try_create(22, 0, 0, 2, 0, 0), -EINVAL);
	CHECK_EQ_INT(try_create(23, 0, 8, 2, BPFBOX_F_NO_PREALLOC, 0), -EINVAL);
	CHECK_EQ_INT(try_create(11, 8, 8, 2, 0, 0), -EINVAL);
	CHECK_EQ_INT(try_create(11, 4, 8, 2, 1, 0), -EINVAL);
	CHECK_EQ_INT(try_create(11, 261, 8, 2, 1, 0), -EINVAL);
	CHECK_EQ_INT(try_create(11, 260, 8, 2, 1, 0), 0);
	CHECK_EQ_INT(try_create(27, 0, 0, 4096, 0, 0), 0);
	CHECK_EQ_INT(try_create(27, 0, 0, 4096 * 3, 0, 0), -EINVAL);
	CHECK_EQ_INT(try_create(27, 0, 0, 2048, 0, 0), -EINVAL);
	CHECK_EQ_INT(try_create(27, 4, 0, 4096, 0, 0), -EINVAL);
	CHECK_EQ_INT(try_create(30, 0, 8, 10, 0, 0), 0);
	CHECK_EQ_INT(try_create(30, 4, 8, 10, 0, 0), -EINVAL);
	CHECK_EQ_INT(try_create(30, 0, 8, 10, 0, 16), -EINVAL);
	CHECK_EQ_INT(try_create(30, 0, 8, 10, 0, 3), 0);
	CHECK_EQ_INT(try_create(3, 4, 8, 2, 0, 0), -EINVAL);
	CHECK_EQ_INT(try_create(4, 4, 4, 2, 0, 0), 0);
	CHECK_EQ_INT(try_create(12, 4, 4, 2, 0, 0), -EBADF);
	CHECK_EQ_INT(try_create(15, 4, 4, 2, 0, 0), -EINVAL);	/* sockmap: not supported */
	CHECK_EQ_INT(try_create(99, 4, 8, 2, 0, 0), -EINVAL);
	CHECK_EQ_INT(try_create(2, 4, 8, 2, BPFBOX_F_RDONLY | BPFBOX_F_WRONLY, 0), -EINVAL);
	nlogs = 0;
	CHECK_EQ_INT(bpfbox_map__create(1, 4, 4, 1, &lo, &m), -EINVAL);
	CHECK(nlogs == 1 && m == NULL);
	m = mk(1, 4, 4, 1, 0, 3);
	if (m) {
		CHECK_EQ_INT(bpfbox_map__type(m), 1);
		CHECK_EQ_INT(bpfbox_map__key_size(m), 4);
		CHECK_EQ_INT(bpfbox_map__value_size(m), 4);
		CHECK_EQ_INT(bpfbox_map__max_entries(m), 1);
		CHECK_EQ_INT(bpfbox_map__nr_cpus(m), 3);
		CHECK_STR(bpfbox_map__name(m), "t");
	}
	bpfbox_map__free(m);
	CHECK_STR(bpfbox_map_type_name(10), "lru_percpu_hash");
	CHECK_EQ_INT(bpfbox_map_type_from_name("bloom_filter"), 30);
}

static void test_array(void)
{
	struct bpfbox_map *m = mk(BPFBOX_MAP_TYPE_ARRAY, 4, 12, 4, 0, 0);
	uint32_t k, n;
	uint64_t v[2] = { 0 }, w[2];

	if (!m)
		return;
	k = 1;
	v[0] = 0x1122334455667788ull;
	v[1] = 0xaabbccdd;
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, v, BPFBOX_ANY), 0);
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, v, BPFBOX_EXIST), 0);
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, v, BPFBOX_NOEXIST), -EEXIST);
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, v, 3), -EINVAL);
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, v, BPFBOX_F_LOCK), -EINVAL);
	memset(w, 0, sizeof(w));
	CHECK_EQ_INT(bpfbox_map__lookup_elem(m, &k, w, 0), 0);
	CHECK_MEM(w, v, 12);
	CHECK_EQ_INT(bpfbox_map__lookup_elem(m, &k, w, BPFBOX_F_LOCK), -EINVAL);
	CHECK_EQ_INT(bpfbox_map__lookup_elem(m, &k, w, 8), -EINVAL);
	k = 4;
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, v, 0), -E2BIG);
	CHECK_EQ_INT(bpfbox_map__lookup_elem(m, &k, w, 0), -ENOENT);
	CHECK_EQ_INT(bpfbox_map__delete_elem(m, &k), -EINVAL);
	k = 0;
	CHECK_EQ_INT(bpfbox_map__delete_elem(m, &k), -EINVAL);
	CHECK_EQ_INT(bpfbox_map__lookup_and_delete_elem(m, &k, w, 0), -BPFBOX_ENOTSUPP);
	CHECK_EQ_INT(bpfbox_map__lookup_elem(m, NULL, w, 0), -EFAULT);
	/* iteration 0..3, restart on out-of-range */
	CHECK_EQ_INT(bpfbox_map__get_next_key(m, NULL, &n), 0);
	CHECK_EQ_INT(n, 0);
	k = 2;
	CHECK_EQ_INT(bpfbox_map__get_next_key(m, &k, &n), 0);
	CHECK_EQ_INT(n, 3);
	k = 3;
	CHECK_EQ_INT(bpfbox_map__get_next_key(m, &k, &n), -ENOENT);
	k = 9;
	CHECK_EQ_INT(bpfbox_map__get_next_key(m, &k, &n), 0);
	CHECK_EQ_INT(n, 0);
	/* program path: pointer into storage, 8-byte aligned */
	k = 1;
	{
		uint64_t *p = bxm_lookup(m, &k, 0);
		CHECK(p && ((uintptr_t)p & 7) == 0 && p[0] == v[0]);
		k = 2;
		CHECK(((uintptr_t)bxm_lookup(m, &k, 0) - (uintptr_t)p) == 16);
		k = 4;
		CHECK(bxm_lookup(m, &k, 0) == NULL);
	}
	/* batch */
	{
		uint32_t keys[8], cnt = 3, ob;
		uint64_t vals[8 * 2];
		CHECK_EQ_INT(bpfbox_map__lookup_batch(m, NULL, &ob, keys, vals, &cnt), 0);
		CHECK(cnt == 3 && keys[0] == 0 && keys[2] == 2 && ob == 2);
		cnt = 3;
		CHECK_EQ_INT(bpfbox_map__lookup_batch(m, &ob, &ob, keys, vals, &cnt), -ENOENT);
		CHECK(cnt == 1 && keys[0] == 3);
	}
	bpfbox_map__free(m);

	/* read-only / write-only map flags (syscall side) */
	m = mk(BPFBOX_MAP_TYPE_ARRAY, 4, 8, 1, BPFBOX_F_RDONLY, 0);
	k = 0;
	if (m) {
		CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, v, 0), -EPERM);
		CHECK_EQ_INT(bpfbox_map__lookup_elem(m, &k, w, 0), 0);
	}
	bpfbox_map__free(m);
}

static void test_percpu(void)
{
	struct bpfbox_map *a = mk(BPFBOX_MAP_TYPE_PERCPU_ARRAY, 4, 4, 2, 0, 3);
	struct bpfbox_map *h = mk(BPFBOX_MAP_TYPE_PERCPU_HASH, 4, 12, 4, 0, 3);
	struct bpfbox_map *l = mk(BPFBOX_MAP_TYPE_LRU_PERCPU_HASH, 4, 4, 4, 0, 2);
	uint32_t k = 1, one = 7;
	uint64_t buf[3 * 2], out[3 * 2];

	if (!a || !h || !l)
		goto out;
	CHECK_EQ_INT(bpfbox_map__value_buf_size(a), 3 * 8);
	CHECK_EQ_INT(bpfbox_map__value_buf_size(h), 3 * 16);
	memset(buf, 0, sizeof(buf));
	for (int c = 0; c < 3; c++)
		memcpy((char *)buf + c * 8, &(uint32_t){ 100u + c }, 4);
	CHECK_EQ_INT(bpfbox_map__update_elem(a, &k, buf, 0), 0);
	CHECK_EQ_INT(*(uint32_t *)bxm_lookup(a, &k, 2), 102);
	CHECK(bxm_lookup(a, &k, 3) == NULL);
	CHECK_EQ_INT(bxm_update(a, &k, &one, 0, 1), 0);
	memset(out, 0xff, sizeof(out));
	CHECK_EQ_INT(bpfbox_map__lookup_elem(a, &k, out, 0), 0);
	CHECK_EQ_INT(*(uint32_t *)((char *)out + 8), 7);
	CHECK_EQ_INT(*(uint32_t *)((char *)out + 16), 102);
	CHECK_EQ_INT(*(uint32_t *)((char *)out + 12), 0); /* padding zero */

	/* per-CPU hash: program update of a new key zeroes the other CPUs */
	CHECK_EQ_INT(bxm_update(h, &k, &(uint32_t[3]){ 5, 6, 7 }, 0, 2), 0);
	CHECK_EQ_INT(bpfbox_map__lookup_elem(h, &k, out, 0), 0);
	CHECK(out[0] == 0 && out[2] == 0 && ((uint32_t *)out)[8] == 5 && ((uint32_t *)out)[10] == 7);
	CHECK_EQ_INT(bxm_update(h, &k, &(uint32_t[3]){ 1, 1, 1 }, 0, 9), -EINVAL);
	CHECK_EQ_INT(bpfbox_map__lookup_and_delete_elem(h, &k, out, 0), 0);
	CHECK_EQ_INT(bpfbox_map__lookup_elem(h, &k, out, 0), -ENOENT);

	CHECK_EQ_INT(bpfbox_map__update_elem(l, &k, buf, 0), 0);
	CHECK_EQ_INT(*(uint32_t *)bxm_lookup(l, &k, 1), 101);
out:
	bpfbox_map__free(a);
	bpfbox_map__free(h);
	bpfbox_map__free(l);
}

static void test_hash(void)
{
	struct bpfbox_map *m = mk(BPFBOX_MAP_TYPE_HASH, 4, 8, 3, 0, 0);
	struct bpfbox_map *np = mk(BPFBOX_MAP_TYPE_HASH, 6, 8, 2000, BPFBOX_F_NO_PREALLOC, 0);
	uint32_t k, n, seen = 0, cnt = 0;
	uint64_t v = 42, w;
	void *p1;

	if (!m || !np)
		goto out;
	k = 1;
	CHECK_EQ_INT(bpfbox_map__delete_elem(m, &k), -ENOENT);
	CHECK_EQ_INT(bpfbox_map__lookup_elem(m, &k, &w, 0), -ENOENT);
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, BPFBOX_EXIST), -ENOENT);
	CHECK_EQ_INT(bpfbox_map__get_next_key(m, NULL, &n), -ENOENT);
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, BPFBOX_NOEXIST), 0);
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, BPFBOX_NOEXIST), -EEXIST);
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, 3), -EINVAL);
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, BPFBOX_F_LOCK), -EINVAL);
	p1 = bxm_lookup(m, &k, 0);
	CHECK(p1 && *(uint64_t *)p1 == 42);
	v = 43;
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, BPFBOX_EXIST), 0);
	CHECK(bxm_lookup(m, &k, 0) == p1 && *(uint64_t *)p1 == 43); /* in place */
	k = 2;
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, 0), 0);
	k = 3;
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, 0), 0);
	k = 4;
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, 0), -E2BIG);
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, BPFBOX_EXIST), -ENOENT);
	k = 3;
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, 0), 0); /* full, existing: ok */
	/* iterate: every key once */
	for (int r = bpfbox_map__get_next_key(m, NULL, &n); r == 0;
	     r = bpfbox_map__get_next_key(m, &n, &n)) {
		seen |= 1u << n;
		cnt++;
	}
	CHECK(seen == 0xe && cnt == 3);
	k = 77;
	CHECK_EQ_INT(bpfbox_map__get_next_key(m, &k, &n), 0); /* unknown: first */
	k = 1;
	CHECK_EQ_INT(bpfbox_map__lookup_and_delete_elem(m, &k, &w, 0), 0);
	CHECK_EQ_INT(w, 43);
	CHECK_EQ_INT(bpfbox_map__lookup_and_delete_elem(m, &k, &w, 0), -ENOENT);
	CHECK_EQ_INT(bpfbox_map__lookup_and_delete_elem(m, &k, &w, 8), -EINVAL);
	/* the pointer stays valid memory after delete; the slot is reused */
	*(volatile uint64_t *)p1 = 1;
	k = 5;
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, 0), 0);
	CHECK(bxm_lookup(m, &k, 0) == p1);
	CHECK_EQ_INT(bxm_delete(m, &k), 0);
	CHECK_EQ_INT(bxm_delete(m, &k), -ENOENT);

	/* no-prealloc hash, batch dump of all 2000 */
	for (uint32_t i = 0; i < 2000; i++) {
		unsigned char key[6] = { (unsigned char)i, (unsigned char)(i >> 8), 1, 2, 3, 4 };
		uint64_t val = i * 3;
		if (bpfbox_map__update_elem(np, key, &val, 0))
			break;
		cnt = i + 1;
	}
	CHECK_EQ_INT(cnt, 2000);
	{
		unsigned char key[6] = { 0xff, 0xff, 0, 0, 0, 0 };
		CHECK_EQ_INT(bpfbox_map__update_elem(np, key, &v, 0), -E2BIG);
	}
	{
		unsigned char keys[6 * 256], ob[6];
		uint64_t vals[256];
		uint32_t total = 0, c, bad = 0;
		int r;
		const void *in = NULL;
		do {
			c = 256;
			r = bpfbox_map__lookup_batch(np, in, ob, keys, vals, &c);
			for (uint32_t i = 0; i < c; i++) {
				uint32_t id = keys[i * 6] | keys[i * 6 + 1] << 8;
				bad += vals[i] != id * 3ull;
			}
			total += c;
			in = ob;
		} while (r == 0);
		CHECK_EQ_INT(r, -ENOENT);
		CHECK_EQ_INT(total, 2000);
		CHECK_EQ_INT(bad, 0);
	}
out:
	bpfbox_map__free(m);
	bpfbox_map__free(np);
}

static void test_lru(void)
{
	struct bpfbox_map *m = mk(BPFBOX_MAP_TYPE_LRU_HASH, 4, 8, 8, 0, 0);
	uint64_t v = 1, w;
	uint32_t k, live = 0;

	if (!m)
		return;
	for (k = 0; k < 8; k++)
		CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, 0), 0);
	/* touch 0..3 so 4..7 are the least recently used */
	for (k = 0; k < 4; k++)
		CHECK_EQ_INT(bpfbox_map__lookup_elem(m, &k, &w, 0), 0);
	for (k = 100; k < 104; k++)
		CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, 0), 0);
	for (k = 0; k < 4; k++)
		live += bpfbox_map__lookup_elem(m, &k, &w, 0) == 0;
	CHECK_EQ_INT(live, 4);
	live = 0;
	for (k = 4; k < 8; k++)
		live += bpfbox_map__lookup_elem(m, &k, &w, 0) == 0;
	CHECK_EQ_INT(live, 0);
	live = 0;
	for (k = 0; k < 1000; k++)
		live += bpfbox_map__lookup_elem(m, &k, &w, 0) == 0;
	CHECK_EQ_INT(live, 8);   /* 0..3 and 100..103 */
	k = 5000;
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, BPFBOX_EXIST), -ENOENT);
	k = 100;
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, BPFBOX_NOEXIST), -EEXIST);
	CHECK_EQ_INT(bpfbox_map__delete_elem(m, &k), 0);
	CHECK_EQ_INT(bpfbox_map__delete_elem(m, &k), -ENOENT);
	bpfbox_map__free(m);
}

/* lpm key helpers */
struct k4 { uint32_t plen; uint8_t d[4]; };
struct k16 { uint32_t plen; uint8_t d[16]; };

static void test_lpm(void)
{
	BPFBOX_OPTS(bpfbox_map_create_opts, o, .map_flags = BPFBOX_F_NO_PREALLOC);
	struct bpfbox_map *m = NULL, *m6 = NULL;
	struct k4 k, n;
	uint64_t v, w;

	CHECK_EQ_INT(bpfbox_map__create(11, 8, 8, 4, &o, &m), 0);
	CHECK_EQ_INT(bpfbox_map__create(11, 20, 8, 16, &o, &m6), 0);
	if (!m || !m6)
		goto out;
	k = (struct k4){ 8, { 10, 0, 0, 0 } }; v = 8;
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, 0), 0);
	k = (struct k4){ 16, { 10, 1, 0, 0 } }; v = 16;
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, 0), 0);
	k = (struct k4){ 24, { 10, 1, 2, 0 } }; v = 24;
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, 0), 0);
	k = (struct k4){ 33, { 10, 1, 2, 0 } };
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, 0), -EINVAL);
	CHECK_EQ_INT(bpfbox_map__delete_elem(m, &k), -EINVAL);
	k = (struct k4){ 24, { 10, 1, 2, 0 } };
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, BPFBOX_NOEXIST), -EEXIST);
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, 4), -EINVAL);
	k = (struct k4){ 32, { 10, 1, 2, 3 } };
	CHECK_EQ_INT(bpfbox_map__lookup_elem(m, &k, &w, 0), 0);
	CHECK_EQ_INT(w, 24);
	k = (struct k4){ 32, { 10, 1, 3, 3 } };
	CHECK_EQ_INT(bpfbox_map__lookup_elem(m, &k, &w, 0), 0);
	CHECK_EQ_INT(w, 16);
	k = (struct k4){ 32, { 10, 2, 3, 3 } };
	CHECK_EQ_INT(bpfbox_map__lookup_elem(m, &k, &w, 0), 0);
	CHECK_EQ_INT(w, 8);
	k = (struct k4){ 32, { 11, 1, 2, 3 } };
	CHECK_EQ_INT(bpfbox_map__lookup_elem(m, &k, &w, 0), -ENOENT);
	k = (struct k4){ 12, { 10, 1, 2, 3 } };   /* key prefixlen limits the match */
	CHECK_EQ_INT(bpfbox_map__lookup_elem(m, &k, &w, 0), 0);
	CHECK_EQ_INT(w, 8);
	k = (struct k4){ 32, { 10, 1, 2, 3 } };
	CHECK(*(uint64_t *)bxm_lookup(m, &k, 0) == 24);
	/* sibling creates an intermediate node */
	k = (struct k4){ 24, { 10, 1, 3, 0 } }; v = 99;
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, 0), 0);
	k = (struct k4){ 24, { 10, 1, 4, 0 } };
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, 0), -ENOSPC);
	CHECK_EQ_INT(bpfbox_map__update_elem(m, &k, &v, BPFBOX_EXIST), -ENOENT);
	/* postorder: more specific first, 8 last */
	{
		uint32_t order[8], cnt = 0;
		for (int r = bpfbox_map__get_next_key(m, NULL, &n); r == 0 && cnt < 8;
		     r = bpfbox_map__get_next_key(m, &n, &n))
			order[cnt++] = n.plen;
		CHECK_EQ_INT(cnt, 4);
		CHECK(order[0] == 24 && order[1] == 24 && order[2] == 16 && order[3] == 8);
	}
	k = (struct k4){ 16, { 10, 1, 0, 0 } };
	CHECK_EQ_INT(bpfbox_map__delete_elem(m, &k), 0);
	CHECK_EQ_INT(bpfbox_map__delete_elem(m, &k), -ENOENT);
	k = (struct k4){ 32, { 10, 1, 9, 9 } };
	CHECK_EQ_INT(bpfbox_map__lookup_elem(m, &k, &w, 0), 0);
	CHECK_EQ_INT(w, 8);
	CHECK_EQ_INT(bpfbox_map__lookup_and_delete_elem(m, &k, &w, 0), -BPFBOX_ENOTSUPP);

	/* IPv6: 2001:db8::/32 and 2001:db8:1::/48 */
	{
		struct k16 a = { 32, { 0x20, 0x01, 0x0d, 0xb8 } }, b = { 48, { 0x20, 0x01, 0x0d, 0xb8, 0, 1 } };
		struct k16 q = { 128, { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } };
		v = 32;
		CHECK_EQ_INT(bpfbox_map__update_elem(m6, &a, &v, 0), 0);
		v = 48;
		CHECK_EQ_INT(bpfbox_map__update_elem(m6, &b, &v, 0), 0);
		CHECK_EQ_INT(bpfbox_map__lookup_elem(m6, &q, &w, 0), 0);
		CHECK_EQ_INT(w, 48);
		q.d[5] = 2;
		CHECK_EQ_INT(bpfbox_map__lookup_elem(m6, &q, &w, 0), 0);
		CHECK_EQ_INT(w, 32);
		q.d[0] = 0x30;
		CHECK_EQ_INT(bpfbox_map__lookup_elem(m6, &q, &w, 0), -ENOENT);
	}
out:
	bpfbox_map__free(m);
	bpfbox_map__free(m6);
}

static void test_queue_stack_bloom(void)
{
	struct bpfbox_map *q = mk(BPFBOX_MAP_TYPE_QUEUE, 0, 4, 3, 0, 0);
	struct bpfbox_map *s = mk(BPFBOX_MAP_TYPE_STACK, 0, 4, 3, 0, 0);
	struct bpfbox_map *b = NULL;
	BPFBOX_OPTS(bpfbox_map_create_opts, bo, .map_extra = 3);
	uint32_t v, w, k = 0, fn = 0;

	if (!q || !s)
		goto out;
	CHECK_EQ_INT(bpfbox_map__lookup_elem(q, NULL, &w, 0), -ENOENT);
	CHECK_EQ_INT(bpfbox_map__lookup_and_delete_elem(q, NULL, &w, 0), -ENOENT);
	for (v = 1; v <= 3; v++) {
		CHECK_EQ_INT(bpfbox_map__update_elem(q, NULL, &v, 0), 0);
		CHECK_EQ_INT(bpfbox_map__update_elem(s, NULL, &v, 0), 0);
	}
	CHECK_EQ_INT(bpfbox_map__update_elem(q, NULL, &v, 0), -E2BIG);
	CHECK_EQ_INT(bpfbox_map__update_elem(q, NULL, &v, BPFBOX_NOEXIST), -EINVAL);
	CHECK_EQ_INT(bpfbox_map__update_elem(q, NULL, &v, 4), -EINVAL);
	CHECK_EQ_INT(bpfbox_map__update_elem(q, &k, &v, 0), -EINVAL);
	CHECK_EQ_INT(bpfbox_map__delete_elem(q, NULL), -EINVAL);
	CHECK_EQ_INT(bpfbox_map__get_next_key(q, NULL, &w), -EINVAL);
	CHECK_EQ_INT(bpfbox_map__lookup_and_delete_elem(q, NULL, &w, 4), -EINVAL);
	CHECK_EQ_INT(bpfbox_map__lookup_elem(q, NULL, &w, 0), 0);
	CHECK_EQ_INT(w, 1);
	CHECK_EQ_INT(bpfbox_map__lookup_elem(s, NULL, &w, 0), 0);
	CHECK_EQ_INT(w, 3);
	v = 4;   /* BPF_EXIST overwrites the oldest */
	CHECK_EQ_INT(bpfbox_map__update_elem(q, NULL, &v, BPFBOX_EXIST), 0);
	CHECK_EQ_INT(bpfbox_map__update_elem(s, NULL, &v, BPFBOX_EXIST), 0);
	{
		uint32_t qe[] = { 2, 3, 4 }, se[] = { 4, 3, 2 };
		for (int i = 0; i < 3; i++) {
			CHECK_EQ_INT(bpfbox_map__lookup_and_delete_elem(q, NULL, &w, 0), 0);
			CHECK_EQ_INT(w, qe[i]);
			CHECK_EQ_INT(bxm_pop(s, &w), 0);
			CHECK_EQ_INT(w, se[i]);
		}
	}
	CHECK_EQ_INT(bxm_pop(q, &w), -ENOENT);
	CHECK_EQ_INT(bxm_peek(s, &w), -ENOENT);
	/* wrap the ring many times */
	for (v = 0; v < 100; v++) {
		uint32_t bad = 0;
		bad += bxm_push(q, &v, 0) != 0;
		bad += bxm_push(q, &(uint32_t){ v + 1000 }, 0) != 0;
		bad += bxm_pop(q, &w) != 0 || w != v;
		bad += bxm_pop(q, &w) != 0 || w != v + 1000;
		if (bad) {
			CHECK_MSG(0, "queue wrap at %u", v);
			break;
		}
	}
	CHECK_EQ_INT(bxm_pop(q, &w), -ENOENT);

	CHECK_EQ_INT(bpfbox_map__create(BPFBOX_MAP_TYPE_BLOOM_FILTER, 0, 4, 1000, &bo, &b), 0);
	if (b) {
		for (v = 0; v < 1000; v++)
			CHECK_EQ_INT(bpfbox_map__update_elem(b, NULL, &(uint32_t){ v * 7919 }, 0), 0);
		for (v = 0; v < 1000; v++)
			fn += bpfbox_map__lookup_elem(b, NULL, &(uint32_t){ v * 7919 }, 0) != 0;
		CHECK_EQ_INT(fn, 0);     /* no false negatives */
		fn = 0;
		for (v = 0; v < 1000; v++)
			fn += bxm_peek(b, &(uint32_t){ v * 7919 + 1 }) == 0;
		CHECK_MSG(fn < 300, "bloom false positives %u/1000", fn);
		CHECK_EQ_INT(bpfbox_map__update_elem(b, NULL, &v, BPFBOX_EXIST), -EINVAL);
		CHECK_EQ_INT(bpfbox_map__delete_elem(b, NULL), -EOPNOTSUPP);
		CHECK_EQ_INT(bpfbox_map__get_next_key(b, NULL, &w), -EOPNOTSUPP);
		CHECK_EQ_INT(bpfbox_map__lookup_and_delete_elem(b, NULL, &w, 0), -BPFBOX_ENOTSUPP);
	}
out:
	bpfbox_map__free(q);
	bpfbox_map__free(s);
	bpfbox_map__free(b);
}

struct rb_seen { uint32_t n; uint32_t sum; uint32_t last; };

static int rb_cb(void *ctx, void *data, size_t size)
{
	struct rb_seen *s = ctx;
	uint32_t v;

	memcpy(&v, data, 4);
	s->n++;
	s->sum += (uint32_t)size;
	s->last = v;
	return 0;
}

static void test_ringbuf(void)
{
	struct bpfbox_map *m = mk(BPFBOX_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, 0);
	struct rb_seen seen = { 0 };
	uint64_t cons, prod;
	unsigned char *data;
	uint32_t *r1, *r2, hdr[2], w;

	if (!m)
		return;
	CHECK_EQ_INT(bpfbox_map__lookup_elem(m, NULL, &w, 0), -BPFBOX_ENOTSUPP);
	CHECK_EQ_INT(bpfbox_map__update_elem(m, NULL, &w, 0), -BPFBOX_ENOTSUPP);
	CHECK_EQ_INT(bpfbox_map__lookup_elem(m, &w, &w, 0), -EINVAL);
	CHECK_EQ_INT(bxm_ringbuf_query(m, BPFBOX_RB_RING_SIZE), 4096);
	r1 = bxm_ringbuf_reserve(m, 5, 0);
	r2 = bxm_ringbuf_reserve(m, 4, 0);
	CHECK(r1 && r2 && (char *)r2 - (char *)r1 == 16);
	data = bxm_ringbuf_data(m, &cons, &prod);
	memcpy(hdr, data, 8);
	CHECK_EQ_U64(hdr[0], 5 | BPFBOX_RINGBUF_BUSY_BIT);
	CHECK_EQ_INT(prod, 32);
	CHECK_EQ_INT(bxm_ringbuf_query(m, BPFBOX_RB_AVAIL_DATA), 32);
	*r2 = 22;
	bxm_ringbuf_submit(r2, 0);
	CHECK_EQ_INT(bpfbox_map__ringbuf_consume(m, rb_cb, &seen), 0); /* r1 busy blocks */
	*r1 = 11;
	bxm_ringbuf_discard(r1, 0);
	memcpy(hdr, data, 8);
	CHECK_EQ_U64(hdr[0], 5 | BPFBOX_RINGBUF_DISCARD_BIT);
	CHECK_EQ_INT(bpfbox_map__ringbuf_consume(m, rb_cb, &seen), 1);
	CHECK(seen.n == 1 && seen.last == 22 && seen.sum == 4);
	CHECK_EQ_INT(bxm_ringbuf_query(m, BPFBOX_RB_CONS_POS), 32);
	CHECK(bxm_ringbuf_reserve(m, 4096, 0) == NULL);
	CHECK(bxm_ringbuf_reserve(m, 8, 1) == NULL);
	CHECK_EQ_INT(bxm_ringbuf_output(m, &w, 4, 4), -EINVAL);
	/* fill: 4088-byte record cannot fit while a 32-byte gap is accounted */
	CHECK_EQ_INT(bxm_ringbuf_output(m, &w, 4096 - 8, 0), -EAGAIN);
	/* wrap-around: 100 records of 1000 bytes, consuming as we go */
	{
		static unsigned char big[1000];
		uint32_t bad = 0;
		seen = (struct rb_seen){ 0 };
		for (uint32_t i = 0; i < 100; i++) {
			memcpy(big, &i, 4);
			big[999] = (unsigned char)i;
			if (bxm_ringbuf_output(m, big, sizeof(big), 0) == -EAGAIN) {
				bpfbox_map__ringbuf_consume(m, rb_cb, &seen);
				CHECK_EQ_INT(bxm_ringbuf_output(m, big, sizeof(big), 0), 0);
			}
			unsigned char *rec = (unsigned char *)data + ((bxm_ringbuf_query(m, BPFBOX_RB_PROD_POS) - 1000) & 4095);
			bad += rec[999] != (unsigned char)i;   /* contiguous across the wrap */
		}
		bpfbox_map__ringbuf_consume(m, rb_cb, &seen);
		CHECK_EQ_INT(seen.n, 100);
		CHECK_EQ_INT(seen.last, 99);
		CHECK_EQ_INT(bad, 0);
		CHECK_EQ_INT(bxm_ringbuf_query(m, BPFBOX_RB_AVAIL_DATA), 0);
	}
	bpfbox_map__free(m);
}

static uint32_t perf_n, perf_sz, perf_cpu;
static uint64_t perf_lost;
static void perf_cb(void *ctx, uint32_t cpu, void *data, uint32_t size)
{
	(void)ctx; (void)data;
	perf_n++;
	perf_sz = size;
	perf_cpu = cpu;
}
static void perf_lost_cb(void *ctx, uint32_t cpu, uint64_t lost)
{
	(void)ctx; (void)cpu;
	perf_lost += lost;
}

static void test_perf_prog_array_mim(void)
{
	struct bpfbox_map *pe = mk(BPFBOX_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2, 0, 0);
	struct bpfbox_map *pa = mk(BPFBOX_MAP_TYPE_PROG_ARRAY, 4, 4, 2, 0, 0);
	struct bpfbox_map *inner = mk(BPFBOX_MAP_TYPE_ARRAY, 4, 8, 4, 0, 0);
	struct bpfbox_map *other = mk(BPFBOX_MAP_TYPE_ARRAY, 4, 8, 5, 0, 0);
	struct bpfbox_map *aom = NULL, *hom = NULL;
	BPFBOX_OPTS(bpfbox_map_create_opts, o, .inner_map_template = inner);
	uint32_t k = 0, data[3] = { 1, 2, 3 };
	int dummy_prog;
	void *p = &dummy_prog, *q = NULL;

	if (!pe || !pa || !inner || !other)
		goto out;
	CHECK_EQ_INT(bxm_perf_output(pe, BPFBOX_F_CURRENT_CPU, 1, data, 12), -ENOENT);
	CHECK_EQ_INT(bpfbox_map__perf_attach(pe, 1, 64), 0);
	CHECK_EQ_INT(bpfbox_map__perf_attach(pe, 2, 64), -E2BIG);
	CHECK_EQ_INT(bpfbox_map__perf_attach(pe, 0, 100), -EINVAL);
	CHECK_EQ_INT(bxm_perf_output(pe, BPFBOX_F_CURRENT_CPU, 1, data, 12), 0);
	CHECK_EQ_INT(bxm_perf_output(pe, 1, 0, data, 12), 0);
	CHECK_EQ_INT(bxm_perf_output(pe, 5, 0, data, 12), -E2BIG);
	CHECK_EQ_INT(bxm_perf_output(pe, 1ull << 40, 0, data, 12), -EINVAL);
	CHECK_EQ_INT(bxm_perf_output(pe, 1, 0, data, 12), -ENOSPC); /* 3 x 24 > 64 */
	CHECK_EQ_INT(bpfbox_map__perf_consume(pe, perf_cb, perf_lost_cb, NULL), 2);
	CHECK(perf_n == 2 && perf_sz == 12 && perf_cpu == 1 && perf_lost == 1);
	CHECK_EQ_INT(bpfbox_map__lookup_elem(pe, &k, data, 0), -BPFBOX_ENOTSUPP);
	CHECK_EQ_INT(bpfbox_map__delete_elem(pe, &k), -ENOENT);
	k = 1;
	CHECK_EQ_INT(bpfbox_map__delete_elem(pe, &k), 0);

	k = 0;
	CHECK_EQ_INT(bpfbox_map__lookup_elem(pa, &k, &q, 0), -ENOENT);
	CHECK_EQ_INT(bpfbox_map__update_elem(pa, &k, &p, 0), 0);
	CHECK_EQ_INT(bpfbox_map__update_elem(pa, &k, &p, BPFBOX_NOEXIST), -EINVAL);
	CHECK_EQ_INT(bpfbox_map__update_elem(pa, &k, &q, 0), -EBADF);
	CHECK_EQ_INT(bpfbox_map__lookup_elem(pa, &k, &q, 0), 0);
	CHECK(q == p && bxm_prog_array_get(pa, 0) == p && bxm_prog_array_get(pa, 1) == NULL);
	k = 2;
	CHECK_EQ_INT(bpfbox_map__update_elem(pa, &k, &p, 0), -E2BIG);
	CHECK_EQ_INT(bpfbox_map__delete_elem(pa, &k), -E2BIG);
	k = 0;
	CHECK_EQ_INT(bpfbox_map__delete_elem(pa, &k), 0);
	CHECK_EQ_INT(bpfbox_map__delete_elem(pa, &k), -ENOENT);

	CHECK_EQ_INT(bpfbox_map__create(BPFBOX_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, &o, &aom), 0);
	CHECK_EQ_INT(bpfbox_map__create(BPFBOX_MAP_TYPE_HASH_OF_MAPS, 4, 4, 2, &o, &hom), 0);
	CHECK_EQ_INT(bpfbox_map__create(BPFBOX_MAP_TYPE_ARRAY_OF_MAPS, 4, 8, 2, &o, &(struct bpfbox_map *){ NULL }), -EINVAL);
	o.inner_map_template = pa;
	CHECK_EQ_INT(bpfbox_map__create(BPFBOX_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, &o, &(struct bpfbox_map *){ NULL }), -BPFBOX_ENOTSUPP);
	if (aom && hom) {
		struct bpfbox_map *got = NULL;
		CHECK_EQ_INT(bpfbox_map__update_elem(aom, &k, &other, 0), -EINVAL);
		CHECK_EQ_INT(bpfbox_map__update_elem(aom, &k, &inner, 0), 0);
		CHECK_EQ_INT(bpfbox_map__update_elem(hom, &k, &inner, 0), 0);
		CHECK_EQ_INT(bpfbox_map__update_elem(hom, &k, &other, 0), -EINVAL);
		CHECK_EQ_INT(bpfbox_map__lookup_elem(aom, &k, &got, 0), 0);
		CHECK(got == inner && bxm_lookup(aom, &k, 0) == inner && bxm_lookup(hom, &k, 0) == inner);
		CHECK_EQ_INT(bpfbox_map__lookup_and_delete_elem(hom, &k, &got, 0), -BPFBOX_ENOTSUPP);
		/* the outer maps keep `inner` alive after the caller frees it */
		bpfbox_map__free(inner);
		inner = NULL;
		got = bxm_lookup(aom, &k, 0);
		CHECK_EQ_INT(bpfbox_map__update_elem(got, &k, &(uint64_t){ 5 }, 0), 0);
		CHECK_EQ_INT(bpfbox_map__delete_elem(aom, &k), 0);
		CHECK_EQ_INT(bpfbox_map__delete_elem(aom, &k), -ENOENT);
	}
out:
	bpfbox_map__free(aom);
	bpfbox_map__free(hom);
	bpfbox_map__free(pe);
	bpfbox_map__free(pa);
	bpfbox_map__free(inner);
	bpfbox_map__free(other);
}

/* ---- concurrency ----------------------------------------------------------- */

struct thr {
	struct bpfbox_map *m;
	uint32_t id;
	uint32_t errors;
};

/* Each thread owns keys id*1000 .. id*1000+499 (checks exact state) and
 * hammers shared keys 10000..10063 (checks only value invariants). */
static void *hammer(void *arg)
{
	struct thr *t = arg;
	uint64_t v, w;
	uint32_t seed = t->id * 2654435761u + 1;

	for (uint32_t it = 0; it < 20000; it++) {
		uint32_t r, k, own;
		seed = seed * 1103515245u + 12345u;
		r = seed >> 8;
		own = r & 1;
		k = own ? t->id * 1000 + (r >> 1) % 500 : 10000 + (r >> 1) % 64;
		v = ((uint64_t)k << 32) | it;
		switch ((r >> 12) % 4) {
		case 0:
		case 1: {
			int e = bpfbox_map__update_elem(t->m, &k, &v, 0);
			if (e && e != -E2BIG)
				t->errors++;
			if (own && !e && (bpfbox_map__lookup_elem(t->m, &k, &w, 0) || w != v))
				t->errors++;
			break;
		}
		case 2: {
			int e = bpfbox_map__delete_elem(t->m, &k);
			if (e && e != -ENOENT)
				t->errors++;
			if (own && bpfbox_map__lookup_elem(t->m, &k, &w, 0) != -ENOENT)
				t->errors++;
			break;
		}
		default: {
			uint64_t *p = bxm_lookup(t->m, &k, 0);
			if (bpfbox_map__lookup_elem(t->m, &k, &w, 0) == 0 && (w >> 32) != k)
				t->errors++;
			(void)p;
		}
		}
	}
	return NULL;
}

static void test_concurrency(void)
{
	struct bpfbox_map *m = mk(BPFBOX_MAP_TYPE_HASH, 4, 8, 1500, 0, 0);
	struct bpfbox_map *l = mk(BPFBOX_MAP_TYPE_LRU_HASH, 4, 8, 1500, 0, 0);
	struct bpfbox_map *maps[2] = { m, l };
	pthread_t th[4];
	struct thr t[4];
	uint32_t k, n, cnt;
	uint64_t w;

	if (!m || !l)
		goto out;
	for (int mi = 0; mi < 2; mi++) {
		uint32_t errs = 0, bad = 0;
		for (uint32_t i = 0; i < 4; i++) {
			t[i] = (struct thr){ maps[mi], i, 0 };
			pthread_create(&th[i], NULL, hammer, &t[i]);
		}
		for (int i = 0; i < 4; i++) {
			pthread_join(th[i], NULL);
			errs += t[i].errors;
		}
		CHECK_MSG(errs == 0, "%s: %u invariant violations", mi ? "lru" : "hash", errs);
		/* iteration sees every element once, each with a consistent value */
		cnt = 0;
		for (int r = bpfbox_map__get_next_key(maps[mi], NULL, &n); r == 0;
		     r = bpfbox_map__get_next_key(maps[mi], &k, &n)) {
			k = n;
			cnt++;
			if (bpfbox_map__lookup_elem(maps[mi], &k, &w, 0) || (w >> 32) != k)
				bad++;
		}
		CHECK_MSG(cnt <= 1500 && bad == 0, "cnt %u bad %u", cnt, bad);
	}
out:
	bpfbox_map__free(m);
	bpfbox_map__free(l);
}

int main(void)
{
	TL_RUN(test_create);
	TL_RUN(test_array);
	TL_RUN(test_percpu);
	TL_RUN(test_hash);
	TL_RUN(test_lru);
	TL_RUN(test_lpm);
	TL_RUN(test_queue_stack_bloom);
	TL_RUN(test_ringbuf);
	TL_RUN(test_perf_prog_array_mim);
	TL_RUN(test_concurrency);
	return tl_summary();
}

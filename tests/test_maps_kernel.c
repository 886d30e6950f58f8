/*
 * test_maps_kernel.c - differential test of bpfbox maps against the real
 * kernel through the raw bpf(2) syscall (no libbpf): the same seeded random
 * operation sequences run on a kernel map and a bpfbox map, and return codes
 * and values are compared.
 *
 * What is compared:
 *  - creation: the return code (0 vs error) for a table of valid/invalid
 *    parameter sets of every type;
 *  - hash, percpu_hash, array, percpu_array, lpm_trie, queue, stack: every
 *    operation's return code, every value read, and get_next_key results
 *    (for hashes only from a NULL key, since bucket order depends on the
 *    kernel's random hash seed; the full key set is compared instead);
 *  - lru_hash: a phase with max_entries far above the key range (no
 *    eviction, everything compared), then a small-map phase where only the
 *    deterministic results are compared: -EINVAL for bad flags, that
 *    BPF_ANY updates succeed, and equal values whenever both maps hold a
 *    key (which keys were evicted may differ: the kernel's LRU works on
 *    per-CPU free lists and evicts before the map is full).
 */
#include "bpfbox/map.h"
#include "testlib.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "kbpf.h"

static uint32_t ncpus;


static struct bpfbox_map *b_create(uint32_t t, uint32_t ks, uint32_t vs, uint32_t me, uint32_t fl,
				   uint64_t extra, int *err)
{
	BPFBOX_OPTS(bpfbox_map_create_opts, o, .map_flags = fl, .map_extra = extra, .nr_cpus = ncpus);
	struct bpfbox_map *m = NULL;

	*err = bpfbox_map__create(t, ks, vs, me, &o, &m);
	return m;
}

static uint64_t rng;
static uint32_t rnd(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng >> 33);
}

static void test_create(void)
{
	static const uint32_t c[][6] = {
		{ 1, 4, 8, 2, 0, 0 }, { 1, 0, 8, 2, 0, 0 }, { 1, 4, 0, 2, 0, 0 }, { 1, 4, 8, 0, 0, 0 },
		{ 1, 4, 8, 2, 0, 1 }, { 1, 4, 8, 2, 1u << 20, 0 }, { 1, 4, 1u << 22, 2, 0, 0 },
		{ 1, 512, 8, 2, 0, 0 }, { 5, 4, 32768, 2, 0, 0 }, { 5, 4, 32769, 2, 0, 0 },
		{ 2, 8, 8, 2, 0, 0 }, { 2, 4, 0, 2, 0, 0 }, { 2, 4, 8, 0, 0, 0 }, { 2, 4, 8, 2, 1, 0 },
		{ 6, 4, 32769, 2, 0, 0 }, { 6, 4, 8, 2, 1024, 0 }, { 2, 4, 8, 2, 1024, 0 },
		{ 9, 4, 8, 2, 1, 0 }, { 1, 4, 8, 2, 2, 0 }, { 9, 4, 8, 2, 2, 0 }, { 10, 4, 8, 2, 0, 0 },
		{ 22, 4, 8, 2, 0, 0 }, { 22, 0, 0, 2, 0, 0 }, { 22, 0, 8, 0, 0, 0 }, { 22, 0, 8, 2, 1, 0 },
		{ 23, 0, 8, 2, 0, 0 }, { 11, 8, 8, 2, 0, 0 }, { 11, 4, 8, 2, 1, 0 }, { 11, 8, 0, 2, 1, 0 },
		{ 11, 261, 8, 2, 1, 0 }, { 11, 260, 8, 2, 1, 0 }, { 11, 8, 8, 0, 1, 0 },
		{ 27, 0, 0, 4096, 0, 0 }, { 27, 0, 0, 12288, 0, 0 }, { 27, 0, 0, 2048, 0, 0 },
		{ 27, 4, 0, 4096, 0, 0 }, { 27, 0, 0, 0, 0, 0 }, { 30, 0, 8, 10, 0, 0 },
		{ 30, 4, 8, 10, 0, 0 }, { 30, 0, 8, 10, 0, 16 }, { 30, 0, 0, 10, 0, 0 },
		{ 30, 0, 8, 0, 0, 0 }, { 30, 0, 8, 10, 0, 7 }, { 3, 4, 8, 2, 0, 0 }, { 3, 8, 4, 2, 0, 0 },
		{ 4, 4, 4, 2, 0, 0 }, { 4, 4, 8, 2, 0, 0 }, { 99, 4, 4, 2, 0, 0 }, { 2, 4, 8, 2, 24, 0 },
	};
	unsigned n = 0;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int kerr = kb_map_create_ex(c[i][0], c[i][1], c[i][2], c[i][3], c[i][4], c[i][5]), berr;
		struct bpfbox_map *m = b_create(c[i][0], c[i][1], c[i][2], c[i][3], c[i][4], c[i][5], &berr);

		if (kerr >= 0)
			close(kerr);
		bpfbox_map__free(m);
		CHECK_MSG((kerr >= 0 ? 0 : kerr) == berr, "create #%zu type %u: kernel %d, bpfbox %d",
			  i, c[i][0], kerr >= 0 ? 0 : kerr, berr);
		n++;
	}
	printf("create: %u parameter sets compared\n", n);
}

/* Random differential run over a keyed map. kd: key domain, lru_loose:
 * compare only deterministic LRU results. */
static unsigned run_keyed(const char *what, uint32_t type, uint32_t ks, uint32_t vs, uint32_t me,
			  uint32_t flags, uint32_t kd, unsigned ops, bool lru_loose)
{
	int fd = kb_map_create_ex(type, ks, vs, me, flags, 0), berr;
	struct bpfbox_map *m = b_create(type, ks, vs, me, flags, 0, &berr);
	bool percpu = type == 5 || type == 6 || type == 10;
	bool lpm = type == BPF_MAP_TYPE_LPM_TRIE;
	bool hash = !lpm && type != 2 && type != 6;
	size_t vbuf = percpu ? (size_t)ncpus * ((vs + 7) & ~7u) : vs;
	unsigned char key[64], kk[64], bk[64], kv[4096], bv[4096], val[4096];
	unsigned cmp = 0, fails = 0;

	if (fd < 0 || !m) {
		CHECK_MSG(0, "%s: create kernel %d bpfbox %d", what, fd, berr);
		if (fd >= 0)
			close(fd);
		bpfbox_map__free(m);
		return 0;
	}
	for (unsigned i = 0; i < ops && fails < 10; i++) {
		uint32_t r = rnd(), op = r % 16, kr = rnd() % kd;
		uint64_t fl = 0;
		int kr_, br;

		memset(key, 0, sizeof(key));
		if (lpm) {
			/* prefixes of a few base addresses, lengths 0..33 */
			static const uint8_t base[4][4] = { { 10, 1, 2, 3 }, { 10, 1, 128, 0 }, { 192, 168, 0, 1 }, { 10, 0, 0, 0 } };
			uint32_t plen = rnd() % 35;
			memcpy(key, &plen, 4);
			memcpy(key + 4, base[kr % 4], 4);
			key[7] ^= (uint8_t)(kr / 4);
			if (plen < 32)   /* canonical: clear bits past the prefix most of the time */
				for (uint32_t b = plen; b < 32 && (kr & 1); b++)
					key[4 + b / 8] &= (uint8_t)~(1u << (7 - b % 8));
		} else {
			memcpy(key, &kr, 4);
			if (ks > 4)
				key[4] = (uint8_t)kr;
		}
		for (size_t j = 0; j < vbuf; j++)
			val[j] = (uint8_t)rnd();
		if (percpu)   /* the kernel copies value_size bytes per CPU; keep padding zero */
			for (uint32_t c = 0; c < ncpus; c++)
				memset(val + c * ((vs + 7) & ~7u) + vs, 0, ((vs + 7) & ~7u) - vs);
		memset(kv, 0xaa, vbuf);
		memset(bv, 0xaa, vbuf);
		if (op < 6) {
			uint32_t f = rnd() % 10;
			fl = f < 5 ? 0 : f < 7 ? 1 : f < 9 ? 2 : (rnd() % 2 ? 4 : 3);
			if (lru_loose && (fl == 1 || fl == 2))
				fl = 0;   /* presence-dependent flags are not deterministic */
			kr_ = kb_map_op(BPF_MAP_UPDATE_ELEM, fd, key, val, fl);
			br = bpfbox_map__update_elem(m, key, val, fl);
			if (lru_loose && !(fl > 2 || fl == 0))
				continue;
		} else if (op < 10) {
			kr_ = kb_map_op(BPF_MAP_LOOKUP_ELEM, fd, key, kv, 0);
			br = bpfbox_map__lookup_elem(m, key, bv, 0);
			if (lru_loose) {
				if (kr_ == 0 && br == 0) {
					cmp++;
					if (memcmp(kv, bv, vbuf) && CHECK_MSG(0, "%s op %u: lookup values differ", what, i) == 0)
						fails++;
				}
				continue;
			}
			if (kr_ == 0 && br == 0 && memcmp(kv, bv, vbuf)) {
				CHECK_MSG(0, "%s op %u: lookup values differ", what, i);
				fails++;
			}
		} else if (op < 13) {
			kr_ = kb_map_op(BPF_MAP_DELETE_ELEM, fd, key, NULL, 0);
			br = bpfbox_map__delete_elem(m, key);
			if (lru_loose)
				continue;
		} else if (op < 14) {
			fl = rnd() % 4 == 0 ? 4 : 0;
			kr_ = kb_map_op(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, key, kv, fl);
			br = bpfbox_map__lookup_and_delete_elem(m, key, bv, fl);
			if (lru_loose && !fl)
				continue;
			if (kr_ == 0 && br == 0 && memcmp(kv, bv, vbuf)) {
				CHECK_MSG(0, "%s op %u: lookup_and_delete values differ", what, i);
				fails++;
			}
		} else {
			const void *from = (hash || rnd() % 4 == 0) ? NULL : key;
			if (lru_loose)
				continue;
			memset(kk, 0, sizeof(kk));
			memset(bk, 0, sizeof(bk));
			kr_ = kb_map_op(BPF_MAP_GET_NEXT_KEY, fd, from, kk, 0);
			br = bpfbox_map__get_next_key(m, from, bk);
			if (kr_ == 0 && br == 0 && !hash && memcmp(kk, bk, ks)) {
				CHECK_MSG(0, "%s op %u: next key differs", what, i);
				fails++;
			}
		}
		cmp++;
		if (kr_ != br) {
			CHECK_MSG(0, "%s op %u (kind %u flags %llu key %u): kernel %d, bpfbox %d", what, i, op,
				  (unsigned long long)fl, kr, kr_, br);
			fails++;
		}
	}
	/* hashes: compare the key sets */
	if (hash && !lru_loose) {
		unsigned nk = 0, nb = 0, missing = 0;
		int r;
		for (r = kb_map_op(BPF_MAP_GET_NEXT_KEY, fd, NULL, kk, 0); r == 0;
		     r = kb_map_op(BPF_MAP_GET_NEXT_KEY, fd, kk, kk, 0)) {
			nk++;
			missing += bpfbox_map__lookup_elem(m, kk, bv, 0) != 0;
		}
		for (r = bpfbox_map__get_next_key(m, NULL, bk); r == 0; r = bpfbox_map__get_next_key(m, bk, bk))
			nb++;
		CHECK_MSG(nk == nb && missing == 0, "%s: key sets differ (kernel %u, bpfbox %u, missing %u)",
			  what, nk, nb, missing);
	}
	if (!fails)
		CHECK(1);
	close(fd);
	bpfbox_map__free(m);
	printf("%s: %u operations compared\n", what, cmp);
	return cmp;
}

/* Queue/stack: push (all flag kinds), pop, peek. */
static void run_qs(const char *what, uint32_t type, unsigned ops)
{
	int kerr, fd = kb_map_create_ex(type, 0, 12, 8, 0, 0), berr;
	struct bpfbox_map *m = b_create(type, 0, 12, 8, 0, 0, &berr);
	unsigned char val[12], kv[12], bv[12];
	unsigned cmp = 0, fails = 0;

	(void)kerr;
	if (fd < 0 || !m) {
		CHECK_MSG(0, "%s: create kernel %d bpfbox %d", what, fd, berr);
		goto out;
	}
	for (unsigned i = 0; i < ops && fails < 10; i++) {
		uint32_t op = rnd() % 10;
		uint64_t fl = 0;
		int kr, br;

		for (int j = 0; j < 12; j++)
			val[j] = (uint8_t)rnd();
		memset(kv, 0, 12);
		memset(bv, 1, 12);
		if (op < 5) {
			uint32_t f = rnd() % 8;
			fl = f < 5 ? 0 : f < 6 ? 1 : f < 7 ? 2 : 4;
			kr = kb_map_op(BPF_MAP_UPDATE_ELEM, fd, NULL, val, fl);
			br = bpfbox_map__update_elem(m, NULL, val, fl);
		} else if (op < 8) {
			fl = rnd() % 8 == 0 ? 4 : 0;
			kr = kb_map_op(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, NULL, kv, fl);
			br = bpfbox_map__lookup_and_delete_elem(m, NULL, bv, fl);
		} else if (op < 9) {
			kr = kb_map_op(BPF_MAP_LOOKUP_ELEM, fd, NULL, kv, 0);
			br = bpfbox_map__lookup_elem(m, NULL, bv, 0);
		} else {
			kr = kb_map_op(BPF_MAP_DELETE_ELEM, fd, NULL, NULL, 0);
			br = bpfbox_map__delete_elem(m, NULL);
		}
		cmp++;
		if (kr != br || (kr == 0 && op >= 5 && op < 9 && memcmp(kv, bv, 12))) {
			CHECK_MSG(0, "%s op %u kind %u: kernel %d, bpfbox %d", what, i, op, kr, br);
			fails++;
		}
	}
	if (!fails)
		CHECK(1);
	printf("%s: %u operations compared\n", what, cmp);
out:
	if (fd >= 0)
		close(fd);
	bpfbox_map__free(m);
}

int main(void)
{
	int fd;
	long n = sysconf(_SC_NPROCESSORS_CONF);

	ncpus = n < 1 ? 1 : (uint32_t)n;
	fd = kb_map_create_ex(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0, 0);
	if (fd < 0) {
		TL_SKIP("kernel bpf() unavailable: %s", strerror(-fd));
		return tl_summary();
	}
	close(fd);
	rng = 0x5eed;
	TL_RUN(test_create);
	run_keyed("hash", BPF_MAP_TYPE_HASH, 4, 12, 32, 0, 48, 6000, false);
	run_keyed("hash_nopre", BPF_MAP_TYPE_HASH, 8, 8, 32, BPF_F_NO_PREALLOC, 48, 4000, false);
	run_keyed("percpu_hash", BPF_MAP_TYPE_PERCPU_HASH, 4, 12, 16, 0, 24, 3000, false);
	run_keyed("array", BPF_MAP_TYPE_ARRAY, 4, 12, 16, 0, 20, 5000, false);
	run_keyed("percpu_array", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 16, 0, 20, 3000, false);
	run_keyed("lru_hash", BPF_MAP_TYPE_LRU_HASH, 4, 8, 1024, 0, 64, 5000, false);
	run_keyed("lru_hash_full", BPF_MAP_TYPE_LRU_HASH, 4, 8, 64, 0, 400, 5000, true);
	run_keyed("lpm_trie", BPF_MAP_TYPE_LPM_TRIE, 8, 8, 24, BPF_F_NO_PREALLOC, 64, 6000, false);
	run_qs("queue", BPF_MAP_TYPE_QUEUE, 4000);
	run_qs("stack", BPF_MAP_TYPE_STACK, 4000);
	return tl_summary();
}

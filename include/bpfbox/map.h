/*
 * map.h - BPF maps with the kernel's semantics, in userspace.
 *
 * Types, flags and error codes follow the kernel's bpf(2) syscall: the same
 * map type numbers, the same creation rules and the same negative errno for
 * the same operation (see docs/MAPS.md for the few differences). The
 * functions here are the "syscall" path: they copy keys and values in and
 * out. Programs reach maps through the internal API in src/maps/map_internal.h.
 */
#ifndef BPFBOX_MAP_H
#define BPFBOX_MAP_H

#include "bpfbox/bpfbox.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The kernel's enum bpf_map_type numbering. */
enum bpfbox_map_type {
	BPFBOX_MAP_TYPE_UNSPEC = 0,
	BPFBOX_MAP_TYPE_HASH = 1,
	BPFBOX_MAP_TYPE_ARRAY = 2,
	BPFBOX_MAP_TYPE_PROG_ARRAY = 3,
	BPFBOX_MAP_TYPE_PERF_EVENT_ARRAY = 4,
	BPFBOX_MAP_TYPE_PERCPU_HASH = 5,
	BPFBOX_MAP_TYPE_PERCPU_ARRAY = 6,
	BPFBOX_MAP_TYPE_STACK_TRACE = 7,
	BPFBOX_MAP_TYPE_CGROUP_ARRAY = 8,
	BPFBOX_MAP_TYPE_LRU_HASH = 9,
	BPFBOX_MAP_TYPE_LRU_PERCPU_HASH = 10,
	BPFBOX_MAP_TYPE_LPM_TRIE = 11,
	BPFBOX_MAP_TYPE_ARRAY_OF_MAPS = 12,
	BPFBOX_MAP_TYPE_HASH_OF_MAPS = 13,
	BPFBOX_MAP_TYPE_DEVMAP = 14,
	BPFBOX_MAP_TYPE_QUEUE = 22,
	BPFBOX_MAP_TYPE_STACK = 23,
	BPFBOX_MAP_TYPE_DEVMAP_HASH = 25,
	BPFBOX_MAP_TYPE_RINGBUF = 27,
	BPFBOX_MAP_TYPE_BLOOM_FILTER = 30,
};

/* Update flags (BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK). */
#define BPFBOX_ANY      0ULL
#define BPFBOX_NOEXIST  1ULL
#define BPFBOX_EXIST    2ULL
#define BPFBOX_F_LOCK   4ULL   /* rejected with -EINVAL: no spin locks */

/* map_flags at creation (the kernel's BPF_F_*). */
#define BPFBOX_F_NO_PREALLOC   (1U << 0)
#define BPFBOX_F_NO_COMMON_LRU (1U << 1)
#define BPFBOX_F_NUMA_NODE     (1U << 2)
#define BPFBOX_F_RDONLY        (1U << 3)
#define BPFBOX_F_WRONLY        (1U << 4)
#define BPFBOX_F_STACK_BUILD_ID (1U << 5)
#define BPFBOX_F_ZERO_SEED     (1U << 6)
#define BPFBOX_F_RDONLY_PROG   (1U << 7)
#define BPFBOX_F_WRONLY_PROG   (1U << 8)
#define BPFBOX_F_MMAPABLE      (1U << 10)
#define BPFBOX_F_PRESERVE_ELEMS (1U << 11)
#define BPFBOX_F_INNER_MAP     (1U << 12)

/* The kernel-internal ENOTSUPP (524), which the bpf syscall leaks to
 * userspace for several map operations; distinct from EOPNOTSUPP (95). */
#define BPFBOX_ENOTSUPP 524

/* Ring buffer record header (struct bpf_ringbuf_hdr): u32 len with these
 * two bits on top, u32 pg_off; data follows, records are 8-byte aligned. */
#define BPFBOX_RINGBUF_BUSY_BIT    (1U << 31)
#define BPFBOX_RINGBUF_DISCARD_BIT (1U << 30)
#define BPFBOX_RINGBUF_HDR_SZ      8
/* bpf_ringbuf_* flags and bpf_ringbuf_query() selectors. */
#define BPFBOX_RB_NO_WAKEUP    1ULL
#define BPFBOX_RB_FORCE_WAKEUP 2ULL
#define BPFBOX_RB_AVAIL_DATA   0ULL
#define BPFBOX_RB_RING_SIZE    1ULL
#define BPFBOX_RB_CONS_POS     2ULL
#define BPFBOX_RB_PROD_POS     3ULL

/* bpf_perf_event_output() flags. */
#define BPFBOX_F_INDEX_MASK    0xffffffffULL
#define BPFBOX_F_CURRENT_CPU   BPFBOX_F_INDEX_MASK

struct bpfbox_map;

struct bpfbox_map_create_opts {
	size_t sz;
	const char *name;          /* [A-Za-z0-9_.], truncated to 15 chars */
	uint32_t map_flags;        /* BPFBOX_F_* */
	uint64_t map_extra;        /* bloom filter: nr_hash_funcs in bits 0-3 */
	uint32_t nr_cpus;          /* simulated CPUs for per-CPU maps; 0 = the
				    * host's configured CPU count */
	/* array_of_maps / hash_of_maps: every inner map must match this one's
	 * type, key_size, value_size, map_flags (and max_entries unless it has
	 * BPFBOX_F_INNER_MAP). Only read at creation. */
	struct bpfbox_map *inner_map_template;
	bpfbox_log_fn log;
	void *log_ctx;
};

/* Create a map. Returns 0 and *out, or a negative errno as the kernel's
 * BPF_MAP_CREATE would (-EINVAL for bad sizes or flags, -E2BIG, -ENOMEM,
 * -BPFBOX_ENOTSUPP, ...); the reason goes to opts->log. */
BPFBOX_API int bpfbox_map__create(uint32_t type, uint32_t key_size,
				  uint32_t value_size, uint32_t max_entries,
				  const struct bpfbox_map_create_opts *opts,
				  struct bpfbox_map **out);
/* Drop the caller's reference. Maps stored in an array_of_maps or
 * hash_of_maps stay alive until removed from there as well. NULL is ok. */
BPFBOX_API void bpfbox_map__free(struct bpfbox_map *map);

/*
 * The syscall path. Keys and values are copied. For maps whose key_size is
 * 0 (queue, stack, bloom filter, ringbuf) `key` must be NULL (-EINVAL
 * otherwise); a NULL key or value where one is needed gives -EFAULT.
 * Per-CPU maps: the value buffer is nr_cpus * round_up(value_size, 8) bytes,
 * CPU i's value at offset i * round_up(value_size, 8).
 * prog_array, array_of_maps, hash_of_maps: the value buffer holds one
 * `void *` (a program handle, or a struct bpfbox_map *), not a 4-byte fd.
 *
 * lookup: queue/stack peek; bloom filter tests `value` (0 = maybe present,
 * -ENOENT = absent); lpm_trie does a longest-prefix match.
 * update: queue/stack push (BPFBOX_EXIST overwrites the oldest when full);
 * bloom filter adds `value`.
 * lookup_and_delete: queue/stack pop, and the hash types.
 */
BPFBOX_API int bpfbox_map__lookup_elem(struct bpfbox_map *map, const void *key,
				       void *value, uint64_t flags);
BPFBOX_API int bpfbox_map__update_elem(struct bpfbox_map *map, const void *key,
				       const void *value, uint64_t flags);
BPFBOX_API int bpfbox_map__delete_elem(struct bpfbox_map *map, const void *key);
/* NULL or a missing key gives the first key (hash, lpm_trie; an array also
 * restarts for an out-of-range index); -ENOENT after the last key. */
BPFBOX_API int bpfbox_map__get_next_key(struct bpfbox_map *map, const void *key,
					void *next_key);
BPFBOX_API int bpfbox_map__lookup_and_delete_elem(struct bpfbox_map *map,
						  const void *key, void *value,
						  uint64_t flags);

/*
 * Batch dump, as libbpf's bpf_map_lookup_batch(): copies up to *count
 * entries following the key in `in_batch` (NULL: from the start) into keys[]
 * and values[] (value stride as for lookup_elem), stores the last key copied
 * in `out_batch` (key_size bytes) and sets *count to the number copied.
 * Returns 0 if more entries may follow, -ENOENT when the end was reached
 * (*count may still be > 0). Types without keys: -BPFBOX_ENOTSUPP.
 */
BPFBOX_API int bpfbox_map__lookup_batch(struct bpfbox_map *map,
					const void *in_batch, void *out_batch,
					void *keys, void *values,
					uint32_t *count);

/* Ring buffer consumer (as libbpf's ring_buffer__consume()): calls fn for
 * every submitted record in order, skips discarded ones, stops at a record
 * still being written. Returns the number of records passed to fn, or the
 * first non-zero value fn returned (records up to and including that one
 * are consumed), or -EINVAL if `map` is not a ringbuf. */
typedef int (*bpfbox_ringbuf_sample_fn)(void *ctx, void *data, size_t size);
BPFBOX_API int bpfbox_map__ringbuf_consume(struct bpfbox_map *map,
					   bpfbox_ringbuf_sample_fn fn, void *ctx);

/* perf_event_array: give slot `index` (normally a CPU number) a buffer of
 * `size` bytes (a power of 2, at least 64): what installing a perf event fd
 * with BPF_MAP_UPDATE_ELEM does in the kernel. bpfbox_map__delete_elem()
 * removes it. Output to a slot without a buffer fails with -ENOENT. */
BPFBOX_API int bpfbox_map__perf_attach(struct bpfbox_map *map, uint32_t index,
				       uint32_t size);
/* Drain every slot's buffer: sample_fn for each record, lost_fn (may be
 * NULL) with the number of records dropped for lack of space since the last
 * call. Returns the number of records passed to sample_fn. */
typedef void (*bpfbox_perf_sample_fn)(void *ctx, uint32_t cpu, void *data,
				      uint32_t size);
typedef void (*bpfbox_perf_lost_fn)(void *ctx, uint32_t cpu, uint64_t lost);
BPFBOX_API int bpfbox_map__perf_consume(struct bpfbox_map *map,
					bpfbox_perf_sample_fn sample_fn,
					bpfbox_perf_lost_fn lost_fn, void *ctx);

/* Getters. */
BPFBOX_API uint32_t bpfbox_map__type(const struct bpfbox_map *map);
BPFBOX_API uint32_t bpfbox_map__key_size(const struct bpfbox_map *map);
BPFBOX_API uint32_t bpfbox_map__value_size(const struct bpfbox_map *map);
BPFBOX_API uint32_t bpfbox_map__max_entries(const struct bpfbox_map *map);
BPFBOX_API uint32_t bpfbox_map__map_flags(const struct bpfbox_map *map);
BPFBOX_API uint64_t bpfbox_map__map_extra(const struct bpfbox_map *map);
BPFBOX_API uint32_t bpfbox_map__nr_cpus(const struct bpfbox_map *map);
BPFBOX_API const char *bpfbox_map__name(const struct bpfbox_map *map);
/* Bytes of the value buffer used by the syscall path (per-CPU: nr_cpus *
 * round_up(value_size, 8); pointer maps: sizeof(void *)). */
BPFBOX_API size_t bpfbox_map__value_buf_size(const struct bpfbox_map *map);
/* The kernel's name for a map type ("hash", "lru_percpu_hash", ...), NULL
 * if unsupported; and the reverse, -EINVAL if unknown. */
BPFBOX_API const char *bpfbox_map_type_name(uint32_t type);
BPFBOX_API int bpfbox_map_type_from_name(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* BPFBOX_MAP_H */

/*
 * map_internal.h - the map object, the per-type operation table, and the
 * "program" API that helpers use (bpf_map_lookup_elem() and friends).
 *
 * Program-path pointers: bxm_lookup() returns a pointer into the map's
 * element storage. Element memory is never freed while the map exists
 * (deleted elements go to a free list and are reused, as with the kernel's
 * preallocated maps), so the pointer always stays valid memory; after a
 * delete it may come to hold another element's value, as in the kernel.
 */
#ifndef BXM_MAP_INTERNAL_H
#define BXM_MAP_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfbox/map.h"
#include "util/log.h"

#define BXM_NAME_LEN 16
#define BXM_ROUND8(x) (((x) + 7u) & ~(uint64_t)7u)

struct bpfbox_map;

/* Per-type operations. `value` layout: for per-CPU maps, all_cpus selects
 * the syscall layout (nr_cpus strides) or a single CPU's value (`cpu`). */
struct bxm_ops {
	int (*alloc)(struct bpfbox_map *m);
	void (*free)(struct bpfbox_map *m);
	void *(*lookup)(struct bpfbox_map *m, const void *key, uint32_t cpu);
	int (*copy)(struct bpfbox_map *m, const void *key, void *value);
	int (*update)(struct bpfbox_map *m, const void *key, const void *value,
		      uint64_t flags, bool all_cpus, uint32_t cpu);
	int (*delete)(struct bpfbox_map *m, const void *key);
	int (*next_key)(struct bpfbox_map *m, const void *key, void *next);
	int (*lookup_and_delete)(struct bpfbox_map *m, const void *key,
				 void *value);
	int (*push)(struct bpfbox_map *m, const void *value, uint64_t flags);
	int (*pop)(struct bpfbox_map *m, void *value);
	int (*peek)(struct bpfbox_map *m, void *value);
	/* Does [a, a+sz) lie inside one value of the element storage? (Types
	 * whose lookups hand out pointers into scattered elements.) */
	bool (*value_ok)(const struct bpfbox_map *m, uint64_t a, uint64_t sz);
};

/* What a map-in-map checks inner maps against. */
struct bxm_meta {
	uint32_t type, key_size, value_size, max_entries, map_flags;
};

struct bpfbox_map {
	const struct bxm_ops *ops;
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint64_t map_extra;
	uint32_t nr_cpus;
	uint32_t stride;        /* bytes per stored value: round_up(value_size, 8) */
	uint32_t val_bytes;     /* bytes copied per value (value_size, or 8 for pointers) */
	bool percpu;
	bool ptr_values;        /* prog_array, array_of_maps, hash_of_maps */
	bool map_of_maps;
	struct bxm_meta inner;  /* map-in-map template */
	atomic_uint refcnt;
	char name[BXM_NAME_LEN];
	struct bx_log log;
	void *impl;             /* the type's own state */
};

/* Per-type tables (map_array.c, map_hash.c, ...). */
extern const struct bxm_ops bxm_array_ops;
extern const struct bxm_ops bxm_ptr_array_ops;
extern const struct bxm_ops bxm_hash_ops;
extern const struct bxm_ops bxm_lpm_ops;
extern const struct bxm_ops bxm_queue_ops;
extern const struct bxm_ops bxm_bloom_ops;
extern const struct bxm_ops bxm_ringbuf_ops;
extern const struct bxm_ops bxm_perf_ops;
extern const struct bxm_ops bxm_devmap_ops;      /* map_devmap.c */
extern const struct bxm_ops bxm_devmap_hash_ops;
extern const struct bxm_ops bxm_stacktrace_ops;   /* map_stacktrace.c */
extern const struct bxm_ops bxm_cgroup_array_ops; /* map_cgroup_array.c */

/* sizeof(struct bpf_stack_build_id), and bpf_get_stackid's flags. */
#define BXM_STACK_BUILD_ID_SIZE 32u
#define BXM_F_SKIP_FIELD_MASK 0xffull
#define BXM_F_USER_STACK (1ull << 8)
#define BXM_F_FAST_STACK_CMP (1ull << 9)
#define BXM_F_REUSE_STACKID (1ull << 10)
#define BXM_F_USER_BUILD_ID (1ull << 11)

/* A 32-bit hash of `len` bytes (used by the hash map and the bloom filter). */
uint32_t bxm_hash(const void *data, uint32_t len, uint32_t seed);
/* Release a pointer value that a pointer map drops (map-in-map: unref). */
void bxm_ptr_put(struct bpfbox_map *m, void *p);
/* Validate a pointer stored by an update (NULL: -EBADF; an inner map that
 * does not match the template: -EINVAL) and take a reference on it. */
int bxm_ptr_get(struct bpfbox_map *m, void *p);
/* Take/drop a reference on a map. */
void bxm_get(struct bpfbox_map *m);
void bxm_put(struct bpfbox_map *m);

/* ---- the program API (what the helpers call) --------------------------- */

/* Checked mode: does [a, a+sz) lie inside one value a lookup of `m` can
 * hand out? False for types without value_ok. */
bool bxm_value_ok(const struct bpfbox_map *m, uint64_t a, uint64_t sz);

/* bpf_map_lookup_elem / bpf_map_lookup_percpu_elem: pointer to the value
 * (this CPU's copy for per-CPU maps; cpu >= nr_cpus gives NULL), or NULL.
 * array_of_maps/hash_of_maps return the inner struct bpfbox_map *,
 * prog_array the program handle. */
void *bxm_lookup(struct bpfbox_map *m, const void *key, uint32_t cpu);
/* bpf_map_update_elem / bpf_map_delete_elem (per-CPU maps: only `cpu`'s
 * value is written; a new element's other CPUs are zeroed). */
long bxm_update(struct bpfbox_map *m, const void *key, const void *value,
		uint64_t flags, uint32_t cpu);
long bxm_delete(struct bpfbox_map *m, const void *key);
/* bpf_map_push_elem / pop / peek (queue, stack; push and peek for bloom). */
long bxm_push(struct bpfbox_map *m, const void *value, uint64_t flags);
long bxm_pop(struct bpfbox_map *m, void *value);
long bxm_peek(struct bpfbox_map *m, void *value);
/* The storage of element 0 of an array map, as lddw BPF_PSEUDO_MAP_VALUE
 * addresses it (the kernel's array_map_direct_value_addr): 0 and *addr,
 * -EINVAL if the map is no (non-per-CPU) array, -EOPNOTSUPP if it has more
 * than one entry. */
int bxm_direct_value_addr(const struct bpfbox_map *m, uint64_t *addr);
/* prog_array slot (bpf_tail_call), NULL if empty or out of range. */
void *bxm_prog_array_get(struct bpfbox_map *m, uint32_t index);

/* bpf_ringbuf_reserve/submit/discard/output/query. */
void *bxm_ringbuf_reserve(struct bpfbox_map *m, uint64_t size, uint64_t flags);
void bxm_ringbuf_submit(void *sample, uint64_t flags);
void bxm_ringbuf_discard(void *sample, uint64_t flags);
long bxm_ringbuf_output(struct bpfbox_map *m, const void *data, uint64_t size,
			uint64_t flags);
uint64_t bxm_ringbuf_query(struct bpfbox_map *m, uint64_t flags);
/* The data area (mask + 1 bytes, mapped twice back to back so a record is
 * always contiguous) and the positions, for tests and consumers. */
void *bxm_ringbuf_data(struct bpfbox_map *m, uint64_t *cons_pos,
		       uint64_t *prod_pos);

/* bpf_perf_event_output: flags = slot index or BPFBOX_F_CURRENT_CPU (then
 * `cpu` is the slot). 0, -EINVAL (bad flags), -E2BIG (index out of range),
 * -ENOENT (no buffer attached), -ENOSPC (buffer full: counted as lost). */
long bxm_perf_output(struct bpfbox_map *m, uint64_t flags, uint32_t cpu,
		     const void *data, uint64_t size);

/* bpf_get_stackid's store: the id of the nr ips in stack map m (an
 * existing identical stack keeps its id), -EEXIST if another stack holds
 * that bucket and flags lack BPF_F_REUSE_STACKID, -ENOMEM. */
long bxm_stackmap_store(struct bpfbox_map *m, const uint64_t *ips, uint32_t nr,
			uint64_t flags);
/* current_task_under_cgroup: 1 if cgroup path `path` is the cgroup in slot
 * idx of cgroup array m or below it, 0 if not, -E2BIG (idx out of range),
 * -EAGAIN (empty slot), as the kernel's helper. */
long bxm_cgroup_array_under(struct bpfbox_map *m, uint32_t idx, const char *path);

#endif /* BXM_MAP_INTERNAL_H */

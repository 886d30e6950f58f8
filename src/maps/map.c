/*
 * map.c - map creation (the kernel's BPF_MAP_CREATE checks), the syscall
 * path (copying lookup/update/delete/get_next_key/lookup_and_delete and
 * batch dump), the program path entry points, getters and reference counts.
 */
#include "maps/map_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BXM_ACCESS_MASK (BPFBOX_F_RDONLY | BPFBOX_F_WRONLY | \
			 BPFBOX_F_RDONLY_PROG | BPFBOX_F_WRONLY_PROG)
#define BXM_KMALLOC_MAX (4u << 20)     /* x86-64 KMALLOC_MAX_SIZE */
#define BXM_PCPU_MIN_UNIT 32768u       /* PCPU_MIN_UNIT_SIZE */
#define BXM_MAX_CPUS 4096u

static const struct {
	uint32_t type;
	const char *name;
} bxm_type_names[] = {
	{ BPFBOX_MAP_TYPE_HASH, "hash" },
	{ BPFBOX_MAP_TYPE_ARRAY, "array" },
	{ BPFBOX_MAP_TYPE_PROG_ARRAY, "prog_array" },
	{ BPFBOX_MAP_TYPE_PERF_EVENT_ARRAY, "perf_event_array" },
	{ BPFBOX_MAP_TYPE_PERCPU_HASH, "percpu_hash" },
	{ BPFBOX_MAP_TYPE_PERCPU_ARRAY, "percpu_array" },
	{ BPFBOX_MAP_TYPE_STACK_TRACE, "stack_trace" },
	{ BPFBOX_MAP_TYPE_CGROUP_ARRAY, "cgroup_array" },
	{ BPFBOX_MAP_TYPE_LRU_HASH, "lru_hash" },
	{ BPFBOX_MAP_TYPE_LRU_PERCPU_HASH, "lru_percpu_hash" },
	{ BPFBOX_MAP_TYPE_LPM_TRIE, "lpm_trie" },
	{ BPFBOX_MAP_TYPE_ARRAY_OF_MAPS, "array_of_maps" },
	{ BPFBOX_MAP_TYPE_HASH_OF_MAPS, "hash_of_maps" },
	{ BPFBOX_MAP_TYPE_DEVMAP, "devmap" },
	{ BPFBOX_MAP_TYPE_QUEUE, "queue" },
	{ BPFBOX_MAP_TYPE_STACK, "stack" },
	{ BPFBOX_MAP_TYPE_DEVMAP_HASH, "devmap_hash" },
	{ BPFBOX_MAP_TYPE_RINGBUF, "ringbuf" },
	{ BPFBOX_MAP_TYPE_BLOOM_FILTER, "bloom_filter" },
};

/* The kernel's name of a map type, NULL if bpfbox does not support it. */
const char *bpfbox_map_type_name(uint32_t type)
{
	for (size_t i = 0; i < sizeof(bxm_type_names) / sizeof(bxm_type_names[0]); i++)
		if (bxm_type_names[i].type == type)
			return bxm_type_names[i].name;
	return NULL;
}

/* Map type from its name ("hash", "lru_hash", ...), -EINVAL if unknown. */
int bpfbox_map_type_from_name(const char *name)
{
	if (!name)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(bxm_type_names) / sizeof(bxm_type_names[0]); i++)
		if (strcmp(bxm_type_names[i].name, name) == 0)
			return (int)bxm_type_names[i].type;
	return -EINVAL;
}

/* A 32-bit hash: 8 bytes at a time, multiply-xorshift mixing. */
uint32_t bxm_hash(const void *data, uint32_t len, uint32_t seed)
{
	const unsigned char *p = data;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)seed << 32) ^ len;
	uint64_t w;

	while (len >= 8) {
		memcpy(&w, p, 8);
		h ^= w * 0xff51afd7ed558ccdull;
		h = (h << 29 | h >> 35) * 0xc4ceb9fe1a85ec53ull;
		p += 8;
		len -= 8;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		h ^= w * 0xff51afd7ed558ccdull;
		h = (h << 29 | h >> 35) * 0xc4ceb9fe1a85ec53ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (uint32_t)h;
}

/* Which ops table serves a type; NULL if unsupported. */
static const struct bxm_ops *bxm_ops_for(uint32_t type)
{
	switch (type) {
	case BPFBOX_MAP_TYPE_ARRAY:
	case BPFBOX_MAP_TYPE_PERCPU_ARRAY:
		return &bxm_array_ops;
	case BPFBOX_MAP_TYPE_PROG_ARRAY:
	case BPFBOX_MAP_TYPE_ARRAY_OF_MAPS:
		return &bxm_ptr_array_ops;
	case BPFBOX_MAP_TYPE_PERF_EVENT_ARRAY:
		return &bxm_perf_ops;
	case BPFBOX_MAP_TYPE_HASH:
	case BPFBOX_MAP_TYPE_PERCPU_HASH:
	case BPFBOX_MAP_TYPE_LRU_HASH:
	case BPFBOX_MAP_TYPE_LRU_PERCPU_HASH:
	case BPFBOX_MAP_TYPE_HASH_OF_MAPS:
		return &bxm_hash_ops;
	case BPFBOX_MAP_TYPE_LPM_TRIE:
		return &bxm_lpm_ops;
	case BPFBOX_MAP_TYPE_QUEUE:
	case BPFBOX_MAP_TYPE_STACK:
		return &bxm_queue_ops;
	case BPFBOX_MAP_TYPE_RINGBUF:
		return &bxm_ringbuf_ops;
	case BPFBOX_MAP_TYPE_BLOOM_FILTER:
		return &bxm_bloom_ops;
	case BPFBOX_MAP_TYPE_DEVMAP:
		return &bxm_devmap_ops;
	case BPFBOX_MAP_TYPE_DEVMAP_HASH:
		return &bxm_devmap_hash_ops;
	case BPFBOX_MAP_TYPE_STACK_TRACE:
		return &bxm_stacktrace_ops;
	case BPFBOX_MAP_TYPE_CGROUP_ARRAY:
		return &bxm_cgroup_array_ops;
	default:
		return NULL;
	}
}

#define BXM_FAIL(err, ...) do { bx_err(log, __VA_ARGS__); return (err); } while (0)

/* The array family's checks (array_map_alloc_check, fd_array_map_alloc_check). */
static int bxm_check_array(const struct bpfbox_map *m, const struct bx_log *log)
{
	uint32_t ok = BPFBOX_F_NUMA_NODE | BPFBOX_F_MMAPABLE | BXM_ACCESS_MASK |
		      BPFBOX_F_PRESERVE_ELEMS | BPFBOX_F_INNER_MAP;
	bool fd_array = m->type == BPFBOX_MAP_TYPE_PROG_ARRAY ||
			m->type == BPFBOX_MAP_TYPE_PERF_EVENT_ARRAY ||
			m->type == BPFBOX_MAP_TYPE_CGROUP_ARRAY ||
			m->type == BPFBOX_MAP_TYPE_ARRAY_OF_MAPS;

	if (fd_array && (m->value_size != 4 || (m->map_flags & BPFBOX_F_MMAPABLE)))
		BXM_FAIL(-EINVAL, "map: %s needs value_size 4 (got %u) and no BPF_F_MMAPABLE",
			 bpfbox_map_type_name(m->type), m->value_size);
	if (m->map_flags & ~ok)
		BXM_FAIL(-EINVAL, "map: unsupported map_flags 0x%x for an array", m->map_flags);
	if (m->type == BPFBOX_MAP_TYPE_CGROUP_ARRAY &&
	    (m->map_flags & (BPFBOX_F_RDONLY_PROG | BPFBOX_F_WRONLY_PROG)))
		BXM_FAIL(-EINVAL, "map: cgroup_array cannot be BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG");
	if (m->percpu && (m->map_flags & BPFBOX_F_MMAPABLE))
		BXM_FAIL(-EINVAL, "map: percpu_array cannot be BPF_F_MMAPABLE");
	if ((m->map_flags & BPFBOX_F_PRESERVE_ELEMS) &&
	    m->type != BPFBOX_MAP_TYPE_PERF_EVENT_ARRAY)
		BXM_FAIL(-EINVAL, "map: BPF_F_PRESERVE_ELEMS is for perf_event_array only");
	if (m->key_size != 4 || m->value_size == 0 || m->max_entries == 0)
		BXM_FAIL(-EINVAL, "map: an array needs key_size 4 (got %u), value_size > 0 (got %u), max_entries > 0 (got %u)",
			 m->key_size, m->value_size, m->max_entries);
	if (m->percpu && m->value_size > BXM_PCPU_MIN_UNIT)
		BXM_FAIL(-E2BIG, "map: per-CPU value_size %u > %u", m->value_size, BXM_PCPU_MIN_UNIT);
	if (m->value_size > INT_MAX)
		BXM_FAIL(-E2BIG, "map: value_size %u too large", m->value_size);
	return 0;
}

/* The hash family's checks (htab_map_alloc_check). */
static int bxm_check_hash(const struct bpfbox_map *m, const struct bx_log *log)
{
	bool lru = m->type == BPFBOX_MAP_TYPE_LRU_HASH ||
		   m->type == BPFBOX_MAP_TYPE_LRU_PERCPU_HASH;
	uint32_t ok = BPFBOX_F_NO_PREALLOC | BPFBOX_F_NO_COMMON_LRU |
		      BPFBOX_F_NUMA_NODE | BXM_ACCESS_MASK | BPFBOX_F_ZERO_SEED;

	if (m->type == BPFBOX_MAP_TYPE_HASH_OF_MAPS && m->value_size != 4)
		BXM_FAIL(-EINVAL, "map: hash_of_maps needs value_size 4 (got %u)", m->value_size);
	if (m->map_flags & ~ok)
		BXM_FAIL(-EINVAL, "map: unsupported map_flags 0x%x for a hash", m->map_flags);
	if (!lru && (m->map_flags & BPFBOX_F_NO_COMMON_LRU))
		BXM_FAIL(-EINVAL, "map: BPF_F_NO_COMMON_LRU needs an LRU map");
	if (lru && (m->map_flags & BPFBOX_F_NO_PREALLOC))
		BXM_FAIL(-BPFBOX_ENOTSUPP, "map: LRU maps must be preallocated (no BPF_F_NO_PREALLOC)");
	if (m->max_entries == 0 || m->key_size == 0 || m->value_size == 0)
		BXM_FAIL(-EINVAL, "map: a hash needs key_size, value_size and max_entries > 0 (got %u, %u, %u)",
			 m->key_size, m->value_size, m->max_entries);
	if ((uint64_t)m->key_size + m->value_size >= BXM_KMALLOC_MAX - 48)
		BXM_FAIL(-E2BIG, "map: key_size + value_size too large");
	if (m->percpu && BXM_ROUND8(m->value_size) > BXM_PCPU_MIN_UNIT)
		BXM_FAIL(-E2BIG, "map: per-CPU value_size %u > %u", m->value_size, BXM_PCPU_MIN_UNIT);
	if (m->max_entries > (1u << 31))
		BXM_FAIL(-E2BIG, "map: max_entries %u too large for a hash", m->max_entries);
	return 0;
}

/* Creation checks of the other types. */
static int bxm_check_other(const struct bpfbox_map *m, const struct bx_log *log)
{
	long page = sysconf(_SC_PAGESIZE);

	switch (m->type) {
	case BPFBOX_MAP_TYPE_LPM_TRIE:
		if (m->max_entries == 0 || !(m->map_flags & BPFBOX_F_NO_PREALLOC) ||
		    (m->map_flags & ~(BPFBOX_F_NUMA_NODE | BPFBOX_F_NO_PREALLOC | BXM_ACCESS_MASK)))
			BXM_FAIL(-EINVAL, "map: lpm_trie needs max_entries > 0 and map_flags BPF_F_NO_PREALLOC (got 0x%x)",
				 m->map_flags);
		if (m->key_size <= 4 || m->key_size > 4 + 256 || m->value_size < 1 ||
		    m->value_size > BXM_KMALLOC_MAX - 256 - 64)
			BXM_FAIL(-EINVAL, "map: lpm_trie needs key_size = 4 + 1..256 data bytes (got %u) and value_size > 0",
				 m->key_size);
		return 0;
	case BPFBOX_MAP_TYPE_QUEUE:
	case BPFBOX_MAP_TYPE_STACK:
		if (m->max_entries == 0 || m->key_size != 0 || m->value_size == 0 ||
		    (m->map_flags & ~(BPFBOX_F_NUMA_NODE | BXM_ACCESS_MASK)))
			BXM_FAIL(-EINVAL, "map: %s needs key_size 0 (got %u), value_size > 0, max_entries > 0, no map_flags but access/numa",
				 bpfbox_map_type_name(m->type), m->key_size);
		if (m->value_size > BXM_KMALLOC_MAX)
			BXM_FAIL(-E2BIG, "map: value_size %u too large", m->value_size);
		return 0;
	case BPFBOX_MAP_TYPE_RINGBUF:
		if ((m->map_flags & ~BPFBOX_F_NUMA_NODE) || m->key_size || m->value_size ||
		    m->max_entries == 0 || (m->max_entries & (m->max_entries - 1)) ||
		    (page > 0 && m->max_entries % (uint32_t)page))
			BXM_FAIL(-EINVAL, "map: ringbuf needs key_size 0, value_size 0 and max_entries a power-of-2 multiple of the page size (got %u)",
				 m->max_entries);
		return 0;
	case BPFBOX_MAP_TYPE_BLOOM_FILTER:
		if (m->key_size || m->value_size == 0 || m->max_entries == 0 ||
		    (m->map_flags & ~(BPFBOX_F_NUMA_NODE | BPFBOX_F_ZERO_SEED | BXM_ACCESS_MASK)) ||
		    (m->map_extra & ~0xfull))
			BXM_FAIL(-EINVAL, "map: bloom_filter needs key_size 0, value_size > 0, max_entries > 0, map_extra <= 15 (nr_hash_funcs)");
		if (m->value_size > BXM_KMALLOC_MAX)
			BXM_FAIL(-E2BIG, "map: value_size %u too large", m->value_size);
		return 0;
	case BPFBOX_MAP_TYPE_DEVMAP:
	case BPFBOX_MAP_TYPE_DEVMAP_HASH:
		return 0;	/* map_devmap.c checks at alloc */
	case BPFBOX_MAP_TYPE_STACK_TRACE: {
		/* stack_map_alloc(); 127 = sysctl_perf_event_max_stack */
		bool bid = m->map_flags & BPFBOX_F_STACK_BUILD_ID;
		uint32_t esz = bid ? BXM_STACK_BUILD_ID_SIZE : 8;

		if ((m->map_flags & ~(BPFBOX_F_NUMA_NODE | BPFBOX_F_RDONLY | BPFBOX_F_WRONLY |
				      BPFBOX_F_STACK_BUILD_ID)) ||
		    m->max_entries == 0 || m->key_size != 4 || m->value_size < 8 ||
		    m->value_size % 8 || m->value_size % esz || m->value_size / esz > 127)
			BXM_FAIL(-EINVAL, "map: stack_trace needs key_size 4 (got %u), value_size a multiple of %u of at most 127 entries (got %u), max_entries > 0",
				 m->key_size, esz, m->value_size);
		if (m->max_entries > (1u << 31))
			BXM_FAIL(-E2BIG, "map: max_entries %u too large for a stack_trace", m->max_entries);
		return 0;
	}
	default:
		return bxm_check_hash(m, log);
	}
}

/* Check a map name: [A-Za-z0-9_.] only (the kernel's bpf_obj_name_cpy). */
static int bxm_set_name(struct bpfbox_map *m, const char *name, const struct bx_log *log)
{
	size_t i;

	if (!name)
		return 0;
	for (i = 0; name[i] && i < BXM_NAME_LEN - 1; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.'))
			BXM_FAIL(-EINVAL, "map: invalid character '%c' in map name", c);
		m->name[i] = c;
	}
	m->name[i] = 0;
	return 0;
}

/* Check and record the map-in-map template (bpf_map_meta_alloc). */
static int bxm_set_template(struct bpfbox_map *m, const struct bpfbox_map *t,
			    const struct bx_log *log)
{
	if (!t)
		BXM_FAIL(-EBADF, "map: %s needs inner_map_template", bpfbox_map_type_name(m->type));
	if (t->type == BPFBOX_MAP_TYPE_PROG_ARRAY || t->map_of_maps)
		BXM_FAIL(-BPFBOX_ENOTSUPP, "map: a %s cannot be an inner map", bpfbox_map_type_name(t->type));
	m->inner.type = t->type;
	m->inner.key_size = t->key_size;
	m->inner.value_size = t->value_size;
	m->inner.max_entries = t->max_entries;
	m->inner.map_flags = t->map_flags;
	return 0;
}

int bpfbox_map__create(uint32_t type, uint32_t key_size, uint32_t value_size,
		       uint32_t max_entries, const struct bpfbox_map_create_opts *uopts,
		       struct bpfbox_map **out)
{
	struct bpfbox_map_create_opts opts;
	struct bx_log lg = { 0 };
	const struct bx_log *log = &lg;
	struct bpfbox_map *m;
	int err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	lg.fn = BX_OPTS_GET(uopts, log, NULL);	/* the caller's log, for a refusal of the struct */
	lg.ctx = BX_OPTS_GET(uopts, log_ctx, NULL);
	err = bx_opts_load(&opts, sizeof(opts), uopts, &lg, "bpfbox_map_create_opts");
	if (err)
		return err;
	lg.fn = opts.log;
	lg.ctx = opts.log_ctx;
	if (!bxm_ops_for(type))
		BXM_FAIL(-EINVAL, "map: unsupported map type %u", type);
	if (opts.map_extra && type != BPFBOX_MAP_TYPE_BLOOM_FILTER)
		BXM_FAIL(-EINVAL, "map: map_extra is only for bloom_filter");
	if (((opts.map_flags & BPFBOX_F_RDONLY) && (opts.map_flags & BPFBOX_F_WRONLY)) ||
	    ((opts.map_flags & BPFBOX_F_RDONLY_PROG) && (opts.map_flags & BPFBOX_F_WRONLY_PROG)))
		BXM_FAIL(-EINVAL, "map: read-only and write-only flags together");
	if (opts.nr_cpus > BXM_MAX_CPUS)
		BXM_FAIL(-EINVAL, "map: nr_cpus %u > %u", opts.nr_cpus, BXM_MAX_CPUS);

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->ops = bxm_ops_for(type);
	m->type = type;
	m->key_size = key_size;
	m->value_size = value_size;
	m->max_entries = max_entries;
	m->map_flags = opts.map_flags;
	m->map_extra = opts.map_extra;
	m->log = lg;
	m->nr_cpus = opts.nr_cpus;
	if (!m->nr_cpus) {
		long n = sysconf(_SC_NPROCESSORS_CONF);
		m->nr_cpus = n < 1 ? 1 : n > (long)BXM_MAX_CPUS ? BXM_MAX_CPUS : (uint32_t)n;
	}
	m->percpu = type == BPFBOX_MAP_TYPE_PERCPU_ARRAY || type == BPFBOX_MAP_TYPE_PERCPU_HASH ||
		    type == BPFBOX_MAP_TYPE_LRU_PERCPU_HASH;
	m->ptr_values = type == BPFBOX_MAP_TYPE_PROG_ARRAY || type == BPFBOX_MAP_TYPE_ARRAY_OF_MAPS ||
			type == BPFBOX_MAP_TYPE_HASH_OF_MAPS;
	m->map_of_maps = type == BPFBOX_MAP_TYPE_ARRAY_OF_MAPS || type == BPFBOX_MAP_TYPE_HASH_OF_MAPS;
	m->stride = (uint32_t)BXM_ROUND8(value_size);
	m->val_bytes = value_size;
	if (m->ptr_values)
		m->stride = m->val_bytes = sizeof(void *);
	atomic_init(&m->refcnt, 1);

	if (m->ops == &bxm_array_ops || m->ops == &bxm_ptr_array_ops || m->ops == &bxm_perf_ops ||
	    m->ops == &bxm_cgroup_array_ops)
		err = bxm_check_array(m, log);
	else
		err = bxm_check_other(m, log);
	if (!err)
		err = bxm_set_name(m, opts.name, log);
	if (!err && m->map_of_maps)
		err = bxm_set_template(m, opts.inner_map_template, log);
	if (!err) {
		err = m->ops->alloc(m);
		if (err)
			bx_err(log, "map: cannot allocate %s map (%d)", bpfbox_map_type_name(type), err);
	}
	if (err) {
		free(m);
		return err;
	}
	*out = m;
	return 0;
}

/* Take a reference. */
void bxm_get(struct bpfbox_map *m)
{
	atomic_fetch_add_explicit(&m->refcnt, 1, memory_order_relaxed);
}

/* Drop a reference; the last one frees the map. */
void bxm_put(struct bpfbox_map *m)
{
	if (!m || atomic_fetch_sub_explicit(&m->refcnt, 1, memory_order_acq_rel) != 1)
		return;
	m->ops->free(m);
	free(m);
}

void bpfbox_map__free(struct bpfbox_map *map)
{
	bxm_put(map);
}

/* A map-in-map drops an inner map pointer. */
void bxm_ptr_put(struct bpfbox_map *m, void *p)
{
	if (m->map_of_maps && p)
		bxm_put(p);
}

/* Validate a pointer value for a pointer map and take a reference on it
 * (map-in-map: the inner map must match the template). */
int bxm_ptr_get(struct bpfbox_map *m, void *p)
{
	struct bpfbox_map *in = p;

	if (!p) {
		bx_err(&m->log, "map %s: NULL %s in update", m->name,
		       m->map_of_maps ? "inner map" : "program handle");
		return -EBADF;
	}
	if (!m->map_of_maps)
		return 0;
	if (in->type != m->inner.type || in->key_size != m->inner.key_size ||
	    in->value_size != m->inner.value_size || in->map_flags != m->inner.map_flags ||
	    (!(m->inner.map_flags & BPFBOX_F_INNER_MAP) && in->max_entries != m->inner.max_entries)) {
		bx_err(&m->log, "map %s: inner map does not match the template", m->name);
		return -EINVAL;
	}
	bxm_get(in);
	return 0;
}

/* Key pointer rules of the syscall: key_size 0 needs NULL, else non-NULL. */
static int bxm_check_key(const struct bpfbox_map *m, const void *key)
{
	if (!m->key_size && key)
		return -EINVAL;
	if (m->key_size && !key)
		return -EFAULT;
	return 0;
}

/* Access and key checks of the element commands: -EPERM if the map has
 * one of the `deny` flags (BPF_F_RDONLY / BPF_F_WRONLY), then the key
 * pointer rules (bxm_check_key()). */
static int bxm_check_access(const struct bpfbox_map *m, const void *key, uint32_t deny)
{
	if (m->map_flags & deny)
		return -EPERM;
	return bxm_check_key(m, key);
}

/* Common flag check of lookup-type commands (only BPF_F_LOCK is known, and
 * there are no spin locks). */
static int bxm_check_lock_flags(const struct bpfbox_map *m, uint64_t flags)
{
	if (flags & ~BPFBOX_F_LOCK)
		return -EINVAL;
	if (flags & BPFBOX_F_LOCK) {
		bx_err(&m->log, "map %s: BPF_F_LOCK needs a bpf_spin_lock in the value (unsupported)", m->name);
		return -EINVAL;
	}
	return 0;
}

int bpfbox_map__lookup_elem(struct bpfbox_map *m, const void *key, void *value,
			    uint64_t flags)
{
	int err;

	if (!m)
		return -EBADF;
	if ((err = bxm_check_lock_flags(m, flags)))
		return err;
	if ((err = bxm_check_access(m, key, BPFBOX_F_WRONLY)))
		return err;
	if (m->type == BPFBOX_MAP_TYPE_RINGBUF || m->type == BPFBOX_MAP_TYPE_PERF_EVENT_ARRAY)
		return -BPFBOX_ENOTSUPP;
	if (!value)
		return -EFAULT;
	if (m->ops->peek)
		return m->ops->peek(m, value);
	return m->ops->copy(m, key, value);
}

int bpfbox_map__update_elem(struct bpfbox_map *m, const void *key,
			    const void *value, uint64_t flags)
{
	void *p;
	int err;

	if (!m)
		return -EBADF;
	if (flags & BPFBOX_F_LOCK) {
		bx_err(&m->log, "map %s: BPF_F_LOCK needs a bpf_spin_lock in the value (unsupported)", m->name);
		return -EINVAL;
	}
	if ((err = bxm_check_access(m, key, BPFBOX_F_RDONLY)))
		return err;
	if (m->type == BPFBOX_MAP_TYPE_RINGBUF)
		return -BPFBOX_ENOTSUPP;
	if (m->type == BPFBOX_MAP_TYPE_PERF_EVENT_ARRAY) {
		bx_err(&m->log, "map %s: use bpfbox_map__perf_attach() to give a perf_event_array slot a buffer",
		       m->name);
		return -EINVAL;
	}
	if (!value)
		return -EFAULT;
	if (m->ops->push)
		return m->ops->push(m, value, flags);
	if (m->type == BPFBOX_MAP_TYPE_HASH_OF_MAPS) {
		memcpy(&p, value, sizeof(p));
		if ((err = bxm_ptr_get(m, p)))
			return err;
		err = m->ops->update(m, key, &p, flags, true, 0);
		if (err)
			bxm_ptr_put(m, p);
		return err;
	}
	return m->ops->update(m, key, value, flags, true, 0);
}

int bpfbox_map__delete_elem(struct bpfbox_map *m, const void *key)
{
	int err;

	if (!m)
		return -EBADF;
	if ((err = bxm_check_access(m, key, BPFBOX_F_RDONLY)))
		return err;
	if (m->type == BPFBOX_MAP_TYPE_RINGBUF)
		return -BPFBOX_ENOTSUPP;
	if (m->type == BPFBOX_MAP_TYPE_BLOOM_FILTER)
		return -EOPNOTSUPP;
	if (!m->ops->delete)
		return -EINVAL;
	return m->ops->delete(m, key);
}

int bpfbox_map__get_next_key(struct bpfbox_map *m, const void *key, void *next)
{
	if (!m)
		return -EBADF;
	if (m->map_flags & BPFBOX_F_WRONLY)
		return -EPERM;
	if (!m->key_size && key)
		return -EINVAL;
	if (m->type == BPFBOX_MAP_TYPE_RINGBUF)
		return -BPFBOX_ENOTSUPP;
	if (m->type == BPFBOX_MAP_TYPE_BLOOM_FILTER)
		return -EOPNOTSUPP;
	if (!m->ops->next_key)
		return -EINVAL;
	if (!next)
		return -EFAULT;
	return m->ops->next_key(m, key, next);
}

int bpfbox_map__lookup_and_delete_elem(struct bpfbox_map *m, const void *key,
				       void *value, uint64_t flags)
{
	bool qs;
	int err;

	if (!m)
		return -EBADF;
	qs = m->type == BPFBOX_MAP_TYPE_QUEUE || m->type == BPFBOX_MAP_TYPE_STACK;
	if (flags && qs)
		return -EINVAL;
	if ((err = bxm_check_lock_flags(m, flags)))
		return err;
	if ((err = bxm_check_access(m, key, BPFBOX_F_RDONLY | BPFBOX_F_WRONLY)))
		return err;
	if (!qs && (!m->ops->lookup_and_delete || m->ptr_values))
		return -BPFBOX_ENOTSUPP;
	if (!value)
		return -EFAULT;
	if (qs)
		return m->ops->pop(m, value);
	return m->ops->lookup_and_delete(m, key, value);
}

int bpfbox_map__lookup_batch(struct bpfbox_map *m, const void *in_batch,
			     void *out_batch, void *keys, void *values,
			     uint32_t *count)
{
	size_t vbuf;
	uint32_t want, n = 0;
	const void *prev = in_batch;
	int err = 0;

	if (!m)
		return -EBADF;
	if (!count)
		return -EFAULT;
	want = *count;
	*count = 0;
	if (!m->key_size || !m->ops->next_key || !m->ops->copy)
		return -BPFBOX_ENOTSUPP;
	if (m->type == BPFBOX_MAP_TYPE_PERF_EVENT_ARRAY)
		return -BPFBOX_ENOTSUPP;
	if (m->map_flags & BPFBOX_F_WRONLY)
		return -EPERM;
	if (!want)
		return -EINVAL;
	if (!keys || !values || !out_batch)
		return -EFAULT;
	vbuf = bpfbox_map__value_buf_size(m);
	while (n < want) {
		char *k = (char *)keys + (size_t)n * m->key_size;

		err = m->ops->next_key(m, prev, k);
		if (err)
			break;
		err = m->ops->copy(m, k, (char *)values + n * vbuf);
		if (err == -ENOENT) {
			/* deleted meanwhile: skip it, continue after it */
			memcpy(out_batch, k, m->key_size);
			prev = out_batch;
			continue;
		}
		if (err)
			break;
		prev = k;
		n++;
	}
	if (n)
		memcpy(out_batch, (char *)keys + (size_t)(n - 1) * m->key_size, m->key_size);
	*count = n;
	return err;
}

/* ---- program path ------------------------------------------------------- */

bool bxm_value_ok(const struct bpfbox_map *m, uint64_t a, uint64_t sz)
{
	return m->ops->value_ok && m->ops->value_ok(m, a, sz);
}

void *bxm_lookup(struct bpfbox_map *m, const void *key, uint32_t cpu)
{
	if (!m->ops->lookup || (m->percpu && cpu >= m->nr_cpus))
		return NULL;
	return m->ops->lookup(m, key, cpu);
}

long bxm_update(struct bpfbox_map *m, const void *key, const void *value,
		uint64_t flags, uint32_t cpu)
{
	if (m->ops->push)
		return m->ops->push(m, value, flags);
	if (!m->ops->update || m->ptr_values)
		return -EOPNOTSUPP;
	if (flags & BPFBOX_F_LOCK)
		return -EINVAL;
	if (m->percpu && cpu >= m->nr_cpus)
		return -EINVAL;
	return m->ops->update(m, key, value, flags, false, cpu);
}

long bxm_delete(struct bpfbox_map *m, const void *key)
{
	if (!m->ops->delete || m->type == BPFBOX_MAP_TYPE_PERF_EVENT_ARRAY)
		return -EOPNOTSUPP;
	return m->ops->delete(m, key);
}

long bxm_push(struct bpfbox_map *m, const void *value, uint64_t flags)
{
	return m->ops->push ? m->ops->push(m, value, flags) : -EOPNOTSUPP;
}

long bxm_pop(struct bpfbox_map *m, void *value)
{
	return m->ops->pop ? m->ops->pop(m, value) : -EOPNOTSUPP;
}

long bxm_peek(struct bpfbox_map *m, void *value)
{
	return m->ops->peek ? m->ops->peek(m, value) : -EOPNOTSUPP;
}

/* ---- getters -------------------------------------------------------------- */

uint32_t bpfbox_map__type(const struct bpfbox_map *m) { return m->type; }
uint32_t bpfbox_map__key_size(const struct bpfbox_map *m) { return m->key_size; }
uint32_t bpfbox_map__value_size(const struct bpfbox_map *m) { return m->value_size; }
uint32_t bpfbox_map__max_entries(const struct bpfbox_map *m) { return m->max_entries; }
uint32_t bpfbox_map__map_flags(const struct bpfbox_map *m) { return m->map_flags; }
uint64_t bpfbox_map__map_extra(const struct bpfbox_map *m) { return m->map_extra; }
uint32_t bpfbox_map__nr_cpus(const struct bpfbox_map *m) { return m->nr_cpus; }
const char *bpfbox_map__name(const struct bpfbox_map *m) { return m->name; }

size_t bpfbox_map__value_buf_size(const struct bpfbox_map *m)
{
	if (m->ptr_values)
		return sizeof(void *);
	if (m->percpu)
		return (size_t)m->nr_cpus * m->stride;
	return m->value_size;
}

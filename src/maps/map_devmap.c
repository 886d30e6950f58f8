/*
 * map_devmap.c - BPF_MAP_TYPE_DEVMAP and BPF_MAP_TYPE_DEVMAP_HASH, the
 * targets of bpf_redirect_map() from XDP (kernel/bpf/devmap.c).
 *
 * Key: u32. Value: u32 ifindex, or struct bpf_devmap_val { u32 ifindex;
 * union { int fd; u32 id; } bpf_prog; } (8 bytes). bpfbox has no network
 * devices and no program fds: any ifindex > 0 is taken as given, and a
 * bpf_prog.fd > 0 (a devmap program) is refused with -EOPNOTSUPP; a
 * lookup returns the value with bpf_prog.id 0.
 *
 * DEVMAP is an array whose slots can be empty: ifindex 0 is "no device"
 * (an update with ifindex 0 empties the slot, as the kernel's), delete
 * empties it, BPF_NOEXIST is always -EEXIST, next_key walks every index.
 * DEVMAP_HASH is the hash map with these value checks (ifindex 0 is
 * -EINVAL there, as the kernel finds no such device; BPF_EXIST on a
 * missing key inserts, as the kernel's).
 */
#include "maps/map_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEVMAP_F_OK (BPFBOX_F_NUMA_NODE | BPFBOX_F_RDONLY | BPFBOX_F_WRONLY) /* DEV_CREATE_FLAG_MASK */

/* The value as stored: the ifindex and a zero program id. */
struct bxm_devval {
	_Atomic uint32_t ifindex;
	uint32_t prog_id;
};

/* Creation checks (dev_map_alloc_check + devmap's own), logged. */
static int dev_check(const struct bpfbox_map *m)
{
	if (m->key_size != 4 || (m->value_size != 4 && m->value_size != 8) ||
	    m->max_entries == 0 || (m->map_flags & ~DEVMAP_F_OK)) {
		bx_err(&m->log, "map: %s needs key_size 4 (got %u), value_size 4 or 8 (got %u), "
		       "max_entries > 0 and no map_flags but numa/rdonly/wronly",
		       bpfbox_map_type_name(m->type), m->key_size, m->value_size);
		return -EINVAL;
	}
	return 0;
}

/* The value to store from an update's value, or a negative errno. */
static int dev_value(const struct bpfbox_map *m, const void *value, uint32_t *ifindex)
{
	int32_t fd = 0;

	memcpy(ifindex, value, 4);
	if (m->value_size == 8)
		memcpy(&fd, (const uint8_t *)value + 4, 4);
	if (fd > 0) {
		bx_err(&m->log, "map %s: devmap programs (bpf_prog.fd %d) are not supported",
		       m->name, fd);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* ---- DEVMAP ---------------------------------------------------------------- */

/* max_entries value slots, all empty. */
static int dev_alloc(struct bpfbox_map *m)
{
	int err = dev_check(m);

	if (err)
		return err;
	m->impl = calloc(m->max_entries, sizeof(struct bxm_devval));
	return m->impl ? 0 : -ENOMEM;
}

/* Free the slots. */
static void dev_free(struct bpfbox_map *m)
{
	free(m->impl);
}

/* The slot of key, or NULL out of range. */
static struct bxm_devval *dev_slot(struct bpfbox_map *m, const void *key)
{
	uint32_t i;

	memcpy(&i, key, 4);
	return i < m->max_entries ? (struct bxm_devval *)m->impl + i : NULL;
}

/* Program / syscall lookup: the value of a non-empty slot. */
static void *dev_lookup(struct bpfbox_map *m, const void *key, uint32_t cpu)
{
	struct bxm_devval *v = dev_slot(m, key);

	(void)cpu;
	return v && atomic_load_explicit(&v->ifindex, memory_order_relaxed) ? v : NULL;
}

/* Syscall lookup: copy the value. */
static int dev_copy(struct bpfbox_map *m, const void *key, void *value)
{
	struct bxm_devval *v = dev_lookup(m, key, 0);
	uint32_t ifindex;

	if (!v)
		return -ENOENT;
	ifindex = atomic_load_explicit(&v->ifindex, memory_order_relaxed);
	memcpy(value, &ifindex, 4);
	if (m->value_size == 8)
		memcpy((uint8_t *)value + 4, &v->prog_id, 4);
	return 0;
}

/* Update (dev_map_update_elem): NOEXIST is always -EEXIST; ifindex 0 empties. */
static int dev_update(struct bpfbox_map *m, const void *key, const void *value,
		      uint64_t flags, bool all_cpus, uint32_t cpu)
{
	struct bxm_devval *v;
	uint32_t ifindex;
	int err;

	(void)all_cpus; (void)cpu;
	if (flags > BPFBOX_EXIST)
		return -EINVAL;
	v = dev_slot(m, key);
	if (!v)
		return -E2BIG;
	if (flags == BPFBOX_NOEXIST)
		return -EEXIST;
	err = dev_value(m, value, &ifindex);
	if (err)
		return err;
	v->prog_id = 0;
	atomic_store_explicit(&v->ifindex, ifindex, memory_order_relaxed);
	return 0;
}

/* Delete: empty the slot (0 even if it was empty; -EINVAL out of range). */
static int dev_delete(struct bpfbox_map *m, const void *key)
{
	struct bxm_devval *v = dev_slot(m, key);

	if (!v)
		return -EINVAL;
	atomic_store_explicit(&v->ifindex, 0, memory_order_relaxed);
	return 0;
}

/* next_key as an array: every index, empty or not. */
static int dev_next_key(struct bpfbox_map *m, const void *key, void *next)
{
	uint32_t i = 0, n;

	if (key)
		memcpy(&i, key, 4);
	if (!key || i >= m->max_entries) {
		n = 0;
	} else {
		if (i == m->max_entries - 1)
			return -ENOENT;
		n = i + 1;
	}
	memcpy(next, &n, 4);
	return 0;
}

/* Checked mode: is [a, a+sz) inside one value slot? */
static bool dev_value_ok(const struct bpfbox_map *m, uint64_t a, uint64_t sz)
{
	uint64_t lo = (uint64_t)(uintptr_t)m->impl, sl = sizeof(struct bxm_devval);

	if (a < lo || a - lo >= (uint64_t)m->max_entries * sl)
		return false;
	return (a - lo) % sl + sz <= m->value_size;
}

const struct bxm_ops bxm_devmap_ops = {
	.value_ok = dev_value_ok,
	.alloc = dev_alloc,
	.free = dev_free,
	.lookup = dev_lookup,
	.copy = dev_copy,
	.update = dev_update,
	.delete = dev_delete,
	.next_key = dev_next_key,
};

/* ---- DEVMAP_HASH -------------------------------------------------------------- */

/* The hash map's storage after the devmap checks. */
static int devh_alloc(struct bpfbox_map *m)
{
	int err = dev_check(m);

	return err ? err : bxm_hash_ops.alloc(m);
}

static void devh_free(struct bpfbox_map *m)
{
	bxm_hash_ops.free(m);
}

static void *devh_lookup(struct bpfbox_map *m, const void *key, uint32_t cpu)
{
	return bxm_hash_ops.lookup(m, key, cpu);
}

static int devh_copy(struct bpfbox_map *m, const void *key, void *value)
{
	return bxm_hash_ops.copy(m, key, value);
}

/* Update (__dev_map_hash_update_elem): ifindex 0 names no device. */
static int devh_update(struct bpfbox_map *m, const void *key, const void *value,
		       uint64_t flags, bool all_cpus, uint32_t cpu)
{
	uint8_t v[8] = { 0 };
	uint32_t ifindex;
	int err;

	if (flags > BPFBOX_EXIST)
		return -EINVAL;
	err = dev_value(m, value, &ifindex);
	if (err)
		return err;
	if (!ifindex)
		return -EINVAL;
	memcpy(v, &ifindex, 4);
	return bxm_hash_ops.update(m, key, v, flags == BPFBOX_EXIST ? BPFBOX_ANY : flags,
				   all_cpus, cpu);
}

static int devh_delete(struct bpfbox_map *m, const void *key)
{
	return bxm_hash_ops.delete(m, key);
}

static int devh_next_key(struct bpfbox_map *m, const void *key, void *next)
{
	return bxm_hash_ops.next_key(m, key, next);
}

static bool devh_value_ok(const struct bpfbox_map *m, uint64_t a, uint64_t sz)
{
	return bxm_hash_ops.value_ok(m, a, sz);
}

const struct bxm_ops bxm_devmap_hash_ops = {
	.value_ok = devh_value_ok,
	.alloc = devh_alloc,
	.free = devh_free,
	.lookup = devh_lookup,
	.copy = devh_copy,
	.update = devh_update,
	.delete = devh_delete,
	.next_key = devh_next_key,
};

/*
 * map_cgroup_array.c - BPF_MAP_TYPE_CGROUP_ARRAY, as the kernel's fd array
 * of cgroups (kernel/bpf/arraymap.c cgroup_array_map_ops): key a u32
 * index, value from userspace a u32 fd of a cgroup v2 directory. A slot
 * keeps the cgroup's identity (its id, the directory's inode, and its path
 * under the cgroup2 mount), not the fd. Only BPF_ANY updates; the syscall
 * lookup is -ENOTSUPP (no map_fd_sys_lookup_elem); programs read it only
 * through current_task_under_cgroup / skb_under_cgroup.
 */
#include "maps/map_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/cgroup.h"

struct bxm_cg_slot {
	uint64_t id;
	char path[];
};

struct bxm_cgarr {
	pthread_mutex_t lock;
	struct bxm_cg_slot *slots[];
};

/* Allocate the slot array. */
static int cgarr_alloc(struct bpfbox_map *m)
{
	struct bxm_cgarr *a = calloc(1, sizeof(*a) + (size_t)m->max_entries * sizeof(a->slots[0]));

	if (!a)
		return -ENOMEM;
	pthread_mutex_init(&a->lock, NULL);
	m->impl = a;
	return 0;
}

/* Free every slot. */
static void cgarr_free(struct bpfbox_map *m)
{
	struct bxm_cgarr *a = m->impl;

	for (uint32_t i = 0; i < m->max_entries; i++)
		free(a->slots[i]);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

/* No program lookups (the verifier refuses them). */
static void *cgarr_lookup(struct bpfbox_map *m, const void *key, uint32_t cpu)
{
	(void)m, (void)key, (void)cpu;
	return NULL;
}

/* The syscall lookup of a cgroup array: -ENOTSUPP as the kernel. */
static int cgarr_copy(struct bpfbox_map *m, const void *key, void *value)
{
	(void)m, (void)key, (void)value;
	return -BPFBOX_ENOTSUPP;
}

/* Update (bpf_fd_array_map_update_elem): flags BPF_ANY only, -E2BIG out of
 * range, -EBADF if the fd is no cgroup v2 directory. Programs: -EINVAL. */
static int cgarr_update(struct bpfbox_map *m, const void *key, const void *value,
			uint64_t flags, bool all_cpus, uint32_t cpu)
{
	struct bxm_cgarr *a = m->impl;
	char path[BX_CGROUP_PATH_MAX];
	struct bxm_cg_slot *s, *old;
	uint32_t idx;
	int32_t fd;
	uint64_t id;
	int err;

	(void)cpu;
	if (!all_cpus)
		return -EINVAL;
	if (flags != BPFBOX_ANY)
		return -EINVAL;
	memcpy(&idx, key, 4);
	if (idx >= m->max_entries)
		return -E2BIG;
	memcpy(&fd, value, 4);
	err = bx_cgroup_of_fd(fd, &id, path, sizeof(path));
	if (err) {
		bx_err(&m->log, "map %s: fd %d is no cgroup v2 directory", m->name, fd);
		return err;
	}
	s = malloc(sizeof(*s) + strlen(path) + 1);
	if (!s)
		return -ENOMEM;
	s->id = id;
	strcpy(s->path, path);
	pthread_mutex_lock(&a->lock);
	old = a->slots[idx];
	a->slots[idx] = s;
	pthread_mutex_unlock(&a->lock);
	free(old);
	return 0;
}

/* Delete (fd_array_map_delete_elem): -E2BIG out of range, -ENOENT if empty. */
static int cgarr_delete(struct bpfbox_map *m, const void *key)
{
	struct bxm_cgarr *a = m->impl;
	struct bxm_cg_slot *old;
	uint32_t idx;

	memcpy(&idx, key, 4);
	if (idx >= m->max_entries)
		return -E2BIG;
	pthread_mutex_lock(&a->lock);
	old = a->slots[idx];
	a->slots[idx] = NULL;
	pthread_mutex_unlock(&a->lock);
	free(old);
	return old ? 0 : -ENOENT;
}

/* Array get_next_key: 0 without a key or one out of range, -ENOENT at the end. */
static int cgarr_next_key(struct bpfbox_map *m, const void *key, void *next)
{
	uint32_t idx = 0;

	if (key) {
		memcpy(&idx, key, 4);
		if (idx >= m->max_entries)
			idx = 0;
		else if (idx == m->max_entries - 1)
			return -ENOENT;
		else
			idx++;
	}
	memcpy(next, &idx, 4);
	return 0;
}

/*
 * bxm_cgroup_array_under - see map_internal.h.
 */
long bxm_cgroup_array_under(struct bpfbox_map *m, uint32_t idx, const char *path)
{
	struct bxm_cgarr *a = m->impl;
	long ret;

	if (idx >= m->max_entries)
		return -E2BIG;
	pthread_mutex_lock(&a->lock);
	if (!a->slots[idx])
		ret = -EAGAIN;
	else
		ret = bx_cgroup_is_descendant(path, a->slots[idx]->path);
	pthread_mutex_unlock(&a->lock);
	return ret;
}

const struct bxm_ops bxm_cgroup_array_ops = {
	.alloc = cgarr_alloc,
	.free = cgarr_free,
	.lookup = cgarr_lookup,
	.copy = cgarr_copy,
	.update = cgarr_update,
	.delete = cgarr_delete,
	.next_key = cgarr_next_key,
};

/*
 * map_lpm.c - lpm_trie: the kernel's binary (path-compressed) trie with
 * intermediate nodes, longest-prefix-match lookup, and postorder
 * get_next_key. Keys are struct { u32 prefixlen; u8 data[key_size - 4]; }
 * with data in network byte order. One mutex guards the trie; node memory
 * is recycled through a free list and only freed with the map.
 */
#include "maps/map_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define BXM_LPM_IM 1u   /* intermediate node: no value */

struct bxm_lpm_node {
	struct bxm_lpm_node *child[2];
	struct bxm_lpm_node *all_next;   /* every node ever allocated (for free) */
	uint32_t prefixlen;
	uint32_t flags;
	/* data (round_up(data_size, 8)), then the value: 8-byte aligned */
	_Alignas(8) unsigned char data[];
};

struct bxm_lpm {
	pthread_mutex_t lock;
	struct bxm_lpm_node *root;
	struct bxm_lpm_node *free_list;   /* linked through child[0] */
	struct bxm_lpm_node *all;
	uint32_t data_size;
	uint32_t data_space;
	uint32_t max_prefixlen;
	uint32_t n_entries;
};

/* Value area of a node. */
static inline void *bxm_lpm_val(struct bxm_lpm *t, struct bxm_lpm_node *n)
{
	return n->data + t->data_space;
}

/* Bit `i` of a big-endian bit string. */
static inline int bxm_lpm_bit(const unsigned char *d, uint32_t i)
{
	return !!(d[i / 8] & (1u << (7 - i % 8)));
}

/* Number of leading bits node and key share, up to both prefix lengths. */
static uint32_t bxm_lpm_match(const struct bxm_lpm *t, const struct bxm_lpm_node *n,
			      uint32_t key_plen, const unsigned char *kd)
{
	uint32_t limit = n->prefixlen < key_plen ? n->prefixlen : key_plen, i = 0;

	(void)t;
	while (i < limit && i % 8 == 0 && i + 8 <= limit && n->data[i / 8] == kd[i / 8])
		i += 8;
	while (i < limit && bxm_lpm_bit(n->data, i) == bxm_lpm_bit(kd, i))
		i++;
	return i;
}

/* A node from the free list, or a new one. */
static struct bxm_lpm_node *bxm_lpm_new(struct bpfbox_map *m, struct bxm_lpm *t)
{
	struct bxm_lpm_node *n = t->free_list;

	if (n) {
		t->free_list = n->child[0];
	} else {
		n = calloc(1, sizeof(*n) + t->data_space + m->stride);
		if (!n)
			return NULL;
		n->all_next = t->all;
		t->all = n;
	}
	n->child[0] = n->child[1] = NULL;
	n->flags = 0;
	return n;
}

/* Put a node on the free list. */
static void bxm_lpm_release(struct bxm_lpm *t, struct bxm_lpm_node *n)
{
	n->child[0] = t->free_list;
	n->child[1] = NULL;
	t->free_list = n;
}

/* Set up an empty trie. */
static int bxm_lpm_alloc(struct bpfbox_map *m)
{
	struct bxm_lpm *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->data_size = m->key_size - 4;
	t->data_space = (uint32_t)BXM_ROUND8(t->data_size);
	t->max_prefixlen = t->data_size * 8;
	pthread_mutex_init(&t->lock, NULL);
	m->impl = t;
	return 0;
}

/* Free every node ever allocated. */
static void bxm_lpm_free(struct bpfbox_map *m)
{
	struct bxm_lpm *t = m->impl;

	for (struct bxm_lpm_node *n = t->all, *nx; n; n = nx) {
		nx = n->all_next;
		free(n);
	}
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* Longest-prefix match (trie_lookup_elem); lock held. */
static struct bxm_lpm_node *bxm_lpm_find(struct bxm_lpm *t, const void *key)
{
	uint32_t plen;
	const unsigned char *kd = (const unsigned char *)key + 4;
	struct bxm_lpm_node *n, *found = NULL;

	memcpy(&plen, key, 4);
	if (plen > t->max_prefixlen)
		return NULL;
	for (n = t->root; n;) {
		uint32_t ml = bxm_lpm_match(t, n, plen, kd);

		if (ml == t->max_prefixlen) {
			found = (n->flags & BXM_LPM_IM) ? found : n;
			break;
		}
		if (ml < n->prefixlen)
			break;
		if (!(n->flags & BXM_LPM_IM))
			found = n;
		n = n->child[bxm_lpm_bit(kd, n->prefixlen)];
	}
	return found;
}

/* Program path: value of the longest matching prefix. */
static void *bxm_lpm_lookup(struct bpfbox_map *m, const void *key, uint32_t cpu)
{
	struct bxm_lpm *t = m->impl;
	struct bxm_lpm_node *n;

	(void)cpu;
	pthread_mutex_lock(&t->lock);
	n = bxm_lpm_find(t, key);
	pthread_mutex_unlock(&t->lock);
	return n ? bxm_lpm_val(t, n) : NULL;
}

/* Syscall lookup (also a longest-prefix match, as in the kernel). */
static int bxm_lpm_copy(struct bpfbox_map *m, const void *key, void *value)
{
	struct bxm_lpm *t = m->impl;
	struct bxm_lpm_node *n;

	pthread_mutex_lock(&t->lock);
	n = bxm_lpm_find(t, key);
	if (n)
		memcpy(value, bxm_lpm_val(t, n), m->value_size);
	pthread_mutex_unlock(&t->lock);
	return n ? 0 : -ENOENT;
}

/* Can a new entry be added? (trie_check_add_elem) */
static int bxm_lpm_check_add(struct bpfbox_map *m, struct bxm_lpm *t, uint64_t flags)
{
	if (flags == BPFBOX_EXIST)
		return -ENOENT;
	if (t->n_entries == m->max_entries)
		return -ENOSPC;
	t->n_entries++;
	return 0;
}

/* trie_update_elem: insert or replace an exact prefix; values are
 * replaced in place so program pointers stay on the live entry. */
static int bxm_lpm_update(struct bpfbox_map *m, const void *key, const void *value,
			  uint64_t flags, bool all_cpus, uint32_t cpu)
{
	struct bxm_lpm *t = m->impl;
	struct bxm_lpm_node *n = NULL, **slot, *nn, *im;
	const unsigned char *kd = (const unsigned char *)key + 4;
	uint32_t plen, ml = 0;
	int err = 0;

	(void)all_cpus;
	(void)cpu;
	if (flags > BPFBOX_EXIST)
		return -EINVAL;
	memcpy(&plen, key, 4);
	if (plen > t->max_prefixlen)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	for (slot = &t->root; (n = *slot); slot = &n->child[bxm_lpm_bit(kd, n->prefixlen)]) {
		ml = bxm_lpm_match(t, n, plen, kd);
		if (n->prefixlen != ml || n->prefixlen == plen || n->prefixlen == t->max_prefixlen)
			break;
	}
	if (n && n->prefixlen == ml && n->prefixlen == plen) {
		/* exact prefix: replace, or turn an intermediate node into an entry */
		if (n->flags & BXM_LPM_IM) {
			if ((err = bxm_lpm_check_add(m, t, flags)))
				goto out;
			n->flags &= ~BXM_LPM_IM;
		} else if (flags == BPFBOX_NOEXIST) {
			err = -EEXIST;
			goto out;
		}
		memcpy(n->data, kd, t->data_size);   /* the kernel keeps the new key's bytes */
		memcpy(bxm_lpm_val(t, n), value, m->value_size);
		goto out;
	}
	if ((err = bxm_lpm_check_add(m, t, flags)))
		goto out;
	nn = bxm_lpm_new(m, t);
	if (!nn) {
		t->n_entries--;
		err = -ENOMEM;
		goto out;
	}
	nn->prefixlen = plen;
	memcpy(nn->data, kd, t->data_size);
	memcpy(bxm_lpm_val(t, nn), value, m->value_size);
	if (!n) {
		*slot = nn;
	} else if (ml == plen) {
		/* the new prefix is an ancestor of n */
		nn->child[bxm_lpm_bit(n->data, ml)] = n;
		*slot = nn;
	} else {
		im = bxm_lpm_new(m, t);
		if (!im) {
			bxm_lpm_release(t, nn);
			t->n_entries--;
			err = -ENOMEM;
			goto out;
		}
		im->prefixlen = ml;
		im->flags = BXM_LPM_IM;
		memcpy(im->data, n->data, t->data_size);
		if (bxm_lpm_bit(kd, ml)) {
			im->child[0] = n;
			im->child[1] = nn;
		} else {
			im->child[0] = nn;
			im->child[1] = n;
		}
		*slot = im;
	}
out:
	pthread_mutex_unlock(&t->lock);
	return err;
}

/* trie_delete_elem: exact prefix only; prunes intermediate nodes. */
static int bxm_lpm_delete(struct bpfbox_map *m, const void *key)
{
	struct bxm_lpm *t = m->impl;
	struct bxm_lpm_node *n, *parent = NULL, **slot, **pslot = NULL;
	const unsigned char *kd = (const unsigned char *)key + 4;
	uint32_t plen, ml = 0;
	int err = 0;

	(void)m;
	memcpy(&plen, key, 4);
	if (plen > t->max_prefixlen)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	for (slot = &t->root; (n = *slot);) {
		ml = bxm_lpm_match(t, n, plen, kd);
		if (n->prefixlen != ml || n->prefixlen == plen)
			break;
		pslot = slot;
		parent = n;
		slot = &n->child[bxm_lpm_bit(kd, n->prefixlen)];
	}
	if (!n || n->prefixlen != plen || ml != plen || (n->flags & BXM_LPM_IM)) {
		err = -ENOENT;
		goto out;
	}
	t->n_entries--;
	if (n->child[0] && n->child[1]) {
		n->flags |= BXM_LPM_IM;
		goto out;
	}
	if (parent && (parent->flags & BXM_LPM_IM) && !n->child[0] && !n->child[1]) {
		*pslot = parent->child[parent->child[0] == n ? 1 : 0];
		bxm_lpm_release(t, parent);
		bxm_lpm_release(t, n);
		goto out;
	}
	*slot = n->child[0] ? n->child[0] : n->child[1];
	bxm_lpm_release(t, n);
out:
	pthread_mutex_unlock(&t->lock);
	return err;
}

/* Append real nodes of a subtree in postorder (children first). */
static void bxm_lpm_postorder(struct bxm_lpm_node *n, struct bxm_lpm_node **out, uint32_t *cnt)
{
	if (!n)
		return;
	bxm_lpm_postorder(n->child[0], out, cnt);
	bxm_lpm_postorder(n->child[1], out, cnt);
	if (!(n->flags & BXM_LPM_IM))
		out[(*cnt)++] = n;
}

/* trie_get_next_key: postorder (more specific prefixes first); NULL or an
 * absent key gives the first. */
static int bxm_lpm_next_key(struct bpfbox_map *m, const void *key, void *next)
{
	struct bxm_lpm *t = m->impl;
	struct bxm_lpm_node **all, *res = NULL;
	uint32_t cnt = 0, i = 0, plen = 0;
	int err = 0;

	pthread_mutex_lock(&t->lock);
	all = malloc(sizeof(*all) * (t->n_entries + 1));
	if (!all) {
		err = -ENOMEM;
		goto out;
	}
	bxm_lpm_postorder(t->root, all, &cnt);
	if (key) {
		memcpy(&plen, key, 4);
		for (i = 0; i < cnt; i++)
			if (all[i]->prefixlen == plen &&
			    bxm_lpm_match(t, all[i], plen, (const unsigned char *)key + 4) == plen)
				break;
		i = i < cnt ? i + 1 : 0;
	}
	if (i < cnt)
		res = all[i];
	if (res) {
		memcpy(next, &res->prefixlen, 4);
		memcpy((char *)next + 4, res->data, t->data_size);
	} else {
		err = -ENOENT;
	}
	free(all);
out:
	pthread_mutex_unlock(&t->lock);
	return err;
}

const struct bxm_ops bxm_lpm_ops = {
	.alloc = bxm_lpm_alloc,
	.free = bxm_lpm_free,
	.lookup = bxm_lpm_lookup,
	.copy = bxm_lpm_copy,
	.update = bxm_lpm_update,
	.delete = bxm_lpm_delete,
	.next_key = bxm_lpm_next_key,
};

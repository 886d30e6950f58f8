/*
 * helpers_pkt.c - the kernel's packet helpers, with the kernel's ids and
 * semantics (net/core/filter.c): bpf_xdp_adjust_head/tail/meta,
 * bpf_skb_load_bytes, bpf_redirect, bpf_redirect_map, and the internal
 * load helpers LD_ABS / LD_IND are expanded into (bpf_gen_ld_abs). They
 * are rows of THE helper table (src/helpers/helper_table.h), which gives
 * their ids, prototypes and the program types that may call them.
 *
 * They work on the packet state of the run (struct bxh_pkt, call->hook),
 * which only test runs (bpfbox_prog__test_run) and hooks set up; called
 * from a run without one they stop it with -EINVAL. Every pointer of the
 * context is checked against the packet buffer before use, so a program
 * that scribbled over its context cannot make a helper touch other memory.
 */
#include <errno.h>
#include <string.h>

#include "bpfbox/object.h"
#include "progtype/ctx_int.h"
#include "progtype/ctx_layout.h"
#include "helpers/helpers.h"
#include "maps/map_internal.h"
#include "vm/vm_internal.h"

#define ETH_HLEN        14
#define XDP_FRAME_SIZE  40      /* sizeof(struct xdp_frame): reserved at data_hard_start */
#define XDP_META_MAX    255     /* type_max(skb_shared_info.meta_len) */

enum { XDP_ABORTED = 0, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT };
#define TC_ACT_SHOT      2
#define TC_ACT_REDIRECT  7
#define BPF_F_INGRESS    1ull
#define BPF_F_BROADCAST  (1ull << 3)
#define BPF_F_EXCLUDE_INGRESS (1ull << 4)
#define SKF_NET_OFF      (-0x100000)
#define SKF_LL_OFF       (-0x200000)

/* map types that bpf_redirect_map accepts */
#define MAP_DEVMAP       14
#define MAP_CPUMAP       16
#define MAP_XSKMAP       17
#define MAP_DEVMAP_HASH  25

/*
 * bxh_call_pkt - see ctx_int.h.
 */
struct bxh_pkt *bxh_call_pkt(struct bpfbox_call *call, const char *helper, uint32_t kind)
{
	struct bxh_pkt *p = call->hook;

	if (p && p->magic == BXH_PKT_MAGIC && (!kind || p->kind == kind))
		return p;
	bx_err(&call->vm->log, "%s: %s needs %s context; run the program with bpfbox_prog__test_run()",
	       call->prog->name, helper, kind == BXH_KIND_XDP ? "an XDP" :
	       kind == BXH_KIND_SKB ? "an skb" : "a packet");
	bpfbox_call__abort(call, -EINVAL);
	return NULL;
}

/* the xdp context, with its pointers checked against the buffer */
static struct bxh_xdp *xdp_ctx(struct bpfbox_call *call, const char *helper, struct bxh_pkt **pp)
{
	struct bxh_pkt *p = bxh_call_pkt(call, helper, BXH_KIND_XDP);
	struct bxh_xdp *x;
	uint64_t lo, hi;

	if (!p)
		return NULL;
	x = p->ctx;
	lo = (uint64_t)(uintptr_t)p->buf;
	hi = p->hard_end;
	if (x->data_hard_start != lo || x->data_meta < lo + XDP_FRAME_SIZE ||
	    x->data_meta > x->data || x->data > x->data_end || x->data_end > hi) {
		bx_err(&call->vm->log, "%s: %s: the xdp context was corrupted", call->prog->name, helper);
		bpfbox_call__abort(call, -EFAULT);
		return NULL;
	}
	*pp = p;
	return x;
}

/* the skb context, with its pointers checked against the buffer */
static struct bxh_skb *skb_ctx(struct bpfbox_call *call, const char *helper, struct bxh_pkt **pp)
{
	struct bxh_pkt *p = bxh_call_pkt(call, helper, BXH_KIND_SKB);
	struct bxh_skb *s;
	uint64_t lo, hi;

	if (!p)
		return NULL;
	s = p->ctx;
	lo = (uint64_t)(uintptr_t)p->buf;
	hi = lo + p->buf_len;
	if (s->data < lo || s->data > hi || bxh_md32(s->md, BXH_SKB_LEN) > hi - s->data ||
	    s->data_end != s->data + bxh_md32(s->md, BXH_SKB_LEN)) {
		bx_err(&call->vm->log, "%s: %s: the skb context was corrupted", call->prog->name, helper);
		bpfbox_call__abort(call, -EFAULT);
		return NULL;
	}
	*pp = p;
	return s;
}

/* ---- XDP ------------------------------------------------------------------------- */

/* bpf_xdp_adjust_head(xdp_md, int offset) */
uint64_t bxh_xdp_adjust_head(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
				  uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct bxh_pkt *p;
	struct bxh_xdp *x = xdp_ctx(call, "bpf_xdp_adjust_head", &p);
	int64_t off = (int32_t)r2, hs, meta, data, end, metalen, nd;

	(void)r1; (void)r3; (void)r4; (void)r5;
	if (!x)
		return 0;
	hs = (int64_t)x->data_hard_start;
	meta = (int64_t)x->data_meta - hs;
	data = (int64_t)x->data - hs;
	end = (int64_t)x->data_end - hs;
	metalen = data - meta;
	nd = data + off;
	if (nd < XDP_FRAME_SIZE + metalen || nd > end - ETH_HLEN)
		return (uint64_t)-EINVAL;
	if (metalen)
		memmove(p->buf + meta + off, p->buf + meta, (size_t)metalen);
	x->data_meta = (uint64_t)(hs + meta + off);
	x->data = (uint64_t)(hs + nd);
	return 0;
}

/* shrink the fragments of a multi-buffer packet by `off` bytes */
static uint64_t frags_shrink_tail(struct bxh_pkt *p, struct bxh_xdp *x, int64_t off)
{
	int64_t len = (int64_t)(x->data_end - x->data) + p->frags_size;

	if (off > len - ETH_HLEN)
		return (uint64_t)-EINVAL;
	while (p->nr_frags && off > 0) {
		uint32_t i = p->nr_frags - 1;
		int64_t shrink = off < p->frag_len[i] ? off : p->frag_len[i];

		off -= shrink;
		p->frag_len[i] -= (uint32_t)shrink;
		p->frags_size -= (uint32_t)shrink;
		if (!p->frag_len[i])
			p->nr_frags--;
	}
	if (!p->nr_frags)
		x->data_end -= (uint64_t)off;
	return 0;
}

/* bpf_xdp_adjust_tail(xdp_md, int offset) */
uint64_t bxh_xdp_adjust_tail(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
				  uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct bxh_pkt *p;
	struct bxh_xdp *x = xdp_ctx(call, "bpf_xdp_adjust_tail", &p);
	int64_t off = (int32_t)r2, hs, data, end, ne;

	(void)r1; (void)r3; (void)r4; (void)r5;
	if (!x)
		return 0;
	if (p->nr_frags) {
		uint32_t i = p->nr_frags - 1;

		if (off < 0)
			return frags_shrink_tail(p, x, -off);
		if (off > (int64_t)(BXH_FRAG_SIZE - p->frag_len[i]))
			return (uint64_t)-EINVAL;
		memset(p->frags[i] + p->frag_len[i], 0, (size_t)off);
		p->frag_len[i] += (uint32_t)off;
		p->frags_size += (uint32_t)off;
		return 0;
	}
	hs = (int64_t)x->data_hard_start;
	data = (int64_t)x->data - hs;
	end = (int64_t)x->data_end - hs;
	ne = end + off;
	if (ne > (int64_t)(p->hard_end - x->data_hard_start))
		return (uint64_t)-EINVAL;
	if (ne < data + ETH_HLEN)
		return (uint64_t)-EINVAL;
	if (off > 0)	/* the kernel clears what the packet grows into */
		memset(p->buf + end, 0, (size_t)off);
	x->data_end = (uint64_t)(hs + ne);
	return 0;
}

/* bpf_xdp_adjust_meta(xdp_md, int offset) */
uint64_t bxh_xdp_adjust_meta(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
				  uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct bxh_pkt *p;
	struct bxh_xdp *x = xdp_ctx(call, "bpf_xdp_adjust_meta", &p);
	int64_t off = (int32_t)r2, hs, meta, data;
	uint64_t metalen;

	(void)r1; (void)r3; (void)r4; (void)r5;
	if (!x)
		return 0;
	hs = (int64_t)x->data_hard_start;
	meta = (int64_t)x->data_meta - hs + off;
	data = (int64_t)x->data - hs;
	if (meta < XDP_FRAME_SIZE || meta > data)
		return (uint64_t)-EINVAL;
	metalen = (uint64_t)(data - meta);
	if ((metalen & 3) || metalen > XDP_META_MAX)
		return (uint64_t)-EACCES;
	x->data_meta = (uint64_t)(hs + meta);
	return 0;
}

/* bpf_redirect_map(map, u64 key, u64 flags), XDP */
uint64_t bxh_redirect_map(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			       uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct bxh_pkt *p = bxh_call_pkt(call, "bpf_redirect_map", BXH_KIND_XDP);
	struct bpfbox_map *m = (struct bpfbox_map *)(uintptr_t)r1;
	const uint64_t action_mask = XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX;
	uint64_t flag_mask = 0, flags = r3;
	uint32_t key = (uint32_t)r2;
	bool found = false;

	(void)r4; (void)r5;
	if (!p)
		return 0;
	if (call->checked) {
		bool known = false;
		for (size_t i = 0; i < call->prog->map_cnt; i++)
			known |= call->prog->maps[i] == m;
		if (!known) {
			bx_err(&call->vm->log, "%s: bpf_redirect_map: arg 1 is not a map of the program",
			       call->prog->name);
			bpfbox_call__abort(call, -EFAULT);
			return 0;
		}
	}
	switch (m ? m->type : 0) {
	case MAP_DEVMAP: case MAP_DEVMAP_HASH:
		flag_mask = BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS;
		break;
	case MAP_CPUMAP: case MAP_XSKMAP:
		break;
	default:
		bx_err(&call->vm->log, "%s: bpf_redirect_map: map type %u cannot redirect",
		       call->prog->name, m ? m->type : 0);
		bpfbox_call__abort(call, -EINVAL);
		return 0;
	}
	if (flags & ~(action_mask | flag_mask))
		return XDP_ABORTED;
	found = bxm_lookup(m, &key, call->cpu) != NULL;
	if (!found && !(flags & BPF_F_BROADCAST)) {
		p->redirect_set = 0;
		return flags & action_mask;
	}
	p->redirect_set = 1;
	p->redirect_map_type = m->type;
	p->redirect_map = m;
	p->redirect_key = r2;
	p->redirect_flags = flags;
	return XDP_REDIRECT;
}

/* ---- skb --------------------------------------------------------------------------- */

/* bpf_skb_load_bytes(skb, u32 offset, void *to, u32 len) */
uint64_t bxh_skb_load_bytes(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
				 uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct bxh_pkt *p;
	struct bxh_skb *s = skb_ctx(call, "bpf_skb_load_bytes", &p);
	uint32_t off = (uint32_t)r2, len = (uint32_t)r4;
	void *to = (void *)(uintptr_t)r3;

	(void)r1; (void)r5;
	if (!s)
		return 0;
	if (bpfbox_call__check_mem(call, r3, len, true)) {
		bx_err(&call->vm->log, "%s: bpf_skb_load_bytes: arg 3 (to): [0x%llx, +%u) is not memory the program may write",
		       call->prog->name, (unsigned long long)r3, len);
		bpfbox_call__abort(call, -EFAULT);
		return 0;
	}
	if (off > INT32_MAX || (uint64_t)off + len > bxh_md32(s->md, BXH_SKB_LEN)) {
		if (len)
			memset(to, 0, len);
		return (uint64_t)-EFAULT;
	}
	if (len)
		memcpy(to, (const void *)(uintptr_t)(s->data + off), len);
	return 0;
}

/* bpf_skb_pull_data(skb, u32 len): make the first len bytes (0: the
 * linear part) direct-accessible and writable. bpfbox's skb is all
 * linear and writable, so this is the kernel's pskb_may_pull() check
 * alone: 0 when len <= skb->len, else -ENOMEM. The verifier treats it as
 * changing the packet (its pointers are stale after it), as the kernel. */
uint64_t bxh_skb_pull_data(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			   uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct bxh_pkt *p;
	struct bxh_skb *s = skb_ctx(call, "bpf_skb_pull_data", &p);

	(void)r1; (void)r3; (void)r4; (void)r5;
	if (!s)
		return 0;
	return (uint32_t)r2 <= bxh_md32(s->md, BXH_SKB_LEN) ? 0 : (uint64_t)-ENOMEM;
}

/* bpf_get_cgroup_classid(skb): the net_cls class id of the skb's socket.
 * There are no cgroups in userspace: no socket is in a net_cls cgroup, and
 * the kernel returns 0 then too. */
uint64_t bxh_get_cgroup_classid(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
				     uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct bxh_pkt *p;

	(void)r1; (void)r2; (void)r3; (void)r4; (void)r5;
	(void)skb_ctx(call, "bpf_get_cgroup_classid", &p);
	return 0;
}

/* bpf_skb_under_cgroup(skb, map, idx): whether the skb's socket is in the
 * cgroup of slot idx. bpfbox's skbs have no socket, and the kernel returns
 * -ENOENT for an skb without a full socket before it looks at the map. */
uint64_t bxh_skb_under_cgroup(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			      uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct bxh_pkt *p;

	(void)r1; (void)r2; (void)r3; (void)r4; (void)r5;
	(void)skb_ctx(call, "bpf_skb_under_cgroup", &p);
	return (uint64_t)(long)-ENOENT;
}

/* bpf_skb_vlan_push(skb, __be16 vlan_proto, u16 vlan_tci): as the kernel, a
 * vlan_proto other than 802.1Q / 802.1ad counts as 802.1Q, and the tag
 * becomes the skb's hardware-accelerated tag (__sk_buff vlan_present,
 * vlan_tci, vlan_proto); the packet bytes do not change. When a tag is
 * already present the kernel first moves it into the packet bytes: bpfbox
 * does not grow packets and returns -EOPNOTSUPP then. */
uint64_t bxh_skb_vlan_push(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
				uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const uint8_t q[2] = { 0x81, 0x00 }, ad[2] = { 0x88, 0xa8 };
	struct bxh_pkt *p;
	struct bxh_skb *s = skb_ctx(call, "bpf_skb_vlan_push", &p);
	uint16_t proto = (uint16_t)r2, be_q, be_ad;

	(void)r1; (void)r4; (void)r5;
	if (!s)
		return 0;
	memcpy(&be_q, q, 2);	/* htons(ETH_P_8021Q), htons(ETH_P_8021AD) */
	memcpy(&be_ad, ad, 2);
	if (proto != be_q && proto != be_ad)
		proto = be_q;
	if (bxh_md32(s->md, BXH_SKB_VLAN_PRESENT))
		return (uint64_t)-EOPNOTSUPP;
	bxh_md32_set(s->md, BXH_SKB_VLAN_PRESENT, 1);
	bxh_md32_set(s->md, BXH_SKB_VLAN_TCI, (uint16_t)r3);
	bxh_md32_set(s->md, BXH_SKB_VLAN_PROTO, proto);
	return 0;
}

/* bpf_redirect(ifindex, flags): XDP (bpf_xdp_redirect) and tc */
uint64_t bxh_redirect(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			   uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct bxh_pkt *p = bxh_call_pkt(call, "bpf_redirect", 0);

	(void)r3; (void)r4; (void)r5;
	if (!p)
		return 0;
	if (p->kind == BXH_KIND_XDP) {
		if (r2)
			return XDP_ABORTED;
	} else if (r2 & ~BPF_F_INGRESS) {
		return TC_ACT_SHOT;
	}
	p->redirect_set = 1;
	p->redirect_map_type = 0;
	p->redirect_map = NULL;
	p->redirect_ifindex = (uint32_t)r1;
	p->redirect_flags = r2;
	return p->kind == BXH_KIND_XDP ? XDP_REDIRECT : TC_ACT_REDIRECT;
}

/*
 * ld_abs - bpf_skb_load_helper_{8,16,32}_no_cache: the big-endian value of
 * `size` bytes at `offset` of the packet (negative offsets: relative to the
 * network header (SKF_NET_OFF) or the mac header (SKF_LL_OFF)), or -EFAULT.
 */
static uint64_t ld_abs(struct bpfbox_call *call, int32_t offset, int size)
{
	struct bxh_pkt *p;
	struct bxh_skb *s = skb_ctx(call, "LD_ABS/LD_IND", &p);
	uint64_t head, tail, ptr;
	const uint8_t *b;

	if (!s)
		return 0;
	head = (uint64_t)(uintptr_t)p->buf;
	tail = s->data + bxh_md32(s->md, BXH_SKB_LEN);
	if (offset >= 0) {
		if ((int64_t)bxh_md32(s->md, BXH_SKB_LEN) - offset < size)
			return (uint64_t)-EFAULT;
		ptr = s->data + (uint64_t)offset;
	} else if (offset >= SKF_NET_OFF) {
		ptr = p->network_header + (uint64_t)((int64_t)offset - SKF_NET_OFF);
	} else if (offset >= SKF_LL_OFF) {
		ptr = p->mac_header + (uint64_t)((int64_t)offset - SKF_LL_OFF);
	} else {
		return (uint64_t)-EFAULT;
	}
	if (ptr < head || ptr > tail || tail - ptr < (uint64_t)size)
		return (uint64_t)-EFAULT;
	b = (const uint8_t *)(uintptr_t)ptr;
	switch (size) {
	case 1: return b[0];
	case 2: return (uint64_t)b[0] << 8 | b[1];
	default: return (uint64_t)b[0] << 24 | (uint64_t)b[1] << 16 | (uint64_t)b[2] << 8 | b[3];
	}
}

uint64_t bxh_ld_abs_8(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
		       uint64_t r4, uint64_t r5)
{
	(void)r1; (void)r3; (void)r4; (void)r5;
	return ld_abs(call, (int32_t)r2, 1);
}

uint64_t bxh_ld_abs_16(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
		       uint64_t r4, uint64_t r5)
{
	(void)r1; (void)r3; (void)r4; (void)r5;
	return ld_abs(call, (int32_t)r2, 2);
}

uint64_t bxh_ld_abs_32(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
		       uint64_t r4, uint64_t r5)
{
	(void)r1; (void)r3; (void)r4; (void)r5;
	return ld_abs(call, (int32_t)r2, 4);
}

/* ---- for helpers of other folders (helpers.h) --------------------------------- */

/*
 * bxh_hook_mem - see helpers.h: the packet buffer of a packet run.
 */
bool bxh_hook_mem(const struct bpfbox_call *call, const void **buf, uint64_t *len)
{
	const struct bxh_pkt *p = call->hook;

	if (!p || p->magic != BXH_PKT_MAGIC)
		return false;
	*buf = p->buf;
	*len = p->buf_len;
	return true;
}

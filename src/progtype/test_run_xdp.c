/*
 * test_run_xdp.c - XDP test runs, as the kernel's bpf_prog_test_run_xdp()
 * (Linux 6.18): a 4096-byte frame with XDP_PACKET_HEADROOM (256) bytes of
 * headroom and the skb_shared_info tailroom (320) at its end; an optional
 * struct xdp_md ctx_in for metadata, the linear size, ingress_ifindex and
 * rx_queue_index; packets longer than the linear part go to 4096-byte
 * fragments; the output packet (metadata, linear part, fragments) after
 * the program's adjust_head / adjust_tail / adjust_meta calls.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfbox/object.h"
#include "progtype/ctx_int.h"
#include "progtype/ctx_layout.h"
#include "vm/vm_internal.h"

#define PAGE_SIZE            4096u
#define XDP_PACKET_HEADROOM  256u
#define XDP_TAILROOM         320u   /* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
#define XDP_FRAME_SIZE       40u    /* sizeof(struct xdp_frame) */
#define ETH_HLEN             14u
#define F_LIVE_FRAMES        2u     /* BPF_F_TEST_XDP_LIVE_FRAMES */

static int refuse(const struct bpfbox_prog *prog, const char *why)
{
	bx_err(&prog->vm->log, "%s: xdp test run refused: %s", prog->name, why);
	return -EINVAL;
}

/*
 * bxh_test_run_xdp - see the file comment. Refusals are the kernel's:
 * devmap/cpumap programs, unknown flags, a ctx_in with data_meta set,
 * data_end beyond the packet, data beyond data_end, metadata not a
 * multiple of 4 or too large for the headroom, egress_ifindex set,
 * rx_queue_index without ingress_ifindex, and packets (without their
 * metadata) shorter than an Ethernet header.
 */
int bxh_test_run_xdp(struct bpfbox_prog *prog, bxh_tr_opts *o)
{
	uint32_t headroom = XDP_PACKET_HEADROOM, meta_sz = 0, linear = o->data_size_in;
	uint32_t max_linear, size;
	struct bxh_pkt pkt;
	struct bxh_xdp x;
	uint32_t *md = NULL;
	uint8_t *buf = NULL;
	int err;

	if (prog->expected_attach_type == BPFBOX_XDP_DEVMAP ||
	    prog->expected_attach_type == BPFBOX_XDP_CPUMAP)
		return refuse(prog, "devmap and cpumap programs cannot be test-run");
	if (o->flags & ~F_LIVE_FRAMES)
		return refuse(prog, "unknown flags");
	if (o->flags & F_LIVE_FRAMES) {
		bx_err(&prog->vm->log, "%s: xdp test run: BPF_F_TEST_XDP_LIVE_FRAMES is not supported",
		       prog->name);
		return -EOPNOTSUPP;
	}
	err = bxh_ctx_init(prog, o, BXH_XDP_MD_SIZE, (void **)&md);
	if (err)
		return err;
	err = -EINVAL;
	if (md) {
		if (md[BXH_XDP_MD_DATA_META / 4] || md[BXH_XDP_MD_DATA_END / 4] > o->data_size_in ||
		    md[BXH_XDP_MD_DATA / 4] > md[BXH_XDP_MD_DATA_END / 4]) {
			refuse(prog, "xdp_md: data_meta must be 0, data <= data_end <= data_size_in");
			goto out;
		}
		meta_sz = md[BXH_XDP_MD_DATA / 4];
		if ((meta_sz & 3) || meta_sz > 255 || meta_sz > headroom - XDP_FRAME_SIZE) {
			refuse(prog, "xdp_md: invalid metadata length (data)");
			goto out;
		}
		headroom -= meta_sz;
		linear = md[BXH_XDP_MD_DATA_END / 4];
	}
	max_linear = PAGE_SIZE - headroom - XDP_TAILROOM;
	if (linear > max_linear)
		linear = max_linear;
	if (o->data_size_in - meta_sz < ETH_HLEN) {
		refuse(prog, "the packet is shorter than an Ethernet header (14 bytes)");
		goto out;
	}
	err = -ENOMEM;
	buf = calloc(1, PAGE_SIZE);
	if (!buf)
		goto out;
	memcpy(buf + headroom, o->data_in, linear);

	memset(&pkt, 0, sizeof(pkt));
	memset(&x, 0, sizeof(x));
	x.data_hard_start = (uint64_t)(uintptr_t)buf;
	x.data_meta = x.data_hard_start + headroom;
	x.data = x.data_meta;
	x.data_end = x.data + linear;
	/* the loopback device's rx queue 0 unless ctx_in names another */
	x.md[BXH_XDP_MD_INGRESS_IFINDEX / 4] = 1;
	if (md) {	/* xdp_convert_md_to_buff */
		uint32_t ifindex = md[BXH_XDP_MD_INGRESS_IFINDEX / 4];
		uint32_t rxq = md[BXH_XDP_MD_RX_QUEUE_INDEX / 4];

		err = -EINVAL;
		if (md[BXH_XDP_MD_EGRESS_IFINDEX / 4]) {
			refuse(prog, "xdp_md: egress_ifindex must be 0");
			goto out;
		}
		if (!ifindex && rxq) {
			refuse(prog, "xdp_md: rx_queue_index needs ingress_ifindex");
			goto out;
		}
		if (ifindex == 1 && rxq) {
			refuse(prog, "xdp_md: the loopback device has one rx queue");
			goto out;
		}
		if (ifindex) {
			x.md[BXH_XDP_MD_INGRESS_IFINDEX / 4] = ifindex;
			x.md[BXH_XDP_MD_RX_QUEUE_INDEX / 4] = rxq;
		}
		x.data = x.data_meta + md[BXH_XDP_MD_DATA / 4];
	}
	pkt.magic = BXH_PKT_MAGIC;
	pkt.kind = BXH_KIND_XDP;
	pkt.prog_type = prog->prog_type;
	pkt.ctx = &x;
	pkt.buf = buf;
	pkt.buf_len = PAGE_SIZE;
	pkt.hard_end = x.data_hard_start + PAGE_SIZE - XDP_TAILROOM;
	/* the rest of the packet in fragments */
	size = linear;
	while (size < o->data_size_in) {
		uint32_t n = o->data_size_in - size < PAGE_SIZE ? o->data_size_in - size : PAGE_SIZE;
		uint8_t *f;

		if (pkt.nr_frags == BXH_MAX_FRAGS) {
			err = -ENOMEM;
			bx_err(&prog->vm->log, "%s: xdp test run: the packet needs more than %d fragments",
			       prog->name, BXH_MAX_FRAGS);
			goto out;
		}
		f = calloc(1, BXH_FRAG_SIZE);
		if (!f) {
			err = -ENOMEM;
			goto out;
		}
		memcpy(f, (const uint8_t *)o->data_in + size, n);
		pkt.frags[pkt.nr_frags] = f;
		pkt.frag_len[pkt.nr_frags++] = n;
		pkt.frags_size += n;
		size += n;
	}

	err = bxh_run_repeat(prog, o, &x, sizeof(x), &pkt, buf, PAGE_SIZE, UINT32_MAX);
	if (md) {	/* xdp_convert_buff_to_md */
		md[BXH_XDP_MD_DATA / 4] = (uint32_t)(x.data - x.data_meta);
		md[BXH_XDP_MD_DATA_END / 4] = (uint32_t)(x.data_end - x.data_meta);
	}
	if (err)
		goto out;
	if (x.data_hard_start != (uint64_t)(uintptr_t)buf ||
	    x.data_meta < x.data_hard_start + XDP_FRAME_SIZE || x.data_meta > x.data ||
	    x.data > x.data_end || x.data_end > pkt.hard_end) {
		bx_err(&prog->vm->log, "%s: xdp test run: the program corrupted its context",
		       prog->name);
		err = -EFAULT;
		goto out;
	}
	size = (uint32_t)(x.data_end - x.data_meta) + pkt.frags_size;
	err = bxh_test_finish(o, (const void *)(uintptr_t)x.data_meta,
			      (uint32_t)(x.data_end - x.data_meta), &pkt, size);
	if (!err)
		err = bxh_ctx_finish(o, md, BXH_XDP_MD_SIZE);
out:
	if (buf)
		for (uint32_t i = 0; i < BXH_MAX_FRAGS; i++)
			free(pkt.frags[i]);
	free(buf);
	free(md);
	return err;
}

/*
 * test_run_skb.c - socket filter and tc (sched_cls, sched_act) test runs,
 * as the kernel's bpf_prog_test_run_skb() (Linux 6.18) on the loopback
 * device: the packet goes into a 4096-byte buffer after NET_SKB_PAD (64)
 * bytes of headroom; eth_type_trans() sets pkt_type from the destination
 * MAC, protocol from the ethertype (802.3 / 802.2 below 0x600) and pulls
 * the Ethernet header; tc programs (is_l2) see it pushed back, socket
 * filters see data at the network header. An optional __sk_buff ctx_in
 * sets mark, priority, ingress_ifindex, ifindex, cb, tstamp, wire_len,
 * gso_segs, gso_size, hwtstamp; every other field must be zero. The
 * output packet includes the Ethernet header, zeroed for socket filters
 * (the kernel pushes 14 zero bytes back). IPv4 and IPv6 packets shorter
 * than their fixed header are refused (-EINVAL), as Linux 6.18 does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfbox/object.h"
#include "progtype/ctx_int.h"
#include "progtype/ctx_layout.h"
#include "vm/vm_internal.h"

#define PAGE_SIZE       4096u
#define SKB_HEADROOM    64u     /* NET_SKB_PAD + NET_IP_ALIGN (x86-64) */
#define SKB_TAILROOM    320u    /* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
#define ETH_HLEN        14u
#define F_CSUM_COMPLETE 4u      /* BPF_F_TEST_SKB_CHECKSUM_COMPLETE */
#define GSO_LEGACY_MAX_SIZE 65536u
#define GSO_MAX_SEGS    65535u

enum { PACKET_HOST = 0, PACKET_BROADCAST = 1, PACKET_MULTICAST = 2, PACKET_OTHERHOST = 3 };

static int refuse(const struct bpfbox_prog *prog, const char *why)
{
	bx_err(&prog->vm->log, "%s: skb test run refused: %s", prog->name, why);
	return -EINVAL;
}

/* Is md[from, to) all zero? */
static bool zero(const uint8_t *md, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (md[i])
			return false;
	return true;
}

/*
 * ctx_to_skb - convert___skb_to_skb: only the fields the kernel takes may
 * be non-zero; fill the mirror from them.
 */
static int ctx_to_skb(const struct bpfbox_prog *prog, const uint8_t *c, struct bxh_skb *s)
{
	uint32_t len = bxh_md32(s->md, BXH_SKB_LEN), wire, segs;

	if (!zero(c, 0, BXH_SKB_MARK) || !zero(c, BXH_SKB_MARK + 4, BXH_SKB_PRIORITY) ||
	    !zero(c, BXH_SKB_IFINDEX + 4, BXH_SKB_CB) || !zero(c, BXH_SKB_CB_END, BXH_SKB_TSTAMP) ||
	    !zero(c, BXH_SKB_GSO_SEGS + 4, BXH_SKB_GSO_SIZE) ||
	    !zero(c, BXH_SKB_GSO_SIZE + 4, BXH_SKB_HWTSTAMP))
		return refuse(prog, "__sk_buff: only mark, priority, ingress_ifindex, ifindex, cb, tstamp, wire_len, gso_segs, gso_size and hwtstamp may be set");
	memcpy(s->md + BXH_SKB_MARK, c + BXH_SKB_MARK, 4);
	memcpy(s->md + BXH_SKB_PRIORITY, c + BXH_SKB_PRIORITY, 4);
	memcpy(s->md + BXH_SKB_INGRESS_IFINDEX, c + BXH_SKB_INGRESS_IFINDEX, 4);
	memcpy(s->md + BXH_SKB_TSTAMP, c + BXH_SKB_TSTAMP, 8);
	memcpy(s->md + BXH_SKB_CB, c + BXH_SKB_CB, BXH_SKB_CB_END - BXH_SKB_CB);
	wire = bxh_md32(c, BXH_SKB_WIRE_LEN);
	if (wire == 0) {
		wire = len;
	} else if (wire < len || wire > GSO_LEGACY_MAX_SIZE) {
		return refuse(prog, "__sk_buff: wire_len is smaller than the packet or too large");
	}
	bxh_md32_set(s->md, BXH_SKB_WIRE_LEN, wire);
	segs = bxh_md32(c, BXH_SKB_GSO_SEGS);
	if (segs > GSO_MAX_SEGS)
		return refuse(prog, "__sk_buff: gso_segs is too large");
	bxh_md32_set(s->md, BXH_SKB_GSO_SEGS, segs);
	bxh_md32_set(s->md, BXH_SKB_GSO_SIZE, bxh_md32(c, BXH_SKB_GSO_SIZE) & 0xffff);
	memcpy(s->md + BXH_SKB_HWTSTAMP, c + BXH_SKB_HWTSTAMP, 8);
	return 0;
}

/* convert_skb_to___skb: the fields the kernel copies back */
static void skb_to_ctx(const struct bxh_skb *s, uint8_t *c)
{
	static const struct { uint16_t off, len; } f[] = {
		{ BXH_SKB_MARK, 4 }, { BXH_SKB_PRIORITY, 4 }, { BXH_SKB_INGRESS_IFINDEX, 4 },
		{ BXH_SKB_IFINDEX, 4 }, { BXH_SKB_TSTAMP, 8 },
		{ BXH_SKB_CB, BXH_SKB_CB_END - BXH_SKB_CB }, { BXH_SKB_WIRE_LEN, 4 },
		{ BXH_SKB_GSO_SEGS, 4 }, { BXH_SKB_HWTSTAMP, 8 },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		memcpy(c + f[i].off, s->md + f[i].off, f[i].len);
}

/*
 * bxh_eth_type_trans - see ctx_int.h.
 */
void bxh_eth_type_trans(const uint8_t *p, uint32_t len, uint32_t *pkt_type, uint32_t *proto)
{
	static const uint8_t zero_mac[6];
	uint16_t h = (uint16_t)(p[12] << 8 | p[13]);

	*pkt_type = PACKET_HOST;
	if (memcmp(p, zero_mac, 6)) {
		/* dev->broadcast is zero on loopback: ff:ff:.. is only multicast */
		*pkt_type = (p[0] & 1) ? PACKET_MULTICAST : PACKET_OTHERHOST;
	}
	if (h >= 0x0600) {
		*proto = (uint32_t)(p[12] | p[13] << 8);
		return;
	}
	if (len >= ETH_HLEN + 2 && p[14] == 0xff && p[15] == 0xff)
		*proto = 0x0100;	/* htons(ETH_P_802_3): raw IPX */
	else
		*proto = 0x0400;	/* htons(ETH_P_802_2) */
}

/*
 * bxh_test_run_skb - see the file comment.
 */
int bxh_test_run_skb(struct bpfbox_prog *prog, bxh_tr_opts *o)
{
	bool is_l2 = prog->prog_type != BPFBOX_PROG_TYPE_SOCKET_FILTER;
	uint32_t size = o->data_size_in, pkt_type, proto, len, ifindex = 1;
	struct bxh_pkt pkt;
	struct bxh_skb s;
	uint8_t *ctx = NULL, *buf = NULL, *data;
	int err;

	if ((o->flags & ~F_CSUM_COMPLETE) || o->cpu)
		return refuse(prog, "unknown flags, or a cpu (only raw tracepoints take one)");
	if (size < ETH_HLEN)
		return refuse(prog, "the packet is shorter than an Ethernet header (14 bytes)");
	if (size > PAGE_SIZE - SKB_HEADROOM - SKB_TAILROOM)
		return refuse(prog, "the packet is larger than a page minus head- and tailroom (3712 bytes)");
	err = bxh_ctx_init(prog, o, BXH_SKB_SIZE, (void **)&ctx);
	if (err)
		return err;
	err = -ENOMEM;
	buf = calloc(1, PAGE_SIZE);
	if (!buf)
		goto out;
	data = buf + SKB_HEADROOM;
	memcpy(data, o->data_in, size);
	/* dev_get_by_index(): bpfbox has no devices; any ifindex > 1 is taken as given */
	if (ctx && bxh_md32(ctx, BXH_SKB_IFINDEX) > 1)
		ifindex = bxh_md32(ctx, BXH_SKB_IFINDEX);

	memset(&s, 0, sizeof(s));
	memset(&pkt, 0, sizeof(pkt));
	bxh_eth_type_trans(data, size, &pkt_type, &proto);
	pkt.mac_header = (uint64_t)(uintptr_t)data;
	data += ETH_HLEN;		/* eth_type_trans pulls the Ethernet header */
	len = size - ETH_HLEN;
	pkt.network_header = (uint64_t)(uintptr_t)data;
	/* 6.18 refuses IPv4 / IPv6 packets too short for their header (it
	 * fills the dummy socket's addresses from it) */
	if ((proto == 0x0008 && len < 20) || (proto == 0xdd86 && len < 40)) {
		err = refuse(prog, "the IPv4 / IPv6 header is truncated");
		goto out;
	}
	if (is_l2) {
		data -= ETH_HLEN;
		len += ETH_HLEN;
	}
	bxh_md32_set(s.md, BXH_SKB_LEN, len);
	bxh_md32_set(s.md, BXH_SKB_PKT_TYPE, pkt_type);
	bxh_md32_set(s.md, BXH_SKB_PROTOCOL, proto);
	bxh_md32_set(s.md, BXH_SKB_IFINDEX, ifindex);
	bxh_md32_set(s.md, BXH_SKB_WIRE_LEN, len);
	if (ctx) {
		err = ctx_to_skb(prog, ctx, &s);
		if (err)
			goto out;
	}
	s.data = (uint64_t)(uintptr_t)data;
	s.data_end = s.data + len;
	s.data_meta = s.data;
	pkt.magic = BXH_PKT_MAGIC;
	pkt.kind = BXH_KIND_SKB;
	pkt.prog_type = prog->prog_type;
	pkt.ctx = &s;
	pkt.buf = buf;
	pkt.buf_len = PAGE_SIZE;

	err = bxh_run_repeat(prog, o, &s, sizeof(s), &pkt, buf, PAGE_SIZE, UINT32_MAX);
	if (err)
		goto out;
	/* no helper moves data or changes len: the packet is where it was
	 * (whatever a checked-mode program wrote over its context) */
	if (!is_l2) {	/* the kernel pushes a zeroed Ethernet header back */
		data -= ETH_HLEN;
		memset(data, 0, ETH_HLEN);
		len += ETH_HLEN;
	}
	if (ctx)
		skb_to_ctx(&s, ctx);
	err = bxh_test_finish(o, data, len, NULL, len);
	if (!err)
		err = bxh_ctx_finish(o, ctx, BXH_SKB_SIZE);
out:
	free(buf);
	free(ctx);
	return err;
}

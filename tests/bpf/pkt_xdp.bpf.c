// SPDX-License-Identifier: GPL-2.0
/*
 * pkt_xdp.bpf.c - XDP programs for tests/test_testrun.c and the
 * differential test against the kernel (tests/test_testrun_kernel.c):
 * context fields, parsing, packet writes, and the adjust helpers.
 * Every program is stateless (no maps), so kernel and bpfbox results can
 * be compared packet by packet.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

/* the packet length and the rx queue fields */
SEC("xdp")
int xdp_len(struct xdp_md *ctx)
{
	return (ctx->data_end - ctx->data) + ctx->ingress_ifindex * 100000 +
	       ctx->rx_queue_index * 10000 + (ctx->data - ctx->data_meta) * 1000000;
}

/* classify: ethertype (behind up to two VLAN tags), L4 protocol, ports */
SEC("xdp")
int xdp_classify(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *p = eth + 1;
	__u16 proto;
	__u8 l4 = 0;

	if (p > data_end)
		return 1000;
	proto = eth->h_proto;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		struct vlan_hdr *vh = p;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > data_end)
			return 1001;
		proto = vh->proto;
		p = vh + 1;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = p;

		if ((void *)(ip + 1) > data_end)
			return 1002;
		if (ip->ihl < 5)
			return 1003;
		l4 = ip->protocol;
		p = (void *)ip + ip->ihl * 4;
		if (ip->frag_off & bpf_htons(0x1fff))
			return 2000 + l4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = p;

		if ((void *)(ip6 + 1) > data_end)
			return 1004;
		l4 = ip6->nexthdr;
		p = ip6 + 1;
	} else {
		return 3000 + (bpf_ntohs(proto) & 0xff);
	}
	if (l4 == IPPROTO_TCP) {
		struct tcphdr *th = p;

		if ((void *)(th + 1) > data_end)
			return 1005;
		return 4000 + (bpf_ntohs(th->dest) & 0xff) + (th->syn ? 500 : 0);
	}
	if (l4 == IPPROTO_UDP) {
		struct udphdr *uh = p;

		if ((void *)(uh + 1) > data_end)
			return 1006;
		return 5000 + (bpf_ntohs(uh->dest) & 0xff);
	}
	return 6000 + l4;
}

/* swap source and destination MAC, decrement the IPv4 TTL: XDP_TX */
SEC("xdp")
int xdp_rewrite(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	unsigned char tmp[ETH_ALEN];

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end)
			return XDP_PASS;
		if (ip->ttl <= 1)
			return XDP_DROP;
		ip->ttl--;
	}
	return XDP_TX;
}

/* push a 4-byte tag in front (adjust_head), trim to 64 bytes (adjust_tail),
 * put 8 bytes of metadata (adjust_meta) */
SEC("xdp")
int xdp_adjust(struct xdp_md *ctx)
{
	void *data, *data_end;
	long len = (long)ctx->data_end - (long)ctx->data;
	int r1, r2, r3 = 0;
	__u32 *tag, *meta;

	r1 = bpf_xdp_adjust_tail(ctx, len > 64 ? 64 - len : 0);
	r2 = bpf_xdp_adjust_head(ctx, -4);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	tag = data;
	if ((void *)(tag + 1) > data_end)
		return 7;
	*tag = 0xdeadbeef;
	r3 = bpf_xdp_adjust_meta(ctx, -8);
	data = (void *)(long)ctx->data;
	meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 2) <= data) {
		meta[0] = 0x11223344;
		meta[1] = (__u32)len;
	}
	return (r1 & 0xff) | (r2 & 0xff) << 8 | (r3 & 0xff) << 16;
}

/* adjust helpers at their limits: the return codes only */
SEC("xdp")
int xdp_limits(struct xdp_md *ctx)
{
	int a = bpf_xdp_adjust_head(ctx, -400);         /* beyond the headroom */
	int b = bpf_xdp_adjust_tail(ctx, 4000);         /* beyond the frame */
	int c = bpf_xdp_adjust_meta(ctx, -3);           /* not a multiple of 4 */
	int d = bpf_xdp_adjust_meta(ctx, -256);         /* into the xdp_frame */
	int e = bpf_xdp_adjust_head(ctx, 4096);         /* past the end */
	long len = (long)ctx->data_end - (long)ctx->data;
	int f = bpf_xdp_adjust_tail(ctx, 14 - len - 1);  /* below an Ethernet header */
	int g = bpf_xdp_adjust_tail(ctx, 20);           /* grows: zeroed */

	return (a == -22) | (b == -22) << 1 | (c == -13) << 2 | (d == -22) << 3 |
	       (e == -22) << 4 | (f == -22) << 5 | (g == 0) << 6;
}

/* move the start of the packet by the first byte's low 5 bits (head)
 * and the tail by the second byte, signed */
SEC("xdp")
int xdp_move(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *b = data;
	int h, t, r1, r2;

	if ((void *)(b + 2) > data_end)
		return 9;
	h = (b[0] & 31) - 16;
	t = (__s8)b[1];
	r1 = bpf_xdp_adjust_head(ctx, h);
	r2 = bpf_xdp_adjust_tail(ctx, t);
	return (r1 == 0) | (r2 == 0) << 1;
}

/* XDP_REDIRECT to an ifindex taken from the packet */
SEC("xdp")
int xdp_redirect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *b = data;

	if ((void *)(b + 1) > data_end)
		return XDP_ABORTED;
	return bpf_redirect(b[0], b[0] & 0x80 ? 1 : 0);
}

char LICENSE[] SEC("license") = "GPL";

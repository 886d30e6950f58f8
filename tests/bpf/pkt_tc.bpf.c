// SPDX-License-Identifier: GPL-2.0
/*
 * pkt_tc.bpf.c - tc (sched_cls) programs for tests/test_testrun.c and the
 * differential test: direct packet access at the Ethernet header, field
 * writes, bpf_skb_load_bytes and bpf_redirect.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* decrement the IPv4 TTL in place; mark and priority from the packet */
/* tc_pull: bpf_skb_pull_data of 64 bytes (-ENOMEM on a shorter packet),
 * then a direct read of the 64th byte through fresh packet pointers */
SEC("tc")
int tc_pull(struct __sk_buff *skb)
{
	long r = bpf_skb_pull_data(skb, 64);
	unsigned char *d = (unsigned char *)(long)skb->data;
	unsigned char *e = (unsigned char *)(long)skb->data_end;

	if (r < 0)
		return r == -12 ? 2 : 1;
	if (d + 64 > e)
		return 3;
	return 4 + d[63];
}

SEC("tc")
int tc_ttl(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	skb->mark = skb->len;
	skb->priority = skb->pkt_type;
	skb->tc_index = 7;
	skb->cb[2] = skb->protocol;
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_UNSPEC;
	if (ip->ttl <= 1)
		return TC_ACT_SHOT;
	ip->ttl--;
	return TC_ACT_OK + (skb->tc_index << 4) + (skb->mark << 8);
}

/* redirect to an ifindex from the packet (TC_ACT_REDIRECT), flags from
 * the next byte (anything but BPF_F_INGRESS: TC_ACT_SHOT) */
SEC("tc")
int tc_redirect(struct __sk_buff *skb)
{
	__u8 b[2];

	if (bpf_skb_load_bytes(skb, 0, b, 2))
		return 99;
	return bpf_redirect(b[0], b[1] & 3);
}

/* narrow loads of __sk_buff fields */
SEC("tc")
int tc_narrow(struct __sk_buff *skb)
{
	__u8 *p = (__u8 *)&skb->protocol;
	__u16 *h = (__u16 *)&skb->protocol;
	__u8 *l = (__u8 *)&skb->len;

	return p[0] | p[1] << 8 | h[1] << 16 | (l[0] ^ l[1]) << 24;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/*
 * pkt_sock.bpf.c - socket filter programs for tests/test_testrun.c and
 * the differential test against the kernel: the legacy packet loads
 * (LD_ABS / LD_IND), bpf_skb_load_bytes, and the __sk_buff fields a
 * socket filter may read.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

/* LD_ABS: IPv4 header fields (the data starts at the network header) */
SEC("socket")
int sock_ldabs(struct __sk_buff *skb)
{
	__u32 ver, proto, dport;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 1;
	ver = load_byte(skb, 0) >> 4;
	if (ver != 4)
		return 2;
	proto = load_byte(skb, 9);
	dport = load_half(skb, 22);
	return (proto << 16 | dport) + (load_word(skb, 12) & 0xff);
}

/* LD_IND: the L4 header after a variable-length IPv4 header */
SEC("socket")
int sock_ldind(struct __sk_buff *skb)
{
	__u32 ihl = (load_byte(skb, 0) & 0xf) * 4;
	__u32 v = 0;

	if (ihl < 20)
		return 0;
	v = load_half(skb, ihl) * 3 + load_half(skb, ihl + 2);
	return v + load_word(skb, ihl + 4);	/* out of range: the filter returns 0 */
}

/* the fields a socket filter sees */
SEC("socket")
int sock_fields(struct __sk_buff *skb)
{
	skb->cb[0] = skb->len;
	skb->cb[4] = skb->cb[0] + 1;
	return skb->len ^ skb->pkt_type << 8 ^ skb->protocol << 12 ^ skb->ifindex << 28 ^
	       skb->ingress_ifindex ^ skb->vlan_present << 20 ^ skb->mark ^ skb->priority ^
	       skb->queue_mapping ^ skb->hash ^ skb->cb[4] << 1 ^ skb->napi_id;
}

/* bpf_skb_load_bytes: sum of the first 32 bytes (or -EFAULT's code) */
SEC("socket")
int sock_load_bytes(struct __sk_buff *skb)
{
	__u8 buf[32];
	__u32 sum = 0;
	int err = bpf_skb_load_bytes(skb, 0, buf, sizeof(buf));

	if (err)
		return 100000 - err;
#pragma unroll
	for (int i = 0; i < 32; i++)
		sum += buf[i] * (i + 1);
	return sum;
}

/* accept the first N bytes, N from the packet */
SEC("socket")
int sock_trunc(struct __sk_buff *skb)
{
	if (skb->len < 1)
		return 0;
	return load_byte(skb, 0);
}

char LICENSE[] SEC("license") = "GPL";

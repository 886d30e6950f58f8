// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_drop_tcp.bpf.c - an XDP filter that drops TCP over IPv4 and IPv6
 * (behind up to two VLAN tags) and passes everything else, counting its
 * verdicts in a per-CPU array (index 0 = passed, 1 = dropped).
 *
 * Shows: SEC("xdp"), parsing Ethernet / 802.1Q / 802.1ad / IPv4 / IPv6 with
 * a bounds check before every read, BPF_MAP_TYPE_PERCPU_ARRAY.
 * (IPv6 extension headers are not walked: a TCP segment behind one passes.)
 *
 * Run it with bpfbox on an IPv4 TCP packet:
 *   build/bpfbox run build/examples/xdp_drop_tcp.o --data tcp.bin --json --dump-maps
 * gives {"retval": 1, ...} (XDP_DROP) and "stats" with index 1 counted on
 * the CPU of the run (--cpu N).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define STAT_PASS 0
#define STAT_DROP 1

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

/* Count the verdict and return it. */
static __always_inline int verdict(int action)
{
	__u32 key = action == XDP_DROP ? STAT_DROP : STAT_PASS;
	__u64 *cnt = bpf_map_lookup_elem(&stats, &key);

	if (cnt)
		*cnt += 1;
	return action;
}

SEC("xdp")
int xdp_drop_tcp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *p = eth + 1;
	__u16 proto;

	if (p > data_end)
		return verdict(XDP_PASS);
	proto = eth->h_proto;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		struct vlan_hdr *vh = p;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > data_end)
			return verdict(XDP_PASS);
		proto = vh->proto;
		p = vh + 1;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = p;

		if ((void *)(ip + 1) > data_end)
			return verdict(XDP_PASS);
		if (ip->protocol == IPPROTO_TCP)
			return verdict(XDP_DROP);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = p;

		if ((void *)(ip6 + 1) > data_end)
			return verdict(XDP_PASS);
		if (ip6->nexthdr == IPPROTO_TCP)
			return verdict(XDP_DROP);
	}
	return verdict(XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";

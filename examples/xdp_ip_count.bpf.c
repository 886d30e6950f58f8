// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_ip_count.bpf.c - count packets and bytes per IPv4 source address in
 * a hash map, and let every packet through (XDP_PASS). IPv4 behind up to
 * two VLAN tags (802.1Q / 802.1ad) counts too; the bytes are the whole
 * frame (data_end - data).
 *
 * Shows: SEC("xdp"), BPF_MAP_TYPE_HASH keyed by the source address with a
 * struct value, lookup-then-insert (BPF_NOEXIST) and atomic adds, so that
 * two CPUs racing on a new address both get counted.
 *
 * Run it on a capture with bpfbox:
 *   build/bpfbox xdp build/examples/xdp_ip_count.o --pcap examples/pcap/mixed-1k.pcap
 * prints the verdict counts and the map: one entry per source address,
 * e.g. key 16777226 (10.0.0.1, in network byte order) value
 * {"packets": 3, "bytes": 282}.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct ip_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);		/* IPv4 source address, network byte order */
	__type(value, struct ip_stats);
} ip_stats SEC(".maps");

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

SEC("xdp")
int xdp_ip_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *p = eth + 1;
	struct iphdr *ip;
	struct ip_stats *st, init;
	__u64 bytes = data_end - data;
	__u32 saddr;
	__u16 proto;

	if (p > data_end)
		return XDP_PASS;
	proto = eth->h_proto;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		struct vlan_hdr *vh = p;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > data_end)
			return XDP_PASS;
		proto = vh->proto;
		p = vh + 1;
	}
	if (proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = p;
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	saddr = ip->saddr;
	st = bpf_map_lookup_elem(&ip_stats, &saddr);
	if (!st) {
		init.packets = 0;
		init.bytes = 0;
		/* another CPU may insert it first: then ours fails, look it up again */
		bpf_map_update_elem(&ip_stats, &saddr, &init, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&ip_stats, &saddr);
		if (!st)
			return XDP_PASS;	/* the map is full */
	}
	__sync_fetch_and_add(&st->packets, 1);
	__sync_fetch_and_add(&st->bytes, bytes);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

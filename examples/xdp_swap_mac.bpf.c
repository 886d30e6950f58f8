// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_swap_mac.bpf.c - an XDP bouncer: swap the Ethernet source and
 * destination MAC addresses of every frame and send it back out of the
 * interface it came in on (XDP_TX). Frames shorter than an Ethernet
 * header are dropped (XDP_DROP); so are frames from a multicast or
 * broadcast source, which no real host sends (bouncing them would put a
 * group address in the destination). Counts bounced frames in an array.
 *
 * Shows: SEC("xdp"), writing to the packet after a bounds check,
 * XDP_TX, BPF_MAP_TYPE_ARRAY with an atomic add.
 *
 * Run it on a capture with bpfbox:
 *   build/bpfbox xdp build/examples/xdp_swap_mac.o --pcap examples/pcap/mixed-1k.pcap \
 *       --tx-out bounced.pcap
 * writes the bounced frames, addresses swapped, to bounced.pcap.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bounced SEC(".maps");

SEC("xdp")
int xdp_swap_mac(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	unsigned char tmp[ETH_ALEN];
	__u32 key = 0;
	__u64 *cnt;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_source[0] & 1)	/* group source address */
		return XDP_DROP;
	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
	cnt = bpf_map_lookup_elem(&bounced, &key);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_ipv4_trace.bpf.c - an XDP packet tracer: for every IPv4 packet print
 * its source and destination address and protocol to the trace log, then
 * let it through (XDP_PASS).
 *
 * Shows: SEC("xdp"), bounds-checked parsing against data_end, bpf_printk()
 * with the kernel's %pI4 format (it takes a pointer to the address).
 *
 * Run it with bpfbox on a TCP packet 10.0.0.1 -> 10.0.0.2:
 *   build/bpfbox run build/examples/xdp_ipv4_trace.o --data pkt.bin
 * prints `retval = 2 (XDP_PASS)` and the packet, and on stderr
 *   ... bpf_trace_printk: src 10.0.0.1 dst 10.0.0.2 proto 6
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int xdp_ipv4_trace(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	bpf_printk("src %pI4 dst %pI4 proto %d", &ip->saddr, &ip->daddr, ip->protocol);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

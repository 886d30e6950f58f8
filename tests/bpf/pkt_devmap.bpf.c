// SPDX-License-Identifier: GPL-2.0
/*
 * pkt_devmap.bpf.c - XDP_REDIRECT through a devmap, for the packet hooks
 * (tests/test_pkt_live.sh: `bpfbox xdp --devmap tx_ports:0=IF` sends every
 * frame out of IF; without an entry the frame passes).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} tx_ports SEC(".maps");

SEC("xdp")
int xdp_devmap(struct xdp_md *ctx)
{
	return bpf_redirect_map(&tx_ports, 0, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* legacy.bpf.c - the pre-BTF `maps` section (struct bpf_map_def), a
 * `version` section, sections with several programs, and many SEC kinds. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") lmap_hash = {
	.type = BPF_MAP_TYPE_HASH, .key_size = 4, .value_size = 8, .max_entries = 64,
};
struct bpf_map_def SEC("maps") lmap_arr = {
	.type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 2,
	.map_flags = 0,
};

char _license[] SEC("license") = "Dual BSD/GPL";
__u32 _version SEC("version") = 0x050a00;

SEC("socket")
int sock_prog(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&lmap_hash, &k);
	__u32 *w = bpf_map_lookup_elem(&lmap_arr, &k);
	return (v ? 1 : 0) + (w ? 2 : 0);
}

SEC("kprobe/sys_open") int kp(void *ctx) { return 0; }
SEC("kretprobe/sys_open") int krp(void *ctx) { return 0; }
SEC("ksyscall/write") int ksc(void *ctx) { return 0; }
SEC("kretsyscall/write") int kretsc(void *ctx) { return 0; }
SEC("tracepoint/syscalls/sys_enter_open") int tp1(void *ctx) { return 0; }
SEC("tp/sched/sched_switch") int tp2(void *ctx) { return 0; }
SEC("raw_tracepoint/sys_enter") int rtp1(void *ctx) { return 0; }
SEC("raw_tp/sys_exit") int rtp2(void *ctx) { return 0; }
SEC("tp_btf/sched_switch") int tpbtf(void *ctx) { return 0; }
SEC("fentry/do_unlinkat") int fent(void *ctx) { return 0; }
SEC("fexit/do_unlinkat") int fexi(void *ctx) { return 0; }
SEC("uprobe/libc.so.6:malloc") int up(void *ctx) { return 0; }
SEC("uretprobe//bin/bash:readline") int urp(void *ctx) { return 0; }
SEC("perf_event") int pe(void *ctx) { return 0; }
SEC("syscall") int sysc(void *ctx) { return 0; }
SEC("cgroup_skb/ingress") int cgi(struct __sk_buff *skb) { return 1; }
SEC("cgroup_skb/egress") int cge(struct __sk_buff *skb) { return 1; }
SEC("sk_msg") int skm(void *ctx) { return 1; }
SEC("lsm/file_open") int lsm1(void *ctx) { return 0; }
SEC("xdp.frags") int xf(struct xdp_md *ctx) { return XDP_PASS; }
SEC("tcx/ingress") int tcx1(struct __sk_buff *skb) { return 0; }
SEC("classifier") int cls(struct __sk_buff *skb) { return 0; }
SEC("?tc") int off_tc(struct __sk_buff *skb) { return 0; }
SEC("mystery/thing") int unknown_sec(void *ctx) { return 0; }

/* two programs in one section */
SEC("xdp") int xdp_one(struct xdp_md *ctx) { return XDP_PASS; }
SEC("xdp") int xdp_two(struct xdp_md *ctx) { return XDP_DROP; }

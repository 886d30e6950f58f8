/*
 * hooks.h - packet hooks: run a loaded XDP, tc (sched_cls / sched_act) or
 * socket-filter program on a stream of packets, one call per packet.
 *
 * A hook owns everything one run needs, allocated once by
 * bpfbox_pkt_hook__new(): the frame (XDP: 4096 bytes with 256 bytes of
 * headroom and the 320-byte skb_shared_info tailroom, so adjust_head,
 * adjust_tail and adjust_meta work on real room; skb: 64 bytes of
 * headroom), the fragment pages of multi-buffer XDP packets, the context,
 * the run state and the program stack. bpfbox_pkt_hook__run() allocates
 * nothing and, for trusted runs, goes straight to the program's native
 * code (JIT) or the interpreter.
 *
 * Results equal what BPF_PROG_TEST_RUN gives for the same packet (and what
 * bpfbox_prog__test_run() gives without ctx_in): the verdict, the output
 * packet, and the packets it refuses (-EINVAL, see bpfbox_pkt_hook__run).
 *
 * A hook is not thread-safe: use one hook per thread (hooks of one program
 * may run in parallel; the maps are shared as in the kernel).
 */
#ifndef BPFBOX_HOOKS_H
#define BPFBOX_HOOKS_H

#include <stdint.h>

#include "bpfbox/bpfbox.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which way the packet goes (tc programs; XDP and socket filters ignore it). */
enum bpfbox_pkt_dir {
	BPFBOX_PKT_INGRESS = 0,
	BPFBOX_PKT_EGRESS = 1,
};

struct bpfbox_pkt_hook;                 /* opaque */

struct bpfbox_pkt_hook_opts {
	size_t sz;
	/* The device the packets arrive on (XDP ingress_ifindex; skb ifindex,
	 * and ingress_ifindex for tc ingress). 0: as BPF_PROG_TEST_RUN, the
	 * loopback device (1) and, for skb programs, ingress_ifindex 0. */
	uint32_t ifindex;
	uint32_t rx_queue;              /* XDP rx_queue_index */
	enum bpfbox_pkt_dir dir;        /* tc: ingress (default) or egress */
	enum bpfbox_run_mode mode;      /* AUTO: trusted if verified */
	enum bpfbox_engine engine;      /* DEFAULT: the JIT for trusted runs */
	int32_t cpu;                    /* simulated CPU for per-CPU maps; -1 = sched_getcpu() % nr_cpus */
	const struct bpfbox_task *task; /* NULL: the calling thread */
	uint64_t max_insns;             /* checked mode: instruction budget per packet; 0 = 1e9 */
};

/*
 * Make a hook for `prog`, which must be of type XDP (not a devmap/cpumap
 * program), SOCKET_FILTER, SCHED_CLS or SCHED_ACT (else -EINVAL, logged:
 * "program NAME is of type kprobe, not xdp / tc / socket_filter"). For
 * trusted runs with the JIT the program is compiled now. The program must
 * outlive the hook. Returns 0 and *out, or a negative errno.
 */
BPFBOX_API int bpfbox_pkt_hook__new(struct bpfbox_prog *prog,
				    const struct bpfbox_pkt_hook_opts *opts,
				    struct bpfbox_pkt_hook **out);
BPFBOX_API void bpfbox_pkt_hook__free(struct bpfbox_pkt_hook *h);
BPFBOX_API struct bpfbox_prog *bpfbox_pkt_hook__prog(const struct bpfbox_pkt_hook *h);

/* bpf_redirect_map target kinds (redirect_map_type, the kernel's map type). */
#define BPFBOX_REDIRECT_IFINDEX   0u    /* bpf_redirect(ifindex, flags) */
#define BPFBOX_F_BROADCAST        (1ull << 3)
#define BPFBOX_F_EXCLUDE_INGRESS  (1ull << 4)
#define BPFBOX_F_INGRESS          1ull  /* tc bpf_redirect: to the device's ingress */

struct bpfbox_pkt_result {
	/* r0 as the program returned it (64 bits); `action` is r0 truncated
	 * to 32 bits as BPF_PROG_TEST_RUN's retval: XDP_* (0..4), TC_ACT_*
	 * (as a signed int: -1 = TC_ACT_UNSPEC), or for socket filters the
	 * number of bytes to keep. */
	uint64_t retval;
	uint32_t action;
	/* The packet as the program left it: from its first byte (xdp: data;
	 * skb: the Ethernet header, zeroed for socket filters as the kernel's
	 * test run pushes it back) for len bytes, linear part and fragments
	 * together. meta_len bytes of XDP metadata sit right before data
	 * (BPF_PROG_TEST_RUN's data_out is those meta_len + len bytes).
	 * Valid until the next run or free of the hook. */
	const uint8_t *data;
	uint32_t len;
	uint32_t meta_len;
	/* Redirect target (XDP_REDIRECT, TC_ACT_REDIRECT), else all 0:
	 * bpf_redirect: redirect_ifindex / redirect_flags;
	 * bpf_redirect_map: redirect_map (the map), redirect_key,
	 * redirect_map_type, redirect_flags, and for devmaps the ifindex the
	 * key holds now (0 for BPF_F_BROADCAST: every entry of the map, less
	 * the ingress device with BPF_F_EXCLUDE_INGRESS). */
	uint32_t redirect_ifindex;
	uint32_t redirect_map_type;
	uint64_t redirect_flags;
	struct bpfbox_map *redirect_map;
	uint32_t redirect_key;
};

/*
 * Run the program once on the packet [pkt, pkt + len). Returns 0 and
 * fills *res, or a negative errno, logged at DEBUG level only (a packet
 * stream may have many): -EINVAL for the packets BPF_PROG_TEST_RUN
 * refuses (shorter than an Ethernet header (14 bytes); skb: longer than
 * 3712 bytes, or an IPv4 / IPv6 ethertype with a truncated fixed header),
 * -ENOMEM for an XDP packet needing more than 17 fragment pages (longer
 * than 73152 bytes), or the error that stopped the program (checked-mode
 * violation, helper abort: -EFAULT, -E2BIG, ...; logged at ERROR).
 */
BPFBOX_API int bpfbox_pkt_hook__run(struct bpfbox_pkt_hook *h, const void *pkt, uint32_t len,
				    struct bpfbox_pkt_result *res);

/* "XDP_PASS", "TC_ACT_SHOT", ... for XDP / tc actions (NULL if unknown);
 * socket filters: "kept" if action > 0 else "dropped". */
BPFBOX_API const char *bpfbox_pkt_action_name(uint32_t prog_type, uint32_t action);

#ifdef __cplusplus
}
#endif

#endif /* BPFBOX_HOOKS_H */

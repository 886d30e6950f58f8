/*
 * ctx_layout.h - what r1 points to at run time, per program type.
 *
 * bpfbox keeps the kernel's user-visible context layouts (struct xdp_md,
 * struct __sk_buff, pt_regs, raw tracepoint args) as the *program's* view;
 * at load time bxh_prog_convert_ctx() rewrites every context access into
 * one load or store of the internal structs below (see docs/CONTEXTS.md):
 *
 *  - the internal skb and xdp contexts start with a mirror of the uapi
 *    struct: every 32-bit and 64-bit field sits at its uapi offset, so
 *    most accesses keep their offset;
 *  - the packet pointers (uapi: 32-bit data, data_end, data_meta) are real
 *    64-bit pointers after the mirror, and a 32-bit load of them becomes a
 *    64-bit load there (the packet may live anywhere in the address space);
 *  - run-time state helpers need (buffer bounds, redirect target, ...)
 *    lives in struct bxh_pkt, which call->hook points to: the program
 *    cannot reach it.
 *
 * kprobe (x86-64 struct pt_regs), tracepoint, perf_event, syscall, and
 * raw tracepoint / tracing (u64 args[]) contexts are the user's bytes,
 * unconverted.
 *
 * This header depends on libc only (no <linux/bpf.h>); the offsets are the
 * kernel's uapi ones and tests/test_testrun.c checks them against
 * <linux/bpf.h>.
 */
#ifndef BXH_CTX_LAYOUT_H
#define BXH_CTX_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

/* ---- uapi offsets: struct xdp_md (24 bytes) ------------------------------ */

#define BXH_XDP_MD_DATA             0
#define BXH_XDP_MD_DATA_END         4
#define BXH_XDP_MD_DATA_META        8
#define BXH_XDP_MD_INGRESS_IFINDEX  12
#define BXH_XDP_MD_RX_QUEUE_INDEX   16
#define BXH_XDP_MD_EGRESS_IFINDEX   20
#define BXH_XDP_MD_SIZE             24

/* ---- uapi offsets: struct __sk_buff (192 bytes) --------------------------- */

#define BXH_SKB_LEN              0
#define BXH_SKB_PKT_TYPE         4
#define BXH_SKB_MARK             8
#define BXH_SKB_QUEUE_MAPPING    12
#define BXH_SKB_PROTOCOL         16
#define BXH_SKB_VLAN_PRESENT     20
#define BXH_SKB_VLAN_TCI         24
#define BXH_SKB_VLAN_PROTO       28
#define BXH_SKB_PRIORITY         32
#define BXH_SKB_INGRESS_IFINDEX  36
#define BXH_SKB_IFINDEX          40
#define BXH_SKB_TC_INDEX         44
#define BXH_SKB_CB               48   /* u32 cb[5] */
#define BXH_SKB_CB_END           68
#define BXH_SKB_HASH             68
#define BXH_SKB_TC_CLASSID       72
#define BXH_SKB_DATA             76
#define BXH_SKB_DATA_END         80
#define BXH_SKB_NAPI_ID          84
#define BXH_SKB_FAMILY           88
#define BXH_SKB_REMOTE_IP4       92
#define BXH_SKB_LOCAL_IP4        96
#define BXH_SKB_REMOTE_IP6       100  /* u32[4] */
#define BXH_SKB_LOCAL_IP6        116  /* u32[4] */
#define BXH_SKB_REMOTE_PORT      132
#define BXH_SKB_LOCAL_PORT       136
#define BXH_SKB_DATA_META        140
#define BXH_SKB_FLOW_KEYS        144  /* pointer, 8 bytes */
#define BXH_SKB_TSTAMP           152  /* u64 */
#define BXH_SKB_WIRE_LEN         160
#define BXH_SKB_GSO_SEGS         164
#define BXH_SKB_SK               168  /* pointer, 8 bytes */
#define BXH_SKB_GSO_SIZE         176
#define BXH_SKB_TSTAMP_TYPE      180  /* u8, then 3 bytes of padding */
#define BXH_SKB_HWTSTAMP         184  /* u64 */
#define BXH_SKB_SIZE             192

/* ---- other contexts --------------------------------------------------------- */

#define BXH_PT_REGS_SIZE         168  /* x86-64 struct pt_regs: 21 x u64 */
#define BXH_PERF_EVENT_SIZE      184  /* struct bpf_perf_event_data: regs, sample_period, addr */
#define BXH_TRACEPOINT_MAX       2048 /* PERF_MAX_TRACE_SIZE */
#define BXH_RAW_TP_MAX           96   /* MAX_BPF_FUNC_ARGS (12) x u64 */
#define BXH_SYSCALL_MAX          65535 /* U16_MAX */

/* x86-64 struct pt_regs, in the kernel's order (offsets in bytes) */
struct bxh_pt_regs {
	uint64_t r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	uint64_t ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

/* ---- the internal contexts --------------------------------------------------- */

/* What kind of context a struct bxh_pkt describes. */
enum bxh_kind {
	BXH_KIND_XDP = 1,
	BXH_KIND_SKB = 2,
};

/*
 * The XDP context (the kernel's struct xdp_buff role). Bytes 0..23 mirror
 * struct xdp_md; data, data_end and data_meta there are unused (0).
 */
struct bxh_xdp {
	uint32_t md[BXH_XDP_MD_SIZE / 4];  /* ingress_ifindex, rx_queue_index, egress_ifindex */
	uint64_t data;                     /* first byte of the packet */
	uint64_t data_end;                 /* one past the last byte of the linear part */
	uint64_t data_meta;                /* metadata start (== data when there is none) */
	uint64_t data_hard_start;          /* start of the buffer (headroom included) */
};

#define BXH_XDP_DATA        offsetof(struct bxh_xdp, data)
#define BXH_XDP_DATA_END    offsetof(struct bxh_xdp, data_end)
#define BXH_XDP_DATA_META   offsetof(struct bxh_xdp, data_meta)

/*
 * The skb context. Bytes 0..191 mirror struct __sk_buff: every field that
 * the program may read holds its value at its uapi offset (16-bit kernel
 * fields zero-extended to 32 bits); data, data_end, data_meta there are
 * unused (0) and sk reads as NULL.
 */
struct bxh_skb {
	uint8_t md[BXH_SKB_SIZE];
	uint64_t data;                     /* skb->data */
	uint64_t data_end;                 /* data + headlen */
	uint64_t data_meta;                /* data - metadata length (== data) */
};

#define BXH_SKB_IDATA       offsetof(struct bxh_skb, data)
#define BXH_SKB_IDATA_END   offsetof(struct bxh_skb, data_end)
#define BXH_SKB_IDATA_META  offsetof(struct bxh_skb, data_meta)

/* 32-bit field `off` of a mirror (off must be 4-byte aligned). */
static inline uint32_t bxh_md32(const void *md, size_t off)
{
	uint32_t v;
	__builtin_memcpy(&v, (const uint8_t *)md + off, 4);
	return v;
}
static inline void bxh_md32_set(void *md, size_t off, uint32_t v)
{
	__builtin_memcpy((uint8_t *)md + off, &v, 4);
}

#define BXH_MAX_FRAGS   17     /* MAX_SKB_FRAGS */
#define BXH_FRAG_SIZE   4096   /* PAGE_SIZE: the size of one XDP fragment */

/*
 * Run-time state of a packet context (call->hook during the run). The
 * packet buffer is [buf, buf + buf_len); helpers check that the pointers
 * in ctx stay inside it before they use them.
 */
#define BXH_PKT_MAGIC 0x70687862u /* "bxhp" */

struct bxh_pkt {
	uint32_t magic;                    /* BXH_PKT_MAGIC */
	uint32_t kind;                     /* enum bxh_kind */
	uint32_t prog_type;
	void *ctx;                         /* struct bxh_xdp or struct bxh_skb */
	uint8_t *buf;                      /* packet buffer (headroom, data, tailroom) */
	uint32_t buf_len;
	/* xdp: the end of the area data_end may grow into (frame end minus
	 * the skb_shared_info tailroom) */
	uint64_t hard_end;
	/* xdp: fragments beyond the linear part (multi-buffer packets) */
	uint8_t *frags[BXH_MAX_FRAGS];
	uint32_t frag_len[BXH_MAX_FRAGS];
	uint32_t nr_frags;
	uint32_t frags_size;
	/* skb: where the mac and network headers are (for LD_ABS/LD_IND with
	 * SKF_LL_OFF / SKF_NET_OFF offsets) */
	uint64_t mac_header;
	uint64_t network_header;
	/* bpf_redirect / bpf_redirect_map: the target the program chose */
	uint32_t redirect_ifindex;
	uint64_t redirect_flags;
	uint32_t redirect_map_type;        /* 0: ifindex redirect */
	uint64_t redirect_key;
	int redirect_set;
	void *redirect_map;                /* bpf_redirect_map: the map (struct bpfbox_map *) */
};

/* Per-program data attached at load (prog->ctx_info). */
struct bxh_ctx_info {
	uint32_t max_ctx_offset;           /* highest offset + size of a ctx access */
	uint32_t ld_abs;                   /* the program uses LD_ABS / LD_IND */
};

/* The internal helper ids for LD_ABS / LD_IND (the kernel's
 * bpf_skb_load_helper_{8,16,32}_no_cache) are rows of the helper table:
 * BXK_ID_skb_load_helper_8/16/32 (src/helpers/helper_table.h). */

#endif /* BXH_CTX_LAYOUT_H */

/*
 * ctx_access.c - per program type: which context accesses are valid (the
 * kernel's *_is_valid_access() callbacks) and what each becomes in the
 * internal context (the kernel's *_convert_ctx_access()), see ctx_int.h.
 */
#include <stdbool.h>
#include <string.h>

#include "bpfbox/object.h"
#include "progtype/ctx_int.h"
#include "progtype/ctx_layout.h"
#include "progtype/prog_types.h"
#include "isa/isa.h"

/* ---- instruction builders ----------------------------------------------------- */


/* the same access with another size and offset */
static struct bpfbox_insn resize(const struct bpfbox_insn *si, uint8_t size, int off)
{
	struct bpfbox_insn in = *si;

	in.code = (uint8_t)((si->code & ~0x18) | size);
	in.off = (int16_t)off;
	return in;
}

static uint8_t size_code(int bytes)
{
	return bytes == 8 ? BX_DW : bytes == 4 ? BX_W : bytes == 2 ? BX_H : BX_B;
}

/* ---- xdp (xdp_is_valid_access, xdp_convert_ctx_access) ------------------------ */

static bool xdp_access(const struct bxh_access_req *q, struct bxh_access_res *r)
{
	const struct bpfbox_insn *si = q->insn;
	int off = q->off, size = q->size;

	if (q->expected_attach_type != BPFBOX_XDP_DEVMAP && off == BXH_XDP_MD_EGRESS_IFINDEX)
		return false;
	if (q->write)
		return false;	/* only offloaded programs may write rx_queue_index */
	if (q->ldsx && off <= BXH_XDP_MD_DATA_META)
		return false;
	if (off < 0 || off >= BXH_XDP_MD_SIZE || off % size != 0 || size != 4)
		return false;
	switch (off) {
	case BXH_XDP_MD_DATA:
		r->insn[0] = resize(si, BX_DW, BXH_XDP_DATA);
		break;
	case BXH_XDP_MD_DATA_END:
		r->insn[0] = resize(si, BX_DW, BXH_XDP_DATA_END);
		break;
	case BXH_XDP_MD_DATA_META:
		r->insn[0] = resize(si, BX_DW, BXH_XDP_DATA_META);
		break;
	default:
		r->insn[0] = *si;	/* ingress_ifindex etc.: same offset in the mirror */
	}
	r->n = 1;
	return true;
}

/* ---- __sk_buff (bpf_skb_is_valid_access and the per-type wrappers) ------------ */

#define IN(lo, hi) (off >= (lo) && off < (hi))

/* bpf_skb_is_valid_access; *field_size: the recorded ctx field size (0: none) */
static bool skb_base_valid(int off, int size, bool write, bool ldsx)
{
	if (off < 0 || off >= BXH_SKB_SIZE || off % size != 0)
		return false;
	if (IN(BXH_SKB_CB, BXH_SKB_CB_END))
		return off + size <= BXH_SKB_CB_END;
	if (IN(BXH_SKB_DATA, BXH_SKB_DATA + 4) || IN(BXH_SKB_DATA_META, BXH_SKB_DATA_META + 4) ||
	    IN(BXH_SKB_DATA_END, BXH_SKB_DATA_END + 4))
		return !ldsx && size == 4;
	if (IN(BXH_SKB_REMOTE_IP4, BXH_SKB_LOCAL_IP6 + 16))
		return size == 4;
	if (IN(BXH_SKB_FLOW_KEYS, BXH_SKB_FLOW_KEYS + 8))
		return false;
	if (IN(BXH_SKB_HWTSTAMP, BXH_SKB_HWTSTAMP + 8))
		return !write && size == 8;
	if (IN(BXH_SKB_TSTAMP, BXH_SKB_TSTAMP + 8))
		return size == 8;
	if (IN(BXH_SKB_SK, BXH_SKB_SK + 8))
		return !write && size == 8;
	if (IN(BXH_SKB_TSTAMP_TYPE, BXH_SKB_HWTSTAMP))
		return false;	/* tstamp_type (tc only, see below) and padding */
	if (write)
		return size == 4;
	return size <= 4;	/* narrow reads: bpf_ctx_narrow_access_ok() */
}

/* sk_filter_is_valid_access */
static bool sk_filter_valid(int off, int size, bool write, bool ldsx)
{
	if (IN(BXH_SKB_TC_CLASSID, BXH_SKB_TC_CLASSID + 4) || IN(BXH_SKB_DATA, BXH_SKB_DATA + 4) ||
	    IN(BXH_SKB_DATA_META, BXH_SKB_DATA_META + 4) || IN(BXH_SKB_DATA_END, BXH_SKB_DATA_END + 4) ||
	    IN(BXH_SKB_FAMILY, BXH_SKB_LOCAL_PORT + 4) || IN(BXH_SKB_TSTAMP, BXH_SKB_TSTAMP + 8) ||
	    IN(BXH_SKB_WIRE_LEN, BXH_SKB_WIRE_LEN + 4) || IN(BXH_SKB_HWTSTAMP, BXH_SKB_HWTSTAMP + 8))
		return false;
	if (write && !IN(BXH_SKB_CB, BXH_SKB_CB_END))
		return false;
	return skb_base_valid(off, size, write, ldsx);
}

/* tc_cls_act_is_valid_access */
static bool tc_valid(int off, int size, bool write, bool ldsx)
{
	if (write && !(IN(BXH_SKB_MARK, BXH_SKB_MARK + 4) || IN(BXH_SKB_TC_INDEX, BXH_SKB_TC_INDEX + 4) ||
		       IN(BXH_SKB_PRIORITY, BXH_SKB_PRIORITY + 4) ||
		       IN(BXH_SKB_TC_CLASSID, BXH_SKB_TC_CLASSID + 4) ||
		       IN(BXH_SKB_CB, BXH_SKB_CB_END) || IN(BXH_SKB_TSTAMP, BXH_SKB_TSTAMP + 8) ||
		       IN(BXH_SKB_QUEUE_MAPPING, BXH_SKB_QUEUE_MAPPING + 4)))
		return false;
	if (IN(BXH_SKB_FAMILY, BXH_SKB_LOCAL_PORT + 4))
		return false;
	if (off == BXH_SKB_TSTAMP_TYPE)
		return size == 1;
	return skb_base_valid(off, size, write, ldsx);
}

/* sk_skb_is_valid_access (sk: refused, bpfbox has no socket pointers) */
static bool sk_skb_valid(int off, int size, bool write, bool ldsx)
{
	if (IN(BXH_SKB_TC_CLASSID, BXH_SKB_TC_CLASSID + 4) || IN(BXH_SKB_DATA_META, BXH_SKB_DATA_META + 4) ||
	    IN(BXH_SKB_TSTAMP, BXH_SKB_TSTAMP + 8) || IN(BXH_SKB_WIRE_LEN, BXH_SKB_WIRE_LEN + 4) ||
	    IN(BXH_SKB_HWTSTAMP, BXH_SKB_HWTSTAMP + 8) || IN(BXH_SKB_MARK, BXH_SKB_MARK + 4) ||
	    IN(BXH_SKB_SK, BXH_SKB_SK + 8))
		return false;
	if (write && !(IN(BXH_SKB_TC_INDEX, BXH_SKB_TC_INDEX + 4) || IN(BXH_SKB_PRIORITY, BXH_SKB_PRIORITY + 4)))
		return false;
	return skb_base_valid(off, size, write, ldsx);
}

/* cg_skb_is_valid_access (privileged; sk: refused as above) */
static bool cg_skb_valid(int off, int size, bool write, bool ldsx)
{
	if (IN(BXH_SKB_TC_CLASSID, BXH_SKB_TC_CLASSID + 4) || IN(BXH_SKB_DATA_META, BXH_SKB_DATA_META + 4) ||
	    IN(BXH_SKB_WIRE_LEN, BXH_SKB_WIRE_LEN + 4) || IN(BXH_SKB_SK, BXH_SKB_SK + 8))
		return false;
	if (write && !(IN(BXH_SKB_MARK, BXH_SKB_MARK + 4) || IN(BXH_SKB_PRIORITY, BXH_SKB_PRIORITY + 4) ||
		       IN(BXH_SKB_CB, BXH_SKB_CB_END) || IN(BXH_SKB_TSTAMP, BXH_SKB_TSTAMP + 8)))
		return false;
	return skb_base_valid(off, size, write, ldsx);
}

#undef IN

/* The size of the kernel field behind a 32-bit __sk_buff field (the
 * "target size" of a narrow load), 0 for fields without narrow reads. */
static int skb_target_size(int base)
{
	switch (base) {
	case BXH_SKB_PKT_TYPE:
		return 1;
	case BXH_SKB_QUEUE_MAPPING: case BXH_SKB_PROTOCOL: case BXH_SKB_VLAN_TCI:
	case BXH_SKB_VLAN_PROTO: case BXH_SKB_TC_INDEX: case BXH_SKB_TC_CLASSID:
	case BXH_SKB_GSO_SEGS: case BXH_SKB_GSO_SIZE:
		return 2;
	default:
		return 4;
	}
}

static bool skb_access(const struct bxh_access_req *q, struct bxh_access_res *r)
{
	const struct bpfbox_insn *si = q->insn;
	int off = q->off, size = q->size;
	bool ok = q->prog_type == BPFBOX_PROG_TYPE_SOCKET_FILTER ?
		  sk_filter_valid(off, size, q->write, q->ldsx) :
		  tc_valid(off, size, q->write, q->ldsx);

	if (!ok)
		return false;
	r->n = 1;
	r->insn[0] = *si;
	if (off >= BXH_SKB_CB && off < BXH_SKB_CB_END)
		return true;	/* cb[]: any size, same place */
	switch (off) {
	case BXH_SKB_DATA:
		r->insn[0] = resize(si, BX_DW, BXH_SKB_IDATA);
		return true;
	case BXH_SKB_DATA_END:
		r->insn[0] = resize(si, BX_DW, BXH_SKB_IDATA_END);
		return true;
	case BXH_SKB_DATA_META:
		r->insn[0] = resize(si, BX_DW, BXH_SKB_IDATA_META);
		return true;
	case BXH_SKB_SK:	/* no socket in bpfbox: NULL */
		r->insn[0] = bxh_insn(BX_ALU64 | BX_K | BX_MOV, si->dst_reg, 0, 0, 0);
		return true;
	case BXH_SKB_TSTAMP: case BXH_SKB_HWTSTAMP: case BXH_SKB_TSTAMP_TYPE:
		return true;
	default:
		break;
	}
	if (q->write) {
		switch (off) {
		case BXH_SKB_TC_INDEX: case BXH_SKB_TC_CLASSID:
			r->insn[0] = resize(si, BX_H, off);	/* 16-bit kernel fields */
			break;
		case BXH_SKB_QUEUE_MAPPING:
			/* values >= NO_QUEUE_MAPPING (0xffff) are ignored */
			if (BX_CLASS(si->code) == BX_ST) {
				if (si->imm >= 0xffff)
					r->insn[0] = bxh_insn(BX_JMP | BX_JA, 0, 0, 0, 0);
				else
					r->insn[0] = resize(si, BX_H, off);
			} else {
				r->insn[0] = bxh_insn(BX_JMP | BX_K | BX_JGE, si->src_reg, 0, 1, 0xffff);
				r->insn[1] = resize(si, BX_H, off);
				r->n = 2;
			}
			break;
		default:
			break;	/* mark, priority: 32-bit, same place */
		}
		return true;
	}
	/* narrow reads of a 32-bit field: the kernel loads the whole kernel
	 * field, then shifts and masks only if the access is narrower than
	 * that field; the mirror holds it zero-extended, so one load at the
	 * right byte (or at the field's start) gives the same value */
	if (size < 4) {
		int base = off & ~3;

		if (size >= skb_target_size(base))
			r->insn[0] = resize(si, size_code(size), base);
	}
	return true;
}

/* ---- unconverted contexts --------------------------------------------------------- */

/* kprobe_prog_is_valid_access */
/* struct bpf_sock_addr (uapi) offsets */
#define SA_USER_IP4      4
#define SA_USER_IP6      8    /* u32[4] */
#define SA_USER_PORT     24
#define SA_MSG_SRC_IP4   40
#define SA_MSG_SRC_IP6   44   /* u32[4] */
#define SA_SK            64   /* pointer, 8 bytes */
#define SA_SIZE          72

/* wide_ok - the kernel's bpf_ctx_wide_access_ok() for the u32[4] at base */
static bool wide_ok(int off, int size, int base)
{
	return size == 8 && off >= base && off + 8 <= base + 16 && off % 8 == 0;
}

/* sock_addr_valid - the kernel's sock_addr_is_valid_access(): the address
 * fields of the attach type's family only, u32 (or narrow reads) and 8-byte
 * accesses to the 8-byte aligned halves of user_ip6 / msg_src_ip6. The sk
 * field (PTR_TO_SOCKET in the kernel) is refused: bpfbox has no sockets.
 * Verified only: never converted nor run. */
static bool sock_addr_valid(const struct bxh_access_req *q)
{
	int off = q->off, size = q->size;
	uint32_t eat = q->expected_attach_type;
	bool v4 = eat == BPFBOX_CGROUP_INET4_BIND || eat == BPFBOX_CGROUP_INET4_CONNECT ||
		  eat == BPFBOX_CGROUP_INET4_GETPEERNAME || eat == BPFBOX_CGROUP_INET4_GETSOCKNAME ||
		  eat == BPFBOX_CGROUP_UDP4_SENDMSG || eat == BPFBOX_CGROUP_UDP4_RECVMSG;
	bool v6 = eat == BPFBOX_CGROUP_INET6_BIND || eat == BPFBOX_CGROUP_INET6_CONNECT ||
		  eat == BPFBOX_CGROUP_INET6_GETPEERNAME || eat == BPFBOX_CGROUP_INET6_GETSOCKNAME ||
		  eat == BPFBOX_CGROUP_UDP6_SENDMSG || eat == BPFBOX_CGROUP_UDP6_RECVMSG;
	bool addr;

	if (q->ldsx || size <= 0 || off < 0 || off >= SA_SIZE || off % size != 0)
		return false;
	if (off >= SA_USER_IP4 && off < SA_USER_IP4 + 4 && !v4)
		return false;
	if (off >= SA_USER_IP6 && off < SA_USER_IP6 + 16 && !v6)
		return false;
	if (off >= SA_MSG_SRC_IP4 && off < SA_MSG_SRC_IP4 + 4 && eat != BPFBOX_CGROUP_UDP4_SENDMSG)
		return false;
	if (off >= SA_MSG_SRC_IP6 && off < SA_MSG_SRC_IP6 + 16 && eat != BPFBOX_CGROUP_UDP6_SENDMSG)
		return false;
	if (off >= SA_SK && off < SA_SK + 8)
		return false;
	addr = (off >= SA_USER_IP4 && off < SA_USER_PORT + 4) ||
	       (off >= SA_MSG_SRC_IP4 && off < SA_MSG_SRC_IP6 + 16);
	if (!addr)	/* user_family, family, type, protocol, padding */
		return !q->write && size == 4;
	if (wide_ok(off, size, SA_USER_IP6) || wide_ok(off, size, SA_MSG_SRC_IP6))
		return true;
	if (q->write)
		return size == 4;
	return size == 1 || size == 2 || size == 4;
}

static bool kprobe_valid(const struct bxh_access_req *q)
{
	return q->off >= 0 && q->off < BXH_PT_REGS_SIZE && !q->write &&
	       q->off % q->size == 0 && q->off + q->size <= BXH_PT_REGS_SIZE;
}

/* pe_prog_is_valid_access */
static bool perf_event_valid(const struct bxh_access_req *q)
{
	if (q->off < 0 || q->off >= BXH_PERF_EVENT_SIZE || q->write || q->off % q->size != 0)
		return false;
	if (q->off >= BXH_PT_REGS_SIZE)
		return q->size <= 8;	/* sample_period, addr: narrow reads */
	return q->size == 8;
}

/* tp_prog_is_valid_access: the first 8 bytes (common fields) are hidden */
static bool tracepoint_valid(const struct bxh_access_req *q)
{
	return q->off >= 8 && q->off < BXH_TRACEPOINT_MAX && !q->write && q->off % q->size == 0;
}

/* bpf_tracing_ctx_access (raw tracepoints; tracing and lsm approximated) */
static bool raw_tp_valid(const struct bxh_access_req *q)
{
	return q->off >= 0 && q->off < BXH_RAW_TP_MAX && !q->write && q->off % q->size == 0;
}

/* syscall_prog_is_valid_access */
static bool syscall_valid(const struct bxh_access_req *q)
{
	return q->off >= 0 && q->off < BXH_SYSCALL_MAX && q->off % q->size == 0;
}

/* ---- the per-type descriptions (prog_types.h) ---------------------------------- */

/* Context access rules by the ACCESS column: the family checks above, in
 * the form struct bxp_prog_type_ops wants. */
static bool none_access(const struct bxh_access_req *q, struct bxh_access_res *r)
{
	(void)q; (void)r;
	return false;
}

static bool sk_skb_access(const struct bxh_access_req *q, struct bxh_access_res *r)
{
	(void)r;	/* verified only: never converted nor run */
	return sk_skb_valid(q->off, q->size, q->write, q->ldsx);
}

static bool cg_skb_access(const struct bxh_access_req *q, struct bxh_access_res *r)
{
	(void)r;
	return cg_skb_valid(q->off, q->size, q->write, q->ldsx);
}

static bool sock_addr_access(const struct bxh_access_req *q, struct bxh_access_res *r)
{
	(void)r;	/* verified only */
	return sock_addr_valid(q);
}

static bool kprobe_access(const struct bxh_access_req *q, struct bxh_access_res *r)
{
	(void)r;
	return kprobe_valid(q);
}

static bool perf_event_access(const struct bxh_access_req *q, struct bxh_access_res *r)
{
	(void)r;
	return perf_event_valid(q);
}

static bool tracepoint_access(const struct bxh_access_req *q, struct bxh_access_res *r)
{
	(void)r;
	return tracepoint_valid(q);
}

static bool raw_tp_access(const struct bxh_access_req *q, struct bxh_access_res *r)
{
	(void)r;
	return raw_tp_valid(q);
}

static bool syscall_access(const struct bxh_access_req *q, struct bxh_access_res *r)
{
	(void)r;
	return syscall_valid(q);
}

/* field_kind - what a context load at uapi offset `off` yields: packet
 * pointers for the data fields of xdp_md and __sk_buff (the reg_type the
 * kernel's is_valid_access callbacks set). */
static enum bxh_ctx_field field_kind(uint32_t prog_type, int off)
{
	switch (prog_type) {
	case BPFBOX_PROG_TYPE_XDP:
		return off == BXH_XDP_MD_DATA ? BXH_FIELD_PKT : off == BXH_XDP_MD_DATA_END ?
		       BXH_FIELD_PKT_END : off == BXH_XDP_MD_DATA_META ? BXH_FIELD_PKT_META :
		       BXH_FIELD_SCALAR;
	case BPFBOX_PROG_TYPE_SOCKET_FILTER:
	case BPFBOX_PROG_TYPE_SCHED_CLS:
	case BPFBOX_PROG_TYPE_SCHED_ACT:
	case BPFBOX_PROG_TYPE_SK_SKB:	/* no data_meta there (refused above) */
	case BPFBOX_PROG_TYPE_CGROUP_SKB:
		/* skb->sk: the kernel's PTR_TO_SOCK_COMMON_OR_NULL (bpfbox has no
		 * sockets: the load yields NULL) */
		return off == BXH_SKB_DATA ? BXH_FIELD_PKT : off == BXH_SKB_DATA_END ?
		       BXH_FIELD_PKT_END : off == BXH_SKB_DATA_META ? BXH_FIELD_PKT_META :
		       off == BXH_SKB_SK ? BXH_FIELD_SOCK_OR_NULL : BXH_FIELD_SCALAR;
	default:
		return BXH_FIELD_SCALAR;
	}
}

/* One ctx_access op per row: the row's rule, the unconverted instruction
 * by default, and the type of a loaded field. */
#define BXP_ACCESS_OP(NAME, lname, CTX, ACCESS, SETS, LD_ABS, PKT_WRITE)                      \
	static bool lname##_ctx_access(const struct bxh_access_req *q,                 \
				      struct bxh_access_res *r)                       \
	{                                                                             \
		r->n = 1;                                                             \
		r->insn[0] = *q->insn;                                                \
		r->field = BXH_FIELD_SCALAR;                                          \
		if (!ACCESS##_access(q, r))                                           \
			return false;                                                 \
		if (!q->write)                                                        \
			r->field = field_kind(q->prog_type, q->off);                  \
		return true;                                                          \
	}
BXP_PROG_TYPES(BXP_ACCESS_OP)
#undef BXP_ACCESS_OP

/* The test run of each context family (bpf_prog_ops.test_run). */
#define BXP_TEST_RUN_NONE  NULL
#define BXP_TEST_RUN_XDP   bxh_test_run_xdp
#define BXP_TEST_RUN_SKB   bxh_test_run_skb
#define BXP_TEST_RUN_BYTES bxh_test_run_bytes

/* The ops of every row (struct bxp_prog_type_ops, src/core/prog_type.h). */
#define BXP_OPS(NAME, lname, CTX, ACCESS, SETS, LD_ABS, PKT_WRITE)                                 \
	[BPFBOX_PROG_TYPE_##NAME] = {                                                  \
		.type = BPFBOX_PROG_TYPE_##NAME, .name = #lname, .ctx = BXH_CTX_##CTX,  \
		.helper_sets = (SETS), .ld_abs = (LD_ABS), .pkt_write = (PKT_WRITE),   \
		.ctx_access = lname##_ctx_access, .ret_range = bxp_ret_range,           \
		.convert_ctx = bxh_prog_convert_ctx, .free_ctx = bxh_prog_free_ctx,    \
		.check_direct_run = bxh_check_direct_run,                              \
		.test_run = BXP_TEST_RUN_##CTX,                                        \
	},
static const struct bxp_prog_type_ops prog_type_ops[] = { BXP_PROG_TYPES(BXP_OPS) };
#undef BXP_OPS

/*
 * bxp_prog_type - see prog_types.h.
 */
const struct bxp_prog_type_ops *bxp_prog_type(uint32_t type)
{
	if (type == 0 || type >= sizeof(prog_type_ops) / sizeof(prog_type_ops[0]) ||
	    !prog_type_ops[type].name)
		return NULL;
	return &prog_type_ops[type];
}

/*
 * bxh_ctx_access - the context access rule of q->prog_type (for the
 * rewriting in ctx_convert.c).
 */
bool bxh_ctx_access(const struct bxh_access_req *q, struct bxh_access_res *r)
{
	const struct bxp_prog_type_ops *ops = bxp_prog_type(q->prog_type);

	return ops && ops->ctx_access(q, r);
}

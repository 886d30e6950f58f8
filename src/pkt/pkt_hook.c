/*
 * pkt_hook.c - packet hooks (include/bpfbox/hooks.h): a loaded XDP, tc or
 * socket-filter program run on one packet after another with everything
 * preallocated.
 *
 * The per-packet work mirrors test_run_xdp.c / test_run_skb.c (the
 * kernel's bpf_prog_test_run_xdp / _skb without ctx_in) so that results
 * are equal, but nothing is allocated and, for trusted runs, the program
 * is entered directly (bxj_run / bxv_interp_run) with a run state
 * (struct bpfbox_call) and a stack that live in the hook: per packet only
 * the fields a run changes are reset. Checked runs go through
 * bxv_prog_run(), which sets up the checked-mode regions.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "bpfbox/hooks.h"
#include "bpfbox/object.h"
#include "progtype/ctx_int.h"
#include "progtype/ctx_layout.h"
#include "jit/jit.h"
#include "maps/map_internal.h"
#include "vm/vm_internal.h"

#define PAGE_SIZE            4096u
#define XDP_HEADROOM         256u   /* XDP_PACKET_HEADROOM */
#define XDP_TAILROOM         320u   /* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
#define XDP_FRAME_SIZE       40u    /* sizeof(struct xdp_frame) */
#define XDP_MAX_LINEAR       (PAGE_SIZE - XDP_HEADROOM - XDP_TAILROOM)
#define SKB_HEADROOM         64u    /* NET_SKB_PAD + NET_IP_ALIGN */
#define SKB_TAILROOM         320u
#define SKB_MAX_LEN          (PAGE_SIZE - SKB_HEADROOM - SKB_TAILROOM)
#define ETH_HLEN             14u
#define OUT_SIZE             (PAGE_SIZE + BXH_MAX_FRAGS * BXH_FRAG_SIZE)

/* helper ids that can expose the XDP headroom (directly or via another program) */
#define H_TAIL_CALL          12
#define H_XDP_ADJUST_HEAD    44
#define H_XDP_ADJUST_META    54

enum { XDP_ABORTED = 0, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT };
enum { PACKET_HOST = 0, PACKET_BROADCAST = 1, PACKET_MULTICAST = 2, PACKET_OTHERHOST = 3 };
#define TC_ACT_REDIRECT 7

struct bpfbox_pkt_hook {
	_Alignas(64) uint8_t stack[BX_MAX_CALL_DEPTH * BX_STACK_SIZE];
	_Alignas(64) uint8_t buf[PAGE_SIZE];   /* the frame */
	struct bpfbox_call call;                /* trusted runs: the run state template */
	struct bxh_pkt pkt;
	union {
		struct bxh_xdp xdp;
		struct bxh_skb skb;
	} ctx;
	struct bpfbox_prog *prog;
	struct bpfbox_pkt_hook_opts opts;
	bool xdp;                               /* else skb */
	bool socket;                            /* socket filter */
	bool checked;                           /* run checked (bxv_prog_run) */
	bool jit;                               /* trusted: native code */
	bool zero_headroom;                     /* the program may expose the XDP headroom */
	bool host_cpu;                          /* cpu -1: sched_getcpu() per packet */
	uint32_t nr_cpus;
	uint8_t *frag_mem;                      /* BXH_MAX_FRAGS pages */
	uint8_t *out;                           /* linearised multi-buffer output (OUT_SIZE) */
};

/* Can the program expose the XDP headroom (adjust_head / adjust_meta, or
 * a tail call to a program that might)? */
static bool may_expose_headroom(const struct bpfbox_prog *prog)
{
	for (size_t i = 0; i < prog->cnt; i++) {
		const struct bpfbox_insn *in = &prog->insns[i];

		if (in->code == (BX_JMP | BX_CALL) && in->src_reg == BX_CALL_HELPER &&
		    (in->imm == H_TAIL_CALL || in->imm == H_XDP_ADJUST_HEAD ||
		     in->imm == H_XDP_ADJUST_META))
			return true;
	}
	return false;
}

/*
 * check_prog - is prog a program a packet hook can run? Logs why not.
 */
static int check_prog(const struct bpfbox_prog *prog)
{
	const char *n;

	switch (prog->prog_type) {
	case BPFBOX_PROG_TYPE_XDP:
		if (prog->expected_attach_type == BPFBOX_XDP_DEVMAP ||
		    prog->expected_attach_type == BPFBOX_XDP_CPUMAP) {
			bx_err(&prog->vm->log, "%s: devmap and cpumap XDP programs run on redirected "
			       "frames, not on a packet hook", prog->name);
			return -EINVAL;
		}
		return 0;
	case BPFBOX_PROG_TYPE_SOCKET_FILTER:
	case BPFBOX_PROG_TYPE_SCHED_CLS:
	case BPFBOX_PROG_TYPE_SCHED_ACT:
		return 0;
	default:
		n = prog->prog_type ? bpfbox_prog_type_name(prog->prog_type) : "none (raw bytecode)";
		bx_err(&prog->vm->log, "%s: program is of type %s, not xdp, sched_cls, sched_act "
		       "or socket_filter", prog->name, n ? n : "unknown");
		return -EINVAL;
	}
}

/*
 * bpfbox_pkt_hook__new - see hooks.h.
 */
int bpfbox_pkt_hook__new(struct bpfbox_prog *prog, const struct bpfbox_pkt_hook_opts *uopts,
			 struct bpfbox_pkt_hook **out)
{
	struct bpfbox_pkt_hook_opts o;
	struct bpfbox_pkt_hook *h;
	int err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!prog)
		return -EINVAL;
	err = bx_opts_load(&o, sizeof(o), uopts, &prog->vm->log, "bpfbox_pkt_hook_opts");
	if (err)
		return err;
	if (!uopts)
		o.cpu = 0;
	if (o.mode > BPFBOX_RUN_TRUSTED || o.engine > BPFBOX_ENGINE_JIT ||
	    o.dir > BPFBOX_PKT_EGRESS) {
		bx_err(&prog->vm->log, "%s: unknown run mode %d, engine %d or direction %d",
		       prog->name, (int)o.mode, (int)o.engine, (int)o.dir);
		return -EINVAL;
	}
	err = check_prog(prog);
	if (err)
		return err;
	if (o.cpu >= 0 && (uint32_t)o.cpu >= (prog->vm->nr_cpus ? prog->vm->nr_cpus : 1)) {
		bx_err(&prog->vm->log, "%s: cpu %d is out of range (the vm has %u CPUs)",
		       prog->name, o.cpu, prog->vm->nr_cpus);
		return -EINVAL;
	}
	h = aligned_alloc(64, sizeof(*h));
	if (!h)
		return -ENOMEM;
	memset(h, 0, sizeof(*h));
	h->prog = prog;
	h->opts = o;
	h->opts.sz = sizeof(o);
	h->xdp = prog->prog_type == BPFBOX_PROG_TYPE_XDP;
	h->socket = prog->prog_type == BPFBOX_PROG_TYPE_SOCKET_FILTER;
	h->checked = bxv_run_checked(prog, o.mode);
	h->nr_cpus = prog->vm->nr_cpus ? prog->vm->nr_cpus : 1;
	h->host_cpu = o.cpu < 0;
	h->zero_headroom = h->xdp && may_expose_headroom(prog);
	err = bxv_pick_jit(prog, o.engine, h->checked);
	if (err < 0)
		goto fail;
	h->jit = err == 1;
	err = -ENOMEM;
	if (h->xdp) {
		h->frag_mem = malloc((size_t)BXH_MAX_FRAGS * BXH_FRAG_SIZE);
		h->out = malloc(OUT_SIZE);
		if (!h->frag_mem || !h->out)
			goto fail;
	}
	/* the packet state: what stays the same from packet to packet */
	h->pkt.magic = BXH_PKT_MAGIC;
	h->pkt.kind = h->xdp ? BXH_KIND_XDP : BXH_KIND_SKB;
	h->pkt.prog_type = prog->prog_type;
	h->pkt.ctx = &h->ctx;
	h->pkt.buf = h->buf;
	h->pkt.buf_len = PAGE_SIZE;
	if (h->xdp) {
		h->pkt.hard_end = (uint64_t)(uintptr_t)h->buf + PAGE_SIZE - XDP_TAILROOM;
		for (uint32_t i = 0; i < BXH_MAX_FRAGS; i++)
			h->pkt.frags[i] = h->frag_mem + (size_t)i * BXH_FRAG_SIZE;
	}
	/* the run state of trusted runs */
	h->call.vm = prog->vm;
	h->call.prog = prog;
	h->call.ctx = &h->ctx;
	h->call.ctx_size = h->xdp ? sizeof(struct bxh_xdp) : sizeof(struct bxh_skb);
	h->call.task = o.task;
	h->call.hook = &h->pkt;
	h->call.cpu = h->host_cpu ? 0 : (uint32_t)o.cpu;
	h->call.stack_top = (uint64_t)(uintptr_t)(h->stack + sizeof(h->stack));
	h->call.max_insns = o.max_insns ? o.max_insns : 1000000000ull;
	*out = h;
	return 0;
fail:
	bpfbox_pkt_hook__free(h);
	return err;
}

/*
 * bpfbox_pkt_hook__free - see hooks.h.
 */
void bpfbox_pkt_hook__free(struct bpfbox_pkt_hook *h)
{
	if (!h)
		return;
	free(h->frag_mem);
	free(h->out);
	free(h);
}

/*
 * bpfbox_pkt_hook__prog - see hooks.h.
 */
struct bpfbox_prog *bpfbox_pkt_hook__prog(const struct bpfbox_pkt_hook *h)
{
	return h ? h->prog : NULL;
}

/*
 * run_prog - one run of the program on the context the caller set up:
 * trusted runs reset the hook's run state and enter the code directly;
 * checked runs go through bxv_prog_run with the frame as a region.
 * Returns 0 and *r0, or the error that stopped the program.
 */
static int run_prog(struct bpfbox_pkt_hook *h, uint64_t *r0)
{
	struct bpfbox_call *c = &h->call;
	uint64_t args[5] = { (uint64_t)(uintptr_t)&h->ctx, c->ctx_size, 0, 0, 0 };
	uint32_t cpu = c->cpu;

	if (h->host_cpu) {
		int hc = sched_getcpu();
		cpu = hc < 0 ? 0 : (uint32_t)hc % h->nr_cpus;
	}
	if (h->checked) {
		BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = &h->ctx, .ctx_size = c->ctx_size,
			    .mode = BPFBOX_RUN_CHECKED, .engine = BPFBOX_ENGINE_INTERP,
			    .max_insns = h->opts.max_insns, .task = h->opts.task,
			    .cpu = (int32_t)cpu);
		struct bxv_region reg = {
			.lo = (uint64_t)(uintptr_t)h->buf, .len = PAGE_SIZE, .writable = true,
		};
		int err = bxv_prog_run(h->prog, &ro, &h->pkt, &reg, 1);

		*r0 = ro.retval;
		return err;
	}
	c->cpu = cpu;
	c->prog = h->prog;
	c->helper_ctx = NULL;
	c->err = 0;
	c->depth = 1;
	c->stack_lo = c->stack_top - BX_STACK_SIZE;
	c->budget = c->max_insns;
	c->tail_target = NULL;
	c->tail_cnt = 0;
	c->may_goto_used = 0;
	c->jit = false;
	c->nregions = 0;
	if (h->jit)
		return bxj_run(c, 0, args, c->stack_top, r0);
	return bxv_interp_run(c, 0, args, c->stack_top, r0);
}

/* fill the redirect part of the result from the packet state */
static void redirect_result(struct bpfbox_pkt_hook *h, struct bpfbox_pkt_result *res)
{
	const struct bxh_pkt *p = &h->pkt;

	if (!p->redirect_set)
		return;
	res->redirect_flags = p->redirect_flags;
	res->redirect_map_type = p->redirect_map_type;
	if (!p->redirect_map_type) {
		res->redirect_ifindex = p->redirect_ifindex;
		return;
	}
	res->redirect_map = p->redirect_map;
	res->redirect_key = (uint32_t)p->redirect_key;
	if ((p->redirect_map_type == BPFBOX_MAP_TYPE_DEVMAP ||
	     p->redirect_map_type == BPFBOX_MAP_TYPE_DEVMAP_HASH) &&
	    !(p->redirect_flags & BPFBOX_F_BROADCAST)) {
		uint32_t key = res->redirect_key;
		const uint32_t *v = bxm_lookup(p->redirect_map, &key, h->call.cpu);

		res->redirect_ifindex = v ? *v : 0;
	}
}

/*
 * run_xdp - bpf_prog_test_run_xdp without ctx_in, on the hook's frame.
 */
static int run_xdp(struct bpfbox_pkt_hook *h, const uint8_t *pkt, uint32_t len,
		   struct bpfbox_pkt_result *res)
{
	struct bxh_xdp *x = &h->ctx.xdp;
	struct bxh_pkt *p = &h->pkt;
	uint32_t linear = len < XDP_MAX_LINEAR ? len : XDP_MAX_LINEAR, size;
	uint64_t r0 = 0, hs = (uint64_t)(uintptr_t)h->buf;
	int err;

	if (len < ETH_HLEN) {
		bx_debug(&h->prog->vm->log, "%s: packet of %u bytes is shorter than an Ethernet "
			 "header (BPF_PROG_TEST_RUN refuses it)", h->prog->name, len);
		return -EINVAL;
	}
	if (len - linear > BXH_MAX_FRAGS * BXH_FRAG_SIZE) {
		bx_debug(&h->prog->vm->log, "%s: packet of %u bytes needs more than %d fragments",
			 h->prog->name, len, BXH_MAX_FRAGS);
		return -ENOMEM;
	}
	if (h->zero_headroom)	/* the kernel's frame is zeroed; a run may have written here */
		memset(h->buf + XDP_FRAME_SIZE, 0, XDP_HEADROOM - XDP_FRAME_SIZE);
	memcpy(h->buf + XDP_HEADROOM, pkt, linear);
	p->nr_frags = 0;
	p->frags_size = 0;
	for (size = linear; size < len;) {
		uint32_t n = len - size < BXH_FRAG_SIZE ? len - size : BXH_FRAG_SIZE;

		memcpy(p->frags[p->nr_frags], pkt + size, n);
		p->frag_len[p->nr_frags++] = n;
		p->frags_size += n;
		size += n;
	}
	p->redirect_set = 0;
	memset(x->md, 0, sizeof(x->md));
	x->md[BXH_XDP_MD_INGRESS_IFINDEX / 4] = h->opts.ifindex ? h->opts.ifindex : 1;
	x->md[BXH_XDP_MD_RX_QUEUE_INDEX / 4] = h->opts.rx_queue;
	x->data_hard_start = hs;
	x->data_meta = hs + XDP_HEADROOM;
	x->data = x->data_meta;
	x->data_end = x->data + linear;

	err = run_prog(h, &r0);
	if (err)
		return err;
	if (x->data_hard_start != hs || x->data_meta < hs + XDP_FRAME_SIZE ||
	    x->data_meta > x->data || x->data > x->data_end || x->data_end > p->hard_end) {
		bx_err(&h->prog->vm->log, "%s: the program corrupted its xdp context", h->prog->name);
		return -EFAULT;
	}
	res->retval = r0;
	res->action = (uint32_t)r0;
	res->meta_len = (uint32_t)(x->data - x->data_meta);
	res->len = (uint32_t)(x->data_end - x->data) + p->frags_size;
	if (!p->nr_frags) {
		res->data = (const uint8_t *)(uintptr_t)x->data;
	} else {	/* linearise: metadata, linear part, fragments */
		uint32_t off = (uint32_t)(x->data_end - x->data_meta);

		memcpy(h->out, (const void *)(uintptr_t)x->data_meta, off);
		for (uint32_t i = 0; i < p->nr_frags; i++) {
			memcpy(h->out + off, p->frags[i], p->frag_len[i]);
			off += p->frag_len[i];
		}
		res->data = h->out + res->meta_len;
	}
	if (res->action == XDP_REDIRECT)
		redirect_result(h, res);
	return 0;
}

/*
 * run_skb - bpf_prog_test_run_skb without ctx_in, on the hook's buffer.
 */
static int run_skb(struct bpfbox_pkt_hook *h, const uint8_t *pkt, uint32_t len,
		   struct bpfbox_pkt_result *res)
{
	struct bxh_skb *s = &h->ctx.skb;
	struct bxh_pkt *p = &h->pkt;
	uint8_t *mac = h->buf + SKB_HEADROOM, *data;
	uint32_t pkt_type, proto, l3 = len - ETH_HLEN, ifindex;
	uint64_t r0 = 0;
	int err;

	if (len < ETH_HLEN || len > SKB_MAX_LEN) {
		bx_debug(&h->prog->vm->log, "%s: packet of %u bytes: BPF_PROG_TEST_RUN takes "
			 "14 to %u bytes", h->prog->name, len, SKB_MAX_LEN);
		return -EINVAL;
	}
	bxh_eth_type_trans(pkt, len, &pkt_type, &proto);
	if ((proto == 0x0008 && l3 < 20) || (proto == 0xdd86 && l3 < 40)) {
		bx_debug(&h->prog->vm->log, "%s: the IPv4 / IPv6 header of a %u-byte packet is "
			 "truncated (BPF_PROG_TEST_RUN refuses it)", h->prog->name, len);
		return -EINVAL;
	}
	memcpy(mac, pkt, len);
	p->mac_header = (uint64_t)(uintptr_t)mac;
	p->network_header = p->mac_header + ETH_HLEN;
	p->redirect_set = 0;
	data = h->socket ? mac + ETH_HLEN : mac;
	len = h->socket ? l3 : len;
	ifindex = h->opts.ifindex ? h->opts.ifindex : 1;
	memset(s, 0, sizeof(*s));
	bxh_md32_set(s->md, BXH_SKB_LEN, len);
	bxh_md32_set(s->md, BXH_SKB_PKT_TYPE, pkt_type);
	bxh_md32_set(s->md, BXH_SKB_PROTOCOL, proto);
	bxh_md32_set(s->md, BXH_SKB_IFINDEX, ifindex);
	if (h->opts.ifindex && h->opts.dir == BPFBOX_PKT_INGRESS)
		bxh_md32_set(s->md, BXH_SKB_INGRESS_IFINDEX, ifindex);
	bxh_md32_set(s->md, BXH_SKB_WIRE_LEN, len);
	s->data = (uint64_t)(uintptr_t)data;
	s->data_end = s->data + len;
	s->data_meta = s->data;

	err = run_prog(h, &r0);
	if (err)
		return err;
	if (h->socket) {	/* the kernel pushes a zeroed Ethernet header back */
		memset(mac, 0, ETH_HLEN);
		len += ETH_HLEN;
	}
	res->retval = r0;
	res->action = (uint32_t)r0;
	res->data = mac;
	res->len = len;
	res->meta_len = 0;
	if (res->action == TC_ACT_REDIRECT && !h->socket)
		redirect_result(h, res);
	return 0;
}

/*
 * bpfbox_pkt_hook__run - see hooks.h.
 */
int bpfbox_pkt_hook__run(struct bpfbox_pkt_hook *h, const void *pkt, uint32_t len,
			 struct bpfbox_pkt_result *res)
{
	if (!h || !res || (!pkt && len))
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	if (h->xdp)
		return run_xdp(h, pkt, len, res);
	return run_skb(h, pkt, len, res);
}

/*
 * bpfbox_pkt_action_name - see hooks.h.
 */
const char *bpfbox_pkt_action_name(uint32_t prog_type, uint32_t action)
{
	static const char *const xdp[] = {
		"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT",
	};
	static const char *const tc[] = {
		"TC_ACT_OK", "TC_ACT_RECLASSIFY", "TC_ACT_SHOT", "TC_ACT_PIPE", "TC_ACT_STOLEN",
		"TC_ACT_QUEUED", "TC_ACT_REPEAT", "TC_ACT_REDIRECT", "TC_ACT_TRAP",
	};

	switch (prog_type) {
	case BPFBOX_PROG_TYPE_XDP:
		return action < 5 ? xdp[action] : NULL;
	case BPFBOX_PROG_TYPE_SCHED_CLS:
	case BPFBOX_PROG_TYPE_SCHED_ACT:
		if (action == UINT32_MAX)
			return "TC_ACT_UNSPEC";
		return action < 9 ? tc[action] : NULL;
	case BPFBOX_PROG_TYPE_SOCKET_FILTER:
		return action ? "kept" : "dropped";
	default:
		return NULL;
	}
}

/*
 * test_testrun.c - program contexts, load-time context conversion and
 * bpfbox_prog__test_run() (src/progtype, src/verifier/ctx_flow.c).
 *
 * Handwritten instruction arrays check every xdp_md and __sk_buff field
 * (narrow loads included), the invalid accesses with the kernel's message,
 * the data-flow analysis (moves, spills, subprograms, mixed pointers),
 * LD_ABS / LD_IND, the refusals of BPF_PROG_TEST_RUN and the adjust
 * helpers; the BPF C programs of tests/bpf/pkt_*.bpf.c are loaded through
 * the object API. Every run is done in trusted and in checked mode.
 */
#include "bpfbox/bpfbox.h"
#include "progtype/ctx_layout.h"
#include "testlib.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the internal layout mirrors the uapi one */
_Static_assert(offsetof(struct __sk_buff, hwtstamp) == BXH_SKB_HWTSTAMP, "hwtstamp");
_Static_assert(offsetof(struct __sk_buff, tstamp_type) == BXH_SKB_TSTAMP_TYPE, "tstamp_type");
_Static_assert(offsetof(struct __sk_buff, gso_size) == BXH_SKB_GSO_SIZE, "gso_size");
_Static_assert(offsetof(struct __sk_buff, data_meta) == BXH_SKB_DATA_META, "data_meta");
_Static_assert(offsetof(struct __sk_buff, napi_id) == BXH_SKB_NAPI_ID, "napi_id");
_Static_assert(offsetof(struct __sk_buff, cb) == BXH_SKB_CB, "cb");
_Static_assert(sizeof(struct __sk_buff) == BXH_SKB_SIZE, "__sk_buff");
_Static_assert(offsetof(struct xdp_md, egress_ifindex) == BXH_XDP_MD_EGRESS_IFINDEX, "xdp_md");
_Static_assert(sizeof(struct xdp_md) == BXH_XDP_MD_SIZE, "xdp_md size");

static char last_log[1024];

static void log_cb(void *ctx, enum bpfbox_log_level lvl, const char *msg)
{
	(void)ctx;
	(void)lvl;
	snprintf(last_log, sizeof(last_log), "%s", msg);
}

/* ---- instruction builders ---------------------------------------------------- */

#define I(c, d, s, o, i) ((struct bpfbox_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define LDX(sz, d, s, o)  I(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define LDXSX(sz, d, s, o) I(BPF_LDX | 0x80 | (sz), d, s, o, 0)
#define STX(sz, d, s, o)  I(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST(sz, d, o, i)   I(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define MOVK(d, i)        I(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOVX(d, s)        I(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADDK(d, i)        I(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define SUBX(d, s)        I(BPF_ALU64 | BPF_SUB | BPF_X, d, s, 0, 0)
#define CALL(id)          I(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define CALL_LOCAL(off)   I(BPF_JMP | BPF_CALL, 0, 1, 0, off)
#define JEQK(d, i, o)     I(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define JA(o)             I(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define EXIT()            I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define LDABS(sz, i)      I(BPF_LD | BPF_ABS | (sz), 0, 0, 0, i)
#define LDIND(sz, s, i)   I(BPF_LD | BPF_IND | (sz), 0, s, 0, i)

static struct bpfbox_vm *vm;

/* load insns as prog_type; NULL and the log in last_log on failure */
/* load unverified: for the tests of the context conversion's own refusals
 * on programs the verifier rejects first (e.g. an uninitialised r2) */
static bool t_no_verify;

static struct bpfbox_prog *load_t(uint32_t type, uint32_t eat, const struct bpfbox_insn *in,
				  size_t n, int *err_out)
{
	BPFBOX_OPTS(bpfbox_prog_opts, po, .prog_type = type, .expected_attach_type = eat,
		    .license = "GPL", .name = "t", .no_verify = t_no_verify);
	struct bpfbox_prog *p = NULL;
	int err;

	last_log[0] = 0;
	err = bpfbox_prog__load(vm, in, n, &po, &p);
	if (err_out)
		*err_out = err;
	return err ? NULL : p;
}
#define LOAD(type, ...) ({ struct bpfbox_insn in_[] = { __VA_ARGS__ }; \
	load_t(type, 0, in_, sizeof(in_) / sizeof(in_[0]), NULL); })

/* a load that must fail with `msg` in the log */
#define REFUSE(type, msg, ...) do { \
	struct bpfbox_insn in_[] = { __VA_ARGS__ }; int e_ = 0; \
	struct bpfbox_prog *p_ = load_t(type, 0, in_, sizeof(in_) / sizeof(in_[0]), &e_); \
	CHECK_MSG(!p_ && e_ < 0, "load should fail: %s", msg); \
	CHECK_MSG(strstr(last_log, msg) != NULL, "log '%s' lacks '%s'", last_log, msg); \
	bpfbox_prog__free(p_); } while (0)
#define REFUSE_NV(...) do { t_no_verify = true; REFUSE(__VA_ARGS__); t_no_verify = false; } while (0)
#define LOAD_NV(...) ({ t_no_verify = true; struct bpfbox_prog *p_ = LOAD(__VA_ARGS__); \
	t_no_verify = false; p_; })

static uint8_t pkt[1600];

/* run p on the packet in trusted and checked mode; both must agree; returns retval */
static uint32_t run_pkt(struct bpfbox_prog *p, size_t n, uint8_t *out, uint32_t *out_len, int *err)
{
	uint32_t r[2] = { 0 }, len[2] = { 0 };
	static uint8_t o2[2][4096];
	int e[2];

	for (int m = 0; m < 2; m++) {
		BPFBOX_OPTS(bpfbox_test_run_opts, o, .engine = tl_engine_for(m), .data_in = pkt, .data_size_in = (uint32_t)n,
			    .data_out = o2[m], .data_size_out = 4096,
			    .mode = m ? BPFBOX_RUN_CHECKED : BPFBOX_RUN_TRUSTED);
		e[m] = bpfbox_prog__test_run(p, &o);
		r[m] = o.retval;
		len[m] = o.data_size_out;
	}
	CHECK_MSG(e[0] == e[1] && r[0] == r[1] && len[0] == len[1] &&
		  (e[0] || !memcmp(o2[0], o2[1], len[0])), "trusted and checked runs differ");
	if (out)
		memcpy(out, o2[0], len[0] < 4096 ? len[0] : 4096);
	if (out_len)
		*out_len = len[0];
	if (err)
		*err = e[0];
	return r[0];
}

static void make_pkt(size_t n)
{
	for (size_t i = 0; i < n; i++)
		pkt[i] = (uint8_t)(i * 7 + 3);
	memset(pkt, 0, 6);          /* to us: PACKET_HOST */
	pkt[12] = 0x08;             /* IPv4 */
	pkt[13] = 0x00;
	pkt[14] = 0x45;
}

/* ---- XDP ---------------------------------------------------------------------------- */

static void test_xdp_fields(void)
{
	struct bpfbox_prog *p;
	uint32_t len;

	make_pkt(100);
	/* r0 = data_end - data: 32-bit loads become 64-bit pointer loads */
	p = LOAD(BPF_PROG_TYPE_XDP, LDX(BPF_W, 2, 1, 0), LDX(BPF_W, 3, 1, 4), MOVX(0, 3),
		 SUBX(0, 2), EXIT());
	CHECK(p != NULL);
	if (p) {
		const struct bpfbox_insn *x = bpfbox_prog__insns(p);
		CHECK_EQ_INT(bpfbox_prog__insn_cnt(p), 5);
		CHECK_EQ_INT(x[0].code, BPF_LDX | BPF_MEM | BPF_DW);
		CHECK_EQ_INT(run_pkt(p, 100, NULL, &len, NULL), 100);
		CHECK_EQ_INT(len, 100);
	}
	bpfbox_prog__free(p);
	/* data_meta == data without metadata; ingress_ifindex 1 (lo), rx queue 0 */
	p = LOAD(BPF_PROG_TYPE_XDP, LDX(BPF_W, 2, 1, 0), LDX(BPF_W, 3, 1, 8), MOVX(0, 2), SUBX(0, 3),
		 LDX(BPF_W, 4, 1, 12), ADDK(0, 0), STX(BPF_DW, 10, 4, -8), LDX(BPF_W, 5, 1, 16),
		 LDX(BPF_DW, 4, 10, -8), I(BPF_ALU64 | BPF_LSH | BPF_K, 4, 0, 0, 8),
		 I(BPF_ALU64 | BPF_OR | BPF_X, 0, 4, 0, 0), I(BPF_ALU64 | BPF_LSH | BPF_K, 5, 0, 0, 16),
		 I(BPF_ALU64 | BPF_OR | BPF_X, 0, 5, 0, 0), EXIT());
	CHECK(p != NULL);
	if (p) {
		uint32_t md[6] = { 0, 100, 0, 7, 3, 0 }, mo[6] = { 0 };
		BPFBOX_OPTS(bpfbox_test_run_opts, o, .engine = tl_engine(), .data_in = pkt, .data_size_in = 100,
			    .ctx_in = md, .ctx_size_in = sizeof(md), .ctx_out = mo,
			    .ctx_size_out = sizeof(mo));

		CHECK_EQ_INT(run_pkt(p, 100, NULL, NULL, NULL), 1 << 8);
		CHECK_EQ_INT(bpfbox_prog__test_run(p, &o), 0);
		CHECK_EQ_INT(o.retval, 7 << 8 | 3 << 16);
		CHECK_EQ_INT(mo[1], 100);
		CHECK_EQ_INT(mo[3], 7);
		md[4] = 0;
		md[0] = 8;	/* 8 bytes of metadata: data - data_meta = 8 */
		o.ctx_size_out = sizeof(mo);
		CHECK_EQ_INT(bpfbox_prog__test_run(p, &o), 0);
		CHECK_EQ_INT(o.retval & 0xff, 8);
		CHECK_EQ_INT(o.data_size_out, 100);
		CHECK_EQ_INT(mo[0], 8);
	}
	bpfbox_prog__free(p);
}

static void test_xdp_invalid(void)
{
	REFUSE(BPF_PROG_TYPE_XDP, "insn 0: invalid bpf_context access off=0 size=1",
	       LDX(BPF_B, 0, 1, 0), EXIT());
	REFUSE(BPF_PROG_TYPE_XDP, "invalid bpf_context access off=4 size=8",
	       LDX(BPF_DW, 0, 1, 4), EXIT());
	REFUSE(BPF_PROG_TYPE_XDP, "invalid bpf_context access off=24 size=4",
	       LDX(BPF_W, 0, 1, 24), EXIT());
	REFUSE(BPF_PROG_TYPE_XDP, "invalid bpf_context access off=20 size=4",  /* egress: devmap only */
	       LDX(BPF_W, 0, 1, 20), EXIT());
	REFUSE(BPF_PROG_TYPE_XDP, "insn 1: invalid bpf_context access off=0 size=4",  /* no writes */
	       MOVK(0, 0), STX(BPF_W, 1, 0, 0), EXIT());
	REFUSE(BPF_PROG_TYPE_XDP, "invalid bpf_context access off=0 size=4",  /* ldsx of a pointer */
	       LDXSX(BPF_W, 0, 1, 0), EXIT());
	REFUSE(BPF_PROG_TYPE_XDP, "invalid bpf_context access off=-4 size=4",
	       LDX(BPF_W, 0, 1, -4), EXIT());
	REFUSE(BPF_PROG_TYPE_XDP, "dereference of modified ctx ptr R1 off=4 disallowed",
	       ADDK(1, 4), LDX(BPF_W, 0, 1, 0), EXIT());
	REFUSE(BPF_PROG_TYPE_XDP, "BPF_ATOMIC stores into R1 ctx is not allowed",
	       MOVK(0, 1), I(BPF_STX | BPF_ATOMIC | BPF_W, 1, 0, 12, BPF_ADD), EXIT());
	/* ctx on one path, the stack on the other */
	REFUSE_NV(BPF_PROG_TYPE_XDP, "insn 4: same insn cannot be used with different pointers",
	       MOVX(3, 1), JEQK(2, 0, 1), MOVX(3, 10), ADDK(0, 0), LDX(BPF_W, 0, 3, -8), EXIT());
	/* egress_ifindex is readable by devmap programs (loads, no test run) */
	{
		struct bpfbox_insn in[] = { LDX(BPF_W, 0, 1, 20), EXIT() };
		int err;
		struct bpfbox_prog *p = load_t(BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, in, 2, &err);
		BPFBOX_OPTS(bpfbox_test_run_opts, o, .engine = tl_engine(), .data_in = pkt, .data_size_in = 64);

		CHECK_EQ_INT(err, 0);
		if (p)
			CHECK_EQ_INT(bpfbox_prog__test_run(p, &o), -EINVAL);
		bpfbox_prog__free(p);
	}
}

static void test_flow(void)
{
	struct bpfbox_prog *p;

	make_pkt(64);
	/* spill ctx to the stack, clobber r1, fill into r6, load data_end */
	p = LOAD(BPF_PROG_TYPE_XDP, STX(BPF_DW, 10, 1, -16), MOVK(1, 0), LDX(BPF_DW, 6, 10, -16),
		 LDX(BPF_W, 2, 6, 0), LDX(BPF_W, 0, 6, 4), SUBX(0, 2), EXIT());
	CHECK(p != NULL);
	if (p)
		CHECK_EQ_INT(run_pkt(p, 64, NULL, NULL, NULL), 64);
	bpfbox_prog__free(p);
	/* ctx flows into a subprogram as r2; the subprogram's own r1 is a scalar */
	p = LOAD(BPF_PROG_TYPE_XDP, MOVX(2, 1), MOVK(1, 5), CALL_LOCAL(1), EXIT(),
		 LDX(BPF_W, 3, 2, 0), LDX(BPF_W, 0, 2, 4), SUBX(0, 3), I(BPF_ALU64 | BPF_ADD | BPF_X, 0, 1, 0, 0),
		 EXIT());
	CHECK(p != NULL);
	if (p)
		CHECK_EQ_INT(run_pkt(p, 64, NULL, NULL, NULL), 69);
	bpfbox_prog__free(p);
	/* both paths agree: a join keeps ctx */
	p = LOAD_NV(BPF_PROG_TYPE_XDP, MOVX(3, 1), JEQK(2, 0, 1), MOVX(3, 1), LDX(BPF_W, 2, 3, 0),
		 LDX(BPF_W, 0, 3, 4), SUBX(0, 2), EXIT());
	CHECK(p != NULL);
	bpfbox_prog__free(p);
	/* a partially overwritten spill is no longer ctx: the load is left alone
	 * (the verifier refuses such programs; here a raw stack load) */
	p = LOAD(BPF_PROG_TYPE_XDP, STX(BPF_DW, 10, 1, -8), ST(BPF_W, 10, -8, 0),
		 LDX(BPF_DW, 2, 10, -8), MOVK(0, 2), EXIT());
	CHECK(p != NULL);
	bpfbox_prog__free(p);
}

/* ---- skb ------------------------------------------------------------------------------ */

struct field {
	int off, size;
	uint64_t want;   /* expected value on make_pkt(80) with the ctx below */
};

static void test_skb_fields(void)
{
	/* ctx_in: mark 0x11223344, priority 5, ingress 9, ifindex 0 (lo), cb, tstamp, gso */
	uint8_t c[192] = { 0 }, co[192];
	uint32_t v;
	const struct field f[] = {
		{ BXH_SKB_LEN, 4, 80 }, { BXH_SKB_LEN, 1, 80 }, { BXH_SKB_LEN + 1, 1, 0 },
		{ BXH_SKB_PKT_TYPE, 4, 0 }, { BXH_SKB_MARK, 4, 0x11223344 },
		{ BXH_SKB_MARK + 1, 1, 0x33 }, { BXH_SKB_MARK + 2, 2, 0x1122 },
		{ BXH_SKB_QUEUE_MAPPING, 4, 0 }, { BXH_SKB_PROTOCOL, 4, 0x0008 },
		{ BXH_SKB_PROTOCOL, 1, 0x08 }, { BXH_SKB_PROTOCOL + 1, 1, 0 },
		{ BXH_SKB_PROTOCOL + 2, 2, 0x0008 },	/* the kernel's quirk: whole field */
		{ BXH_SKB_PROTOCOL + 3, 1, 0 },
		{ BXH_SKB_VLAN_PRESENT, 4, 0 }, { BXH_SKB_VLAN_TCI, 4, 0 }, { BXH_SKB_VLAN_PROTO, 4, 0 },
		{ BXH_SKB_PRIORITY, 4, 5 }, { BXH_SKB_INGRESS_IFINDEX, 4, 9 }, { BXH_SKB_IFINDEX, 4, 1 },
		{ BXH_SKB_TC_INDEX, 4, 0 }, { BXH_SKB_CB, 4, 0xc0 }, { BXH_SKB_CB + 16, 4, 0xc4 },
		{ BXH_SKB_CB, 8, 0xc1000000c0ull }, { BXH_SKB_CB + 17, 1, 0 },
		{ BXH_SKB_HASH, 4, 0 }, { BXH_SKB_TC_CLASSID, 4, 0 }, { BXH_SKB_NAPI_ID, 4, 0 },
		{ BXH_SKB_TSTAMP, 8, 0x123456789ull }, { BXH_SKB_WIRE_LEN, 4, 80 },
		{ BXH_SKB_GSO_SEGS, 4, 3 }, { BXH_SKB_GSO_SIZE, 4, 0x1234 }, { BXH_SKB_SK, 8, 0 },
		{ BXH_SKB_TSTAMP_TYPE, 1, 0 }, { BXH_SKB_HWTSTAMP, 8, 77 },
	};

	v = 0x11223344; memcpy(c + BXH_SKB_MARK, &v, 4);
	v = 5; memcpy(c + BXH_SKB_PRIORITY, &v, 4);
	v = 9; memcpy(c + BXH_SKB_INGRESS_IFINDEX, &v, 4);
	for (int i = 0; i < 5; i++) {
		v = 0xc0 + (uint32_t)i;
		memcpy(c + BXH_SKB_CB + 4 * i, &v, 4);
	}
	{ uint64_t t = 0x123456789ull; memcpy(c + BXH_SKB_TSTAMP, &t, 8); t = 77; memcpy(c + BXH_SKB_HWTSTAMP, &t, 8); }
	v = 3; memcpy(c + BXH_SKB_GSO_SEGS, &v, 4);
	v = 0x51234; memcpy(c + BXH_SKB_GSO_SIZE, &v, 4);	/* truncated to 16 bits */
	make_pkt(80);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		uint8_t sz = f[i].size == 8 ? BPF_DW : f[i].size == 4 ? BPF_W : f[i].size == 2 ? BPF_H : BPF_B;
		struct bpfbox_prog *p = LOAD(BPF_PROG_TYPE_SCHED_CLS, LDX(sz, 0, 1, (int16_t)f[i].off), EXIT());

		CHECK_MSG(p != NULL, "field off %d size %d: %s", f[i].off, f[i].size, last_log);
		if (!p)
			continue;
		for (int m = 0; m < 2; m++) {
			BPFBOX_OPTS(bpfbox_test_run_opts, o, .engine = tl_engine_for(m), .data_in = pkt, .data_size_in = 80,
				    .ctx_in = c, .ctx_size_in = sizeof(c), .ctx_out = co,
				    .ctx_size_out = sizeof(co),
				    .mode = m ? BPFBOX_RUN_CHECKED : BPFBOX_RUN_TRUSTED);
			int err = bpfbox_prog__test_run(p, &o);

			CHECK_MSG(err == 0 && o.r0 == f[i].want,
				  "field off %d size %d (%s): err %d r0 0x%llx, want 0x%llx", f[i].off,
				  f[i].size, m ? "checked" : "trusted", err, (unsigned long long)o.r0,
				  (unsigned long long)f[i].want);
		}
		bpfbox_prog__free(p);
	}
	/* socket filters: len after the pulled Ethernet header; no data pointers */
	{
		struct bpfbox_prog *p = LOAD(BPF_PROG_TYPE_SOCKET_FILTER, LDX(BPF_W, 0, 1, 0), EXIT());
		uint8_t out[128];
		uint32_t len;

		CHECK(p != NULL);
		if (p) {
			CHECK_EQ_INT(run_pkt(p, 80, out, &len, NULL), 66);
			CHECK_EQ_INT(len, 80);
			CHECK_MEM(out, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 14);	/* zeroed by the kernel */
			CHECK_MEM(out + 14, pkt + 14, 66);
		}
		bpfbox_prog__free(p);
	}
	REFUSE(BPF_PROG_TYPE_SOCKET_FILTER, "invalid bpf_context access off=76 size=4",
	       LDX(BPF_W, 0, 1, BXH_SKB_DATA), EXIT());
	REFUSE(BPF_PROG_TYPE_SOCKET_FILTER, "invalid bpf_context access off=8 size=4",
	       MOVK(0, 0), STX(BPF_W, 1, 0, BXH_SKB_MARK), EXIT());
	REFUSE(BPF_PROG_TYPE_SCHED_CLS, "invalid bpf_context access off=88 size=4",	/* family */
	       LDX(BPF_W, 0, 1, BXH_SKB_FAMILY), EXIT());
	REFUSE(BPF_PROG_TYPE_SCHED_CLS, "invalid bpf_context access off=0 size=4",	/* len is read-only */
	       MOVK(0, 0), STX(BPF_W, 1, 0, 0), EXIT());
	REFUSE(BPF_PROG_TYPE_SCHED_CLS, "invalid bpf_context access off=8 size=2",	/* narrow writes */
	       MOVK(0, 0), STX(BPF_H, 1, 0, BXH_SKB_MARK), EXIT());
	REFUSE(BPF_PROG_TYPE_SCHED_CLS, "invalid bpf_context access off=152 size=4",
	       LDX(BPF_W, 0, 1, BXH_SKB_TSTAMP), EXIT());
	REFUSE(BPF_PROG_TYPE_SCHED_CLS, "invalid bpf_context access off=184 size=8",	/* hwtstamp ro */
	       MOVK(0, 0), STX(BPF_DW, 1, 0, BXH_SKB_HWTSTAMP), EXIT());
	REFUSE(BPF_PROG_TYPE_SCHED_CLS, "invalid bpf_context access off=64 size=8",	/* past cb[4] */
	       LDX(BPF_DW, 0, 1, BXH_SKB_CB + 16), EXIT());
	REFUSE(BPF_PROG_TYPE_SCHED_CLS, "invalid bpf_context access off=144 size=8",	/* flow_keys */
	       LDX(BPF_DW, 0, 1, BXH_SKB_FLOW_KEYS), EXIT());
	REFUSE(BPF_PROG_TYPE_SCHED_CLS, "invalid bpf_context access off=192 size=4",
	       LDX(BPF_W, 0, 1, 192), EXIT());
}

static void test_skb_writes(void)
{
	uint8_t co[192] = { 0 };
	uint32_t v;
	/* mark = 0xabc, priority = 3, tc_index = 0x12345 (16 bits kept), queue_mapping
	 * = 0xffff (ignored) then 6, cb[1] = 7 (ST), tstamp, then read them back */
	struct bpfbox_prog *p = LOAD(BPF_PROG_TYPE_SCHED_CLS,
		MOVK(2, 0xabc), STX(BPF_W, 1, 2, BXH_SKB_MARK), ST(BPF_W, 1, BXH_SKB_PRIORITY, 3),
		MOVK(2, 0x12345), STX(BPF_W, 1, 2, BXH_SKB_TC_INDEX),
		MOVK(2, 0xffff), STX(BPF_W, 1, 2, BXH_SKB_QUEUE_MAPPING),
		ST(BPF_W, 1, BXH_SKB_QUEUE_MAPPING, 0x10000), LDX(BPF_W, 3, 1, BXH_SKB_QUEUE_MAPPING),
		ST(BPF_W, 1, BXH_SKB_QUEUE_MAPPING, 6), LDX(BPF_W, 4, 1, BXH_SKB_QUEUE_MAPPING),
		ST(BPF_W, 1, BXH_SKB_CB + 4, 7), MOVK(2, 99), STX(BPF_DW, 1, 2, BXH_SKB_TSTAMP),
		LDX(BPF_W, 0, 1, BXH_SKB_TC_INDEX), I(BPF_ALU64 | BPF_LSH | BPF_K, 3, 0, 0, 20),
		I(BPF_ALU64 | BPF_OR | BPF_X, 0, 3, 0, 0), I(BPF_ALU64 | BPF_LSH | BPF_K, 4, 0, 0, 24),
		I(BPF_ALU64 | BPF_OR | BPF_X, 0, 4, 0, 0), EXIT());

	CHECK(p != NULL);
	if (p) {
		BPFBOX_OPTS(bpfbox_test_run_opts, o, .engine = tl_engine(), .data_in = pkt, .data_size_in = 60,
			    .ctx_out = co, .ctx_size_out = sizeof(co));
		int insns = (int)bpfbox_prog__insn_cnt(p);

		make_pkt(60);
		CHECK_EQ_INT(insns, 21);	/* the STX to queue_mapping became two */
		CHECK_EQ_INT(bpfbox_prog__test_run(p, &o), 0);
		CHECK_EQ_U64(o.r0, 0x2345 | 6ull << 24);
		memcpy(&v, co + BXH_SKB_MARK, 4);
		CHECK_EQ_INT(v, 0xabc);
		memcpy(&v, co + BXH_SKB_PRIORITY, 4);
		CHECK_EQ_INT(v, 3);
		memcpy(&v, co + BXH_SKB_CB + 4, 4);
		CHECK_EQ_INT(v, 7);
		memcpy(&v, co + BXH_SKB_WIRE_LEN, 4);
		CHECK_EQ_INT(v, 60);
		memcpy(&v, co + BXH_SKB_IFINDEX, 4);
		CHECK_EQ_INT(v, 1);
		CHECK_EQ_INT(co[BXH_SKB_TSTAMP], 99);
	}
	bpfbox_prog__free(p);
}

static void test_ld_abs(void)
{
	struct bpfbox_prog *p;
	uint32_t r;

	make_pkt(60);
	/* socket filter: offset 0 is the IPv4 header (0x45) */
	p = LOAD(BPF_PROG_TYPE_SOCKET_FILTER, MOVX(6, 1), LDABS(BPF_B, 0), MOVX(7, 0),
		 LDABS(BPF_H, 2), I(BPF_ALU64 | BPF_LSH | BPF_K, 7, 0, 0, 16),
		 I(BPF_ALU64 | BPF_OR | BPF_X, 0, 7, 0, 0), EXIT());
	CHECK_MSG(p != NULL, "%s", last_log);
	if (p) {
		r = run_pkt(p, 60, NULL, NULL, NULL);
		CHECK_EQ_U64(r, 0x45u << 16 | (uint32_t)pkt[16] << 8 | pkt[17]);
	}
	bpfbox_prog__free(p);
	/* LD_IND past the end: the program stops with r0 = 0 */
	p = LOAD(BPF_PROG_TYPE_SOCKET_FILTER, MOVX(6, 1), MOVK(3, 38), LDIND(BPF_W, 3, 4), MOVK(0, 5),
		 EXIT());
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ_INT(run_pkt(p, 60, NULL, NULL, NULL), 5);	/* 38 + 4 + 4 <= 46 */
		CHECK_EQ_INT(run_pkt(p, 57, NULL, NULL, NULL), 0);
	}
	bpfbox_prog__free(p);
	/* tc: offset 0 is the Ethernet header; SKF_NET_OFF reads the IPv4 header */
	p = LOAD(BPF_PROG_TYPE_SCHED_CLS, MOVX(6, 1), LDABS(BPF_H, 12), MOVX(7, 0),
		 LDABS(BPF_B, -0x100000), I(BPF_ALU64 | BPF_LSH | BPF_K, 7, 0, 0, 8),
		 I(BPF_ALU64 | BPF_OR | BPF_X, 0, 7, 0, 0), EXIT());
	CHECK(p != NULL);
	if (p)
		CHECK_EQ_U64(run_pkt(p, 60, NULL, NULL, NULL), 0x080045);
	bpfbox_prog__free(p);
	REFUSE(BPF_PROG_TYPE_XDP, "BPF_LD_[ABS|IND] instructions not allowed for this program type",
	       MOVX(6, 1), LDABS(BPF_B, 0), EXIT());
	REFUSE_NV(BPF_PROG_TYPE_SOCKET_FILTER, "at the time of BPF_LD_ABS|IND R6 != pointer to skb",
	       LDABS(BPF_B, 0), EXIT());
}

/* ---- refusals ------------------------------------------------------------------------------ */

static void test_refusals(void)
{
	struct bpfbox_prog *x = LOAD(BPF_PROG_TYPE_XDP, MOVK(0, 2), EXIT());
	struct bpfbox_prog *s = LOAD(BPF_PROG_TYPE_SCHED_CLS, MOVK(0, 0), EXIT());
	struct bpfbox_prog *f = LOAD(BPF_PROG_TYPE_SOCKET_FILTER, MOVK(0, 0), EXIT());
	uint8_t out[64];

	CHECK(x && s && f);
	if (!x || !s || !f)
		goto out;
	make_pkt(200);
	for (uint32_t n = 0; n < 14; n++) {
		BPFBOX_OPTS(bpfbox_test_run_opts, o, .engine = tl_engine(), .data_in = pkt, .data_size_in = n);
		CHECK_EQ_INT(bpfbox_prog__test_run(x, &o), -EINVAL);
		CHECK_EQ_INT(bpfbox_prog__test_run(s, &o), -EINVAL);
	}
	{	/* data_out too small: -ENOSPC, partial copy, full size reported */
		BPFBOX_OPTS(bpfbox_test_run_opts, o, .engine = tl_engine(), .data_in = pkt, .data_size_in = 100,
			    .data_out = out, .data_size_out = 50);
		memset(out, 0xee, sizeof(out));
		CHECK_EQ_INT(bpfbox_prog__test_run(x, &o), -ENOSPC);
		CHECK_EQ_INT(o.data_size_out, 100);
		CHECK_EQ_INT(o.retval, 2);
		CHECK_MEM(out, pkt, 50);
		CHECK_EQ_INT(out[50], 0xee);
	}
	{	/* skb: too large, flags, cpu, truncated IPv4 header, ctx fields */
		uint8_t c[200] = { 0 };
		BPFBOX_OPTS(bpfbox_test_run_opts, o, .engine = tl_engine(), .data_in = pkt, .data_size_in = 3713);
		static uint8_t big[4000];

		o.data_in = big;
		CHECK_EQ_INT(bpfbox_prog__test_run(s, &o), -EINVAL);
		o.data_size_in = 3712;
		CHECK_EQ_INT(bpfbox_prog__test_run(s, &o), 0);
		o.data_in = pkt;
		o.data_size_in = 60;
		o.flags = 1;
		CHECK_EQ_INT(bpfbox_prog__test_run(s, &o), -EINVAL);
		o.flags = 4;	/* BPF_F_TEST_SKB_CHECKSUM_COMPLETE is accepted */
		CHECK_EQ_INT(bpfbox_prog__test_run(s, &o), 0);
		o.flags = 0;
		o.cpu = 1;
		CHECK_EQ_INT(bpfbox_prog__test_run(s, &o), -EINVAL);
		o.cpu = 0;
		o.data_size_in = 33;	/* IPv4 with 19 header bytes */
		CHECK_EQ_INT(bpfbox_prog__test_run(f, &o), -EINVAL);
		o.data_size_in = 60;
		o.ctx_in = c;
		o.ctx_size_in = 192;
		c[0] = 1;	/* len may not be set */
		CHECK_EQ_INT(bpfbox_prog__test_run(s, &o), -EINVAL);
		c[0] = 0;
		c[BXH_SKB_HASH] = 1;
		CHECK_EQ_INT(bpfbox_prog__test_run(s, &o), -EINVAL);
		c[BXH_SKB_HASH] = 0;
		c[BXH_SKB_WIRE_LEN] = 10;	/* wire_len < len */
		CHECK_EQ_INT(bpfbox_prog__test_run(s, &o), -EINVAL);
		c[BXH_SKB_WIRE_LEN] = 0;
		o.ctx_size_in = 200;
		c[196] = 1;	/* beyond __sk_buff, not zero */
		CHECK_EQ_INT(bpfbox_prog__test_run(s, &o), -E2BIG);
		c[196] = 0;
		CHECK_EQ_INT(bpfbox_prog__test_run(s, &o), 0);
	}
	{	/* xdp ctx rules */
		uint32_t md[6] = { 0, 100, 0, 0, 0, 0 };
		BPFBOX_OPTS(bpfbox_test_run_opts, o, .engine = tl_engine(), .data_in = pkt, .data_size_in = 100,
			    .ctx_in = md, .ctx_size_in = sizeof(md));

		CHECK_EQ_INT(bpfbox_prog__test_run(x, &o), 0);
		md[1] = 101;	/* data_end beyond the packet */
		CHECK_EQ_INT(bpfbox_prog__test_run(x, &o), -EINVAL);
		md[1] = 90;	/* a shorter linear part: the rest in a fragment */
		o.data_out = pkt + 200;
		o.data_size_out = 200;
		CHECK_EQ_INT(bpfbox_prog__test_run(x, &o), 0);
		CHECK_EQ_INT(o.data_size_out, 100);
		CHECK_MEM(pkt + 200, pkt, 100);
		o.data_out = NULL;
		o.data_size_out = 0;
		md[1] = 100;
		md[0] = 6;	/* metadata not a multiple of 4 */
		CHECK_EQ_INT(bpfbox_prog__test_run(x, &o), -EINVAL);
		md[0] = 220;	/* more than the headroom minus struct xdp_frame */
		md[1] = 100;
		CHECK_EQ_INT(bpfbox_prog__test_run(x, &o), -EINVAL);
		md[0] = 216;
		o.data_size_in = 216 + 14;
		md[1] = 216 + 14;
		CHECK_EQ_INT(bpfbox_prog__test_run(x, &o), 0);
		o.data_size_in = 216 + 13;
		md[1] = 216 + 13;
		CHECK_EQ_INT(bpfbox_prog__test_run(x, &o), -EINVAL);
		o.data_size_in = 100;
		md[0] = 0;
		md[1] = 100;
		md[2] = 4;	/* data_meta must be 0 */
		CHECK_EQ_INT(bpfbox_prog__test_run(x, &o), -EINVAL);
		md[2] = 0;
		md[5] = 2;	/* egress_ifindex */
		CHECK_EQ_INT(bpfbox_prog__test_run(x, &o), -EINVAL);
		md[5] = 0;
		md[4] = 1;	/* rx queue without a device */
		CHECK_EQ_INT(bpfbox_prog__test_run(x, &o), -EINVAL);
		md[3] = 1;	/* lo has one queue */
		CHECK_EQ_INT(bpfbox_prog__test_run(x, &o), -EINVAL);
		md[4] = 0;
		CHECK_EQ_INT(bpfbox_prog__test_run(x, &o), 0);
		o.flags = 1;
		CHECK_EQ_INT(bpfbox_prog__test_run(x, &o), -EINVAL);
		o.flags = 2;	/* live frames */
		CHECK_EQ_INT(bpfbox_prog__test_run(x, &o), -EOPNOTSUPP);
		o.flags = 0;
		o.ctx_in = NULL;
		o.ctx_size_in = 0;
		o.ctx_out = md;	/* ctx_out alone: a zero ctx, linear part 0, all in fragments */
		o.ctx_size_out = sizeof(md);
		CHECK_EQ_INT(bpfbox_prog__test_run(x, &o), 0);
		CHECK_EQ_INT(o.data_size_out, 100);
		CHECK_EQ_INT(md[1], 0);
	}
	{	/* repeat: the mean duration is reported */
		BPFBOX_OPTS(bpfbox_test_run_opts, o, .engine = tl_engine(), .data_in = pkt, .data_size_in = 64, .repeat = 1000);
		CHECK_EQ_INT(bpfbox_prog__test_run(x, &o), 0);
		CHECK(o.duration < 1000000);
	}
out:
	bpfbox_prog__free(x);
	bpfbox_prog__free(s);
	bpfbox_prog__free(f);
}

/* ---- other contexts -------------------------------------------------------------------------- */

static void test_bytes_contexts(void)
{
	uint64_t args[4] = { 10, 20, 30, 40 };
	struct bpfbox_prog *p;

	/* raw tracepoint: r0 = args[1] + args[3] */
	p = LOAD(BPF_PROG_TYPE_RAW_TRACEPOINT, LDX(BPF_DW, 0, 1, 8), LDX(BPF_DW, 2, 1, 24),
		 I(BPF_ALU64 | BPF_ADD | BPF_X, 0, 2, 0, 0), EXIT());
	CHECK(p != NULL);
	if (p) {
		BPFBOX_OPTS(bpfbox_test_run_opts, o, .engine = tl_engine(), .ctx_in = args, .ctx_size_in = 32);
		CHECK_EQ_INT(bpfbox_prog__test_run(p, &o), 0);
		CHECK_EQ_INT(o.retval, 60);
		o.ctx_size_in = 24;	/* smaller than what the program reads */
		CHECK_EQ_INT(bpfbox_prog__test_run(p, &o), -EINVAL);
		o.ctx_size_in = 32;
		o.data_in = pkt;
		o.data_size_in = 20;
		CHECK_EQ_INT(bpfbox_prog__test_run(p, &o), -EINVAL);
		o.data_in = NULL;
		o.data_size_in = 0;
		o.repeat = 5;
		CHECK_EQ_INT(bpfbox_prog__test_run(p, &o), -EINVAL);
	}
	bpfbox_prog__free(p);
	REFUSE(BPF_PROG_TYPE_RAW_TRACEPOINT, "invalid bpf_context access off=96 size=8",
	       LDX(BPF_DW, 0, 1, 96), EXIT());
	REFUSE(BPF_PROG_TYPE_RAW_TRACEPOINT, "invalid bpf_context access off=0 size=8",
	       MOVK(0, 0), STX(BPF_DW, 1, 0, 0), EXIT());
	/* kprobe: pt_regs->di (offset 112) from the user's bytes */
	p = LOAD(BPF_PROG_TYPE_KPROBE, LDX(BPF_DW, 0, 1, 112), EXIT());
	CHECK(p != NULL);
	if (p) {
		struct bxh_pt_regs regs = { .di = 0x1234 };
		BPFBOX_OPTS(bpfbox_test_run_opts, o, .engine = tl_engine_for(BPFBOX_RUN_CHECKED), .ctx_in = &regs, .ctx_size_in = sizeof(regs),
			    .mode = BPFBOX_RUN_CHECKED);
		CHECK_EQ_INT(bpfbox_prog__test_run(p, &o), 0);
		CHECK_EQ_INT(o.retval, 0x1234);
		o.ctx_size_in = 8;	/* the rest reads as zero */
		CHECK_EQ_INT(bpfbox_prog__test_run(p, &o), 0);
		CHECK_EQ_INT(o.retval, 0);
	}
	bpfbox_prog__free(p);
	REFUSE(BPF_PROG_TYPE_KPROBE, "invalid bpf_context access off=168 size=8",
	       LDX(BPF_DW, 0, 1, 168), EXIT());
	/* tracepoint: the common header (first 8 bytes) is hidden */
	REFUSE(BPF_PROG_TYPE_TRACEPOINT, "invalid bpf_context access off=0 size=4",
	       LDX(BPF_W, 0, 1, 0), EXIT());
	p = LOAD(BPF_PROG_TYPE_TRACEPOINT, LDX(BPF_W, 0, 1, 8), EXIT());
	CHECK(p != NULL);
	if (p) {
		uint32_t rec[4] = { 1, 2, 77, 4 };
		BPFBOX_OPTS(bpfbox_test_run_opts, o, .engine = tl_engine(), .ctx_in = rec, .ctx_size_in = sizeof(rec));
		CHECK_EQ_INT(bpfbox_prog__test_run(p, &o), 0);
		CHECK_EQ_INT(o.retval, 77);
	}
	bpfbox_prog__free(p);
	/* syscall: the context is read and written; ctx_out receives it */
	p = LOAD(BPF_PROG_TYPE_SYSCALL, LDX(BPF_W, 0, 1, 4), ST(BPF_W, 1, 0, 42), EXIT());
	CHECK(p != NULL);
	if (p) {
		uint32_t c[2] = { 1, 9 }, co[2] = { 0 };
		BPFBOX_OPTS(bpfbox_test_run_opts, o, .engine = tl_engine(), .ctx_in = c, .ctx_size_in = 8, .ctx_out = co,
			    .ctx_size_out = 8);
		CHECK_EQ_INT(bpfbox_prog__test_run(p, &o), 0);
		CHECK_EQ_INT(o.retval, 9);
		CHECK_EQ_INT(co[0], 42);
		CHECK_EQ_INT(co[1], 9);
	}
	bpfbox_prog__free(p);
	/* types bpfbox cannot run: verified and loaded (as the kernel loads
	 * them), but every run is refused; unverified, the load is refused */
	REFUSE_NV(BPF_PROG_TYPE_CGROUP_SOCK, "is not supported", MOVK(0, 0), EXIT());
	p = LOAD(BPF_PROG_TYPE_CGROUP_SOCK, MOVK(0, 1), EXIT());
	CHECK(p != NULL);
	if (p) {
		BPFBOX_OPTS(bpfbox_test_run_opts, o, .engine = tl_engine());
		BPFBOX_OPTS(bpfbox_run_opts, ro, .engine = tl_engine());
		CHECK_EQ_INT(bpfbox_prog__test_run(p, &o), -EOPNOTSUPP);
		CHECK(strstr(last_log, "not supported") != NULL);
		CHECK_EQ_INT(bpfbox_prog__run(p, &ro), -EOPNOTSUPP);
		CHECK(strstr(last_log, "can be loaded but not run") != NULL);
	}
	bpfbox_prog__free(p);
}

/* ---- adjust helpers ------------------------------------------------------------------------------ */

static void test_adjust(void)
{
	uint8_t out[4096];
	uint32_t len;
	struct bpfbox_prog *p;

	make_pkt(100);
	/* adjust_head(-14): 14 zero bytes in front */
	p = LOAD(BPF_PROG_TYPE_XDP, MOVK(2, -14), CALL(44), EXIT());
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ_INT(run_pkt(p, 100, out, &len, NULL), 0);
		CHECK_EQ_INT(len, 114);
		CHECK_MEM(out + 14, pkt, 100);
		CHECK_EQ_INT(out[0] | out[13], 0);
	}
	bpfbox_prog__free(p);
	/* adjust_head(+86): 14 bytes left; +87 is refused */
	p = LOAD(BPF_PROG_TYPE_XDP, MOVX(6, 1), MOVK(2, 87), CALL(44), MOVX(7, 0), MOVX(1, 6),
		 MOVK(2, 86), CALL(44), I(BPF_ALU64 | BPF_LSH | BPF_K, 7, 0, 0, 8),
		 I(BPF_ALU64 | BPF_OR | BPF_X, 0, 7, 0, 0), EXIT());
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ_U64(run_pkt(p, 100, out, &len, NULL), (uint32_t)((uint64_t)(int64_t)-EINVAL << 8));
		CHECK_EQ_INT(len, 14);
		CHECK_MEM(out, pkt + 86, 14);
	}
	bpfbox_prog__free(p);
	/* adjust_tail(-50) then (+20): zeroed growth */
	p = LOAD(BPF_PROG_TYPE_XDP, MOVX(6, 1), MOVK(2, -50), CALL(65), MOVX(1, 6), MOVK(2, 20),
		 CALL(65), EXIT());
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ_INT(run_pkt(p, 100, out, &len, NULL), 0);
		CHECK_EQ_INT(len, 70);
		CHECK_MEM(out, pkt, 50);
		CHECK_EQ_INT(out[50] | out[69], 0);
	}
	bpfbox_prog__free(p);
	/* adjust_meta: -8 ok (output grows by 8), -3 -EACCES, -300 -EINVAL */
	p = LOAD(BPF_PROG_TYPE_XDP, MOVX(6, 1), MOVK(2, -3), CALL(54), MOVX(7, 0), MOVX(1, 6),
		 MOVK(2, -300), CALL(54), MOVX(8, 0), MOVX(1, 6), MOVK(2, -8), CALL(54),
		 I(BPF_ALU64 | BPF_ADD | BPF_X, 0, 7, 0, 0), I(BPF_ALU64 | BPF_ADD | BPF_X, 0, 8, 0, 0),
		 EXIT());
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ_INT((int32_t)run_pkt(p, 100, out, &len, NULL), -EACCES - EINVAL);
		CHECK_EQ_INT(len, 108);
		CHECK_MEM(out + 8, pkt, 100);
	}
	bpfbox_prog__free(p);
	/* packet helpers need a packet context; wrong program types are refused */
	REFUSE_NV(BPF_PROG_TYPE_SCHED_CLS, "cannot call helper bpf_xdp_adjust_head#44",
	       MOVK(2, 0), CALL(44), EXIT());
	REFUSE_NV(BPF_PROG_TYPE_XDP, "cannot call helper bpf_skb_load_bytes#26",
	       MOVK(2, 0), CALL(26), EXIT());
	{
		BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "raw");
		BPFBOX_OPTS(bpfbox_run_opts, ro);	/* raw: runs checked, never JIT */
		struct bpfbox_insn in[] = { MOVK(2, 0), CALL(44), EXIT() };
		struct bpfbox_prog *r = NULL;

		CHECK_EQ_INT(bpfbox_prog__load(vm, in, 3, &po, &r), 0);
		if (r) {
			CHECK_EQ_INT(bpfbox_prog__run(r, &ro), -EINVAL);
			CHECK(strstr(last_log, "needs an XDP context") != NULL);
		}
		bpfbox_prog__free(r);
	}
	/* redirect: XDP_REDIRECT, bad flags XDP_ABORTED; tc: TC_ACT_REDIRECT / SHOT */
	p = LOAD(BPF_PROG_TYPE_XDP, MOVK(1, 3), MOVK(2, 0), CALL(23), EXIT());
	if (p)
		CHECK_EQ_INT(run_pkt(p, 100, NULL, NULL, NULL), XDP_REDIRECT);
	bpfbox_prog__free(p);
	p = LOAD(BPF_PROG_TYPE_SCHED_CLS, MOVK(1, 3), MOVK(2, 2), CALL(23), EXIT());
	if (p)
		CHECK_EQ_INT(run_pkt(p, 100, NULL, NULL, NULL), 2);	/* TC_ACT_SHOT */
	bpfbox_prog__free(p);
}

/* ---- the BPF C programs, through the object API ------------------------------------------------ */

static void test_objects(void)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	BPFBOX_OPTS(bpfbox_object_opts, oo, .log = log_cb);
	struct bpfbox_object *obj = NULL;
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/bpf/pkt_xdp.o", build);
	if (!CHECK_MSG((f = fopen(path, "rb")) != NULL, "%s missing (mk/bpf.mk builds it)", path))
		return;
	fclose(f);
	CHECK_EQ_INT(bpfbox_object__open_file(path, &oo, &obj), 0);
	if (obj && bpfbox_object__load(obj, vm, NULL) == 0) {
		struct bpfbox_prog *len = bpfbox_program__prog(bpfbox_object__find_program_by_name(obj, "xdp_len"));
		struct bpfbox_prog *cls = bpfbox_program__prog(bpfbox_object__find_program_by_name(obj, "xdp_classify"));
		struct bpfbox_prog *lim = bpfbox_program__prog(bpfbox_object__find_program_by_name(obj, "xdp_limits"));
		struct bpfbox_prog *adj = bpfbox_program__prog(bpfbox_object__find_program_by_name(obj, "xdp_adjust"));
		uint8_t out[4096];
		uint32_t n;

		make_pkt(120);
		if (len)
			CHECK_EQ_INT(run_pkt(len, 120, NULL, NULL, NULL), 120 + 100000);
		if (cls) {
			pkt[14 + 6] = pkt[14 + 7] = 0;	/* not a fragment */
			pkt[14 + 9] = 17;	/* UDP to port 53 */
			pkt[34 + 2] = 0;
			pkt[34 + 3] = 53;
			CHECK_EQ_INT(run_pkt(cls, 120, NULL, NULL, NULL), 5053);
		}
		if (lim)
			CHECK_EQ_INT(run_pkt(lim, 120, NULL, NULL, NULL), 0x7f);
		if (adj) {
			CHECK_EQ_INT(run_pkt(adj, 120, out, &n, NULL), 0);
			CHECK_EQ_INT(n, 8 + 4 + 64);
			CHECK_MEM(out + 8, "\xef\xbe\xad\xde", 4);
			CHECK_MEM(out + 12, pkt, 64);
		}
	} else {
		CHECK_MSG(0, "pkt_xdp.o does not load: %s", last_log);
	}
	bpfbox_object__close(obj);
}

int main(void)
{
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = log_cb);

	if (bpfbox_vm__new(&vo, &vm)) {
		printf("cannot create a vm\n");
		return 1;
	}
	TL_RUN(test_xdp_fields);
	TL_RUN(test_xdp_invalid);
	TL_RUN(test_flow);
	TL_RUN(test_skb_fields);
	TL_RUN(test_skb_writes);
	TL_RUN(test_ld_abs);
	TL_RUN(test_refusals);
	TL_RUN(test_bytes_contexts);
	TL_RUN(test_adjust);
	TL_RUN(test_objects);
	bpfbox_vm__free(vm);
	return tl_summary();
}

/*
 * test_soundness.c - soundness under fire: a seeded generator writes random
 * socket_filter and XDP programs (as assembly, assembled with bpfbox_asm)
 * out of blocks that use the stack, context fields, the packet behind
 * data_end checks, bpf_skb_load_bytes, array map lookups behind null
 * checks, arithmetic, branches and small bounded loops. About 40% of the
 * programs get one mutation that makes them unsafe: a dropped or
 * off-by-one bounds check, a read wider than the check, a skipped null
 * check, an out-of-range map value or context offset, an uninitialised
 * stack or register read, a helper buffer too small.
 *
 * Every program bpfbox's verifier accepts is then run over random packets
 * (random length 14..256, random bytes), first in CHECKED mode (a -EFAULT
 * there is a soundness failure: a CHECK fails and the program is not run
 * trusted), then in TRUSTED mode, what verified programs get: under
 * `make test SAN=1` an invalid access there is an ASan report, which kills
 * the test. When bpf(2) works the kernel's verdict on each program is
 * compared too: a program the kernel rejects and bpfbox accepts is a
 * failure (CHECK), other differences are reported.
 *
 * Environment: SOUNDNESS_PROGS (default 1000), SOUNDNESS_INPUTS (default
 * 1000), SOUNDNESS_SEED (default 1), SOUNDNESS_VERBOSE=1 prints each
 * unsound program.
 */
#include "bpfbox/bpfbox.h"
#include "kbpf.h"
#include "testlib.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAP_VALUE 48
#define MAP_ENTRIES 4
#define MAX_PKT 256

/* ---- seeded random numbers (xorshift64*) ---------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* 0..n-1 */
static unsigned rn(unsigned n)
{
	return n ? (unsigned)(rnd() % n) : 0;
}

/* ---- program text ---------------------------------------------------------------- */

struct text {
	char buf[16384];
	size_t len;
	int label;
};

static void emit(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len >= sizeof(t->buf) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n < sizeof(t->buf) - t->len ? (size_t)n : sizeof(t->buf) - t->len - 1;
	if (t->len < sizeof(t->buf) - 1)
		t->buf[t->len++] = '\n';
	t->buf[t->len] = 0;
}

enum mutation {
	M_NONE = 0,
	M_DROP_PKT_CHECK,     /* packet read without the data_end check */
	M_PKT_OFF_BY_ONE,     /* the check covers one byte less than the read */
	M_PKT_WIDER_READ,     /* the read is wider than the check */
	M_PKT_UNMASKED_VAR,   /* variable packet offset without its mask */
	M_SKIP_NULL_CHECK,    /* map value used without the null check */
	M_MAP_VALUE_OOB,      /* map value offset past value_size */
	M_MAP_KEY_UNINIT,     /* the key on the stack is never written */
	M_STACK_UNINIT,       /* a stack slot read before it is written */
	M_STACK_OOB,          /* a stack access below r10 - 512 */
	M_REG_UNINIT,         /* a register read before it is written */
	M_CTX_OOB,            /* a context field past the end of the struct */
	M_CTX_WRITE,          /* a store to a read-only context field */
	M_HELPER_BUF,         /* bpf_skb_load_bytes into a too small buffer */
	M_COUNT
};

static const char *const mut_names[M_COUNT] = {
	"none", "drop packet check", "packet check off by one", "read wider than check",
	"unmasked variable offset", "skip null check", "map value out of bounds",
	"uninitialised map key", "uninitialised stack read", "stack out of bounds",
	"uninitialised register", "context out of bounds", "read-only context write",
	"helper buffer too small",
};

struct gen {
	struct text t;
	uint32_t type;        /* BPFBOX_PROG_TYPE_XDP or _SOCKET_FILTER */
	enum mutation mut;    /* the mutation to apply (once) */
	bool mut_done;
	int stack_top;        /* slots written so far: r10-8 .. r10-stack_top */
};

/* Apply the mutation here? (Only the first chance taken.) */
static bool mut(struct gen *g, enum mutation m)
{
	if (g->mut != m || g->mut_done)
		return false;
	g->mut_done = true;
	return true;
}

static const char *sz_name(unsigned sz)
{
	return sz == 1 ? "u8" : sz == 2 ? "u16" : sz == 4 ? "u32" : "u64";
}

/* r9 op= something: scalar arithmetic. */
static void blk_alu(struct gen *g)
{
	static const char *const ops[] = { "+=", "-=", "*=", "^=", "|=", "&=", "<<=", ">>=", "s>>=", "/=", "%=" };
	unsigned n = 1 + rn(4);

	emit(&g->t, "r3 = %u", rn(50));   /* helper calls clobber r1-r5 */
	for (unsigned i = 0; i < n; i++) {
		const char *op = ops[rn(sizeof(ops) / sizeof(ops[0]))];
		bool shift = strstr(op, "<<") || strstr(op, ">>");
		bool w = rn(3) == 0;

		if (rn(2))
			emit(&g->t, "%s9 %s %u", w ? "w" : "r", op, shift ? rn(w ? 32 : 64) : rn(1000) + 1);
		else if (!shift)
			emit(&g->t, "%s9 %s %s3", w ? "w" : "r", op, w ? "w" : "r");
	}
}

/* A stack slot written and read back. */
static void blk_stack(struct gen *g)
{
	unsigned sz = 1u << rn(4);
	int off = -(int)(8 * (1 + rn(8)));   /* r10-8 .. r10-64 */
	int roff = off;

	if (mut(g, M_STACK_OOB))
		off = -520;
	emit(&g->t, "*(%s *)(r10 %d) = r9", sz_name(sz), off);
	if (mut(g, M_STACK_UNINIT))
		roff = -(int)(8 * (20 + rn(40)));  /* never written */
	else
		roff = off;
	emit(&g->t, "r3 = *(%s *)(r10 %d)", sz_name(sz), roff);
	emit(&g->t, "r9 += r3");
}

/* Context fields: xdp_md or __sk_buff. */
static void blk_ctx(struct gen *g)
{
	static const int xdp_off[] = { 12, 16 };                 /* ingress_ifindex, rx_queue_index */
	static const int skb_off[] = { 0, 4, 8, 12, 16, 20, 24 }; /* len, pkt_type, mark, queue_mapping, protocol, vlan_present, vlan_tci */
	bool xdp = g->type == BPFBOX_PROG_TYPE_XDP;
	int off = xdp ? xdp_off[rn(2)] : skb_off[rn(7)];

	if (mut(g, M_CTX_OOB))
		off = xdp ? 28 + 4 * (int)rn(4) : 256 + 4 * (int)rn(8);
	emit(&g->t, "r3 = *(u32 *)(r6 + %d)", off);
	emit(&g->t, "r9 += r3");
	if (!xdp) {
		/* cb[] is writable */
		emit(&g->t, "*(u32 *)(r6 + %d) = w9", 48 + 4 * (int)rn(5));
	}
	if (mut(g, M_CTX_WRITE))
		emit(&g->t, "*(u32 *)(r6 + %d) = w9", xdp ? 12 : 0);
}

/* XDP: a packet read behind a data_end check. */
static void blk_pkt(struct gen *g)
{
	unsigned sz = 1u << rn(4), off = rn(64), chk = off + sz, rsz = sz;
	int l = g->t.label++;

	if (mut(g, M_PKT_OFF_BY_ONE))
		chk--;
	if (mut(g, M_PKT_WIDER_READ) && sz < 8)
		rsz = sz * 2;
	emit(&g->t, "r2 = r7");
	emit(&g->t, "r2 += %u", chk);
	if (!mut(g, M_DROP_PKT_CHECK))
		emit(&g->t, "if r2 > r8 goto L%d", l);
	emit(&g->t, "r3 = *(%s *)(r7 + %u)", sz_name(rsz), off);
	emit(&g->t, "r9 += r3");
	if (rn(2))
		emit(&g->t, "*(%s *)(r7 + %u) = r9", sz_name(rsz), off);
	emit(&g->t, "L%d:", l);
}

/* XDP: a read at a variable (masked) packet offset. */
static void blk_pkt_var(struct gen *g)
{
	int l = g->t.label++;
	unsigned mask = (1u << (1 + rn(5))) - 1;

	emit(&g->t, "r2 = r7");
	emit(&g->t, "r2 += 1");
	emit(&g->t, "if r2 > r8 goto L%d", l);
	emit(&g->t, "r4 = *(u8 *)(r7 + 0)");
	if (!mut(g, M_PKT_UNMASKED_VAR))
		emit(&g->t, "r4 &= %u", mask);
	else
		emit(&g->t, "r4 <<= %u", 8 + rn(8));
	emit(&g->t, "r2 = r7");
	emit(&g->t, "r2 += r4");
	emit(&g->t, "r5 = r2");
	emit(&g->t, "r5 += 2");
	emit(&g->t, "if r5 > r8 goto L%d", l);
	emit(&g->t, "r3 = *(u16 *)(r2 + 0)");
	emit(&g->t, "r9 ^= r3");
	emit(&g->t, "L%d:", l);
}

/* socket filter: bpf_skb_load_bytes into a stack buffer. */
static void blk_load_bytes(struct gen *g)
{
	unsigned len = 1 + rn(16);
	int l = g->t.label++;

	if (mut(g, M_HELPER_BUF))
		len = 40 + rn(32);    /* buffer r10-32..r10, asked for more */
	emit(&g->t, "r1 = r6");
	emit(&g->t, "r2 = %u", rn(20));
	emit(&g->t, "r3 = r10");
	emit(&g->t, "r3 += -32");
	emit(&g->t, "r4 = %u", len);
	emit(&g->t, "call 26");
	emit(&g->t, "if r0 != 0 goto L%d", l);
	emit(&g->t, "r3 = *(u8 *)(r10 - 32)");
	emit(&g->t, "r9 += r3");
	emit(&g->t, "L%d:", l);
}

/* An array map lookup behind a null check. */
static void blk_map(struct gen *g)
{
	unsigned sz = 1u << rn(4), off = rn(MAP_VALUE / sz) * sz;
	int l = g->t.label++;

	if (mut(g, M_MAP_VALUE_OOB))
		off = MAP_VALUE - sz + (rn(2) ? sz : 1);
	if (!mut(g, M_MAP_KEY_UNINIT))
		emit(&g->t, "*(u32 *)(r10 - 68) = %u", rn(MAP_ENTRIES + 2));  /* may miss: null */
	emit(&g->t, "r2 = r10");
	emit(&g->t, "r2 += -68");
	emit(&g->t, "r1 = map[idx:0] ll");
	emit(&g->t, "call 1");
	if (!mut(g, M_SKIP_NULL_CHECK))
		emit(&g->t, "if r0 == 0 goto L%d", l);
	emit(&g->t, "r3 = *(%s *)(r0 + %u)", sz_name(sz), off);
	emit(&g->t, "r9 += r3");
	if (rn(2))
		emit(&g->t, "*(%s *)(r0 + %u) = r9", sz_name(sz), off);
	emit(&g->t, "L%d:", l);
}

/* A small bounded loop. */
static void blk_loop(struct gen *g)
{
	int l = g->t.label++;

	emit(&g->t, "r4 = 0");
	emit(&g->t, "L%d:", l);
	emit(&g->t, "r9 += r4");
	emit(&g->t, "r9 *= 3");
	emit(&g->t, "r4 += 1");
	emit(&g->t, "if r4 < %u goto L%d", 2 + rn(14), l);
}

/* A data-dependent branch around another block. */
static void blk_branch(struct gen *g, void (*inner)(struct gen *))
{
	int l = g->t.label++;

	emit(&g->t, "if r9 %s %u goto L%d", rn(2) ? ">" : "s<", rn(100), l);
	inner(g);
	emit(&g->t, "L%d:", l);
}

/* A whole program. */
static void gen_prog(struct gen *g)
{
	bool xdp = g->type == BPFBOX_PROG_TYPE_XDP;
	unsigned nblk = 2 + rn(7);

	g->t.len = 0;
	g->t.buf[0] = 0;
	g->t.label = 0;
	g->mut_done = false;
	emit(&g->t, "r6 = r1");
	if (mut(g, M_REG_UNINIT))
		emit(&g->t, "r9 = r%u", 2 + rn(4));
	else
		emit(&g->t, "r9 = %u", rn(100));
	emit(&g->t, "r3 = 7");
	if (xdp) {
		emit(&g->t, "r7 = *(u32 *)(r6 + 0)");
		emit(&g->t, "r8 = *(u32 *)(r6 + 4)");
	}
	for (unsigned i = 0; i < nblk || (g->mut != M_NONE && !g->mut_done && i < 40); i++) {
		void (*const xdp_blks[])(struct gen *) = { blk_alu, blk_stack, blk_ctx, blk_pkt,
							   blk_pkt_var, blk_map, blk_loop };
		void (*const skb_blks[])(struct gen *) = { blk_alu, blk_stack, blk_ctx,
							   blk_load_bytes, blk_map, blk_loop };
		void (*b)(struct gen *) = xdp ? xdp_blks[rn(7)] : skb_blks[rn(6)];

		if (rn(4) == 0)
			blk_branch(g, b);
		else
			b(g);
	}
	emit(&g->t, "r0 = r9");
	if (xdp) {
		emit(&g->t, "r0 &= 3");   /* XDP_ABORTED..XDP_TX */
		emit(&g->t, "if r0 != 0 goto Lend");
		emit(&g->t, "r0 = 2");
		emit(&g->t, "Lend:");
	}
	emit(&g->t, "exit");
}

/* ---- the kernel, for comparison ---------------------------------------------------- */

/* Kernel verdict: 1 accept, 0 reject, -1 cannot tell (tests/kbpf.c). */
static int kernel_verdict(int map_fd, uint32_t type, const struct bpfbox_insn *insns, size_t cnt)
{
	struct bpfbox_insn *k = malloc(cnt * sizeof(*k));
	static char log[65536];
	bool want_log = getenv("SOUNDNESS_KLOG") != NULL;   /* debugging: print the kernel's log */
	int fd;

	if (!k || map_fd < 0) {
		free(k);
		return -1;
	}
	memcpy(k, insns, cnt * sizeof(*k));
	for (size_t i = 0; i + 1 < cnt; i++)
		if (k[i].code == 0x18 && k[i].src_reg == 5) {   /* map[idx:0] -> the kernel map's fd */
			k[i].src_reg = 1;
			k[i].imm = map_fd;
		}
	fd = kb_prog_load(type, 0, k, cnt, 0, want_log ? log : NULL, want_log ? sizeof(log) : 0, 1);
	if (want_log && fd < 0)
		printf("kernel: %d\n%s\n", fd, log);
	free(k);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return fd == -EACCES || fd == -EINVAL ? 0 : -1;
}

static int kernel_map(void)
{
	return kb_map_create(BPF_MAP_TYPE_ARRAY, 4, MAP_VALUE, MAP_ENTRIES);
}

/* ---- running ------------------------------------------------------------------------ */

static char last_err[512];

static void log_cb(void *ctx, enum bpfbox_log_level lvl, const char *msg)
{
	(void)ctx;
	if (lvl == BPFBOX_LOG_ERROR)
		snprintf(last_err, sizeof(last_err), "%s", msg);
}

/* Random packets: the same sequence for the checked and the trusted pass. */
static size_t make_pkt(uint64_t seed, unsigned i, uint8_t *p)
{
	uint64_t save = rng_state;
	size_t n;

	rng_state = seed ^ (0x9e3779b97f4a7c15ull * (i + 1));
	if (!rng_state)
		rng_state = 1;
	n = 14 + rn(MAX_PKT - 14 + 1);
	for (size_t k = 0; k < n; k++)
		p[k] = (uint8_t)rnd();
	rng_state = save;
	return n;
}

/* Run prog over ninputs packets in mode; returns the number of -EFAULT
 * (or other) failures, the first one described in why. */
static unsigned run_inputs(struct bpfbox_prog *prog, enum bpfbox_run_mode mode, uint64_t seed,
			   unsigned ninputs, char *why, size_t why_sz, unsigned long long *refused)
{
	uint8_t pkt[MAX_PKT], out[MAX_PKT + 512];
	unsigned bad = 0;

	for (unsigned i = 0; i < ninputs; i++) {
		size_t n = make_pkt(seed, i, pkt);
		BPFBOX_OPTS(bpfbox_test_run_opts, t, .data_in = pkt, .data_size_in = (uint32_t)n,
			    .data_out = out, .data_size_out = sizeof(out), .mode = mode,
			    .engine = BPFBOX_ENGINE_INTERP);
		int err;

		last_err[0] = 0;
		err = bpfbox_prog__test_run(prog, &t);
		if (err == -EINVAL) {
			(*refused)++;   /* refused input, as the kernel refuses it (truncated IP header) */
			continue;
		}
		if (err && bad++ == 0)
			snprintf(why, why_sz, "input %u (%zu bytes): %s: %s", i, n, strerror(-err), last_err);
	}
	return bad;
}

static unsigned env_num(const char *name, unsigned def)
{
	const char *s = getenv(name);
	return s && *s ? (unsigned)strtoul(s, NULL, 0) : def;
}

int main(void)
{
	unsigned nprogs = env_num("SOUNDNESS_PROGS", 1000), ninputs = env_num("SOUNDNESS_INPUTS", 1000);
	uint64_t seed = env_num("SOUNDNESS_SEED", 1);
	bool verbose = getenv("SOUNDNESS_VERBOSE") != NULL;
	unsigned gen_valid = 0, gen_mut = 0, acc_valid = 0, acc_mut = 0, asm_fail = 0;
	unsigned unsound = 0, run_fail = 0, k_known = 0, k_disagree = 0, k_unsafe = 0, k_valid_rej = 0;
	unsigned long long inputs = 0, refused = 0;
	unsigned acc_by_mut[M_COUNT] = { 0 }, gen_by_mut[M_COUNT] = { 0 };
	struct bpfbox_vm *vm = NULL;
	struct gen g = { 0 };
	int kmap = kernel_map();
	time_t t0 = time(NULL);
	char why[768];

	setvbuf(stdout, NULL, _IOLBF, 0);
	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = log_cb, .nr_cpus = 1);
	if (!CHECK(bpfbox_vm__new(&vo, &vm) == 0))
		return tl_summary();
	printf("soundness: %u programs, %u inputs each, seed %llu%s\n", nprogs, ninputs,
	       (unsigned long long)seed, kmap >= 0 ? "; kernel verdicts compared" : "; bpf(2) refused: no kernel comparison");

	for (unsigned p = 0; p < nprogs; p++) {
		BPFBOX_OPTS(bpfbox_asm_opts, ao, .filename = "gen.s", .syntax = BPFBOX_SYNTAX_LLVM,
			    .log = log_cb);
		BPFBOX_OPTS(bpfbox_map_create_opts, mo, .nr_cpus = 1);
		struct bpfbox_insn *insns = NULL;
		struct bpfbox_prog *prog = NULL;
		struct bpfbox_map *map = NULL;
		size_t cnt = 0;
		uint64_t pseed = rnd();
		int err, kv;

		g.type = rn(2) ? BPFBOX_PROG_TYPE_XDP : BPFBOX_PROG_TYPE_SOCKET_FILTER;
		g.mut = rn(10) < 4 ? (enum mutation)(1 + rn(M_COUNT - 1)) : M_NONE;
		gen_prog(&g);
		if (g.mut != M_NONE && !g.mut_done)
			g.mut = M_NONE;   /* this type has no block for that mutation */
		*(g.mut ? &gen_mut : &gen_valid) += 1;
		gen_by_mut[g.mut]++;
		err = bpfbox_asm(g.t.buf, g.t.len, &ao, &insns, &cnt);
		if (!CHECK_MSG(err == 0, "generated program %u does not assemble: %s\n%s", p, last_err, g.t.buf)) {
			asm_fail++;
			continue;
		}
		if (bpfbox_map__create(BPFBOX_MAP_TYPE_ARRAY, 4, MAP_VALUE, MAP_ENTRIES, &mo, &map)) {
			CHECK_MSG(0, "cannot create the map");
			free(insns);
			continue;
		}
		{
			struct bpfbox_map *maps[1] = { map };
			BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "gen", .prog_type = g.type,
				    .license = "GPL", .maps = maps, .map_cnt = 1);
			err = bpfbox_prog__load(vm, insns, cnt, &po, &prog);
		}
		kv = kernel_verdict(kmap, g.type, insns, cnt);
		if (kv >= 0) {
			k_known++;
			if (kv != (err == 0)) {
				k_disagree++;
				k_unsafe += kv == 0;
			}
			k_valid_rej += kv == 0 && g.mut == M_NONE;
		}
		if (err == 0) {
			unsigned bad;

			*(g.mut ? &acc_mut : &acc_valid) += 1;
			acc_by_mut[g.mut]++;
			/* checked first: a fault there means the verifier let an
			 * unsafe program through */
			bad = run_inputs(prog, BPFBOX_RUN_CHECKED, pseed, ninputs, why, sizeof(why), &refused);
			inputs += ninputs;
			if (bad) {
				bool fault = strstr(why, strerror(EFAULT)) != NULL;
				*(fault ? &unsound : &run_fail) += 1;
				if (fault && (verbose || unsound <= 3))
					printf("UNSOUND program %u (%s, mutation: %s): %u of %u inputs fault; first %s\n%s\n",
					       p, g.type == BPFBOX_PROG_TYPE_XDP ? "xdp" : "socket_filter",
					       mut_names[g.mut], bad, ninputs, why, verbose || unsound == 1 ? g.t.buf : "");
				else if (!fault && run_fail <= 3)
					printf("program %u: %u runs failed: %s\n", p, bad, why);
			} else {
				/* trusted, as verified programs run: ASan watches */
				bpfbox_map__free(map);
				map = NULL;
				bpfbox_prog__free(prog);
				prog = NULL;
				if (!bpfbox_map__create(BPFBOX_MAP_TYPE_ARRAY, 4, MAP_VALUE, MAP_ENTRIES, &mo, &map)) {
					struct bpfbox_map *maps[1] = { map };
					BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "gen", .prog_type = g.type,
						    .license = "GPL", .maps = maps, .map_cnt = 1);
					if (!bpfbox_prog__load(vm, insns, cnt, &po, &prog)) {
						bad = run_inputs(prog, BPFBOX_RUN_TRUSTED, pseed, ninputs, why, sizeof(why), &refused);
						inputs += ninputs;
						if (bad && run_fail++ < 3)
							printf("program %u: %u trusted runs failed: %s\n", p, bad, why);
					}
				}
			}
		}
		bpfbox_prog__free(prog);
		bpfbox_map__free(map);
		free(insns);
	}

	printf("generated %u programs: %u valid, %u mutated to be unsafe", gen_valid + gen_mut, gen_valid, gen_mut);
	if (asm_fail)
		printf(" (%u did not assemble)", asm_fail);
	printf("\naccepted by bpfbox: %u valid (%u rejected), %u mutated (%u rejected)\n", acc_valid,
	       gen_valid - acc_valid, acc_mut, gen_mut - acc_mut);
	printf("mutated programs accepted, by mutation:\n");
	for (int m = 1; m < M_COUNT; m++)
		if (gen_by_mut[m])
			printf("  %-28s %4u of %4u\n", mut_names[m], acc_by_mut[m], gen_by_mut[m]);
	printf("inputs run: %llu (checked, then trusted if checked was clean; %llu refused by the test run as the kernel does)\n",
	       inputs, refused);
	printf("unsound (an accepted program faults in checked mode): %u; other run failures: %u\n",
	       unsound, run_fail);
	if (k_known)
		printf("kernel comparison: %u programs, %u verdicts differ (%u the kernel rejects but bpfbox accepts); "
		       "valid programs the kernel rejects: %u\n", k_known, k_disagree, k_unsafe, k_valid_rej);
	printf("time: %lld s\n", (long long)(time(NULL) - t0));

	CHECK_MSG(gen_valid + gen_mut == nprogs && asm_fail == 0, "the generator ran");
	CHECK_MSG(unsound == 0, "SOUNDNESS: %u accepted programs made invalid accesses (checked mode -EFAULT)", unsound);
	CHECK_MSG(run_fail == 0, "%u accepted programs failed to run", run_fail);
	/* the kernel is the oracle: nothing it rejects may pass bpfbox */
	if (k_known)
		CHECK_MSG(k_unsafe == 0, "SOUNDNESS: %u programs the kernel rejects are accepted by bpfbox", k_unsafe);
	else
		TL_SKIP("no kernel verdicts (bpf(2) refused): kernel-rejects/bpfbox-accepts not checked");
	if (kmap >= 0)
		close(kmap);
	bpfbox_vm__free(vm);
	return tl_summary();
}

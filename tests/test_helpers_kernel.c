/*
 * test_helpers_kernel.c - the kernel helpers against the running kernel
 * through bpf(2) (no libbpf): the same bytecode loaded in both, then
 *   - bpf_snprintf: 38 formats (output bytes and return value, or the
 *     kernel's refusal at load vs bpfbox's -EINVAL), a BPF_PROG_TYPE_SYSCALL
 *     program with the format in a frozen read-only array map;
 *   - bpf_csum_diff: 120 random cases (sizes 0..67, odd ones too, random
 *     seeds), an XDP program test-run over a 64-byte packet.
 * Each part skips with a message when the kernel refuses the baseline.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfbox/bpfbox.h"
#include "helpers/helpers.h"
#include "testlib.h"
#include "vm/vm_internal.h"
#include "kbpf.h"

static char last_log[2048];

static void capture_log(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	(void)ctx;
	if (level <= BPFBOX_LOG_WARN)
		snprintf(last_log, sizeof(last_log), "%s", msg);
}

static struct bpfbox_vm *vm;
static struct bpfbox_prog *dummy_prog;

#define P(x) ((uint64_t)(uintptr_t)(x))

static struct bpfbox_map *mk_map(uint32_t type, uint32_t ks, uint32_t vs, uint32_t me,
				 uint32_t flags)
{
	BPFBOX_OPTS(bpfbox_map_create_opts, mo, .map_flags = flags, .log = capture_log);
	struct bpfbox_map *m = NULL;
	int err = bpfbox_map__create(type, ks, vs, me, &mo, &m);

	CHECK_MSG(err == 0, "map create type %u: %d %s", type, err, last_log);
	return m;
}

/* Run once in `mode`; returns the run error, r0 in *r0. */
static int run_prog(struct bpfbox_prog *prog, enum bpfbox_run_mode mode, uint64_t *r0)
{
	BPFBOX_OPTS(bpfbox_run_opts, ro, .mode = mode, .cpu = 0);
	int err = bpfbox_prog__run(prog, &ro);

	*r0 = ro.retval;
	return err;
}

/* A fake trusted run for calling helper functions directly. */
static void fake_call(struct bpfbox_call *c)
{
	memset(c, 0, sizeof(*c));
	c->vm = vm;
	c->prog = dummy_prog;
}

/* ---- the kernel as the reference ---------------------------------------------------- */

/* A one-element array map in the kernel: its fd or -errno. */
static int k_map(uint32_t vs, uint32_t flags)
{
	return kb_map_create_ex(BPF_MAP_TYPE_ARRAY, 4, vs, 1, flags, 0);
}

/* Element 0 of the kernel array map fd = val: 0 or -errno. */
static int k_update(int fd, const void *val)
{
	uint32_t k = 0;

	return kb_map_update(fd, &k, val);
}

static int k_lookup(int fd, void *val)
{
	union bpf_attr a;
	uint32_t k = 0;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = P(&k);
	a.value = P(val);
	return (int)kb_sys(BPF_MAP_LOOKUP_ELEM, &a);
}

static int k_freeze(int fd)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	return (int)kb_sys(BPF_MAP_FREEZE, &a);
}

static char k_log[65536];

/* BPF_PROG_LOAD with the verifier log in k_log: the fd or -errno. */
static int k_load(uint32_t type, const struct bpfbox_insn *insns, size_t cnt, uint32_t flags)
{
	return kb_prog_load(type, 0, insns, cnt, flags, k_log, sizeof(k_log), 1);
}

static int k_run(int fd, const void *data, uint32_t size, uint32_t *retval)
{
	union bpf_attr a;
	int err;

	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = P(data);
	a.test.data_size_in = size;
	a.test.repeat = data ? 1 : 0;	/* syscall programs refuse repeat */
	err = (int)kb_sys(BPF_PROG_TEST_RUN, &a);
	*retval = a.test.retval;
	return err;
}

#define I(c, d, s, o, i) ((struct bpfbox_insn){ .code = (uint8_t)(c), .dst_reg = (d), \
	.src_reg = (s), .off = (int16_t)(o), .imm = (int32_t)(i) })

/* lddw of a map value: kernel src 2 (fd), bpfbox src 6 (index) */
static size_t emit_mapval(struct bpfbox_insn *p, int dst, bool kernel, int fd_or_idx, int off)
{
	p[0] = I(BPF_LD | BPF_DW | BPF_IMM, dst, kernel ? BPF_PSEUDO_MAP_VALUE : 6, 0, fd_or_idx);
	p[1] = I(0, 0, 0, 0, off);
	return 2;
}

static size_t emit_lddw(struct bpfbox_insn *p, int dst, uint64_t v)
{
	p[0] = I(BPF_LD | BPF_DW | BPF_IMM, dst, 0, 0, (uint32_t)v);
	p[1] = I(0, 0, 0, 0, (uint32_t)(v >> 32));
	return 2;
}

/* One bpf_snprintf case: arguments are numbers or blobs (copied into the
 * args map after the 12 slots, the slot then points at them). */
struct sn_arg {
	uint64_t v;
	const void *blob;
	size_t blen;
};

struct sn_case {
	const char *fmt;
	uint32_t str_size;
	int nargs;
	struct sn_arg a[6];
};

#define SN_ARGS_SZ 256
#define SN_OUT_SZ 256

/* Build: fill pointer slots, r0 = snprintf(out+8, str_size, fmt, args, n*8),
 * store r0 at out[0]. ids: fmt, args, out (fds or indexes). */
static size_t build_sn(struct bpfbox_insn *p, bool kernel, const int ids[3],
		       const struct sn_case *c)
{
	size_t n = 0, off = 96;

	n += emit_mapval(p + n, 6, kernel, ids[1], 0);
	for (int i = 0; i < c->nargs; i++) {
		if (!c->a[i].blob)
			continue;
		p[n++] = I(BPF_ALU64 | BPF_MOV | BPF_X, 7, 6, 0, 0);
		p[n++] = I(BPF_ALU64 | BPF_ADD | BPF_K, 7, 0, 0, (int32_t)off);
		p[n++] = I(BPF_STX | BPF_MEM | BPF_DW, 6, 7, i * 8, 0);
		off += c->a[i].blen;
	}
	n += emit_mapval(p + n, 1, kernel, ids[2], 8);
	p[n++] = I(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, c->str_size);
	n += emit_mapval(p + n, 3, kernel, ids[0], 0);
	p[n++] = I(BPF_ALU64 | BPF_MOV | BPF_X, 4, 6, 0, 0);
	p[n++] = I(BPF_ALU64 | BPF_MOV | BPF_K, 5, 0, 0, c->nargs * 8);
	p[n++] = I(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_snprintf);
	n += emit_mapval(p + n, 1, kernel, ids[2], 0);
	p[n++] = I(BPF_STX | BPF_MEM | BPF_DW, 1, 0, 0, 0);
	p[n++] = I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	p[n++] = I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return n;
}

static void sn_fill_args(const struct sn_case *c, uint8_t *args)
{
	size_t off = 96;

	memset(args, 0, SN_ARGS_SZ);
	for (int i = 0; i < c->nargs; i++) {
		if (c->a[i].blob) {
			memcpy(args + off, c->a[i].blob, c->a[i].blen);
			off += c->a[i].blen;
		} else {
			memcpy(args + i * 8, &c->a[i].v, 8);
		}
	}
}

/* Run one case in the kernel: 1 and *ret/out, 0 if the kernel refused to
 * load the program (the format), < 0 if something else failed. */
static int sn_kernel(const struct sn_case *c, int64_t *ret, char *out)
{
	uint8_t fmt[128] = { 0 }, args[SN_ARGS_SZ], outv[SN_OUT_SZ] = { 0 };
	struct bpfbox_insn prog[128];
	int ids[3], fd = -1, res = -1;
	uint32_t retval;
	size_t n;

	ids[0] = k_map(sizeof(fmt), BPF_F_RDONLY_PROG);
	ids[1] = k_map(SN_ARGS_SZ, 0);
	ids[2] = k_map(SN_OUT_SZ, 0);
	if (ids[0] < 0 || ids[1] < 0 || ids[2] < 0)
		goto out;
	snprintf((char *)fmt, sizeof(fmt), "%s", c->fmt);
	sn_fill_args(c, args);
	if (k_update(ids[0], fmt) || k_freeze(ids[0]) || k_update(ids[1], args)) {
		fprintf(stderr, "sn_kernel: map setup failed: %s\n", strerror(errno));
		goto out;
	}
	n = build_sn(prog, true, ids, c);
	fd = k_load(BPF_PROG_TYPE_SYSCALL, prog, n, BPF_F_SLEEPABLE);
	if (fd < 0) {
		if (getenv("SN_DEBUG"))
			fprintf(stderr, "sn_kernel: \"%s\": load refused (%d): %s\n", c->fmt, fd, k_log);
		res = 0;
		goto out;
	}
	if (k_run(fd, NULL, 0, &retval) || k_lookup(ids[2], outv)) {
		fprintf(stderr, "sn_kernel: run failed: %s\n", strerror(errno));
		goto out;
	}
	memcpy(ret, outv, 8);
	memcpy(out, outv + 8, SN_OUT_SZ - 8);
	res = 1;
out:
	for (int i = 0; i < 3; i++)
		if (ids[i] >= 0)
			close(ids[i]);
	if (fd >= 0)
		close(fd);
	return res;
}

/* The same program in bpfbox (checked run): 0 and *ret/out, or the error. */
static int sn_bpfbox(const struct sn_case *c, int64_t *ret, char *out)
{
	uint8_t fmt[128] = { 0 }, args[SN_ARGS_SZ], outv[SN_OUT_SZ] = { 0 };
	struct bpfbox_map *maps[3] = { 0 };
	struct bpfbox_insn prog[128];
	struct bpfbox_prog *bp = NULL;
	static const int ids[3] = { 0, 1, 2 };
	uint32_t k = 0;
	uint64_t r0;
	int err = -ENOMEM;
	size_t n;

	maps[0] = mk_map(BPF_MAP_TYPE_ARRAY, 4, sizeof(fmt), 1, BPF_F_RDONLY_PROG);
	maps[1] = mk_map(BPF_MAP_TYPE_ARRAY, 4, SN_ARGS_SZ, 1, 0);
	maps[2] = mk_map(BPF_MAP_TYPE_ARRAY, 4, SN_OUT_SZ, 1, 0);
	if (!maps[0] || !maps[1] || !maps[2])
		goto out;
	snprintf((char *)fmt, sizeof(fmt), "%s", c->fmt);
	sn_fill_args(c, args);
	bpfbox_map__update_elem(maps[0], &k, fmt, 0);
	bpfbox_map__update_elem(maps[1], &k, args, 0);
	n = build_sn(prog, false, ids, c);
	{
		BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "sn", .license = "GPL", .maps = maps,
			    .map_cnt = 3);
		err = bpfbox_prog__load(vm, prog, n, &po, &bp);
	}
	if (err)
		goto out;
	err = run_prog(bp, BPFBOX_RUN_CHECKED, &r0);
	bpfbox_map__lookup_elem(maps[2], &k, outv, 0);
	memcpy(ret, outv, 8);
	memcpy(out, outv + 8, SN_OUT_SZ - 8);
out:
	bpfbox_prog__free(bp);
	for (int i = 0; i < 3; i++)
		bpfbox_map__free(maps[i]);
	return err;
}

#define NUM(x) { .v = (uint64_t)(x) }
#define STR(s) { .blob = s, .blen = sizeof(s) }
#define BLOB(b) { .blob = b, .blen = sizeof(b) }

static void test_kernel_snprintf(void)
{
	static const uint8_t ip4[4] = { 10, 0, 200, 7 };
	static const uint8_t ip6[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x1a, 0x2b, 0xff,
					 0xfe, 0x3c, 0x4d, 0x5e };
	static const struct sn_case cases[] = {
		{ "plain", 64, 0, { { 0 } } },
		{ "%d %i %u %x %X", 200, 5, { NUM(-5), NUM(7), NUM(-1), NUM(255), NUM(0xabc) } },
		{ "%ld|%lld|%lu|%llx|%lX", 200, 5, { NUM(-1234567890123ll), NUM(-1), NUM(-1),
						      NUM(0x123456789abcdefull), NUM(-2) } },
		{ "[%5d|%-5d|%05d|%+d|% d|%05d]", 200, 6, { NUM(42), NUM(42), NUM(42), NUM(42),
							    NUM(42), NUM(-42) } },
		{ "[%+5u|% x|%+x|%-+5d|%0-5d|%08lld]", 200, 6, { NUM(3), NUM(3), NUM(3), NUM(3),
								NUM(3), NUM(-77) } },
		{ "[%c%c%c|%3c|%-3c]", 200, 5, { NUM('a'), NUM('b'), NUM('c'), NUM('x'), NUM('y') } },
		{ "%s|%10s|%-6s|%s|", 200, 4, { STR("hello"), STR("hi"), STR("x"), STR("") } },
		{ "%pI4 %pi4", 200, 2, { BLOB(ip4), BLOB(ip4) } },
		{ "%pI6 %pi6", 200, 2, { BLOB(ip6), BLOB(ip6) } },
		{ "%pI6c! %pI4abc.", 200, 2, { BLOB(ip6), BLOB(ip4) } },
		{ "%px|%20px|%-20px|%5d%%", 200, 4, { NUM(0x1234), NUM(0xdead), NUM(1), NUM(9) } },
		{ "%pks.", 200, 1, { STR("kernel string") } },
		{ "%ps", 200, 1, { NUM(0x1234) } },
		{ "%d", 200, 3, { NUM(1), NUM(2), NUM(3) } },
		{ "x%%y%%", 200, 0, { { 0 } } },
		{ "%s-%s", 5, 2, { STR("abcdef"), STR("ghi") } },
		{ "%d", 0, 1, { NUM(123456) } },
		{ "[%s|%pI4]", 200, 2, { NUM(8), NUM(8) } },
		{ "%s", 200, 1, { STR("a long string that goes on and on and on ......") } },
		{ "tab\there\nnl", 200, 0, { { 0 } } },
		/* refused */
		{ "%o", 64, 1, { NUM(1) } },
		{ "%hd", 64, 1, { NUM(1) } },
		{ "%hhx", 64, 1, { NUM(1) } },
		{ "%.2d", 64, 1, { NUM(1) } },
		{ "%#x", 64, 1, { NUM(1) } },
		{ "%pM", 64, 1, { BLOB(ip6) } },
		{ "%pI5", 64, 1, { BLOB(ip6) } },
		{ "%sx", 64, 1, { STR("s") } },
		{ "%pksx", 64, 1, { STR("s") } },
		{ "%n", 64, 1, { NUM(1) } },
		{ "%f", 64, 1, { NUM(1) } },
		{ "%zu", 64, 1, { NUM(1) } },
		{ "%lu %", 64, 2, { NUM(1), NUM(2) } },
		{ "%d %d", 64, 1, { NUM(1) } },
		{ "%pe", 64, 1, { NUM(1) } },
		{ "%5.1d", 64, 1, { NUM(1) } },
		{ "bell\a", 64, 0, { { 0 } } },
		{ "%lld%", 64, 1, { NUM(1) } },
	};
	int64_t kret, bret;
	char kout[SN_OUT_SZ], bout[SN_OUT_SZ];
	int k, b, compared = 0, refused = 0;

	k = sn_kernel(&cases[0], &kret, kout);
	if (k != 1) {
		TL_SKIP("kernel bpf_snprintf differential: cannot load a syscall program (%d)", k);
		return;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(kout, 0, sizeof(kout));
		memset(bout, 0, sizeof(bout));
		kret = bret = 0;
		k = sn_kernel(&cases[i], &kret, kout);
		b = sn_bpfbox(&cases[i], &bret, bout);
		if (!CHECK_MSG(k >= 0 && b == 0, "case \"%s\": kernel %d bpfbox %d (%s)",
			       cases[i].fmt, k, b, last_log))
			continue;
		compared++;
		if (k == 0) {	/* the kernel refuses the format at load */
			refused++;
			CHECK_MSG(bret == -EINVAL, "format \"%s\": the kernel refuses it, bpfbox "
				  "returned %lld \"%s\"", cases[i].fmt, (long long)bret, bout);
			continue;
		}
		CHECK_MSG(kret == bret, "format \"%s\": kernel returned %lld, bpfbox %lld",
			  cases[i].fmt, (long long)kret, (long long)bret);
		CHECK_MSG(memcmp(kout, bout, sizeof(kout)) == 0,
			  "format \"%s\": kernel \"%s\", bpfbox \"%s\"", cases[i].fmt, kout, bout);
	}
	CHECK(compared == (int)(sizeof(cases) / sizeof(cases[0])));
	CHECK_EQ_INT(refused, 18);
	printf("bpf_snprintf: %d formats compared with the kernel (%d refused by both)\n",
	       compared, refused);
}

/* csum_diff: XDP test run in the kernel vs a raw program in bpfbox. */
static size_t build_csum(struct bpfbox_insn *p, const uint8_t *from, uint32_t fs,
			 const uint8_t *to, uint32_t ts, uint32_t seed)
{
	size_t n = 0;

	for (uint32_t i = 0; i < (fs + 3) / 4; i++) {
		uint32_t w = 0;

		memcpy(&w, from + i * 4, 4);
		p[n++] = I(BPF_ST | BPF_MEM | BPF_W, 10, 0, -256 + (int)i * 4, w);
	}
	for (uint32_t i = 0; i < (ts + 3) / 4; i++) {
		uint32_t w = 0;

		memcpy(&w, to + i * 4, 4);
		p[n++] = I(BPF_ST | BPF_MEM | BPF_W, 10, 0, -512 + (int)i * 4, w);
	}
	p[n++] = I(BPF_ALU64 | BPF_MOV | BPF_X, 1, 10, 0, 0);
	p[n++] = I(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, -256);
	p[n++] = I(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, fs);
	p[n++] = I(BPF_ALU64 | BPF_MOV | BPF_X, 3, 10, 0, 0);
	p[n++] = I(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, -512);
	p[n++] = I(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, ts);
	n += emit_lddw(p + n, 5, seed);
	p[n++] = I(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_csum_diff);
	p[n++] = I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return n;
}

/* Naive 16-bit one's-complement sum of little-endian words. */
static uint32_t naive_sum16(const uint8_t *b, size_t len, uint64_t acc)
{
	for (size_t i = 0; i < len; i += 2)
		acc += b[i] | (i + 1 < len ? (uint32_t)b[i + 1] << 8 : 0);
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

static void test_csum(void)
{
	uint8_t from[256], to[256], pkt[64] = { 0 };
	struct bpfbox_insn prog[200];
	unsigned seedr = 12345;
	int kernel_ok = -1, same = 0, cases = 0;

	/* pushing data: the folded sum equals the naive one (mod 0xffff) */
	for (int i = 0; i < 64; i++)
		to[i] = (uint8_t)(i * 37 + 11);
	{
		struct bpfbox_call c;
		uint32_t got, want;

		fake_call(&c);
		got = (uint32_t)bxk_csum_diff(&c, 0, 0, P(to), 64, 0);
		want = naive_sum16(to, 64, 0);
		CHECK(got <= 0xffff);
		CHECK_EQ_U64(got % 0xffff, want % 0xffff);
		/* diffing a buffer against itself: no change */
		got = (uint32_t)bxk_csum_diff(&c, P(to), 64, P(to), 64, 0);
		CHECK_EQ_U64(got % 0xffff, 0);
		CHECK_EQ_INT((long)bxk_csum_diff(&c, 0, 8, P(to), 4, 0), -EINVAL);
	}
	for (int iter = 0; iter < 120; iter++) {
		uint32_t fs, ts, seed, kret = 0;
		uint64_t bret = 0;
		struct bpfbox_prog *bp = NULL;
		size_t n;
		int fd;

		fs = (uint32_t)(rand_r(&seedr) % 17) * 4;
		ts = (uint32_t)(rand_r(&seedr) % 17) * 4;
		if (iter % 5 == 0) {	/* odd sizes too */
			fs += iter % 4;
			ts += (iter / 4) % 4;
		}
		seed = (uint32_t)rand_r(&seedr) * 2654435761u;
		for (int i = 0; i < 256; i++) {
			from[i] = (uint8_t)rand_r(&seedr);
			to[i] = (uint8_t)rand_r(&seedr);
		}
		n = build_csum(prog, from, fs, to, ts, seed);
		{
			BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "csum");
			if (!CHECK_EQ_INT(bpfbox_prog__load(vm, prog, n, &po, &bp), 0))
				continue;
			CHECK_EQ_INT(run_prog(bp, BPFBOX_RUN_CHECKED, &bret), 0);
			bpfbox_prog__free(bp);
		}
		if (kernel_ok == 0)
			continue;
		fd = k_load(BPF_PROG_TYPE_XDP, prog, n, 0);
		if (fd < 0 || k_run(fd, pkt, sizeof(pkt), &kret)) {
			if (kernel_ok < 0) {
				TL_SKIP("kernel csum_diff differential: cannot load/run XDP (%d)", fd);
				kernel_ok = 0;
			}
			if (fd >= 0)
				close(fd);
			continue;
		}
		close(fd);
		kernel_ok = 1;
		cases++;
		same += (uint32_t)bret == kret;
		CHECK_MSG((uint32_t)bret == kret,
			  "csum_diff from_size %u to_size %u seed 0x%x: kernel 0x%x bpfbox 0x%llx",
			  fs, ts, seed, kret, (unsigned long long)bret);
	}
	if (kernel_ok == 1)
		printf("csum_diff: %d/%d cases equal to the kernel\n", same, cases);
}

/* ---- main ---------------------------------------------------------------------------- */

int main(void)
{
	static const struct bpfbox_insn ret0[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K }, { .code = BPF_JMP | BPF_EXIT },
	};
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = capture_log);
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "dummy");

	if (!CHECK_EQ_INT(bpfbox_vm__new(&vo, &vm), 0))
		return tl_summary();
	CHECK_EQ_INT(bpfbox_prog__load(vm, ret0, 2, &po, &dummy_prog), 0);
	TL_RUN(test_csum);
	TL_RUN(test_kernel_snprintf);
	bpfbox_prog__free(dummy_prog);
	bpfbox_vm__free(vm);
	return tl_summary();
}

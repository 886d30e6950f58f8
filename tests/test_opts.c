/*
 * test_opts.c - the options-struct ABI (libbpf's): BPFBOX_OPTS() zeroes the
 * whole struct; a larger struct from a newer caller is accepted when the
 * bytes past the fields this library knows are zero and refused (-EINVAL,
 * with a log line) when one is not; a smaller struct from an older caller
 * reads the fields it lacks as 0. Checked through public entry points
 * (bpfbox_prog__load, bpfbox_prog__run, bpfbox_vm__new) and the internal
 * accessor (bx_opts_load, BX_OPTS_GET / BX_OPTS_SET).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfbox/bpfbox.h"
#include "bpfbox/object.h"
#include "testlib.h"
#include "util/log.h"

static char lastlog[512];

/* keep the last log line */
static void capture(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	(void)ctx; (void)level;
	snprintf(lastlog, sizeof(lastlog), "%s", msg);
}

/* r0 = 7; exit */
static const struct bpfbox_insn prog7[] = {
	{ .code = 0xb7, .dst_reg = 0, .imm = 7 },
	{ .code = 0x95 },
};

/* BPFBOX_OPTS zeroes every byte but the ones set, padding included: fill
 * the stack where the struct will live with 0xff first. */
static __attribute__((noinline)) void dirty_stack(void)
{
	volatile unsigned char junk[512];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = 0xff;
}

static __attribute__((noinline)) void check_macro_zeroes(void)
{
	BPFBOX_OPTS(bpfbox_run_opts, ro, .cpu = 3);
	struct bpfbox_run_opts want;
	unsigned char *p = (unsigned char *)&ro;
	size_t nonzero = 0;

	memset(&want, 0, sizeof(want));
	want.sz = sizeof(want);
	want.cpu = 3;
	CHECK_MEM(&ro, &want, sizeof(want));	/* padding too: memset-built reference */
	for (size_t i = 0; i < sizeof(ro); i++)
		nonzero += p[i] != 0;
	CHECK(nonzero >= 2);
}

int main(void)
{
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = capture);
	struct bpfbox_vm *vm = NULL;
	struct bpfbox_prog *p = NULL;
	const size_t known = sizeof(struct bpfbox_prog_opts);
	unsigned char *big;
	int err;

	dirty_stack();
	check_macro_zeroes();
	CHECK_EQ_INT(bpfbox_vm__new(&vo, &vm), 0);

	/* 1. a newer caller: sz larger than known, a non-zero byte past the known fields */
	big = calloc(1, known + 16);
	{
		struct bpfbox_prog_opts *po = (struct bpfbox_prog_opts *)big;

		po->sz = known + 16;
		po->name = "newer";
		po->prog_type = BPFBOX_PROG_TYPE_SOCKET_FILTER;
		big[known + 3] = 1;
		lastlog[0] = 0;
		err = bpfbox_prog__load(vm, prog7, 2, po, &p);
		CHECK_EQ_INT(err, -EINVAL);
		CHECK(p == NULL);
		CHECK_MSG(strstr(lastlog, "bpfbox_prog_opts") && strstr(lastlog, "unknown non-zero byte"),
			  "log line names the struct and the byte: '%s'", lastlog);
		CHECK_MSG(strstr(lastlog, "offset") != NULL, "log: '%s'", lastlog);

		/* 2. the same struct with a zero tail: accepted */
		big[known + 3] = 0;
		err = bpfbox_prog__load(vm, prog7, 2, po, &p);
		CHECK_EQ_INT(err, 0);
		CHECK_EQ_INT(bpfbox_prog__type(p), BPFBOX_PROG_TYPE_SOCKET_FILTER);
		bpfbox_prog__free(p);
		p = NULL;
	}

	/* 3. an older caller: sz ends before prog_type, whose bytes hold junk */
	memset(big, 0, known + 16);
	{
		struct bpfbox_prog_opts *po = (struct bpfbox_prog_opts *)big;

		po->sz = offsetof(struct bpfbox_prog_opts, prog_type);
		po->name = "older";
		po->prog_type = BPFBOX_PROG_TYPE_XDP;	/* past sz: must read as 0 */
		po->license = (const char *)0x1;	/* past sz: must not be touched */
		err = bpfbox_prog__load(vm, prog7, 2, po, &p);
		CHECK_EQ_INT(err, 0);
		CHECK_EQ_INT(bpfbox_prog__type(p), 0);	/* a raw program */
		CHECK_STR(bpfbox_prog__name(p), "older");
	}

	/* run options of an older caller (no retval field): the library must
	 * not write past its sz; the full struct gets r0 */
	{
		struct bpfbox_run_opts ro;
		const unsigned char *tail = (const unsigned char *)&ro + offsetof(struct bpfbox_run_opts, retval);
		size_t untouched = 0;

		memset(&ro, 0xab, sizeof(ro));
		ro.sz = offsetof(struct bpfbox_run_opts, retval);
		ro.ctx = NULL;
		ro.ctx_size = 0;
		ro.mode = BPFBOX_RUN_AUTO;
		ro.engine = BPFBOX_ENGINE_DEFAULT;
		ro.max_insns = 0;
		ro.task = NULL;
		ro.cpu = -1;
		CHECK_EQ_INT(bpfbox_prog__run(p, &ro), 0);
		for (size_t i = 0; i < sizeof(ro) - offsetof(struct bpfbox_run_opts, retval); i++)
			untouched += tail[i] == 0xab;
		CHECK_EQ_INT(untouched, sizeof(ro) - offsetof(struct bpfbox_run_opts, retval));
		{
			BPFBOX_OPTS(bpfbox_run_opts, full);
			CHECK_EQ_INT(bpfbox_prog__run(p, &full), 0);
			CHECK_EQ_INT(full.retval, 7);
		}
	}
	bpfbox_prog__free(p);

	/* too small to hold sz itself: refused with a line */
	{
		size_t tiny = 4;

		lastlog[0] = 0;
		CHECK_EQ_INT(bpfbox_prog__load(vm, prog7, 2, (const struct bpfbox_prog_opts *)&tiny, &p), -EINVAL);
		CHECK_MSG(strstr(lastlog, "sz") != NULL, "log: '%s'", lastlog);
	}

	/* the accessor itself */
	{
		struct bpfbox_prog_opts small = { .sz = offsetof(struct bpfbox_prog_opts, license) };
		struct bpfbox_prog_opts *sp = &small;

		small.license = "GPL";
		CHECK(BX_OPTS_GET(sp, license, NULL) == NULL);
		CHECK(BX_OPTS_HAS(sp, expected_attach_type));
		small.sz = sizeof(small);
		CHECK_STR(BX_OPTS_GET(sp, license, NULL), "GPL");
	}

	/* a vm's own options: a newer caller's non-zero tail is logged through its own log */
	{
		size_t vk = sizeof(struct bpfbox_vm_opts);
		unsigned char *vb = calloc(1, vk + 8);
		struct bpfbox_vm_opts *v = (struct bpfbox_vm_opts *)vb;
		struct bpfbox_vm *vm2 = NULL;

		v->sz = vk + 8;
		v->log = capture;
		vb[vk + 7] = 0x80;
		lastlog[0] = 0;
		CHECK_EQ_INT(bpfbox_vm__new(v, &vm2), -EINVAL);
		CHECK(vm2 == NULL);
		CHECK_MSG(strstr(lastlog, "bpfbox_vm_opts") != NULL, "log: '%s'", lastlog);
		vb[vk + 7] = 0;
		CHECK_EQ_INT(bpfbox_vm__new(v, &vm2), 0);
		bpfbox_vm__free(vm2);
		free(vb);
	}
	free(big);
	bpfbox_vm__free(vm);
	return tl_summary();
}

/*
 * test_helper_proto.c - an embedder helper with a prototype
 * (bpfbox_vm__set_helper_proto()): the verifier checks its calls and a
 * program calling it runs trusted; without one it runs checked.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfbox/bpfbox.h"
#include "testlib.h"

/* What the helper saw on its last call. */
struct seen {
	unsigned char bytes[16];
	uint64_t len;
	int trusted;	/* a bogus pointer passes bpfbox_call__check_mem: trusted run */
	int calls;
};

/* sum_mem(buf, len) - records the bytes it was given; returns len. */
static uint64_t sum_mem(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
			uint64_t r4, uint64_t r5)
{
	struct seen *s = bpfbox_call__helper_ctx(call);

	(void)r3; (void)r4; (void)r5;
	s->calls++;
	s->trusted = bpfbox_call__check_mem(call, 1, 1, false) == 0;
	s->len = r2;
	if (r2 <= sizeof(s->bytes) && bpfbox_call__check_mem(call, r1, r2, false) == 0)
		memcpy(s->bytes, (const void *)(uintptr_t)r1, (size_t)r2);
	return r2;
}

/* Assemble `text` and load it as a syscall program; the load's errno in
 * *err and the verifier log in log. */
static struct bpfbox_prog *load(struct bpfbox_vm *vm, const char *text, int *err,
				char *log, size_t log_size)
{
	BPFBOX_OPTS(bpfbox_asm_opts, ao, .filename = "helper_proto.s");
	struct bpfbox_insn *insns = NULL;
	struct bpfbox_prog *prog = NULL;
	size_t cnt = 0;

	log[0] = 0;
	if (!CHECK_EQ_INT(bpfbox_asm(text, strlen(text), &ao, &insns, &cnt), 0))
		return NULL;
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "hp", .prog_type = BPFBOX_PROG_TYPE_SYSCALL,
		    .license = "GPL", .log_buf = log, .log_size = log_size);
	*err = bpfbox_prog__load(vm, insns, cnt, &po, &prog);
	free(insns);
	return prog;
}

#define CALL_SEQ(len) "r1 = r10\nr1 += -8\nr2 = " len "\ncall 1000\nexit\n"
static const char good[] =
	"r1 = 0x0807060504030201 ll\n*(u64 *)(r10 - 8) = r1\n" CALL_SEQ("8");
static const char uninit[] = CALL_SEQ("8");
static const char small[] =
	"r1 = 0x0807060504030201 ll\n*(u64 *)(r10 - 8) = r1\n" CALL_SEQ("16");

/* Load `good` in vm, run it in AUTO mode; expect `trusted`. */
static void run_good(struct bpfbox_vm *vm, struct seen *s, int trusted)
{
	static const unsigned char want[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint64_t ctx[2] = { 0, 0 };
	char log[1024];
	int err = -1;
	struct bpfbox_prog *prog = load(vm, good, &err, log, sizeof(log));

	if (!CHECK_MSG(err == 0 && prog, "good program loads (err %d, log: %s)", err, log))
		return;
	memset(s, 0, sizeof(*s));
	BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = ctx, .ctx_size = sizeof(ctx), .mode = BPFBOX_RUN_AUTO);
	CHECK_EQ_INT(bpfbox_prog__run(prog, &ro), 0);
	CHECK_EQ_U64(ro.retval, 8);
	CHECK_EQ_INT(s->calls, 1);
	CHECK_EQ_U64(s->len, 8);
	CHECK_MEM(s->bytes, want, 8);
	CHECK_EQ_INT(s->trusted, trusted);
	bpfbox_prog__free(prog);
}

/* Load `text` in vm: it must be rejected with a message. */
static void rejected(struct bpfbox_vm *vm, const char *text, const char *what)
{
	char log[1024];
	int err = 0;
	struct bpfbox_prog *prog = load(vm, text, &err, log, sizeof(log));

	CHECK_MSG(err < 0 && !prog, "%s: rejected (err %d)", what, err);
	CHECK_MSG(log[0] != 0, "%s: the log says why", what);
	bpfbox_prog__free(prog);
}

int main(void)
{
	struct bpfbox_vm *vm = NULL;
	struct seen s;
	struct bpfbox_helper_proto proto = {
		.sz = sizeof(proto), .ret = BPFBOX_RET_INTEGER,
		.args = { BPFBOX_ARG_PTR_TO_MEM, BPFBOX_ARG_CONST_SIZE },
	};
	struct bpfbox_helper_proto bad = proto;

	CHECK_EQ_INT(bpfbox_vm__new(NULL, &vm), 0);
	if (!vm)
		return tl_summary();
	CHECK_EQ_INT(bpfbox_vm__set_helper_proto(vm, 1000, &proto), -ENOENT);
	CHECK_EQ_INT(bpfbox_vm__register_helper(vm, 1000, "sum_mem", sum_mem, &s), 0);

	/* without a prototype: loads, runs checked */
	run_good(vm, &s, 0);

	/* malformed prototypes */
	bad.args[1] = BPFBOX_ARG_ANYTHING;
	CHECK_EQ_INT(bpfbox_vm__set_helper_proto(vm, 1000, &bad), -EINVAL);
	bad.args[0] = BPFBOX_ARG_CONST_SIZE;
	CHECK_EQ_INT(bpfbox_vm__set_helper_proto(vm, 1000, &bad), -EINVAL);
	bad = proto;
	bad.args[2] = (enum bpfbox_arg_kind)99;
	CHECK_EQ_INT(bpfbox_vm__set_helper_proto(vm, 1000, &bad), -EINVAL);

	/* with one: verified, runs trusted; bad calls are rejected */
	CHECK_EQ_INT(bpfbox_vm__set_helper_proto(vm, 1000, &proto), 0);
	run_good(vm, &s, 1);
	{
		/* uninitialised stack passed to a helper: allowed for root, as in
		 * the kernel (allow_uninit_stack = perfmon_capable) */
		char log[1024];
		int err = -1;
		struct bpfbox_prog *prog = load(vm, uninit, &err, log, sizeof(log));

		CHECK_MSG(err == 0 && prog, "uninitialised buffer: accepted (err %d, log: %s)", err, log);
		bpfbox_prog__free(prog);
	}
	rejected(vm, small, "buffer smaller than the size");

	/* re-registering drops it; NULL removes it */
	CHECK_EQ_INT(bpfbox_vm__register_helper(vm, 1000, "sum_mem", sum_mem, &s), 0);
	run_good(vm, &s, 0);
	CHECK_EQ_INT(bpfbox_vm__set_helper_proto(vm, 1000, &proto), 0);
	CHECK_EQ_INT(bpfbox_vm__set_helper_proto(vm, 1000, NULL), 0);
	run_good(vm, &s, 0);

	bpfbox_vm__free(vm);
	return tl_summary();
}

/*
 * embed.c - embedding libbpfbox: assemble a program that calls a helper
 * of ours on every byte of a buffer, load it, run it checked.
 * Build: make examples (-> build/examples/embed). Prints "r0 = 0x...".
 */
#include <stdio.h>
#include <stdlib.h>

#include "bpfbox/bpfbox.h"

/* Helper 1: add r1 * r2 to a running total kept in helper_ctx. */
static uint64_t mul_acc(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			uint64_t r3, uint64_t r4, uint64_t r5)
{
	uint64_t *acc = bpfbox_call__helper_ctx(call);
	(void)r3; (void)r4; (void)r5;
	return *acc += r1 * r2;
}

static void log_fn(void *ctx, enum bpfbox_log_level lvl, const char *msg)
{
	(void)ctx;
	if (lvl <= BPFBOX_LOG_WARN)
		fprintf(stderr, "bpfbox: %s\n", msg);
}

int main(void)
{
	static const char src[] =
		"r6 = r1\n r7 = r2\n r8 = 0\n r0 = 0\n"
		"loop: if r8 >= r7 goto out\n"
		" r3 = r6\n r3 += r8\n r1 = *(u8 *)(r3 + 0)\n r2 = r8\n r2 += 1\n"
		" call 1\n r8 += 1\n goto loop\n"
		"out: exit\n";
	unsigned char buf[] = { 1, 2, 3, 4, 5 };
	uint64_t acc = 0;
	struct bpfbox_vm *vm = NULL;
	struct bpfbox_prog *prog = NULL;
	struct bpfbox_insn *insns = NULL;
	size_t cnt = 0;
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = log_fn);
	BPFBOX_OPTS(bpfbox_asm_opts, ao, .filename = "embed.s", .log = log_fn);
	BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = buf, .ctx_size = sizeof(buf),
		    .mode = BPFBOX_RUN_CHECKED);
	int err = bpfbox_vm__new(&vo, &vm);

	if (!err)
		err = bpfbox_vm__register_helper(vm, 1, "mul_acc", mul_acc, &acc);
	if (!err)
		err = bpfbox_asm(src, sizeof(src) - 1, &ao, &insns, &cnt);
	if (!err)
		err = bpfbox_prog__load(vm, insns, cnt, NULL, &prog);
	if (!err)
		err = bpfbox_prog__run(prog, &ro);
	if (!err)
		printf("r0 = 0x%llx (sum of i * buf[i-1] for i = 1..5: %llu)\n",
		       (unsigned long long)ro.retval, (unsigned long long)acc);
	bpfbox_prog__free(prog);
	bpfbox_vm__free(vm);
	free(insns);
	return err ? 1 : 0;
}

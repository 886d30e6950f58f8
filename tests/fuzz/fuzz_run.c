/*
 * fuzz_run.c - libFuzzer target: any bytes as a program. Whatever the
 * loader accepts runs in checked mode with a small budget and a 64-byte
 * context; nothing may crash, hang or trip a sanitizer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpfbox/bpfbox.h"

/* Helper 1 (and 5, as in the conformance suite): returns its first argument. */
static uint64_t echo(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
		     uint64_t r4, uint64_t r5)
{
	(void)call; (void)r2; (void)r3; (void)r4; (void)r5;
	return r1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfbox_vm *vm = NULL;
	struct bpfbox_prog *prog = NULL;
	struct bpfbox_insn *insns;
	size_t cnt = size / 8;
	unsigned char ctx[64];

	if (cnt == 0 || cnt > 4096)
		return 0;
	insns = malloc(cnt * sizeof(*insns));
	if (!insns)
		return 0;
	memcpy(insns, data, cnt * sizeof(*insns));
	if (bpfbox_vm__new(NULL, &vm) == 0) {
		bpfbox_vm__register_helper(vm, 1, "echo", echo, NULL);
		bpfbox_vm__register_helper(vm, 5, "echo5", echo, NULL);
		if (bpfbox_prog__load(vm, insns, cnt, NULL, &prog) == 0) {
			BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = ctx, .ctx_size = sizeof(ctx),
				    .mode = BPFBOX_RUN_CHECKED, .max_insns = 10000);
			memset(ctx, 0xa5, sizeof(ctx));
			bpfbox_prog__run(prog, &ro);
			bpfbox_prog__free(prog);
		}
		bpfbox_vm__free(vm);
	}
	free(insns);
	return 0;
}

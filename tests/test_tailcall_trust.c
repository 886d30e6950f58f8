/*
 * test_tailcall_trust.c - a program the verifier proved safe runs trusted;
 * its tail calls may only go to programs proved safe for the same context.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfbox/bpfbox.h"
#include "testlib.h"

/* Assemble `text` and load it as `type` with `map` as map index 0. */
static struct bpfbox_prog *load(struct bpfbox_vm *vm, const char *text, uint32_t type,
				struct bpfbox_map *map)
{
	BPFBOX_OPTS(bpfbox_asm_opts, ao, .filename = "tailcall_trust.s");
	struct bpfbox_insn *insns = NULL;
	struct bpfbox_prog *prog = NULL;
	size_t cnt = 0;

	if (!CHECK_EQ_INT(bpfbox_asm(text, strlen(text), &ao, &insns, &cnt), 0))
		return NULL;
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "tc", .prog_type = type, .license = "GPL",
		    .maps = &map, .map_cnt = map ? 1 : 0);
	CHECK_EQ_INT(bpfbox_prog__load(vm, insns, cnt, &po, &prog), 0);
	free(insns);
	return prog;
}

/* Put `target` in slot 0 and test-run `caller` once; its r0. */
static uint64_t run_with(struct bpfbox_map *pa, struct bpfbox_prog *caller,
			 struct bpfbox_prog *target)
{
	uint64_t args[2] = { 0, 0 };
	uint32_t k = 0;

	CHECK_EQ_INT(bpfbox_map__update_elem(pa, &k, &target, 0), 0);
	BPFBOX_OPTS(bpfbox_test_run_opts, t, .ctx_in = args, .ctx_size_in = sizeof(args));
	if (!CHECK_EQ_INT(bpfbox_prog__test_run(caller, &t), 0))
		return ~0ull;
	return t.r0;
}

int main(void)
{
	struct bpfbox_vm *vm = NULL;
	struct bpfbox_map *pa = NULL;
	struct bpfbox_prog *caller, *raw, *same, *other;

	CHECK_EQ_INT(bpfbox_vm__new(NULL, &vm), 0);
	CHECK_EQ_INT(bpfbox_map__create(BPFBOX_MAP_TYPE_PROG_ARRAY, 4, 4, 1, NULL, &pa), 0);
	if (!vm || !pa)
		return tl_summary();
	caller = load(vm, "r2 = map[idx:0] ll\nr3 = 0\ncall 12\nr0 = 7\nexit\n",
		      BPFBOX_PROG_TYPE_RAW_TRACEPOINT, pa);
	raw = load(vm, "r0 = 99\nexit\n", 0, NULL);
	same = load(vm, "r0 = 42\nexit\n", BPFBOX_PROG_TYPE_RAW_TRACEPOINT, NULL);
	other = load(vm, "r0 = 43\nexit\n", BPFBOX_PROG_TYPE_SYSCALL, NULL);
	if (caller && raw && same && other) {
		CHECK_EQ_U64(run_with(pa, caller, same), 42);   /* verified, same type */
		CHECK_EQ_U64(run_with(pa, caller, raw), 7);     /* unverified: refused, goes on */
		CHECK_EQ_U64(run_with(pa, caller, other), 7);   /* another type: refused */
	}
	bpfbox_prog__free(caller);
	bpfbox_prog__free(raw);
	bpfbox_prog__free(same);
	bpfbox_prog__free(other);
	bpfbox_map__free(pa);
	bpfbox_vm__free(vm);
	return tl_summary();
}

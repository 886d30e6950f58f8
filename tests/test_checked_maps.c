/*
 * test_checked_maps.c - checked mode with hash maps: a run may use as many
 * elements as the map holds (one region per map, not per element), and an
 * access that leaves one value's bytes is still stopped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfbox/bpfbox.h"
#include "testlib.h"

/* Assemble and load `text` with `map` as map index 0. */
static struct bpfbox_prog *load(struct bpfbox_vm *vm, const char *text, struct bpfbox_map *map)
{
	BPFBOX_OPTS(bpfbox_asm_opts, ao, .filename = "checked_maps.s");
	struct bpfbox_insn *insns = NULL;
	struct bpfbox_prog *prog = NULL;
	size_t cnt = 0;

	if (!CHECK_EQ_INT(bpfbox_asm(text, strlen(text), &ao, &insns, &cnt), 0))
		return NULL;
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "checked_maps", .maps = &map, .map_cnt = 1);
	CHECK_EQ_INT(bpfbox_prog__load(vm, insns, cnt, &po, &prog), 0);
	free(insns);
	return prog;
}

/* 500 distinct keys: update, look up, write through the value pointer. */
static const char many_elems[] =
	"r6 = 0\n"
	"loop:\n"
	"*(u64 *)(r10 - 8) = r6\n"
	"*(u64 *)(r10 - 16) = r6\n"
	"r1 = map[idx:0] ll\n"
	"r2 = r10\n"
	"r2 += -8\n"
	"r3 = r10\n"
	"r3 += -16\n"
	"r4 = 0\n"
	"call 2\n"
	"r1 = map[idx:0] ll\n"
	"r2 = r10\n"
	"r2 += -8\n"
	"call 1\n"
	"if r0 == 0 goto out\n"
	"r1 = *(u64 *)(r0 + 0)\n"
	"r1 += 1000\n"
	"*(u64 *)(r0 + 0) = r1\n"
	"r6 += 1\n"
	"if r6 < 500 goto loop\n"
	"out:\n"
	"r0 = r6\n"
	"exit\n";

/* Look up key 0, then access at r0 + OFF (8-byte value). */
static const char *oob_prog(char *buf, size_t size, int off)
{
	snprintf(buf, size,
		 "r1 = 0\n"
		 "*(u64 *)(r10 - 8) = r1\n"
		 "r1 = map[idx:0] ll\n"
		 "r2 = r10\n"
		 "r2 += -8\n"
		 "call 1\n"
		 "if r0 == 0 goto out\n"
		 "r1 = 7\n"
		 "*(u64 *)(r0 %c %d) = r1\n"
		 "out:\n"
		 "r0 = 0\n"
		 "exit\n", off < 0 ? '-' : '+', abs(off));
	return buf;
}

int main(void)
{
	struct bpfbox_vm *vm = NULL;
	struct bpfbox_map *map = NULL;
	struct bpfbox_prog *prog;
	char buf[512];

	CHECK_EQ_INT(bpfbox_vm__new(NULL, &vm), 0);
	CHECK_EQ_INT(bpfbox_map__create(BPFBOX_MAP_TYPE_HASH, 8, 8, 1000, NULL, &map), 0);
	if (!vm || !map)
		return tl_summary();

	prog = load(vm, many_elems, map);
	if (prog) {
		BPFBOX_OPTS(bpfbox_run_opts, ro, .mode = BPFBOX_RUN_CHECKED);
		uint64_t key = 499, val = 0;

		CHECK_EQ_INT(bpfbox_prog__run(prog, &ro), 0);
		CHECK_EQ_U64(ro.retval, 500);
		CHECK_EQ_INT(bpfbox_map__lookup_elem(map, &key, &val, 0), 0);
		CHECK_EQ_U64(val, 499 + 1000);
		bpfbox_prog__free(prog);
	}

	/* inside the value: fine; past it or before it (the key): stopped */
	{
		static const struct { int off; int err; } cases[] = {
			{ 0, 0 }, { 8, -EFAULT }, { -8, -EFAULT }, { 4096, -EFAULT },
		};
		uint64_t key = 0, val = 1;

		CHECK_EQ_INT(bpfbox_map__update_elem(map, &key, &val, 0), 0);
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			BPFBOX_OPTS(bpfbox_run_opts, ro, .mode = BPFBOX_RUN_CHECKED);
			prog = load(vm, oob_prog(buf, sizeof(buf), cases[i].off), map);
			if (!prog)
				continue;
			CHECK_MSG(bpfbox_prog__run(prog, &ro) == cases[i].err,
				  "store at r0 %+d: expected %d", cases[i].off, cases[i].err);
			bpfbox_prog__free(prog);
		}
	}
	bpfbox_map__free(map);
	bpfbox_vm__free(vm);
	return tl_summary();
}

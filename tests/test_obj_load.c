/*
 * test_obj_load.c - bpfbox_object__load(): clang-built objects
 * (tests/bpf/load_*.bpf.c, compiled by mk/bpf.mk into $(BUILD)/bpf) loaded
 * into a VM and run in both checked and trusted mode: global data, a
 * subprogram call, tail calls (chain, the limit of 33, across frames, an
 * empty slot), a map-in-map lookup, lddw BPF_PSEUDO_FUNC resolution, and
 * the load errors (bad map index or offset, BTF ids, CO-RE programs,
 * loading twice).
 *
 * The programs call kernel helpers (map_lookup_elem, tail_call, loop). If
 * the vm does not have them yet (src/helpers), the test registers minimal
 * local versions with the kernel ids.
 */
#include <errno.h>
#include <stdbool.h>
#include <libgen.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfbox/bpfbox.h"
#include "isa/opcodes.h"
#include "maps/map_internal.h"
#include "testlib.h"
#include "vm/vm_internal.h"

static char bpf_dir[512];
static char last_log[1024];

/* Keep the last error (or warning) for the checks. */
static void log_cb(void *ctx, enum bpfbox_log_level lvl, const char *msg)
{
	(void)ctx;
	if (lvl <= BPFBOX_LOG_WARN)
		snprintf(last_log, sizeof(last_log), "%s", msg);
	if (getenv("TEST_VERBOSE"))
		fprintf(stderr, "log[%d]: %s\n", lvl, msg);
}

/* ---- local stand-ins for kernel helpers missing from the vm ------------------ */

/* bpf_map_lookup_elem: the value pointer; checked runs may then use it. */
static uint64_t t_lookup(struct bpfbox_call *call, uint64_t map, uint64_t key, uint64_t r3,
			 uint64_t r4, uint64_t r5)
{
	struct bpfbox_map *m = (struct bpfbox_map *)(uintptr_t)map;
	void *v;

	(void)r3, (void)r4, (void)r5;
	if (bpfbox_call__check_mem(call, key, m->key_size, false))
		return 0;
	v = bxm_lookup(m, (const void *)(uintptr_t)key, call->cpu);
	if (v && !m->ptr_values)
		bxv_run_add_region(call, v, m->value_size, true);
	return (uint64_t)(uintptr_t)v;
}

/* bpf_tail_call: out-of-range indices do not count, empty slots do. */
static uint64_t t_tail_call(struct bpfbox_call *call, uint64_t ctx, uint64_t map,
			    uint64_t idx, uint64_t r4, uint64_t r5)
{
	struct bpfbox_map *m = (struct bpfbox_map *)(uintptr_t)map;

	(void)ctx, (void)r4, (void)r5;
	if ((uint32_t)idx >= m->max_entries)
		return (uint64_t)-ENOENT;
	return (uint64_t)(int64_t)bxv_tail_call(call, bxm_prog_array_get(m, (uint32_t)idx));
}

/* bpf_loop: the callback value back to an instruction, then call it. */
static uint64_t t_loop(struct bpfbox_call *call, uint64_t nr, uint64_t fn, uint64_t ctx,
		       uint64_t flags, uint64_t r5)
{
	uint32_t idx;
	uint64_t i, r0;

	(void)flags, (void)r5;
	if (bxv_func_idx(call, fn, &idx))
		return (uint64_t)-EINVAL;
	for (i = 0; i < nr; i++) {
		if (bxv_call_subprog(call, idx, i, ctx, 0, 0, 0, &r0))
			return (uint64_t)-EINVAL;
		if (r0)
			return i + 1;
	}
	return i;
}

/* A vm with the kernel helpers (or local stand-ins for missing ones). */
static struct bpfbox_vm *new_vm(void)
{
	static const struct { uint32_t id; const char *name; bpfbox_helper_fn fn; } local[] = {
		{ BPF_FUNC_map_lookup_elem, "map_lookup_elem", t_lookup },
		{ BPF_FUNC_tail_call, "tail_call", t_tail_call },
		{ BPF_FUNC_loop, "loop", t_loop },
	};
	BPFBOX_OPTS(bpfbox_vm_opts, o, .log = log_cb, .nr_cpus = 2);
	struct bpfbox_vm *vm = NULL;

	if (bpfbox_vm__new(&o, &vm))
		return NULL;
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		if (!bpfbox_vm__helper_name(vm, local[i].id))
			bpfbox_vm__register_helper(vm, local[i].id, local[i].name, local[i].fn, NULL);
	return vm;
}

/* Open $(BUILD)/bpf/NAME.o with CO-RE target BTF tgt (NULL: default);
 * NULL (and a failure: make builds every object, mk/bpf.mk) if it cannot. */
static struct bpfbox_object *open_obj_tgt(const char *name, const char *tgt)
{
	BPFBOX_OPTS(bpfbox_object_opts, opts, .log = log_cb, .target_btf_path = tgt);
	struct bpfbox_object *obj = NULL;
	char path[640];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/%s.o", bpf_dir, name);
	if (!CHECK_MSG((f = fopen(path, "rb")) != NULL, "%s missing (mk/bpf.mk builds it)", path))
		return NULL;
	fclose(f);
	err = bpfbox_object__open_file(path, &opts, &obj);
	CHECK_MSG(err == 0, "open %s: %d (%s)", path, err, last_log);
	return obj;
}

/* Open $(BUILD)/bpf/NAME.o; NULL (and a failure) if it cannot. */
static struct bpfbox_object *open_obj(const char *name)
{
	return open_obj_tgt(name, NULL);
}

/* Open and load NAME into vm; NULL (reported) on failure. */
static struct bpfbox_object *load_obj(const char *name, struct bpfbox_vm *vm)
{
	struct bpfbox_object *obj = open_obj(name);
	int err;

	if (!obj)
		return NULL;
	err = bpfbox_object__load(obj, vm, NULL);
	CHECK_MSG(err == 0, "load %s: %d (%s)", name, err, last_log);
	if (err) {
		bpfbox_object__close(obj);
		return NULL;
	}
	return obj;
}

/* As load_obj(), unverified: for objects with a program the verifier
 * rejects (write_ro writes .rodata) that a test runs in checked mode. */
static struct bpfbox_object *load_obj_unverified(const char *name, struct bpfbox_vm *vm)
{
	struct bpfbox_object *obj = open_obj(name);
	BPFBOX_OPTS(bpfbox_object_load_opts, lo, .no_verify = true);
	int err;

	if (!obj)
		return NULL;
	err = bpfbox_object__load(obj, vm, &lo);
	CHECK_MSG(err == 0, "load %s: %d (%s)", name, err, last_log);
	if (err) {
		bpfbox_object__close(obj);
		return NULL;
	}
	return obj;
}

/* Run program NAME of obj once in `mode`; returns the error, r0 in *r0. */
static int run(struct bpfbox_object *obj, const char *name, enum bpfbox_run_mode mode,
	       uint64_t *r0)
{
	struct bpfbox_program *p = bpfbox_object__find_program_by_name(obj, name);
	uint8_t ctx[16] = { 0 };
	BPFBOX_OPTS(bpfbox_run_opts, ro, .engine = tl_engine_for(mode), .ctx = ctx, .ctx_size = sizeof(ctx), .mode = mode,
		    .cpu = -1);
	int err;

	if (!p || !bpfbox_program__prog(p)) {
		CHECK_MSG(0, "program %s is not loaded", name);
		return -ENOENT;
	}
	err = bpfbox_prog__run(bpfbox_program__prog(p), &ro);
	*r0 = ro.retval;
	return err;
}

/* A u64 of array map NAME at byte offset off of element 0. */
static uint64_t map_u64(struct bpfbox_object *obj, const char *name, size_t off)
{
	struct bpfbox_map *m = bpfbox_object__find_map_instance(obj, name);
	uint8_t buf[256] = { 0 };
	uint32_t key = 0;
	uint64_t v = 0;

	CHECK_MSG(m != NULL, "map %s has an instance", name);
	if (!m || bpfbox_map__value_size(m) > sizeof(buf) ||
	    bpfbox_map__lookup_elem(m, &key, buf, 0))
		return ~0ull;
	memcpy(&v, buf + off, sizeof(v));
	return v;
}

static const enum bpfbox_run_mode modes[] = { BPFBOX_RUN_CHECKED, BPFBOX_RUN_TRUSTED };
static const char *const mode_names[] = { "checked", "trusted" };

/* ---- global data and a subprogram --------------------------------------------- */

static void test_globals(void)
{
	for (int mi = 0; mi < 2; mi++) {
		struct bpfbox_vm *vm = new_vm();
		struct bpfbox_object *obj = load_obj_unverified("load_globals", vm);
		struct bpfbox_map *ro;
		uint64_t r0 = 0;
		int err;

		if (!obj) {
			bpfbox_vm__free(vm);
			return;
		}
		err = run(obj, "globals", modes[mi], &r0);
		CHECK_MSG(err == 0 && r0 == 34, "%s: globals: err %d r0 %llu (%s)", mode_names[mi],
			  err, (unsigned long long)r0, last_log);
		CHECK_EQ_U64(map_u64(obj, ".bss", 0), 12);
		CHECK_EQ_U64(map_u64(obj, ".data", 0), 22);
		CHECK_EQ_U64(map_u64(obj, ".rodata", 0), 7);
		CHECK_EQ_U64(map_u64(obj, ".data.arr", 8), 13ull | 4ull << 32);
		ro = bpfbox_object__find_map_instance(obj, ".rodata");
		CHECK(ro && (bpfbox_map__map_flags(ro) & BPFBOX_F_RDONLY_PROG));
		/* a second run sees the first one's data */
		err = run(obj, "globals", modes[mi], &r0);
		CHECK_MSG(err == 0 && r0 == (12 + 22 + 7) + (22 * 3 + 7),
			  "%s: second run: err %d r0 %llu", mode_names[mi], err,
			  (unsigned long long)r0);
		/* data the host writes through the map API is what programs see */
		{
			uint32_t key = 0;
			uint64_t v[1] = { 100 };
			CHECK_EQ_INT(bpfbox_map__update_elem(bpfbox_object__find_map_instance(obj, ".bss"),
							     &key, v, 0), 0);
			err = run(obj, "globals", modes[mi], &r0);
			CHECK_MSG(err == 0 && r0 == (100 + 73 + 7) + (73 * 3 + 7),
				  "%s: after update: err %d r0 %llu", mode_names[mi], err,
				  (unsigned long long)r0);
		}
		if (modes[mi] == BPFBOX_RUN_CHECKED) {
			err = run(obj, "write_ro", modes[mi], &r0);
			CHECK_MSG(err == -EFAULT && strstr(last_log, "invalid write"),
				  "write to .rodata: err %d (%s)", err, last_log);
			CHECK_EQ_U64(map_u64(obj, ".rodata", 0), 7);
		}
		/* the subprogram was appended and called */
		{
			struct bpfbox_program *p = bpfbox_object__find_program_by_name(obj, "globals");
			CHECK(bpfbox_program__insn_cnt(p) > bpfbox_program__main_insn_cnt(p));
		}
		bpfbox_object__close(obj);
		bpfbox_vm__free(vm);
	}
}

/* ---- tail calls --------------------------------------------------------------- */

static void test_tail_calls(void)
{
	for (int mi = 0; mi < 2; mi++) {
		struct bpfbox_vm *vm = new_vm();
		struct bpfbox_object *obj = load_obj("load_tail", vm);
		struct bpfbox_map *jmp;
		uint64_t r0 = 0;
		uint32_t key = 0;
		void *slot = NULL;
		int err;

		if (!obj) {
			bpfbox_vm__free(vm);
			return;
		}
		/* the prog array holds the loaded programs */
		jmp = bpfbox_object__find_map_instance(obj, "jmp");
		CHECK(jmp != NULL);
		key = 1;
		CHECK_EQ_INT(bpfbox_map__lookup_elem(jmp, &key, &slot, 0), 0);
		CHECK(slot == bpfbox_program__prog(bpfbox_object__find_program_by_name(obj, "chain_b")));
		CHECK(bpfbox_object__program_of(obj, slot) ==
		      bpfbox_object__find_program_by_name(obj, "chain_b"));
		key = 4;
		CHECK_EQ_INT(bpfbox_map__lookup_elem(jmp, &key, &slot, 0), -ENOENT);

		err = run(obj, "chain_a", modes[mi], &r0);
		CHECK_MSG(err == 0 && r0 == 123, "%s: chain: err %d r0 %lld (%s)", mode_names[mi],
			  err, (long long)r0, last_log);
		CHECK_EQ_U64(map_u64(obj, ".bss", 8), 123);

		/* kernel semantics: 1 run + 33 tail calls; the 34th fails and
		 * the program goes on */
		err = run(obj, "self_tail", modes[mi], &r0);
		CHECK_MSG(err == 0 && r0 == 1034, "%s: self tail: err %d r0 %lld (%s)",
			  mode_names[mi], err, (long long)r0, last_log);
		CHECK_EQ_U64(map_u64(obj, ".bss", 0), 34);
		/* the count is per run */
		err = run(obj, "self_tail", modes[mi], &r0);
		CHECK_MSG(err == 0 && r0 == 1068, "%s: self tail again: err %d r0 %lld",
			  mode_names[mi], err, (long long)r0);

		/* tail call from a subprogram: the target's r0 returns to the
		 * subprogram's caller, in the caller's program */
		err = run(obj, "via_sub", modes[mi], &r0);
		CHECK_MSG(err == 0 && r0 == 105, "%s: via_sub: err %d r0 %lld (%s)", mode_names[mi],
			  err, (long long)r0, last_log);
		err = run(obj, "empty_slot", modes[mi], &r0);
		CHECK_MSG(err == 0 && r0 == 150, "%s: empty slot: err %d r0 %lld (%s)",
			  mode_names[mi], err, (long long)r0, last_log);
		bpfbox_object__close(obj);
		bpfbox_vm__free(vm);
	}
}

/* ---- map in map, PSEUDO_FUNC -------------------------------------------------- */

static void test_map_in_map(void)
{
	for (int mi = 0; mi < 2; mi++) {
		struct bpfbox_vm *vm = new_vm();
		struct bpfbox_object *obj = load_obj("load_mim", vm);
		struct bpfbox_map *ib;
		uint32_t key = 1;
		uint64_t v = 2, r0 = 0;
		void *slot = NULL;
		int err;

		if (!obj) {
			bpfbox_vm__free(vm);
			return;
		}
		ib = bpfbox_object__find_map_instance(obj, "inner_b");
		CHECK_EQ_INT(bpfbox_map__lookup_elem(bpfbox_object__find_map_instance(obj, "outer"),
						     &key, &slot, 0), 0);
		CHECK(slot == ib);
		CHECK_EQ_INT(bpfbox_map__update_elem(ib, &key, &v, 0), 0);
		err = run(obj, "mim_lookup", modes[mi], &r0);
		CHECK_MSG(err == 0 && r0 == 42, "%s: mim_lookup: err %d r0 %lld (%s)", mode_names[mi],
			  err, (long long)r0, last_log);
		CHECK_EQ_INT(bpfbox_map__lookup_elem(ib, &key, &v, 0), 0);
		CHECK_EQ_U64(v, 42);

		err = run(obj, "loop_sum", modes[mi], &r0);
		CHECK_MSG(err == 0 && r0 == 10, "%s: loop_sum: err %d r0 %lld (%s)", mode_names[mi],
			  err, (long long)r0, last_log);
		bpfbox_object__close(obj);
		bpfbox_vm__free(vm);
	}
}

/* lddw src 4 loads the address of the target's xlated slot, and
 * bxv_func_idx() maps it back; anything else is refused. */
static void test_pseudo_func(void)
{
	struct bpfbox_vm *vm = new_vm();
	struct bpfbox_object *obj = load_obj("load_mim", vm);
	const struct bpfbox_program *p;
	struct bpfbox_prog *prog;
	struct bpfbox_call call;
	size_t found = 0;
	uint32_t idx;

	if (!obj) {
		bpfbox_vm__free(vm);
		return;
	}
	p = bpfbox_object__find_program_by_name(obj, "loop_sum");
	prog = bpfbox_program__prog(p);
	memset(&call, 0, sizeof(call));
	call.vm = vm;
	call.prog = prog;
	for (size_t i = 0; i + 1 < prog->cnt; i++) {
		const struct bpfbox_insn *in = &prog->insns[i];
		size_t t, start = 0;

		if (in->code != (BX_LD | BX_IMM | BX_DW))
			continue;
		if (in->src_reg == BX_PSEUDO_FUNC) {
			t = i + 1 + (size_t)(int64_t)in->imm;
			found++;
			CHECK(prog->xlated[i].imm == (uint64_t)(uintptr_t)&prog->xlated[t]);
			CHECK_EQ_INT(bxv_func_idx(&call, prog->xlated[i].imm, &idx), 0);
			CHECK_EQ_INT(idx, t);
			CHECK_STR(bpfbox_program__func_at(p, t, &start), "loop_cb");
			CHECK_EQ_INT(start, t);
		}
		i++;
	}
	CHECK_EQ_INT(found, 1);
	CHECK_EQ_INT(bxv_func_idx(&call, (uint64_t)(uintptr_t)prog->xlated + 3, &idx), -EINVAL);
	CHECK_EQ_INT(bxv_func_idx(&call, (uint64_t)(uintptr_t)&prog->xlated[prog->cnt], &idx),
		     -EINVAL);
	CHECK_EQ_INT(bxv_func_idx(&call, (uint64_t)(uintptr_t)prog->xlated - sizeof(prog->xlated[0]),
				  &idx), -EINVAL);
	CHECK_EQ_INT(bxv_func_idx(&call, 0, &idx), -EINVAL);
	bpfbox_object__close(obj);
	bpfbox_vm__free(vm);
}

/* ---- errors -------------------------------------------------------------------- */

#define INS(c, d, s, o, i) ((struct bpfbox_insn){ .code = (uint8_t)(c), .dst_reg = (d), \
			    .src_reg = (s), .off = (o), .imm = (i) })
#define LDDW_PSEUDO(d, s, lo, hi) INS(BX_LD | BX_IMM | BX_DW, d, s, 0, lo), INS(0, 0, 0, 0, hi)
#define EXIT() INS(BX_JMP | BX_EXIT, 0, 0, 0, 0)

/* Load a handcrafted program with one lddw pseudo form and maps[]. */
static int load_lddw(struct bpfbox_vm *vm, struct bpfbox_map **maps, size_t nmaps, uint8_t src,
		     int32_t lo, int32_t hi, struct bpfbox_prog **out)
{
	struct bpfbox_insn p[] = { LDDW_PSEUDO(0, src, lo, hi), EXIT() };
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "hand", .maps = maps, .map_cnt = nmaps);

	last_log[0] = 0;
	return bpfbox_prog__load(vm, p, 3, &po, out);
}

static void test_lddw_errors(void)
{
	struct bpfbox_vm *vm = new_vm();
	struct bpfbox_map *maps[2] = { NULL, NULL };
	struct bpfbox_prog *prog = NULL;
	uint64_t addr = 0;
	BPFBOX_OPTS(bpfbox_run_opts, ro, .engine = tl_engine_for(BPFBOX_RUN_CHECKED), .mode = BPFBOX_RUN_CHECKED);

	CHECK_EQ_INT(bpfbox_map__create(BPFBOX_MAP_TYPE_ARRAY, 4, 16, 1, NULL, &maps[0]), 0);
	CHECK_EQ_INT(bpfbox_map__create(BPFBOX_MAP_TYPE_HASH, 4, 16, 8, NULL, &maps[1]), 0);
	/* good forms */
	CHECK_EQ_INT(load_lddw(vm, maps, 2, BX_PSEUDO_MAP_IDX, 1, 0, &prog), 0);
	CHECK_EQ_INT(bpfbox_prog__run(prog, &ro), 0);
	CHECK(ro.retval == (uint64_t)(uintptr_t)maps[1]);
	bpfbox_prog__free(prog);
	CHECK_EQ_INT(load_lddw(vm, maps, 2, BX_PSEUDO_MAP_FD, 0, 0, &prog), 0);
	CHECK_EQ_INT(bpfbox_prog__run(prog, &ro), 0);
	CHECK(ro.retval == (uint64_t)(uintptr_t)maps[0]);
	bpfbox_prog__free(prog);
	CHECK_EQ_INT(bxm_direct_value_addr(maps[0], &addr), 0);
	CHECK_EQ_INT(load_lddw(vm, maps, 2, BX_PSEUDO_MAP_IDX_VALUE, 0, 12, &prog), 0);
	CHECK_EQ_INT(bpfbox_prog__run(prog, &ro), 0);
	CHECK_EQ_U64(ro.retval, addr + 12);
	bpfbox_prog__free(prog);
	/* bad ones: each names the instruction */
	CHECK_EQ_INT(load_lddw(vm, maps, 2, BX_PSEUDO_MAP_IDX, 2, 0, &prog), -EINVAL);
	CHECK_MSG(strstr(last_log, "insn 0: lddw names map 2, but the program has 2 maps"), "%s",
		  last_log);
	CHECK_EQ_INT(load_lddw(vm, maps, 2, BX_PSEUDO_MAP_IDX, -1, 0, &prog), -EINVAL);
	CHECK_EQ_INT(load_lddw(vm, NULL, 0, BX_PSEUDO_MAP_FD, 0, 0, &prog), -EINVAL);
	CHECK_EQ_INT(load_lddw(vm, maps, 2, BX_PSEUDO_MAP_IDX, 0, 1, &prog), -EINVAL);
	CHECK_MSG(strstr(last_log, "insn 0:"), "%s", last_log);
	CHECK_EQ_INT(load_lddw(vm, maps, 2, BX_PSEUDO_MAP_IDX_VALUE, 0, 16, &prog), -EINVAL);
	CHECK_MSG(strstr(last_log, "insn 0: offset 16 is outside the 16-byte value"), "%s", last_log);
	CHECK_EQ_INT(load_lddw(vm, maps, 2, BX_PSEUDO_MAP_VALUE, 1, 0, &prog), -EINVAL);
	CHECK_MSG(strstr(last_log, "insn 0: lddw of a map value needs an array map"), "%s", last_log);
	CHECK_EQ_INT(load_lddw(vm, maps, 2, BX_PSEUDO_BTF_ID, 5, 0, &prog), -EOPNOTSUPP);
	CHECK_STR(last_log, "insn 0: BTF id loads (ksyms) are not supported");
	CHECK_EQ_INT(load_lddw(vm, maps, 2, BX_PSEUDO_FUNC, 0, 0, &prog), -EINVAL);
	CHECK_MSG(strstr(last_log, "insn 0: function address"), "%s", last_log);
	CHECK_EQ_INT(load_lddw(vm, maps, 2, BX_PSEUDO_FUNC, 5, 0, &prog), -EINVAL);
	CHECK_EQ_INT(load_lddw(vm, maps, 2, BX_PSEUDO_FUNC, -2, 0, &prog), -EINVAL);
	CHECK_EQ_INT(load_lddw(vm, maps, 2, BX_PSEUDO_FUNC, 1, 0, &prog), 0);	/* the exit */
	bpfbox_prog__free(prog);
	bpfbox_map__free(maps[0]);
	bpfbox_map__free(maps[1]);
	bpfbox_vm__free(vm);
}

/* CO-RE programs whose relocations cannot be applied (here: the target
 * BTF file does not exist) are refused unless their autoload is off;
 * loading twice is -EBUSY; accessors before load give NULL. */
static void test_object_errors(void)
{
	static const char *const no_btf = "/nonexistent/vmlinux.btf";
	struct bpfbox_vm *vm = new_vm();
	struct bpfbox_object *obj = open_obj_tgt("load_core", no_btf);
	struct bpfbox_program *core, *plain;
	uint64_t r0 = 0;
	int err;

	if (!obj) {
		bpfbox_vm__free(vm);
		return;
	}
	core = bpfbox_object__find_program_by_name(obj, "core_prog");
	plain = bpfbox_object__find_program_by_name(obj, "plain");
	CHECK(core && plain && !bpfbox_program__loadable(core, NULL));
	CHECK(bpfbox_object__map_instance(obj, 0) == NULL);
	CHECK(bpfbox_program__prog(plain) == NULL);
	err = bpfbox_object__load(obj, vm, NULL);
	CHECK_EQ_INT(err, -ENOTSUP);
	CHECK_MSG(strstr(last_log, "core_prog") && strstr(last_log, "CO-RE"), "%s", last_log);
	CHECK(!bpfbox_object__is_loaded(obj) && bpfbox_program__prog(plain) == NULL);
	/* skip_unloadable loads the rest */
	{
		BPFBOX_OPTS(bpfbox_object_load_opts, lo, .skip_unloadable = true);
		CHECK_EQ_INT(bpfbox_object__load(obj, vm, &lo), 0);
		CHECK(bpfbox_program__prog(core) == NULL && bpfbox_program__prog(plain) != NULL);
		CHECK_EQ_INT(bpfbox_program__set_autoload(core, false), -EBUSY);
		CHECK_EQ_INT(bpfbox_object__load(obj, vm, &lo), -EBUSY);
		bpfbox_object__close(obj);
	}
	obj = open_obj_tgt("load_core", no_btf);
	if (!obj) {
		bpfbox_vm__free(vm);
		return;
	}
	core = bpfbox_object__find_program_by_name(obj, "core_prog");
	CHECK_EQ_INT(bpfbox_program__set_autoload(core, false), 0);
	CHECK(!bpfbox_program__autoload(core));
	CHECK_EQ_INT(bpfbox_object__load(obj, vm, NULL), 0);
	CHECK(bpfbox_program__prog(core) == NULL);
	err = run(obj, "plain", BPFBOX_RUN_CHECKED, &r0);
	CHECK_MSG(err == 0 && r0 == 9, "plain: err %d r0 %lld", err, (long long)r0);
	CHECK_EQ_INT(bpfbox_object__load(obj, vm, NULL), -EBUSY);
	bpfbox_object__close(obj);
	bpfbox_vm__free(vm);
}

/* Which maps programs use (for `bpfbox prog list`). */
static void test_maps_used(void)
{
	struct bpfbox_object *obj = open_obj("load_mim");
	size_t idx[4] = { 0 }, n;

	if (!obj)
		return;
	n = bpfbox_program__maps_used(bpfbox_object__find_program_by_name(obj, "mim_lookup"), idx, 4);
	CHECK_EQ_INT(n, 1);
	CHECK_STR(bpfbox_object__map(obj, idx[0])->name, "outer");
	CHECK_EQ_INT(bpfbox_program__maps_used(bpfbox_object__find_program_by_name(obj, "loop_sum"),
					       NULL, 0), 0);
	bpfbox_object__close(obj);
}

/* Per-run state: cpu from the options, the task on demand. */
static void test_run_state(void)
{
	struct bpfbox_vm *vm = new_vm();
	struct bpfbox_call call;
	const struct bpfbox_task *t;
	struct bpfbox_task given = { .pid = 1, .tgid = 2, .comm = "given" };

	CHECK_EQ_INT(bxv_vm_nr_cpus(vm), 2);
	memset(&call, 0, sizeof(call));
	call.vm = vm;
	t = bxv_call_task(&call);
	CHECK(t == &call.self && t->tgid == (uint32_t)getpid() && t->pid != 0);
	CHECK(bxv_call_task(&call) == t);
	call.task = &given;
	CHECK(bxv_call_task(&call) == &given);
	bpfbox_vm__free(vm);
}

int main(int argc, char **argv)
{
	char self[512];

	(void)argc;
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(bpf_dir, sizeof(bpf_dir), "%s/../bpf", dirname(self));
	TL_RUN(test_lddw_errors);
	TL_RUN(test_run_state);
	TL_RUN(test_maps_used);
	TL_RUN(test_globals);
	TL_RUN(test_tail_calls);
	TL_RUN(test_map_in_map);
	TL_RUN(test_pseudo_func);
	TL_RUN(test_object_errors);
	return tl_summary();
}

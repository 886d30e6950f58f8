/*
 * test_elf.c - the ELF + BTF object loader (src/elf, include/bpfbox/object.h).
 *
 * Part 1 opens the objects compiled from tests/bpf/NAME.bpf.c by mk/bpf.mk
 * ($(BUILD)/bpf/NAME.o, found next to this binary's directory) and pins
 * programs, SEC kinds, maps, relocated instructions, line info and CO-RE
 * reports. Without clang those objects are missing and part 1 is skipped.
 * Part 2 builds small objects in memory (BTF loops, bad BTF, a code section
 * without symbols). Part 3 corrupts a valid object in hundreds of
 * systematic and random ways: each must give an error or a valid object,
 * never a crash (run it under ASan: make SAN=1).
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfbox/object.h"
#include "testlib.h"

#define CODE_LDDW 0x18
#define CODE_CALL 0x85

/* ---- log capture ---------------------------------------------------------- */

struct logbuf {
	char last[1024];
	int errors;
};

static void log_cb(void *ctx, enum bpfbox_log_level lvl, const char *msg)
{
	struct logbuf *lb = ctx;

	if (lvl == BPFBOX_LOG_ERROR) {
		lb->errors++;
		snprintf(lb->last, sizeof(lb->last), "%s", msg);
	}
	if (getenv("TEST_ELF_VERBOSE"))
		fprintf(stderr, "log[%d]: %s\n", lvl, msg);
}

/* ---- helpers --------------------------------------------------------------- */

static char bpf_dir[512];

/* Read a whole file; NULL if missing. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Line number (1-based) of the first line of tests/bpf/NAME containing
 * marker (from the repository root, or the absolute path the object's line
 * info recorded). */
static unsigned marker_line(const char *file, const char *marker)
{
	FILE *f = fopen(file, "r");
	char abs[640];

	if (!f) {
		snprintf(abs, sizeof(abs), "%s/../../tests/bpf/%s", bpf_dir, strrchr(file, '/') + 1);
		f = fopen(abs, "r");
	}
	if (!f) {
		snprintf(abs, sizeof(abs), "%s/../../../tests/bpf/%s", bpf_dir, strrchr(file, '/') + 1);
		f = fopen(abs, "r");
	}
	char line[512];
	unsigned n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (strstr(line, marker)) {
			fclose(f);
			return n;
		}
	}
	fclose(f);
	return 0;
}

/* Open $(BUILD)/bpf/NAME.o; NULL (and a failure: mk/bpf.mk builds it) if it cannot. */
static struct bpfbox_object *open_bpf(const char *name, struct logbuf *lb)
{
	char path[640];
	struct bpfbox_object *obj = NULL;
	FILE *f;
	int err;
	BPFBOX_OPTS(bpfbox_object_opts, opts, .log = log_cb, .log_ctx = lb);

	snprintf(path, sizeof(path), "%s/%s.o", bpf_dir, name);
	f = fopen(path, "rb");
	if (!CHECK_MSG(f != NULL, "%s missing (mk/bpf.mk builds it)", path))
		return NULL;
	fclose(f);
	err = bpfbox_object__open_file(path, &opts, &obj);
	CHECK_MSG(err == 0, "open %s: %d (%s)", path, err, lb->last);
	return obj;
}

/* Index of the first instruction in [from, cnt) with code and src. */
static long find_insn(const struct bpfbox_program *p, size_t from, uint8_t code, int src)
{
	const struct bpfbox_insn *in = bpfbox_program__insns(p);

	for (size_t i = from; i < bpfbox_program__insn_cnt(p); i++)
		if (in[i].code == code && (src < 0 || in[i].src_reg == src))
			return (long)i;
	return -1;
}

/* Name of the function a call / PSEUDO_FUNC at i reaches; checks that it
 * lands exactly on a function start. */
static const char *call_target(const struct bpfbox_program *p, size_t i)
{
	const struct bpfbox_insn *in = bpfbox_program__insns(p);
	size_t tgt = i + 1 + (size_t)(long)in[i].imm, start = 0;
	const char *fn = bpfbox_program__func_at(p, tgt, &start);

	if (!fn || start != tgt)
		return NULL;
	return fn;
}

/* Walk everything an object offers (used on corrupted objects too). */
static void walk(const struct bpfbox_object *obj)
{
	const struct bpfbox_btf *btf = bpfbox_object__btf(obj);
	volatile size_t sink = 0;

	sink += strlen(bpfbox_object__license(obj)) + bpfbox_object__kversion(obj);
	for (size_t i = 0; i < bpfbox_object__map_cnt(obj); i++) {
		const struct bpfbox_map_def *m = bpfbox_object__map(obj, i);
		sink += strlen(m->name) + strlen(m->section) + m->key_size;
		if (m->init_data)
			for (uint32_t k = 0; k < m->value_size; k++)
				sink += ((const unsigned char *)m->init_data)[k];
		for (size_t k = 0; k < m->init_cnt; k++)
			sink += strlen(m->init[k].prog_name ? m->init[k].prog_name : m->init[k].map_name);
		if (m->inner)
			sink += m->inner->type;
	}
	for (struct bpfbox_program *p = NULL; (p = bpfbox_object__next_program(obj, p));) {
		const char *r;
		sink += strlen(bpfbox_program__name(p)) + strlen(bpfbox_program__section_name(p)) +
			strlen(bpfbox_program__attach_target(p)) + strlen(bpfbox_program__sec_kind(p));
		sink += bpfbox_program__loadable(p, &r) + strlen(r);
		for (size_t i = 0; i < bpfbox_program__insn_cnt(p); i++) {
			const char *f = NULL, *t = NULL;
			uint32_t l, c;
			sink += bpfbox_program__insns(p)[i].code;
			if (!bpfbox_program__line_info(p, i, &f, &l, &c, &t))
				sink += strlen(f) + strlen(t) + l + c;
			sink += bpfbox_program__func_at(p, i, NULL) != NULL;
		}
		for (size_t i = 0; i < bpfbox_program__core_relo_cnt(p); i++) {
			const struct bpfbox_core_relo *c = bpfbox_program__core_relo(p, i);
			sink += strlen(c->access) + strlen(c->type_name) + strlen(c->kind_name) + c->insn_idx;
		}
	}
	for (uint32_t id = 0; id < bpfbox_btf__type_cnt(btf); id++) {
		struct bpfbox_btf_type t;
		struct bpfbox_btf_member m;
		if (bpfbox_btf__type(btf, id, &t))
			continue;
		sink += strlen(t.name) + (size_t)bpfbox_btf__resolve_size(btf, id) + bpfbox_btf__skip_mods(btf, id);
		for (uint32_t k = 0; k < t.vlen && k < 64; k++)
			if (!bpfbox_btf__member(btf, id, k, &m))
				sink += strlen(m.name) + m.type;
	}
	(void)sink;
}

/* ---- part 1: the compiled objects ----------------------------------------- */

static void test_maps_obj(void)
{
	struct logbuf lb = { 0 };
	struct bpfbox_object *obj = open_bpf("maps", &lb);
	const struct bpfbox_map_def *m;
	struct bpfbox_program *p;
	const struct bpfbox_btf *btf;
	long i;
	int id;

	if (!obj)
		return;
	CHECK_STR(bpfbox_object__license(obj), "GPL");
	CHECK_EQ_INT(bpfbox_object__kversion(obj), 0);

	/* programs: section order, then offset; tail_a is first in "xdp" */
	static const char *const names[] = { "tail_a", "xdp_main", "tc_main", "kp_core" };
	CHECK_EQ_INT(bpfbox_object__program_cnt(obj), 4);
	for (size_t k = 0; k < 4 && k < bpfbox_object__program_cnt(obj); k++)
		CHECK_STR(bpfbox_program__name(bpfbox_object__program(obj, k)), names[k]);

	/* maps: BTF-defined in DATASEC order, then global data in section order */
	static const struct { const char *name; uint32_t type, ks, vs, max, flags; } want[] = {
		{ "inner_a", 2, 4, 4, 8, 0 },   { "inner_b", 2, 4, 4, 8, 0 },
		{ "outer", 13, 4, 4, 4, 0 },    { "jumps", 3, 4, 4, 3, 0 },
		{ "counts", 1, 4, 8, 128, 1 },  { "rb", 27, 0, 0, 4096, 0 },
		{ "stats", 6, 4, 16, 4, 0 },    { ".data", 2, 4, 4, 1, 0x400 },
		{ ".rodata", 2, 4, 4, 1, 0x480 }, { ".data.extra", 2, 4, 16, 1, 0x400 },
		{ ".bss", 2, 4, 8, 1, 0x400 },
	};
	CHECK_EQ_INT(bpfbox_object__map_cnt(obj), 11);
	for (size_t k = 0; k < 11 && k < bpfbox_object__map_cnt(obj); k++) {
		m = bpfbox_object__map(obj, k);
		CHECK_STR(m->name, want[k].name);
		CHECK_EQ_INT(m->type, want[k].type);
		CHECK_EQ_INT(m->key_size, want[k].ks);
		CHECK_EQ_INT(m->value_size, want[k].vs);
		CHECK_EQ_INT(m->max_entries, want[k].max);
		CHECK_EQ_U64(m->map_flags, want[k].flags);
		CHECK_EQ_INT(m->internal, k >= 7);
		CHECK_EQ_INT(m->origin, k >= 7 ? BPFBOX_MAP_DATA : BPFBOX_MAP_BTF);
	}
	btf = bpfbox_object__btf(obj);
	CHECK(btf != NULL);
	m = bpfbox_object__find_map_by_name(obj, "stats");
	CHECK(m && m->pinning == 1);
	m = bpfbox_object__find_map_by_name(obj, "counts");
	CHECK(m && m->btf_key_type_id && bpfbox_btf__resolve_size(btf, m->btf_key_type_id) == 4);
	CHECK(m && m->btf_value_type_id && bpfbox_btf__resolve_size(btf, m->btf_value_type_id) == 8);
	m = bpfbox_object__find_map_by_name(obj, "outer");
	if (CHECK(m && m->inner && m->init_cnt == 2)) {
		CHECK_EQ_INT(m->inner->type, 2);
		CHECK_EQ_INT(m->inner->max_entries, 8);
		CHECK_EQ_INT(m->inner->value_size, 4);
		CHECK_EQ_INT(m->init[0].slot, 0);
		CHECK_STR(m->init[0].map_name, "inner_a");
		CHECK_EQ_INT(m->init[0].map_idx, 0);
		CHECK_EQ_INT(m->init[1].slot, 2);
		CHECK_STR(m->init[1].map_name, "inner_b");
		CHECK(m->init[1].prog_name == NULL);
	}
	m = bpfbox_object__find_map_by_name(obj, "jumps");
	if (CHECK(m && m->init_cnt == 1 && !m->inner)) {
		CHECK_EQ_INT(m->init[0].slot, 1);
		CHECK_STR(m->init[0].prog_name, "tail_a");
	}
	m = bpfbox_object__find_map_by_name(obj, ".data");
	CHECK(m && m->init_data && *(const int *)m->init_data == 7 && !m->readonly);
	m = bpfbox_object__find_map_by_name(obj, ".rodata");
	CHECK(m && m->init_data && *(const int *)m->init_data == 42 && m->readonly);
	m = bpfbox_object__find_map_by_name(obj, ".data.extra");
	CHECK(m && m->init_data && ((const uint32_t *)m->init_data)[2] == 3);
	m = bpfbox_object__find_map_by_name(obj, ".bss");
	CHECK(m && !m->init_data);
	if (m) {
		struct bpfbox_btf_type t;
		CHECK(bpfbox_btf__type(btf, m->btf_value_type_id, &t) == 0 &&
		      t.kind == BPFBOX_BTF_KIND_DATASEC && !strcmp(t.name, ".bss") && t.size == 8);
	}

	/* xdp_main: main function, then loop_cb (callback), global_helper, add_static */
	p = bpfbox_object__find_program_by_name(obj, "xdp_main");
	if (CHECK(p != NULL)) {
		const struct bpfbox_insn *in = bpfbox_program__insns(p);
		const char *file = NULL, *text = NULL;
		uint32_t line = 0, col = 0;
		size_t n = 0, ins, tid;

		CHECK_EQ_INT(bpfbox_program__type(p), BPFBOX_PROG_TYPE_XDP);
		CHECK_EQ_INT(bpfbox_program__expected_attach_type(p), BPFBOX_XDP);
		CHECK_EQ_INT(bpfbox_program__main_insn_cnt(p), 35);
		CHECK_EQ_INT(bpfbox_program__insn_cnt(p), 35 + 6 + 10 + 6);
		CHECK(bpfbox_program__loadable(p, NULL));
		i = find_insn(p, 0, CODE_LDDW, 5);
		CHECK(i >= 0 && in[i].imm == 4 && in[i + 1].imm == 0);   /* &counts */
		i = find_insn(p, (size_t)i + 2, CODE_LDDW, 5);
		CHECK(i >= 0 && in[i].imm == 3);                          /* &jumps */
		i = find_insn(p, 0, CODE_LDDW, 4);
		CHECK(i >= 0 && call_target(p, (size_t)i) && !strcmp(call_target(p, (size_t)i), "loop_cb"));
		i = find_insn(p, 0, CODE_CALL, 1);
		CHECK(i >= 0 && call_target(p, (size_t)i) && !strcmp(call_target(p, (size_t)i), "global_helper"));
		if (i >= 0) {
			unsigned want_line = marker_line("tests/bpf/maps.bpf.c", "LINE_XDP_RET");
			CHECK(bpfbox_program__line_info(p, (size_t)i, &file, &line, &col, &text) == 0);
			CHECK(file && strstr(file, "maps.bpf.c"));
			CHECK_EQ_INT(line, want_line);
			CHECK(text && strstr(text, "global_helper((int)sum)"));
		}
		i = find_insn(p, 0, CODE_LDDW, 6);                       /* .data.extra[2] */
		CHECK(i >= 0 && in[i].imm == 9 && in[i + 1].imm == 0 && in[i + 2].off == 8);
		/* the subprogram's own relocations: hits (.bss), limit (.rodata), counter (.data) */
		i = find_insn(p, 35, CODE_LDDW, 6);
		CHECK(i >= 0 && in[i].imm == 10);
		i = find_insn(p, (size_t)i + 2, CODE_LDDW, 6);
		CHECK(i >= 0 && in[i].imm == 8);
		i = find_insn(p, (size_t)i + 2, CODE_LDDW, 6);
		CHECK(i >= 0 && in[i].imm == 7);
		i = find_insn(p, 36, CODE_CALL, 1);
		CHECK(i >= 0 && call_target(p, (size_t)i) && !strcmp(call_target(p, (size_t)i), "add_static"));
		/* every lddw of a program is resolved; no raw src=1/2 forms left */
		for (size_t k = 0; k < bpfbox_program__insn_cnt(p); k++)
			if (in[k].code == CODE_LDDW && in[k].src_reg != 0) {
				n++;
				CHECK(in[k].src_reg >= 4 && in[k].src_reg <= 6);
			}
		CHECK_EQ_INT(n, 7);
		/* func_info relocated to the appended layout */
		CHECK_EQ_INT(bpfbox_program__func_info_cnt(p), 4);
		for (size_t k = 0; k < bpfbox_program__func_info_cnt(p); k++) {
			struct bpfbox_btf_type t;
			size_t st;
			const char *fn;
			CHECK(bpfbox_program__func_info(p, k, &ins, (uint32_t *)&tid) == 0);
			fn = bpfbox_program__func_at(p, ins, &st);
			CHECK(fn && st == ins && bpfbox_btf__type(btf, (uint32_t)tid, &t) == 0 && !strcmp(t.name, fn));
		}
	}

	/* tc_main shares global_helper and add_static (each appended once) */
	p = bpfbox_object__find_program_by_name(obj, "tc_main");
	if (CHECK(p != NULL)) {
		const struct bpfbox_insn *in = bpfbox_program__insns(p);
		unsigned want_line = marker_line("tests/bpf/maps.bpf.c", "return a * b + counter;");
		uint32_t line = 0;
		size_t st = 0;
		long j;

		CHECK_EQ_INT(bpfbox_program__type(p), BPFBOX_PROG_TYPE_SCHED_CLS);
		CHECK_EQ_INT(bpfbox_program__insn_cnt(p), 24 + 10 + 6);
		i = find_insn(p, 0, CODE_LDDW, 5);
		CHECK(i >= 0 && in[i].imm == 2);                          /* &outer */
		i = find_insn(p, 0, CODE_CALL, 1);
		CHECK(i >= 0 && call_target(p, (size_t)i) && !strcmp(call_target(p, (size_t)i), "global_helper"));
		j = find_insn(p, (size_t)i + 1, CODE_CALL, 1);
		CHECK(j >= 0 && call_target(p, (size_t)j) && !strcmp(call_target(p, (size_t)j), "add_static"));
		CHECK(bpfbox_program__func_at(p, 34, &st) && st == 34);
		CHECK(bpfbox_program__line_info(p, 34, NULL, &line, NULL, NULL) == 0);
		CHECK_EQ_INT(line, want_line);
		CHECK(bpfbox_program__line_info(p, 40, NULL, NULL, NULL, NULL) == -ENOENT);
	}

	/* CO-RE: reported and applied against the default target (the kernel's
	 * BTF, which has no task_like: poisoned; or the object's own BTF) */
	p = bpfbox_object__find_program_by_name(obj, "kp_core");
	if (CHECK(p != NULL)) {
		const char *reason = NULL;
		const struct bpfbox_core_relo *c;
		uint32_t line = 0;

		CHECK_EQ_INT(bpfbox_program__type(p), BPFBOX_PROG_TYPE_KPROBE);
		CHECK_STR(bpfbox_program__attach_target(p), "do_exit");
		CHECK(bpfbox_program__loadable(p, &reason));
		CHECK_EQ_INT(bpfbox_program__core_relo_cnt(p), 1);
		c = bpfbox_program__core_relo(p, 0);
		if (CHECK(c != NULL)) {
			CHECK_EQ_INT(c->insn_idx, 0);
			CHECK_EQ_INT(c->kind, BPFBOX_CORE_FIELD_BYTE_OFFSET);
			CHECK_STR(c->access, "0:1");
			CHECK_STR(c->type_name, "task_like");
			CHECK_STR(c->kind_name, "byte_off");
		}
		if (c && c->poisoned)
			CHECK(bpfbox_program__insns(p)[0].code == 0x85 &&
			      bpfbox_program__insns(p)[0].imm == 195896080);
		else
			CHECK_EQ_INT(bpfbox_program__insns(p)[0].off, 4);   /* local layout */
		CHECK(c && c->applied);
		CHECK(bpfbox_program__line_info(p, 0, NULL, &line, NULL, NULL) == 0);
		CHECK_EQ_INT(line, marker_line("tests/bpf/maps.bpf.c", "LINE_CORE"));
	}

	/* BTF access */
	id = bpfbox_btf__find_by_name_kind(btf, "task_like", BPFBOX_BTF_KIND_STRUCT);
	if (CHECK(id > 0)) {
		struct bpfbox_btf_type t;
		struct bpfbox_btf_member mb;
		CHECK(bpfbox_btf__type(btf, (uint32_t)id, &t) == 0 && t.vlen == 2 && t.size == 8);
		CHECK(bpfbox_btf__member(btf, (uint32_t)id, 1, &mb) == 0 && !strcmp(mb.name, "tgid") && mb.offset == 32);
		CHECK_EQ_INT(bpfbox_btf__resolve_size(btf, mb.type), 4);
		CHECK_EQ_INT(bpfbox_btf__resolve_size(btf, (uint32_t)id), 8);
	}
	CHECK_STR(bpfbox_btf_kind_name(BPFBOX_BTF_KIND_ENUM64), "enum64");
	walk(obj);
	bpfbox_object__close(obj);
}

static void test_legacy_obj(void)
{
	struct logbuf lb = { 0 };
	struct bpfbox_object *obj = open_bpf("legacy", &lb);
	static const struct {
		const char *name, *sec;
		uint32_t type, attach;
		const char *target;
	} want[] = {
		{ "sock_prog", "socket", 1, 0, "" },
		{ "kp", "kprobe/sys_open", 2, 0, "sys_open" },
		{ "krp", "kretprobe/sys_open", 2, 0, "sys_open" },
		{ "ksc", "ksyscall/write", 2, 0, "write" },
		{ "kretsc", "kretsyscall/write", 2, 0, "write" },
		{ "tp1", "tracepoint/syscalls/sys_enter_open", 5, 0, "syscalls/sys_enter_open" },
		{ "tp2", "tp/sched/sched_switch", 5, 0, "sched/sched_switch" },
		{ "rtp1", "raw_tracepoint/sys_enter", 17, 0, "sys_enter" },
		{ "rtp2", "raw_tp/sys_exit", 17, 0, "sys_exit" },
		{ "tpbtf", "tp_btf/sched_switch", 26, BPFBOX_TRACE_RAW_TP, "sched_switch" },
		{ "fent", "fentry/do_unlinkat", 26, BPFBOX_TRACE_FENTRY, "do_unlinkat" },
		{ "fexi", "fexit/do_unlinkat", 26, BPFBOX_TRACE_FEXIT, "do_unlinkat" },
		{ "up", "uprobe/libc.so.6:malloc", 2, 0, "libc.so.6:malloc" },
		{ "urp", "uretprobe//bin/bash:readline", 2, 0, "/bin/bash:readline" },
		{ "pe", "perf_event", 7, 0, "" },
		{ "sysc", "syscall", 31, 0, "" },
		{ "cgi", "cgroup_skb/ingress", 8, BPFBOX_CGROUP_INET_INGRESS, "" },
		{ "cge", "cgroup_skb/egress", 8, BPFBOX_CGROUP_INET_EGRESS, "" },
		{ "skm", "sk_msg", 16, BPFBOX_SK_MSG_VERDICT, "" },
		{ "lsm1", "lsm/file_open", 29, BPFBOX_LSM_MAC, "file_open" },
		{ "xf", "xdp.frags", 6, BPFBOX_XDP, "" },
		{ "tcx1", "tcx/ingress", 3, BPFBOX_TCX_INGRESS, "" },
		{ "cls", "classifier", 3, 0, "" },
		{ "off_tc", "?tc", 3, 0, "" },
		{ "unknown_sec", "mystery/thing", 0, 0, "" },
		{ "xdp_one", "xdp", 6, BPFBOX_XDP, "" },
		{ "xdp_two", "xdp", 6, BPFBOX_XDP, "" },
	};
	size_t n = sizeof(want) / sizeof(want[0]);
	const struct bpfbox_map_def *m;
	struct bpfbox_program *p;

	if (!obj)
		return;
	CHECK_STR(bpfbox_object__license(obj), "Dual BSD/GPL");
	CHECK_EQ_U64(bpfbox_object__kversion(obj), 0x050a00);
	CHECK_EQ_INT(bpfbox_object__program_cnt(obj), n);
	for (size_t k = 0; k < n && k < bpfbox_object__program_cnt(obj); k++) {
		p = bpfbox_object__program(obj, k);
		CHECK_STR(bpfbox_program__name(p), want[k].name);
		CHECK_STR(bpfbox_program__section_name(p), want[k].sec);
		CHECK_EQ_INT(bpfbox_program__type(p), want[k].type);
		CHECK_EQ_INT(bpfbox_program__expected_attach_type(p), want[k].attach);
		CHECK_STR(bpfbox_program__attach_target(p), want[k].target);
		CHECK_EQ_INT(bpfbox_program__autoload(p), strcmp(want[k].name, "off_tc") != 0);
		CHECK_EQ_INT(bpfbox_program__loadable(p, NULL), want[k].type != 0);
	}
	CHECK_EQ_INT(bpfbox_object__map_cnt(obj), 2);
	m = bpfbox_object__map(obj, 0);
	CHECK(m && !strcmp(m->name, "lmap_hash") && m->origin == BPFBOX_MAP_LEGACY && m->type == 1 &&
	      m->key_size == 4 && m->value_size == 8 && m->max_entries == 64 && !m->internal);
	m = bpfbox_object__map(obj, 1);
	CHECK(m && !strcmp(m->name, "lmap_arr") && m->type == 2 && m->value_size == 4 && m->max_entries == 2);
	CHECK_EQ_INT(bpfbox_object__map_idx(obj, m), 1);
	p = bpfbox_object__find_program_by_name(obj, "sock_prog");
	if (CHECK(p != NULL)) {
		long i = find_insn(p, 0, CODE_LDDW, 5);
		CHECK(i >= 0 && bpfbox_program__insns(p)[i].imm == 0);
		i = find_insn(p, (size_t)i + 2, CODE_LDDW, 5);
		CHECK(i >= 0 && bpfbox_program__insns(p)[i].imm == 1);
	}
	CHECK_STR(bpfbox_prog_type_name(BPFBOX_PROG_TYPE_SYSCALL), "syscall");
	walk(obj);
	bpfbox_object__close(obj);
}

static void test_externs_obj(void)
{
	struct logbuf lb = { 0 };
	struct bpfbox_object *obj = open_bpf("externs", &lb);
	struct bpfbox_program *p;
	const struct bpfbox_map_def *m;
	const char *reason = NULL;

	if (!obj)
		return;
	CHECK_EQ_INT(bpfbox_object__program_cnt(obj), 3);
	p = bpfbox_object__find_program_by_name(obj, "uses_kconfig");
	if (CHECK(p && bpfbox_program__loadable(p, &reason))) {
		/* lddw of the extern -> the .kconfig map, its offset */
		const struct bpfbox_insn *in = bpfbox_program__insns(p);
		int kc = bpfbox_object__map_idx(obj, bpfbox_object__find_map_by_name(obj, ".kconfig"));

		CHECK(kc >= 0 && in[0].code == CODE_LDDW && in[0].src_reg == 6 && in[0].imm == kc &&
		      in[1].imm == 0);
	}
	p = bpfbox_object__find_program_by_name(obj, "uses_kfunc");
	CHECK(p && !bpfbox_program__loadable(p, &reason) && strstr(reason, "kfunc 'bpf_rcu_read_lock'"));
	p = bpfbox_object__find_program_by_name(obj, "uses_static");
	if (CHECK(p && bpfbox_program__loadable(p, NULL))) {
		const struct bpfbox_insn *in = bpfbox_program__insns(p);
		int bss = bpfbox_object__map_idx(obj, bpfbox_object__find_map_by_name(obj, ".bss"));
		int ro = bpfbox_object__map_idx(obj, bpfbox_object__find_map_by_name(obj, ".rodata"));
		long i = find_insn(p, 0, CODE_LDDW, 6), n = 0;

		CHECK(bss >= 0 && ro >= 0);
		/* static data through the section symbol: offset from the addend in imm */
		for (; i >= 0; i = find_insn(p, (size_t)i + 2, CODE_LDDW, 6)) {
			n++;
			CHECK(in[i].imm == bss || in[i].imm == ro);
			CHECK(in[i + 1].imm == 0 || (in[i].imm == bss && in[i + 1].imm == 16));
		}
		CHECK_EQ_INT(n, 3);
	}
	m = bpfbox_object__find_map_by_name(obj, ".rodata");
	CHECK(m && m->value_size == 10 && m->init_data && !memcmp(m->init_data, "hello %d\n", 10));
	m = bpfbox_object__find_map_by_name(obj, ".bss");
	CHECK(m && m->value_size == 48 && !m->init_data);
	walk(obj);
	bpfbox_object__close(obj);
}

static void test_open_errors(void)
{
	struct logbuf lb = { 0 };
	struct bpfbox_object *obj = (void *)1;
	BPFBOX_OPTS(bpfbox_object_opts, opts, .log = log_cb, .log_ctx = &lb, .name = "x.o");
	int err;

	err = bpfbox_object__open_file("/nonexistent/none.o", &opts, &obj);
	CHECK(err == -ENOENT && obj == NULL && strstr(lb.last, "/nonexistent/none.o"));
	err = bpfbox_object__open_mem("hello", 5, &opts, &obj);
	CHECK(err == -EINVAL && obj == NULL && strstr(lb.last, "x.o: not an ELF file"));
	err = bpfbox_object__open_mem(NULL, 0, &opts, &obj);
	CHECK(err == -EINVAL);
	bpfbox_object__close(NULL);
}

/* ---- part 2: objects built in memory --------------------------------------- */

struct tsec {
	const char *name;
	uint32_t type;
	uint64_t flags;
	const void *data;
	size_t size;
	uint32_t link, info;
	uint64_t entsize;
};

static void put16(unsigned char *p, uint16_t v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
static void put32(unsigned char *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(unsigned char *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static uint16_t get16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const unsigned char *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const unsigned char *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

/* A relocatable EM_BPF ELF64 with sections 1..n as given, then .shstrtab. */
static unsigned char *build_elf(const struct tsec *secs, size_t n, size_t *len)
{
	size_t names = 1 + strlen(".shstrtab") + 1, pos = 64, shoff, total;
	unsigned char *b;
	size_t npos = 1, *dpos = calloc(n + 1, sizeof(size_t));

	for (size_t i = 0; i < n; i++)
		names += strlen(secs[i].name) + 1;
	for (size_t i = 0; i < n; i++) {
		dpos[i] = pos;
		pos = (pos + secs[i].size + 7) & ~(size_t)7;
	}
	dpos[n] = pos;
	pos = (pos + names + 7) & ~(size_t)7;
	shoff = pos;
	total = shoff + (n + 2) * 64;
	b = calloc(1, total);
	memcpy(b, "\177ELF\2\1\1", 7);
	put16(b + 16, 1);
	put16(b + 18, 247);
	put32(b + 20, 1);
	put64(b + 40, shoff);
	put16(b + 52, 64);
	put16(b + 58, 64);
	put16(b + 60, (uint16_t)(n + 2));
	put16(b + 62, (uint16_t)(n + 1));
	for (size_t i = 0; i <= n; i++) {
		unsigned char *sh = b + shoff + (i + 1) * 64;
		const char *nm = i < n ? secs[i].name : ".shstrtab";

		memcpy(b + dpos[n] + npos, nm, strlen(nm) + 1);
		put32(sh, (uint32_t)npos);
		npos += strlen(nm) + 1;
		put32(sh + 4, i < n ? secs[i].type : 3);
		put64(sh + 8, i < n ? secs[i].flags : 0);
		put64(sh + 24, dpos[i]);
		put64(sh + 32, i < n ? secs[i].size : names);
		if (i < n) {
			put32(sh + 40, secs[i].link);
			put32(sh + 44, secs[i].info);
			put64(sh + 56, secs[i].entsize);
			if (secs[i].data && secs[i].type != 8)
				memcpy(b + dpos[i], secs[i].data, secs[i].size);
		}
	}
	free(dpos);
	*len = total;
	return b;
}

/* Open an in-memory object; returns the error, *obj_out if wanted. */
static int open_buf(const void *buf, size_t len, struct logbuf *lb, struct bpfbox_object **obj_out)
{
	struct bpfbox_object *obj = NULL;
	BPFBOX_OPTS(bpfbox_object_opts, opts, .log = log_cb, .log_ctx = lb, .name = "synth.o");
	int err = bpfbox_object__open_mem(buf, len, &opts, &obj);

	if (obj_out)
		*obj_out = obj;
	else
		bpfbox_object__close(obj);
	return err;
}

/* A .BTF section from raw type words and a string table. */
static unsigned char *build_btf(const uint32_t *types, size_t nwords, const char *strs, size_t slen,
				size_t *len)
{
	unsigned char *b = calloc(1, 24 + nwords * 4 + slen);

	put16(b, 0xeB9F);
	b[2] = 1;
	put32(b + 4, 24);
	put32(b + 8, 0);
	put32(b + 12, (uint32_t)(nwords * 4));
	put32(b + 16, (uint32_t)(nwords * 4));
	put32(b + 20, (uint32_t)slen);
	for (size_t i = 0; i < nwords; i++)
		put32(b + 24 + 4 * i, types[i]);
	memcpy(b + 24 + nwords * 4, strs, slen);
	*len = 24 + nwords * 4 + slen;
	return b;
}

#define INFO(kind, vlen) ((uint32_t)(kind) << 24 | (vlen))

/* Open an object whose only section is .BTF with these types. */
static int try_btf(const uint32_t *types, size_t nwords, struct logbuf *lb, struct bpfbox_object **obj)
{
	static const char strs[] = "\0a\0b\0next\0n";
	size_t blen, elen;
	unsigned char *btf = build_btf(types, nwords, strs, sizeof(strs), &blen);
	struct tsec s[] = { { ".BTF", 1, 0, btf, blen, 0, 0, 0 } };
	unsigned char *elf = build_elf(s, 1, &elen);
	int err = open_buf(elf, elen, lb, obj);

	free(btf);
	free(elf);
	return err;
}

static void test_synth(void)
{
	struct logbuf lb = { 0 };
	struct bpfbox_object *obj;
	int err;

	/* typedef a -> b -> a */
	{
		const uint32_t t[] = { 1, INFO(8, 0), 2, 3, INFO(8, 0), 1 };
		err = try_btf(t, 6, &lb, NULL);
		CHECK(err == -EINVAL && strstr(lb.last, "synth.o") && strstr(lb.last, "loop"));
	}
	/* struct containing itself by value */
	{
		const uint32_t t[] = { 1, INFO(4, 1), 4, 5, 1, 0 };
		memset(&lb, 0, sizeof(lb));
		err = try_btf(t, 6, &lb, NULL);
		CHECK(err == -EINVAL && strstr(lb.last, "loop"));
	}
	/* const -> array of itself */
	{
		const uint32_t t[] = { 0, INFO(10, 0), 2, 0, INFO(3, 0), 0, 1, 1, 4 };
		memset(&lb, 0, sizeof(lb));
		err = try_btf(t, 9, &lb, NULL);
		CHECK(err == -EINVAL && strstr(lb.last, "loop"));
	}
	/* a list node pointing to itself is fine */
	{
		const uint32_t t[] = { 10, INFO(4, 1), 8, 5, 2, 0, 0, INFO(2, 0), 1 };
		memset(&lb, 0, sizeof(lb));
		err = try_btf(t, 9, &lb, &obj);
		if (CHECK_MSG(err == 0, "list: %d %s", err, lb.last)) {
			const struct bpfbox_btf *btf = bpfbox_object__btf(obj);
			CHECK_EQ_INT(bpfbox_btf__type_cnt(btf), 3);
			CHECK_EQ_INT(bpfbox_btf__resolve_size(btf, 1), 8);
			CHECK_EQ_INT(bpfbox_btf__resolve_size(btf, 2), 8);
			CHECK_EQ_INT(bpfbox_btf__find_by_name_kind(btf, "n", BPFBOX_BTF_KIND_STRUCT), 1);
			CHECK_EQ_INT(bpfbox_object__program_cnt(obj), 0);
			bpfbox_object__close(obj);
		}
	}
	/* string offset out of range, type id out of range, unknown kind */
	{
		const uint32_t t1[] = { 999, INFO(1, 0), 4, 32 };
		const uint32_t t2[] = { 0, INFO(2, 0), 77 };
		const uint32_t t3[] = { 0, INFO(31, 0), 0 };
		memset(&lb, 0, sizeof(lb));
		CHECK(try_btf(t1, 4, &lb, NULL) == -EINVAL && strstr(lb.last, "name offset 999"));
		CHECK(try_btf(t2, 3, &lb, NULL) == -EINVAL && strstr(lb.last, "[77]"));
		CHECK(try_btf(t3, 3, &lb, NULL) == -EINVAL && strstr(lb.last, "unknown kind 31"));
	}
	/* sizes that overflow 32 bits */
	{
		const uint32_t t[] = { 0, INFO(1, 0), 4, 32, 0, INFO(3, 0), 0, 1, 1, 0x10000,
				       0, INFO(3, 0), 0, 2, 1, 0x10000 };
		memset(&lb, 0, sizeof(lb));
		if (CHECK(try_btf(t, 16, &lb, &obj) == 0)) {
			CHECK_EQ_INT(bpfbox_btf__resolve_size(bpfbox_object__btf(obj), 2), 0x40000);
			CHECK_EQ_INT(bpfbox_btf__resolve_size(bpfbox_object__btf(obj), 3), -E2BIG);
			bpfbox_object__close(obj);
		}
	}
	/* a code section without symbols is one program named after it */
	{
		const unsigned char code[] = { 0xb7, 0, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0 };
		const unsigned char bad_call[] = { 0x85, 0x10, 0, 0, 5, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0 };
		const unsigned char half_lddw[] = { 0x95, 0, 0, 0, 0, 0, 0, 0, 0x18, 0, 0, 0, 0, 0, 0, 0 };
		struct tsec s[] = { { "xdp", 1, 6, code, sizeof(code), 0, 0, 0 },
				    { "license", 1, 3, "MIT", 4, 0, 0, 0 } };
		size_t len;
		unsigned char *elf = build_elf(s, 2, &len);

		memset(&lb, 0, sizeof(lb));
		if (CHECK(open_buf(elf, len, &lb, &obj) == 0)) {
			struct bpfbox_program *p = bpfbox_object__program(obj, 0);
			CHECK_EQ_INT(bpfbox_object__program_cnt(obj), 1);
			CHECK(p && !strcmp(bpfbox_program__name(p), "xdp") && bpfbox_program__insn_cnt(p) == 2 &&
			      bpfbox_program__type(p) == BPFBOX_PROG_TYPE_XDP);
			CHECK_STR(bpfbox_object__license(obj), "MIT");
			CHECK(p && bpfbox_program__line_info(p, 0, NULL, NULL, NULL, NULL) == -ENOENT);
			bpfbox_object__close(obj);
		}
		free(elf);
		s[0].data = bad_call;
		elf = build_elf(s, 2, &len);
		CHECK(open_buf(elf, len, &lb, NULL) == -EINVAL && strstr(lb.last, "not the start of a function"));
		free(elf);
		s[0].data = half_lddw;
		elf = build_elf(s, 2, &len);
		CHECK(open_buf(elf, len, &lb, NULL) == -EINVAL && strstr(lb.last, "second half"));
		/* wrong machine, class, endianness, type */
		elf[18] = 62;
		CHECK(open_buf(elf, len, &lb, NULL) == -EINVAL && strstr(lb.last, "machine 62 is not BPF"));
		elf[18] = 247;
		elf[4] = 1;
		CHECK(open_buf(elf, len, &lb, NULL) == -EINVAL && strstr(lb.last, "not ELF64"));
		elf[4] = 2;
		elf[5] = 2;
		CHECK(open_buf(elf, len, &lb, NULL) == -EINVAL && strstr(lb.last, "little-endian"));
		elf[5] = 1;
		elf[16] = 2;
		CHECK(open_buf(elf, len, &lb, NULL) == -EINVAL && strstr(lb.last, "ET_REL"));
		free(elf);
	}
}

/* ---- part 3: corruption ------------------------------------------------------ */

static unsigned long n_err, n_ok;

/* Open a corrupted image: an error (logged, naming the object) or a valid
 * object that can be walked. Returns the error. */
static int try_open(const unsigned char *buf, size_t len, const char *what, long arg, struct logbuf *lb)
{
	struct bpfbox_object *obj = NULL;
	BPFBOX_OPTS(bpfbox_object_opts, opts, .log = log_cb, .log_ctx = lb, .name = "corrupt.o",
		    .target_btf_path = "" /* own BTF: no 5 MB kernel BTF per variant */);
	int err;

	memset(lb, 0, sizeof(*lb));
	err = bpfbox_object__open_mem(buf, len, &opts, &obj);
	if (err) {
		n_err++;
		CHECK_MSG(err < 0 && !obj && (err == -ENOMEM || (lb->errors && !strncmp(lb->last, "corrupt.o: ", 11))),
			  "%s %ld: err %d without a proper message ('%s')", what, arg, err, lb->last);
	} else {
		n_ok++;
		CHECK_MSG(obj != NULL, "%s %ld: no object", what, arg);
		walk(obj);
		bpfbox_object__close(obj);
	}
	return err;
}

struct tshdr {
	uint64_t off, size, entsize;
	uint32_t type, link, info;
	const char *name;
	size_t hdr;     /* position of the header in the file */
};

/* Sections of a valid image (test-side reader). */
static size_t t_sections(const unsigned char *b, struct tshdr *sh, size_t max)
{
	uint64_t shoff = get64(b + 40);
	size_t n = get16(b + 60), strndx = get16(b + 62);
	const unsigned char *names = b + get64(b + shoff + strndx * 64 + 24);

	for (size_t i = 0; i < n && i < max; i++) {
		const unsigned char *p = b + shoff + i * 64;
		sh[i] = (struct tshdr){ get64(p + 24), get64(p + 32), get64(p + 56), get32(p + 4),
					get32(p + 40), get32(p + 44), (const char *)names + get32(p), shoff + i * 64 };
	}
	return n < max ? n : max;
}

/* Bytes after the 12-byte header of a BTF type (test-side copy). */
static size_t t_btf_extra(uint32_t info)
{
	uint32_t kind = info >> 24 & 0x1f, vlen = info & 0xffff;

	switch (kind) {
	case 1: case 14: case 17: return 4;
	case 3: return 12;
	case 4: case 5: case 15: case 19: return 12 * vlen;
	case 6: case 13: return 8 * vlen;
	default: return 0;
	}
}

static void test_corrupt(const char *name)
{
	char path[640];
	size_t len = 0, nsh;
	unsigned char *orig, *b;
	struct tshdr sh[128];
	struct logbuf lb;
	unsigned long before = tl_failed;
	unsigned seed = 12345;
	static const uint64_t bombs[] = { 0, 1, 7, 0xff, 0xffff, 0xffffffffull, 0x7fffffffffffffffull,
					  0xffffffffffffffffull, 0x8000000000000000ull };

	snprintf(path, sizeof(path), "%s/%s.o", bpf_dir, name);
	orig = slurp(path, &len);
	if (!CHECK_MSG(orig != NULL, "%s missing (mk/bpf.mk builds it)", path))
		return;
	b = malloc(len);
	nsh = t_sections(orig, sh, 128);
#define RESET() memcpy(b, orig, len)

	/* truncation at every 64-byte boundary, and the last byte */
	for (size_t l = 0; l < len; l += 64) {
		RESET();
		try_open(b, l, "truncate", (long)l, &lb);
	}
	try_open(orig, len - 1, "truncate", (long)len - 1, &lb);
	/* every ELF header byte */
	for (size_t i = 0; i < 64; i++)
		for (int v = 0; v < 4; v++) {
			RESET();
			b[i] = v == 0 ? 0 : v == 1 ? 0xff : v == 2 ? b[i] ^ 1 : b[i] + 0x40;
			try_open(b, len, "ehdr byte", (long)i, &lb);
		}
	/* section header fields */
	for (size_t i = 0; i < nsh; i++) {
		static const struct { size_t off, w; } fld[] = {
			{ 0, 4 }, { 4, 4 }, { 8, 8 }, { 24, 8 }, { 32, 8 }, { 40, 4 }, { 44, 4 }, { 56, 8 } };
		for (size_t f = 0; f < 8; f++)
			for (size_t k = 0; k < sizeof(bombs) / sizeof(bombs[0]) + 3; k++) {
				unsigned char *p = NULL;
				uint64_t v;
				RESET();
				p = b + sh[i].hdr + fld[f].off;
				v = fld[f].w == 4 ? get32(p) : get64(p);
				v = k < 9 ? bombs[k] : k == 9 ? v + 1 : k == 10 ? v - 1 : len - 8;
				if (fld[f].w == 4)
					put32(p, (uint32_t)v);
				else
					put64(p, v);
				try_open(b, len, "shdr field", (long)(i * 100 + f), &lb);
			}
	}
	/* sections overlapping: point each section at the previous one's data */
	for (size_t i = 2; i < nsh; i++) {
		RESET();
		put64(b + sh[i].hdr + 24, sh[i - 1].off);
		try_open(b, len, "overlap", (long)i, &lb);
	}
	for (size_t i = 0; i < nsh; i++) {
		const struct tshdr *s = &sh[i];
		if (s->type == 2) {   /* symbols */
			for (size_t y = 1; y < s->size / 24; y++)
				for (int k = 0; k < 12; k++) {
					unsigned char *p;
					RESET();
					p = b + s->off + y * 24;
					switch (k) {
					case 0: put32(p, 0xfffffff0); break;
					case 1: put16(p + 6, 0); break;
					case 2: put16(p + 6, 0xfff1); break;
					case 3: put16(p + 6, (uint16_t)nsh); break;
					case 4: put16(p + 6, (uint16_t)(nsh - 1)); break;
					case 5: put64(p + 8, get64(p + 8) + 8); break;
					case 6: put64(p + 8, 0xfffffffffffffff8ull); break;
					case 7: put64(p + 16, 0xfffffffffffffff8ull); break;
					case 8: put64(p + 16, get64(p + 16) + 8); break;
					case 9: p[4] = 0x12; break;   /* global func */
					case 10: p[4] = 0x03; break;  /* section */
					default: put64(p + 8, get64(p + 8) + 1); break;
					}
					try_open(b, len, "symbol", (long)(y * 100 + k), &lb);
				}
		}
		if (s->type == 9) {   /* relocations */
			for (size_t r = 0; r < s->size / 16; r++)
				for (int k = 0; k < 10; k++) {
					unsigned char *p;
					uint64_t info;
					RESET();
					p = b + s->off + r * 16;
					info = get64(p + 8);
					switch (k) {
					case 0: put64(p, get64(p) + 1); break;
					case 1: put64(p, get64(p) + 8); break;
					case 2: put64(p, 0xfffffffffffffff0ull); break;
					case 3: put64(p, get64(p) - 8); break;
					case 4: put64(p + 8, (info & 0xffffffff)); break;
					case 5: put64(p + 8, (info & 0xffffffff) | 0xffffff00ull << 32); break;
					case 6: put64(p + 8, (info & ~0xffffffffull) | 10); break;
					case 7: put64(p + 8, (info & ~0xffffffffull) | 99); break;
					case 8: put64(p + 8, (info & 0xffffffff) | (uint64_t)(1 + r % 33) << 32); break;
					default: put64(p + 8, (info & ~0xffffffffull) | 1); break;
					}
					try_open(b, len, "relocation", (long)(i * 10000 + r * 10 + k), &lb);
				}
		}
		if (!strcmp(s->name, ".BTF")) {
			const unsigned char *bt = orig + s->off;
			uint32_t hl = get32(bt + 4), toff = get32(bt + 8), tlen = get32(bt + 12);
			size_t pos = 0, id = 1;
			bool looped = false;

			for (size_t f = 4; f < 24; f += 4)
				for (size_t k = 0; k < 6; k++) {
					RESET();
					put32(b + s->off + f, k < 4 ? (uint32_t)bombs[k + 2] : k == 4 ? get32(bt + f) + 4
												: get32(bt + f) - 4);
					try_open(b, len, "btf header", (long)(f * 10 + k), &lb);
				}
			while (pos + 12 <= tlen) {
				size_t at = s->off + hl + toff + pos;
				uint32_t info = get32(orig + at + 4), kind = info >> 24 & 0x1f;

				for (int k = 0; k < 6; k++) {
					RESET();
					switch (k) {
					case 0: put32(b + at, 0xfffffff0); break;            /* name */
					case 1: put32(b + at + 8, 0x7fffffff); break;        /* size/type */
					case 2: put32(b + at + 8, (uint32_t)id); break;      /* self reference */
					case 3: put32(b + at + 4, info + 1); break;          /* vlen + 1 */
					case 4: put32(b + at + 4, (info & 0xe0ffffff) | 31u << 24); break;
					default: put32(b + at + 4, info ^ 0x80000000u); break; /* kflag */
					}
					if (try_open(b, len, "btf type", (long)(id * 10 + k), &lb) == -EINVAL && k == 2 &&
					    (kind == 8 || kind == 10 || kind == 9) && strstr(lb.last, "loop"))
						looped = true;
				}
				pos += 12 + t_btf_extra(info);
				id++;
			}
			CHECK_MSG(looped, "a typedef/const pointing to itself is reported as a BTF loop");
		}
		if (!strcmp(s->name, ".BTF.ext") || !strcmp(s->name, ".maps") || !strcmp(s->name, "xdp")) {
			for (size_t w = 0; w + 4 <= s->size; w += 4)
				for (int k = 0; k < 3; k++) {
					unsigned char *p;
					RESET();
					p = b + s->off + w;
					put32(p, k == 0 ? 0xffffffff : k == 1 ? 0 : get32(p) + 8);
					try_open(b, len, s->name, (long)(w * 10 + k), &lb);
				}
		}
	}
	/* random byte flips */
	for (int it = 0; it < 3000; it++) {
		int n = 1 + (int)(rand_r(&seed) % 8);
		RESET();
		for (int k = 0; k < n; k++)
			b[rand_r(&seed) % len] = (unsigned char)rand_r(&seed);
		try_open(b, len, "random", it, &lb);
	}
	printf("corruption of %s.o: %lu rejected with an error, %lu opened and walked, %lu bad\n", name, n_err, n_ok,
	       tl_failed - before);
	free(b);
	free(orig);
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
	char self[512];

	(void)argc;
	/* build/tests/test_elf -> build/bpf; build/san/tests/test_elf -> build/san/bpf */
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(bpf_dir, sizeof(bpf_dir), "%s/../bpf", dirname(self));
	TL_RUN(test_open_errors);
	TL_RUN(test_maps_obj);
	TL_RUN(test_legacy_obj);
	TL_RUN(test_externs_obj);
	TL_RUN(test_synth);
	test_corrupt("maps");
	n_err = n_ok = 0;
	test_corrupt("legacy");
	return tl_summary();
}

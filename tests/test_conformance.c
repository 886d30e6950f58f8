/*
 * test_conformance.c - the bpf_conformance suite (313 programs) through
 * every stage:
 *   (a) asm:  bpfbox_asm(the "-- asm" section) == code_hex
 *   (b) trip: asm(disasm(code)) == code, in LLVM and in mnemonic syntax
 *   (c) run:  the interpreter, checked and trusted, returns the expected r0
 *             (memory = the "-- mem" bytes in r1/r2; helper 5 returns 0)
 * Prints a passed/total table per cpu_version and names every failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "testlib.h"

enum { C_ASM, C_TRIP_LLVM, C_TRIP_MNEM, C_RUN_CHECKED, C_RUN_TRUSTED, C__N };
static const char *const check_names[C__N] = {
	"(a) asm == code_hex", "(b) round trip llvm", "(b) round trip mnemonic",
	"(c) run checked", "(c) run trusted",
};

/* Collects the library's log lines for one test. */
struct logbuf {
	char text[2048];
	size_t len;
};

static void log_fn(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	struct logbuf *lb = ctx;
	int n;

	if (level > BPFBOX_LOG_WARN || lb->len >= sizeof(lb->text) - 1)
		return;
	n = snprintf(lb->text + lb->len, sizeof(lb->text) - lb->len, "%s%s",
		     lb->len ? " | " : "", msg);
	if (n > 0)
		lb->len = lb->len + (size_t)n < sizeof(lb->text) ? lb->len + (size_t)n : sizeof(lb->text) - 1;
}

/* Helper 5 of the suite: returns normally. */
static uint64_t helper5(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
			uint64_t r4, uint64_t r5)
{
	(void)call; (void)r1; (void)r2; (void)r3; (void)r4; (void)r5;
	return 0;
}

/* (a): assemble the source and compare with the suite's bytes. */
static int check_asm(const struct bxt_conf_test *t)
{
	struct logbuf lb = { .len = 0 };
	BPFBOX_OPTS(bpfbox_asm_opts, ao, .filename = t->name, .log = log_fn, .log_ctx = &lb);
	struct bpfbox_insn *insns = NULL;
	size_t cnt = 0;
	int err, ok;

	if (!t->asm_text)
		return CHECK_MSG(0, "%s: asm: no .data file", t->name);
	err = bpfbox_asm(t->asm_text, t->asm_len, &ao, &insns, &cnt);
	if (err) {
		free(insns);
		return CHECK_MSG(0, "%s: asm: error %d: %s", t->name, err, lb.text);
	}
	ok = cnt * 8 == t->code_len && !memcmp(insns, t->code, t->code_len);
	if (!ok) {
		size_t i = 0;
		while (i < cnt && (i + 1) * 8 <= t->code_len && !memcmp(&insns[i], t->code + 8 * i, 8))
			i++;
		CHECK_MSG(0, "%s: asm: %zu slots, want %zu; first difference at slot %zu",
			  t->name, cnt, t->code_len / 8, i);
	} else {
		CHECK(1);
	}
	free(insns);
	return ok;
}

/* (b): disassemble with `flags`, reassemble in `syntax`, compare. */
static int check_trip(const struct bxt_conf_test *t, unsigned flags, enum bpfbox_asm_syntax syntax,
		      const char *what)
{
	const struct bpfbox_insn *code = (const struct bpfbox_insn *)t->code;
	size_t cnt = t->code_len / 8, cap = cnt * 128 + 1, len = 0;
	char *text = malloc(cap), line[512];
	struct logbuf lb = { .len = 0 };
	BPFBOX_OPTS(bpfbox_disasm_opts, dopts, .flags = flags);
	BPFBOX_OPTS(bpfbox_asm_opts, ao, .filename = t->name, .syntax = syntax, .log = log_fn,
		    .log_ctx = &lb);
	struct bpfbox_insn *insns = NULL;
	size_t n = 0;
	int ok = 1, err;

	if (!text)
		return CHECK_MSG(0, "%s: out of memory", t->name);
	text[0] = 0;
	for (size_t i = 0; i < cnt && ok;) {
		int k = bpfbox_disasm_insn(code, cnt, i, &dopts, line, sizeof(line));
		if (k <= 0) {
			ok = CHECK_MSG(0, "%s: %s: disasm of slot %zu failed (%d): %s", t->name, what,
				       i, k, line);
			break;
		}
		if (len + strlen(line) + 2 > cap) {
			ok = CHECK_MSG(0, "%s: %s: disassembly too long", t->name, what);
			break;
		}
		len += (size_t)sprintf(text + len, "%s\n", line);
		i += (size_t)k;
	}
	if (ok) {
		err = bpfbox_asm(text, len, &ao, &insns, &n);
		if (err)
			ok = CHECK_MSG(0, "%s: %s: reassembly failed (%d): %s", t->name, what, err, lb.text);
		else if (n != cnt || memcmp(insns, code, t->code_len)) {
			size_t i = 0;
			while (i < n && i < cnt && !memcmp(&insns[i], &code[i], 8))
				i++;
			ok = CHECK_MSG(0, "%s: %s: %zu slots, want %zu; first difference at slot %zu",
				       t->name, what, n, cnt, i);
		} else {
			ok = CHECK(1);
		}
	}
	free(insns);
	free(text);
	return ok;
}

/* (c): load the suite's bytes and run them in `mode`. */
static int check_run(const struct bxt_conf_test *t, enum bpfbox_run_mode mode, const char *what)
{
	struct logbuf lb = { .len = 0 };
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = log_fn, .log_ctx = &lb);
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = t->name);
	struct bpfbox_vm *vm = NULL;
	struct bpfbox_prog *prog = NULL;
	uint8_t *mem = NULL;
	int err, ok;

	err = bpfbox_vm__new(&vo, &vm);
	if (err)
		return CHECK_MSG(0, "%s: %s: vm__new: %d", t->name, what, err);
	err = bpfbox_vm__register_helper(vm, 5, "helper5", helper5, NULL);
	if (err) {
		ok = CHECK_MSG(0, "%s: %s: register_helper: %d: %s", t->name, what, err, lb.text);
		goto out;
	}
	err = bpfbox_prog__load(vm, (const struct bpfbox_insn *)t->code, t->code_len / 8, &po, &prog);
	if (err) {
		ok = CHECK_MSG(0, "%s: %s: load failed (%d): %s", t->name, what, err, lb.text);
		goto out;
	}
	if (t->mem_len) {
		mem = malloc(t->mem_len);
		if (!mem) {
			ok = CHECK_MSG(0, "%s: out of memory", t->name);
			goto out;
		}
		memcpy(mem, t->mem, t->mem_len);
	}
	BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = mem, .ctx_size = t->mem_len, .mode = mode);
	err = bpfbox_prog__run(prog, &ro);
	if (err)
		ok = CHECK_MSG(0, "%s: %s: run failed (%d): %s", t->name, what, err, lb.text);
	else
		ok = CHECK_MSG(ro.retval == t->result, "%s: %s: r0 = 0x%llx, want 0x%llx", t->name,
			       what, (unsigned long long)ro.retval, (unsigned long long)t->result);
out:
	free(mem);
	bpfbox_prog__free(prog);
	bpfbox_vm__free(vm);
	return ok;
}

int main(void)
{
	struct bxt_conf conf;
	unsigned pass[C__N][5] = { { 0 } }, total[5] = { 0 };
	char why[512];
	int err = bxt_conf_load(&conf, why, sizeof(why));

	if (err == -ENOENT) {
		TL_SKIP("%s", why);
		return tl_summary();
	}
	if (err) {
		CHECK_MSG(0, "loading the conformance suite: %s", why);
		return tl_summary();
	}
	printf("conformance: %zu programs from %s\n", conf.cnt, conf.dir);
	for (size_t i = 0; i < conf.cnt; i++) {
		const struct bxt_conf_test *t = &conf.tests[i];
		int v = t->cpu_version >= 1 && t->cpu_version <= 4 ? t->cpu_version : 0;
		int r[C__N];

		r[C_ASM] = check_asm(t);
		r[C_TRIP_LLVM] = check_trip(t, 0, BPFBOX_SYNTAX_LLVM, "round trip llvm");
		r[C_TRIP_MNEM] = check_trip(t, BPFBOX_DISASM_MNEMONIC, BPFBOX_SYNTAX_MNEMONIC,
					    "round trip mnemonic");
		r[C_RUN_CHECKED] = check_run(t, BPFBOX_RUN_CHECKED, "run checked");
		r[C_RUN_TRUSTED] = check_run(t, BPFBOX_RUN_TRUSTED, "run trusted");
		total[v]++;
		for (int c = 0; c < C__N; c++)
			pass[c][v] += (unsigned)r[c];
	}
	printf("\n%-26s", "check \\ cpu_version");
	for (int v = 1; v <= 4; v++)
		printf(" %9s%d", "v", v);
	printf(" %10s\n", "all");
	for (int c = 0; c < C__N; c++) {
		unsigned p = 0, n = 0;
		char cell[32];
		printf("%-26s", check_names[c]);
		for (int v = 1; v <= 4; v++) {
			snprintf(cell, sizeof(cell), "%u/%u", pass[c][v], total[v]);
			printf(" %10s", cell);
		}
		for (int v = 0; v <= 4; v++) {
			p += pass[c][v];
			n += total[v];
		}
		snprintf(cell, sizeof(cell), "%u/%u", p, n);
		printf(" %10s\n", cell);
	}
	printf("\n");
	bxt_conf_free(&conf);
	return tl_summary();
}

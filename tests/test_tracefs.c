/*
 * test_tracefs.c - the x86-64 syscall table (syscalls_x86_64.h) and the
 * trace-event layouts (tracefs.h): lookups against <sys/syscall.h>, the
 * format-file parser on shipped samples and bad input, the built-in
 * layouts (equal to the host's tracefs for every syscall when it is
 * readable), event names, and the record builder.
 */
#include "testlib.h"

#include "trace/syscalls_x86_64.h"
#include "trace/tracefs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static char last_msg[1100];

/* Keep the last logged message. */
static void log_fn(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	snprintf(last_msg, sizeof(last_msg), "%s", msg);
}

static const struct bx_log tlog = { log_fn, NULL };

/* Lookups and table invariants. */
static void test_table(void)
{
	static const struct { const char *name; long nr; } known[] = {
		{ "read", SYS_read }, { "write", SYS_write }, { "openat", SYS_openat },
		{ "close", SYS_close }, { "stat", SYS_stat }, { "fstat", SYS_fstat },
		{ "execve", SYS_execve }, { "clone", SYS_clone }, { "clone3", SYS_clone3 },
		{ "exit_group", SYS_exit_group }, { "wait4", SYS_wait4 }, { "mmap", SYS_mmap },
		{ "rt_sigreturn", SYS_rt_sigreturn }, { "umount2", SYS_umount2 },
		{ "sendfile", SYS_sendfile }, { "uname", SYS_uname }, { "newfstatat", SYS_newfstatat },
		{ "futex_waitv", 449 }, { "cachestat", 451 }, { "mseal", 462 },
	};
	const struct bxh_syscall *sc;
	size_t n = bxh_syscall_count();
	int sorted = 1, named = 1, args_ok = 1;

	CHECK_MSG(n >= 370, "%zu syscalls", n);
	for (size_t i = 0; i < n; i++) {
		const struct bxh_syscall *s = bxh_syscall_at(i);
		if (i && s->nr <= bxh_syscall_at(i - 1)->nr)
			sorted = 0;
		if (!s->name || !s->name[0] || !s->entry || !s->entry[0])
			named = 0;
		if (s->nargs > BXH_SYSCALL_MAX_ARGS || s->nargs < -1)
			args_ok = 0;
		for (int a = 0; a < s->nargs; a++)
			if (!s->arg_names[a] || !s->arg_types[a] || !s->arg_names[a][0])
				args_ok = 0;
		if (bxh_syscall_by_nr(s->nr) != s || bxh_syscall_by_name(s->name) != s)
			named = 0;
	}
	CHECK(sorted);
	CHECK(named);
	CHECK(args_ok);
	CHECK(bxh_syscall_at(n) == NULL);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		sc = bxh_syscall_by_name(known[i].name);
		CHECK_MSG(sc && sc->nr == known[i].nr, "%s: %ld", known[i].name, sc ? (long)sc->nr : -1L);
	}
	sc = bxh_syscall_by_nr(SYS_openat);
	if (CHECK(sc)) {
		CHECK_STR(sc->name, "openat");
		CHECK_EQ_INT(sc->nargs, 4);
		CHECK_STR(sc->arg_names[1], "filename");
		CHECK_STR(sc->arg_types[1], "const char *");
	}
	sc = bxh_syscall_by_nr(SYS_stat);
	CHECK(sc && !strcmp(sc->entry, "newstat"));
	CHECK(bxh_syscall_by_name("newstat") == sc);
	CHECK(bxh_syscall_by_name("__x64_sys_newstat") == sc);
	CHECK(bxh_syscall_by_name("sys_stat") == sc);
	CHECK(bxh_syscall_by_name("__x64_sys_openat") == bxh_syscall_by_nr(SYS_openat));
	CHECK(bxh_syscall_by_name("umount") == bxh_syscall_by_nr(SYS_umount2));
	CHECK(bxh_syscall_by_name("no_such_call") == NULL);
	CHECK(bxh_syscall_by_name("") == NULL);
	CHECK(bxh_syscall_by_name(NULL) == NULL);
	CHECK(bxh_syscall_by_nr(-1) == NULL);
	CHECK(bxh_syscall_by_nr(400) == NULL);
	CHECK(bxh_syscall_by_nr(100000) == NULL);
	sc = bxh_syscall_by_nr(SYS_getpid);
	CHECK(sc && sc->nargs == 0);
}

static const char openat_fmt[] =
	"name: sys_enter_openat\nID: 782\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:int flags;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:umode_t mode;\toffset:40;\tsize:8;\tsigned:0;\n\n"
	"print fmt: \"dfd: 0x%08lx, filename: 0x%08lx\", ((unsigned long)(REC->dfd))\n";

static const char sched_fmt[] =
	"name: sched_process_exec\nID: 300\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;\n"
	"\tfield:char comm[16];\toffset:16;\tsize:16;\tsigned:0;\n"
	"\tfield:unsigned long args[6];\toffset:32;\tsize:48;\tsigned:0;\n";

/* The parser on samples. */
static void test_parse(void)
{
	struct bxh_ev_format f;
	const struct bxh_ev_field *fd;

	CHECK_EQ_INT(bxh_ev_parse(openat_fmt, strlen(openat_fmt), &f, &tlog), 0);
	CHECK_STR(f.name, "sys_enter_openat");
	CHECK_EQ_INT(f.id, 782);
	CHECK_EQ_INT(f.nfields, 9);
	CHECK_EQ_INT(f.size, 48);
	CHECK(!f.builtin);
	fd = bxh_ev_field(&f, "filename");
	if (CHECK(fd)) {
		CHECK_STR(fd->type, "const char *");
		CHECK_EQ_INT(fd->offset, 24);
		CHECK_EQ_INT(fd->size, 8);
		CHECK(!fd->is_signed);
		CHECK_EQ_INT(fd->array_len, 0);
	}
	fd = bxh_ev_field(&f, "common_pid");
	CHECK(fd && fd->is_signed && fd->offset == 4 && !strcmp(fd->type, "int"));
	CHECK(bxh_ev_field(&f, "nope") == NULL);

	CHECK_EQ_INT(bxh_ev_parse(sched_fmt, strlen(sched_fmt), &f, &tlog), 0);
	fd = bxh_ev_field(&f, "filename");
	CHECK(fd && !strcmp(fd->type, "__data_loc char[]") && fd->size == 4);
	fd = bxh_ev_field(&f, "comm");
	CHECK(fd && !strcmp(fd->type, "char") && fd->array_len == 16 && fd->offset == 16);
	fd = bxh_ev_field(&f, "args");
	CHECK(fd && fd->array_len == 6 && fd->size == 48 && !strcmp(fd->type, "unsigned long"));
	CHECK_EQ_INT(f.size, 80);
	/* no trailing newline, CRLF-free truncation at each byte */
	for (size_t n = 0; n < sizeof(openat_fmt) - 1; n++) {
		int r = bxh_ev_parse(openat_fmt, n, &f, NULL);
		if (r != 0 && r != -EINVAL) {
			CHECK_MSG(0, "truncated at %zu: %d", n, r);
			break;
		}
	}
	CHECK(1);
}

/* Bad format files: -EINVAL with a message naming the line. */
static void test_parse_bad(void)
{
	static const char *const bad[] = {
		"",
		"format:\n\tfield:int x;\toffset:0;\tsize:4;\n",             /* no name */
		"name: x\nformat:\n",                                        /* no fields */
		"name: x\nfield:int a;\toffset:0;\tsize:4;\n",               /* before format: */
		"name: x\nformat:\n\tfield:int a;\toffset:;\tsize:4;\n",     /* empty offset */
		"name: x\nformat:\n\tfield:int a;\tsize:4;\toffset:0;\n",    /* order */
		"name: x\nformat:\n\tfield:int a\toffset:0;\tsize:4;\n",     /* no ';' */
		"name: x\nformat:\n\tfield:;\toffset:0;\tsize:4;\n",         /* no decl */
		"name: x\nformat:\n\tfield:int a[x];\toffset:0;\tsize:4;\n", /* bad array */
		"name: x\nformat:\n\tfield:int a;\toffset:99999999999;\tsize:4;\n",
		"name: x\nformat:\n\tfield:int a;\toffset:65535;\tsize:4;\n",
		"name: x\nID: abc\nformat:\n\tfield:int a;\toffset:0;\tsize:4;\n",
	};
	struct bxh_ev_format f;
	char many[8192];
	size_t n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		last_msg[0] = 0;
		CHECK_MSG(bxh_ev_parse(bad[i], strlen(bad[i]), &f, &tlog) == -EINVAL, "bad[%zu]", i);
		CHECK_MSG(last_msg[0], "bad[%zu] logged nothing", i);
	}
	CHECK(strstr(last_msg, "line 2"));
	n = (size_t)snprintf(many, sizeof(many), "name: x\nformat:\n");
	for (int i = 0; i < BXH_EV_MAX_FIELDS + 1; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n,
				      "\tfield:int f%d;\toffset:%d;\tsize:4;\tsigned:1;\n", i, i * 4);
	CHECK_EQ_INT(bxh_ev_parse(many, n, &f, &tlog), -EINVAL);
	CHECK(strstr(last_msg, "more than"));
	CHECK_EQ_INT(bxh_ev_parse(NULL, 0, &f, NULL), -EINVAL);
}

/* Built-in layouts and event names. */
static void test_builtin(void)
{
	struct bxh_ev_format f;
	const struct bxh_ev_field *fd;
	bool ex;

	CHECK_EQ_INT(bxh_ev_format("syscalls/sys_enter_openat", "", &f, &tlog), 0);
	CHECK(f.builtin);
	CHECK_STR(f.system, "syscalls");
	CHECK_STR(f.name, "sys_enter_openat");
	CHECK_EQ_INT(f.size, 48);
	CHECK_EQ_INT(f.nfields, 9);
	fd = bxh_ev_field(&f, "__syscall_nr");
	CHECK(fd && fd->offset == 8 && fd->size == 4 && fd->is_signed);
	fd = bxh_ev_field(&f, "mode");
	CHECK(fd && fd->offset == 40 && fd->size == 8 && !strcmp(fd->type, "umode_t"));

	CHECK_EQ_INT(bxh_ev_format("syscalls:sys_exit_openat", "", &f, &tlog), 0);
	fd = bxh_ev_field(&f, "ret");
	CHECK(fd && fd->offset == 16 && fd->size == 8 && fd->is_signed);
	CHECK_EQ_INT(f.size, 24);

	CHECK_EQ_INT(bxh_ev_format("syscalls/sys_enter_stat", "", &f, &tlog), 0);
	CHECK_STR(f.name, "sys_enter_newstat");
	CHECK_EQ_INT(bxh_ev_format("syscalls/sys_enter_getpid", "", &f, &tlog), 0);
	CHECK_EQ_INT(f.size, 12);

	CHECK_EQ_INT(bxh_ev_format("raw_syscalls/sys_enter", "", &f, &tlog), 0);
	fd = bxh_ev_field(&f, "args");
	CHECK(fd && fd->offset == 16 && fd->size == 48 && fd->array_len == 6);
	fd = bxh_ev_field(&f, "id");
	CHECK(fd && fd->offset == 8 && fd->size == 8);
	CHECK_EQ_INT(f.size, 64);
	CHECK_EQ_INT(bxh_ev_format("raw_syscalls/sys_exit", "", &f, &tlog), 0);
	CHECK_EQ_INT(f.size, 24);

	CHECK_EQ_INT(bxh_ev_format("raw_syscalls/sys_foo", "", &f, &tlog), -ENOENT);
	CHECK(strstr(last_msg, "raw_syscalls/sys_foo"));
	CHECK_EQ_INT(bxh_ev_format("syscalls/sys_enter_nosuch", "", &f, &tlog), -ENOENT);
	CHECK_EQ_INT(bxh_ev_format("syscalls/sys_enter_kexec_load", "", &f, &tlog), -ENOENT);
	CHECK_EQ_INT(bxh_ev_format("sched/sched_switch", "", &f, &tlog), -ENOENT);
	CHECK_EQ_INT(bxh_ev_format("sys_enter_openat", "", &f, &tlog), -EINVAL);
	CHECK_EQ_INT(bxh_ev_format("syscalls/../../etc", NULL, &f, &tlog), -EINVAL);
	CHECK_EQ_INT(bxh_ev_format("../x/y", NULL, &f, &tlog), -EINVAL);
	CHECK_EQ_INT(bxh_ev_format("syscalls/", NULL, &f, &tlog), -EINVAL);
	CHECK_EQ_INT(bxh_ev_format(NULL, NULL, &f, &tlog), -EINVAL);

	CHECK_EQ_INT(bxh_ev_syscall_nr("syscalls/sys_enter_openat", &ex), SYS_openat);
	CHECK(!ex);
	CHECK_EQ_INT(bxh_ev_syscall_nr("sys_exit_newstat", &ex), SYS_stat);
	CHECK(ex);
	CHECK_EQ_INT(bxh_ev_syscall_nr("syscalls:sys_exit_read", &ex), SYS_read);
	CHECK_EQ_INT(bxh_ev_syscall_nr("raw_syscalls/sys_enter", &ex), -ENOENT);
	CHECK_EQ_INT(bxh_ev_syscall_nr("syscalls/sys_enter_", &ex), -ENOENT);
	CHECK_EQ_INT(bxh_ev_syscall_nr("syscalls/sys_enter_sys_read", &ex), -ENOENT);
	CHECK_EQ_INT(bxh_ev_syscall_nr("foo/sys_enter_read", &ex), -ENOENT);
	CHECK_EQ_INT(bxh_ev_syscall_nr(NULL, &ex), -ENOENT);
}

/* A tracefs directory of our own (the tracefs argument). */
static void test_custom_dir(void)
{
	char dir[] = "/tmp/bx_tracefs_XXXXXX", p[256];
	struct bxh_ev_format f;
	FILE *o;

	if (!mkdtemp(dir)) {
		TL_SKIP("mkdtemp failed");
		return;
	}
	snprintf(p, sizeof(p), "%s/events", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/events/syscalls", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/events/syscalls/sys_enter_openat", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/events/syscalls/sys_enter_openat/format", dir);
	o = fopen(p, "w");
	if (o) {
		fputs(openat_fmt, o);
		fclose(o);
	}
	CHECK_EQ_INT(bxh_ev_format("syscalls/sys_enter_openat", dir, &f, &tlog), 0);
	CHECK(!f.builtin && f.id == 782 && !strcmp(f.system, "syscalls"));
	/* not there: built in */
	CHECK_EQ_INT(bxh_ev_format("syscalls/sys_exit_openat", dir, &f, &tlog), 0);
	CHECK(f.builtin && f.id == 0);
	/* a broken file is an error, not a silent fallback */
	o = fopen(p, "w");
	if (o) {
		fputs("garbage\n", o);
		fclose(o);
	}
	CHECK_EQ_INT(bxh_ev_format("syscalls/sys_enter_openat", dir, &f, &tlog), -EINVAL);
	CHECK(strstr(last_msg, "cannot parse"));
	unlink(p);
	snprintf(p, sizeof(p), "%s/events/syscalls/sys_enter_openat", dir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/events/syscalls", dir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/events", dir);
	rmdir(p);
	rmdir(dir);
}

/* Same layout (names, offsets, sizes) except id/builtin/types. */
static int same_layout(const struct bxh_ev_format *a, const struct bxh_ev_format *b)
{
	if (a->nfields != b->nfields || a->size != b->size || strcmp(a->name, b->name))
		return 0;
	for (size_t i = 0; i < a->nfields; i++) {
		const struct bxh_ev_field *x = &a->fields[i], *y = &b->fields[i];
		if (strcmp(x->name, y->name) || x->offset != y->offset || x->size != y->size ||
		    x->array_len != y->array_len || strcmp(x->type, y->type))
			return 0;
	}
	return 1;
}

/* The built-in layouts equal the host's tracefs, event by event. */
static void test_vs_host(void)
{
	const char *dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	const char *host = NULL;
	char p[256];
	unsigned n = 0, bad = 0;

	for (int i = 0; i < 2 && !host; i++) {
		snprintf(p, sizeof(p), "%s/events/syscalls/sys_enter_openat/format", dirs[i]);
		if (!access(p, R_OK))
			host = dirs[i];
	}
	if (!host) {
		TL_SKIP("no readable tracefs: built-in layouts not compared with the host's");
		return;
	}
	for (size_t i = 0; i < bxh_syscall_count(); i++) {
		const struct bxh_syscall *s = bxh_syscall_at(i);
		for (int ex = 0; ex < 2 && s->nargs >= 0; ex++) {
			struct bxh_ev_format hf, bf;
			char ev[128];

			snprintf(ev, sizeof(ev), "syscalls/sys_%s_%s", ex ? "exit" : "enter", s->entry);
			if (bxh_ev_format(ev, host, &hf, NULL) || hf.builtin)
				continue;  /* this kernel lacks it */
			n++;
			if (bxh_ev_format(ev, "", &bf, NULL) || !same_layout(&hf, &bf)) {
				if (bad++ < 5)
					printf("  differs: %s\n", ev);
			}
		}
	}
	CHECK_MSG(n > 600, "only %u host events compared", n);
	CHECK_MSG(!bad, "%u of %u built-in layouts differ from %s", bad, n, host);
	printf("  %u syscall event layouts equal to %s\n", n, host);
	{
		struct bxh_ev_format hf, bf;
		CHECK_EQ_INT(bxh_ev_format("raw_syscalls/sys_enter", host, &hf, &tlog), 0);
		CHECK_EQ_INT(bxh_ev_format("raw_syscalls/sys_enter", "", &bf, &tlog), 0);
		CHECK(!hf.builtin && hf.id > 0 && same_layout(&hf, &bf));
		CHECK_EQ_INT(bxh_ev_format("raw_syscalls/sys_exit", host, &hf, &tlog), 0);
		CHECK_EQ_INT(bxh_ev_format("raw_syscalls/sys_exit", "", &bf, &tlog), 0);
		CHECK(same_layout(&hf, &bf));
		/* NULL: the default directories */
		CHECK_EQ_INT(bxh_ev_format("syscalls/sys_enter_openat", NULL, &hf, &tlog), 0);
		CHECK(!hf.builtin);
	}
}

/* The record builder. */
static void test_build(void)
{
	struct bxh_ev_format f;
	struct bxh_ev_vals v = { .pid = 1234, .nr = SYS_openat, .args = { (uint64_t)-100, 0x7fff0000,
			0x241, 0644, 5, 6 }, .ret = -2 };
	uint8_t rec[128];
	uint64_t u;
	int32_t i32;
	uint16_t u16;

	CHECK_EQ_INT(bxh_ev_format("syscalls/sys_enter_openat", "", &f, &tlog), 0);
	f.id = 782;
	memset(rec, 0xee, sizeof(rec));
	CHECK_EQ_INT(bxh_ev_build(&f, &v, rec, sizeof(rec)), 48);
	memcpy(&u16, rec, 2);
	CHECK_EQ_INT(u16, 782);
	CHECK_EQ_INT(rec[2], 0);
	CHECK_EQ_INT(rec[3], 0);
	memcpy(&i32, rec + 4, 4);
	CHECK_EQ_INT(i32, 1234);
	memcpy(&i32, rec + 8, 4);
	CHECK_EQ_INT(i32, SYS_openat);
	memcpy(&i32, rec + 12, 4);
	CHECK_EQ_INT(i32, 0);  /* padding zeroed */
	memcpy(&u, rec + 16, 8);
	CHECK_EQ_U64(u, (uint64_t)-100);
	memcpy(&u, rec + 24, 8);
	CHECK_EQ_U64(u, 0x7fff0000);
	memcpy(&u, rec + 40, 8);
	CHECK_EQ_U64(u, 0644);
	CHECK_EQ_INT(rec[48], 0xee);  /* nothing past the record */
	CHECK_EQ_INT(bxh_ev_build(&f, &v, rec, 47), -ENOSPC);

	CHECK_EQ_INT(bxh_ev_format("syscalls/sys_exit_openat", "", &f, &tlog), 0);
	CHECK_EQ_INT(bxh_ev_build(&f, &v, rec, sizeof(rec)), 24);
	memcpy(&u, rec + 16, 8);
	CHECK_EQ_U64(u, (uint64_t)-2);

	CHECK_EQ_INT(bxh_ev_format("raw_syscalls/sys_enter", "", &f, &tlog), 0);
	CHECK_EQ_INT(bxh_ev_build(&f, &v, rec, sizeof(rec)), 64);
	memcpy(&u, rec + 8, 8);
	CHECK_EQ_U64(u, SYS_openat);
	memcpy(&u, rec + 16 + 5 * 8, 8);
	CHECK_EQ_U64(u, 6);
	CHECK_EQ_INT(bxh_ev_format("raw_syscalls/sys_exit", "", &f, &tlog), 0);
	CHECK_EQ_INT(bxh_ev_build(&f, &v, rec, sizeof(rec)), 24);
	memcpy(&u, rec + 16, 8);
	CHECK_EQ_U64(u, (uint64_t)-2);

	/* a parsed format with narrower fields: truncated stores */
	CHECK_EQ_INT(bxh_ev_parse(sched_fmt, strlen(sched_fmt), &f, &tlog), 0);
	CHECK_EQ_INT(bxh_ev_build(&f, &v, rec, sizeof(rec)), 80);
}

int main(void)
{
	TL_RUN(test_table);
	TL_RUN(test_parse);
	TL_RUN(test_parse_bad);
	TL_RUN(test_builtin);
	TL_RUN(test_custom_dir);
	TL_RUN(test_vs_host);
	TL_RUN(test_build);
	return tl_summary();
}

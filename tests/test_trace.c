/*
 * test_trace.c - the tracing engine's library API (include/bpfbox/trace.h):
 * attach-point checks (bad sections, program types that do not fit,
 * unknown syscalls), bad pids and commands, and a real run of a started
 * command (exit status, syscall and program-run counts, forks followed),
 * the seccomp fast path against the ptrace-only path.
 * The CLI and the examples are tested in tests/test_trace.sh.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bpfbox/bpfbox.h"
#include "bpfbox/trace.h"
#include "testlib.h"

/* The last error message of the library. */
struct last_log {
	char msg[1024];
};

static void log_fn(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	struct last_log *l = ctx;

	if (level <= BPFBOX_LOG_WARN)
		snprintf(l->msg, sizeof(l->msg), "%s", msg);
}

/* r0 = 0; exit, as a program of `type`. */
static struct bpfbox_prog *load(struct bpfbox_vm *vm, uint32_t type, const char *name)
{
	static const struct bpfbox_insn insns[] = {
		{ .code = 0xb7, .dst_reg = 0 },	/* mov r0, 0 */
		{ .code = 0x95 },		/* exit */
	};
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = name, .prog_type = type, .license = "GPL");
	struct bpfbox_prog *p = NULL;

	CHECK_EQ_INT(bpfbox_prog__load(vm, insns, 2, &po, &p), 0);
	return p;
}

/* A tracer on vm logging to l. */
static struct bpfbox_tracer *tracer(struct bpfbox_vm *vm, struct last_log *l)
{
	BPFBOX_OPTS(bpfbox_tracer_opts, to, .log = log_fn, .log_ctx = l);
	struct bpfbox_tracer *tr = NULL;

	CHECK_EQ_INT(bpfbox_tracer__new(vm, &to, &tr), 0);
	return tr;
}

static void test_attach_points(struct bpfbox_vm *vm)
{
	struct last_log l = { "" };
	struct bpfbox_tracer *tr = tracer(vm, &l);
	struct bpfbox_prog *raw = load(vm, 17, "raw"), *kp = load(vm, 2, "kp");

	if (!tr || !raw || !kp)
		goto out;
	CHECK(bpfbox_tracer__is_attach_point("raw_tracepoint/sys_enter"));
	CHECK(bpfbox_tracer__is_attach_point("?ksyscall/openat"));
	CHECK(bpfbox_tracer__is_attach_point("uretprobe//bin/sh:main"));
	CHECK(!bpfbox_tracer__is_attach_point("xdp"));
	CHECK(!bpfbox_tracer__is_attach_point("kprobe/"));
	CHECK(!bpfbox_tracer__is_attach_point(NULL));

	CHECK_EQ_INT(bpfbox_tracer__attach(tr, raw, "raw_tracepoint/sys_enter"), 0);
	CHECK_EQ_INT(bpfbox_tracer__attach(tr, raw, "raw_tp/sys_exit"), 0);
	CHECK_EQ_INT(bpfbox_tracer__attach(tr, kp, "kprobe/__x64_sys_openat"), 0);
	CHECK_EQ_INT(bpfbox_tracer__attach(tr, kp, "kretsyscall/read"), 0);
	/* a program type that does not fit */
	CHECK_EQ_INT(bpfbox_tracer__attach(tr, raw, "kprobe/__x64_sys_read"), -EINVAL);
	CHECK_MSG(strstr(l.msg, "raw") && strstr(l.msg, "cannot attach") &&
		  strstr(l.msg, "kprobe"), "message: %s", l.msg);
	CHECK_EQ_INT(bpfbox_tracer__attach(tr, kp, "tracepoint/raw_syscalls/sys_enter"), -EINVAL);
	/* unknown targets */
	CHECK_EQ_INT(bpfbox_tracer__attach(tr, kp, "ksyscall/no_such_call"), -ENOENT);
	CHECK_MSG(strstr(l.msg, "no_such_call") != NULL, "message: %s", l.msg);
	CHECK_EQ_INT(bpfbox_tracer__attach(tr, kp, "kprobe/do_exit"), -ENOENT);
	CHECK_EQ_INT(bpfbox_tracer__attach(tr, raw, "raw_tracepoint/sched_switch"), -ENOENT);
	CHECK_EQ_INT(bpfbox_tracer__attach(tr, raw, "xdp"), -EINVAL);
	CHECK_EQ_INT(bpfbox_tracer__attach(tr, kp, "uprobe//bin/sh"), -EINVAL);
	CHECK_EQ_INT(bpfbox_tracer__attach(tr, kp, "uprobe//no/such/file:main"), -ENOENT);
	/* bad pids and commands */
	CHECK_EQ_INT(bpfbox_tracer__attach_pid(tr, 0), -EINVAL);
	CHECK_EQ_INT(bpfbox_tracer__attach_pid(tr, getpid()), -EINVAL);
	CHECK_EQ_INT(bpfbox_tracer__attach_pid(tr, 0x7ffffff0), -ESRCH);
	CHECK_MSG(strstr(l.msg, "no process with pid") != NULL, "message: %s", l.msg);
	{
		char *argv[] = { "/no/such/command", NULL };

		CHECK_EQ_INT(bpfbox_tracer__spawn(tr, argv, NULL), -ENOENT);
		CHECK_MSG(strstr(l.msg, "not found") != NULL, "message: %s", l.msg);
	}
out:
	bpfbox_tracer__free(tr);
	bpfbox_prog__free(raw);
	bpfbox_prog__free(kp);
}

/* Start sh, which forks a child: exit status, counts, tasks. */
static void test_spawn(struct bpfbox_vm *vm)
{
	struct last_log l = { "" };
	struct bpfbox_tracer *tr = tracer(vm, &l);
	struct bpfbox_prog *raw = load(vm, 17, "raw"), *kp = load(vm, 2, "kp");
	char *argv[] = { "sh", "-c", "/bin/true; exit 5", NULL };
	BPFBOX_OPTS(bpfbox_tracer_stats, st);
	pid_t pid = 0;
	int err;

	if (!tr || !raw || !kp)
		goto out;
	CHECK_EQ_INT(bpfbox_tracer__attach(tr, raw, "raw_tracepoint/sys_enter"), 0);
	CHECK_EQ_INT(bpfbox_tracer__attach(tr, kp, "kretsyscall/execve"), 0);
	CHECK_EQ_INT(bpfbox_tracer__spawn(tr, argv, &pid), 0);
	CHECK(pid > 0);
	while ((err = bpfbox_tracer__run(tr)) == -EINTR)
		;
	CHECK_EQ_INT(err, 0);
	CHECK_EQ_INT(bpfbox_tracer__stats(tr, &st), 0);
	CHECK_EQ_INT(st.exit_status, 5);
	CHECK(st.syscalls > 10);
	/* one run per syscall entry, plus one per execve exit (sh and true) */
	CHECK_EQ_U64(st.prog_runs, st.syscalls + 2);
	CHECK_EQ_U64(st.prog_errors, 0);
	CHECK(st.tasks >= 2);
	CHECK_EQ_INT(st.live, 0);
	CHECK_EQ_INT(bpfbox_tracer__spawn(tr, argv, NULL), -EBUSY);
out:
	bpfbox_tracer__free(tr);
	bpfbox_prog__free(raw);
	bpfbox_prog__free(kp);
}

/* Run sh + cat with an openat entry tracepoint and an openat kretsyscall;
 * late: attach a raw sys_enter program after the spawn (not covered by
 * the seccomp filter). Stats into st. */
static void fast_run(struct bpfbox_vm *vm, bool no_seccomp, bool late,
		     struct bpfbox_tracer_stats *st)
{
	struct last_log l = { "" };
	BPFBOX_OPTS(bpfbox_tracer_opts, to, .log = log_fn, .log_ctx = &l, .no_seccomp = no_seccomp);
	struct bpfbox_tracer *tr = NULL;
	struct bpfbox_prog *tp = load(vm, 5, "tp"), *kp = load(vm, 2, "kp"), *raw = load(vm, 17, "raw");
	char *argv[] = { "sh", "-c", "cat /etc/hostname >/dev/null; exit 3", NULL };
	int err;

	if (!CHECK_EQ_INT(bpfbox_tracer__new(vm, &to, &tr), 0) || !tp || !kp || !raw)
		goto out;
	CHECK_EQ_INT(bpfbox_tracer__attach(tr, tp, "tracepoint/syscalls/sys_enter_openat"), 0);
	CHECK_EQ_INT(bpfbox_tracer__attach(tr, kp, "kretsyscall/openat"), 0);
	CHECK_EQ_INT(bpfbox_tracer__spawn(tr, argv, NULL), 0);
	if (late)
		CHECK_EQ_INT(bpfbox_tracer__attach(tr, raw, "raw_tracepoint/sys_enter"), 0);
	while ((err = bpfbox_tracer__run(tr)) == -EINTR)
		;
	CHECK_EQ_INT(err, 0);
	CHECK_EQ_INT(bpfbox_tracer__stats(tr, st), 0);
	CHECK_EQ_INT(st->exit_status, 3);
	CHECK_EQ_U64(st->prog_errors, 0);
out:
	bpfbox_tracer__free(tr);
	bpfbox_prog__free(tp);
	bpfbox_prog__free(kp);
	bpfbox_prog__free(raw);
}

/* The seccomp fast path: only openat stops, the programs run as often as
 * on the ptrace path; a late uncovered attach falls back to every syscall. */
static void test_fast_path(struct bpfbox_vm *vm)
{
	BPFBOX_OPTS(bpfbox_tracer_stats, fast);
	BPFBOX_OPTS(bpfbox_tracer_stats, slow);
	BPFBOX_OPTS(bpfbox_tracer_stats, late);

	fast_run(vm, false, false, &fast);
	fast_run(vm, true, false, &slow);
	fast_run(vm, false, true, &late);
	CHECK(fast.seccomp);
	CHECK(!slow.seccomp);
	CHECK(!late.seccomp);
	CHECK(fast.prog_runs > 4);
	CHECK_EQ_U64(fast.prog_runs, slow.prog_runs);
	/* fast path: only the openat entries are counted, each ran 2 programs */
	CHECK_EQ_U64(fast.prog_runs, 2 * fast.syscalls);
	CHECK(slow.syscalls > fast.syscalls);
	/* late raw sys_enter: every syscall after the attach, plus the openat ones */
	CHECK(late.prog_runs > fast.prog_runs + 10);
}

int main(void)
{
	BPFBOX_OPTS(bpfbox_vm_opts, vo);
	struct bpfbox_vm *vm = NULL;

	if (!CHECK_EQ_INT(bpfbox_vm__new(&vo, &vm), 0))
		return tl_summary();
	test_attach_points(vm);
	test_spawn(vm);
	test_fast_path(vm);
	bpfbox_vm__free(vm);
	return tl_summary();
}

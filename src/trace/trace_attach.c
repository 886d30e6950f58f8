/*
 * trace_attach.c - tracing attach points: parsing a section name into an
 * attachment (checking the program's type fits), building each attach
 * point's context from the tracee's registers, and running the programs
 * at a syscall entry or exit in the kernel's order (entry: tracepoints,
 * then kprobes on __x64_sys_*; exit: kretprobes, then tracepoints).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/syscalls_x86_64.h"
#include "trace/trace_int.h"
#include "trace/uprobe_sym.h"
#include "vm/vm_internal.h"

/* What a section prefix means. */
struct bxt_prefix {
	const char *pfx;
	enum bxt_kind kind;          /* for syscall tracepoints: BXT_TP_ENTER (exit decided by target) */
	uint32_t type, type2;        /* program types that fit */
};

static const struct bxt_prefix bxt_prefixes[] = {
	{ "raw_tracepoint/", BXT_RAW_ENTER, BPFBOX_PROG_TYPE_RAW_TRACEPOINT, BPFBOX_PROG_TYPE_RAW_TRACEPOINT_WRITABLE },
	{ "raw_tp/", BXT_RAW_ENTER, BPFBOX_PROG_TYPE_RAW_TRACEPOINT, BPFBOX_PROG_TYPE_RAW_TRACEPOINT_WRITABLE },
	{ "raw_tracepoint.w/", BXT_RAW_ENTER, BPFBOX_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, BPFBOX_PROG_TYPE_RAW_TRACEPOINT },
	{ "raw_tp.w/", BXT_RAW_ENTER, BPFBOX_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, BPFBOX_PROG_TYPE_RAW_TRACEPOINT },
	{ "tracepoint/", BXT_TP_ENTER, BPFBOX_PROG_TYPE_TRACEPOINT, 0 },
	{ "tp/", BXT_TP_ENTER, BPFBOX_PROG_TYPE_TRACEPOINT, 0 },
	{ "kprobe/", BXT_KPROBE, BPFBOX_PROG_TYPE_KPROBE, 0 },
	{ "kretprobe/", BXT_KRETPROBE, BPFBOX_PROG_TYPE_KPROBE, 0 },
	{ "ksyscall/", BXT_KPROBE, BPFBOX_PROG_TYPE_KPROBE, 0 },
	{ "kretsyscall/", BXT_KRETPROBE, BPFBOX_PROG_TYPE_KPROBE, 0 },
	{ "uprobe/", BXT_UPROBE, BPFBOX_PROG_TYPE_KPROBE, 0 },
	{ "uprobe.s/", BXT_UPROBE, BPFBOX_PROG_TYPE_KPROBE, 0 },
	{ "uretprobe/", BXT_URETPROBE, BPFBOX_PROG_TYPE_KPROBE, 0 },
	{ "uretprobe.s/", BXT_URETPROBE, BPFBOX_PROG_TYPE_KPROBE, 0 },
};

#define BXT_NPREFIXES (sizeof(bxt_prefixes) / sizeof(bxt_prefixes[0]))

/* The prefix entry of sec (after an optional '?'), NULL if none. */
static const struct bxt_prefix *find_prefix(const char *sec, const char **target)
{
	if (*sec == '?')
		sec++;
	for (size_t i = 0; i < BXT_NPREFIXES; i++) {
		size_t n = strlen(bxt_prefixes[i].pfx);

		if (!strncmp(sec, bxt_prefixes[i].pfx, n)) {
			*target = sec + n;
			return &bxt_prefixes[i];
		}
	}
	return NULL;
}

/*
 * bpfbox_tracer__is_attach_point - see trace.h.
 */
bool bpfbox_tracer__is_attach_point(const char *sec)
{
	const char *target;

	return sec && find_prefix(sec, &target) && *target;
}

/* The syscall a kprobe/ksyscall target names ("__x64_sys_openat", "openat"). */
static const struct bxh_syscall *kprobe_syscall(const char *target, bool ksyscall)
{
	if (!ksyscall && strncmp(target, "__x64_sys_", 10) && strncmp(target, "sys_", 4))
		return NULL;
	return bxh_syscall_by_name(target);
}

/* Parse a uprobe target PATH:SPEC into a. */
static int parse_uprobe(struct bpfbox_tracer *tr, const char *name, const char *sec,
			const char *target, struct bxt_attach *a)
{
	char path[4096], spec[512];
	int err;

	if (bxh_uprobe_split(target, path, sizeof(path), spec, sizeof(spec))) {
		bx_err(&tr->log, "%s: section '%s': the uprobe target must be PATH:SYMBOL, "
		       "PATH:SYMBOL+OFF or PATH:0xOFFSET", name, sec);
		return -EINVAL;
	}
	if (!strchr(path, '/')) {
		a->lib_by_name = true;
		if (strlen(path) >= sizeof(a->libname)) {
			bx_err(&tr->log, "%s: section '%s': library name too long", name, sec);
			return -ENAMETOOLONG;
		}
		memcpy(a->libname, path, strlen(path) + 1);
		err = bxh_uprobe_find_path(tr->main_pid > 0 ? tr->main_pid : 0, path, a->path,
					   sizeof(a->path), &tr->log);
	} else {
		snprintf(a->path, sizeof(a->path), "%s", path);
		err = 0;
	}
	if (!err)
		err = bxh_uprobe_resolve(a->path, spec, &a->file_off, NULL, &tr->log);
	if (err)
		bx_err(&tr->log, "%s: section '%s': cannot place the uprobe", name, sec);
	return err;
}

/*
 * bxt_attach_parse - see trace_int.h.
 */
int bxt_attach_parse(struct bpfbox_tracer *tr, struct bpfbox_prog *prog, const char *sec,
		     struct bxt_attach *a)
{
	const char *name = bpfbox_prog__name(prog), *target = "";
	const struct bxt_prefix *p = find_prefix(sec, &target);
	uint32_t type = bpfbox_prog__type(prog);
	const struct bxh_syscall *sc;

	if (!p || !*target) {
		bx_err(&tr->log, "%s: section '%s' is not a tracing attach point bpfbox supports "
		       "(raw_tracepoint/sys_enter|sys_exit, tracepoint/raw_syscalls/*, "
		       "tracepoint/syscalls/sys_{enter,exit}_NAME, kprobe|kretprobe/__x64_sys_NAME, "
		       "ksyscall|kretsyscall/NAME, uprobe|uretprobe/PATH:SYMBOL)", name, sec);
		return -EINVAL;
	}
	if (type != p->type && (!p->type2 || type != p->type2)) {
		const char *want = bpfbox_prog_type_name(p->type), *have = bpfbox_prog_type_name(type);

		bx_err(&tr->log, "%s: a %s program cannot attach to '%s' (it needs a %s program)",
		       name, have ? have : "untyped", sec, want ? want : "?");
		return -EINVAL;
	}
	a->prog = prog;
	a->kind = p->kind;
	a->nr = -1;
	switch (p->kind) {
	case BXT_RAW_ENTER:
		if (!strcmp(target, "sys_exit")) {
			a->kind = BXT_RAW_EXIT;
		} else if (strcmp(target, "sys_enter")) {
			bx_err(&tr->log, "%s: raw tracepoint '%s' is not traced (only sys_enter and "
			       "sys_exit)", name, target);
			return -ENOENT;
		}
		return 0;
	case BXT_TP_ENTER: {
		bool is_exit = false;
		int nr, err;

		if (!strcmp(target, "raw_syscalls/sys_enter") || !strcmp(target, "raw_syscalls/sys_exit")) {
			is_exit = !strcmp(target, "raw_syscalls/sys_exit");
		} else if ((nr = bxh_ev_syscall_nr(target, &is_exit)) >= 0) {
			a->nr = nr;
		} else {
			bx_err(&tr->log, "%s: tracepoint '%s' is not traced (only raw_syscalls/* and "
			       "syscalls/sys_enter_NAME / sys_exit_NAME)", name, target);
			return -ENOENT;
		}
		a->kind = is_exit ? BXT_TP_EXIT : BXT_TP_ENTER;
		if (!(a->fmt = calloc(1, sizeof(*a->fmt))))
			return -ENOMEM;
		err = bxh_ev_format(target, tr->tracefs_set ? tr->tracefs : NULL, a->fmt, &tr->log);
		if (err)
			bx_err(&tr->log, "%s: tracepoint '%s': no record layout", name, target);
		return err;
	}
	case BXT_KPROBE:
	case BXT_KRETPROBE: {
		bool ksys = strstr(sec, "syscall/") != NULL;

		if (!(sc = kprobe_syscall(target, ksys))) {
			if (ksys)
				bx_err(&tr->log, "%s: '%s': no syscall named '%s'", name, sec, target);
			else
				bx_err(&tr->log, "%s: '%s': only syscall entry points (__x64_sys_NAME) "
				       "can be probed in a traced process, not the kernel function '%s'",
				       name, sec, target);
			return -ENOENT;
		}
		a->nr = sc->nr;
		return 0;
	}
	case BXT_UPROBE:
	case BXT_URETPROBE:
		return parse_uprobe(tr, name, sec, target, a);
	default:
		return -EINVAL;
	}
}

/*
 * bxt_regs_to_pt - user_regs_struct -> struct pt_regs: the first 21
 * registers are in the same order.
 */
void bxt_regs_to_pt(const struct user_regs_struct *u, struct bxh_pt_regs *p)
{
	_Static_assert(sizeof(struct bxh_pt_regs) == 21 * 8, "pt_regs layout");
	memcpy(p, u, sizeof(*p));
}

/*
 * bxt_run_prog - see trace_int.h. A failed run is logged once per
 * attachment and counted.
 */
uint64_t bxt_run_prog(struct bpfbox_tracer *tr, struct bxt_attach *a, struct bxt_task *t,
		      void *ctx, size_t ctx_size, struct bxt_hook *hook)
{
	BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = ctx, .ctx_size = ctx_size, .mode = tr->opts.mode,
		    .engine = tr->opts.engine, .task = bxt_task_info(tr, t), .cpu = -1);
	int err;

	hook->magic = BXT_HOOK_MAGIC;
	hook->tr = tr;
	hook->task = t;
	err = bxv_prog_run(a->prog, &ro, hook, NULL, 0);
	tr->st.prog_runs++;
	tr->ran = true;
	if (err) {
		tr->st.prog_errors++;
		if (!a->err_logged) {
			a->err_logged = true;
			bx_warn(&tr->log, "%s: run failed in pid %d: %s (reported once)",
				bpfbox_prog__name(a->prog), (int)t->tid, strerror(-err));
		}
		return 0;
	}
	return ro.retval;
}

/* Does attachment a fire for this stop? */
static bool fires(const struct bxt_attach *a, enum bxt_kind kind, long nr)
{
	return a->kind == kind && (a->nr < 0 || a->nr == nr);
}

/* Does a program attached at a pt_regs context (raw tracepoints, kprobes)
 * fire at this stop? Only then are the registers read. */
static bool needs_regs(const struct bpfbox_tracer *tr, bool entry, long nr)
{
	for (size_t i = 0; i < tr->natt; i++) {
		const struct bxt_attach *a = tr->att[i];

		if (fires(a, entry ? BXT_RAW_ENTER : BXT_RAW_EXIT, -1) ||
		    fires(a, entry ? BXT_KPROBE : BXT_KRETPROBE, nr))
			return true;
	}
	return false;
}

/* Run the raw-tracepoint and tracepoint programs of one stop. */
static void run_tracepoints(struct bpfbox_tracer *tr, struct bxt_task *t, bool entry,
			    const struct bxt_sc *sc, struct bxh_pt_regs *ur)
{
	for (size_t i = 0; i < tr->natt; i++) {
		struct bxt_attach *a = tr->att[i];
		struct bxt_hook hook = { 0 };

		if (ur && fires(a, entry ? BXT_RAW_ENTER : BXT_RAW_EXIT, -1)) {
			uint64_t args[BXH_RAW_TP_MAX / 8] = { (uint64_t)(uintptr_t)ur,
				entry ? (uint64_t)sc->nr : (uint64_t)sc->ret };

			bxt_run_prog(tr, a, t, args, 16, &hook);
		} else if (fires(a, entry ? BXT_TP_ENTER : BXT_TP_EXIT, sc->nr)) {
			_Alignas(8) uint8_t rec[BXH_TRACEPOINT_MAX];
			struct bxh_ev_vals v = { .pid = (int32_t)t->tid, .nr = sc->nr, .ret = sc->ret };
			int n;

			memcpy(v.args, sc->args, sizeof(v.args));
			n = bxh_ev_build(a->fmt, &v, rec, sizeof(rec));
			if (n > 0)
				bxt_run_prog(tr, a, t, rec, (size_t)n, &hook);
		}
	}
}

/*
 * bxt_on_syscall - see trace_int.h. kprobes see the registers of the
 * kernel's __x64_sys_NAME wrapper: regs->di points to (a copy of) the
 * user registers, as BPF_KSYSCALL / PT_REGS_PARM1_SYSCALL expect;
 * kretprobes see ax = the return value. The registers are read
 * (PTRACE_GETREGS) only if such a program or a raw tracepoint fires.
 */
void bxt_on_syscall(struct bpfbox_tracer *tr, struct bxt_task *t, bool entry, struct bxt_sc *sc)
{
	struct bxh_pt_regs ur, kr, *urp = NULL;

	if (needs_regs(tr, entry, sc->nr)) {
		if (bxt_sc_regs(t, sc))
			return;		/* the task is gone */
		bxt_regs_to_pt(&sc->regs, &ur);
		ur.orig_ax = (uint64_t)sc->nr;	/* -1 at the exit of a call override_return skipped */
		ur.ax = (uint64_t)(entry ? sc->regs.rax : (unsigned long long)sc->ret);
		urp = &ur;
	}
	if (entry)
		run_tracepoints(tr, t, true, sc, urp);
	for (size_t i = 0; urp && i < tr->natt; i++) {
		struct bxt_attach *a = tr->att[i];
		struct bxt_hook hook = { 0 };

		if (!fires(a, entry ? BXT_KPROBE : BXT_KRETPROBE, sc->nr))
			continue;
		kr = ur;
		if (entry) {
			kr.di = (uint64_t)(uintptr_t)&ur;
			hook.can_override = true;
		}
		bxt_run_prog(tr, a, t, &kr, sizeof(kr), &hook);
		if (hook.override) {
			t->override = true;
			t->override_rc = hook.override_rc;
		}
	}
	if (!entry)
		run_tracepoints(tr, t, false, sc, urp);
}

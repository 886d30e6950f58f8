/*
 * trace_ptrace.c - the ptrace engine: the tracer object, starting a command
 * or seizing a running process, the stop loop (syscall stops, fork /
 * clone / exec events, signals, group stops) and detaching.
 *
 * Every tracee is PTRACE_SEIZE'd (a started command too: it stops itself
 * before exec, the tracer seizes it and sends SIGCONT), so that
 * PTRACE_INTERRUPT can stop any of them for a clean detach. Options:
 * TRACESYSGOOD (syscall stops are SIGTRAP|0x80), TRACEFORK / VFORK / CLONE
 * (children are traced from birth), TRACEEXEC, and EXITKILL for a started
 * command (it dies with the tracer). Entry and exit stops are told apart
 * with PTRACE_GET_SYSCALL_INFO, which also gives nr, args and the return
 * value: the registers are read only when a program needs them.
 *
 * A started command may instead run under the seccomp fast path
 * (trace_ptrace_seccomp.c, PTRACE_O_TRACESECCOMP): the child installs the filter
 * after the seize (its pre-exec syscalls still stop with PTRACE_SYSCALL:
 * the seccomp() exit tells whether the install worked), and from its
 * execve on only the watched syscalls stop, once at entry, plus an exit
 * stop where one is needed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/seccomp.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trace/trace_int.h"

#define BXT_OPTS (PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | \
		  PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC)
#define BXT_AUDIT_ARCH_X86_64 0xc000003eu

/* syscalls after which the task's identity (uid, gid, comm) may differ */
static bool changes_identity(long nr)
{
	switch (nr) {
	case 105: case 106: case 113: case 114: case 117: case 119: /* set*id */
	case 122: case 123: case 157:                               /* setfs*id, prctl */
		return true;
	default:
		return false;
	}
}

/* ---- tasks ------------------------------------------------------------------------- */

/*
 * bxt_task_find - the traced task with thread id tid, or NULL.
 */
struct bxt_task *bxt_task_find(struct bpfbox_tracer *tr, pid_t tid)
{
	for (size_t i = 0; i < tr->ntasks; i++)
		if (tr->tasks[i]->tid == tid)
			return tr->tasks[i];
	return NULL;
}

/* Add a task (mm may be NULL until its parent's event names it). */
static struct bxt_task *task_add(struct bpfbox_tracer *tr, pid_t tid, struct bxt_mm *mm)
{
	struct bxt_task *t;

	if (tr->ntasks == tr->captasks) {
		size_t cap = tr->captasks ? tr->captasks * 2 : 16;
		struct bxt_task **n = realloc(tr->tasks, cap * sizeof(*n));

		if (!n)
			return NULL;
		tr->tasks = n;
		tr->captasks = cap;
	}
	if (!(t = calloc(1, sizeof(*t))))
		return NULL;
	t->tid = tid;
	t->mm = mm ? bxt_mm_get(mm) : NULL;
	tr->tasks[tr->ntasks++] = t;
	tr->st.tasks++;
	return t;
}

/* Forget a task (it exited or was detached). */
static void task_del(struct bpfbox_tracer *tr, struct bxt_task *t)
{
	for (size_t i = 0; i < tr->ntasks; i++) {
		if (tr->tasks[i] != t)
			continue;
		tr->tasks[i] = tr->tasks[--tr->ntasks];
		break;
	}
	if (t->mm) {
		struct bxt_mm *mm = t->mm;

		for (size_t i = 0; i < mm->nrets;)	/* its pending uretprobe returns */
			if (mm->rets[i].tid == t->tid)
				mm->rets[i] = mm->rets[--mm->nrets];
			else
				i++;
		bxt_mm_put(mm);
	}
	free(t);
}

/* Read a small /proc file into buf (NUL-terminated); bytes read or -1. */
static ssize_t read_proc(const char *path, char *buf, size_t sz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sz - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

/* The value after "KEY:" in a /proc/PID/status text, or -1. */
static long status_field(const char *text, const char *key)
{
	size_t kl = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == ':')
			return strtol(p + kl + 1, NULL, 10);
	return -1;
}

/*
 * bxt_task_info - see trace_int.h. uid/gid are the real ids (the kernel's
 * current_uid()); comm from /proc/TID/comm.
 */
const struct bpfbox_task *bxt_task_info(struct bpfbox_tracer *tr, struct bxt_task *t)
{
	char path[64], buf[2048];
	long v;

	(void)tr;
	if (t->info_ok)
		return &t->info;
	memset(&t->info, 0, sizeof(t->info));
	t->info.pid = (uint32_t)t->tid;
	t->info.tgid = t->mm ? (uint32_t)t->mm->tgid : (uint32_t)t->tid;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)t->tid);
	if (read_proc(path, buf, sizeof(buf)) > 0) {
		if ((v = status_field(buf, "Tgid")) > 0)
			t->info.tgid = (uint32_t)v;
		if ((v = status_field(buf, "Uid")) >= 0)
			t->info.uid = (uint32_t)v;
		if ((v = status_field(buf, "Gid")) >= 0)
			t->info.gid = (uint32_t)v;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)t->tid);
	if (read_proc(path, buf, sizeof(buf)) > 0) {
		size_t n = strcspn(buf, "\n");

		if (n >= sizeof(t->info.comm))
			n = sizeof(t->info.comm) - 1;
		memcpy(t->info.comm, buf, n);
		t->info.comm[n] = 0;
	}
	t->info_ok = true;
	return &t->info;
}

/* Does t need syscall stops? */
static bool wants_syscalls(const struct bpfbox_tracer *tr, const struct bxt_task *t)
{
	if (tr->sc_state == BXT_SC_ACTIVE)	/* the filter stops it at entries */
		return t->pre_exec || t->in_syscall;
	return tr->any_syscall_prog || t->pre_exec || t->override ||
	       (tr->any_uprobe && (!t->mm || !t->mm->planted_all));
}

/*
 * bxt_resume - see trace_int.h. On the fast path PTRACE_SYSCALL only
 * when the exit stop of the syscall in progress is wanted.
 */
int bxt_resume(struct bpfbox_tracer *tr, struct bxt_task *t, int sig)
{
	int req = wants_syscalls(tr, t) ? PTRACE_SYSCALL : PTRACE_CONT;

	t->stopped = false;
	if (ptrace(req, t->tid, 0L, (long)sig) < 0)
		return -errno;
	return 0;
}

/* ---- the tracer ----------------------------------------------------------------------- */

/*
 * bpfbox_tracer__new - see trace.h.
 */
int bpfbox_tracer__new(struct bpfbox_vm *vm, const struct bpfbox_tracer_opts *opts,
		       struct bpfbox_tracer **out)
{
	struct bpfbox_tracer *tr;
	int err;

	if (!vm || !out)
		return -EINVAL;
	*out = NULL;
	if (!(tr = calloc(1, sizeof(*tr))))
		return -ENOMEM;
	if (opts && (err = bx_opts_copy(&tr->opts, sizeof(tr->opts), opts))) {
		free(tr);
		return err;
	}
	tr->opts.sz = sizeof(tr->opts);
	tr->vm = vm;
	tr->log.fn = tr->opts.log;
	tr->log.ctx = tr->opts.log_ctx;
	if (tr->opts.tracefs) {
		snprintf(tr->tracefs, sizeof(tr->tracefs), "%s", tr->opts.tracefs);
		tr->tracefs_set = true;
	}
	tr->opts.tracefs = NULL;	/* not kept: the copy above is */
	tr->exit_status = -1;
	*out = tr;
	return 0;
}

/*
 * bpfbox_tracer__free - see trace.h.
 */
void bpfbox_tracer__free(struct bpfbox_tracer *tr)
{
	if (!tr)
		return;
	bpfbox_tracer__detach(tr);
	for (size_t i = 0; i < tr->natt; i++) {
		free(tr->att[i]->fmt);
		free(tr->att[i]);
	}
	free(tr->att);
	free(tr->tasks);
	free(tr);
}

/*
 * bpfbox_tracer__attach - see trace.h.
 */
int bpfbox_tracer__attach(struct bpfbox_tracer *tr, struct bpfbox_prog *prog, const char *sec)
{
	struct bxt_attach *a;
	int err;

	if (!tr || !prog || !sec)
		return -EINVAL;
	if (tr->natt == tr->capatt) {
		size_t cap = tr->capatt ? tr->capatt * 2 : 8;
		struct bxt_attach **n = realloc(tr->att, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		tr->att = n;
		tr->capatt = cap;
	}
	if (!(a = calloc(1, sizeof(*a))))
		return -ENOMEM;
	err = bxt_attach_parse(tr, prog, sec, a);
	if (err) {
		free(a->fmt);
		free(a);
		return err;
	}
	tr->att[tr->natt++] = a;
	if ((tr->sc_state == BXT_SC_ACTIVE || tr->sc_state == BXT_SC_INSTALLING) &&
	    !bxt_sc_covers(tr, a)) {
		/* the filter in the tracees cannot change: stop at every syscall again */
		tr->sc_state = BXT_SC_FALLBACK;
		bx_debug(&tr->log, "%s: not covered by the seccomp filter, "
			"every syscall stops now", sec);
	}
	if (a->kind == BXT_UPROBE || a->kind == BXT_URETPROBE) {
		tr->any_uprobe = true;
		for (size_t i = 0; i < tr->ntasks; i++)	/* plant again where possible */
			if (tr->tasks[i]->mm)
				tr->tasks[i]->mm->planted_all = false;
	} else {
		tr->any_syscall_prog = true;
	}
	return 0;
}

/* Find an executable for argv0 in PATH (as execvp would). */
static int find_cmd(const char *argv0, char *out, size_t sz)
{
	const char *path = getenv("PATH");

	if (strchr(argv0, '/')) {
		snprintf(out, sz, "%s", argv0);
		return access(out, X_OK) ? -errno : 0;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		struct stat sb;

		snprintf(out, sz, "%.*s%s%s", (int)n, path, n ? "/" : "", argv0);
		if (!access(out, X_OK) && !stat(out, &sb) && S_ISREG(sb.st_mode))
			return 0;
		path += n;
		if (*path == ':')
			path++;
	}
	return -ENOENT;
}

/*
 * bpfbox_tracer__spawn - see trace.h. The child stops itself with SIGSTOP
 * before exec; the tracer seizes it (with EXITKILL) and continues it. Its
 * syscalls before the execve are bpfbox's, not the command's: programs run
 * from the execve entry on.
 */
int bpfbox_tracer__spawn(struct bpfbox_tracer *tr, char *const argv[], pid_t *pid_out)
{
	char path[4096];
	struct bxt_mm *mm;
	struct bxt_task *t;
	void *filter = NULL;
	unsigned short flen = 0;
	long opts = BXT_OPTS | PTRACE_O_EXITKILL;
	pid_t pid;
	int err, st;

	if (!tr || !argv || !argv[0])
		return -EINVAL;
	if (tr->main_pid) {
		bx_err(&tr->log, "already tracing pid %d", (int)tr->main_pid);
		return -EBUSY;
	}
	if ((err = find_cmd(argv[0], path, sizeof(path)))) {
		bx_err(&tr->log, "command '%s': %s", argv[0],
		       err == -ENOENT ? "not found" : strerror(-err));
		return err;
	}
	if (!tr->opts.no_seccomp && bxt_sc_plan(tr)) {
		if ((err = bxt_sc_build(tr, &filter, &flen)))
			return err;
		opts |= PTRACE_O_TRACESECCOMP;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		free(filter);
		return err;
	}
	if (pid == 0) {
		kill(getpid(), SIGSTOP);
		if (filter)	/* the tracer sees whether it worked (seccomp() exit stop) */
			bxt_sc_install(filter, flen, tr->opts.seccomp_nnp);
		execv(path, argv);
		dprintf(2, "bpfbox trace: cannot execute '%s': %s\n", path, strerror(errno));
		_exit(127);
	}
	free(filter);
	if (waitpid(pid, &st, WSTOPPED) != pid || !WIFSTOPPED(st)) {
		bx_err(&tr->log, "the command did not start");
		return -ECHILD;
	}
	if (ptrace(PTRACE_SEIZE, pid, 0L, opts) < 0) {
		err = -errno;
		bx_err(&tr->log, "cannot trace the command (ptrace: %s)", strerror(-err));
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return err;
	}
	mm = bxt_mm_new(pid);
	t = mm ? task_add(tr, pid, mm) : NULL;
	if (mm)
		bxt_mm_put(mm);
	if (!t) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, __WALL);
		return -ENOMEM;
	}
	t->pre_exec = true;
	tr->main_pid = pid;
	tr->spawned = true;
	if (filter)
		tr->sc_state = BXT_SC_INSTALLING;
	kill(pid, SIGCONT);
	if (pid_out)
		*pid_out = pid;
	return 0;
}

/*
 * bpfbox_tracer__attach_pid - see trace.h. Threads are seized until
 * /proc/PID/task shows no new one, then interrupted: their first stop
 * switches them to syscall tracing.
 */
int bpfbox_tracer__attach_pid(struct bpfbox_tracer *tr, pid_t pid)
{
	char dir[64];
	struct bxt_mm *mm;
	bool more = true;
	int err = 0;

	if (!tr || pid <= 0) {
		if (tr)
			bx_err(&tr->log, "invalid pid %d", (int)pid);
		return -EINVAL;
	}
	if (tr->main_pid) {
		bx_err(&tr->log, "already tracing pid %d", (int)tr->main_pid);
		return -EBUSY;
	}
	if (pid == getpid()) {
		bx_err(&tr->log, "pid %d is bpfbox itself", (int)pid);
		return -EINVAL;
	}
	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	if (access(dir, F_OK)) {
		bx_err(&tr->log, "no process with pid %d", (int)pid);
		return -ESRCH;
	}
	if (!(mm = bxt_mm_new(pid)))
		return -ENOMEM;
	while (more && !err) {
		DIR *d = opendir(dir);
		struct dirent *de;

		more = false;
		if (!d) {
			err = -ESRCH;
			break;
		}
		while ((de = readdir(d))) {
			pid_t tid = (pid_t)atoi(de->d_name);
			struct bxt_task *t;

			if (tid <= 0 || bxt_task_find(tr, tid))
				continue;
			if (ptrace(PTRACE_SEIZE, tid, 0L, (long)BXT_OPTS) < 0) {
				if (errno == ESRCH && tid != pid)
					continue;	/* the thread just exited */
				err = -errno;
				bx_err(&tr->log, "cannot attach to pid %d: %s%s", (int)tid,
				       strerror(errno), errno == EPERM ?
				       " (not permitted: ptrace_scope, or another tracer)" : "");
				break;
			}
			if (!(t = task_add(tr, tid, mm))) {
				ptrace(PTRACE_DETACH, tid, 0L, 0L);
				err = -ENOMEM;
				break;
			}
			ptrace(PTRACE_INTERRUPT, tid, 0L, 0L);
			more = true;
		}
		closedir(d);
	}
	bxt_mm_put(mm);
	tr->main_pid = pid;
	if (err) {
		bpfbox_tracer__detach(tr);
		tr->main_pid = 0;
	}
	return err;
}

/* ---- the stop loop ------------------------------------------------------------------- */

/*
 * bxt_sc_regs - see trace_int.h.
 */
int bxt_sc_regs(struct bxt_task *t, struct bxt_sc *sc)
{
	if (sc->have_regs)
		return 0;
	if (ptrace(PTRACE_GETREGS, t->tid, 0L, &sc->regs) < 0)
		return -errno;
	sc->have_regs = true;
	return 0;
}

/* Is the exit stop of nr needed on the fast path? */
static bool sc_wants_exit(const struct bpfbox_tracer *tr, const struct bxt_task *t, long nr)
{
	return t->override || bxt_sc_has(tr->sc_exit, tr->sc_all_exit, nr) ||
	       (tr->any_uprobe && (nr == 9 || nr == 10) && t->mm && !t->mm->planted_all);
}

/* The end of an entry: skip the call if a program overrode it. */
static void entry_done(struct bpfbox_tracer *tr, struct bxt_task *t, struct bxt_sc *sc)
{
	(void)tr;
	if (t->override && !bxt_sc_regs(t, sc)) {
		sc->regs.orig_rax = (unsigned long long)-1;	/* skip the call */
		sc->dirty = true;
	}
	if (sc->dirty)
		ptrace(PTRACE_SETREGS, t->tid, 0L, &sc->regs);
}

/* A syscall-entry or -exit stop (PTRACE_SYSCALL). */
static void on_syscall_stop(struct bpfbox_tracer *tr, struct bxt_task *t)
{
	struct __ptrace_syscall_info si;
	struct bxt_sc sc;
	bool entry;

	memset(&si, 0, sizeof(si));
	memset(&sc, 0, sizeof(sc));
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof(si), &si) <= 0)
		goto resume;
	if (si.op == PTRACE_SYSCALL_INFO_ENTRY) {
		entry = true;
		sc.nr = (long)si.entry.nr;
		memcpy(sc.args, si.entry.args, sizeof(sc.args));
		t->in_syscall = true;
		t->nr = sc.nr;
		if (t->pre_exec && (sc.nr == 59 || sc.nr == 322)) {	/* execve, execveat */
			t->pre_exec = false;
			if (tr->sc_state == BXT_SC_INSTALLING)	/* the filter did not go in */
				tr->sc_state = BXT_SC_OFF;
		}
		if (t->pre_exec)
			goto resume;
		if (tr->sc_state != BXT_SC_ACTIVE || bxt_sc_has(tr->sc_watch, tr->sc_all, sc.nr))
			tr->st.syscalls++;
	} else if (si.op == PTRACE_SYSCALL_INFO_EXIT) {
		entry = false;
		sc.nr = t->in_syscall ? t->nr : -1;
		sc.ret = (long)si.exit.rval;
		t->in_syscall = false;
		if (sc.nr < 0 || t->override || (tr->any_uprobe && t->mm && !t->mm->planted_all)) {
			if (bxt_sc_regs(t, &sc))
				goto resume;
			if (sc.nr < 0)
				sc.nr = (long)sc.regs.orig_rax;
		}
		if (t->override) {
			sc.regs.rax = (unsigned long long)t->override_rc;
			sc.ret = (long)t->override_rc;
			t->override = false;
			sc.dirty = true;
		}
		if (t->pre_exec) {
			/* bpfbox's child: did the seccomp filter go in? */
			if (tr->sc_state == BXT_SC_INSTALLING && sc.nr == 317 && sc.ret == 0)
				tr->sc_state = BXT_SC_ACTIVE;
			goto setregs;
		}
		if (changes_identity(sc.nr))
			t->info_ok = false;
	} else {
		goto resume;
	}
	if (si.arch == BXT_AUDIT_ARCH_X86_64 && tr->any_syscall_prog)
		bxt_on_syscall(tr, t, entry, &sc);
	if (entry) {
		if (tr->sc_state == BXT_SC_ACTIVE) {
			/* the execve entry of the started command: its seccomp stop follows */
			t->entry_done = bxt_sc_has(tr->sc_filter, tr->sc_all, sc.nr);
			t->in_syscall = sc_wants_exit(tr, t, sc.nr);
		}
		entry_done(tr, t, &sc);
		goto resume;
	}
	/* a new executable mapping: uprobes may be placeable now */
	if (tr->any_uprobe && t->mm && !t->mm->planted_all && (sc.nr == 9 || sc.nr == 10) &&
	    sc.have_regs && (sc.regs.rdx & 4) && sc.ret >= 0)
		bxt_uprobe_plant(tr, t);
setregs:
	if (sc.dirty)
		ptrace(PTRACE_SETREGS, t->tid, 0L, &sc.regs);
resume:
	bxt_resume(tr, t, 0);
}

/* A seccomp stop (PTRACE_EVENT_SECCOMP): the entry of a syscall in the
 * filter on the fast path. The exit stop is requested only if needed. */
static void on_seccomp_stop(struct bpfbox_tracer *tr, struct bxt_task *t)
{
	struct __ptrace_syscall_info si;
	struct bxt_sc sc;

	if (tr->sc_state != BXT_SC_ACTIVE || t->pre_exec || t->entry_done) {
		t->entry_done = false;	/* handled at its PTRACE_SYSCALL entry stop */
		goto resume;
	}
	memset(&si, 0, sizeof(si));
	memset(&sc, 0, sizeof(sc));
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof(si), &si) <= 0 ||
	    si.op != PTRACE_SYSCALL_INFO_SECCOMP)
		goto resume;
	sc.nr = (long)si.seccomp.nr;
	memcpy(sc.args, si.seccomp.args, sizeof(sc.args));
	if (si.arch == BXT_AUDIT_ARCH_X86_64 && bxt_sc_has(tr->sc_watch, tr->sc_all, sc.nr)) {
		tr->st.syscalls++;
		bxt_on_syscall(tr, t, true, &sc);
	}
	if (changes_identity(sc.nr))	/* re-read at the next program run, after the call */
		t->info_ok = false;
	t->nr = sc.nr;
	t->in_syscall = sc_wants_exit(tr, t, sc.nr);
	entry_done(tr, t, &sc);
resume:
	bxt_resume(tr, t, 0);
}

/* A fork / vfork / clone event of parent t: the child is traced already. */
static void on_new_task(struct bpfbox_tracer *tr, struct bxt_task *t, int ev)
{
	unsigned long msg = 0;
	struct bxt_task *c;
	struct bxt_mm *mm = NULL;
	pid_t tid;

	if (ptrace(PTRACE_GETEVENTMSG, t->tid, 0L, &msg) < 0 || !msg)
		goto out;
	tid = (pid_t)msg;
	if (ev == PTRACE_EVENT_CLONE || ev == PTRACE_EVENT_VFORK) {
		char path[64], buf[2048];
		long tgid = -1;

		snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
		if (read_proc(path, buf, sizeof(buf)) > 0)
			tgid = status_field(buf, "Tgid");
		if (ev == PTRACE_EVENT_VFORK || (t->mm && tgid == t->mm->tgid))
			mm = t->mm ? bxt_mm_get(t->mm) : NULL;	/* shares the memory */
	}
	if (!mm && t->mm)
		mm = bxt_mm_fork(t->mm, t->tid, tid, tid);
	if (!mm)
		mm = bxt_mm_new(tid);
	if (!(c = bxt_task_find(tr, tid)))
		c = task_add(tr, tid, NULL);
	if (c && !c->mm) {
		c->mm = mm;
		mm = NULL;
		if (c->stopped && c->seen_stop)	/* its first stop came first: waiting */
			bxt_resume(tr, c, 0);
	}
	if (mm)
		bxt_mm_put(mm);
out:
	bxt_resume(tr, t, 0);
}

/* An exec event: a new address space (and maybe a new tid: a thread execed). */
static void on_exec(struct bpfbox_tracer *tr, struct bxt_task *t)
{
	unsigned long former = 0;
	struct bxt_mm *mm;

	if (ptrace(PTRACE_GETEVENTMSG, t->tid, 0L, &former) == 0 && (pid_t)former != t->tid) {
		struct bxt_task *old = bxt_task_find(tr, (pid_t)former);

		if (old) {	/* the execve in progress is the former thread's */
			t->in_syscall = old->in_syscall;
			t->nr = old->nr;
			t->override = old->override;
			t->override_rc = old->override_rc;
			t->entry_done = old->entry_done;
			task_del(tr, old);
		}
	}
	t->pre_exec = false;
	t->info_ok = false;
	if ((mm = bxt_mm_new(t->tid))) {
		if (t->mm)
			bxt_mm_put(t->mm);
		t->mm = mm;
		mm->exec_seen = true;
	}
	if (tr->any_uprobe && t->mm)
		bxt_uprobe_plant(tr, t);
	bxt_resume(tr, t, 0);
}

/* A stopping signal? (group stops are reported with it) */
static bool is_stop_sig(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* One waitpid() report. */
static void on_report(struct bpfbox_tracer *tr, pid_t pid, int status)
{
	struct bxt_task *t = bxt_task_find(tr, pid);
	int sig, ev;

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		if (pid == tr->main_pid)
			tr->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) :
					  128 + WTERMSIG(status);
		if (t)
			task_del(tr, t);
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	if (!t && !(t = task_add(tr, pid, NULL))) {	/* a child before its parent's event */
		ptrace(PTRACE_DETACH, pid, 0L, 0L);
		return;
	}
	tr->st.stops++;
	t->stopped = true;
	sig = WSTOPSIG(status);
	ev = (unsigned)status >> 16;
	if (sig == (SIGTRAP | 0x80)) {
		on_syscall_stop(tr, t);
	} else if (ev == PTRACE_EVENT_SECCOMP) {
		on_seccomp_stop(tr, t);
	} else if (ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_VFORK ||
		   ev == PTRACE_EVENT_CLONE) {
		on_new_task(tr, t, ev);
	} else if (ev == PTRACE_EVENT_EXEC) {
		on_exec(tr, t);
	} else if (ev == PTRACE_EVENT_STOP) {
		bool first = !t->seen_stop;

		t->seen_stop = true;
		if (!t->mm)
			return;		/* wait for the parent's fork event */
		if (first && tr->any_uprobe)
			bxt_uprobe_plant(tr, t);
		if (!first && is_stop_sig(sig)) {	/* group stop: stay stopped, listen */
			t->stopped = false;
			ptrace(PTRACE_LISTEN, t->tid, 0L, 0L);
			return;
		}
		bxt_resume(tr, t, 0);
	} else if (ev) {
		bxt_resume(tr, t, 0);
	} else {
		int gone = -1;

		t->seen_stop = true;
		if (sig == SIGTRAP && t->mm && bxt_uprobe_trap(tr, t, &gone)) {
			if (gone != -1) {
				on_report(tr, pid, gone);	/* it died during the step */
				return;
			}
			bxt_resume(tr, t, 0);
			return;
		}
		bxt_resume(tr, t, sig);	/* deliver the signal */
	}
}

/*
 * bpfbox_tracer__run - see trace.h.
 */
int bpfbox_tracer__run(struct bpfbox_tracer *tr)
{
	if (!tr)
		return -EINVAL;
	while (tr->ntasks) {
		int status;
		pid_t pid = waitpid(-1, &status, __WALL);

		if (pid < 0) {
			if (errno == EINTR)
				return -EINTR;
			/* ECHILD: nothing left to wait for */
			while (tr->ntasks)
				task_del(tr, tr->tasks[0]);
			break;
		}
		on_report(tr, pid, status);
		if (tr->ran && tr->opts.on_event) {
			tr->ran = false;
			tr->opts.on_event(tr->opts.event_ctx);
		}
	}
	return 0;
}

/* Wait for task t (interrupted) to stop; false if it is gone. */
static bool wait_stopped(struct bpfbox_tracer *tr, struct bxt_task *t)
{
	for (int tries = 0; tries < 64; tries++) {
		int status, sig, ev;
		pid_t r = waitpid(t->tid, &status, __WALL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || WIFEXITED(status) || WIFSIGNALED(status)) {
			if (r == tr->main_pid && r > 0)
				tr->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) :
						  128 + WTERMSIG(status);
			return false;
		}
		if (!WIFSTOPPED(status))
			continue;
		t->stopped = true;
		sig = WSTOPSIG(status);
		ev = (unsigned)status >> 16;
		if (ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_VFORK || ev == PTRACE_EVENT_CLONE) {
			unsigned long msg = 0;

			if (!ptrace(PTRACE_GETEVENTMSG, t->tid, 0L, &msg) && msg &&
			    !bxt_task_find(tr, (pid_t)msg)) {
				struct bxt_task *c = task_add(tr, (pid_t)msg, t->mm);

				if (c)	/* it will stop (auto-attached): detached below */
					ptrace(PTRACE_INTERRUPT, c->tid, 0L, 0L);
			}
		} else if (!ev && sig != (SIGTRAP | 0x80)) {
			if (!(sig == SIGTRAP && bxt_uprobe_rewind(tr, t)))
				t->pending_sig = sig;	/* deliver it at the detach */
		}
		return true;
	}
	return false;
}

/*
 * bpfbox_tracer__detach - see trace.h.
 */
int bpfbox_tracer__detach(struct bpfbox_tracer *tr)
{
	if (!tr)
		return -EINVAL;
	if (tr->sc_state != BXT_SC_OFF) {
		/* the tracees carry the seccomp filter: without a tracer their
		 * watched syscalls would fail with ENOSYS. As strace --seccomp-bpf,
		 * kill them (the wait below reaps them). */
		for (size_t i = 0; i < tr->ntasks; i++)
			kill(tr->tasks[i]->tid, SIGKILL);
	}
	for (size_t i = 0; i < tr->ntasks; i++)
		if (!tr->tasks[i]->stopped)
			ptrace(PTRACE_INTERRUPT, tr->tasks[i]->tid, 0L, 0L);
	for (size_t i = 0; i < tr->ntasks;) {
		struct bxt_task *t = tr->tasks[i];

		if (!t->stopped && !wait_stopped(tr, t)) {
			task_del(tr, t);
			continue;
		}
		i++;
	}
	/* breakpoints out of every address space, through one of its stopped tasks */
	for (size_t i = 0; i < tr->ntasks; i++) {
		struct bxt_mm *mm = tr->tasks[i]->mm;

		if (mm && mm->nbps)
			bxt_uprobe_remove_all(tr, mm, tr->tasks[i]->tid);
	}
	while (tr->ntasks) {
		struct bxt_task *t = tr->tasks[tr->ntasks - 1];

		ptrace(PTRACE_DETACH, t->tid, 0L, (long)t->pending_sig);
		task_del(tr, t);
	}
	return 0;
}

/*
 * bpfbox_tracer__stats - see trace.h.
 */
int bpfbox_tracer__stats(const struct bpfbox_tracer *tr, struct bpfbox_tracer_stats *st)
{
	struct bpfbox_tracer_stats s;
	size_t n;

	if (!tr || !st || st->sz < sizeof(size_t))
		return -EINVAL;
	s = tr->st;
	s.sz = sizeof(s);
	s.live = (uint32_t)tr->ntasks;
	s.exit_status = tr->exit_status;
	s.seccomp = tr->sc_state == BXT_SC_ACTIVE;
	n = st->sz < sizeof(s) ? st->sz : sizeof(s);
	memcpy((char *)st + sizeof(size_t), (char *)&s + sizeof(size_t), n - sizeof(size_t));
	return 0;
}

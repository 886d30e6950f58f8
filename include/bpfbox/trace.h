/*
 * trace.h - attach tracing programs to real processes (no kernel BPF):
 * a command bpfbox starts, or a running pid. The first engine uses
 * ptrace(2) (see docs/HOOKS.md, "Process tracing"): it follows threads,
 * forks and execs, stops the tracee at every syscall entry and exit and at
 * uprobe breakpoints, and runs the attached programs there with the
 * kernel's context layout:
 *
 *   raw_tracepoint/sys_enter, raw_tp/sys_exit     u64 args[2]: {struct pt_regs *, nr | ret}
 *   tracepoint/raw_syscalls/sys_enter|sys_exit    trace-event record (tracefs layout)
 *   tracepoint/syscalls/sys_enter_NAME|sys_exit_NAME
 *   kprobe/__x64_sys_NAME, kretprobe/__x64_sys_NAME, ksyscall/NAME, kretsyscall/NAME
 *                                                 struct pt_regs; regs->di points to the
 *                                                 tracee's user pt_regs (BPF_KSYSCALL)
 *   uprobe/PATH:SYMBOL, uretprobe/PATH:SYMBOL     the tracee's struct pt_regs
 *
 * Helpers then act on the traced task: get_current_pid_tgid/uid_gid/comm,
 * probe_read_user* read its memory, probe_write_user writes it,
 * override_return (kprobe on a syscall entry) skips the syscall and sets
 * its return value, send_signal / send_signal_thread signal it.
 *
 * One tracer serves one VM from one thread (the one that calls
 * bpfbox_tracer__run(); ptrace requires it). Functions return 0 or a
 * negative errno; details go to the log callback.
 */
#ifndef BPFBOX_TRACE_H
#define BPFBOX_TRACE_H

#include <sys/types.h>

#include "bpfbox/bpfbox.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bpfbox_tracer;

/* Called after every stop at which programs ran (e.g. to drain ring
 * buffers while the tracee is stopped). */
typedef void (*bpfbox_tracer_event_fn)(void *ctx);

struct bpfbox_tracer_opts {
	size_t sz;
	bpfbox_log_fn log;            /* NULL: the VM's log is not used, messages dropped */
	void *log_ctx;
	enum bpfbox_run_mode mode;    /* for every program run (AUTO: trusted if verified) */
	enum bpfbox_engine engine;
	bpfbox_tracer_event_fn on_event;
	void *event_ctx;
	/* tracefs directory for tracepoint layouts: NULL = the host's
	 * (/sys/kernel/tracing), "" = the built-in layouts only */
	const char *tracefs;
	/* Started commands only (bpfbox_tracer__spawn): the seccomp fast
	 * path (see docs/HOOKS.md) installs a SECCOMP_RET_TRACE filter for
	 * the syscalls programs watch before the execve, so that the other
	 * syscalls do not stop at all and exit stops are requested only where
	 * exit programs need them. By default it is used when the filter can
	 * be installed without no_new_privs (CAP_SYS_ADMIN, as root has).
	 * no_seccomp: never (every syscall stops at entry and exit);
	 * seccomp_nnp: also when that needs PR_SET_NO_NEW_PRIVS (set-user-ID
	 * and file-capability binaries then do not gain privileges, which an
	 * unprivileged tracer prevents anyway, and LSM exec transitions are
	 * restricted). A detach kills a command that carries the filter
	 * (without a tracer its watched syscalls would fail with ENOSYS). */
	bool no_seccomp;
	bool seccomp_nnp;
};

/* Make a tracer for programs of `vm` (which must outlive it). */
BPFBOX_API int bpfbox_tracer__new(struct bpfbox_vm *vm, const struct bpfbox_tracer_opts *opts,
				  struct bpfbox_tracer **out);
/* Detach from every tracee (as bpfbox_tracer__detach()) and free. */
BPFBOX_API void bpfbox_tracer__free(struct bpfbox_tracer *tr);

/*
 * Attach `prog` (a loaded program; the tracer keeps a pointer, it must
 * outlive the tracer) to the attach point `sec`, a libbpf section name
 * ("raw_tracepoint/sys_enter", "tp/syscalls/sys_exit_read",
 * "ksyscall/openat", "uprobe//bin/sh:main", ...). -EINVAL (logged, naming
 * the section and the program) if the section is not a tracing attach
 * point bpfbox supports or the program's type does not fit it; -ENOENT if
 * the syscall, tracepoint or uprobe symbol does not exist. Before or
 * between runs; uprobes are planted into processes as their files get
 * mapped.
 */
BPFBOX_API int bpfbox_tracer__attach(struct bpfbox_tracer *tr, struct bpfbox_prog *prog,
				     const char *sec);
/* Is `sec` an attach point of the tracer (syntax only)? */
BPFBOX_API bool bpfbox_tracer__is_attach_point(const char *sec);

/*
 * Start a command (argv[0] is searched in PATH) traced from its execve
 * on; it is killed if the tracer dies (PTRACE_O_EXITKILL). *pid_out may
 * be NULL. -ENOENT (logged) if the command is not found.
 */
BPFBOX_API int bpfbox_tracer__spawn(struct bpfbox_tracer *tr, char *const argv[], pid_t *pid_out);
/* Attach to every thread of a running process (PTRACE_SEIZE). -ESRCH
 * (logged) if it does not exist, -EPERM if ptrace is refused. */
BPFBOX_API int bpfbox_tracer__attach_pid(struct bpfbox_tracer *tr, pid_t pid);

/*
 * Handle tracee stops until no tracee is left (returns 0) or a signal
 * interrupts the wait (returns -EINTR: call again, or detach). The
 * caller's signal handlers should not use SA_RESTART for signals that
 * must interrupt it (SIGINT, a SIGALRM timer).
 */
BPFBOX_API int bpfbox_tracer__run(struct bpfbox_tracer *tr);

/* Stop tracing: remove the breakpoints and detach every tracee (each is
 * left running, with any signal it was about to receive; except a started
 * command on the seccomp fast path, which is killed: see opts). */
BPFBOX_API int bpfbox_tracer__detach(struct bpfbox_tracer *tr);

struct bpfbox_tracer_stats {
	size_t sz;
	uint64_t syscalls;            /* syscall entries seen (programs may have run) */
	uint64_t stops;               /* ptrace stops handled */
	uint64_t prog_runs;
	uint64_t prog_errors;         /* runs that stopped with an error (logged once per program) */
	uint64_t uprobe_hits;
	uint32_t tasks;               /* threads traced so far */
	uint32_t live;                /* threads traced now */
	/* the started command (bpfbox_tracer__spawn) or the attached pid:
	 * exit code, or 128 + signal if a signal killed it; -1 while it runs
	 * or after a detach */
	int exit_status;
	/* the seccomp fast path is in use (the started command's filter is
	 * installed); then `syscalls` counts only the syscalls programs watch */
	bool seccomp;
};

BPFBOX_API int bpfbox_tracer__stats(const struct bpfbox_tracer *tr, struct bpfbox_tracer_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* BPFBOX_TRACE_H */

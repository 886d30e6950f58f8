/*
 * trace_int.h - internals of the process tracer (src/trace): tasks,
 * address spaces with their breakpoints, attachments, and the hook state a
 * program run carries (call->hook) so that the tracing helpers
 * (trace_helpers.c, helpers_probe.c) act on the traced task.
 *
 * The folder holds two kinds of files. The ptrace engine, one way of
 * stopping a process at its attach points, is trace_ptrace*.c; an
 * in-process sibling (an LD_PRELOAD agent) will sit beside it as
 * trace_preload*.c. The rest is shared by every engine:
 *
 *   ptrace engine:
 *   trace_ptrace.c          tracer lifecycle, spawn / attach / detach, the stop loop
 *   trace_ptrace_uprobe.c   int3 breakpoints (PTRACE_POKETEXT) for uprobes and uretprobes
 *   trace_ptrace_seccomp.c  the seccomp fast path: which syscalls stop, the filter
 *   shared:
 *   trace_attach.c          parsing attach points, building contexts, running programs
 *   trace_helpers.c         probe_write_user, override_return, send_signal(_thread)
 *   tracefs.c/.h            trace-event record layouts (tracefs format files)
 *   uprobe_sym.c/.h         ELF symbol -> file offset -> address for uprobes
 *   syscalls_x86_64.c/.h    the syscall table (generated, scripts/gen_syscalls.sh)
 */
#ifndef BXH_TRACE_INT_H
#define BXH_TRACE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "bpfbox/bpfbox.h"
#include "bpfbox/trace.h"
#include "progtype/ctx_layout.h"
#include "trace/tracefs.h"
#include "util/log.h"

struct bpfbox_call;

/* ---- attachments ------------------------------------------------------------ */

enum bxt_kind {
	BXT_RAW_ENTER = 1,   /* raw_tracepoint/sys_enter */
	BXT_RAW_EXIT,        /* raw_tracepoint/sys_exit */
	BXT_TP_ENTER,        /* tracepoint raw_syscalls/sys_enter or syscalls/sys_enter_NAME */
	BXT_TP_EXIT,
	BXT_KPROBE,          /* kprobe/__x64_sys_NAME, ksyscall/NAME */
	BXT_KRETPROBE,
	BXT_UPROBE,
	BXT_URETPROBE,
};

struct bxt_attach {
	enum bxt_kind kind;
	long nr;                       /* syscall number, -1: every syscall */
	struct bpfbox_prog *prog;
	struct bxh_ev_format *fmt;     /* tracepoints: the record layout */
	char path[4096];               /* uprobes: the file (absolute) */
	uint64_t file_off;             /* uprobes: offset of the probed instruction */
	bool lib_by_name;              /* uprobes: path was a bare library name */
	char libname[256];
	bool err_logged;               /* a failed run was already reported */
};

/* ---- address spaces and breakpoints ------------------------------------------- */

struct bxt_bp {
	uint64_t addr;
	uint8_t orig;                  /* the byte int3 replaced */
	int uprobe;                    /* index of the attach (-1: return breakpoint only) */
	unsigned nattach;              /* entry uprobes at this address (attach indices below) */
	int attach[8];
	unsigned ret_refs;             /* pending uretprobe returns through here */
};

struct bxt_ret {                   /* a pending uretprobe return */
	pid_t tid;
	uint64_t ret_addr;             /* where the breakpoint is */
	uint64_t sp;                   /* rsp at entry (the return address's slot) */
	int attach;
};

struct bxt_mm {                    /* one address space (threads and vfork children share) */
	unsigned refs;
	pid_t tgid;                    /* process that owns it */
	bool exec_seen;                /* the spawned command's image is in place */
	bool planted_all;              /* no uprobe waits for its file to be mapped */
	struct bxt_bp *bps;
	size_t nbps, capbps;
	struct bxt_ret *rets;
	size_t nrets, caprets;
};

/* ---- tasks -------------------------------------------------------------------- */

struct bxt_task {
	pid_t tid;
	struct bxt_mm *mm;
	bool stopped;                  /* in a ptrace stop we have not resumed yet */
	bool pre_exec;                 /* spawned command before its execve: no programs */
	bool in_syscall;               /* between a syscall-entry and its exit stop (seccomp
					* fast path: the exit stop of this syscall is wanted) */
	bool entry_done;               /* fast path: this syscall's entry was handled at a
					* PTRACE_SYSCALL stop, ignore its seccomp stop */
	long nr;                       /* the syscall in progress */
	bool override;                 /* override_return at entry: set rax at exit */
	int64_t override_rc;
	bool info_ok;                  /* info is filled */
	struct bpfbox_task info;
	int pending_sig;               /* signal to deliver when resuming / detaching */
	bool seen_stop;                /* had its first stop (attach: after PTRACE_INTERRUPT) */
};

/* ---- the tracer --------------------------------------------------------------- */

enum bxt_sc_state {
	BXT_SC_OFF = 0,                /* every syscall stops (PTRACE_SYSCALL) */
	BXT_SC_INSTALLING,             /* the started command installs the filter */
	BXT_SC_ACTIVE,                 /* its tree runs under the filter: seccomp stops */
	BXT_SC_FALLBACK,               /* filter in place but a later attach needs more:
					* PTRACE_SYSCALL again, seccomp stops ignored */
};

#define BXT_SC_NRS 512                 /* syscall numbers covered by the bitmaps */
#define BXT_SC_WORDS (BXT_SC_NRS / 64)

struct bpfbox_tracer {
	struct bpfbox_vm *vm;
	struct bx_log log;
	struct bpfbox_tracer_opts opts;
	char tracefs[4096];
	bool tracefs_set;
	struct bxt_attach **att;
	size_t natt, capatt;
	bool any_syscall_prog;         /* stop at syscalls at all? */
	bool any_uprobe;
	struct bxt_task **tasks;
	size_t ntasks, captasks;
	pid_t main_pid;                /* spawned or attached process */
	bool spawned;
	int exit_status;
	bool ran;                      /* programs ran since the last on_event */
	struct bpfbox_tracer_stats st;
	/* the seccomp fast path (trace_ptrace_seccomp.c) */
	enum bxt_sc_state sc_state;
	bool sc_all;                   /* programs watch every syscall */
	bool sc_all_exit;              /* ... and need every exit */
	uint64_t sc_watch[BXT_SC_WORDS];  /* syscalls programs watch (entry or exit) */
	uint64_t sc_exit[BXT_SC_WORDS];   /* syscalls whose exit programs need */
	uint64_t sc_filter[BXT_SC_WORDS]; /* syscalls the filter stops at */
};

/* The run state of one program run (call->hook). */
#define BXT_HOOK_MAGIC 0x74786862u /* "bhxt" */

struct bxt_hook {
	uint32_t magic;                /* BXT_HOOK_MAGIC; first, as struct bxh_pkt's */
	struct bpfbox_tracer *tr;
	struct bxt_task *task;
	bool can_override;             /* kprobe at a syscall entry */
	bool override;
	int64_t override_rc;
};

/* trace_ptrace.c */
struct bxt_task *bxt_task_find(struct bpfbox_tracer *tr, pid_t tid);
/* the task's pid/tgid/uid/gid/comm (read from /proc once, refreshed on exec) */
const struct bpfbox_task *bxt_task_info(struct bpfbox_tracer *tr, struct bxt_task *t);
/* resume a stopped task with PTRACE_SYSCALL (or CONT) and signal sig */
int bxt_resume(struct bpfbox_tracer *tr, struct bxt_task *t, int sig);

/* One syscall stop as the programs see it: nr, args and ret come from
 * PTRACE_GET_SYSCALL_INFO; the full registers are read only when a
 * program needs struct pt_regs (bxt_sc_regs). */
struct bxt_sc {
	long nr;
	uint64_t args[6];              /* entries */
	long ret;                      /* exits */
	bool have_regs;
	bool dirty;                    /* regs changed: written back before resuming */
	struct user_regs_struct regs;
};

/* Fill sc->regs (PTRACE_GETREGS) unless done; 0 or -errno. */
int bxt_sc_regs(struct bxt_task *t, struct bxt_sc *sc);

/* trace_ptrace_seccomp.c */
/* Work out from the attachments which syscalls stop and whether the fast
 * path is worth it (false: every exit is needed anyway, or no syscall
 * program). Fills tr->sc_*. */
bool bxt_sc_plan(struct bpfbox_tracer *tr);
/* Is nr in bitmap set (nr < 0 or beyond: only if all)? */
bool bxt_sc_has(const uint64_t *set, bool all, long nr);
/* Build the classic BPF filter for tr->sc_filter (malloc'd, *len
 * instructions); -ENOMEM. */
int bxt_sc_build(const struct bpfbox_tracer *tr, void **prog, unsigned short *len);
/* In the started child before exec: install the filter (without
 * no_new_privs, then with it if nnp). 0 or -errno. */
int bxt_sc_install(void *prog, unsigned short len, bool nnp);
/* After attaching a in an active fast path: does the filter cover it? */
bool bxt_sc_covers(const struct bpfbox_tracer *tr, const struct bxt_attach *a);

/* trace_attach.c */
int bxt_attach_parse(struct bpfbox_tracer *tr, struct bpfbox_prog *prog, const char *sec,
		     struct bxt_attach *a);
/* Run the programs for a syscall entry / exit stop of t (override_return
 * at an entry sets t->override, t->override_rc). */
void bxt_on_syscall(struct bpfbox_tracer *tr, struct bxt_task *t, bool entry, struct bxt_sc *sc);
/* Run one program on ctx; returns r0 (0 on error). */
uint64_t bxt_run_prog(struct bpfbox_tracer *tr, struct bxt_attach *a, struct bxt_task *t,
		      void *ctx, size_t ctx_size, struct bxt_hook *hook);
void bxt_regs_to_pt(const struct user_regs_struct *u, struct bxh_pt_regs *p);

/* trace_ptrace_uprobe.c */
struct bxt_mm *bxt_mm_new(pid_t tgid);
struct bxt_mm *bxt_mm_get(struct bxt_mm *mm);
void bxt_mm_put(struct bxt_mm *mm);
/* a forked child's copy of mm (breakpoints and the forking thread's pending returns) */
struct bxt_mm *bxt_mm_fork(const struct bxt_mm *mm, pid_t parent_tid, pid_t child_tid,
			   pid_t child_tgid);
/* Plant the uprobes whose files are mapped in t's process (t stopped). */
void bxt_uprobe_plant(struct bpfbox_tracer *tr, struct bxt_task *t);
/* A SIGTRAP stop of t: if it is one of our breakpoints, run its programs,
 * step over it and return true (t stays stopped, ready to resume; unless
 * it died during the step: *gone_status is then its wait status, else -1). */
bool bxt_uprobe_trap(struct bpfbox_tracer *tr, struct bxt_task *t, int *gone_status);
/* Remove every breakpoint of mm through stopped task tid. */
void bxt_uprobe_remove_all(struct bpfbox_tracer *tr, struct bxt_mm *mm, pid_t tid);
/* Fix up t stopped by a SIGTRAP at one of our breakpoints before detaching
 * (rewind rip). true if it was one. */
bool bxt_uprobe_rewind(struct bpfbox_tracer *tr, struct bxt_task *t);

/* bxh_trace_pid(), for helpers_probe.c (bxk_mem_pid), is declared in
 * src/helpers/helpers.h: the traced task of a run, 0 if none. */

#endif /* BXH_TRACE_INT_H */

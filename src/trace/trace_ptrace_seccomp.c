/*
 * trace_ptrace_seccomp.c - the seccomp fast path of the ptrace engine. A started
 * command installs (in bpfbox's child, after the tracer seized it and just
 * before its execve) a classic BPF seccomp filter that returns
 * SECCOMP_RET_TRACE for the syscalls the attached programs watch and
 * SECCOMP_RET_ALLOW for the others. With PTRACE_O_TRACESECCOMP the tracer
 * then gets one PTRACE_EVENT_SECCOMP stop at the entry of a watched
 * syscall and none for the others; it resumes with PTRACE_SYSCALL only
 * when the syscall's exit stop is needed (exit programs, kretprobes,
 * override_return, uprobes waiting for an mmap), PTRACE_CONT otherwise.
 *
 * Besides the watched syscalls the filter stops at the set*id and prctl
 * calls (the cached uid/gid/comm of the task is dropped there) and, with
 * uprobes, at mmap/mprotect (a new executable mapping may be probed).
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "trace/trace_int.h"

/* syscalls after which the task's identity (uid, gid, comm) may differ:
 * setuid setgid setreuid setregid setresuid setresgid setfsuid setfsgid prctl */
static const int bxt_identity_nrs[] = { 105, 106, 113, 114, 117, 119, 122, 123, 157 };

/* at most this many syscall numbers in a filter (one jeq each), else all */
#define BXT_SC_MAX_JEQ 200

/* Add nr to set. */
static void set_add(uint64_t *set, long nr)
{
	if (nr >= 0 && nr < BXT_SC_NRS)
		set[nr / 64] |= 1ull << (nr % 64);
}

/*
 * bxt_sc_has - see trace_int.h.
 */
bool bxt_sc_has(const uint64_t *set, bool all, long nr)
{
	if (all)
		return true;
	if (nr < 0 || nr >= BXT_SC_NRS)
		return false;
	return (set[nr / 64] >> (nr % 64)) & 1;
}

/* Is kind an exit-side attachment? */
static bool is_exit_kind(enum bxt_kind k)
{
	return k == BXT_RAW_EXIT || k == BXT_TP_EXIT || k == BXT_KRETPROBE;
}

/* Is kind a syscall attachment at all? */
static bool is_syscall_kind(enum bxt_kind k)
{
	return k != BXT_UPROBE && k != BXT_URETPROBE;
}

/*
 * bxt_sc_plan - see trace_int.h.
 */
bool bxt_sc_plan(struct bpfbox_tracer *tr)
{
	size_t n = 0;

	tr->sc_all = tr->sc_all_exit = false;
	memset(tr->sc_watch, 0, sizeof(tr->sc_watch));
	memset(tr->sc_exit, 0, sizeof(tr->sc_exit));
	memset(tr->sc_filter, 0, sizeof(tr->sc_filter));
	for (size_t i = 0; i < tr->natt; i++) {
		const struct bxt_attach *a = tr->att[i];

		if (!is_syscall_kind(a->kind))
			continue;
		if (a->nr < 0) {
			tr->sc_all = true;
			if (is_exit_kind(a->kind))
				tr->sc_all_exit = true;
			continue;
		}
		if (a->nr >= BXT_SC_NRS) {	/* not expected: x86-64 numbers are < 512 */
			tr->sc_all = tr->sc_all_exit = true;
			continue;
		}
		set_add(tr->sc_watch, a->nr);
		if (is_exit_kind(a->kind))
			set_add(tr->sc_exit, a->nr);
	}
	memcpy(tr->sc_filter, tr->sc_watch, sizeof(tr->sc_filter));
	for (size_t i = 0; i < sizeof(bxt_identity_nrs) / sizeof(bxt_identity_nrs[0]); i++)
		set_add(tr->sc_filter, bxt_identity_nrs[i]);
	if (tr->any_uprobe) {
		set_add(tr->sc_filter, 9);	/* mmap */
		set_add(tr->sc_filter, 10);	/* mprotect */
	}
	for (long nr = 0; nr < BXT_SC_NRS; nr++)
		n += bxt_sc_has(tr->sc_filter, false, nr);
	if (n > BXT_SC_MAX_JEQ)
		tr->sc_all = true;
	/* no gain: nothing to stop at, or every syscall needs entry and exit
	 * (uprobes alone: only mmap/mprotect stop until they are planted) */
	if ((!tr->any_syscall_prog && !tr->any_uprobe) || tr->sc_all_exit)
		return false;
	return true;
}

/*
 * bxt_sc_covers - see trace_int.h.
 */
bool bxt_sc_covers(const struct bpfbox_tracer *tr, const struct bxt_attach *a)
{
	if (!is_syscall_kind(a->kind))	/* mmap/mprotect are in it only with uprobes */
		return bxt_sc_has(tr->sc_filter, tr->sc_all, 9) && bxt_sc_has(tr->sc_filter, tr->sc_all, 10);
	if (is_exit_kind(a->kind) && (a->nr < 0 ? !tr->sc_all_exit :
				      !bxt_sc_has(tr->sc_exit, false, a->nr)))
		return false;
	return bxt_sc_has(tr->sc_watch, tr->sc_all, a->nr) && (a->nr >= 0 || tr->sc_all);
}

/*
 * bxt_sc_build - see trace_int.h. Layout: load arch; not x86-64 -> ALLOW;
 * load nr; one "jeq NR, trace" per syscall; ALLOW; trace: TRACE. With
 * every syscall watched: TRACE alone.
 */
int bxt_sc_build(const struct bpfbox_tracer *tr, void **prog, unsigned short *len)
{
	struct sock_filter *f;
	size_t n = 0, cap = 5 + BXT_SC_NRS;
	unsigned njeq = 0;

	if (!(f = calloc(cap, sizeof(*f))))
		return -ENOMEM;
	if (tr->sc_all) {
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
		goto done;
	}
	for (long nr = 0; nr < BXT_SC_NRS; nr++)
		njeq += bxt_sc_has(tr->sc_filter, false, nr);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	for (long nr = 0; nr < BXT_SC_NRS; nr++) {
		if (!bxt_sc_has(tr->sc_filter, false, nr))
			continue;
		/* to the TRACE after the remaining jeqs and the ALLOW */
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr,
						      (uint8_t)njeq, 0);
		njeq--;
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
done:
	*prog = f;
	*len = (unsigned short)n;
	return 0;
}

/*
 * bxt_sc_install - see trace_int.h. Runs in the forked child: syscalls
 * only (no allocation).
 */
int bxt_sc_install(void *prog, unsigned short len, bool nnp)
{
	struct sock_fprog fp = { .len = len, .filter = prog };

	if (!syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp))
		return 0;
	if (errno != EACCES || !nnp)
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) ? -errno : 0;
}

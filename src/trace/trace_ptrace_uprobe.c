/*
 * trace_ptrace_uprobe.c - uprobes and uretprobes as int3 breakpoints.
 *
 * A uprobe's file offset (resolved at attach time from the ELF symbols)
 * becomes an address in each traced process once its file is mapped
 * (after exec, after an mmap/mprotect with PROT_EXEC, at attach): the
 * tracer writes 0xCC there with PTRACE_POKETEXT. On the SIGTRAP the
 * programs run with the tracee's registers (ip = the probed address); the
 * tracer puts the original byte back, single-steps the task over it and
 * re-arms the breakpoint. A uretprobe reads the return address at the
 * entry's [rsp] and plants a return breakpoint there; it fires when the
 * same thread comes back to it with its stack popped.
 *
 * Breakpoints belong to an address space (struct bxt_mm): threads and
 * vfork children share it, a fork copies it (the child's memory has the
 * int3 bytes too), an exec starts a new one. While one thread steps over
 * a breakpoint, others of the process may pass that address unprobed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "trace/trace_int.h"
#include "trace/uprobe_sym.h"

/* ---- address spaces ------------------------------------------------------------------ */

/*
 * bxt_mm_new - a fresh address space of process tgid (one reference).
 */
struct bxt_mm *bxt_mm_new(pid_t tgid)
{
	struct bxt_mm *mm = calloc(1, sizeof(*mm));

	if (mm) {
		mm->refs = 1;
		mm->tgid = tgid;
	}
	return mm;
}

/* bxt_mm_get - one more reference. */
struct bxt_mm *bxt_mm_get(struct bxt_mm *mm)
{
	mm->refs++;
	return mm;
}

/* bxt_mm_put - drop a reference; the last frees it. */
void bxt_mm_put(struct bxt_mm *mm)
{
	if (!mm || --mm->refs)
		return;
	free(mm->bps);
	free(mm->rets);
	free(mm);
}

/*
 * bxt_mm_fork - see trace_int.h.
 */
struct bxt_mm *bxt_mm_fork(const struct bxt_mm *mm, pid_t parent_tid, pid_t child_tid,
			   pid_t child_tgid)
{
	struct bxt_mm *c = bxt_mm_new(child_tgid);

	if (!c)
		return NULL;
	c->exec_seen = mm->exec_seen;
	c->planted_all = mm->planted_all;
	if (mm->nbps) {
		if (!(c->bps = malloc(mm->nbps * sizeof(*c->bps)))) {
			bxt_mm_put(c);
			return NULL;
		}
		memcpy(c->bps, mm->bps, mm->nbps * sizeof(*c->bps));
		c->nbps = c->capbps = mm->nbps;
		for (size_t i = 0; i < c->nbps; i++)
			c->bps[i].ret_refs = 0;
	}
	for (size_t i = 0; i < mm->nrets; i++) {
		struct bxt_ret r = mm->rets[i];

		if (r.tid != parent_tid)
			continue;
		if (c->nrets == c->caprets) {
			size_t cap = c->caprets ? c->caprets * 2 : 8;
			struct bxt_ret *n = realloc(c->rets, cap * sizeof(*n));

			if (!n)
				break;
			c->rets = n;
			c->caprets = cap;
		}
		r.tid = child_tid;
		c->rets[c->nrets++] = r;
		for (size_t j = 0; j < c->nbps; j++)
			if (c->bps[j].addr == r.ret_addr)
				c->bps[j].ret_refs++;
	}
	return c;
}

/* ---- breakpoints ------------------------------------------------------------------------- */

/* The breakpoint at addr in mm, or NULL. */
static struct bxt_bp *bp_find(struct bxt_mm *mm, uint64_t addr)
{
	for (size_t i = 0; i < mm->nbps; i++)
		if (mm->bps[i].addr == addr)
			return &mm->bps[i];
	return NULL;
}

/* Write one byte of tid's memory (text included). 0 or -errno. */
static int poke_byte(pid_t tid, uint64_t addr, uint8_t byte, uint8_t *old)
{
	long word;

	errno = 0;
	word = ptrace(PTRACE_PEEKTEXT, tid, (void *)(uintptr_t)addr, 0L);
	if (errno)
		return -errno;
	if (old)
		*old = (uint8_t)(word & 0xff);
	word = (long)(((unsigned long)word & ~0xfful) | byte);
	if (ptrace(PTRACE_POKETEXT, tid, (void *)(uintptr_t)addr, (void *)word) < 0)
		return -errno;
	return 0;
}

/* The breakpoint at addr, planted now if needed. NULL on failure. */
static struct bxt_bp *bp_get(struct bpfbox_tracer *tr, struct bxt_mm *mm, pid_t tid,
			     uint64_t addr)
{
	struct bxt_bp *bp = bp_find(mm, addr);
	uint8_t orig;
	int err;

	if (bp)
		return bp;
	if (mm->nbps == mm->capbps) {
		size_t cap = mm->capbps ? mm->capbps * 2 : 8;
		struct bxt_bp *n = realloc(mm->bps, cap * sizeof(*n));

		if (!n)
			return NULL;
		mm->bps = n;
		mm->capbps = cap;
	}
	if ((err = poke_byte(tid, addr, 0xcc, &orig))) {
		bx_warn(&tr->log, "cannot plant a breakpoint at 0x%llx in pid %d: %s",
			(unsigned long long)addr, (int)tid, strerror(-err));
		return NULL;
	}
	bp = &mm->bps[mm->nbps++];
	memset(bp, 0, sizeof(*bp));
	bp->addr = addr;
	bp->orig = orig;
	bp->uprobe = -1;
	return bp;
}

/* Drop breakpoint bp if nothing uses it any more (restoring the byte). */
static void bp_maybe_drop(struct bxt_mm *mm, pid_t tid, struct bxt_bp *bp)
{
	if (bp->nattach || bp->ret_refs)
		return;
	poke_byte(tid, bp->addr, bp->orig, NULL);
	*bp = mm->bps[--mm->nbps];
}

/*
 * bxt_uprobe_plant - see trace_int.h. A library named without a path is
 * looked up among the process's mappings.
 */
void bxt_uprobe_plant(struct bpfbox_tracer *tr, struct bxt_task *t)
{
	struct bxt_mm *mm = t->mm;
	bool all = true;

	if (!mm)
		return;
	for (size_t i = 0; i < tr->natt; i++) {
		struct bxt_attach *a = tr->att[i];
		char path[4096];
		uint64_t addr;
		struct bxt_bp *bp;
		bool have = false;

		if (a->kind != BXT_UPROBE && a->kind != BXT_URETPROBE)
			continue;
		for (size_t j = 0; j < mm->nbps && !have; j++)
			for (unsigned k = 0; k < mm->bps[j].nattach; k++)
				have |= mm->bps[j].attach[k] == (int)i;
		if (have)
			continue;
		snprintf(path, sizeof(path), "%s", a->path);
		if (a->lib_by_name && bxh_uprobe_find_path(mm->tgid, a->libname, path, sizeof(path),
							   NULL))
			snprintf(path, sizeof(path), "%s", a->path);
		if (bxh_uprobe_addr(mm->tgid, path, a->file_off, &addr, NULL)) {
			all = false;	/* not mapped (yet) */
			continue;
		}
		if (!(bp = bp_get(tr, mm, t->tid, addr)) || bp->nattach >= 8) {
			all = false;
			continue;
		}
		bp->attach[bp->nattach++] = (int)i;
	}
	mm->planted_all = all;
}

/* Add a pending return for a uretprobe entry (regs at the entry). */
static void push_ret(struct bpfbox_tracer *tr, struct bxt_task *t, int attach,
		     const struct user_regs_struct *regs)
{
	struct bxt_mm *mm = t->mm;
	struct bxt_bp *bp;
	long ra;

	errno = 0;
	ra = ptrace(PTRACE_PEEKDATA, t->tid, (void *)(uintptr_t)regs->rsp, 0L);
	if (errno)
		return;
	if (mm->nrets == mm->caprets) {
		size_t cap = mm->caprets ? mm->caprets * 2 : 8;
		struct bxt_ret *n = realloc(mm->rets, cap * sizeof(*n));

		if (!n)
			return;
		mm->rets = n;
		mm->caprets = cap;
	}
	if (!(bp = bp_get(tr, mm, t->tid, (uint64_t)ra)))
		return;
	bp->ret_refs++;
	mm->rets[mm->nrets++] = (struct bxt_ret){ .tid = t->tid, .ret_addr = (uint64_t)ra,
						  .sp = regs->rsp, .attach = attach };
}

/* Single-step t over the instruction at bp (its byte restored meanwhile).
 * Returns -1, or t's wait status if it died. */
static int step_over(struct bxt_mm *mm, struct bxt_task *t, uint64_t addr)
{
	struct bxt_bp *bp = bp_find(mm, addr);
	int status = 0;

	if (!bp)
		return -1;
	poke_byte(t->tid, addr, bp->orig, NULL);
	if (ptrace(PTRACE_SINGLESTEP, t->tid, 0L, 0L) == 0) {
		while (waitpid(t->tid, &status, __WALL) < 0 && errno == EINTR)
			;
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return status;
		if (WIFSTOPPED(status) && WSTOPSIG(status) != SIGTRAP)
			t->pending_sig = WSTOPSIG(status);
	}
	if ((bp = bp_find(mm, addr)))
		poke_byte(t->tid, addr, 0xcc, NULL);
	return -1;
}

/*
 * bxt_uprobe_trap - see trace_int.h. Entry programs run first, then the
 * returns of this thread that come back here.
 */
bool bxt_uprobe_trap(struct bpfbox_tracer *tr, struct bxt_task *t, int *gone_status)
{
	struct bxt_mm *mm = t->mm;
	struct user_regs_struct regs;
	struct bxh_pt_regs pt;
	struct bxt_bp *bp;
	uint64_t addr;
	int nattach, attach[8];

	*gone_status = -1;
	if (ptrace(PTRACE_GETREGS, t->tid, 0L, &regs) < 0)
		return false;
	addr = regs.rip - 1;
	if (!(bp = bp_find(mm, addr)))
		return false;
	tr->st.uprobe_hits++;
	regs.rip = addr;
	ptrace(PTRACE_SETREGS, t->tid, 0L, &regs);
	bxt_regs_to_pt(&regs, &pt);
	/* returns of this thread through here: its stack is above the entry's */
	for (size_t i = 0; bp->ret_refs && i < mm->nrets;) {
		struct bxt_ret r = mm->rets[i];
		struct bxt_hook hook = { 0 };

		if (r.tid != t->tid || r.ret_addr != addr || r.sp >= regs.rsp) {
			i++;
			continue;
		}
		mm->rets[i] = mm->rets[--mm->nrets];
		bp->ret_refs--;
		if (r.attach >= 0 && (size_t)r.attach < tr->natt)
			bxt_run_prog(tr, tr->att[r.attach], t, &pt, sizeof(pt), &hook);
		bp = bp_find(mm, addr);
		if (!bp)
			break;
	}
	nattach = bp ? (int)bp->nattach : 0;
	if (nattach)
		memcpy(attach, bp->attach, sizeof(attach));
	for (int k = 0; k < nattach; k++) {
		struct bxt_attach *a = tr->att[attach[k]];
		struct bxt_hook hook = { 0 };

		if (a->kind == BXT_URETPROBE)
			push_ret(tr, t, attach[k], &regs);
		else
			bxt_run_prog(tr, a, t, &pt, sizeof(pt), &hook);
	}
	if ((bp = bp_find(mm, addr)) && !bp->nattach && !bp->ret_refs) {
		bp_maybe_drop(mm, t->tid, bp);	/* a return breakpoint no one waits on */
		return true;
	}
	*gone_status = step_over(mm, t, addr);
	return true;
}

/*
 * bxt_uprobe_remove_all - see trace_int.h.
 */
void bxt_uprobe_remove_all(struct bpfbox_tracer *tr, struct bxt_mm *mm, pid_t tid)
{
	(void)tr;
	for (size_t i = 0; i < mm->nbps; i++)
		poke_byte(tid, mm->bps[i].addr, mm->bps[i].orig, NULL);
	mm->nbps = 0;
	mm->nrets = 0;
	mm->planted_all = false;
}

/*
 * bxt_uprobe_rewind - see trace_int.h.
 */
bool bxt_uprobe_rewind(struct bpfbox_tracer *tr, struct bxt_task *t)
{
	struct user_regs_struct regs;

	(void)tr;
	if (!t->mm || ptrace(PTRACE_GETREGS, t->tid, 0L, &regs) < 0 ||
	    !bp_find(t->mm, regs.rip - 1))
		return false;
	regs.rip--;
	ptrace(PTRACE_SETREGS, t->tid, 0L, &regs);
	return true;
}

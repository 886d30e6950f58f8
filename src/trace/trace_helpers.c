/*
 * trace_helpers.c - the helpers that act on the traced task:
 * bpf_probe_write_user(), bpf_override_return(), bpf_send_signal() and
 * bpf_send_signal_thread() (rows of src/helpers/helper_table.h), and
 * bxh_trace_pid(), which points probe reads of user memory at the tracee
 * (helpers_probe.c, bxk_mem_pid()).
 *
 * Outside a tracer run (e.g. a test run) there is no task to act on: the
 * helpers log it and return -EOPNOTSUPP (override_return does nothing).
 */
#include <errno.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "helpers/helpers.h"
#include "trace/trace_int.h"
#include "vm/vm_internal.h"

/* The tracer state of this run, or NULL. */
static struct bxt_hook *trace_hook(const struct bpfbox_call *call)
{
	struct bxt_hook *h = call->hook;

	return h && h->magic == BXT_HOOK_MAGIC ? h : NULL;
}

/*
 * bxh_trace_pid - see trace_int.h.
 */
int bxh_trace_pid(const struct bpfbox_call *call)
{
	const struct bxt_hook *h = trace_hook(call);

	return h && h->task ? (int)h->task->tid : 0;
}

/* Log "HELPER: needs a traced process" and return -EOPNOTSUPP. */
static uint64_t no_tracee(struct bpfbox_call *call, const char *helper)
{
	bx_debug(&call->vm->log, "%s: bpf_%s: no traced process in this run (bpfbox trace)",
		 call->prog->name, helper);
	return (uint64_t)(long)-EOPNOTSUPP;
}

/*
 * bxk_probe_write_user - long bpf_probe_write_user(void *dst, const void
 * *src, u32 len): write the tracee's memory (process_vm_writev: as the
 * kernel, read-only pages are refused). 0 or -EFAULT.
 */
uint64_t bxk_probe_write_user(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
			      uint64_t r4, uint64_t r5)
{
	struct bxt_hook *h = trace_hook(call);
	struct iovec local, remote;
	ssize_t n;

	(void)r4, (void)r5;
	if (!h || !h->task)
		return no_tracee(call, "probe_write_user");
	if (r3 == 0)
		return 0;
	if (bxk_arg_mem(call, "probe_write_user", 2, "src", r2, r3, false))
		return (uint64_t)(long)-EFAULT;
	if (!r1 || r1 + r3 < r1)
		return (uint64_t)(long)-EFAULT;
	local.iov_base = BXK_PTR(r2);
	local.iov_len = r3;
	remote.iov_base = BXK_PTR(r1);
	remote.iov_len = r3;
	n = process_vm_writev(h->task->tid, &local, 1, &remote, 1, 0);
	return n == (ssize_t)r3 ? 0 : (uint64_t)(long)-EFAULT;
}

/*
 * bxk_override_return - long bpf_override_return(struct pt_regs *regs,
 * u64 rc): in a kprobe on a syscall entry (__x64_sys_NAME / ksyscall),
 * the syscall is skipped and returns rc. Elsewhere it does nothing.
 * Always 0, as the kernel's.
 */
uint64_t bxk_override_return(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
			     uint64_t r4, uint64_t r5)
{
	struct bxt_hook *h = trace_hook(call);

	(void)r1, (void)r3, (void)r4, (void)r5;
	if (!h || !h->can_override) {
		bx_debug(&call->vm->log, "%s: bpf_override_return: not at a syscall entry kprobe, ignored",
			 call->prog->name);
		return 0;
	}
	h->override = true;
	h->override_rc = (int64_t)r2;
	return 0;
}

/* send_signal / send_signal_thread: queue sig for the tracee (it is
 * delivered when the tracer resumes it). */
static uint64_t send_sig(struct bpfbox_call *call, const char *helper, uint64_t sig, bool thread)
{
	struct bxt_hook *h = trace_hook(call);
	const struct bpfbox_task *t;
	long r;

	if (!h || !h->task)
		return no_tracee(call, helper);
	if (sig == 0 || sig >= 65)	/* valid_signal() */
		return (uint64_t)(long)-EINVAL;
	t = bxt_task_info(h->tr, h->task);
	if (thread)
		r = syscall(SYS_tgkill, (int)t->tgid, (int)t->pid, (int)sig);
	else
		r = kill((pid_t)t->tgid, (int)sig);
	return r ? (uint64_t)(long)-errno : 0;
}

/* bxk_send_signal - long bpf_send_signal(u32 sig): to the traced process. */
uint64_t bxk_send_signal(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
			 uint64_t r4, uint64_t r5)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	return send_sig(call, "send_signal", (uint32_t)r1, false);
}

/* bxk_send_signal_thread - long bpf_send_signal_thread(u32 sig): to the thread. */
uint64_t bxk_send_signal_thread(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	return send_sig(call, "send_signal_thread", (uint32_t)r1, true);
}

/*
 * bxh_trace_user_regs - see helpers.h: the traced task's user registers at
 * the event (it is stopped while programs run; a uprobe stop has rip back
 * at the probed address; *orig: the byte a uprobe's int3 replaced at
 * the ip, -1 if none).
 */
int bxh_trace_user_regs(const struct bpfbox_call *call, uint64_t *ip, uint64_t *sp,
			uint64_t *bp, int *orig)
{
	const struct bxt_hook *h = trace_hook(call);
	struct user_regs_struct regs;

	if (!h || !h->task)
		return -ENOENT;
	if (ptrace(PTRACE_GETREGS, h->task->tid, 0L, &regs) < 0)
		return -errno;
	*ip = regs.rip;
	*sp = regs.rsp;
	*bp = regs.rbp;
	*orig = -1;
	for (size_t i = 0; h->task->mm && i < h->task->mm->nbps; i++)
		if (h->task->mm->bps[i].addr == regs.rip)
			*orig = h->task->mm->bps[i].orig;
	return 0;
}

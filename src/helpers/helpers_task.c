/*
 * helpers_task.c - the current task: bpf_get_current_pid_tgid(),
 * bpf_get_current_uid_gid(), bpf_get_current_comm(). "Current" is the
 * task the run serves (bpfbox_run_opts.task, or the calling thread).
 */
#include <errno.h>
#include <string.h>

#include "helpers/helpers.h"
#include "vm/vm_internal.h"

/* bxk_get_current_pid_tgid - u64: tgid << 32 | pid (pid = thread id). */
uint64_t bxk_get_current_pid_tgid(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
				  uint64_t r3, uint64_t r4, uint64_t r5)
{
	const struct bpfbox_task *t = bxv_call_task(call);

	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return (uint64_t)t->tgid << 32 | t->pid;
}

/* bxk_get_current_uid_gid - u64: gid << 32 | uid. */
uint64_t bxk_get_current_uid_gid(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
				 uint64_t r3, uint64_t r4, uint64_t r5)
{
	const struct bpfbox_task *t = bxv_call_task(call);

	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return (uint64_t)t->gid << 32 | t->uid;
}

/*
 * bxk_get_current_comm - long bpf_get_current_comm(buf, size): the task's
 * name, truncated to size - 1 bytes, NUL-terminated and zero-padded to
 * size (the kernel's strscpy_pad). 0, or -EINVAL for size 0 (which the
 * kernel's verifier refuses).
 */
uint64_t bxk_get_current_comm(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			      uint64_t r3, uint64_t r4, uint64_t r5)
{
	const struct bpfbox_task *t;
	uint32_t size = (uint32_t)r2;
	size_t n;

	(void)r3, (void)r4, (void)r5;
	if (size == 0 || !r1)
		return (uint64_t)(long)-EINVAL;
	if (bxk_arg_mem(call, "get_current_comm", 1, "buf", r1, size, true))
		return (uint64_t)(long)-EFAULT;
	t = bxv_call_task(call);
	n = strnlen(t->comm, sizeof(t->comm));
	if (n > size - 1)
		n = size - 1;
	memcpy(BXK_PTR(r1), t->comm, n);
	memset((char *)BXK_PTR(r1) + n, 0, size - n);
	return 0;
}

/*
 * bxk_get_current_task_btf - struct task_struct *bpf_get_current_task_btf(void).
 * The verifier types the result as the kernel does (a trusted pointer to
 * the kernel BTF's task_struct, src/verifier/btf_access.c), so programs
 * using it verify; a userspace run has no kernel task_struct to point to,
 * so it returns NULL, and the loads through it, which only a checked run
 * performs (such programs are never run trusted), fault there.
 */
uint64_t bxk_get_current_task_btf(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
				  uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)call, (void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return 0;
}

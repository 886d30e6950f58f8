/*
 * helpers_stack.c - stacks and cgroups of the current task:
 * bpf_get_stackid(), bpf_get_stack(), bpf_get_current_cgroup_id(),
 * bpf_current_task_under_cgroup().
 *
 * Stacks: a userspace host has no kernel stack, so a kernel callchain has
 * 0 frames and the helpers answer as the kernel does for an empty
 * callchain (get_stackid: -EFAULT; get_stack: 0 bytes, or -EFAULT when
 * frames are to be skipped). User stacks (BPF_F_USER_STACK) are those of
 * the traced task in a tracer run, unwound as the kernel's x86
 * perf_callchain_user(): the ip at the event, then the return addresses
 * of the rbp frame chain, read from the tracee's memory. Outside a tracer
 * run there is no user context: an empty callchain too.
 *
 * Cgroups: the current task is the traced task in a tracer run, else this
 * process; its cgroup is its cgroup v2 path (/proc/PID/cgroup) and the id
 * that cgroup directory's inode number (util/cgroup.c).
 */
#include <errno.h>
#include <string.h>

#include "helpers/helpers.h"
#include "maps/map_internal.h"
#include "util/cgroup.h"
#include "vm/vm_internal.h"

#define BXK_MAX_STACK 127u   /* sysctl_perf_event_max_stack (default) */

/* The callchain of the current task, at most max entries: user frames when
 * `user`, else none (no kernel stack). Returns the number of ips. */
static uint32_t callchain(struct bpfbox_call *call, bool user, uint64_t *ips, uint32_t max)
{
	uint64_t ip, sp, bp, frame[2], ret;
	uint32_t nr = 0, insn = 0;
	int orig;

	if (!user || !max || bxh_trace_user_regs(call, &ip, &sp, &bp, &orig))
		return 0;
	ips[nr++] = ip;
	/* a uprobe at a function's entry (its original instruction push %rbp,
	 * or endbr64): the frame is not set up yet, the caller is the return
	 * address at sp, which the kernel adds then (is_uprobe_at_func_entry) */
	if (orig >= 0 && nr < max && !bxk_mem_read(call, BXK_MEM_USER, &insn, ip, 4)) {
		insn = (insn & ~0xffu) | (uint32_t)orig;
		if ((orig == 0x55 || insn == 0xfa1e0ff3u) &&
		    !bxk_mem_read(call, BXK_MEM_USER, &ret, sp, 8))
			ips[nr++] = ret;
	}
	while (nr < max) {
		if (!bp || bp >= (1ull << 47) - sizeof(frame))
			break;
		if (bxk_mem_read(call, BXK_MEM_USER, frame, bp, sizeof(frame)))
			break;
		ips[nr++] = frame[1];
		bp = frame[0];
	}
	return nr;
}

/*
 * bxk_get_stackid - long bpf_get_stackid(ctx, map, u64 flags): the id of
 * the current stack in a stack_trace map. -EINVAL for unknown flags,
 * -EFAULT if the callchain has no frame beyond the skipped ones, -EEXIST
 * (another stack in the bucket, no BPF_F_REUSE_STACKID).
 */
uint64_t bxk_get_stackid(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
			 uint64_t r4, uint64_t r5)
{
	struct bpfbox_map *m = bxk_arg_map(call, "get_stackid", 2, r2);
	uint64_t ips[BXK_MAX_STACK];
	uint32_t esz, depth, skip = r3 & BXM_F_SKIP_FIELD_MASK, nr;

	(void)r1, (void)r4, (void)r5;
	if (!m)
		return (uint64_t)(long)-EFAULT;
	if (r3 & ~(BXM_F_SKIP_FIELD_MASK | BXM_F_USER_STACK | BXM_F_FAST_STACK_CMP |
		   BXM_F_REUSE_STACKID))
		return (uint64_t)(long)-EINVAL;
	esz = (m->map_flags & BPFBOX_F_STACK_BUILD_ID) ? BXM_STACK_BUILD_ID_SIZE : 8;
	depth = m->value_size / esz + skip;
	if (depth > BXK_MAX_STACK)
		depth = BXK_MAX_STACK;
	nr = callchain(call, r3 & BXM_F_USER_STACK, ips, depth);
	if (nr <= skip)
		return (uint64_t)(long)-EFAULT;
	return (uint64_t)bxm_stackmap_store(m, ips + skip, nr - skip, r3);
}

/*
 * bxk_get_stack - long bpf_get_stack(ctx, buf, u32 size, u64 flags): copy
 * the current stack's ips into buf, zero the rest; the bytes copied, or
 * -EINVAL (flags, size not a multiple of the entry size) / -EFAULT (fewer
 * frames than skipped), buf zeroed then. BPF_F_USER_BUILD_ID records are
 * not built: -EOPNOTSUPP (docs/HELPERS.md).
 */
uint64_t bxk_get_stack(struct bpfbox_call *call, uint64_t r1, uint64_t r2, uint64_t r3,
		       uint64_t r4, uint64_t r5)
{
	uint64_t ips[BXK_MAX_STACK];
	uint32_t size = (uint32_t)r3, skip = r4 & BXM_F_SKIP_FIELD_MASK, depth, nr, copy;
	bool user = r4 & BXM_F_USER_STACK;
	unsigned char *buf = BXK_PTR(r2);
	long err = -EINVAL;

	(void)r1, (void)r5;
	if (bxk_arg_mem(call, "get_stack", 2, "buf", r2, size, true))
		return (uint64_t)(long)-EFAULT;
	if (r4 & ~(BXM_F_SKIP_FIELD_MASK | BXM_F_USER_STACK | BXM_F_USER_BUILD_ID))
		goto clear;
	if ((r4 & BXM_F_USER_BUILD_ID) && !user)
		goto clear;
	if (r4 & BXM_F_USER_BUILD_ID) {
		/* build ids of the tracee's mappings are not read */
		err = -EOPNOTSUPP;
		goto clear;
	}
	if (size % 8)
		goto clear;
	depth = size / 8 + skip;
	if (depth > BXK_MAX_STACK)
		depth = BXK_MAX_STACK;
	nr = callchain(call, user, ips, depth);
	if (nr < skip) {
		err = -EFAULT;
		goto clear;
	}
	nr -= skip;
	if (nr > size / 8)
		nr = size / 8;
	copy = nr * 8;
	if (copy)
		memcpy(buf, ips + skip, copy);
	if (size > copy)
		memset(buf + copy, 0, size - copy);
	return copy;
clear:
	if (size)
		memset(buf, 0, size);
	return (uint64_t)err;
}

/* The current task's cgroup v2 path: the tracee's in a tracer run, else
 * this process's. */
static int current_cgroup(struct bpfbox_call *call, char *path, size_t n)
{
	return bx_cgroup_path_of_pid(bxh_trace_pid(call), path, n);
}

/*
 * bxk_get_current_cgroup_id - u64 bpf_get_current_cgroup_id(void): the id
 * of the current task's cgroup v2 (its directory's inode), 0 if it has
 * none or it cannot be read.
 */
uint64_t bxk_get_current_cgroup_id(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
				   uint64_t r3, uint64_t r4, uint64_t r5)
{
	char path[BX_CGROUP_PATH_MAX];
	uint64_t id = 0;

	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	if (current_cgroup(call, path, sizeof(path)) || bx_cgroup_id_of_path(path, &id))
		return 0;
	return id;
}

/*
 * bxk_current_task_under_cgroup - long bpf_current_task_under_cgroup(map,
 * u32 idx): 1 if the current task's cgroup is the one in slot idx of the
 * cgroup array or below it, 0 if not; -E2BIG (idx out of range), -EAGAIN
 * (empty slot).
 */
uint64_t bxk_current_task_under_cgroup(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
				       uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct bpfbox_map *m = bxk_arg_map(call, "current_task_under_cgroup", 1, r1);
	char path[BX_CGROUP_PATH_MAX];

	(void)r3, (void)r4, (void)r5;
	if (!m)
		return (uint64_t)(long)-EFAULT;
	if (current_cgroup(call, path, sizeof(path)))
		path[0] = 0;	/* no v2 cgroup: under none */
	return (uint64_t)bxm_cgroup_array_under(m, (uint32_t)r2, path);
}

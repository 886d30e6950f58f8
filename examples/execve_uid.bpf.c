// SPDX-License-Identifier: GPL-2.0
/*
 * execve_uid.bpf.c - count execve() calls per user: a hash map from uid
 * to the number of programs that user started, updated on the
 * syscalls/sys_enter_execve tracepoint.
 *
 * Shows: SEC("tracepoint/..."), the tracepoint's context layout (as in
 * /sys/kernel/tracing/events/syscalls/sys_enter_execve/format),
 * bpf_get_current_uid_gid().
 *
 * Run it with bpfbox; the context is the 40-byte tracepoint record:
 *   head -c 40 /dev/zero >ctx.bin
 *   build/bpfbox run build/examples/execve_uid.o --ctx ctx.bin --repeat 2 --dump-maps
 * prints the map `execs` with {key = <your uid>, value = 2}.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* The record of syscalls/sys_enter_execve. */
struct sys_enter_execve_ctx {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
	__s32 syscall_nr;
	__u32 pad;
	const char *filename;
	const char *const *argv;
	const char *const *envp;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);     /* uid */
	__type(value, __u64);   /* execve() calls */
} execs SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int execve_uid(struct sys_enter_execve_ctx *ctx)
{
	__u32 uid = (__u32)bpf_get_current_uid_gid();
	__u64 one = 1, *cnt;

	cnt = bpf_map_lookup_elem(&execs, &uid);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	else
		bpf_map_update_elem(&execs, &uid, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

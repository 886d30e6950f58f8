// SPDX-License-Identifier: GPL-2.0
/*
 * read_rewrite.bpf.c - change what read() returns: every "kernel" in the
 * first 64 bytes a read() delivers is rewritten to "bpfbox" in the
 * caller's buffer, before the caller sees it.
 *
 * On syscalls/sys_enter_read the buffer address is remembered per thread;
 * on syscalls/sys_exit_read the bytes read are copied in
 * (bpf_probe_read_user), searched, and patched in place with
 * bpf_probe_write_user. An array map counts the rewrites.
 *
 * Shows: tracepoint-struct programs on a syscall's entry and exit, state
 * between them in a hash map keyed by pid_tgid, bpf_probe_read_user /
 * bpf_probe_write_user on the traced process's memory.
 *
 * Run it on a command:
 *   echo 'Hello from the kernel' >hello.txt
 *   build/bpfbox trace build/examples/read_rewrite.o -- cat hello.txt
 * prints "Hello from the bpfbox"; the map `rewrites` counts 1. (With stdout
 * a regular file GNU cat copies with copy_file_range and never calls
 * read(): pipe it, `... | cat`.)
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define WINDOW 64

/* syscalls/sys_enter_read */
struct sys_enter_read_ctx {
	__u64 common;
	__s32 syscall_nr;
	__u32 pad;
	__u64 fd;
	__u64 buf;
	__u64 count;
};

/* syscalls/sys_exit_read */
struct sys_exit_read_ctx {
	__u64 common;
	__s32 syscall_nr;
	__u32 pad;
	__s64 ret;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);     /* pid_tgid */
	__type(value, __u64);   /* the read buffer's address */
} bufs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);   /* words rewritten */
} rewrites SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_read")
int read_enter(struct sys_enter_read_ctx *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 buf = ctx->buf;

	bpf_map_update_elem(&bufs, &id, &buf, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int read_exit(struct sys_exit_read_ctx *ctx)
{
	static const char to[6] = { 'b', 'p', 'f', 'b', 'o', 'x' };
	__u64 id = bpf_get_current_pid_tgid();
	char b[WINDOW] = {};
	__u64 *bufp, buf, n;
	__u32 zero = 0, done = 0;
	__u64 *cnt;

	bufp = bpf_map_lookup_elem(&bufs, &id);
	if (!bufp)
		return 0;
	buf = *bufp;
	bpf_map_delete_elem(&bufs, &id);
	if (ctx->ret <= 0)
		return 0;
	n = ctx->ret < WINDOW ? (__u64)ctx->ret : WINDOW;
	if (n > WINDOW || bpf_probe_read_user(b, n, (const void *)buf))
		return 0;
#pragma unroll
	for (int i = 0; i + 6 <= WINDOW; i++) {
		if (i + 6 <= n && b[i] == 'k' && b[i + 1] == 'e' && b[i + 2] == 'r' &&
		    b[i + 3] == 'n' && b[i + 4] == 'e' && b[i + 5] == 'l') {
			if (!bpf_probe_write_user((void *)(buf + i), to, sizeof(to)))
				done++;
		}
	}
	if (!done)
		return 0;
	cnt = bpf_map_lookup_elem(&rewrites, &zero);
	if (cnt)
		__sync_fetch_and_add(cnt, done);
	bpf_printk("read_rewrite: %u word(s) rewritten", done);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

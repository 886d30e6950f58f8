// SPDX-License-Identifier: GPL-2.0
/*
 * hello.bpf.c - the "hello world" of tracing: on every system call entry
 * (raw_tracepoint/sys_enter) print the caller's pid and the syscall number
 * to the trace log with bpf_printk().
 *
 * Shows: SEC("raw_tracepoint/..."), reading the raw tracepoint arguments
 * (args[0] = struct pt_regs *, args[1] = syscall id), bpf_printk().
 *
 * Run it with bpfbox (the context is the args array: 2 x u64):
 *   make examples
 *   printf '\0\0\0\0\0\0\0\0\x27\0\0\0\0\0\0\0' >ctx.bin      # syscall 39
 *   build/bpfbox run build/examples/hello.o --ctx ctx.bin
 * The trace line goes to stderr (or to --trace-log FILE), as in the
 * kernel's /sys/kernel/tracing/trace_pipe:
 *           bpfbox-1234    [001] .....  5.000001: bpf_trace_printk: hello from pid 1234 syscall 39
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("raw_tracepoint/sys_enter")
int hello(struct bpf_raw_tracepoint_args *ctx)
{
	long id = (long)ctx->args[1];
	int pid = (int)(bpf_get_current_pid_tgid() >> 32);

	bpf_printk("hello from pid %d syscall %ld", pid, id);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

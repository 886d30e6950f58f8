// SPDX-License-Identifier: GPL-2.0
/*
 * trace_core_probes.bpf.c - tests/test_trace.sh: kprobes on syscall entry
 * points (BPF_KSYSCALL reads the user registers through regs->di),
 * kretsyscall, bpf_override_return, bpf_send_signal, raw tracepoints on
 * sys_exit and the raw_syscalls tracepoint.
 */
#ifndef __TARGET_ARCH_x86
#define __TARGET_ARCH_x86
#endif
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define SYS_getppid 110
#define SYS_getpgid 121

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} res SEC(".maps");

/* res[k] = v */
static __always_inline void put(__u32 k, __u64 v)
{
	bpf_map_update_elem(&res, &k, &v, BPF_ANY);
}

/* res[k] += 1 */
static __always_inline void inc(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&res, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/* openat("/nonexistent/bpfbox-probe", ...) seen from the syscall wrapper:
 * ctx->di points to the user registers (what BPF_KSYSCALL reads with CO-RE;
 * spelled out here without CO-RE): res[0]++ */
SEC("ksyscall/openat")
int on_openat(struct pt_regs *ctx)
{
	struct pt_regs *uregs = (struct pt_regs *)PT_REGS_PARM1(ctx);
	static const char want[] = "/nonexistent/bpfbox-probe";
	const char *path = 0;
	char buf[32] = {};

	bpf_probe_read_kernel(&path, sizeof(path), &uregs->rsi);
	bpf_probe_read_user_str(buf, sizeof(buf), path);
	for (int i = 0; i < (int)sizeof(want); i++)
		if (buf[i] != want[i])
			return 0;
	inc(0);
	return 0;
}

/* getppid() returns 4242: the syscall is skipped */
SEC("kprobe/__x64_sys_getppid")
int on_getppid(struct pt_regs *ctx)
{
	bpf_override_return(ctx, 4242);
	return 0;
}

/* what getppid returned, as a kretprobe sees it: res[1] */
SEC("kretsyscall/getppid")
int BPF_KRETPROBE(on_getppid_ret, long ret)
{
	put(1, ret);
	return 0;
}

/* tracepoint/raw_syscalls/sys_enter record */
struct raw_enter {
	__u64 common;
	long id;
	unsigned long args[6];
};

/* getpgid(777) gets the caller SIGUSR1 */
SEC("tracepoint/raw_syscalls/sys_enter")
int on_enter(struct raw_enter *ctx)
{
	if (ctx->id == SYS_getpgid && ctx->args[0] == 777)
		bpf_send_signal(10);
	if (ctx->id == SYS_getppid)
		inc(2);
	return 0;
}

/* sys_exit of getppid through the raw tracepoint: res[3] = return value */
SEC("raw_tracepoint/sys_exit")
int on_exit_raw(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	long nr = 0;

	bpf_probe_read_kernel(&nr, sizeof(nr), &regs->orig_rax);
	if (nr == SYS_getppid)
		put(3, ctx->args[1]);
	return 0;
}

/* bad input (autoload off; tests name them with --prog): a kernel function, an
 * event that is not traced */
SEC("?kprobe/do_exit")
int on_do_exit(struct pt_regs *ctx)
{
	return 0;
}

SEC("?tracepoint/sched/sched_switch")
int on_switch(void *ctx)
{
	return 0;
}

SEC("?xdp")
int not_tracing(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

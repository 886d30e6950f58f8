// SPDX-License-Identifier: GPL-2.0
/* externs.bpf.c - .kconfig and __ksym externs, a static (section-symbol)
 * data reference and string literals in .rodata.str1.1. bpfbox reports
 * the externs as unsupported: the programs open but are not loadable. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern int LINUX_KERNEL_VERSION __kconfig;
extern void bpf_rcu_read_lock(void) __ksym;

static __u64 pad[2];
static int scratch[8];

SEC("tp/syscalls/sys_enter_kill")
int uses_kconfig(void *ctx)
{
	return LINUX_KERNEL_VERSION > 0x050a00;
}

SEC("tp/syscalls/sys_enter_kill")
int uses_kfunc(void *ctx)
{
	bpf_rcu_read_lock();
	return 0;
}

SEC("socket")
int uses_static(void *ctx)
{
	static const char msg[] = "hello %d\n";

	long i = (long)ctx & 7;

	pad[i & 1]++;
	scratch[i]++;
	bpf_trace_printk(msg, sizeof(msg), scratch[i]);
	return 0;
}

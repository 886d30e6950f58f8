// SPDX-License-Identifier: GPL-2.0
/* core_kconfig.bpf.c - .kconfig externs of every kind (tests/test_core.c):
 * virtual LINUX_* ones, CONFIG_* from opts.kconfig / the host config,
 * missing __weak (0) and a missing strong one (program not loadable). */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern int LINUX_KERNEL_VERSION __kconfig;
extern bool LINUX_HAS_SYSCALL_WRAPPER __kconfig;
extern bool LINUX_HAS_BPF_COOKIE __kconfig __weak;
extern enum libbpf_tristate CONFIG_BPFBOX_TRI __kconfig __weak;
extern bool CONFIG_BPFBOX_BOOL __kconfig __weak;
extern int CONFIG_BPFBOX_INT __kconfig __weak;
extern long CONFIG_BPFBOX_NEG __kconfig __weak;
extern char CONFIG_BPFBOX_STR[8] __kconfig __weak;
extern int CONFIG_BPFBOX_ABSENT __kconfig __weak;
extern bool CONFIG_BPF __kconfig __weak;
extern int CONFIG_BPFBOX_STRONG __kconfig;

__u64 out[12];

SEC("syscall")
int kc(void *ctx)
{
	out[0] = LINUX_KERNEL_VERSION;
	out[1] = LINUX_HAS_SYSCALL_WRAPPER;
	out[2] = CONFIG_BPFBOX_TRI;
	out[3] = CONFIG_BPFBOX_BOOL;
	out[4] = CONFIG_BPFBOX_INT;
	out[5] = CONFIG_BPFBOX_NEG;
	out[6] = CONFIG_BPFBOX_STR[0] | CONFIG_BPFBOX_STR[1] << 8 | CONFIG_BPFBOX_STR[4] << 16;
	out[7] = CONFIG_BPFBOX_ABSENT;
	out[8] = CONFIG_BPF;
	out[9] = LINUX_HAS_BPF_COOKIE;
	return 0;
}

SEC("syscall")
int strong(void *ctx)
{
	return CONFIG_BPFBOX_STRONG;
}

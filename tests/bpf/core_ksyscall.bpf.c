// SPDX-License-Identifier: GPL-2.0
/* core_ksyscall.bpf.c - libbpf's BPF_KSYSCALL and BPF_KPROBE with
 * PT_REGS_PARM*_CORE(_SYSCALL) and BPF_CORE_READ over a vmlinux.h-style
 * header, unchanged: CO-RE relocations on struct pt_regs and the
 * LINUX_HAS_SYSCALL_WRAPPER .kconfig extern. tests/test_core.c loads it and
 * runs it under `bpfbox trace` (writes of /bin/echo). */
#define __TARGET_ARCH_x86
#include "core_vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

__u64 ks_calls, ks_fd, ks_count;
__u64 kp_calls, kp_fd, kp_count;

SEC("ksyscall/write")
int BPF_KSYSCALL(ks_write, int fd, const void *buf, size_t count)
{
	ks_calls++;
	ks_fd = fd;
	ks_count = count;
	return 0;
}

SEC("kprobe/__x64_sys_write")
int BPF_KPROBE(kp_write, struct pt_regs *regs)
{
	kp_calls++;
	kp_fd = PT_REGS_PARM1_CORE(regs);
	kp_count = BPF_CORE_READ(regs, dx);
	return 0;
}

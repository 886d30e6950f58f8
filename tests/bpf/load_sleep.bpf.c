// SPDX-License-Identifier: GPL-2.0
/* load_sleep.bpf.c - sleepable sections (libbpf sets BPF_F_SLEEPABLE for
 * them): the kernel takes the flag for uprobes and syscall programs and
 * refuses it for tracepoints and raw tracepoints. tests/test_loader_vars.c
 * loads each with bpfbox and with the kernel. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp.s/syscalls/sys_enter_openat")
int tp_sleep(void *ctx) { return 0; }

SEC("raw_tp.s/sys_enter")
int raw_sleep(void *ctx) { return 0; }

SEC("uprobe.s//bin/true:main")
int up_sleep(void *ctx) { return 0; }

SEC("syscall")
int sys_sleep(void *ctx) { return 0; }

SEC("tp/syscalls/sys_enter_openat")
int tp_plain(void *ctx) { return 0; }

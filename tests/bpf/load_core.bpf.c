// SPDX-License-Identifier: GPL-2.0
/* load_core.bpf.c - one program with a CO-RE relocation (not loadable) and
 * one plain program. Run by tests/test_obj_load.c. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct task_like {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

SEC("syscall")
int core_prog(struct task_like *t)
{
	return __builtin_preserve_access_index(t->tgid);
}

SEC("syscall")
int plain(void *ctx)
{
	return 9;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * ringbuf_events.bpf.c - an event stream through a BPF ring buffer: on
 * every raw_tracepoint/sys_enter reserve a record, fill it with the
 * caller's pid, uid, command name and a message naming the syscall, and
 * submit it for user space to consume.
 *
 * Shows: BPF_MAP_TYPE_RINGBUF, bpf_ringbuf_reserve()/submit(),
 * bpf_get_current_comm(), bpf_snprintf() (through BPF_SNPRINTF).
 *
 * Run it with bpfbox, then dump the pending records:
 *   printf '\0\0\0\0\0\0\0\0\x3b\0\0\0\0\0\0\0' >ctx.bin      # execve(2)
 *   build/bpfbox run build/examples/ringbuf_events.o --ctx ctx.bin --repeat 2 --dump-maps
 * `events` then holds 2 records of 56 bytes: pid, uid, "bpfbox", "syscall 59".
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event {
	__u32 pid;
	__u32 uid;
	char comm[16];
	char msg[32];
};

/* Keep struct event in the BTF for user-space decoders. */
const struct event *unused_event __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("raw_tracepoint/sys_enter")
int ringbuf_events(struct bpf_raw_tracepoint_args *ctx)
{
	long id = (long)ctx->args[1];
	struct event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	BPF_SNPRINTF(e->msg, sizeof(e->msg), "syscall %ld", id);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

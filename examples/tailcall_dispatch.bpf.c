// SPDX-License-Identifier: GPL-2.0
/*
 * tailcall_dispatch.bpf.c - a tail-call dispatcher: the entry program on
 * raw_tracepoint/sys_enter reads the syscall number (args[1]) and jumps,
 * with bpf_tail_call(), to the handler stored at that index of a program
 * array. Handlers count their syscall in `handled`; syscalls without a
 * handler fall through the tail call and are counted in `unhandled`.
 *
 * Shows: BPF_MAP_TYPE_PROG_ARRAY filled at load time by __array(values)
 * initialisers, bpf_tail_call(), several programs in one object.
 *
 * Run it with bpfbox (the object has several programs: pick the entry):
 *   printf '\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0' >ctx.bin      # write(2)
 *   build/bpfbox run build/examples/tailcall_dispatch.o --prog dispatch --ctx ctx.bin --dump-maps
 * `handled` then holds {key = 1, value = 1}.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SYS_read   0
#define SYS_write  1
#define SYS_openat 257

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, __u32);     /* syscall number */
	__type(value, __u64);   /* calls seen by its handler */
} handled SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);   /* calls without a handler */
} unhandled SEC(".maps");

/* Count one call of syscall nr in `handled`. */
static __always_inline int count(__u32 nr)
{
	__u64 one = 1, *cnt;

	cnt = bpf_map_lookup_elem(&handled, &nr);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	else
		bpf_map_update_elem(&handled, &nr, &one, BPF_NOEXIST);
	return 0;
}

SEC("raw_tracepoint/sys_enter")
int handle_read(struct bpf_raw_tracepoint_args *ctx)
{
	return count(SYS_read);
}

SEC("raw_tracepoint/sys_enter")
int handle_write(struct bpf_raw_tracepoint_args *ctx)
{
	return count(SYS_write);
}

SEC("raw_tracepoint/sys_enter")
int handle_openat(struct bpf_raw_tracepoint_args *ctx)
{
	return count(SYS_openat);
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 512);
	__type(key, __u32);
	__array(values, int (struct bpf_raw_tracepoint_args *));
} handlers SEC(".maps") = {
	.values = {
		[SYS_read] = (void *)&handle_read,
		[SYS_write] = (void *)&handle_write,
		[SYS_openat] = (void *)&handle_openat,
	},
};

SEC("raw_tracepoint/sys_enter")
int dispatch(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 nr = (__u32)ctx->args[1], zero = 0;
	__u64 *cnt;

	bpf_tail_call(ctx, &handlers, nr);
	/* only reached when there is no handler for nr */
	cnt = bpf_map_lookup_elem(&unhandled, &zero);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";

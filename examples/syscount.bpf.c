// SPDX-License-Identifier: GPL-2.0
/*
 * syscount.bpf.c - count system calls per process: a hash map from the
 * process id (tgid) to the number of syscalls it made, updated on every
 * raw_tracepoint/sys_enter.
 *
 * Shows: a BTF-defined hash map (SEC(".maps")), bpf_map_lookup_elem() /
 * bpf_map_update_elem(), an atomic add on a map value.
 *
 * Run it with bpfbox, three "syscalls" of this process, then read the map:
 *   printf '\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0' >ctx.bin      # write(2)
 *   build/bpfbox run build/examples/syscount.o --ctx ctx.bin --repeat 3 --dump-maps
 * prints the map `counts` with one entry: {key = <bpfbox's pid>, value = 3}.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);     /* tgid */
	__type(value, __u64);   /* syscalls */
} counts SEC(".maps");

SEC("raw_tracepoint/sys_enter")
int syscount(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1, *cnt;

	cnt = bpf_map_lookup_elem(&counts, &tgid);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	else
		bpf_map_update_elem(&counts, &tgid, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* cli_queue.bpf.c - for tests/test_examples.sh: `bpfbox run --dump-maps`
 * on a queue, a stack and a perf event array. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__type(value, __u32);
} q SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 8);
	__type(value, __u32);
} st SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 64);   /* libbpf would default 0 to the CPU count */
} events SEC(".maps");

SEC("raw_tracepoint/sys_enter")
int fill(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 rec = 0x1122334455667788ULL;

	for (__u32 i = 1; i <= 3; i++) {
		__u32 v = (__u32)ctx->args[1] * 10 + i;

		bpf_map_push_elem(&q, &v, 0);
		bpf_map_push_elem(&st, &v, 0);
	}
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &rec, sizeof(rec));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

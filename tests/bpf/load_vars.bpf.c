// SPDX-License-Identifier: GPL-2.0
/* load_vars.bpf.c - what a loader sets before load (tests/test_loader_vars.c):
 * .rodata / .data / .bss variables whose values decide r0 (libbpf-bootstrap
 * minimal's my_pid), a program in a section that names no type (given one
 * with set_type / --type), a prog array whose initialiser places a program
 * the selected one tail-calls (autoload closure), and a sibling the
 * verifier rejects (it must not stop a run of the others). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

enum mode { MODE_OFF = 0, MODE_ADD = 3, MODE_BIG = 0x1000 };

const volatile int my_pid = 0;          /* .rodata: 0 = not set */
const volatile __s16 bias = -5;
const volatile _Bool doubled = 0;
const volatile enum mode mode = MODE_OFF;
const volatile char tag[8] = "none";
const volatile __u8 small = 1;
int counter = 5;                        /* .data */
__u64 hits;                             /* .bss */

int tail_target(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int (struct __sk_buff *));
} jt SEC(".maps") = {
	.values = { [1] = (void *)&tail_target },
};

/* The result every setting changes. */
static __attribute__((always_inline)) int compute(void)
{
	int r = my_pid ? (my_pid & 0xffff) : 1;

	r += bias + counter + tag[0] + small + (int)hits + (int)mode;
	return doubled ? r * 2 : r;
}

SEC("tc")
int pid_gate(struct __sk_buff *skb)
{
	return compute();
}

SEC("tc")
int caller(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jt, 1);
	return 9;
}

SEC("tc")
int tail_target(struct __sk_buff *skb)
{
	return 42 + counter;
}

/* a type the section does not say: SCHED_CLS given by the loader */
SEC("bx_custom")
int typeless(struct __sk_buff *skb)
{
	return 100 + my_pid;
}

/* rejected by every verifier: a read above the frame */
SEC("tc")
int broken(struct __sk_buff *skb)
{
	long v;

	asm volatile("%0 = *(u64 *)(r10 + 8)" : "=r"(v));
	return (int)v;
}

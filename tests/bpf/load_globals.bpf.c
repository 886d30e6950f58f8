// SPDX-License-Identifier: GPL-2.0
/* load_globals.bpf.c - global data in .data, .rodata, .bss and a custom
 * .data.* section, read and written by lddw map-value addresses, plus a
 * bpf-to-bpf call. Run by tests/test_obj_load.c. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

__u64 data_val = 5;               /* .data */
const volatile __u64 ro_val = 7;  /* .rodata */
__u64 bss_val;                    /* .bss */
__u32 arr[4] SEC(".data.arr") = { 1, 2, 3, 4 };

static __attribute__((noinline)) __u64 mul_add(__u64 a, __u64 b)
{
	return a * b + ro_val;
}

SEC("syscall")
int globals(void *ctx)
{
	bss_val += data_val + ro_val;        /* 12 on the first run */
	data_val = mul_add(data_val, 3);     /* 5 * 3 + 7 = 22 */
	arr[2] += 10;                        /* 13 */
	return (int)(bss_val + data_val);    /* 34 */
}

/* writes .rodata: refused in checked mode */
SEC("syscall")
int write_ro(void *ctx)
{
	*(volatile __u64 *)&ro_val = 1;
	return 0;
}

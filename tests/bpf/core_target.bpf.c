// SPDX-License-Identifier: GPL-2.0
/* core_target.bpf.c - a "kernel" BTF with other layouts for the types of
 * core_local.bpf.c; tests/test_core.c passes this object as the CO-RE
 * target BTF (opts.target_btf_path). Nothing here runs. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct cr_s {
	long pad;
	int b;          /* 8 */
	short c;        /* 12, 2 bytes */
	int a;          /* 16 */
};

struct cr_bits {
	int pad;
	unsigned int y : 6;     /* bits 32..37 */
	unsigned int x : 3;
	int z : 9;              /* bits 41..49 */
};

struct cr_flav {
	int p;
	int q;          /* 4 */
};

struct cr_nest {
	long h[2];
	struct cr_s arr[3];
};

struct cr_m { int u; long v; };

enum cr_e { CR_B = 20, CR_A = 10 };

struct cr_s t_s;
struct cr_bits t_bits;
struct cr_flav t_flav;
struct cr_nest t_nest;
struct cr_m t_m;
enum cr_e t_e;

SEC("syscall")
int target_dummy(void *ctx)
{
	return 0;
}

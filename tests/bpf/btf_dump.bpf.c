// SPDX-License-Identifier: GPL-2.0
/* btf_dump.bpf.c - types for tests/test_btf_dump.c: a global of every
 * kind bpfbox_btf__dump_value() formats (in .data, so its DATASEC too). */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

enum color { RED = 0, GREEN = 1, BLUE = 7 };

struct point {
	short x, y;
};

struct dump_me {
	int i;
	unsigned int u;
	long long neg;
	char name[8];
	enum color c;
	unsigned int bf1 : 3, bf2 : 5;
	int arr[3];
	struct point pt;
	union {
		int a;
		unsigned char b[4];
	};
	bool flag;
	void *ptr;
};

struct dump_me dump_me_var = {
	.i = -5, .u = 4000000000u, .neg = -1234567890123LL, .name = "hi\"x",
	.c = BLUE, .bf1 = 5, .bf2 = 17, .arr = { 1, -2, 3 }, .pt = { -1, 2 },
	.a = 0x01020304, .flag = true, .ptr = (void *)0,
};
int counter = 42;

SEC("xdp")
int use(struct xdp_md *ctx)
{
	return dump_me_var.i + counter;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/* core_local.bpf.c - CO-RE relocations of every kind against local types
 * (tests/test_core.c). Resolved against core_target.o (other layouts) or
 * against this object's own BTF. Programs write their results to out[]. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct cr_s {
	int a;
	int b;
	long c;
	int d;          /* not in the target */
} __attribute__((preserve_access_index));

struct cr_bits {
	unsigned int x : 3;
	unsigned int y : 5;
	int z : 7;
} __attribute__((preserve_access_index));

struct cr_flav___v2 {   /* flavor of struct cr_flav */
	int q;
} __attribute__((preserve_access_index));

struct cr_nest {
	int h;
	struct cr_s arr[2];
} __attribute__((preserve_access_index));

struct cr_only_local { int l; };
struct cr_m { int u; long v; };

enum cr_e { CR_A = 1, CR_B = 2, CR_GONE = 3 };

__u64 out[24];
__u8 buf[64];

SEC("syscall")
int values(void *ctx)
{
	struct cr_s *s = (void *)buf;
	struct cr_nest *n = (void *)buf;
	struct cr_bits *bt = (void *)buf;

	out[0] = bpf_core_field_offset(struct cr_s, b);
	out[1] = bpf_core_field_size(struct cr_s, c);
	out[2] = bpf_core_field_exists(struct cr_s, d);
	out[3] = bpf_core_field_exists(struct cr_s, a);
	out[4] = bpf_core_type_exists(struct cr_only_local);
	out[5] = bpf_core_type_size(struct cr_s);
	out[6] = bpf_core_enum_value(enum cr_e, CR_B);
	out[7] = bpf_core_enum_value_exists(enum cr_e, CR_GONE);
	out[8] = bpf_core_field_offset(struct cr_flav___v2, q);
	out[9] = bpf_core_type_id_kernel(struct cr_s);
	out[10] = bpf_core_type_id_local(struct cr_s);
	out[11] = bpf_core_type_matches(struct cr_m);
	out[12] = s->b;                                   /* LDX, offset relocated */
	out[13] = BPF_CORE_READ_BITFIELD(bt, y);          /* byte_off/size, shifts */
	out[14] = BPF_CORE_READ_BITFIELD(bt, z);          /* signed */
	out[15] = bpf_core_field_offset(n->arr[1].b);     /* through an array */
	if (bpf_core_field_exists(s->d))                  /* guarded: poison is dead code */
		out[16] = s->d;
	else
		out[16] = 77;
	out[17] = __builtin_preserve_field_info(bt->z, BPF_FIELD_SIGNED);
	out[18] = bpf_core_type_exists(struct cr_s);
	return 0;
}

SEC("syscall")
int unguarded(void *ctx)
{
	struct cr_s *s = (void *)buf;

	return s->d;	/* no d in the target: poisoned and reachable */
}

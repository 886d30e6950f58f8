/*
 * test_verifier_regress.c - regressions for issue 11's known false-accept
 * classes: each case is one program loaded into the running kernel
 * (bpf(2) BPF_PROG_LOAD, log_level 1) and into bpfbox, and the two
 * verdicts must agree. Where the kernel rejects, its reason (`kmsg`) must
 * be in the kernel's log (that checks the pin) and in bpfbox's log.
 *
 * Each case has `want`, the kernel's verdict as seen live on the
 * development machine (Linux 6.18, root, CAP_BPF), and a comment naming
 * the kernel check that decides it. When bpf(2) is unavailable the case
 * is compared with that pinned verdict instead (and the run says so, as
 * one counted skip).
 *
 * Programs are LLVM-syntax assembly (bpfbox_asm); `fix` patches fields
 * the assembler cannot express (reserved fields). Maps, created the same
 * way in both: map[fd:0] array 4/48, map[fd:1] array 4/48 with
 * BPF_F_RDONLY_PROG, map[fd:2] array 4/48 with BPF_F_WRONLY_PROG,
 * map[fd:3] hash 4/8, map[fd:4] prog array of 4 (empty).
 *
 * Also: LD_ABS failing inside a subprogram ends the whole program with
 * r0 = 0, on the interpreter and the JIT, as BPF_PROG_TEST_RUN does it in
 * the kernel (test_ldabs_runs).
 */
#include "bpfbox/bpfbox.h"
#include "bpfbox/map.h"
#include "testlib.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "kbpf.h"

#define T_SOCKET 1
#define T_KPROBE 2
#define T_SCHED_CLS 3
#define T_XDP 6

#define NMAPS 5
#define BX_MAX_LOOPS_TEST (8u * 1024 * 1024)   /* BPF_MAX_LOOPS, bpfbox's may_goto budget */
#define KLOG_SZ (256u * 1024)

/* a field patch after assembly: insn idx, field ('c','d','s','o','i'), value */
struct fix {
	int idx;
	char field;
	int32_t val;
};

struct rcase {
	const char *name;
	uint32_t type;
	uint32_t flags;          /* BPF_F_* load flags */
	const char *src;
	const char *funcs;       /* BTF func_info: function specs (struct fspec), main
				  * first; NULL: none */
	struct fix fix[3];
	int want;                /* the kernel's verdict (6.18, live): 1 accept, 0 reject */
	const char *kmsg;        /* the kernel's reason (a substring of its log) */
};

/* the lookup of key 0 in map[fd:0] (r0: the value or NULL) */
#define LK "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = map[fd:0] ll\ncall 1\n"
/* 48 zero bytes at fp-64 (a value of the array maps) */
#define VAL48 "*(u64 *)(r10 - 64) = 0\n*(u64 *)(r10 - 56) = 0\n*(u64 *)(r10 - 48) = 0\n" \
	"*(u64 *)(r10 - 40) = 0\n*(u64 *)(r10 - 32) = 0\n*(u64 *)(r10 - 24) = 0\n"
/* XDP: r2 = data; falls through (r0 = 0) when 8 bytes are there */
#define XDP_PKT "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 8\nr0 = 0\nif r4 > r3 goto +1\n"

/*
 * The cases. The comment before each names the kernel function whose
 * check decides it; `want` and `kmsg` were taken from the kernel on the
 * development machine (6.18) and are re-checked live on every run.
 */
static const struct rcase cases[] = {
	/* ---- 1. LD_ABS / LD_IND in a bpf-to-bpf subprogram -------------------------- */
	/* check_ld_abs: in a subprogram a failing load returns 0 from the whole
	 * program; the verifier also walks that exit (r0 = 0, back in the caller),
	 * where r9 was never written: the exploit shape of issue 11 */
	{ "ldabs_subprog_exploit", T_SOCKET, 0,
	  "call pc+4\nif r0 != 0 goto +1\nr0 = *(u64 *)(r9 + 0)\nr0 = 0\nexit\n"
	  "r6 = r1\nr0 = *(u32 *)skb[0]\nr9 = r10\nr9 += -8\n*(u64 *)(r9 + 0) = 0\n"
	  "r0 = 1\nexit\n", "i,i", {{0}}, 0, "R9 !read_ok" },
	/* the same with LD_IND */
	{ "ldind_subprog_exploit", T_SOCKET, 0,
	  "call pc+4\nif r0 != 0 goto +1\nr0 = r9\nr0 = 0\nexit\n"
	  "r6 = r1\nr7 = 0\nr0 = *(u32 *)skb[r7 + 0]\nr9 = 1\nr0 = 1\nexit\n", "i,i", {{0}}, 0,
	  "R9 !read_ok" },
	/* verifier_ld_ind.c "subprog with both paths safe" */
	{ "ldabs_subprog_both_paths_safe", T_SOCKET, 0,
	  "call pc+2\nr0 = 0\nexit\nr6 = r1\nr0 = *(u32 *)skb[0]\nr0 = 1\nexit\n", "i,i", {{0}}, 1,
	  NULL },
	/* the caller reads r0 on both paths: 0 (failed load) or 1 */
	{ "ldabs_subprog_r0_both", T_SOCKET, 0,
	  "call pc+1\nexit\nr6 = r1\nr0 = *(u16 *)skb[12]\nr0 = 1\nexit\n", "i,i", {{0}}, 1, NULL },
	/* the hidden exit is a real exit of the subprogram: a caller's register
	 * the callee cannot touch (r6..r9) keeps its value on it */
	{ "ldabs_subprog_callee_saved_ok", T_SOCKET, 0,
	  "r9 = 5\ncall pc+2\nr0 = r9\nexit\nr6 = r1\nr0 = *(u8 *)skb[0]\nr0 = 1\nexit\n", "i,i", {{0}}, 1,
	  NULL },
	/* check_ld_abs: a failing load would return 0 from a bpf_loop callback.
	 * 6.18 rejects it as "verifier bug: callback unexpected regs 1"; later
	 * kernels (verifier_ld_ind.c) say "cannot use BPF_LD_[ABS|IND] within
	 * callback", as bpfbox does: only the verdict is compared */
	{ "ldabs_in_callback", T_SOCKET, 0,
	  "*(u64 *)(r10 - 8) = r1\nr1 = 1\nr2 = 0 ll\nr3 = r10\nr3 += -8\nr4 = 0\ncall 181\nr0 = 0\n"
	  "exit\nr6 = *(u64 *)(r2 + 0)\nr0 = *(u32 *)skb[0]\nr0 = 0\nexit\n", "i,i",
	  {{ 2, 's', 4 }, { 2, 'i', 7 }}, 0, NULL },
	/* check_abnormal_return: without BTF func_info, no LD_ABS in a subprogram
	 * (reachable or not) */
	{ "ldabs_subprog_no_btf", T_SOCKET, 0,
	  "call pc+2\nr0 = 0\nexit\nr6 = r1\nr0 = *(u32 *)skb[0]\nr0 = 1\nexit\n", NULL, {{0}}, 0,
	  "LD_ABS is not allowed in subprogs without BTF" },
	/* check_btf_func: ... and only in one BTF says returns int */
	{ "ldabs_subprog_void", T_SOCKET, 0,
	  "call pc+2\nr0 = 0\nexit\nr6 = r1\nr0 = *(u32 *)skb[0]\nr0 = 1\nexit\n", "i,v", {{0}}, 0,
	  "LD_ABS is only allowed in functions that return 'int'" },
	/* the same rules for a tail call in a subprogram */
	{ "tail_call_subprog_no_btf", T_SOCKET, 0,
	  "call pc+2\nr0 = 0\nexit\nr2 = map[fd:0] ll\nr3 = 0\ncall 12\nr0 = 0\nexit\n", NULL, {{0}}, 0, "tail_call is not allowed in subprogs without BTF" },
	/* in the main program: r1..r5 are clobbered (check_ld_abs marks them !read_ok) */
	{ "ldind_clobbers_r1_r5", T_SOCKET, 0,
	  "r6 = r1\nr2 = 1\nr0 = *(u32 *)skb[r2 + 0]\nr0 = r2\nexit\n", NULL, {{0}}, 0, "R2 !read_ok" },
	/* check_ld_abs: R6 must hold the context */
	{ "ldabs_r6_not_ctx", T_SOCKET, 0,
	  "r6 = r10\nr0 = *(u32 *)skb[0]\nexit\n", NULL, {{0}}, 0,
	  "at the time of BPF_LD_ABS|IND R6 != pointer to skb" },
	/* check_ld_abs: may_access_skb() (XDP has no skb) */
	{ "ldabs_xdp", T_XDP, 0, "r6 = r1\nr0 = *(u32 *)skb[0]\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "BPF_LD_[ABS|IND] instructions not allowed for this program type" },
	/* check_ld_abs: reserved fields (off, dst, and src for LD_ABS) */
	{ "ldabs_reserved_src", T_SOCKET, 0, "r6 = r1\nr0 = *(u32 *)skb[0]\nr0 = 0\nexit\n", NULL, {{ 1, 's', 1 }}, 0, "BPF_LD_[ABS|IND] uses reserved fields" },
	{ "ldabs_reserved_off", T_SOCKET, 0, "r6 = r1\nr0 = *(u32 *)skb[0]\nr0 = 0\nexit\n", NULL, {{ 1, 'o', 1 }}, 0, "BPF_LD_[ABS|IND] uses reserved fields" },
	{ "ldabs_reserved_dst", T_SOCKET, 0, "r6 = r1\nr0 = *(u32 *)skb[0]\nr0 = 0\nexit\n", NULL, {{ 1, 'd', 2 }}, 0, "BPF_LD_[ABS|IND] uses reserved fields" },
	/* DW is not a legacy packet load size: the opcode is unknown (bpf_opcode_in_insntable) */
	{ "ldabs_dw", T_SOCKET, 0, "r6 = r1\nr0 = *(u32 *)skb[0]\nr0 = 0\nexit\n", NULL,
	  {{ 1, 'c', 0x38 }}, 0, "unknown opcode 38" },

	/* ---- 2. map access flags ---------------------------------------------------- */
	/* check_map_access_type: BPF_F_RDONLY_PROG forbids stores */
	{ "rdonly_prog_store", T_SOCKET, 0,
	  "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = map[fd:1] ll\ncall 1\n"
	  "if r0 == 0 goto +1\n*(u64 *)(r0 + 0) = 1\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "write into map forbidden, value_size=48 off=0 size=8" },
	/* ... but allows loads */
	{ "rdonly_prog_load", T_SOCKET, 0,
	  "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = map[fd:1] ll\ncall 1\n"
	  "if r0 == 0 goto +1\nr0 = *(u64 *)(r0 + 0)\nr0 = 0\nexit\n", NULL, {{0}}, 1, NULL },
	/* BPF_F_WRONLY_PROG forbids loads */
	{ "wronly_prog_load", T_SOCKET, 0,
	  "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = map[fd:2] ll\ncall 1\n"
	  "if r0 == 0 goto +1\nr0 = *(u64 *)(r0 + 8)\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "read from map forbidden, value_size=48 off=8 size=8" },
	/* ... but allows stores */
	{ "wronly_prog_store", T_SOCKET, 0,
	  "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = map[fd:2] ll\ncall 1\n"
	  "if r0 == 0 goto +1\n*(u64 *)(r0 + 0) = 1\nr0 = 0\nexit\n", NULL, {{0}}, 1, NULL },
	/* atomics read then write: both needed */
	{ "rdonly_prog_atomic", T_SOCKET, 0,
	  "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = map[fd:1] ll\ncall 1\n"
	  "if r0 == 0 goto +2\nr1 = 1\nlock *(u64 *)(r0 + 0) += r1\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "write into map forbidden" },
	{ "wronly_prog_atomic", T_SOCKET, 0,
	  "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = map[fd:2] ll\ncall 1\n"
	  "if r0 == 0 goto +2\nr1 = 1\nlock *(u64 *)(r0 + 0) += r1\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "read from map forbidden" },
	/* check_helper_mem_access: a helper that reads a WRONLY value
	 * (map_update_elem's value argument, ARG_PTR_TO_MAP_VALUE) */
	{ "wronly_prog_helper_read", T_SOCKET, 0,
	  "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = map[fd:2] ll\ncall 1\n"
	  "if r0 == 0 goto +7\nr3 = r0\nr2 = r10\nr2 += -4\nr1 = map[fd:0] ll\nr4 = 0\ncall 2\n"
	  "r0 = 0\nexit\n", NULL, {{0}}, 0, "read from map forbidden" },
	/* a helper that writes into a RDONLY value (skb_load_bytes' buffer) */
	{ "rdonly_prog_helper_write", T_SOCKET, 0,
	  "r6 = r1\n*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = map[fd:1] ll\ncall 1\n"
	  "if r0 == 0 goto +5\nr3 = r0\nr1 = r6\nr2 = 0\nr4 = 8\ncall 26\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "write into map forbidden" },
	/* record_func_map: update / delete change a BPF_F_RDONLY_PROG map */
	{ "rdonly_prog_map_update", T_SOCKET, 0,
	  VAL48 "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr3 = r10\nr3 += -64\n"
	  "r1 = map[fd:1] ll\nr4 = 0\ncall 2\nr0 = 0\nexit\n", NULL, {{0}}, 0, "write into map forbidden" },
	{ "rdonly_prog_map_delete", T_SOCKET, 0,
	  "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = map[fd:1] ll\ncall 3\nr0 = 0\nexit\n", NULL,
	  {{0}}, 0, "write into map forbidden" },
	{ "wronly_prog_map_update", T_SOCKET, 0,
	  VAL48 "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr3 = r10\nr3 += -64\n"
	  "r1 = map[fd:2] ll\nr4 = 0\ncall 2\nr0 = 0\nexit\n", NULL, {{0}}, 1, NULL },
	/* a direct value (lddw) of a read-only map: .rodata */
	{ "rdonly_prog_direct_store", T_SOCKET, 0,
	  "r1 = map[fd:1][0]+8 ll\n*(u32 *)(r1 + 0) = 1\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "write into map forbidden" },
	{ "rdonly_prog_direct_load", T_SOCKET, 0,
	  "r1 = map[fd:1][0]+8 ll\nr0 = *(u32 *)(r1 + 0)\nr0 = 0\nexit\n", NULL, {{0}}, 1, NULL },

	/* ---- 3. misaligned atomics ---------------------------------------------------- */
	/* check_atomic_rmw -> check_mem_access with strict_alignment_once: atomics
	 * must be aligned on every kind of memory, whatever the load flags */
	{ "atomic_misaligned_map_value", T_SOCKET, 0,
	  LK "if r0 == 0 goto +2\nr1 = 1\nlock *(u64 *)(r0 + 4) += r1\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "misaligned value access" },
	{ "atomic_misaligned_map_value_any_align", T_SOCKET, BPF_F_ANY_ALIGNMENT,
	  LK "if r0 == 0 goto +2\nr1 = 1\nlock *(u32 *)(r0 + 2) += w1\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "misaligned value access" },
	{ "atomic_fetch_misaligned_map_value", T_SOCKET, 0,
	  LK "if r0 == 0 goto +2\nr1 = 1\nr1 = atomic_fetch_add((u64 *)(r0 + 12), r1)\nr0 = 0\nexit\n",
	  NULL, {{0}}, 0, "misaligned value access" },
	{ "atomic_aligned_map_value", T_SOCKET, 0,
	  LK "if r0 == 0 goto +2\nr1 = 1\nlock *(u64 *)(r0 + 8) += r1\nr0 = 0\nexit\n", NULL, {{0}}, 1,
	  NULL },
	{ "atomic_misaligned_stack", T_SOCKET, 0,
	  "*(u64 *)(r10 - 16) = 0\n*(u64 *)(r10 - 8) = 0\nr1 = 1\nlock *(u64 *)(r10 - 12) += r1\n"
	  "r0 = 0\nexit\n", NULL, {{0}}, 0, "misaligned stack access" },

	/* ---- 7. alignment flags ------------------------------------------------------- */
	/* check_ptr_alignment: BPF_F_STRICT_ALIGNMENT makes map value loads strict */
	{ "strict_align_map_value_load", T_SOCKET, BPF_F_STRICT_ALIGNMENT,
	  LK "if r0 == 0 goto +1\nr0 = *(u32 *)(r0 + 2)\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "misaligned value access" },
	{ "map_value_load_unaligned_ok", T_SOCKET, 0,
	  LK "if r0 == 0 goto +1\nr0 = *(u32 *)(r0 + 2)\nr0 = 0\nexit\n", NULL, {{0}}, 1, NULL },
	/* BPF_F_ANY_ALIGNMENT wins over BPF_F_STRICT_ALIGNMENT */
	{ "strict_and_any_align", T_SOCKET, BPF_F_STRICT_ALIGNMENT | BPF_F_ANY_ALIGNMENT,
	  LK "if r0 == 0 goto +1\nr0 = *(u32 *)(r0 + 2)\nr0 = 0\nexit\n", NULL, {{0}}, 1, NULL },
	/* check_pkt_ptr_alignment: strict packet accesses count NET_IP_ALIGN (2) */
	{ "strict_align_pkt_u32_at_0", T_XDP, BPF_F_STRICT_ALIGNMENT,
	  XDP_PKT "r0 = *(u32 *)(r2 + 0)\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "misaligned packet access off 2+0+0+0 size 4" },
	{ "strict_align_pkt_u32_at_2", T_XDP, BPF_F_STRICT_ALIGNMENT,
	  XDP_PKT "r0 = *(u32 *)(r2 + 2)\nr0 = 0\nexit\n", NULL, {{0}}, 1, NULL },
	{ "pkt_u32_at_0_not_strict", T_XDP, 0,
	  XDP_PKT "r0 = *(u32 *)(r2 + 0)\nr0 = 0\nexit\n", NULL, {{0}}, 1, NULL },
	/* the stack is always strict (check_ptr_alignment), even with ANY_ALIGNMENT */
	{ "stack_misaligned_any_align", T_SOCKET, BPF_F_ANY_ALIGNMENT,
	  "*(u64 *)(r10 - 16) = 0\n*(u64 *)(r10 - 8) = 0\nr0 = *(u32 *)(r10 - 6)\nr0 = 0\nexit\n",
	  NULL, {{0}}, 0, "misaligned stack access" },
	/* BPF_F_TEST_RND_HI32 is accepted (a JIT test aid) */
	{ "test_rnd_hi32", T_SOCKET, BPF_F_TEST_RND_HI32, "w0 = 1\nexit\n", NULL, {{0}}, 1, NULL },

	/* ---- 5. precision: bpfbox proves no more than the kernel ------------------------- */
	/* adjust_scalar_min_max_vals / check_alu_op: when the kernel cannot prove the
	 * value, it walks the branch that dereferences a scalar and rejects. 6.18
	 * leaves div / mod (signed or not, 32 or 64 bits) unknown; it folds byte
	 * swaps, neg, movsx, mul, shifts and xor */
	{ "prec_div64_const", T_SOCKET, 0,
	  "r2 = 10\nr2 /= 2\nif r2 == 5 goto +1\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "R2 invalid mem access 'scalar'" },
	{ "prec_mod64_const", T_SOCKET, 0,
	  "r2 = 10\nr2 %= 4\nif r2 == 2 goto +1\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "R2 invalid mem access 'scalar'" },
	{ "prec_div32_const", T_SOCKET, 0,
	  "w2 = 10\nw2 /= 2\nif r2 == 5 goto +1\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "R2 invalid mem access 'scalar'" },
	{ "prec_mod32_const", T_SOCKET, 0,
	  "w2 = 10\nw2 %= 4\nif r2 == 2 goto +1\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "R2 invalid mem access 'scalar'" },
	{ "prec_sdiv64_const", T_SOCKET, 0,
	  "r2 = -10\nr2 s/= 2\nif r2 == -5 goto +1\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "R2 invalid mem access 'scalar'" },
	{ "prec_smod32_const", T_SOCKET, 0,
	  "w2 = 10\nw2 s%= 4\nif r2 == 2 goto +1\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "R2 invalid mem access 'scalar'" },
	{ "prec_be16_const", T_SOCKET, 0,
	  "r2 = 0x100\nr2 = be16 r2\nif r2 == 1 goto +1\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit\n", NULL, {{0}}, 1,
	  NULL },
	{ "prec_le16_range", T_SOCKET, 0,
	  "r2 = 0x10000\nr2 = le16 r2\nif r2 == 0 goto +1\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit\n", NULL, {{0}}, 1,
	  NULL },
	{ "prec_neg_const", T_SOCKET, 0,
	  "r2 = 5\nr2 = -r2\nif r2 == -5 goto +1\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit\n", NULL, {{0}}, 1,
	  NULL },
	{ "prec_neg32_const", T_SOCKET, 0,
	  "w2 = 5\nw2 = -w2\nr2 <<= 32\nr2 s>>= 32\nif r2 == -5 goto +1\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit\n", NULL, {{0}}, 1,
	  NULL },
	{ "prec_movsx_const", T_SOCKET, 0,
	  "r3 = 0xff\nr2 = (s8)r3\nif r2 == -1 goto +1\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit\n", NULL, {{0}}, 1,
	  NULL },
	{ "prec_mul_const", T_SOCKET, 0,
	  "r2 = 6\nr2 *= 7\nif r2 == 42 goto +1\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit\n", NULL, {{0}}, 1,
	  NULL },
	{ "prec_lsh_const", T_SOCKET, 0,
	  "r2 = 3\nr2 <<= 4\nif r2 == 48 goto +1\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit\n", NULL, {{0}}, 1,
	  NULL },
	{ "prec_arsh32_const", T_SOCKET, 0,
	  "w2 = -16\nw2 s>>= 2\nr2 <<= 32\nr2 s>>= 32\nif r2 == -4 goto +1\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit\n", NULL, {{0}}, 1,
	  NULL },
	{ "prec_xor_self", T_SOCKET, 0,
	  "r2 = r1\nr2 = 7\nr2 ^= 7\nif r2 == 0 goto +1\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit\n", NULL, {{0}}, 1,
	  NULL },

	/* ---- 6. pointer arithmetic (adjust_ptr_min_max_vals, check_alu_op) --------------- */
	{ "ptr_alu32", T_SOCKET, 0, "r1 = r10\nw1 += 8\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "R1 32-bit pointer arithmetic prohibited" },
	{ "ptr_map_ptr_add", T_SOCKET, 0, "r1 = map[fd:0] ll\nr1 += 8\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "R1 pointer arithmetic on map_ptr prohibited" },
	{ "ptr_pkt_end_add", T_XDP, 0, "r3 = *(u32 *)(r1 + 4)\nr3 += 1\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "R3 pointer arithmetic on pkt_end prohibited" },
	{ "ptr_mul", T_SOCKET, 0, "r1 = r10\nr1 *= 2\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "R1 pointer arithmetic with *= operator prohibited" },
	{ "ptr_and", T_SOCKET, 0, "r1 = r10\nr1 &= 2\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "R1 bitwise operator &= on pointer prohibited" },
	{ "ptr_scalar_minus_ptr", T_SOCKET, 0, "r2 = 5\nr2 -= r10\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "R2 tried to subtract pointer from scalar" },
	{ "ptr_minus_ptr", T_SOCKET, 0, "r1 = r10\nr1 -= r10\nr0 = r1\nexit\n", NULL, {{0}}, 1, NULL },
	{ "ptr_fp_unbounded", T_SOCKET, 0,
	  LK "if r0 == 0 goto +3\nr2 = *(u64 *)(r0 + 0)\nr1 = r10\nr1 += r2\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "math between fp pointer and register with unbounded min value is not allowed" },
	{ "ptr_fp_var_store", T_SOCKET, 0,
	  LK "if r0 == 0 goto +6\nr2 = *(u8 *)(r0 + 0)\nr2 &= 7\nr1 = r10\nr1 += -16\nr1 += r2\n"
	  "*(u8 *)(r1 + 0) = 0\nr0 = 0\nexit\n", NULL, {{0}}, 1, NULL },
	{ "ptr_ctx_var_load", T_SOCKET, 0,
	  "r2 = *(u32 *)(r1 + 0)\nr2 &= 4\nr1 += r2\nr0 = *(u32 *)(r1 + 0)\nexit\n", NULL, {{0}}, 0,
	  "variable ctx access var_off=(0x0; 0x4) disallowed" },
	{ "ptr_ctx_const_add_load", T_SOCKET, 0, "r1 += 4\nr0 = *(u32 *)(r1 + 0)\nexit\n", NULL, {{0}}, 0,
	  "dereference of modified ctx ptr R1 off=4 disallowed" },
	{ "ptr_neg", T_SOCKET, 0, "r1 = r10\nr1 = -r1\nr0 = 0\nexit\n", NULL, {{0}}, 1, NULL },
	{ "ptr_fp_huge_const", T_SOCKET, 0, "r1 = r10\nr1 += 0x20000000\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "math between fp pointer and 536870912 is not allowed" },

	/* ---- 9. global functions (BTF linkage global) and their argument tags ---------- */
	/* do_check_subprogs: a global function is verified on its own, for any
	 * arguments of its prototype's types; the caller does not pass its state */
	{ "global_noargs_reads_r1", T_SOCKET, 0,
	  "call pc+2\nr0 = 0\nexit\nr0 = *(u32 *)(r1 + 0)\nexit\n", "i,gi", {{0}}, 0, "R1 !read_ok" },
	{ "static_noargs_reads_r1", T_SOCKET, 0,
	  "call pc+2\nr0 = 0\nexit\nr0 = *(u32 *)(r1 + 0)\nexit\n", "i,i", {{0}}, 1, NULL },
	/* the caller's r1 = 0 does not reach the global function's walk */
	{ "global_scalar_arg_unknown", T_SOCKET, 0,
	  "r1 = 0\ncall pc+2\nr0 = 0\nexit\nr2 = 0\nif r1 == 0 goto +1\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\n"
	  "exit\n", "i,gi:s", {{0}}, 0, "R2 invalid mem access 'scalar'" },
	{ "static_scalar_arg_known", T_SOCKET, 0,
	  "r1 = 0\ncall pc+2\nr0 = 0\nexit\nr2 = 0\nif r1 == 0 goto +1\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\n"
	  "exit\n", "i,i:s", {{0}}, 1, NULL },
	/* btf_check_func_arg_match at the call */
	{ "global_scalar_arg_gets_ptr", T_SOCKET, 0,
	  "r1 = r10\ncall pc+2\nr0 = 0\nexit\nr0 = r1\nexit\n", "i,gi:s", {{0}}, 0, "R1 is not a scalar" },
	{ "global_ctx_arg", T_SOCKET, 0,
	  "call pc+2\nr0 = 0\nexit\nr0 = *(u32 *)(r1 + 0)\nexit\n", "i,gi:c", {{0}}, 1, NULL },
	{ "global_ctx_arg_gets_fp", T_SOCKET, 0,
	  "r1 = r10\ncall pc+2\nr0 = 0\nexit\nr0 = *(u32 *)(r1 + 0)\nexit\n", "i,gi:c", {{0}}, 0,
	  "arg#0 expects pointer to ctx" },
	/* a pointer to a sized type is memory that may be NULL ... */
	{ "global_mem_arg_unchecked", T_SOCKET, 0,
	  "*(u32 *)(r10 - 4) = 0\nr1 = r10\nr1 += -4\ncall pc+2\nr0 = 0\nexit\nr0 = *(u32 *)(r1 + 0)\n"
	  "exit\n", "i,gi:m", {{0}}, 0, "R1 invalid mem access" },
	{ "global_mem_arg_checked", T_SOCKET, 0,
	  "*(u32 *)(r10 - 4) = 0\nr1 = r10\nr1 += -4\ncall pc+2\nr0 = 0\nexit\nr0 = 0\n"
	  "if r1 == 0 goto +1\nr0 = *(u32 *)(r1 + 0)\nexit\n", "i,gi:m", {{0}}, 1, NULL },
	{ "global_mem_arg_null_passed", T_SOCKET, 0,
	  "r1 = 0\ncall pc+2\nr0 = 0\nexit\nr0 = 0\nif r1 == 0 goto +1\nr0 = *(u32 *)(r1 + 0)\nexit\n",
	  "i,gi:m", {{0}}, 1, NULL },
	/* ... which the caller must be able to read and write in full (the kernel:
	 * "invalid read from stack R1 off=-2 size=4"; bpfbox names the stack
	 * bounds: only the verdict is compared) */
	{ "global_mem_arg_too_small", T_SOCKET, 0,
	  "*(u16 *)(r10 - 2) = 0\nr1 = r10\nr1 += -2\ncall pc+2\nr0 = 0\nexit\nr0 = 0\n"
	  "if r1 == 0 goto +1\nr0 = *(u32 *)(r1 + 0)\nexit\n", "i,gi:m", {{0}}, 0, NULL },
	/* __arg_nonnull: no NULL check needed, and the caller may not pass NULL */
	{ "global_nonnull_arg", T_SOCKET, 0,
	  "*(u32 *)(r10 - 4) = 0\nr1 = r10\nr1 += -4\ncall pc+2\nr0 = 0\nexit\nr0 = *(u32 *)(r1 + 0)\n"
	  "exit\n", "i,gi:n", {{0}}, 1, NULL },
	{ "global_nonnull_arg_null_passed", T_SOCKET, 0,
	  "r1 = 0\ncall pc+2\nr0 = 0\nexit\nr0 = *(u32 *)(r1 + 0)\nexit\n", "i,gi:n", {{0}}, 0,
	  "arg#0 is expected to be non-NULL" },
	/* check_return_code: a global function returns a scalar */
	{ "global_returns_ptr", T_SOCKET, 0,
	  "call pc+2\nr0 = 0\nexit\nr0 = r10\nexit\n", "i,gi", {{0}}, 0,
	  "At subprogram exit the register R0 is not a scalar value" },
	/* a global function calling another global function: both get a walk */
	{ "global_calls_global", T_SOCKET, 0,
	  "call pc+2\nr0 = 0\nexit\ncall pc+1\nexit\nr0 = *(u32 *)(r1 + 0)\nexit\n", "i,gi,gi", {{0}},
	  0, "R1 !read_ok" },

	/* ---- 4. reserved fields ------------------------------------------------------- */
	/* do_check / check_alu_op / check_*: fields an opcode does not use are zero */
	{ "rsv_exit_imm", T_SOCKET, 0, "r0 = 0\nexit\n", NULL, {{ 1, 'i', 1 }}, 0, "BPF_EXIT uses reserved fields" },
	{ "rsv_exit_src", T_SOCKET, 0, "r0 = 0\nexit\n", NULL, {{ 1, 's', 1 }}, 0, "BPF_EXIT uses reserved fields" },
	{ "rsv_exit_dst", T_SOCKET, 0, "r0 = 0\nexit\n", NULL, {{ 1, 'd', 1 }}, 0, "BPF_EXIT uses reserved fields" },
	/* the kernel's exit check does not look at off */
	{ "rsv_exit_off", T_SOCKET, 0, "r0 = 0\nexit\n", NULL, {{ 1, 'o', 1 }}, 1, NULL },
	{ "rsv_ja_src", T_SOCKET, 0, "r0 = 0\ngoto +0\nexit\n", NULL, {{ 1, 's', 1 }}, 0, "BPF_JA uses reserved fields" },
	{ "rsv_ja_imm", T_SOCKET, 0, "r0 = 0\ngoto +0\nexit\n", NULL, {{ 1, 'i', 1 }}, 0, "BPF_JA uses reserved fields" },
	{ "rsv_call_dst", T_SOCKET, 0, "call 7\nexit\n", NULL, {{ 0, 'd', 1 }}, 0, "BPF_CALL uses reserved fields" },
	{ "rsv_call_off", T_SOCKET, 0, "call 7\nexit\n", NULL, {{ 0, 'o', 1 }}, 0, "BPF_CALL uses reserved fields" },
	{ "rsv_alu_x_imm", T_SOCKET, 0, "r0 = 0\nr1 = 0\nr0 += r1\nexit\n", NULL, {{ 2, 'i', 1 }}, 0, "BPF_ALU uses reserved fields" },
	{ "rsv_alu_k_src", T_SOCKET, 0, "r0 = 0\nr0 += 1\nexit\n", NULL, {{ 1, 's', 1 }}, 0, "BPF_ALU uses reserved fields" },
	{ "rsv_alu_k_off", T_SOCKET, 0, "r0 = 0\nr0 += 1\nexit\n", NULL, {{ 1, 'o', 1 }}, 0, "BPF_ALU uses reserved fields" },
	{ "rsv_mov_k_src", T_SOCKET, 0, "r0 = 0\nexit\n", NULL, {{ 0, 's', 1 }}, 0, "BPF_MOV uses reserved fields" },
	{ "rsv_mov_x_imm", T_SOCKET, 0, "r1 = 0\nr0 = r1\nexit\n", NULL, {{ 1, 'i', 1 }}, 0, "BPF_MOV uses reserved fields" },
	{ "rsv_neg_imm", T_SOCKET, 0, "r0 = 0\nr0 = -r0\nexit\n", NULL, {{ 1, 'i', 1 }}, 0, "BPF_NEG uses reserved fields" },
	{ "rsv_neg_src", T_SOCKET, 0, "r0 = 0\nr0 = -r0\nexit\n", NULL, {{ 1, 's', 1 }}, 0, "BPF_NEG uses reserved fields" },
	{ "rsv_end_off", T_SOCKET, 0, "r0 = 0\nr0 = be16 r0\nexit\n", NULL, {{ 1, 'o', 1 }}, 0, "BPF_END uses reserved fields" },
	{ "rsv_end_imm", T_SOCKET, 0, "r0 = 0\nr0 = be16 r0\nexit\n", NULL, {{ 1, 'i', 8 }}, 0, "BPF_END uses reserved fields" },
	{ "rsv_ldx_imm", T_SOCKET, 0, "*(u64 *)(r10 - 8) = 0\nr0 = *(u64 *)(r10 - 8)\nexit\n", NULL, {{ 1, 'i', 1 }}, 0, "BPF_LDX uses reserved fields" },
	{ "rsv_st_src", T_SOCKET, 0, "*(u64 *)(r10 - 8) = 0\nr0 = 0\nexit\n", NULL, {{ 0, 's', 1 }}, 0, "BPF_ST uses reserved fields" },
	{ "rsv_stx_imm", T_SOCKET, 0, "r0 = 0\n*(u64 *)(r10 - 8) = r0\nexit\n", NULL, {{ 1, 'i', 1 }}, 0, "BPF_STX uses reserved fields" },
	{ "rsv_jmp_k_src", T_SOCKET, 0, "r0 = 0\nif r0 == 0 goto +0\nexit\n", NULL, {{ 1, 's', 1 }}, 0, "BPF_JMP/JMP32 uses reserved fields" },
	{ "rsv_jmp_x_imm", T_SOCKET, 0, "r0 = 0\nif r0 == r0 goto +0\nexit\n", NULL, {{ 1, 'i', 1 }}, 0, "BPF_JMP/JMP32 uses reserved fields" },
	{ "rsv_lddw_second_slot", T_SOCKET, 0, "r0 = 1 ll\nexit\n", NULL, {{ 1, 'd', 1 }}, 0, "invalid bpf_ld_imm64 insn" },
	{ "rsv_lddw_off", T_SOCKET, 0, "r0 = 1 ll\nexit\n", NULL, {{ 0, 'o', 1 }}, 0,
	  "BPF_LD_IMM64 uses reserved fields" },
	/* reserved fields in a branch the walk proves dead: reachable in the CFG
	 * (check_cfg), never reached by do_check */
	{ "rsv_dead_exit_imm", T_SOCKET, 0, "r0 = 0\nif r0 == 0 goto +1\nexit\nexit\n", NULL,
	  {{ 2, 'i', 1 }}, 1, NULL },
	{ "rsv_dead_alu_x_imm", T_SOCKET, 0, "r0 = 0\nif r0 == 0 goto +1\nr0 += r0\nexit\n", NULL,
	  {{ 2, 'i', 1 }}, 1, NULL },
	/* ... but resolve_pseudo_ldimm64 checks LDX's imm and lddw's second slot on
	 * every instruction */
	{ "rsv_dead_ldx_imm", T_SOCKET, 0, "r0 = 0\nif r0 == 0 goto +1\nr0 = *(u64 *)(r10 - 8)\nexit\n",
	  NULL, {{ 2, 'i', 1 }}, 0, "BPF_LDX uses reserved fields" },
	{ "rsv_dead_lddw_off", T_SOCKET, 0, "r0 = 0\nif r0 == 0 goto +2\nr0 = 1 ll\nexit\n", NULL,
	  {{ 2, 'o', 1 }}, 1, NULL },
	{ "rsv_dead_lddw_second_slot", T_SOCKET, 0, "r0 = 0\nif r0 == 0 goto +2\nr0 = 1 ll\nexit\n", NULL,
	  {{ 3, 'd', 1 }}, 0, "invalid bpf_ld_imm64 insn" },
	{ "rsv_dead_ldabs_src", T_SOCKET, 0, "r6 = r1\nr0 = 0\nif r0 == 0 goto +1\nr0 = *(u32 *)skb[0]\nexit\n",
	  NULL, {{ 3, 's', 1 }}, 1, NULL },
	/* ---- 2. a write to r10 is refused where it is reached ----------------------- */
	/* do_check -> check_reg_arg(dst r10, DST_OP): "frame pointer is read
	 * only", only on a walked path; check_cfg and resolve_pseudo_ldimm64 do
	 * not look at it, so in a branch the walk proves dead it is accepted
	 * (bpfbox turns such dead code into `goto -1`, as sanitize_dead_code) */
	{ "fp_write_reached", T_SOCKET, 0, "r1 = 0\nr0 = 0\nexit\n", NULL, {{ 0, 'd', 10 }}, 0,
	  "frame pointer is read only" },
	{ "fp_write_dead_alu", T_SOCKET, 0, "r0 = 0\nif r0 == 0 goto +1\nr1 = 0\nexit\n", NULL,
	  {{ 2, 'd', 10 }}, 1, NULL },
	{ "fp_write_dead_ldx", T_SOCKET, 0,
	  "r0 = 0\nif r0 == 0 goto +1\nr1 = *(u64 *)(r10 - 8)\nexit\n", NULL, {{ 2, 'd', 10 }}, 1, NULL },
	{ "fp_write_dead_lddw", T_SOCKET, 0, "r0 = 0\nif r0 == 0 goto +2\nr1 = 1 ll\nexit\n", NULL,
	  {{ 2, 'd', 10 }}, 1, NULL },
	/* ---- 3. bpf_loop with nr_loops 0 never calls its callback --------------------- */
	/* check_helper_call BPF_FUNC_loop: the callback is walked only while
	 * callback_depth < r1's umax; with r1 = 0 never, so its out-of-range
	 * return value is not checked */
	{ "loop_zero_skips_callback", T_SOCKET, 0,
	  "r1 = 0\nr2 = 0 ll\nr3 = 0\nr4 = 0\ncall 181\nr0 = 0\nexit\nr0 = 7\nexit\n", "i,i",
	  {{ 1, 's', 4 }, { 1, 'i', 6 }}, 1, NULL },
	/* ... and with r1 = 1 it is: the return value must lie in [0, 1] */
	{ "loop_one_checks_callback", T_SOCKET, 0,
	  "r1 = 1\nr2 = 0 ll\nr3 = 0\nr4 = 0\ncall 181\nr0 = 0\nexit\nr0 = 7\nexit\n", "i,i",
	  {{ 1, 's', 4 }, { 1, 'i', 6 }}, 0, "At callback return the register R0" },
	/* r1's bounds decide, so a computed zero counts too (precise) */
	{ "loop_computed_zero", T_SOCKET, 0,
	  "r1 = *(u32 *)(r1 + 0)\nr1 &= 0\nr2 = 0 ll\nr3 = 0\nr4 = 0\ncall 181\nr0 = 0\nexit\n"
	  "r0 = 7\nexit\n", "i,i", {{ 2, 's', 4 }, { 2, 'i', 6 }}, 1, NULL },
	/* ---- 5. w1 = w2: the 64-bit bounds are the 32-bit ones ----------------------- */
	/* check_alu_op BPF_MOV (32-bit) -> zext_32_to_64: r7 in [1, 35] from
	 * signed 32-bit compares on an unknown 64-bit value (vfuzz seed 1
	 * program 895); bpfbox used only the tnum (0..63) */
	{ "mov32_keeps_32bit_bounds", T_KPROBE, 0,
	  "call 7\nr7 = r0\nif w7 s> 35 goto +11\nif w7 s<= 0 goto +10\nw7 = w7\n" LK
	  "if r0 == 0 goto +2\nr0 += r7\nr1 = *(u32 *)(r0 + 4)\nr0 = 0\nexit\n", NULL, {{0}}, 1, NULL },
	/* ... and 36 is out: the kernel refuses the same access then */
	{ "mov32_keeps_32bit_bounds_edge", T_KPROBE, 0,
	  "call 7\nr7 = r0\nif w7 s> 41 goto +11\nif w7 s<= 0 goto +10\nw7 = w7\n" LK
	  "if r0 == 0 goto +2\nr0 += r7\nr1 = *(u32 *)(r0 + 4)\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "R0 max value is outside of the allowed memory range" },
	/* ---- 6. may_goto (BPF_JMP|BPF_JCOND, src 0) ---------------------------------- */
	/* check_cond_jmp_op BPF_MAY_GOTO: both ways are walked, a loop around it
	 * converges (is_may_goto_insn_at pruning, widen_imprecise_scalars) */
	{ "may_goto_counted_loop", T_SOCKET, 0,
	  "r0 = 0\nr1 = 0\nmay_goto +3\nr0 += 3\nr1 += 1\nif r1 < 100 goto -4\nexit\n", NULL, {{0}}, 1,
	  NULL },
	{ "may_goto_endless_loop", T_SOCKET, 0, "r0 = 0\nmay_goto +2\nr0 += 1\ngoto -3\nexit\n", NULL,
	  {{0}}, 1, NULL },
	/* the jump (budget spent) is walked too: r5 was never written */
	{ "may_goto_jump_path_walked", T_SOCKET, 0, "r0 = 0\nmay_goto +1\nexit\nr0 = r5\nexit\n", NULL,
	  {{0}}, 0, "R5 !read_ok" },
	/* ... and the fall-through */
	{ "may_goto_fall_path_walked", T_SOCKET, 0, "r0 = 0\nmay_goto +1\nr0 = r5\nexit\n", NULL,
	  {{0}}, 0, "R5 !read_ok" },
	/* a loop whose index bounds a map access: precise, not widened */
	{ "may_goto_index_stays_precise", T_SOCKET, 0,
	  "r6 = 0\n" LK "if r0 == 0 goto +6\nmay_goto +5\nr1 = r0\nr1 += r6\n*(u8 *)(r1 + 0) = 1\nr6 += 1\n"
	  "if r6 < 48 goto -7\nr0 = 0\nexit\n", NULL, {{0}}, 1, NULL },
	{ "may_goto_index_overflows", T_SOCKET, 0,
	  "r6 = 0\n" LK "if r0 == 0 goto +6\nmay_goto +5\nr1 = r0\nr1 += r6\n*(u8 *)(r1 + 0) = 1\nr6 += 1\n"
	  "if r6 < 49 goto -7\nr0 = 0\nexit\n", NULL, {{0}}, 0, "invalid access to map value" },
	/* do_check: dst and imm must be 0 */
	{ "may_goto_imm", T_SOCKET, 0, "r0 = 0\nmay_goto +0\nexit\n", NULL, {{ 1, 'i', 1 }}, 0, NULL },
	{ "may_goto_dst", T_SOCKET, 0, "r0 = 0\nmay_goto +0\nexit\n", NULL, {{ 1, 'd', 1 }}, 0, NULL },
	/* ---- 7. tnum_mul as 6.18 computes it ----------------------------------------- */
	{ "tnum_mul_kernel_6_18", T_KPROBE, 0,
	  "r7 = *(u64 *)(r1 + 24)\nw7 |= 0x2e\nw7 *= 198\nif w7 > 3 goto +9\n" LK
	  "if r0 == 0 goto +2\nr0 += r7\nr3 = *(u8 *)(r0 + 46)\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "R0 max value is outside of the allowed memory range" },
	/* ---- 8. a 64-bit == / != decided by the 32-bit ranges ------------------------ */
	/* is_scalar_branch_taken BPF_JEQ/JNE: w7 <= 9, so r7 != 12 always (vfuzz
	 * seed 11 program 102); the access with the unbounded r7 is dead */
	{ "jne64_decided_by_u32", T_KPROBE, 0,
	  "call 7\nr7 = r0\nif w7 > 9 goto +10\nif r7 != 12 goto +9\n" LK
	  "if r0 == 0 goto +2\nr0 += r7\nr0 = *(u64 *)(r0 + 40)\nr0 = 0\nexit\n", NULL, {{0}}, 1, NULL },
	/* ... and with 12 in reach it is walked (r7 = 12 there) and refused */
	{ "jne64_open_u32", T_KPROBE, 0,
	  "call 7\nr7 = r0\nif w7 > 20 goto +10\nif r7 != 12 goto +9\n" LK
	  "if r0 == 0 goto +2\nr0 += r7\nr0 = *(u64 *)(r0 + 40)\nr0 = 0\nexit\n", NULL, {{0}}, 0,
	  "invalid access to map value" },
	/* ---- 4. tail calls in a subprogram (with BTF: allowed) ------------------------ */
	{ "tail_call_subprog_btf", T_SOCKET, 0,
	  "call pc+2\nr0 = 0\nexit\nr2 = map[fd:4] ll\nr3 = 0\ncall 12\nr0 = 0\nexit\n", "i,i", {{0}}, 1,
	  NULL },
	/* a tail call from a subprogram returns the target's r0 to the caller:
	 * after it r0 is not the callee's constant */
	{ "tail_call_subprog_r0_unknown", T_SOCKET, 0,
	  "r7 = r1\n" LK "if r0 == 0 goto +5\nr6 = r0\nr1 = r7\ncall pc+4\nr6 += r0\nr0 = *(u8 *)(r6 + 0)\n"
	  "r0 = 0\nexit\nr2 = map[fd:4] ll\nr3 = 0\ncall 12\nr0 = 0\nexit\n", "i,i", {{0}}, 0,
	  "math between map_value pointer and register with unbounded min value is not allowed" },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* ---- the raw bpf(2) syscall ---------------------------------------------- */

/*
 * A function spec, one per function, main first, separated by ',':
 * [g]{i|v}[:ARGS] - g: global linkage (else static); i: returns int, v:
 * void; ARGS one letter per argument: s int, c struct __sk_buff *, m int *,
 * n int * with the decl tag "arg:nonnull" (__arg_nonnull).
 */
struct fspec {
	bool global, ret_int;
	char args[6];
};

/* parse_funcs - funcs into at most max specs; the count. */
static size_t parse_funcs(const char *funcs, struct fspec *out, size_t max)
{
	size_t n = 0;

	while (*funcs && n < max) {
		struct fspec *f = &out[n++];
		size_t k = 0;

		memset(f, 0, sizeof(*f));
		if (*funcs == 'g') {
			f->global = true;
			funcs++;
		}
		f->ret_int = *funcs == 'i';
		if (*funcs)
			funcs++;
		if (*funcs == ':')
			for (funcs++; *funcs && *funcs != ',' && k < 5; funcs++)
				f->args[k++] = *funcs;
		if (*funcs == ',')
			funcs++;
	}
	return n;
}

/* k_btf_load - BTF for the function specs: [1] int, [2] struct __sk_buff,
 * [3] its pointer, [4] int *, then per function a FUNC_PROTO, a FUNC named
 * f<i> (its id in fid[i]) and the decl tags of its arguments; the BTF fd
 * or -errno. */
static int k_btf_load(const char *funcs, uint32_t *fid)
{
	uint32_t blob[512], *t = blob + 6, nt = 0, id = 4;
	char str[512];
	size_t ns = 0;
	struct fspec fs[16];
	size_t nf = parse_funcs(funcs, fs, 16);
	union bpf_attr a;
	uint32_t s_int, s_skb, s_tag;

	str[ns++] = 0;
	s_int = (uint32_t)ns; ns += (size_t)sprintf(str + ns, "int") + 1;
	s_skb = (uint32_t)ns; ns += (size_t)sprintf(str + ns, "__sk_buff") + 1;
	s_tag = (uint32_t)ns; ns += (size_t)sprintf(str + ns, "arg:nonnull") + 1;
	t[nt++] = s_int; t[nt++] = 1u << 24; t[nt++] = 4; t[nt++] = (1u << 24) | 32;
	t[nt++] = s_skb; t[nt++] = 4u << 24; t[nt++] = 4;	/* struct, no members */
	t[nt++] = 0; t[nt++] = 2u << 24; t[nt++] = 2;		/* ptr -> [2] */
	t[nt++] = 0; t[nt++] = 2u << 24; t[nt++] = 1;		/* ptr -> [1] */
	for (size_t i = 0; i < nf; i++) {
		uint32_t na = (uint32_t)strlen(fs[i].args), proto = ++id;

		t[nt++] = 0; t[nt++] = 13u << 24 | na; t[nt++] = fs[i].ret_int ? 1 : 0;
		for (uint32_t k = 0; k < na; k++) {
			char c = fs[i].args[k];

			t[nt++] = (uint32_t)ns;
			ns += (size_t)sprintf(str + ns, "a%u", k) + 1;
			t[nt++] = c == 's' ? 1 : c == 'c' ? 3 : 4;
		}
		fid[i] = ++id;
		t[nt++] = (uint32_t)ns; t[nt++] = 12u << 24 | (fs[i].global ? 1 : 0); t[nt++] = proto;
		ns += (size_t)sprintf(str + ns, "f%zu", i) + 1;
		for (uint32_t k = 0; k < na; k++)
			if (fs[i].args[k] == 'n') {
				++id;
				t[nt++] = s_tag; t[nt++] = 17u << 24; t[nt++] = fid[i]; t[nt++] = k;
			}
	}
	blob[0] = 0xeB9F | 1u << 16;     /* magic, version 1, flags 0 */
	blob[1] = 24;                    /* hdr_len */
	blob[2] = 0;                     /* type_off */
	blob[3] = nt * 4;                /* type_len */
	blob[4] = nt * 4;                /* str_off */
	blob[5] = (uint32_t)ns;          /* str_len */
	memcpy(t + nt, str, ns);
	memset(&a, 0, sizeof(a));
	a.btf = (uint64_t)(uintptr_t)blob;
	a.btf_size = 24 + nt * 4 + (uint32_t)ns;
	return (int)kb_sys(BPF_BTF_LOAD, &a);
}

/* func_starts - the first instruction of each function (main, then the
 * targets of bpf-to-bpf calls and ld_imm64 function pointers, sorted). */
static size_t func_starts(const struct bpfbox_insn *in, size_t n, uint32_t *out, size_t max)
{
	size_t k = 1;

	out[0] = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t t;
		bool dup = false;

		if (in[i].code == 0x85 && in[i].src_reg == 1)
			t = (uint32_t)((int64_t)i + 1 + in[i].imm);
		else if (in[i].code == 0x18 && in[i].src_reg == 4)
			t = (uint32_t)((int64_t)i + 1 + in[i].imm);
		else
			continue;
		for (size_t j = 0; j < k; j++)
			dup |= out[j] == t;
		if (!dup && k < max)
			out[k++] = t;
	}
	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
			uint32_t x = out[j];

			out[j] = out[j - 1];
			out[j - 1] = x;
		}
	return k;
}

/* k_prog_load - BPF_PROG_LOAD with log_level 1 (and BTF func_info when
 * funcs is not NULL); the fd or -errno. */
static int k_prog_load(uint32_t type, const struct bpfbox_insn *insns, size_t cnt, uint32_t flags,
		       const char *funcs, char *log, size_t log_sz)
{
	uint32_t starts[16], fi[32], fid[16];
	size_t nf;
	int btf, fd;

	if (!funcs)
		return kb_prog_load(type, 0, insns, cnt, flags, log, log_sz, 1);
	nf = func_starts(insns, cnt, starts, 16);
	btf = k_btf_load(funcs, fid);
	if (btf < 0)
		return btf;
	for (size_t i = 0; i < nf; i++) {
		fi[2 * i] = starts[i];
		fi[2 * i + 1] = fid[i];
	}
	fd = kb_prog_load_btf(type, insns, cnt, flags, log, log_sz, btf, fi, nf);
	close(btf);
	return fd;
}

/* ---- the harness ---------------------------------------------------------- */

struct env {
	struct bpfbox_vm *vm;
	struct bpfbox_map *bmaps[NMAPS];
	int kfd[NMAPS];
	bool kernel;             /* bpf(2) works */
	char *klog;
	char blog[65536];
	char vmlog[8192];        /* the vm's log: errors found before the verifier runs */
};

/* log_cb - append the vm's messages to e->vmlog. */
static void log_cb(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	struct env *e = ctx;
	size_t l = strlen(e->vmlog);

	(void)level;
	snprintf(e->vmlog + l, sizeof(e->vmlog) - l, "%s\n", msg);
}

/* assemble - src into a fresh array, with the fixes applied; NULL on error. */
static struct bpfbox_insn *assemble(const struct rcase *c, size_t *n)
{
	BPFBOX_OPTS(bpfbox_asm_opts, ao, .syntax = BPFBOX_SYNTAX_LLVM, .filename = c->name);
	struct bpfbox_insn *in = NULL;

	if (bpfbox_asm(c->src, strlen(c->src), &ao, &in, n))
		return NULL;
	for (int k = 0; k < 3 && c->fix[k].field; k++) {
		struct bpfbox_insn *x = &in[c->fix[k].idx];

		switch (c->fix[k].field) {
		case 'c': x->code = (uint8_t)c->fix[k].val; break;
		case 'd': x->dst_reg = (uint8_t)c->fix[k].val; break;
		case 's': x->src_reg = (uint8_t)c->fix[k].val; break;
		case 'o': x->off = (int16_t)c->fix[k].val; break;
		default: x->imm = c->fix[k].val; break;
		}
	}
	return in;
}

/* kernel_verdict - load into the kernel (map indices become fds): 1, 0 (log in
 * e->klog), or -1 when it could not be asked. *fd_out keeps the fd if wanted. */
static int kernel_verdict(struct env *e, const struct rcase *c, const struct bpfbox_insn *in,
			  size_t n, int *fd_out)
{
	struct bpfbox_insn *k = malloc(n * sizeof(*k));
	int fd;

	if (!k)
		return -1;
	memcpy(k, in, n * sizeof(*k));
	for (size_t i = 0; i < n; i++)
		if (k[i].code == 0x18 && (k[i].src_reg == 1 || k[i].src_reg == 2) &&
		    k[i].imm >= 0 && k[i].imm < NMAPS)
			k[i].imm = e->kfd[k[i].imm];
	fd = k_prog_load(c->type, k, n, c->flags, c->funcs, e->klog, KLOG_SZ);
	free(k);
	if (fd >= 0) {
		if (fd_out)
			*fd_out = fd;
		else
			close(fd);
		return 1;
	}
	return e->klog[0] ? 0 : (fd == -EINVAL || fd == -EACCES ? 0 : -1);
}

/* bpfbox_load - load into bpfbox; 0 or a negative errno (log in e->blog). */
static int bpfbox_load(struct env *e, const struct rcase *c, const struct bpfbox_insn *in,
		       size_t n, struct bpfbox_prog **out)
{
	BPFBOX_OPTS(bpfbox_prog_opts, o, .name = c->name, .prog_type = c->type, .license = "GPL",
		    .maps = e->bmaps, .map_cnt = NMAPS, .prog_flags = c->flags,
		    .log_buf = e->blog, .log_size = sizeof(e->blog), .log_level = 1);
	struct bpfbox_prog *p = NULL;
	struct bpfbox_func_info fi[16];
	uint32_t starts[16];
	int err;

	e->blog[0] = e->vmlog[0] = 0;
	if (c->funcs) {
		size_t nf = func_starts(in, n, starts, 16);
		struct fspec fs[16];

		parse_funcs(c->funcs, fs, 16);
		for (size_t i = 0; i < nf; i++) {
			static const char *const names[] = { "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7" };

			memset(&fi[i], 0, sizeof(fi[i]));
			fi[i].insn_off = starts[i];
			fi[i].ret_scalar = fs[i].ret_int;
			fi[i].global = fs[i].global;
			fi[i].name = i < 8 ? names[i] : NULL;
			fi[i].nargs = (uint8_t)strlen(fs[i].args);
			for (size_t k = 0; k < fi[i].nargs; k++) {
				char a = fs[i].args[k];

				fi[i].arg[k] = a == 's' ? BPFBOX_ARG_SCALAR : a == 'c' ? BPFBOX_ARG_CTX :
					       a == 'n' ? BPFBOX_ARG_MEM : BPFBOX_ARG_MEM_OR_NULL;
				fi[i].arg_size[k] = a == 'm' || a == 'n' ? 4 : 0;
			}
		}
		o.func_info = fi;
		o.func_info_cnt = nf;
	}
	err = bpfbox_prog__load(e->vm, in, n, &o, &p);

	if (out)
		*out = p;
	else
		bpfbox_prog__free(p);
	return err;
}

/* run_case - one case: both verdicts, the reason. */
static void run_case(struct env *e, const struct rcase *c)
{
	size_t n = 0;
	struct bpfbox_insn *in = assemble(c, &n);
	int kv, bv;

	if (!CHECK_MSG(in != NULL, "%s: does not assemble", c->name))
		return;
	kv = e->kernel ? kernel_verdict(e, c, in, n, NULL) : -1;
	if (kv >= 0)
		CHECK_MSG(kv == c->want, "%s: the kernel %s it now; pinned: %s\n%s", c->name,
			  kv ? "accepts" : "rejects", c->want ? "accept" : "reject", e->klog);
	else
		kv = c->want;
	if (!kv && c->kmsg && e->kernel)
		CHECK_MSG(strstr(e->klog, c->kmsg) != NULL, "%s: the kernel's log lacks '%s':\n%s",
			  c->name, c->kmsg, e->klog);
	bv = bpfbox_load(e, c, in, n, NULL) == 0;
	CHECK_MSG(bv == kv, "%s: kernel %s, bpfbox %s\n%s", c->name, kv ? "accepts" : "rejects",
		  bv ? "accepts" : "rejects", e->blog);
	if (!kv && !bv && c->kmsg)
		CHECK_MSG(strstr(e->blog, c->kmsg) || strstr(e->vmlog, c->kmsg),
			  "%s: bpfbox's log lacks the kernel's '%s':\n%s%s", c->name, c->kmsg, e->blog,
			  e->vmlog);
	if (getenv("REGRESS_VERBOSE"))
		printf("%-34s kernel %d bpfbox %d\n--- kernel:\n%s--- bpfbox:\n%s\n", c->name, kv, bv,
		       e->klog, e->blog);
	free(in);
}

/*
 * test_ldabs_runs - a failing LD_ABS in a subprogram ends that function
 * with r0 = 0 (the kernel's bpf_gen_ld_abs rewrite emits an exit, which in
 * a subprogram is a return to its caller; the verifier walks that path),
 * on a 30-byte packet (16 bytes after the Ethernet header the kernel's
 * test run pulls): the caller adds 7 (100 more two calls deep); a
 * succeeding load (offset 0) makes the subprogram return 1. Both engines
 * against the kernel's BPF_PROG_TEST_RUN r0; without the kernel, against
 * the r0 pinned from it.
 */
static void test_ldabs_runs(struct env *e)
{
	static const char *const srcs[] = {
		/* LD_ABS at 20 (past the 16 bytes) or 0, in a subprogram */
		"call pc+2\nr0 += 7\nexit\nr6 = r1\nr0 = *(u32 *)skb[20]\nr0 = 1\nexit\n",
		"call pc+2\nr0 += 7\nexit\nr6 = r1\nr0 = *(u32 *)skb[0]\nr0 = 1\nexit\n",
		/* LD_IND two calls deep */
		"call pc+2\nr0 += 7\nexit\ncall pc+2\nr0 += 100\nexit\nr6 = r1\nr7 = 12\n"
		"r0 = *(u16 *)skb[r7 + 4]\nr0 = 1\nexit\n",
	};
	/* Linux 6.18's BPF_PROG_TEST_RUN: the failing load returns 0 to the caller */
	static const uint32_t pinned[] = { 7, 8, 107 };
	uint8_t pkt[30];

	for (size_t i = 0; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)(0x10 + i);
	for (size_t s = 0; s < sizeof(srcs) / sizeof(srcs[0]); s++) {
		struct rcase c = { "ldabs_run", T_SOCKET, 0, srcs[s], s == 2 ? "i,i,i" : "i,i", {{0}}, 1,
				   NULL };
		size_t n = 0;
		struct bpfbox_insn *in = assemble(&c, &n);
		struct bpfbox_prog *p = NULL;
		uint32_t want = pinned[s];
		int fd = -1;

		if (!CHECK(in != NULL))
			continue;
		if (e->kernel && kernel_verdict(e, &c, in, n, &fd) == 1) {
			uint32_t kr = 0;

			if (CHECK_MSG(kb_test_run(fd, pkt, sizeof(pkt), &kr) == 0, "kernel test run %zu", s)) {
				CHECK_MSG(kr == pinned[s], "kernel r0 %u, pinned %u", kr, pinned[s]);
				want = kr;
			}
			close(fd);
		}
		if (CHECK_MSG(bpfbox_load(e, &c, in, n, &p) == 0, "ldabs_run %zu rejected:\n%s", s, e->blog)) {
			for (int eng = BPFBOX_ENGINE_INTERP; eng <= BPFBOX_ENGINE_JIT; eng++) {
				BPFBOX_OPTS(bpfbox_test_run_opts, t, .data_in = pkt, .data_size_in = sizeof(pkt),
					    .mode = BPFBOX_RUN_TRUSTED, .engine = (enum bpfbox_engine)eng);
				int err = bpfbox_prog__test_run(p, &t);

				if (err == -EOPNOTSUPP && eng == BPFBOX_ENGINE_JIT) {
					TL_SKIP("no JIT on this host");
					continue;
				}
				CHECK_MSG(err == 0 && t.retval == want, "ldabs_run %zu engine %d: err %d r0 %u, "
					  "kernel %u", s, eng, err, t.retval, want);
			}
		}
		bpfbox_prog__free(p);
		free(in);
	}
}

/*
 * test_may_goto_runs - may_goto loops run on both engines, r0 against
 * BPF_PROG_TEST_RUN. A loop that ends by its own test returns what the
 * kernel returns. A loop that only may_goto ends runs bpfbox's budget,
 * BX_MAX_LOOPS passes (the kernel's BPF_MAX_LOOPS, 8M); the kernel's x86
 * JIT since 6.15 counts in 64K chunks and a time limit instead (timed
 * may_goto), so there only "it ends, after at least 64K passes" is
 * compared.
 */
static void test_may_goto_runs(struct env *e)
{
	static const struct { const char *src; bool budget; } progs[] = {
		{ "r0 = 0\nr1 = 0\nmay_goto +3\nr0 += 3\nr1 += 1\nif r1 < 100 goto -4\nexit\n", false },
		/* two nested loops, the inner one 1000 times per outer pass */
		{ "r0 = 0\nr1 = 0\nmay_goto +7\nr2 = 0\nmay_goto +3\nr0 += 1\nr2 += 1\nif r2 < 1000 goto -4\n"
		  "r1 += 1\nif r1 < 50 goto -8\nexit\n", false },
		{ "r0 = 0\nmay_goto +2\nr0 += 1\ngoto -3\nexit\n", true },
	};
	uint8_t pkt[20] = { 0 };

	for (size_t s = 0; s < sizeof(progs) / sizeof(progs[0]); s++) {
		struct rcase c = { "may_goto_run", T_SOCKET, 0, progs[s].src, NULL, {{0}}, 1, NULL };
		size_t n = 0;
		struct bpfbox_insn *in = assemble(&c, &n);
		struct bpfbox_prog *p = NULL;
		uint32_t want = progs[s].budget ? BX_MAX_LOOPS_TEST : 0;
		bool have_k = false;
		int fd = -1;

		if (!CHECK(in != NULL))
			continue;
		if (e->kernel && CHECK_MSG(kernel_verdict(e, &c, in, n, &fd) == 1, "may_goto_run %zu: kernel "
					   "rejects", s)) {
			uint32_t kr = 0;

			if (CHECK_MSG(kb_test_run(fd, pkt, sizeof(pkt), &kr) == 0, "kernel test run %zu", s)) {
				if (progs[s].budget) {
					CHECK_MSG(kr >= 65535, "kernel r0 %u after an endless may_goto loop", kr);
				} else {
					want = kr;
					have_k = true;
				}
			}
			close(fd);
		}
		if (!progs[s].budget && !have_k)
			want = s == 0 ? 300 : 50000;	/* Linux 6.18, live */
		if (CHECK_MSG(bpfbox_load(e, &c, in, n, &p) == 0, "may_goto_run %zu rejected:\n%s", s, e->blog)) {
			for (int eng = BPFBOX_ENGINE_INTERP; eng <= BPFBOX_ENGINE_JIT; eng++) {
				for (int rep = 0; rep < 2; rep++) {	/* the budget is per run */
					BPFBOX_OPTS(bpfbox_test_run_opts, t, .data_in = pkt,
						    .data_size_in = sizeof(pkt), .mode = BPFBOX_RUN_TRUSTED,
						    .engine = (enum bpfbox_engine)eng);
					int err = bpfbox_prog__test_run(p, &t);

					if (err == -EOPNOTSUPP && eng == BPFBOX_ENGINE_JIT) {
						TL_SKIP("no JIT on this host");
						break;
					}
					CHECK_MSG(err == 0 && t.retval == want, "may_goto_run %zu engine %d: err %d "
						  "r0 %u, want %u", s, eng, err, t.retval, want);
				}
			}
		}
		bpfbox_prog__free(p);
		free(in);
	}
}

/* setup_maps - the same four maps in the kernel (if it works) and bpfbox. */
static void setup_maps(struct env *e)
{
	static const struct { uint32_t type, ks, vs, me, flags; } m[NMAPS] = {
		{ BPF_MAP_TYPE_ARRAY, 4, 48, 1, 0 },
		{ BPF_MAP_TYPE_ARRAY, 4, 48, 1, BPF_F_RDONLY_PROG },
		{ BPF_MAP_TYPE_ARRAY, 4, 48, 1, BPF_F_WRONLY_PROG },
		{ BPF_MAP_TYPE_HASH, 4, 8, 16, 0 },
		{ BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0 },
	};

	for (int i = 0; i < NMAPS; i++) {
		BPFBOX_OPTS(bpfbox_map_create_opts, mo, .map_flags = m[i].flags);

		CHECK(bpfbox_map__create(m[i].type, m[i].ks, m[i].vs, m[i].me, &mo, &e->bmaps[i]) == 0);
		e->kfd[i] = -1;
		if (e->kernel) {
			e->kfd[i] = kb_map_create_ex(m[i].type, m[i].ks, m[i].vs, m[i].me, m[i].flags, 0);
			if (e->kfd[i] < 0) {
				printf("kernel map %d: %s; comparing with the pinned verdicts\n", i,
				       strerror(-e->kfd[i]));
				e->kernel = false;
			}
		}
	}
}

/* kernel_works - can this process load a trivial socket filter? */
static bool kernel_works(void)
{
	int err = kb_probe(BPF_PROG_TYPE_SOCKET_FILTER);

	if (err) {
		TL_SKIP("bpf(BPF_PROG_LOAD) failed (%s): the cases are compared with the verdicts pinned "
			"from Linux 6.18", strerror(-err));
		return false;
	}
	return true;
}

int main(void)
{
	static struct env e;
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .nr_cpus = 1, .log = log_cb, .log_ctx = &e);

	e.klog = malloc(KLOG_SZ);
	if (!CHECK(e.klog != NULL) || !CHECK(bpfbox_vm__new(&vo, &e.vm) == 0))
		return tl_summary();
	e.kernel = kernel_works();
	setup_maps(&e);
	for (size_t i = 0; i < NCASES; i++)
		run_case(&e, &cases[i]);
	test_ldabs_runs(&e);
	test_may_goto_runs(&e);
	for (int i = 0; i < NMAPS; i++) {
		bpfbox_map__free(e.bmaps[i]);
		if (e.kfd[i] >= 0)
			close(e.kfd[i]);
	}
	bpfbox_vm__free(e.vm);
	free(e.klog);
	return tl_summary();
}

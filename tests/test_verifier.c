/*
 * test_verifier.c - the verifier (src/verifier): one rejected program per
 * class of error, pinning the kernel's message ("kernel:" line) and the
 * plain reason of the report; programs that must be accepted (bounded
 * loops, bpf_loop callbacks, NULL checks through copies, packet parsing,
 * JMP32 refinement, spills of pointers and bounded scalars) and run
 * trusted; the log at level 2; the report's source line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfbox/bpfbox.h"
#include "testlib.h"

#define T_SOCKET 1
#define T_KPROBE 2
#define T_XDP 6

static struct bpfbox_vm *vm;
static char logb[65536];
static char vmlog[16384];

static void log_cb(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	size_t l = strlen(vmlog);

	(void)ctx;
	(void)level;
	snprintf(vmlog + l, sizeof(vmlog) - l, "%s\n", msg);
}

static struct bpfbox_map *maps[4];   /* 0: array 4/48, 1: hash 4/8, 2: ringbuf, 3: rodata */

/* load src (LLVM syntax) as a program of `type`; the log is in logb */
static int vload(uint32_t type, const char *src, uint32_t level, const struct bpfbox_line_info *li,
		 size_t nli, struct bpfbox_prog **out)
{
	BPFBOX_OPTS(bpfbox_asm_opts, ao, .syntax = BPFBOX_SYNTAX_LLVM, .filename = "t.s");
	struct bpfbox_insn *in = NULL;
	size_t n = 0;
	struct bpfbox_prog *p = NULL;
	int err;

	logb[0] = vmlog[0] = '\0';
	err = bpfbox_asm(src, strlen(src), &ao, &in, &n);
	if (!CHECK_MSG(err == 0, "assemble: %d\n%s", err, src))
		return -999;
	{
		BPFBOX_OPTS(bpfbox_prog_opts, o, .name = "t", .prog_type = type, .license = "GPL",
			    .maps = maps, .map_cnt = 4, .log_buf = logb, .log_size = sizeof(logb),
			    .log_level = level, .line_info = li, .line_info_cnt = nli);
		err = bpfbox_prog__load(vm, in, n, &o, &p);
	}
	free(in);
	if (out)
		*out = p;
	else
		bpfbox_prog__free(p);
	return err;
}

/* a program that must be rejected with the kernel's message kmsg and our reason */
static void reject_(int line, uint32_t type, const char *kmsg, const char *reason, const char *src)
{
	char k[512];
	int err = vload(type, src, 1, NULL, 0, NULL);

	/* the kernel's text as a log line, and its first line in the report */
	snprintf(k, sizeof(k), "kernel: %s", kmsg);
	if (strchr(k, '\n'))
		*strchr(k, '\n') = '\0';
	tl_check(err < 0 && err != -999, __FILE__, line, "should be rejected (%s): %d", kmsg, err);
	tl_check(strstr(logb, k) != NULL && strstr(logb, kmsg) != NULL, __FILE__, line,
		 "log lacks '%s':\n%s", kmsg, logb);
	if (reason)
		tl_check(strstr(logb, reason) != NULL, __FILE__, line, "log lacks reason '%s':\n%s",
			 reason, logb);
	tl_check(strstr(vmlog, kmsg) != NULL, __FILE__, line, "vm log lacks '%s'", kmsg);
}
#define REJECT(type, kmsg, reason, src) reject_(__LINE__, type, kmsg, reason, src)

/* a program that must be accepted; returns it (verified) or NULL */
static struct bpfbox_prog *accept_(int line, uint32_t type, const char *src)
{
	struct bpfbox_prog *p = NULL;
	int err = vload(type, src, 2, NULL, 0, &p);

	tl_check(err == 0 && p, __FILE__, line, "should be accepted: %d\n%s", err, logb);
	tl_check(strstr(logb, "processed ") != NULL, __FILE__, line, "log lacks the stats");
	return p;
}
#define ACCEPT(type, src) accept_(__LINE__, type, src)

/* run p trusted (AUTO on a verified program) with ctx bytes */
static uint64_t run(struct bpfbox_prog *p, void *ctx, size_t n)
{
	BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = ctx, .ctx_size = n, .mode = BPFBOX_RUN_AUTO,
		    .engine = BPFBOX_ENGINE_INTERP, .cpu = 0);
	int err = bpfbox_prog__run(p, &ro);

	CHECK_MSG(err == 0, "run: %d", err);
	return ro.retval;
}

#define LOOKUP0 \
	"*(u32 *)(r10 - 4) = 0\n" \
	"r2 = r10\n" \
	"r2 += -4\n" \
	"r1 = map[fd:0] ll\n" \
	"call 1\n"
/* the same in the hash map (an array lookup with a constant in-bounds key
 * is never NULL, as in the kernel since 6.14) */
#define LOOKUP1 \
	"*(u32 *)(r10 - 4) = 0\n" \
	"r2 = r10\n" \
	"r2 += -4\n" \
	"r1 = map[fd:1] ll\n" \
	"call 1\n"

static void test_rejections(void)
{
	/* registers and stack */
	REJECT(T_KPROBE, "R2 !read_ok", "r2 is read before anything was written",
	       "r0 = r2\nexit\n");
	REJECT(T_KPROBE, "R0 !read_ok", NULL, "exit\n");
	/* reading stack never written: allowed for root (kernel 6.18,
	 * allow_uninit_stack = perfmon_capable), the value is unknown */
	bpfbox_prog__free(ACCEPT(T_KPROBE, "r0 = *(u64 *)(r10 - 8)\nexit\n"));
	bpfbox_prog__free(ACCEPT(T_KPROBE, "r2 = r10\nr2 += -4\nr1 = map[fd:0] ll\ncall 1\nr0 = 0\nexit\n"));
	REJECT(T_KPROBE, "invalid write to stack R10 off=-520 size=8", "outside the 512-byte stack",
	       "*(u64 *)(r10 - 520) = 0\nr0 = 0\nexit\n");
	REJECT(T_KPROBE, "misaligned stack access off 0+0+-6 size 4", NULL,
	       "*(u32 *)(r10 - 6) = 0\nr0 = 0\nexit\n");
	REJECT(T_KPROBE, "invalid size of register spill", NULL,
	       "*(u32 *)(r10 - 8) = r1\nr0 = 0\nexit\n");
	REJECT(T_KPROBE, "invalid size of register fill", NULL,
	       "*(u64 *)(r10 - 8) = r1\nr0 = *(u32 *)(r10 - 8)\nexit\n");
	/* map values */
	REJECT(T_KPROBE, "invalid access to map value, value_size=48 off=48 size=4",
	       "outside the 48-byte map value",
	       LOOKUP0 "if r0 == 0 goto +1\nr0 = *(u32 *)(r0 + 48)\nr0 = 0\nexit\n");
	REJECT(T_KPROBE, "R0 invalid mem access 'map_value_or_null'", "may be NULL",
	       LOOKUP1 "r0 = *(u32 *)(r0 + 0)\nexit\n");
	bpfbox_prog__free(ACCEPT(T_KPROBE, LOOKUP0 "r0 = *(u32 *)(r0 + 0)\nexit\n"));
	REJECT(T_KPROBE, "R0 invalid mem access 'map_value_or_null'", "may be NULL",
	       "*(u32 *)(r10 - 4) = 4\nr2 = r10\nr2 += -4\nr1 = map[fd:0] ll\ncall 1\n"
	       "r0 = *(u32 *)(r0 + 0)\nexit\n");
	REJECT(T_KPROBE, "R0 unbounded memory access", NULL,
	       LOOKUP0 "if r0 == 0 goto +4\nr1 = *(u32 *)(r0 + 0)\nr0 += r1\nr0 = *(u8 *)(r0 + 0)\n"
	       "exit\nr0 = 0\nexit\n");
	REJECT(T_KPROBE, "math between map_value pointer and register with unbounded min value is not allowed",
	       "no lower bound",
	       LOOKUP0 "if r0 == 0 goto +4\nr1 = *(u64 *)(r0 + 0)\nr0 += r1\nr0 = *(u8 *)(r0 + 0)\n"
	       "exit\nr0 = 0\nexit\n");
	REJECT(T_KPROBE, "R0 min value is negative, either use unsigned index or do a if (index >=0) check.",
	       NULL,
	       LOOKUP0 "if r0 == 0 goto +6\nr1 = *(u64 *)(r0 + 0)\nif r1 s> 8 goto +4\n"
	       "if r1 s< -8 goto +3\nr0 += r1\nr0 = *(u8 *)(r0 + 0)\nexit\nr0 = 0\nexit\n");
	REJECT(T_KPROBE, "write into map forbidden, value_size=8 off=0 size=8", "read-only",
	       "r1 = map[fd:3][0]+0 ll\n*(u64 *)(r1 + 0) = 1\nr0 = 0\nexit\n");
	REJECT(T_KPROBE, "R1 invalid mem access 'map_ptr'", NULL,
	       "r1 = map[fd:0] ll\nr0 = *(u64 *)(r1 + 0)\nexit\n");
	REJECT(T_KPROBE, "R1 invalid mem access 'scalar'", "cannot be dereferenced",
	       "r1 = 4096\nr0 = *(u64 *)(r1 + 0)\nexit\n");
	/* packets and contexts */
	REJECT(T_XDP, "invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)\n"
	       "R2 offset is outside of the packet",
	       "only 0 bytes are known to be there",
	       "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr0 = *(u8 *)(r2 + 0)\nexit\n");
	REJECT(T_XDP, "invalid access to packet, off=14 size=2, R2(id=0,off=0,r=14)", NULL,
	       "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 14\n"
	       "if r4 > r3 goto +2\nr0 = *(u16 *)(r2 + 14)\nexit\nr0 = 1\nexit\n");
	REJECT(T_XDP, "invalid bpf_context access off=0 size=8", "no 8-byte field at offset 0",
	       "r0 = *(u64 *)(r1 + 0)\nexit\n");
	REJECT(T_XDP, "invalid bpf_context access off=0 size=4", "no writable 4-byte field",
	       "*(u32 *)(r1 + 0) = 0\nr0 = 0\nexit\n");
	REJECT(T_XDP, "dereference of modified ctx ptr R1 off=4 disallowed", NULL,
	       "r1 += 4\nr0 = *(u32 *)(r1 + 0)\nexit\n");
	REJECT(T_XDP, "R3 invalid mem access 'pkt_end'", NULL,
	       "r3 = *(u32 *)(r1 + 4)\nr0 = *(u8 *)(r3 + 0)\nexit\n");
	/* pointer arithmetic */
	REJECT(T_KPROBE, "R1 pointer arithmetic with *= operator prohibited", NULL,
	       "r1 *= 2\nr0 = 0\nexit\n");
	REJECT(T_KPROBE, "R1 bitwise operator &= on pointer prohibited", NULL,
	       "r1 &= 2\nr0 = 0\nexit\n");
	REJECT(T_KPROBE, "R1 32-bit pointer arithmetic prohibited", NULL,
	       "w1 += 2\nr0 = 0\nexit\n");
	REJECT(T_KPROBE, "R0 pointer arithmetic on map_value_or_null prohibited, null-check it first",
	       NULL, LOOKUP1 "r0 += 4\nr0 = 0\nexit\n");
	REJECT(T_KPROBE, "R2 tried to subtract pointer from scalar", NULL,
	       "r2 = 0\nr2 -= r1\nr0 = 0\nexit\n");
	/* helpers */
	REJECT(T_KPROBE, "R1 type=scalar expected=map_ptr", "should be a map_ptr",
	       "r1 = 0\nr2 = r10\nr2 += -8\ncall 1\nr0 = 0\nexit\n");
	REJECT(T_KPROBE, "program of this type cannot use helper bpf_xdp_adjust_head#44",
	       "not available to this program type", "r2 = 0\ncall 44\nr0 = 0\nexit\n");
	REJECT(T_XDP, "program of this type cannot use helper bpf_probe_read#4", NULL,
	       "r1 = r10\nr1 += -16\nr2 = 16\nr3 = 0\ncall 4\nr0 = 0\nexit\n");
	REJECT(T_KPROBE, "cannot pass map_type 27 into func bpf_map_lookup_elem#1", NULL,
	       "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = map[fd:2] ll\ncall 1\nr0 = 0\nexit\n");
	REJECT(T_KPROBE, "Unreleased reference id=1 alloc_insn=4", "neither submitted nor discarded",
	       "r1 = map[fd:2] ll\nr2 = 8\nr3 = 0\ncall 131\nif r0 == 0 goto +1\n"
	       "*(u64 *)(r0 + 0) = 1\nr0 = 0\nexit\n");
	REJECT(T_KPROBE, "invalid access to memory, mem_size=8 off=8 size=4", NULL,
	       "r1 = map[fd:2] ll\nr2 = 8\nr3 = 0\ncall 131\nif r0 == 0 goto +6\n"
	       "*(u32 *)(r0 + 8) = 1\nr1 = r0\nr2 = 0\ncall 132\nr0 = 0\nexit\nr0 = 0\nexit\n");
	REJECT(T_KPROBE, "R2 unbounded memory access, use 'var &= const' or 'if (var < const)'", NULL,
	       "call 7\nr2 = r0\nr2 >>= 1\nr1 = r10\nr1 += -16\nr3 = 0\ncall 4\nr0 = 0\nexit\n");
	REJECT(T_KPROBE, "At callback return the register R0 has", "must return 0 (continue) or 1",
	       "r1 = 10\nr2 = func[pc+5] ll\nr3 = 0\nr4 = 0\ncall 181\nexit\nr0 = 2\nexit\n");
	/* the context rewriting must see every context access the walk proved:
	 * a context pointer coming back from an xchg, or stored by a callee
	 * into its caller's stack */
	REJECT(T_XDP, "same insn cannot be used with different pointers", "simpler analysis",
	       "*(u64 *)(r10 - 8) = r1\nr3 = 0\nr3 = xchg_64(r10 - 8, r3)\nr0 = *(u32 *)(r3 + 0)\n"
	       "r0 = 0\nexit\n");
	REJECT(T_XDP, "same insn cannot be used with different pointers", NULL,
	       "*(u64 *)(r10 - 8) = 0\nr2 = r1\nr1 = r10\nr1 += -8\ncall pc+4\n"
	       "r2 = *(u64 *)(r10 - 8)\nr0 = *(u32 *)(r2 + 0)\nr0 = 0\nexit\n"
	       "*(u64 *)(r1 + 0) = r2\nr0 = 0\nexit\n");
	REJECT(T_XDP, "cannot spill pointers to stack into stack frame of the caller", NULL,
	       "*(u64 *)(r10 - 8) = 0\nr1 = r10\nr1 += -8\ncall pc+2\nr0 = 0\nexit\n"
	       "*(u64 *)(r1 + 0) = r1\nr0 = 0\nexit\n");
	/* control flow */
	REJECT(T_KPROBE, "unreachable insn 2", "no path from the program's start reaches insn 2",
	       "r0 = 0\nexit\nr0 = 1\nexit\n");
	REJECT(T_KPROBE, "jump out of range from insn 1 to 5", "leaves its function",
	       "call pc+3\nif r0 == 0 goto +3\nr0 = 0\nexit\nr0 = 1\nexit\n");
	REJECT(T_KPROBE, "last insn is not an exit or jmp", "can fall through",
	       "call pc+2\ncall pc+3\nexit\nr0 = 1\nr0 = 2\nr0 = 0\nexit\n");
	REJECT(T_KPROBE, "infinite loop detected at insn 1", NULL,
	       "r0 = 0\nl:\ngoto l\n");
	/* kernel 6.18 (BPF_PROG_LOAD, log_level 2): "infinite loop detected at
	 * insn 2" - the checkpoint is the conditional jump */
	REJECT(T_KPROBE, "infinite loop detected at insn 2", NULL,
	       "call 7\nl:\nr0 += 0\nif r0 != 0 goto l\nexit\n");
	REJECT(T_KPROBE, "BPF program is too large. Processed 1000001 insn", "more than 1000000",
	       "r1 = 0\nl:\nr1 += 1\nif r1 < 10000000 goto l\nr0 = 0\nexit\n");
	REJECT(T_KPROBE, "the call stack of 9 frames is too deep", NULL,
	       "call pc+1\nexit\ncall pc+1\nexit\ncall pc+1\nexit\ncall pc+1\nexit\ncall pc+1\nexit\n"
	       "call pc+1\nexit\ncall pc+1\nexit\ncall pc+1\nexit\ncall pc+1\nexit\nr0 = 0\nexit\n");
	/* kernel 6.18 with its JIT on (BPF_PROG_LOAD): frames rounded to 16 bytes */
	REJECT(T_KPROBE, "combined stack size of 2 calls is 608. Too large", "use 608 bytes of stack",
	       "*(u64 *)(r10 - 304) = 0\ncall pc+2\nr0 = 0\nexit\n*(u64 *)(r10 - 304) = 0\nr0 = 0\nexit\n");
	REJECT(T_KPROBE, "cannot return stack pointer to the caller frame", NULL,
	       "call pc+2\nr0 = 0\nexit\nr0 = r10\nexit\n");
	REJECT(T_KPROBE, "div by zero", "division by the constant 0", "r0 = 1\nr0 /= 0\nexit\n");
}

static void test_acceptances(void)
{
	uint8_t ctx[256] = { 0 };
	struct bpfbox_prog *p;

	/* a bounded loop, explored iteration by iteration */
	p = ACCEPT(T_KPROBE, "r0 = 0\nr1 = 0\nl:\nr0 += r1\nr1 += 1\nif r1 < 100 goto l\nexit\n");
	if (p)
		CHECK_EQ_U64(run(p, ctx, sizeof(ctx)), 4950);
	bpfbox_prog__free(p);
	/* bpf_loop: the callback adds its index into the caller's stack */
	p = ACCEPT(T_KPROBE, "*(u64 *)(r10 - 8) = 0\nr1 = 10\nr2 = func[pc+7] ll\nr3 = r10\nr3 += -8\n"
		   "r4 = 0\ncall 181\nr0 = *(u64 *)(r10 - 8)\nexit\n"
		   "r3 = *(u64 *)(r2 + 0)\nr3 += r1\n*(u64 *)(r2 + 0) = r3\nr0 = 0\nexit\n");
	if (p)
		CHECK_EQ_U64(run(p, ctx, sizeof(ctx)), 45);
	bpfbox_prog__free(p);
	/* for_each_map_elem: the callback gets the map, a key and a value */
	p = ACCEPT(T_KPROBE, "r1 = map[fd:0] ll\nr2 = func[pc+5] ll\nr3 = 0\nr4 = 0\ncall 164\nexit\n"
		   "r0 = *(u32 *)(r3 + 44)\nr0 = *(u32 *)(r2 + 0)\nr0 = 0\nexit\n");
	if (p)
		CHECK_EQ_U64(run(p, ctx, sizeof(ctx)), 4);
	bpfbox_prog__free(p);
	REJECT(T_KPROBE, "invalid access to map value, value_size=48 off=48 size=4", NULL,
	       "r1 = map[fd:0] ll\nr2 = func[pc+5] ll\nr3 = 0\nr4 = 0\ncall 164\nexit\n"
	       "r0 = *(u32 *)(r3 + 48)\nr0 = 0\nexit\n");
	/* bpf_loop inside a bounded loop whose counter lives on the stack */
	p = ACCEPT(T_KPROBE, "*(u64 *)(r10 - 16) = 0\n*(u64 *)(r10 - 8) = 0\nl:\nr1 = 3\n"
		   "r2 = func[pc+11] ll\nr3 = r10\nr3 += -8\nr4 = 0\ncall 181\n"
		   "r1 = *(u64 *)(r10 - 16)\nr1 += 1\n*(u64 *)(r10 - 16) = r1\nif r1 < 5 goto l\n"
		   "r0 = *(u64 *)(r10 - 8)\nexit\n"
		   "r3 = *(u64 *)(r2 + 0)\nr3 += 1\n*(u64 *)(r2 + 0) = r3\nr0 = 0\nexit\n");
	if (p)
		CHECK_EQ_U64(run(p, ctx, sizeof(ctx)), 15);
	bpfbox_prog__free(p);
	/* NULL check through a copy */
	p = ACCEPT(T_KPROBE, LOOKUP0 "r6 = r0\nif r0 == 0 goto +2\nr0 = *(u32 *)(r6 + 44)\nexit\n"
		   "r0 = 7\nexit\n");
	if (p)
		CHECK_EQ_U64(run(p, ctx, sizeof(ctx)), 0);
	bpfbox_prog__free(p);
	/* the NULL check on a spilled copy's id */
	p = ACCEPT(T_KPROBE, LOOKUP0 "*(u64 *)(r10 - 16) = r0\nif r0 == 0 goto +3\n"
		   "r1 = *(u64 *)(r10 - 16)\nr0 = *(u32 *)(r1 + 0)\nexit\nr0 = 7\nexit\n");
	bpfbox_prog__free(p);
	/* packet parsing: ethernet header, then an IPv4 protocol byte */
	p = ACCEPT(T_XDP, "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr0 = 2\nr4 = r2\nr4 += 34\n"
		   "if r4 > r3 goto +5\nr5 = *(u16 *)(r2 + 12)\nif r5 != 8 goto +3\n"
		   "r5 = *(u8 *)(r2 + 23)\nif r5 != 6 goto +1\nr0 = 1\nexit\n");
	bpfbox_prog__free(p);
	/* the other forms of the data_end check */
	p = ACCEPT(T_XDP, "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr0 = 0\nr4 = r2\nr4 += 4\n"
		   "if r3 >= r4 goto +1\nexit\nr0 = *(u32 *)(r2 + 0)\nexit\n");
	bpfbox_prog__free(p);
	p = ACCEPT(T_XDP, "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr0 = 0\nr4 = r2\nr4 += 4\n"
		   "if r4 <= r3 goto +1\nexit\nr0 = *(u32 *)(r2 + 0)\nexit\n");
	bpfbox_prog__free(p);
	/* JMP32 refinement bounds a 32-bit index */
	p = ACCEPT(T_KPROBE, LOOKUP0 "if r0 == 0 goto +5\nr1 = *(u32 *)(r0 + 0)\nif w1 > 40 goto +3\n"
		   "r0 += r1\nr0 = *(u32 *)(r0 + 0)\nexit\nr0 = 0\nexit\n");
	bpfbox_prog__free(p);
	/* signed refinement in both directions */
	p = ACCEPT(T_KPROBE, LOOKUP0 "if r0 == 0 goto +6\nr1 = *(u64 *)(r0 + 0)\nif r1 s> 40 goto +4\n"
		   "if r1 s< 0 goto +3\nr0 += r1\nr0 = *(u32 *)(r0 + 0)\nexit\nr0 = 0\nexit\n");
	bpfbox_prog__free(p);
	/* spill and fill of a pointer and of a bounded scalar keep their state */
	p = ACCEPT(T_KPROBE, LOOKUP0 "if r0 == 0 goto +9\nr1 = *(u32 *)(r0 + 0)\nr1 &= 15\n"
		   "*(u64 *)(r10 - 16) = r0\n*(u64 *)(r10 - 24) = r1\nr2 = *(u64 *)(r10 - 16)\n"
		   "r3 = *(u64 *)(r10 - 24)\nr2 += r3\nr0 = *(u32 *)(r2 + 0)\nexit\nr0 = 0\nexit\n");
	bpfbox_prog__free(p);
	/* a 32-bit spill of a bounded scalar keeps its bounds */
	p = ACCEPT(T_KPROBE, LOOKUP0 "if r0 == 0 goto +7\nr1 = *(u32 *)(r0 + 0)\nif r1 > 40 goto +5\n"
		   "*(u32 *)(r10 - 16) = r1\nr3 = *(u32 *)(r10 - 16)\nr0 += r3\nr0 = *(u32 *)(r0 + 0)\n"
		   "exit\nr0 = 0\nexit\n");
	bpfbox_prog__free(p);
	REJECT(T_KPROBE, "invalid access to map value, value_size=48 off=48 size=4", NULL,
	       LOOKUP0 "if r0 == 0 goto +7\nr1 = *(u32 *)(r0 + 0)\nif r1 > 44 goto +5\n"
	       "*(u32 *)(r10 - 16) = r1\nr3 = *(u32 *)(r10 - 16)\nr0 += r3\nr0 = *(u32 *)(r0 + 4)\n"
	       "exit\nr0 = 0\nexit\n");
	/* ringbuf: reserve, write, submit */
	p = ACCEPT(T_KPROBE, "r1 = map[fd:2] ll\nr2 = 8\nr3 = 0\ncall 131\nif r0 == 0 goto +6\n"
		   "*(u64 *)(r0 + 0) = 1\nr1 = r0\nr2 = 0\ncall 132\nr0 = 0\nexit\nr0 = 1\nexit\n");
	bpfbox_prog__free(p);
	/* dead branch pruned by the bounds: the access in it is never checked */
	p = ACCEPT(T_KPROBE, "r1 = 5\nif r1 > 10 goto +2\nr0 = 0\nexit\nr0 = *(u64 *)(r1 + 0)\nexit\n");
	bpfbox_prog__free(p);
	/* bpf-to-bpf call with a pointer to the caller's stack */
	p = ACCEPT(T_KPROBE, "*(u64 *)(r10 - 8) = 3\nr1 = r10\nr1 += -8\ncall pc+2\n"
		   "r0 = *(u64 *)(r10 - 8)\nexit\n"
		   "r2 = *(u64 *)(r1 + 0)\nr2 += 4\n*(u64 *)(r1 + 0) = r2\nr0 = 0\nexit\n");
	if (p)
		CHECK_EQ_U64(run(p, ctx, sizeof(ctx)), 7);
	bpfbox_prog__free(p);
	/* atomics on the stack: the fetched value comes from the slot */
	p = ACCEPT(T_KPROBE, "r0 = 0\n*(u64 *)(r10 - 8) = r0\nr1 = 1\n"
		   "r1 = atomic_fetch_add((u64 *)(r10 - 8), r1)\nif r1 != 0 goto -1\nexit\n");
	bpfbox_prog__free(p);
	/* the log at level 2: instructions and states */
	p = ACCEPT(T_KPROBE, "r6 = r1\nr0 = 0\nexit\n");
	CHECK_MSG(strstr(logb, "0: R1=ctx() R10=fp0") && strstr(logb, "0: (bf) r6 = r1") &&
		  strstr(logb, "R6=ctx()") && strstr(logb, "verification time"), "log:\n%s", logb);
	bpfbox_prog__free(p);
}

static void test_report(void)
{
	const struct bpfbox_line_info li[] = {
		{ .insn_off = 0, .line = 40, .file = "src/xdp_drop_tcp.bpf.c", .text = "void *data = ..." },
		{ .insn_off = 2, .line = 42, .file = "src/xdp_drop_tcp.bpf.c",
		  .text = "if (eth->h_proto == htons(ETH_P_IP))" },
	};
	int err = vload(T_XDP, "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr0 = *(u32 *)(r2 + 0)\nexit\n",
			1, li, 2, NULL);

	CHECK(err == -EACCES);
	CHECK_MSG(strstr(logb, "error at insn 2: r0 = *(u32 *)(r2 + 0)\n"), "%s", logb);
	CHECK_MSG(strstr(logb, "  reason: invalid access to packet: r2 points 0 bytes into the packet, "
			 "but only 0 bytes are known to be there (packet range 0)\n"), "%s", logb);
	CHECK_MSG(strstr(logb, "  registers: R2=pkt(r=0)\n"), "%s", logb);
	CHECK_MSG(strstr(logb, "  source: xdp_drop_tcp.bpf.c:42:  if (eth->h_proto == htons(ETH_P_IP))\n"),
		  "%s", logb);
	CHECK_MSG(strstr(logb, "  hint: add a bounds check against data_end"), "%s", logb);
	CHECK_MSG(strstr(logb, "  kernel: invalid access to packet, off=0 size=4, R2(id=0,off=0,r=0)"),
		  "%s", logb);
	CHECK_MSG(strstr(vmlog, "insn 2: invalid access to packet"), "%s", vmlog);
	/* a tiny log buffer is truncated, NUL-terminated */
	{
		char small[16];
		BPFBOX_OPTS(bpfbox_asm_opts, ao, .syntax = BPFBOX_SYNTAX_LLVM);
		struct bpfbox_insn *in = NULL;
		size_t n = 0;
		struct bpfbox_prog *p = NULL;

		memset(small, 'x', sizeof(small));
		if (CHECK(bpfbox_asm("r0 = r2\nexit\n", 13, &ao, &in, &n) == 0)) {
			BPFBOX_OPTS(bpfbox_prog_opts, o, .prog_type = T_KPROBE, .log_buf = small,
				    .log_size = sizeof(small), .log_level = 2);
			CHECK_EQ_INT(bpfbox_prog__load(vm, in, n, &o, &p), -EACCES);
			CHECK(memchr(small, 0, sizeof(small)) != NULL);
		}
		free(in);
	}
	/* no_verify: loads, runs checked */
	{
		BPFBOX_OPTS(bpfbox_asm_opts, ao, .syntax = BPFBOX_SYNTAX_LLVM);
		struct bpfbox_insn *in = NULL;
		size_t n = 0;
		struct bpfbox_prog *p = NULL;
		uint8_t ctx[8];

		if (CHECK(bpfbox_asm("r0 = *(u64 *)(r1 + 64)\nexit\n", 27, &ao, &in, &n) == 0)) {
			BPFBOX_OPTS(bpfbox_prog_opts, o, .prog_type = T_KPROBE, .no_verify = true);
			BPFBOX_OPTS(bpfbox_run_opts, ro, .ctx = ctx, .ctx_size = sizeof(ctx));
			CHECK_EQ_INT(bpfbox_prog__load(vm, in, n, &o, &p), 0);
			if (p)
				CHECK_EQ_INT(bpfbox_prog__run(p, &ro), -EFAULT);
			bpfbox_prog__free(p);
		}
		free(in);
	}
}

/* instructions the assembler does not write: unused fields set */
static void test_reserved(void)
{
	struct bpfbox_insn in[2];
	struct bpfbox_prog *p = NULL;
	BPFBOX_OPTS(bpfbox_prog_opts, o, .prog_type = T_KPROBE, .log_buf = logb,
		    .log_size = sizeof(logb));

	memset(in, 0, sizeof(in));
	in[0].code = 0xb7;	/* r0 = 0 */
	in[1].code = 0x95;	/* exit, imm 1 */
	in[1].imm = 1;
	CHECK_EQ_INT(bpfbox_prog__load(vm, in, 2, &o, &p), -EINVAL);
	CHECK_MSG(strstr(logb, "kernel: BPF_EXIT uses reserved fields"), "%s", logb);
	in[1].imm = 0;
	in[0].off = 3;		/* r0 = 0 with an offset */
	CHECK_EQ_INT(bpfbox_prog__load(vm, in, 2, &o, &p), -EINVAL);
	CHECK_MSG(strstr(logb, "kernel: BPF_MOV uses reserved fields"), "%s", logb);
	in[0].off = 0;
	CHECK_EQ_INT(bpfbox_prog__load(vm, in, 2, &o, &p), 0);
	bpfbox_prog__free(p);
}

int main(void)
{
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = log_cb, .nr_cpus = 1);
	BPFBOX_OPTS(bpfbox_map_create_opts, ro, .name = ".rodata", .map_flags = BPFBOX_F_RDONLY_PROG);
	int err;

	err = bpfbox_vm__new(&vo, &vm);
	if (!CHECK(err == 0))
		return tl_summary();
	CHECK(bpfbox_map__create(BPFBOX_MAP_TYPE_ARRAY, 4, 48, 4, NULL, &maps[0]) == 0);
	CHECK(bpfbox_map__create(BPFBOX_MAP_TYPE_HASH, 4, 8, 16, NULL, &maps[1]) == 0);
	CHECK(bpfbox_map__create(BPFBOX_MAP_TYPE_RINGBUF, 0, 0, 4096, NULL, &maps[2]) == 0);
	CHECK(bpfbox_map__create(BPFBOX_MAP_TYPE_ARRAY, 4, 8, 1, &ro, &maps[3]) == 0);
	TL_RUN(test_rejections);
	TL_RUN(test_acceptances);
	TL_RUN(test_report);
	TL_RUN(test_reserved);
	for (int i = 0; i < 4; i++)
		bpfbox_map__free(maps[i]);
	bpfbox_vm__free(vm);
	return tl_summary();
}

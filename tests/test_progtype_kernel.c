/*
 * test_progtype_kernel.c - the program-type descriptions (src/progtype/
 * prog_types.h, src/core/prog_type.h) against the running kernel through
 * bpf(2): the same bytecode is loaded into both and their verdicts compared.
 *
 *   1. Helpers per program type (the kernel's get_func_proto): for every
 *      (program type, helper of bpfbox's table) pair, a program that sets
 *      r1..r5 = 0, calls the helper and returns 0. Only "may this type call
 *      the helper" is compared: the kernel answers it before it looks at
 *      the arguments ("program of this type cannot use helper bpf_X#N",
 *      "unknown func"), as bpfbox's verifier does; any other verdict (an
 *      argument refused, or accepted) means "allowed".
 *   2. Return ranges (check_return_code): "r0 = K; exit" for K in -1..4
 *      and "r0 = r10; exit" (a pointer), for each type and attach type the
 *      kernel loads without BTF; accepted or not must agree.
 *
 * Every disagreement is listed and counted as a failure. Types the kernel
 * cannot load from a plain BPF_PROG_LOAD (fentry/fexit, lsm, struct_ops,
 * ext need a BTF id to attach to) are not in the lists; a type this
 * kernel refuses altogether is skipped with its message.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfbox/bpfbox.h"
#include "bpfbox/object.h"
#include "helpers/helpers.h"
#include "testlib.h"
#include "kbpf.h"

static char klog[65536];
static char blog[8192];
static size_t blog_len;

/* every bpfbox log line of the current load, appended */
static void capture(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	(void)ctx; (void)level;
	if (blog_len + strlen(msg) + 2 < sizeof(blog)) {
		blog_len += (size_t)snprintf(blog + blog_len, sizeof(blog) - blog_len, "%s\n", msg);
	}
}

static struct bpfbox_vm *vm;

/* One program type as the test loads it. */
struct ptype {
	uint32_t type;
	uint32_t attach;
	uint32_t flags;       /* BPF_F_SLEEPABLE for syscall programs */
	const char *name;
};

/* Program types (and attach types) a plain BPF_PROG_LOAD accepts. */
static const struct ptype types[] = {
	{ BPFBOX_PROG_TYPE_SOCKET_FILTER, 0, 0, "socket_filter" },
	{ BPFBOX_PROG_TYPE_KPROBE, 0, 0, "kprobe" },
	{ BPFBOX_PROG_TYPE_SCHED_CLS, 0, 0, "sched_cls" },
	{ BPFBOX_PROG_TYPE_SCHED_ACT, 0, 0, "sched_act" },
	{ BPFBOX_PROG_TYPE_TRACEPOINT, 0, 0, "tracepoint" },
	{ BPFBOX_PROG_TYPE_XDP, 0, 0, "xdp" },
	{ BPFBOX_PROG_TYPE_PERF_EVENT, 0, 0, "perf_event" },
	{ BPFBOX_PROG_TYPE_CGROUP_SKB, BPFBOX_CGROUP_INET_INGRESS, 0, "cgroup_skb/ingress" },
	{ BPFBOX_PROG_TYPE_CGROUP_SKB, BPFBOX_CGROUP_INET_EGRESS, 0, "cgroup_skb/egress" },
	{ BPFBOX_PROG_TYPE_CGROUP_SOCK, BPFBOX_CGROUP_INET_SOCK_CREATE, 0, "cgroup_sock" },
	{ BPFBOX_PROG_TYPE_LWT_IN, 0, 0, "lwt_in" },
	{ BPFBOX_PROG_TYPE_LWT_OUT, 0, 0, "lwt_out" },
	{ BPFBOX_PROG_TYPE_LWT_XMIT, 0, 0, "lwt_xmit" },
	{ BPFBOX_PROG_TYPE_SOCK_OPS, 0, 0, "sock_ops" },
	{ BPFBOX_PROG_TYPE_SK_SKB, 0, 0, "sk_skb" },
	{ BPFBOX_PROG_TYPE_CGROUP_DEVICE, BPFBOX_CGROUP_DEVICE, 0, "cgroup_device" },
	{ BPFBOX_PROG_TYPE_SK_MSG, 0, 0, "sk_msg" },
	{ BPFBOX_PROG_TYPE_RAW_TRACEPOINT, 0, 0, "raw_tracepoint" },
	{ BPFBOX_PROG_TYPE_CGROUP_SOCK_ADDR, BPFBOX_CGROUP_INET4_BIND, 0, "cgroup_sock_addr/bind4" },
	{ BPFBOX_PROG_TYPE_CGROUP_SOCK_ADDR, BPFBOX_CGROUP_INET4_CONNECT, 0, "cgroup_sock_addr/connect4" },
	{ BPFBOX_PROG_TYPE_CGROUP_SOCK_ADDR, BPFBOX_CGROUP_UDP4_RECVMSG, 0, "cgroup_sock_addr/recvmsg4" },
	{ BPFBOX_PROG_TYPE_CGROUP_SOCK_ADDR, BPFBOX_CGROUP_INET4_GETPEERNAME, 0, "cgroup_sock_addr/getpeername4" },
	{ BPFBOX_PROG_TYPE_LWT_SEG6LOCAL, 0, 0, "lwt_seg6local" },
	{ BPFBOX_PROG_TYPE_SK_REUSEPORT, 0, 0, "sk_reuseport" },
	{ BPFBOX_PROG_TYPE_FLOW_DISSECTOR, 0, 0, "flow_dissector" },
	{ BPFBOX_PROG_TYPE_CGROUP_SYSCTL, BPFBOX_CGROUP_SYSCTL, 0, "cgroup_sysctl" },
	{ BPFBOX_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0, 0, "raw_tracepoint_writable" },
	{ BPFBOX_PROG_TYPE_CGROUP_SOCKOPT, BPFBOX_CGROUP_GETSOCKOPT, 0, "cgroup_sockopt/get" },
	{ BPFBOX_PROG_TYPE_CGROUP_SOCKOPT, BPFBOX_CGROUP_SETSOCKOPT, 0, "cgroup_sockopt/set" },
	{ BPFBOX_PROG_TYPE_SK_LOOKUP, BPFBOX_SK_LOOKUP, 0, "sk_lookup" },
	{ BPFBOX_PROG_TYPE_SYSCALL, 0, BPF_F_SLEEPABLE, "syscall" },
	{ BPFBOX_PROG_TYPE_NETFILTER, BPFBOX_NETFILTER, 0, "netfilter" },
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

/* Load into the kernel: 0 accepted, else -errno with klog filled. */
static int k_load(const struct ptype *t, const struct bpf_insn *insns, size_t cnt)
{
	_Static_assert(sizeof(struct bpf_insn) == sizeof(struct bpfbox_insn), "same insn layout");
	const struct bpfbox_insn *in = (const struct bpfbox_insn *)insns;
	int fd = kb_prog_load(t->type, t->attach, in, cnt, t->flags, klog, sizeof(klog), 1);

	/* log too small for level 1: the verdict is what counts (klog keeps
	 * the start of the log) */
	if (fd == -ENOSPC)
		fd = kb_prog_load(t->type, t->attach, in, cnt, t->flags, NULL, 0, 0);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return fd;
}

/* Load into bpfbox: 0 accepted, else -errno with blog filled. */
static int b_load(const struct ptype *t, const struct bpf_insn *insns, size_t cnt)
{
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = t->name, .prog_type = t->type,
		    .expected_attach_type = t->attach, .license = "GPL",
		    .prog_flags = t->flags);
	struct bpfbox_prog *p = NULL;
	int err;

	blog_len = 0;
	blog[0] = 0;
	err = bpfbox_prog__load(vm, (const struct bpfbox_insn *)insns, cnt, &po, &p);
	bpfbox_prog__free(p);
	return err;
}

/* Does a log say the helper is not there for this type? */
static bool helper_refused(const char *log)
{
	return strstr(log, "cannot use helper") || strstr(log, "unknown func");
}

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define CALL(id) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Does this kernel load a trivial program of type t at all? */
static bool kernel_has(const struct ptype *t)
{
	struct bpf_insn p0[] = { MOV_IMM(0, 0), EXIT() }, p1[] = { MOV_IMM(0, 1), EXIT() };

	return k_load(t, p0, 2) == 0 || k_load(t, p1, 2) == 0;
}

/* ---- 1. helpers per program type -------------------------------------------- */

static unsigned helper_disagree;

#define KROW(ID, NAME, FN, GPL, RET, A1, A2, A3, A4, A5, SETS) { ID, #NAME, SETS },
static const struct { int id; const char *name; uint32_t sets; } helpers[] = {
	BXK_KERNEL_HELPERS(KROW)
};
#undef KROW
#define NHELPERS (sizeof(helpers) / sizeof(helpers[0]))

/* The kernel's and bpfbox's answers: may type i call helper h? */
static bool k_allows[64][128], b_allows[64][128];

static void probe_helpers(size_t ti)
{
	const struct ptype *t = &types[ti];

	for (size_t h = 0; h < NHELPERS; h++) {
		struct bpf_insn p[] = {
			MOV_IMM(1, 0), MOV_IMM(2, 0), MOV_IMM(3, 0), MOV_IMM(4, 0), MOV_IMM(5, 0),
			CALL(helpers[h].id), MOV_IMM(0, 0), EXIT(),
		};
		size_t n = sizeof(p) / sizeof(p[0]);

		k_load(t, p, n);
		k_allows[ti][h] = !helper_refused(klog);
		b_load(t, p, n);
		b_allows[ti][h] = !helper_refused(blog);
		if (getenv("BPFBOX_DUMP_MATRIX"))	/* the kernel's answers, for the table */
			printf("MATRIX %s %s %d\n", helpers[h].name, t->name, k_allows[ti][h]);
	}
}

/* Compare, helper by helper, over the types this kernel loads. A helper
 * the table marks BXS_CONFIG that the kernel offers to no type at all is
 * a kernel built without it (or a capability missing): skipped, said why. */
static void compare_helpers(const bool *have)
{
	for (size_t h = 0; h < NHELPERS; h++) {
		bool any = false;

		for (size_t i = 0; i < NTYPES; i++)
			any |= have[i] && k_allows[i][h];
		if (!any && (helpers[h].sets & BXS_CONFIG)) {
			TL_SKIP("bpf_%s: this kernel offers it to no program type (a kernel config "
				"option or capability decides, see helper_table.h): type rule not compared",
				helpers[h].name);
			continue;
		}
		for (size_t i = 0; i < NTYPES; i++) {
			if (!have[i])
				continue;
			if (k_allows[i][h] != b_allows[i][h]) {
				helper_disagree++;
				printf("DISAGREE helper %s bpf_%s#%d: kernel %s, bpfbox %s\n", types[i].name,
				       helpers[h].name, helpers[h].id, k_allows[i][h] ? "allows" : "refuses",
				       b_allows[i][h] ? "allows" : "refuses");
			}
			CHECK_MSG(k_allows[i][h] == b_allows[i][h], "%s may call bpf_%s: kernel %d, bpfbox %d",
				  types[i].name, helpers[h].name, k_allows[i][h], b_allows[i][h]);
		}
	}
}

/* ---- 2. return ranges -------------------------------------------------------- */

static void test_returns(const struct ptype *t)
{
	for (int k = -1; k <= 5; k++) {
		/* k == 5: a pointer (the frame pointer) */
		struct bpf_insn p[] = { k == 5 ? MOV_REG(0, 10) : MOV_IMM(0, k), EXIT() };
		int ke = k_load(t, p, 2), be = b_load(t, p, 2);

		if ((ke == 0) != (be == 0))
			printf("DISAGREE return %s r0=%d%s: kernel %s, bpfbox %s\n  kernel: %.200s  bpfbox: %.200s\n",
			       t->name, k, k == 5 ? " (fp)" : "",
			       ke ? "refuses" : "accepts", be ? "refuses" : "accepts", klog, blog);
		CHECK_MSG((ke == 0) == (be == 0), "%s returning %d%s: kernel %d, bpfbox %d",
			  t->name, k, k == 5 ? " (fp)" : "", ke, be);
	}
}

int main(void)
{
	union bpf_attr probe;
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = capture);
	unsigned tested = 0;
	bool have[NTYPES] = { false };

	memset(&probe, 0, sizeof(probe));
	if (kb_sys(BPF_PROG_LOAD, &probe) == -ENOSYS || kb_sys(BPF_PROG_LOAD, &probe) == -EPERM) {
		TL_SKIP("no kernel BPF here (bpf(2) unavailable or not permitted): nothing to compare with");
		return tl_summary();
	}
	CHECK_EQ_INT(bpfbox_vm__new(&vo, &vm), 0);
	CHECK(NTYPES <= 64 && NHELPERS <= 128);
	for (size_t i = 0; i < NTYPES; i++) {
		if (!kernel_has(&types[i])) {
			TL_SKIP("%s: this kernel does not load a trivial program of this type: %.120s",
				types[i].name, klog);
			continue;
		}
		tested++;
		have[i] = true;
		probe_helpers(i);
		test_returns(&types[i]);
	}
	compare_helpers(have);
	printf("program types compared with the kernel: %u; helper disagreements: %u\n",
	       tested, helper_disagree);
	bpfbox_vm__free(vm);
	return tl_summary();
}

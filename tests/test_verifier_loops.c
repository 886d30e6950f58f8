/*
 * test_verifier_loops.c - loops the kernel's verifier accepts thanks to its
 * precision tracking (mark_chain_precision): tests/bpf/vloops.bpf.c
 * (collatz, collatz_heavy, branchy from bench/progs/loops.h, ringbuf200), and an array
 * lookup with constant keys whose result is used without a NULL check.
 *
 * Each program is loaded into the running kernel (BPF_PROG_LOAD,
 * log_level BPF_LOG_STATS, kernel maps created from the object's
 * definitions) and into bpfbox (bpfbox_prog__load with a log). Both must
 * accept, and bpfbox's "processed N insns" must be within 1.2x of the
 * kernel's (the kernel's number read from its log on this machine). With
 * bpf(2) refused, only bpfbox's acceptance is checked (and the skip says
 * why). Without the clang-built object the test skips.
 *
 * Then small assembly programs for precision and linked scalars (a bounds
 * check on one copy of a value narrows the others: registers, spilled
 * copies, 32-bit copies, "r1 = r2 + K"): each goes to the kernel and to
 * bpfbox, and the verdicts must agree; the verdict each is written for
 * (accept / reject) is checked against the kernel, so that the case tests
 * what it says.
 */
#include "bpfbox/bpfbox.h"
#include "testlib.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "kbpf.h"

#define LOG_SZ (1u << 20)

static char klog[LOG_SZ], blog[LOG_SZ];

/* k_map - a kernel map for one definition: fd or -errno */
static int k_map(const struct bpfbox_map_def *d)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = d->type;
	a.key_size = d->key_size;
	a.value_size = d->value_size;
	a.max_entries = d->max_entries;
	a.map_flags = d->map_flags;
	return (int)kb_sys(BPF_MAP_CREATE, &a);
}

/* k_load - load p into the kernel; returns its processed-insn count, or
 * -errno (the kernel rejected it: its log is in klog) */
static long long k_load(const struct bpfbox_program *p, const int *fds, size_t nfds)
{
	size_t cnt = bpfbox_program__insn_cnt(p);
	struct bpfbox_insn *in = malloc(cnt * sizeof(*in));
	long long n;
	int fd;

	if (!in)
		return -ENOMEM;
	memcpy(in, bpfbox_program__insns(p), cnt * sizeof(*in));
	for (size_t i = 0; i < cnt; i++) {
		if (in[i].code == 0x18 && in[i].src_reg == 5) {
			if ((size_t)in[i].imm >= nfds || fds[in[i].imm] < 0) {
				free(in);
				return -EOPNOTSUPP;
			}
			in[i].imm = fds[in[i].imm];
			in[i].src_reg = BPF_PSEUDO_MAP_FD;
			i++;
		}
	}
	fd = kb_prog_load(bpfbox_program__type(p), 0, in, cnt, 0, klog, sizeof(klog), 4);
	free(in);
	if (fd < 0)
		return fd;
	close(fd);
	n = kb_log_num(klog, "processed ");
	return n < 0 ? -EPROTO : n;
}

/* b_load - load p into bpfbox; returns its processed-insn count or -errno */
static long long b_load(struct bpfbox_vm *vm, const struct bpfbox_object *obj,
			const struct bpfbox_program *p)
{
	size_t nmaps = bpfbox_object__map_cnt(obj);
	struct bpfbox_map **maps = calloc(nmaps ? nmaps : 1, sizeof(*maps));
	struct bpfbox_prog *prog = NULL;
	long long n;
	int err;

	if (!maps)
		return -ENOMEM;
	for (size_t i = 0; i < nmaps; i++)
		maps[i] = bpfbox_object__map_instance(obj, i);
	{
		BPFBOX_OPTS(bpfbox_prog_opts, po, .name = bpfbox_program__name(p),
			    .prog_type = bpfbox_program__type(p),
			    .license = bpfbox_object__license(obj), .maps = maps, .map_cnt = nmaps,
			    .log_buf = blog, .log_size = sizeof(blog), .log_level = 1);
		blog[0] = 0;
		err = bpfbox_prog__load(vm, bpfbox_program__insns(p), bpfbox_program__insn_cnt(p),
					&po, &prog);
	}
	bpfbox_prog__free(prog);
	free(maps);
	if (err)
		return err < 0 ? err : -EINVAL;
	n = kb_log_num(blog, "processed ");
	return n < 0 ? -EPROTO : n;
}

/* the prologue of the asm cases: a random r0, 16 zeroed stack bytes */
#define RND "call 7\n*(u64 *)(r10 - 8) = 0\n*(u64 *)(r10 - 16) = 0\n"
/* the epilogue: r2 = fp-16 + REG, a load through it */
#define USE(REG) "r2 = r10\nr2 += -16\nr2 += " REG "\nr0 = *(u8 *)(r2 + 0)\nout:\nr0 = 0\nexit\n"

static const struct {
	const char *name;
	bool accept;            /* the kernel's verdict on this machine */
	const char *src;
} asm_cases[] = {
	{ "linked registers", true, RND "r1 = r0\nif r1 > 15 goto out\n" USE("r0") },
	{ "linked spill", true,
	  RND "*(u64 *)(r10 - 24) = r0\nif r0 > 15 goto out\nr1 = *(u64 *)(r10 - 24)\n" USE("r1") },
	{ "linked fill", true,
	  RND "*(u64 *)(r10 - 24) = r0\nr1 = *(u64 *)(r10 - 24)\nif r1 > 15 goto out\n" USE("r0") },
	{ "linked 32-bit copy", true, RND "r0 &= 0xffff\nw1 = w0\nif w1 > 15 goto out\n" USE("r0") },
	{ "unlinked 32-bit copy", false, RND "r0 <<= 32\nr0 |= 3\nw1 = w0\nif w1 > 15 goto out\n" USE("r0") },
	{ "linked with offset", true,
	  RND "r0 &= 0xff\nr1 = r0\nr1 += 4\nif r1 > 19 goto out\n" USE("r0") },
	{ "linked with offset, off by one", false,
	  RND "r0 &= 0xff\nr1 = r0\nr1 += 4\nif r1 > 20 goto out\n" USE("r0") },
	{ "64-bit bounds from 32-bit ones (sign-extended)", true,
	  RND "r0 <<= 32\nr0 s>>= 32\nif w0 > 15 goto out\n" USE("r0") },
	{ "64-bit bounds from 32-bit ones (same high half)", true,
	  RND "r3 = 0x1ffffffff ll\nr0 &= r3\nr3 = 0xffffffff ll\nif r0 > r3 goto out\n"
	  "if w0 > 15 goto out\n" USE("r0") },
	{ "64-bit bounds from 32-bit ones, unbounded high half", false,
	  RND "r3 = 0x1ffffffff ll\nr0 &= r3\nif w0 > 15 goto out\n" USE("r0") },
	{ "combined stack 16 + 496 (JIT rounding)", true,
	  "*(u64 *)(r10 - 8) = 0\ncall pc+2\nr0 = 0\nexit\n*(u64 *)(r10 - 496) = 0\nr0 = 0\nexit\n" },
	{ "combined stack 16 + 512", false,
	  "*(u64 *)(r10 - 8) = 0\ncall pc+2\nr0 = 0\nexit\n*(u64 *)(r10 - 504) = 0\nr0 = 0\nexit\n" },
	{ "precise after a join", true,
	  RND "r7 = 0\nif r0 > 10 goto +1\nr7 = 8\nr6 = 1\n" USE("r7") },
	{ "precise after a join, out of bounds", false,
	  RND "r7 = 0\nif r0 > 10 goto +1\nr7 = 16\nr6 = 1\n" USE("r7") },
	{ "precise through a spill, out of bounds", false,
	  RND "r7 = 0\nif r0 > 10 goto +1\nr7 = 16\n*(u64 *)(r10 - 24) = r7\nr6 = 1\n"
	  "r7 = *(u64 *)(r10 - 24)\n" USE("r7") },
	{ "loop with an imprecise carried value", true,
	  RND "r6 = r0\nr7 = 0\nl:\nr6 *= 3\nr6 += 1\nr7 += 1\nif r7 < 100 goto l\n"
	  "r0 = 0\nexit\n" },
};

/* asm_case - one asm case on both verifiers */
static void asm_case(struct bpfbox_vm *vm, int k, bool kernel)
{
	BPFBOX_OPTS(bpfbox_asm_opts, ao, .syntax = BPFBOX_SYNTAX_LLVM, .filename = "t.s");
	struct bpfbox_insn *in = NULL;
	struct bpfbox_prog *prog = NULL;
	size_t n = 0;
	int berr;

	if (!CHECK_MSG(!bpfbox_asm(asm_cases[k].src, strlen(asm_cases[k].src), &ao, &in, &n),
		       "assemble %s", asm_cases[k].name))
		return;
	{
		BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "t", .prog_type = BPF_PROG_TYPE_XDP,
			    .license = "GPL", .log_buf = blog, .log_size = sizeof(blog), .log_level = 1);
		blog[0] = 0;
		berr = bpfbox_prog__load(vm, in, n, &po, &prog);
		bpfbox_prog__free(prog);
	}
	CHECK_MSG((berr == 0) == asm_cases[k].accept, "bpfbox %s '%s' (%d)\n%.2000s",
		  asm_cases[k].accept ? "accepts" : "rejects", asm_cases[k].name, berr, blog);
	if (kernel) {
		int fd = kb_prog_load(BPF_PROG_TYPE_XDP, 0, in, n, 0, klog, sizeof(klog), 1);

		if (fd >= 0)
			close(fd);
		CHECK_MSG((fd >= 0) == asm_cases[k].accept, "kernel %s '%s' (%d)\n%.2000s",
			  asm_cases[k].accept ? "accepts" : "rejects", asm_cases[k].name, fd, klog);
		CHECK_MSG((fd >= 0) == (berr == 0), "'%s': kernel %s, bpfbox %s", asm_cases[k].name,
			  fd >= 0 ? "accepts" : "rejects", berr == 0 ? "accepts" : "rejects");
	}
	free(in);
}

int main(int argc, char **argv)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	static const char *const names[] = { "collatz", "branchy", "ringbuf200", "array_const_key",
					     "collatz_heavy" };
	BPFBOX_OPTS(bpfbox_object_opts, oo);
	BPFBOX_OPTS(bpfbox_object_load_opts, lo);
	BPFBOX_OPTS(bpfbox_vm_opts, vo);
	struct bpfbox_object *obj = NULL;
	struct bpfbox_vm *vm = NULL;
	char path[4096];
	int fds[16];
	size_t nmaps;
	bool kernel = true;

	snprintf(path, sizeof(path), "%s", argc > 1 ? argv[1] : "");
	if (!path[0])
		snprintf(path, sizeof(path), "%s/bpf/vloops.o", build);
	if (!CHECK(!bpfbox_vm__new(&vo, &vm)))
		goto out;
	{
		/* the asm cases: does bpf(2) work here? */
		int err = kb_probe(BPF_PROG_TYPE_XDP);

		if (err) {
			TL_SKIP("BPF_PROG_LOAD refused (%s): asm cases on bpfbox alone", strerror(-err));
			kernel = false;
		}
		for (size_t k = 0; k < sizeof(asm_cases) / sizeof(asm_cases[0]); k++)
			asm_case(vm, (int)k, kernel);
		kernel = true;
	}
	if (access(path, R_OK)) {
		/* make builds it (mk/bpf.mk): a missing object is a build failure */
		CHECK_MSG(0, "%s missing (make builds it from tests/bpf/vloops.bpf.c)", path);
		goto out;
	}
	if (!CHECK(!bpfbox_object__open_file(path, &oo, &obj)))
		goto out;
	for (size_t i = 0; i < bpfbox_object__program_cnt(obj); i++)
		bpfbox_program__set_autoload(bpfbox_object__program(obj, i), false);
	if (!CHECK(!bpfbox_object__load(obj, vm, &lo)))
		goto out;
	nmaps = bpfbox_object__map_cnt(obj);
	if (!CHECK(nmaps <= 16))
		goto out;
	for (size_t i = 0; i < nmaps; i++) {
		fds[i] = k_map(bpfbox_object__map(obj, i));
		if (fds[i] < 0) {
			TL_SKIP("BPF_MAP_CREATE refused (%s): bpfbox alone", strerror(-fds[i]));
			kernel = false;
		}
	}
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		const struct bpfbox_program *p = NULL;
		long long kn = -1, bn;

		for (size_t i = 0; i < bpfbox_object__program_cnt(obj); i++)
			if (!strcmp(bpfbox_program__name(bpfbox_object__program(obj, i)), names[k]))
				p = bpfbox_object__program(obj, i);
		if (!CHECK_MSG(p, "program %s in %s", names[k], path))
			continue;
		bn = b_load(vm, obj, p);
		if (kernel) {
			kn = k_load(p, fds, nmaps);
			if (kn == -EPERM) {
				TL_SKIP("BPF_PROG_LOAD refused (EPERM): %s checked on bpfbox alone", names[k]);
				kn = -1;
			} else {
				CHECK_MSG(kn > 0, "kernel accepts %s (%lld)\n%.2000s", names[k], kn,
					  klog);
			}
		}
		CHECK_MSG(bn > 0, "bpfbox accepts %s (%lld)\n%.3000s", names[k], bn, blog);
		{
			const char *bl = strstr(blog, "processed "), *kl = strstr(klog, "processed ");

			printf("bpfbox: %.*s", bl ? (int)strcspn(bl, "\n") + 1 : 0, bl ? bl : "");
			if (kn > 0)
				printf("kernel: %.*s", kl ? (int)strcspn(kl, "\n") + 1 : 0, kl ? kl : "");
		}
		printf("%-12s processed insns: bpfbox %lld, kernel %lld", names[k], bn, kn);
		if (bn > 0 && kn > 0) {
			printf(", ratio %.3f\n", (double)bn / (double)kn);
			CHECK_MSG((double)bn <= 1.2 * (double)kn, "%s: bpfbox processes %lld insns, "
				  "more than 1.2x the kernel's %lld", names[k], bn, kn);
		} else {
			printf("\n");
		}
	}
	for (size_t i = 0; i < nmaps; i++)
		if (fds[i] >= 0)
			close(fds[i]);
out:
	bpfbox_object__close(obj);
	bpfbox_vm__free(vm);
	return tl_summary();
}

/*
 * test_btf_kernel.c - BTF-typed programs (fentry, fexit, tp_btf, lsm,
 * iter: PTR_TO_BTF_ID, src/verifier/btf_access.c) judged by the kernel
 * and by bpfbox. tests/bpf/btf_progs.bpf.c holds ok_* programs (meant to
 * verify) and bad_* ones (each breaking one of the kernel's rules: access
 * beyond a struct or member, a write, a wrong size, a missing NULL check,
 * a missing argument, ...). Each program goes, with the same relocated
 * instructions, to bpf(2) BPF_PROG_LOAD (attach_btf_id of its target in
 * /sys/kernel/btf/vmlinux) and to bpfbox_prog__load (the same id in the
 * same BTF, as bpfbox_object__load passes it); the verdicts must agree,
 * and must be the one the name says (so a test that both verifiers pass
 * for the wrong reason shows). Also: bpfbox's error names the kernel's
 * rule, a verified program runs checked only (it reads kernel objects),
 * bpfbox_btf__find_attach / bpfbox_program__set_attach_target.
 * Skips (saying why) without kernel BPF or /sys/kernel/btf/vmlinux.
 */
#include <errno.h>
#include <libgen.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfbox/bpfbox.h"
#include "kbpf.h"
#include "testlib.h"

static char obj_path[640];
static bool verbose;

/* kernel_load - BPF_PROG_LOAD of p with its attach target: 1 accepted,
 * 0 refused (log in klog), -errno when the kernel cannot judge it. */
static int kernel_load(const struct bpfbox_program *p, char *klog, size_t n)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = bpfbox_program__type(p);
	a.expected_attach_type = bpfbox_program__expected_attach_type(p);
	a.attach_btf_id = bpfbox_program__attach_btf_id(p);
	a.insns = (uint64_t)(uintptr_t)bpfbox_program__insns(p);
	a.insn_cnt = (uint32_t)bpfbox_program__insn_cnt(p);
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_buf = (uint64_t)(uintptr_t)klog;
	a.log_size = (uint32_t)n;
	a.log_level = 1;
	klog[0] = 0;
	fd = (int)kb_sys(BPF_PROG_LOAD, &a);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	if (fd == -EACCES || fd == -EINVAL)
		return 0;
	return fd;
}

/* bpfbox_load - the same program into bpfbox: 1 accepted, 0 refused. */
static int bpfbox_load(struct bpfbox_vm *vm, const struct bpfbox_object *obj,
		       const struct bpfbox_program *p, char *log, size_t n, struct bpfbox_prog **out)
{
	BPFBOX_OPTS(bpfbox_prog_opts, po, .name = bpfbox_program__name(p),
		    .prog_type = bpfbox_program__type(p),
		    .expected_attach_type = bpfbox_program__expected_attach_type(p),
		    .license = bpfbox_object__license(obj), .log_buf = log, .log_size = n,
		    .attach_btf = bpfbox_object__target_btf(obj),
		    .attach_btf_id = bpfbox_program__attach_btf_id(p));
	int err = bpfbox_prog__load(vm, bpfbox_program__insns(p), bpfbox_program__insn_cnt(p), &po, out);

	return err == 0 ? 1 : 0;
}

/* last_line - the last non-empty line of s, for messages. */
static const char *last_line(const char *s, char *buf, size_t n)
{
	kb_log_error(s, buf, n);
	return buf;
}

/* Every program of btf_progs.o: the kernel, bpfbox and the name agree. */
static void test_verdicts(void)
{
	struct bpfbox_object *obj = NULL;
	struct bpfbox_vm *vm = NULL;
	static char klog[1 << 16], blog[1 << 16];
	char e1[256], e2[256];
	int n = 0, agree = 0, per_kind[5] = { 0 }, unjudged = 0, kerr = 0;

	if (!CHECK(bpfbox_object__open_file(obj_path, NULL, &obj) == 0))
		return;
	if (!CHECK(bpfbox_vm__new(NULL, &vm) == 0))
		goto out;
	CHECK_MSG(bpfbox_object__target_btf(obj) != NULL, "the kernel BTF was loaded for the attach targets");
	for (size_t i = 0; i < bpfbox_object__program_cnt(obj); i++) {
		struct bpfbox_program *p = bpfbox_object__program(obj, i);
		const char *name = bpfbox_program__name(p), *kind = bpfbox_program__sec_kind(p);
		bool want = !strncmp(name, "ok_", 3);
		struct bpfbox_prog *bp = NULL;
		int k, b;

		if (!CHECK_MSG(bpfbox_program__loadable(p, NULL) && bpfbox_program__attach_btf_id(p),
			       "%s: attach target of '%s' resolved", name, bpfbox_program__section_name(p)))
			continue;
		k = kernel_load(p, klog, sizeof(klog));
		b = bpfbox_load(vm, obj, p, blog, sizeof(blog), &bp);
		if (k < 0) {
			/* e.g. EPERM before any verification: kernels that do not
			 * allow trampolines (fentry/fexit/lsm) in this sandbox. The
			 * same rules are judged by the kernel in the tp_btf copies;
			 * here bpfbox must give the verdict the name says. */
			unjudged++;
			kerr = k;
			CHECK_MSG(b == want, "%s: bpfbox %s it (the name says %s): %s", name,
				  b ? "accepts" : "refuses", want ? "ok" : "bad", last_line(blog, e2, sizeof(e2)));
			if (verbose)
				printf("  %-18s %-22s kernel -       bpfbox %-7s %s\n", name,
				       bpfbox_program__section_name(p), b ? "accept" : "refuse",
				       b ? "" : last_line(blog, e2, sizeof(e2)));
			bpfbox_prog__free(bp);
			continue;
		}
		n++;
		agree += k == b;
		per_kind[!strncmp(kind, "fentry", 6) ? 0 : !strncmp(kind, "fexit", 5) ? 1 :
			 !strncmp(kind, "tp_btf", 6) ? 2 : !strncmp(kind, "lsm", 3) ? 3 : 4]++;
		CHECK_MSG(k == b, "%s (%s): kernel %s, bpfbox %s\n  kernel: %s\n  bpfbox: %s", name,
			  bpfbox_program__section_name(p), k ? "accepts" : "refuses",
			  b ? "accepts" : "refuses", last_line(klog, e1, sizeof(e1)),
			  last_line(blog, e2, sizeof(e2)));
		CHECK_MSG(k == want, "%s: the kernel %s it (the name says %s): %s", name,
			  k ? "accepts" : "refuses", want ? "ok" : "bad", last_line(klog, e1, sizeof(e1)));
		if (verbose)
			printf("  %-18s %-22s kernel %-7s bpfbox %-7s %s\n", name,
			       bpfbox_program__section_name(p), k ? "accept" : "refuse", b ? "accept" : "refuse",
			       k ? "" : last_line(klog, e1, sizeof(e1)));
		bpfbox_prog__free(bp);
	}
	if (unjudged)
		TL_SKIP("%d programs (fentry/fexit/lsm) this kernel does not judge (%s before verifying, "
			"an empty log): bpfbox's verdicts on them are checked against their names only",
			unjudged, strerror(-kerr));
	printf("  %d BTF-typed programs (fentry %d, fexit %d, tp_btf %d, lsm %d, iter %d): "
	       "kernel and bpfbox agree on %d\n", n, per_kind[0], per_kind[1], per_kind[2], per_kind[3],
	       per_kind[4], agree);
	CHECK_MSG(n >= 15, "at least 15 programs judged by both (%d)", n);
out:
	bpfbox_vm__free(vm);
	bpfbox_object__close(obj);
}

/* bpfbox's error is the kernel's rule (the kernel log's last line). */
static void test_messages(void)
{
	static const struct { const char *prog, *msg; } cases[] = {
		{ "bad_beyond", "access beyond struct file at off 4096 size 8" },
		{ "bad_write", "only read is supported" },
		{ "bad_ptr_size", "cannot access ptr member name with moff 0 in struct filename with off 0 size 4" },
		{ "bad_iter_null", "invalid mem access 'trusted_ptr_or_null_'" },
		{ "bad_negative", "invalid negative access: off=-8" },
		{ "bad_ctx_size", "invalid bpf_context access off=8 size=4" },
		{ "bad_ctx_write", "invalid bpf_context access off=0 size=8" },
		{ "bad_tp_beyond", "access beyond struct task_struct at off 65536 size 8" },
		{ "bad_tp_write", "only read is supported" },
		{ "bad_tp_ptr_size", "cannot access ptr member real_parent with moff" },
		{ "bad_tp_member_end", "access beyond the end of member pid (mend:" },
		{ "bad_tp_ctx_size", "func 'sched_switch' size 4 must be 8" },
		{ "bad_tp_ctx_arg", "func 'sched_switch' doesn't have 5-th argument" },
		{ "bad_tp_ctx_off", "func 'sched_switch' offset 4 is not multiple of 8" },
		{ "bad_tp_negative", "R1 is ptr_task_struct invalid negative access: off=-16" },
		{ "bad_tp_varoff", "is ptr_task_struct invalid variable offset: off=0, var_off=(0x0; 0x7)" },
		{ "bad_iter_null", "invalid mem access 'trusted_ptr_or_null_'" },
	};
	struct bpfbox_object *obj = NULL;
	struct bpfbox_vm *vm = NULL;
	static char klog[1 << 16], blog[1 << 16];

	if (!CHECK(bpfbox_object__open_file(obj_path, NULL, &obj) == 0))
		return;
	if (!CHECK(bpfbox_vm__new(NULL, &vm) == 0))
		goto out;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bpfbox_program *p = bpfbox_object__find_program_by_name(obj, cases[i].prog);
		struct bpfbox_prog *bp = NULL;

		if (!CHECK_MSG(p, "%s in the object", cases[i].prog))
			continue;
		CHECK(bpfbox_load(vm, obj, p, blog, sizeof(blog), &bp) == 0);
		CHECK_MSG(strstr(blog, cases[i].msg), "%s: bpfbox's log has \"%s\":\n%s", cases[i].prog,
			  cases[i].msg, blog);
		/* the kernel's log says the same (pinned from the kernel, checked live) */
		if (kernel_load(p, klog, sizeof(klog)) == 0)
			CHECK_MSG(strstr(klog, cases[i].msg), "%s: the kernel's log has \"%s\":\n%s",
				  cases[i].prog, cases[i].msg, klog);
		bpfbox_prog__free(bp);
	}
out:
	bpfbox_vm__free(vm);
	bpfbox_object__close(obj);
}

/* Verified BTF-typed programs are unproven: a run is checked, and a load
 * through the (fake) kernel pointer in the context faults there. */
static void test_run_checked(void)
{
	struct bpfbox_object *obj = NULL;
	struct bpfbox_vm *vm = NULL;
	struct bpfbox_program *p;
	struct bpfbox_prog *bp = NULL;
	uint64_t args[12] = { 0, 0x1000, 0 };
	static char blog[1 << 14];

	if (!CHECK(bpfbox_object__open_file(obj_path, NULL, &obj) == 0))
		return;
	if (!CHECK(bpfbox_vm__new(NULL, &vm) == 0))
		goto out;
	p = bpfbox_object__find_program_by_name(obj, "ok_fentry_flex");
	if (CHECK(p) && CHECK(bpfbox_load(vm, obj, p, blog, sizeof(blog), &bp) == 1)) {
		struct bpfbox_run_opts ro = { .sz = sizeof(ro), .ctx = args, .ctx_size = sizeof(args) };

		/* AUTO: checked (unproven); the read of 0x1000 + 40 is outside every region */
		CHECK(bpfbox_prog__run(bp, &ro) < 0);
	}
	bpfbox_prog__free(bp);
out:
	bpfbox_vm__free(vm);
	bpfbox_object__close(obj);
}

/* Attach targets: the BTF lookups by kind, and set_attach_target. */
static void test_attach_targets(void)
{
	struct bpfbox_object *obj = NULL;
	const struct bpfbox_btf *btf;
	struct bpfbox_program *p;
	uint32_t id;

	if (!CHECK(bpfbox_object__open_file(obj_path, NULL, &obj) == 0))
		return;
	btf = bpfbox_object__target_btf(obj);
	CHECK(bpfbox_btf__find_attach(btf, BPF_TRACE_RAW_TP, "sched_switch") > 0);
	CHECK(bpfbox_btf__find_attach(btf, BPF_LSM_MAC, "file_open") > 0);
	CHECK(bpfbox_btf__find_attach(btf, BPF_TRACE_ITER, "task") > 0);
	CHECK(bpfbox_btf__find_attach(btf, BPF_TRACE_FENTRY, "do_unlinkat") > 0);
	CHECK(bpfbox_btf__find_attach(btf, BPF_TRACE_FENTRY, "no_such_function_here") == -ENOENT);
	p = bpfbox_object__find_program_by_name(obj, "ok_fentry_flex");
	if (CHECK(p)) {
		id = bpfbox_program__attach_btf_id(p);
		CHECK_EQ_INT(id, bpfbox_btf__find_attach(btf, BPF_TRACE_FENTRY, "do_unlinkat"));
		CHECK(bpfbox_program__set_attach_target(p, "no_such_function_here") == 0);
		CHECK(!bpfbox_program__loadable(p, NULL));
		CHECK(bpfbox_program__set_attach_target(p, "do_rmdir") == 0);
		CHECK(bpfbox_program__loadable(p, NULL));
		CHECK_EQ_INT(bpfbox_program__attach_btf_id(p),
			     bpfbox_btf__find_attach(btf, BPF_TRACE_FENTRY, "do_rmdir"));
	}
	bpfbox_object__close(obj);
}

int main(int argc, char **argv)
{
	char self[512];
	int err;

	(void)argc;
	verbose = getenv("TEST_VERBOSE") != NULL;
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(obj_path, sizeof(obj_path), "%s/../bpf/btf_progs.o", dirname(self));
	if (!CHECK_MSG(access(obj_path, R_OK) == 0, "%s missing (mk/bpf.mk builds it)", obj_path))
		return tl_summary();
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		TL_SKIP("no /sys/kernel/btf/vmlinux: no kernel BTF to find attach targets in");
		return tl_summary();
	}
	err = kb_probe(BPF_PROG_TYPE_SOCKET_FILTER);
	if (err) {
		TL_SKIP("no kernel BPF here (bpf(2): %s): nothing to compare with", strerror(-err));
		TL_RUN(test_attach_targets);
		return tl_summary();
	}
	TL_RUN(test_verdicts);
	TL_RUN(test_messages);
	TL_RUN(test_run_checked);
	TL_RUN(test_attach_targets);
	return tl_summary();
}

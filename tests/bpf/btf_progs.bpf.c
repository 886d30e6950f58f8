// SPDX-License-Identifier: GPL-2.0
/* btf_progs.bpf.c - BTF-typed programs (fentry, fexit, tp_btf, lsm, iter)
 * whose arguments are kernel objects, for tests/test_btf_kernel.c: each
 * is loaded into the kernel (BPF_PROG_LOAD with the attach_btf_id found in
 * /sys/kernel/btf/vmlinux) and into bpfbox, and the verdicts must agree.
 * Programs named ok_* are meant to verify, bad_* to be refused (the
 * comment says by which rule). No vmlinux.h: the few kernel types used
 * are declared here with the fields needed, preserve_access_index, so
 * CO-RE puts the kernel's offsets in. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define PAI __attribute__((preserve_access_index))
/* keep a loaded value alive */
#define USE(v) asm volatile("" : : "r"(v))

struct sched_entity { unsigned long long vruntime; } PAI;
struct task_struct {
	int pid;
	int tgid;
	char comm[16];
	struct task_struct *real_parent;
	struct task_struct *parent;
	struct sched_entity se;
	void *mm;
} PAI;
struct filename { const char *name; } PAI;
struct inode { unsigned long i_ino; } PAI;
struct file { struct inode *f_inode; unsigned int f_mode; } PAI;
struct bpf_iter_meta { unsigned long long seq_num; } PAI;
struct bpf_iter__task { struct bpf_iter_meta *meta; struct task_struct *task; } PAI;

static struct task_struct *(*get_current_task_btf)(void) = (void *)158;

/* ---- verify --------------------------------------------------------------- */

/* a pointer member to a non-struct (char *): read it through the helper */
SEC("fentry/do_unlinkat")
int ok_fentry_unlink(unsigned long long *ctx)
{
	struct filename *n = (void *)ctx[1];
	char buf[8];

	bpf_probe_read_kernel(buf, sizeof(buf), n->name);
	USE(buf[0]);
	return 0;
}

/* beyond struct filename (32 bytes) lies its flexible char array iname[] */
SEC("fentry/do_unlinkat")
int ok_fentry_flex(unsigned long long *ctx)
{
	char c = *((volatile char *)ctx[1] + 40);

	USE(c);
	return 0;
}

/* fexit: the return value after the arguments */
SEC("fexit/do_unlinkat")
int ok_fexit_ret(unsigned long long *ctx)
{
	int ret = (int)ctx[2], dfd = (int)ctx[0];

	USE(ret);
	USE(dfd);
	return 0;
}

/* tp_btf: args after the hidden void *; nested struct, array, RCU walk */
SEC("tp_btf/sched_switch")
int ok_tp_switch(unsigned long long *ctx)
{
	struct task_struct *prev = (void *)ctx[1], *next = (void *)ctx[2];
	int pid = next->pid, ptgid = prev->real_parent->tgid;
	char c = next->comm[3];
	unsigned long long vr = next->se.vruntime;
	unsigned int st = (unsigned int)ctx[3];

	USE(pid); USE(ptgid); USE(c); USE(vr); USE(st);
	return 0;
}

/* walking untrusted pointers needs no NULL check (PROBE_MEM loads) */
SEC("tp_btf/sched_switch")
int ok_tp_untrusted(unsigned long long *ctx)
{
	struct task_struct *prev = (void *)ctx[1];
	int pid = prev->parent->parent->pid;

	USE(pid);
	return 0;
}

SEC("lsm/file_open")
int ok_lsm_open(unsigned long long *ctx)
{
	struct file *f = (void *)ctx[0];
	unsigned long ino = f->f_inode->i_ino;
	unsigned int mode = f->f_mode;

	USE(ino); USE(mode);
	return 0;
}

SEC("iter/task")
int ok_iter_task(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	unsigned long long seq = ctx->meta->seq_num;

	USE(seq);
	if (!t)
		return 0;
	USE(t->pid);
	return 0;
}

/* bpf_get_current_task_btf() returns a trusted task_struct */
SEC("fentry/do_unlinkat")
int ok_current_task(unsigned long long *ctx)
{
	struct task_struct *t = get_current_task_btf();
	void *mm = 0;

	USE(t->tgid);
	bpf_probe_read_kernel(&mm, sizeof(mm), &t->mm);
	USE(mm);
	(void)ctx;
	return 0;
}

/* ---- refused -------------------------------------------------------------- */

/* access beyond struct file */
SEC("lsm/file_open")
int bad_beyond(unsigned long long *ctx)
{
	long v = *(volatile long *)((char *)ctx[0] + 4096);

	USE(v);
	return 0;
}

/* only read is supported */
SEC("lsm/file_open")
int bad_write(unsigned long long *ctx)
{
	struct file *f = (void *)ctx[0];

	f->f_mode = 0;
	return 0;
}

/* 4 bytes of an 8-byte pointer member: cannot access ptr member */
SEC("fentry/do_unlinkat")
int bad_ptr_size(unsigned long long *ctx)
{
	struct filename *n = (void *)ctx[1];
	int v = *(volatile int *)&n->name;

	USE(v);
	return 0;
}

/* 8 bytes at a 4-byte member: access beyond the end of member */
SEC("lsm/file_open")
int bad_member_end(unsigned long long *ctx)
{
	struct file *f = (void *)ctx[0];
	long v = *(volatile long *)&f->f_mode;

	USE(v);
	return 0;
}

/* a pointer argument read with 4 bytes: size 4 must be 8 */
SEC("fentry/do_unlinkat")
int bad_ctx_size(unsigned long long *ctx)
{
	unsigned int v = *(volatile unsigned int *)&ctx[1];

	USE(v);
	return 0;
}

/* do_unlinkat has 2 arguments: no 4th */
SEC("fentry/do_unlinkat")
int bad_ctx_arg(unsigned long long *ctx)
{
	unsigned long long v = *(volatile unsigned long long *)&ctx[3];

	USE(v);
	return 0;
}

/* fentry has no return value to read (fexit does) */
SEC("fentry/do_unlinkat")
int bad_fentry_ret(unsigned long long *ctx)
{
	unsigned long long v = *(volatile unsigned long long *)&ctx[2];

	USE(v);
	return 0;
}

/* the context is read-only */
SEC("fentry/do_unlinkat")
int bad_ctx_write(unsigned long long *ctx)
{
	*(volatile unsigned long long *)&ctx[0] = 0;
	return 0;
}

/* iter/task's task may be NULL: trusted_ptr_or_null_ */
SEC("iter/task")
int bad_iter_null(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;

	USE(t->pid);
	return 0;
}

/* negative offset from a kernel object */
SEC("fentry/do_unlinkat")
int bad_negative(unsigned long long *ctx)
{
	long v = *(volatile long *)((char *)ctx[1] - 8);

	USE(v);
	return 0;
}

/* variable offset into a kernel object */
SEC("fentry/do_unlinkat")
int bad_varoff(unsigned long long *ctx)
{
	char v = *((volatile char *)ctx[1] + (ctx[0] & 7));

	USE(v);
	return 0;
}

/* a scalar argument (int dfd) is not a pointer */
SEC("fentry/do_unlinkat")
int bad_scalar_deref(unsigned long long *ctx)
{
	int v = *(volatile int *)ctx[0];

	USE(v);
	return 0;
}

/* ---- the same rules in tp_btf programs ------------------------------------
 * (kernels that refuse fentry/fexit/lsm loads outright, as some sandboxed
 * ones do with EPERM, still judge these) */

/* a bool argument, read with its own size */
SEC("tp_btf/sched_switch")
int ok_tp_bool(unsigned long long *ctx)
{
	unsigned char preempt = *(volatile unsigned char *)ctx;

	USE(preempt);
	return 0;
}

SEC("tp_btf/sched_switch")
int ok_tp_current_task(unsigned long long *ctx)
{
	struct task_struct *t = get_current_task_btf();
	void *mm = 0;

	USE(t->real_parent->pid);
	bpf_probe_read_kernel(&mm, sizeof(mm), &t->mm);
	USE(mm);
	(void)ctx;
	return 0;
}

/* a pointer member's value given to probe_read_kernel */
SEC("tp_btf/sched_switch")
int ok_tp_probe_read(unsigned long long *ctx)
{
	struct task_struct *next = (void *)ctx[2];
	int pid = 0;

	bpf_probe_read_kernel(&pid, sizeof(pid), &next->real_parent->pid);
	USE(pid);
	return 0;
}

/* constant arithmetic on a BTF pointer, then a load at the member */
SEC("tp_btf/sched_switch")
int ok_tp_ptr_arith(unsigned long long *ctx)
{
	char *p = (char *)ctx[2] + 1264;	/* task_struct.pid on this kernel's layout */
	int v = *(volatile int *)p;

	USE(v);
	return 0;
}

SEC("iter/task")
int ok_iter_meta(struct bpf_iter__task *ctx)
{
	struct bpf_iter_meta *m = ctx->meta;

	USE(m->seq_num);
	return 0;
}

/* access beyond struct task_struct */
SEC("tp_btf/sched_switch")
int bad_tp_beyond(unsigned long long *ctx)
{
	long v = *(volatile long *)((char *)ctx[1] + 65536);

	USE(v);
	return 0;
}

SEC("tp_btf/sched_switch")
int bad_tp_write(unsigned long long *ctx)
{
	struct task_struct *next = (void *)ctx[2];

	next->pid = 0;
	return 0;
}

SEC("tp_btf/sched_switch")
int bad_tp_ptr_size(unsigned long long *ctx)
{
	struct task_struct *prev = (void *)ctx[1];
	int v = *(volatile int *)&prev->real_parent;

	USE(v);
	return 0;
}

/* 8 bytes at the 4-byte pid */
SEC("tp_btf/sched_switch")
int bad_tp_member_end(unsigned long long *ctx)
{
	struct task_struct *next = (void *)ctx[2];
	long v = *(volatile long *)&next->pid;

	USE(v);
	return 0;
}

SEC("tp_btf/sched_switch")
int bad_tp_ctx_size(unsigned long long *ctx)
{
	unsigned int v = *(volatile unsigned int *)&ctx[2];

	USE(v);
	return 0;
}

/* sched_switch has 4 arguments (after the hidden void *) */
SEC("tp_btf/sched_switch")
int bad_tp_ctx_arg(unsigned long long *ctx)
{
	unsigned long long v = *(volatile unsigned long long *)&ctx[4];

	USE(v);
	return 0;
}

/* offset 4 is not a multiple of 8 */
SEC("tp_btf/sched_switch")
int bad_tp_ctx_off(unsigned long long *ctx)
{
	unsigned int v = *(volatile unsigned int *)((char *)ctx + 4);

	USE(v);
	return 0;
}

SEC("tp_btf/sched_switch")
int bad_tp_ctx_write(unsigned long long *ctx)
{
	*(volatile unsigned long long *)&ctx[3] = 0;
	return 0;
}

SEC("tp_btf/sched_switch")
int bad_tp_negative(unsigned long long *ctx)
{
	long v = *(volatile long *)((char *)ctx[1] - 16);

	USE(v);
	return 0;
}

SEC("tp_btf/sched_switch")
int bad_tp_varoff(unsigned long long *ctx)
{
	char v = *((volatile char *)ctx[1] + (ctx[3] & 7));

	USE(v);
	return 0;
}

/* bool preempt is a number */
SEC("tp_btf/sched_switch")
int bad_tp_scalar_deref(unsigned long long *ctx)
{
	int v = *(volatile int *)ctx[0];

	USE(v);
	return 0;
}

/* an atomic add into a kernel object */
SEC("tp_btf/sched_switch")
int bad_tp_atomic(unsigned long long *ctx)
{
	struct task_struct *next = (void *)ctx[2];

	__sync_fetch_and_add(&next->pid, 1);
	return 0;
}

/* a hole or padding: no member at that offset (task_struct.pid + 2: inside pid,
 * 4 bytes crossing into tgid) */
SEC("tp_btf/sched_switch")
int bad_tp_cross(unsigned long long *ctx)
{
	int v = *(volatile int *)((char *)ctx[2] + 1266);

	USE(v);
	return 0;
}

/* mm_page_alloc's page may be NULL (the kernel's raw_tp_null_args); the
 * first 8 bytes of struct page are its flags */
struct page;

SEC("tp_btf/mm_page_alloc")
int ok_tp_null_checked(unsigned long long *ctx)
{
	struct page *pg = (void *)ctx[0];

	if (!pg)
		return 0;
	USE(*(volatile unsigned long *)pg);
	return 0;
}

SEC("tp_btf/mm_page_alloc")
int bad_tp_null_unchecked(unsigned long long *ctx)
{
	struct page *pg = (void *)ctx[0];

	USE(*(volatile unsigned long *)pg);
	return 0;
}

/*
 * test_verifier_loops.c - loops the kernel's verifier accepts thanks to its
 * precision tracking (mark_chain_precision): tests/bpf/vloops.bpf.c
 * (collatz, branchy from bench/progs/loops.h, ringbuf200).
 *
 * Each program is loaded into the running kernel (BPF_PROG_LOAD,
 * log_level BPF_LOG_STATS, kernel maps created from the object's
 * definitions) and into bpfbox (bpfbox_prog__load with a log). Both must
 * accept, and bpfbox's "processed N insns" must be within 1.2x of the
 * kernel's (the kernel's number read from its log on this machine). With
 * bpf(2) refused, only bpfbox's acceptance is checked (and the skip says
 * why). Without the clang-built object the test skips.
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

#define LOG_SZ (1u << 20)

static char klog[LOG_SZ], blog[LOG_SZ];

/* sys_bpf - the raw syscall, -errno on failure */
static long sys_bpf(int cmd, union bpf_attr *a)
{
	long r = syscall(__NR_bpf, cmd, a, sizeof(*a));
	return r < 0 ? -errno : r;
}

/* log_num - the number after key in log, or -1 */
static long long log_num(const char *log, const char *key)
{
	const char *p = strstr(log, key);
	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

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
	return (int)sys_bpf(BPF_MAP_CREATE, &a);
}

/* k_load - load p into the kernel; returns its processed-insn count, or
 * -errno (the kernel rejected it: its log is in klog) */
static long long k_load(const struct bpfbox_program *p, const int *fds, size_t nfds)
{
	size_t cnt = bpfbox_program__insn_cnt(p);
	struct bpfbox_insn *in = malloc(cnt * sizeof(*in));
	union bpf_attr a;
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
	memset(&a, 0, sizeof(a));
	a.prog_type = bpfbox_program__type(p);
	a.insns = (uint64_t)(uintptr_t)in;
	a.insn_cnt = (uint32_t)cnt;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_level = 4;
	a.log_buf = (uint64_t)(uintptr_t)klog;
	a.log_size = sizeof(klog);
	klog[0] = 0;
	fd = (int)sys_bpf(BPF_PROG_LOAD, &a);
	free(in);
	if (fd < 0)
		return fd;
	close(fd);
	n = log_num(klog, "processed ");
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
	n = log_num(blog, "processed ");
	return n < 0 ? -EPROTO : n;
}

int main(int argc, char **argv)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	static const char *const names[] = { "collatz", "branchy", "ringbuf200" };
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
	if (access(path, R_OK)) {
		TL_SKIP("%s not built (needs clang and libbpf-dev)", path);
		return tl_summary();
	}
	if (!CHECK(!bpfbox_object__open_file(path, &oo, &obj)) || !CHECK(!bpfbox_vm__new(&vo, &vm)))
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

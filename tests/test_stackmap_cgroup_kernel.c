/*
 * test_stackmap_cgroup_kernel.c - BPF_MAP_TYPE_STACK_TRACE and
 * BPF_MAP_TYPE_CGROUP_ARRAY and their helpers against the running kernel
 * through bpf(2):
 *   1. creation: the same parameter sets, the same return code;
 *   2. the syscall commands on both maps (update refused, lookup, delete,
 *      get_next_key; cgroup fds and non-cgroup fds): the same return codes;
 *   3. verifier verdicts of programs that use the maps with the allowed and
 *      the refused helpers: the same accept/refuse;
 *   4. test runs (raw_tracepoint; the kernel's BPF_PROG_TEST_RUN runs in
 *      this process's context, so its "current task" is this process as
 *      bpfbox's is): bpf_get_current_cgroup_id() and
 *      bpf_current_task_under_cgroup() on the cgroup2 root, this process's
 *      own cgroup and an empty slot give the same r0.
 */
#include "bpfbox/bpfbox.h"
#include "bpfbox/map.h"
#include "bpfbox/object.h"
#include "testlib.h"
#include "kbpf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static struct bpfbox_vm *vm;
static char klog[65536];

/* BPF_MAP_CREATE (tests/kbpf.c): fd or -errno. */
static int k_create(uint32_t t, uint32_t ks, uint32_t vs, uint32_t me, uint32_t fl)
{
	return kb_map_create_ex(t, ks, vs, me, fl, 0);
}


/* A bpfbox map: the map, or NULL with *err. */
static struct bpfbox_map *b_create(uint32_t t, uint32_t ks, uint32_t vs, uint32_t me, uint32_t fl,
				   int *err)
{
	BPFBOX_OPTS(bpfbox_map_create_opts, o, .map_flags = fl);
	struct bpfbox_map *m = NULL;

	*err = bpfbox_map__create(t, ks, vs, me, &o, &m);
	return m;
}

/* 1. creation parameter sets. */
static void test_create(void)
{
	static const struct { uint32_t t, ks, vs, me, fl; } c[] = {
		{ 7, 4, 8, 1, 0 }, { 7, 4, 127 * 8, 64, 0 }, { 7, 4, 128 * 8, 64, 0 },
		{ 7, 4, 12, 4, 0 }, { 7, 4, 4, 4, 0 }, { 7, 8, 8, 4, 0 }, { 7, 4, 8, 0, 0 },
		{ 7, 4, 32, 4, BPF_F_STACK_BUILD_ID }, { 7, 4, 40, 4, BPF_F_STACK_BUILD_ID },
		{ 7, 4, 127 * 32, 4, BPF_F_STACK_BUILD_ID }, { 7, 4, 128 * 32, 4, BPF_F_STACK_BUILD_ID },
		{ 7, 4, 8, 4, BPF_F_NO_PREALLOC }, { 7, 4, 8, 4, BPF_F_RDONLY }, { 7, 4, 8, 4, BPF_F_MMAPABLE },
		{ 7, 4, 8, 5, 0 }, { 7, 4, 8, 0x80000001u, 0 },
		{ 8, 4, 4, 4, 0 }, { 8, 4, 8, 4, 0 }, { 8, 8, 4, 4, 0 }, { 8, 4, 4, 0, 0 },
		{ 8, 4, 4, 4, BPF_F_MMAPABLE }, { 8, 4, 4, 4, BPF_F_NO_PREALLOC }, { 8, 4, 4, 4, BPF_F_RDONLY_PROG },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int kfd = k_create(c[i].t, c[i].ks, c[i].vs, c[i].me, c[i].fl), berr;
		struct bpfbox_map *m = b_create(c[i].t, c[i].ks, c[i].vs, c[i].me, c[i].fl, &berr);

		CHECK_MSG((kfd >= 0 ? 0 : kfd) == berr,
			  "create type %u ks %u vs %u max %u flags 0x%x: kernel %d, bpfbox %d",
			  c[i].t, c[i].ks, c[i].vs, c[i].me, c[i].fl, kfd >= 0 ? 0 : kfd, berr);
		if (kfd >= 0)
			close(kfd);
		bpfbox_map__free(m);
	}
}

/* The same command on both: compare return codes. */
#define SAME(what, k, b) do { int k_ = (k), b_ = (b); \
	CHECK_MSG(k_ == b_, "%s: kernel %d, bpfbox %d", what, k_, b_); } while (0)

/* 2a. stack_trace from userspace. */
static void test_stack_ops(void)
{
	uint64_t v[4] = { 1, 2, 3, 4 };
	uint32_t key = 0, next = 0, big = 1000;
	int kfd = k_create(7, 4, 32, 8, 0), err;
	struct bpfbox_map *m = b_create(7, 4, 32, 8, 0, &err);

	CHECK(kfd >= 0 && m);
	if (kfd < 0 || !m)
		goto out;
	SAME("update", kb_map_op(BPF_MAP_UPDATE_ELEM, kfd, &key, v, 0), bpfbox_map__update_elem(m, &key, v, 0));
	SAME("lookup empty", kb_map_op(BPF_MAP_LOOKUP_ELEM, kfd, &key, v, 0), bpfbox_map__lookup_elem(m, &key, v, 0));
	SAME("lookup out of range", kb_map_op(BPF_MAP_LOOKUP_ELEM, kfd, &big, v, 0),
	     bpfbox_map__lookup_elem(m, &big, v, 0));
	SAME("delete empty", kb_map_op(BPF_MAP_DELETE_ELEM, kfd, &key, NULL, 0), bpfbox_map__delete_elem(m, &key));
	SAME("delete out of range", kb_map_op(BPF_MAP_DELETE_ELEM, kfd, &big, NULL, 0),
	     bpfbox_map__delete_elem(m, &big));
	SAME("next_key NULL", kb_map_op(BPF_MAP_GET_NEXT_KEY, kfd, NULL, &next, 0),
	     bpfbox_map__get_next_key(m, NULL, &next));
	SAME("next_key 3", kb_map_op(BPF_MAP_GET_NEXT_KEY, kfd, &key, &next, 0),
	     bpfbox_map__get_next_key(m, &key, &next));
	SAME("lookup_and_delete", kb_map_op(BPF_MAP_LOOKUP_AND_DELETE_ELEM, kfd, &key, v, 0),
	     bpfbox_map__lookup_and_delete_elem(m, &key, v, 0));
out:
	if (kfd >= 0)
		close(kfd);
	bpfbox_map__free(m);
}

/* This process's cgroup v2 directory, open (O_RDONLY|O_DIRECTORY), or -1;
 * root: the cgroup2 mount. */
static int open_cgroup(bool root, char *path, size_t n)
{
	char line[4096], mnt[1024] = "", dir[1024], type[64], dev[256];
	FILE *f = fopen("/proc/self/mounts", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s %1023s %63s", dev, dir, type) == 3 && !strcmp(type, "cgroup2")) {
			snprintf(mnt, sizeof(mnt), "%s", dir);
			break;
		}
	fclose(f);
	if (!mnt[0])
		return -1;
	snprintf(path, n, "%s", mnt);
	if (!root) {
		f = fopen("/proc/self/cgroup", "re");
		if (!f)
			return -1;
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "0::", 3)) {
				line[strcspn(line, "\n")] = 0;
				snprintf(path, n, "%s%s", mnt, line + 3);
			}
		fclose(f);
	}
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* 2b. cgroup_array from userspace. */
static void test_cgroup_ops(void)
{
	char path[4096];
	int root = open_cgroup(true, path, sizeof(path)), own = open_cgroup(false, path, sizeof(path));
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC), bad = 12345;
	int kfd = k_create(8, 4, 4, 4, 0), err;
	struct bpfbox_map *m = b_create(8, 4, 4, 4, 0, &err);
	uint32_t k0 = 0, k1 = 1, k9 = 9, next = 0, v = 0;

	if (root < 0 || own < 0) {
		TL_SKIP("no cgroup2 mount here: cgroup_array updates not compared");
		goto out;
	}
	CHECK(kfd >= 0 && m);
	if (kfd < 0 || !m)
		goto out;
	SAME("update root", kb_map_op(BPF_MAP_UPDATE_ELEM, kfd, &k0, &root, 0), bpfbox_map__update_elem(m, &k0, &root, 0));
	SAME("update own", kb_map_op(BPF_MAP_UPDATE_ELEM, kfd, &k1, &own, 0), bpfbox_map__update_elem(m, &k1, &own, 0));
	SAME("update NOEXIST", kb_map_op(BPF_MAP_UPDATE_ELEM, kfd, &k1, &own, BPF_NOEXIST),
	     bpfbox_map__update_elem(m, &k1, &own, BPF_NOEXIST));
	SAME("update out of range", kb_map_op(BPF_MAP_UPDATE_ELEM, kfd, &k9, &own, 0),
	     bpfbox_map__update_elem(m, &k9, &own, 0));
	SAME("update /dev/null", kb_map_op(BPF_MAP_UPDATE_ELEM, kfd, &k1, &devnull, 0),
	     bpfbox_map__update_elem(m, &k1, &devnull, 0));
	SAME("update bad fd", kb_map_op(BPF_MAP_UPDATE_ELEM, kfd, &k1, &bad, 0), bpfbox_map__update_elem(m, &k1, &bad, 0));
	SAME("lookup", kb_map_op(BPF_MAP_LOOKUP_ELEM, kfd, &k0, &v, 0), bpfbox_map__lookup_elem(m, &k0, &v, 0));
	SAME("next_key NULL", kb_map_op(BPF_MAP_GET_NEXT_KEY, kfd, NULL, &next, 0), bpfbox_map__get_next_key(m, NULL, &next));
	SAME("next_key 3", kb_map_op(BPF_MAP_GET_NEXT_KEY, kfd, &(uint32_t){ 3 }, &next, 0),
	     bpfbox_map__get_next_key(m, &(uint32_t){ 3 }, &next));
	SAME("delete", kb_map_op(BPF_MAP_DELETE_ELEM, kfd, &k0, NULL, 0), bpfbox_map__delete_elem(m, &k0));
	SAME("delete again", kb_map_op(BPF_MAP_DELETE_ELEM, kfd, &k0, NULL, 0), bpfbox_map__delete_elem(m, &k0));
	SAME("delete out of range", kb_map_op(BPF_MAP_DELETE_ELEM, kfd, &k9, NULL, 0), bpfbox_map__delete_elem(m, &k9));
out:
	if (kfd >= 0)
		close(kfd);
	bpfbox_map__free(m);
	if (root >= 0)
		close(root);
	if (own >= 0)
		close(own);
	if (devnull >= 0)
		close(devnull);
}

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADD_IMM(d, i) INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define ST_W(d, o, i) INSN(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define LD_MAP(d, i) INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, i), INSN(0, 0, 0, 0, 0)
#define CALL(id) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* The maps of the program tests: kernel fds and bpfbox maps, same order:
 * 0 stack_trace, 1 cgroup_array, 2 array. */
static int kfds[3];
static struct bpfbox_map *bmaps[3];

/* Load p into the kernel (map index -> fd) and bpfbox: the two results. */
static void load_both(uint32_t type, const struct bpf_insn *p, size_t n, int *kr, int *br)
{
	struct bpf_insn kp[64];
	struct bpfbox_prog *bp = NULL;
	long fd;

	memcpy(kp, p, n * sizeof(*p));
	for (size_t i = 0; i < n; i++)
		if (kp[i].code == (BPF_LD | BPF_DW | BPF_IMM) && kp[i].src_reg == BPF_PSEUDO_MAP_FD)
			kp[i].imm = kfds[kp[i].imm];
	klog[0] = 0;
	fd = kb_prog_load(type, 0, (const struct bpfbox_insn *)kp, n, 0, klog, sizeof(klog), 1);
	*kr = fd >= 0 ? 0 : (int)fd;
	if (fd >= 0)
		close((int)fd);
	{
		BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "p", .prog_type = type, .license = "GPL",
			    .maps = bmaps, .map_cnt = 3);
		*br = bpfbox_prog__load(vm, (const struct bpfbox_insn *)p, n, &po, &bp);
	}
	bpfbox_prog__free(bp);
}

/* 3. verifier verdicts. */
static void test_verdicts(void)
{
	static const struct { const char *name; uint32_t type; struct bpf_insn p[16]; size_t n; } c[] = {
		{ "kprobe get_stackid(stack_trace)", BPF_PROG_TYPE_KPROBE,
		  { MOV_REG(6, 1), LD_MAP(2, 0), MOV_REG(1, 6), MOV_IMM(3, 256), CALL(27), MOV_IMM(0, 0), EXIT() }, 8 },
		{ "kprobe get_stackid(array)", BPF_PROG_TYPE_KPROBE,
		  { MOV_REG(6, 1), LD_MAP(2, 2), MOV_REG(1, 6), MOV_IMM(3, 0), CALL(27), MOV_IMM(0, 0), EXIT() }, 8 },
		{ "kprobe lookup(stack_trace)", BPF_PROG_TYPE_KPROBE,
		  { ST_W(10, -4, 0), LD_MAP(1, 0), MOV_REG(2, 10), ADD_IMM(2, -4), CALL(1), MOV_IMM(0, 0), EXIT() }, 8 },
		{ "kprobe update(stack_trace)", BPF_PROG_TYPE_KPROBE,
		  { ST_W(10, -4, 0), LD_MAP(1, 0), MOV_REG(2, 10), ADD_IMM(2, -4), MOV_REG(3, 2), MOV_IMM(4, 0),
		    CALL(2), MOV_IMM(0, 0), EXIT() }, 10 },
		{ "kprobe get_stack", BPF_PROG_TYPE_KPROBE,
		  { MOV_REG(2, 10), ADD_IMM(2, -64), MOV_IMM(3, 64), MOV_IMM(4, 256), CALL(67), MOV_IMM(0, 0), EXIT() }, 7 },
		{ "kprobe current_task_under_cgroup(cgroup_array)", BPF_PROG_TYPE_KPROBE,
		  { LD_MAP(1, 1), MOV_IMM(2, 0), CALL(37), EXIT() }, 5 },
		{ "kprobe current_task_under_cgroup(array)", BPF_PROG_TYPE_KPROBE,
		  { LD_MAP(1, 2), MOV_IMM(2, 0), CALL(37), EXIT() }, 5 },
		{ "kprobe lookup(cgroup_array)", BPF_PROG_TYPE_KPROBE,
		  { ST_W(10, -4, 0), LD_MAP(1, 1), MOV_REG(2, 10), ADD_IMM(2, -4), CALL(1), MOV_IMM(0, 0), EXIT() }, 8 },
		{ "kprobe get_current_cgroup_id", BPF_PROG_TYPE_KPROBE, { CALL(80), EXIT() }, 2 },
		{ "sched_cls skb_under_cgroup", BPF_PROG_TYPE_SCHED_CLS,
		  { LD_MAP(2, 1), MOV_IMM(3, 0), CALL(33), MOV_IMM(0, 0), EXIT() }, 6 },
		{ "sched_cls skb_under_cgroup(stack_trace)", BPF_PROG_TYPE_SCHED_CLS,
		  { LD_MAP(2, 0), MOV_IMM(3, 0), CALL(33), MOV_IMM(0, 0), EXIT() }, 6 },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int kr, br;

		load_both(c[i].type, c[i].p, c[i].n, &kr, &br);
		CHECK_MSG((kr == 0) == (br == 0), "%s: kernel %d, bpfbox %d (kernel log: %.200s)",
			  c[i].name, kr, br, klog);
	}
}

/* Run p (raw_tracepoint) in the kernel's test run and bpfbox's: retvals. */
static int run_both(const struct bpf_insn *p, size_t n, uint32_t *kret, uint64_t *bret)
{
	struct bpf_insn kp[64];
	struct bpfbox_prog *bp = NULL;
	union bpf_attr a;
	uint64_t args[2] = { 0, 0 };
	long fd;
	int err;

	memcpy(kp, p, n * sizeof(*p));
	for (size_t i = 0; i < n; i++)
		if (kp[i].code == (BPF_LD | BPF_DW | BPF_IMM) && kp[i].src_reg == BPF_PSEUDO_MAP_FD)
			kp[i].imm = kfds[kp[i].imm];
	klog[0] = 0;
	fd = kb_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, 0, (const struct bpfbox_insn *)kp, n, 0, klog,
			  sizeof(klog), 1);
	if (fd < 0) {
		printf("kernel load: %d: %s\n", (int)fd, klog);
		return (int)fd;
	}
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	a.test.ctx_in = (uint64_t)(uintptr_t)args;
	a.test.ctx_size_in = sizeof(args);
	err = (int)kb_sys(BPF_PROG_TEST_RUN, &a);
	close((int)fd);
	if (err) {
		printf("kernel test run: %d\n", err);
		return err;
	}
	*kret = a.test.retval;
	{
		BPFBOX_OPTS(bpfbox_prog_opts, po, .name = "p", .prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
			    .license = "GPL", .maps = bmaps, .map_cnt = 3);
		BPFBOX_OPTS(bpfbox_test_run_opts, to, .ctx_in = args, .ctx_size_in = sizeof(args));

		err = bpfbox_prog__load(vm, (const struct bpfbox_insn *)p, n, &po, &bp);
		if (!err)
			err = bpfbox_prog__test_run(bp, &to);
		*bret = to.r0;
		if (err)
			printf("bpfbox load/test run: %d\n", err);
	}
	bpfbox_prog__free(bp);
	return err;
}

/* 4. test runs: the cgroup id and current_task_under_cgroup. */
static void test_runs(void)
{
	static const struct bpf_insn id[] = { CALL(80), EXIT() };
	struct bpf_insn under[] = { LD_MAP(1, 1), MOV_IMM(2, 0), CALL(37), EXIT() };
	char path[4096];
	int root = open_cgroup(true, path, sizeof(path)), own = open_cgroup(false, path, sizeof(path));
	uint32_t kret = 0, k;
	uint64_t bret = 0;
	struct stat st;

	if (root < 0 || own < 0 || stat(path, &st)) {
		TL_SKIP("no cgroup2 mount here: cgroup id not compared");
		goto out;
	}
	CHECK_EQ_INT(run_both(id, 2, &kret, &bret), 0);
	CHECK_MSG(kret == (uint32_t)bret, "get_current_cgroup_id: kernel %u, bpfbox %llu", kret,
		  (unsigned long long)bret);
	CHECK_MSG(bret == st.st_ino, "get_current_cgroup_id: bpfbox %llu, inode of %s %llu",
		  (unsigned long long)bret, path, (unsigned long long)st.st_ino);
	k = 0;
	CHECK_EQ_INT(kb_map_op(BPF_MAP_UPDATE_ELEM, kfds[1], &k, &root, 0), 0);
	CHECK_EQ_INT(bpfbox_map__update_elem(bmaps[1], &k, &root, 0), 0);
	k = 1;
	CHECK_EQ_INT(kb_map_op(BPF_MAP_UPDATE_ELEM, kfds[1], &k, &own, 0), 0);
	CHECK_EQ_INT(bpfbox_map__update_elem(bmaps[1], &k, &own, 0), 0);
	for (int idx = 0; idx < 5; idx++) {	/* root, own, empty, empty, out of range */
		under[2].imm = idx;
		CHECK_EQ_INT(run_both(under, sizeof(under) / sizeof(under[0]), &kret, &bret), 0);
		CHECK_MSG(kret == (uint32_t)bret, "current_task_under_cgroup(%d): kernel %d, bpfbox %d",
			  idx, (int)kret, (int)bret);
	}
out:
	if (root >= 0)
		close(root);
	if (own >= 0)
		close(own);
}

/* bpfbox's log lines, for the reasons of failures. */
static void print_log(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	(void)ctx;
	if (level <= BPFBOX_LOG_WARN)
		printf("bpfbox: %s\n", msg);
}

int main(void)
{
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = print_log);
	int err;

	kfds[0] = k_create(7, 4, 64, 16, 0);
	if (kfds[0] == -ENOSYS || kfds[0] == -EPERM) {
		TL_SKIP("no kernel BPF here (bpf(2) unavailable or not permitted): nothing to compare with");
		return tl_summary();
	}
	kfds[1] = k_create(8, 4, 4, 4, 0);
	kfds[2] = k_create(2, 4, 8, 4, 0);
	bmaps[0] = b_create(7, 4, 64, 16, 0, &err);
	bmaps[1] = b_create(8, 4, 4, 4, 0, &err);
	bmaps[2] = b_create(2, 4, 8, 4, 0, &err);
	CHECK(kfds[0] >= 0 && kfds[1] >= 0 && kfds[2] >= 0 && bmaps[0] && bmaps[1] && bmaps[2]);
	CHECK_EQ_INT(bpfbox_vm__new(&vo, &vm), 0);
	TL_RUN(test_create);
	TL_RUN(test_stack_ops);
	TL_RUN(test_cgroup_ops);
	TL_RUN(test_verdicts);
	TL_RUN(test_runs);
	bpfbox_vm__free(vm);
	for (int i = 0; i < 3; i++) {
		bpfbox_map__free(bmaps[i]);
		if (kfds[i] >= 0)
			close(kfds[i]);
	}
	return tl_summary();
}

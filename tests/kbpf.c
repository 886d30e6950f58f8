/*
 * kbpf.c - raw bpf(2) calls for the tests that compare with the kernel
 * (tests/kbpf.h).
 */
#include "kbpf.h"

#include <errno.h>
#include <stdbool.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* bpf(2), -errno on failure. */
long kb_sys(int cmd, void *attr)
{
	long r = syscall(__NR_bpf, cmd, attr, sizeof(union bpf_attr));
	return r < 0 ? -errno : r;
}

/* BPF_MAP_CREATE. */
int kb_map_create(uint32_t type, uint32_t key, uint32_t value, uint32_t max)
{
	return kb_map_create_ex(type, key, value, max, 0, 0);
}

/* BPF_MAP_CREATE with map_flags and map_extra. */
int kb_map_create_ex(uint32_t type, uint32_t key, uint32_t value, uint32_t max, uint32_t flags,
		     uint64_t extra)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = key;
	a.value_size = value;
	a.max_entries = max;
	a.map_flags = flags;
	a.map_extra = extra;
	return (int)kb_sys(BPF_MAP_CREATE, &a);
}

/* One element command (lookup, update, delete, get-next-key,
 * lookup-and-delete) on a kernel map: val is the value, or the next key
 * for BPF_MAP_GET_NEXT_KEY; flags for the commands that take them. */
int kb_map_op(int cmd, int fd, const void *key, void *val, uint64_t flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (uint64_t)(uintptr_t)key;
	if (cmd == BPF_MAP_GET_NEXT_KEY)
		a.next_key = (uint64_t)(uintptr_t)val;
	else if (cmd != BPF_MAP_DELETE_ELEM) {
		a.value = (uint64_t)(uintptr_t)val;
		a.flags = flags;
	}
	return (int)kb_sys(cmd, &a);
}

/* BPF_MAP_UPDATE_ELEM. */
int kb_map_update(int fd, const void *key, const void *val)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)val;
	return (int)kb_sys(BPF_MAP_UPDATE_ELEM, &a);
}

/* BPF_PROG_TEST_RUN, repeat 1, into a scratch output buffer. */
int kb_test_run(int fd, const void *data, uint32_t len, uint32_t *retval)
{
	union bpf_attr a;
	uint8_t out[1024];
	int err;

	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uint64_t)(uintptr_t)data;
	a.test.data_size_in = len;
	a.test.data_out = (uint64_t)(uintptr_t)out;
	a.test.data_size_out = sizeof(out);
	a.test.repeat = 1;
	err = (int)kb_sys(BPF_PROG_TEST_RUN, &a);
	*retval = a.test.retval;
	return err;
}

/* The attr of a BPF_PROG_LOAD (license GPL), the log at log_level (1 if
 * 0) when log_sz > 0. */
static void prog_attr(union bpf_attr *a, uint32_t type, uint32_t eat,
		      const struct bpfbox_insn *insns, size_t cnt, uint32_t flags, char *log,
		      size_t log_sz, uint32_t log_level)
{
	memset(a, 0, sizeof(*a));
	a->prog_type = type;
	a->expected_attach_type = eat;
	a->insns = (uint64_t)(uintptr_t)insns;
	a->insn_cnt = (uint32_t)cnt;
	a->license = (uint64_t)(uintptr_t)"GPL";
	a->prog_flags = flags;
	if (log && log_sz) {
		log[0] = 0;
		a->log_buf = (uint64_t)(uintptr_t)log;
		a->log_size = (uint32_t)log_sz;
		a->log_level = log_level ? log_level : 1;
	}
}

/* BPF_PROG_LOAD. */
int kb_prog_load(uint32_t type, uint32_t eat, const struct bpfbox_insn *insns, size_t cnt,
		 uint32_t flags, char *log, size_t log_sz, uint32_t log_level)
{
	union bpf_attr a;

	prog_attr(&a, type, eat, insns, cnt, flags, log, log_sz, log_level);
	return (int)kb_sys(BPF_PROG_LOAD, &a);
}

/* BPF_PROG_LOAD with func_info. */
int kb_prog_load_btf(uint32_t type, const struct bpfbox_insn *insns, size_t cnt, uint32_t flags,
		     char *log, size_t log_sz, int btf_fd, const uint32_t *fi, size_t fi_cnt)
{
	union bpf_attr a;

	prog_attr(&a, type, 0, insns, cnt, flags, log, log_sz, 1);
	a.prog_btf_fd = (uint32_t)btf_fd;
	a.func_info_rec_size = 8;
	a.func_info = (uint64_t)(uintptr_t)fi;
	a.func_info_cnt = (uint32_t)fi_cnt;
	return (int)kb_sys(BPF_PROG_LOAD, &a);
}

/* BPF_BTF_LOAD of int, int (void) and nfuncs static FUNCs named f. */
int kb_btf_funcs(unsigned nfuncs)
{
	static const char strs[] = "\0int\0f";
	uint32_t buf[6 + 4 + 3 + 3 * 64 + 4];
	uint32_t *t = buf + 6;
	union bpf_attr a;
	size_t tl;

	if (nfuncs > 64)
		return -EINVAL;
	*t++ = 1;                       /* [1] int */
	*t++ = 1u << 24;                /* BTF_KIND_INT */
	*t++ = 4;
	*t++ = (1u << 24) | 32;         /* signed, 32 bits */
	*t++ = 0;                       /* [2] int (void) */
	*t++ = 13u << 24;               /* BTF_KIND_FUNC_PROTO, no params */
	*t++ = 1;
	for (unsigned i = 0; i < nfuncs; i++) {
		*t++ = 5;                   /* "f" */
		*t++ = 12u << 24;           /* BTF_KIND_FUNC, static */
		*t++ = 2;
	}
	tl = (size_t)(t - (buf + 6)) * 4;
	memcpy(t, strs, sizeof(strs));
	buf[0] = 0xeb9fu | (1u << 16); /* magic, version 1, flags 0 (little-endian) */
	buf[1] = 24;                    /* hdr_len */
	buf[2] = 0;                     /* type_off */
	buf[3] = (uint32_t)tl;
	buf[4] = (uint32_t)tl;          /* str_off */
	buf[5] = sizeof(strs);
	memset(&a, 0, sizeof(a));
	a.btf = (uint64_t)(uintptr_t)buf;
	a.btf_size = (uint32_t)(24 + tl + sizeof(strs));
	return (int)kb_sys(BPF_BTF_LOAD, &a);
}

/* kb_probe - load r0 = 0; exit, close it. */
int kb_probe(uint32_t type)
{
	static const struct bpfbox_insn ret0[2] = { { .code = 0xb7 }, { .code = 0x95 } };
	int fd = kb_prog_load(type, 0, ret0, 2, 0, NULL, 0, 0);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* kb_log_num - strtoll after key. */
long long kb_log_num(const char *log, const char *key)
{
	const char *p = strstr(log, key);

	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

/* Is this line of a verifier log a summary or an instruction trace? */
static bool noise_line(const char *l, size_t n)
{
	static const char *const pfx[] = { "processed ", "verification time", "stack depth",
					   "max_states_per_insn", "mark_precise", "last_idx",
					   "Func#", "func#", "from ", "  ", "cur state:", "old state:",
					   "regs=", "parent " };
	size_t i = 0;

	if (!n)
		return true;
	for (size_t k = 0; k < sizeof(pfx) / sizeof(pfx[0]); k++)
		if (n >= strlen(pfx[k]) && !strncmp(l, pfx[k], strlen(pfx[k])))
			return true;
	while (i < n && l[i] >= '0' && l[i] <= '9')
		i++;
	return i > 0 && i < n && l[i] == ':';
}

/* The error line of a verifier log. */
void kb_log_error(const char *log, char *out, size_t sz)
{
	const char *p = log, *best = NULL;
	size_t best_len = 0;

	while (p && *p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (!noise_line(p, n)) {
			best = p;
			best_len = n;
		}
		p = e ? e + 1 : p + n;
	}
	snprintf(out, sz, "%.*s", best ? (int)best_len : 0, best ? best : "");
}

/* ---- the kernel as an unprivileged user ------------------------------------ */

#define UNPRIV_SYSCTL "/proc/sys/kernel/unprivileged_bpf_disabled"
#define UNPRIV_LOCK "/tmp/bpfbox-unpriv-bpf.lock"
#define NOBODY 65534

/* The sysctl's value, -1 if unreadable. */
static int read_sysctl(void)
{
	char b[16] = "";
	int fd = open(UNPRIV_SYSCTL, O_RDONLY), v = -1;

	if (fd >= 0) {
		if (read(fd, b, sizeof(b) - 1) > 0)
			v = atoi(b);
		close(fd);
	}
	return v;
}

/* Write v to the sysctl: 0 or -errno. */
static int write_sysctl(int v)
{
	char b[16];
	int fd = open(UNPRIV_SYSCTL, O_WRONLY), n, err = 0;

	if (fd < 0)
		return -errno;
	n = snprintf(b, sizeof(b), "%d\n", v);
	if (write(fd, b, (size_t)n) != n)
		err = -errno;
	close(fd);
	return err;
}

/* kb_unpriv_enable - see kbpf.h: the guardian, forked before the change,
 * blocks on a pipe only this process can write; EOF means we are gone. */
int kb_unpriv_enable(char *why, size_t sz)
{
	int old = read_sysctl(), p[2], lk;
	pid_t g;

	if (geteuid() != 0) {
		snprintf(why, sz, "not root: cannot allow unprivileged bpf(2)");
		return -1;
	}
	if (old < 0) {
		snprintf(why, sz, "cannot read %s", UNPRIV_SYSCTL);
		return -1;
	}
	if (old == 1) {
		snprintf(why, sz, "%s is 1 (locked until reboot)", UNPRIV_SYSCTL);
		return -1;
	}
	/* one run at a time on this machine (tests in other worktrees too):
	 * the lock is held by the guardian until it has restored the value */
	lk = open(UNPRIV_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lk < 0 || flock(lk, LOCK_EX)) {
		snprintf(why, sz, "cannot lock %s: %s", UNPRIV_LOCK, strerror(errno));
		if (lk >= 0)
			close(lk);
		return -1;
	}
	old = read_sysctl();
	if (pipe(p)) {
		snprintf(why, sz, "pipe: %s", strerror(errno));
		close(lk);
		return -1;
	}
	fflush(NULL);
	if ((g = fork()) < 0) {
		snprintf(why, sz, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		close(lk);
		return -1;
	}
	if (g == 0) {	/* the guardian */
		char c;

		close(p[1]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		if (old != 0)
			write_sysctl(old);
		_exit(0);	/* (releases the lock) */
	}
	close(p[0]);
	close(lk);	/* the guardian's copy holds the lock */
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	if (old != 0) {
		int err = write_sysctl(0);

		if (err) {
			snprintf(why, sz, "cannot write %s: %s", UNPRIV_SYSCTL, strerror(-err));
			kb_unpriv_restore(p[1]);
			return -1;
		}
	}
	return p[1];
}

/* kb_unpriv_restore - see kbpf.h. */
void kb_unpriv_restore(int guard)
{
	if (guard < 0)
		return;
	close(guard);
	while (wait(NULL) > 0)
		;
}

/* kb_prog_load_unpriv - see kbpf.h (setresuid from root to a non-zero
 * uid clears every capability set). */
int kb_prog_load_unpriv(uint32_t type, uint32_t eat, const struct bpfbox_insn *insns, size_t cnt,
			uint32_t flags, char *log, size_t log_sz, char *msg, size_t msg_sz)
{
	struct res { int err; char msg[512]; } *r;
	pid_t pid;
	int err;

	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED) {
		snprintf(msg, msg_sz, "mmap: %s", strerror(errno));
		return -ENOMEM;
	}
	r->err = -EIO;
	snprintf(r->msg, sizeof(r->msg), "the unprivileged child failed");
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd;

		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY) || geteuid() == 0) {
			snprintf(r->msg, sizeof(r->msg), "cannot drop privileges: %s", strerror(errno));
			_exit(2);
		}
		fd = kb_prog_load(type, eat, insns, cnt, flags, log, log_sz, 1);
		r->err = fd < 0 ? fd : 0;
		if (fd >= 0)
			close(fd);
		r->msg[0] = 0;
		if (fd < 0 && log && log_sz)
			kb_log_error(log, r->msg, sizeof(r->msg));
		if (fd < 0 && !r->msg[0])
			snprintf(r->msg, sizeof(r->msg), "%s", strerror(-fd));
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	else
		snprintf(r->msg, sizeof(r->msg), "fork: %s", strerror(errno));
	err = r->err;
	snprintf(msg, msg_sz, "%s", r->msg);
	munmap(r, sizeof(*r));
	return err;
}

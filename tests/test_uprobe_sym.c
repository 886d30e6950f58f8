/*
 * test_uprobe_sym.c - uprobe targets (uprobe_sym.h): symbols of this very
 * test binary and of libc resolved to file offsets and then, through
 * /proc/self/maps, to the addresses the functions really have; specs,
 * library search, missing symbols, non-ELF and corrupted ELF files.
 */
#include "testlib.h"

#include "trace/uprobe_sym.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char last_msg[1100];

/* Keep the last logged message. */
static void log_fn(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	snprintf(last_msg, sizeof(last_msg), "%s", msg);
}

static const struct bx_log tlog = { log_fn, NULL };

/* The function we resolve (global, so it is in .symtab). */
__attribute__((noinline, used)) int bx_test_uprobe_target(int x);
__attribute__((noinline, used)) int bx_test_uprobe_target(int x)
{
	__asm__ volatile("" : "+r"(x));
	return x * 3 + 1;
}

static char self[4096];
int main(void);

/* Splitting PATH:SPEC. */
static void test_split(void)
{
	char p[64], s[64];

	CHECK_EQ_INT(bxh_uprobe_split("/bin/bash:readline", p, sizeof(p), s, sizeof(s)), 0);
	CHECK_STR(p, "/bin/bash");
	CHECK_STR(s, "readline");
	CHECK_EQ_INT(bxh_uprobe_split("/a:b:malloc+0x10", p, sizeof(p), s, sizeof(s)), 0);
	CHECK_STR(p, "/a:b");
	CHECK_STR(s, "malloc+0x10");
	CHECK_EQ_INT(bxh_uprobe_split("libc.so.6:0x1234", p, sizeof(p), s, sizeof(s)), 0);
	CHECK_STR(s, "0x1234");
	CHECK_EQ_INT(bxh_uprobe_split("nocolon", p, sizeof(p), s, sizeof(s)), -EINVAL);
	CHECK_EQ_INT(bxh_uprobe_split(":x", p, sizeof(p), s, sizeof(s)), -EINVAL);
	CHECK_EQ_INT(bxh_uprobe_split("x:", p, sizeof(p), s, sizeof(s)), -EINVAL);
	CHECK_EQ_INT(bxh_uprobe_split(NULL, p, sizeof(p), s, sizeof(s)), -EINVAL);
	CHECK_EQ_INT(bxh_uprobe_split("/very/long/path:x", p, 4, s, sizeof(s)), -EINVAL);
	CHECK_EQ_INT(bxh_uprobe_split("/p:xxxxxxxx", p, sizeof(p), s, 4), -EINVAL);
}

/* Symbols of this binary: offset -> runtime address equals &function. */
static void test_self(void)
{
	uint64_t off = 0, off2 = 0, size = 0, addr = 0;

	CHECK_EQ_INT(bxh_uprobe_resolve(self, "bx_test_uprobe_target", &off, &size, &tlog), 0);
	CHECK(off > 0 && size > 0);
	CHECK_EQ_INT(bxh_uprobe_addr(getpid(), self, off, &addr, &tlog), 0);
	CHECK_EQ_U64(addr, (uint64_t)(uintptr_t)&bx_test_uprobe_target);
	CHECK_EQ_INT(bx_test_uprobe_target(2), 7);
	CHECK_EQ_INT(bxh_uprobe_resolve(self, "bx_test_uprobe_target+4", &off2, NULL, &tlog), 0);
	CHECK_EQ_U64(off2, off + 4);
	CHECK_EQ_INT(bxh_uprobe_resolve(self, "bx_test_uprobe_target+0x2", &off2, NULL, &tlog), 0);
	CHECK_EQ_U64(off2, off + 2);
	CHECK_EQ_INT(bxh_uprobe_resolve(self, "bx_test_uprobe_target@VER", &off2, NULL, &tlog), 0);
	CHECK_EQ_U64(off2, off);
	CHECK_EQ_INT(bxh_uprobe_resolve(self, "main", &off2, NULL, &tlog), 0);
	CHECK_EQ_INT(bxh_uprobe_addr(getpid(), self, off2, &addr, &tlog), 0);
	CHECK_EQ_U64(addr, (uint64_t)(uintptr_t)&main);
	/* a bare offset is itself */
	CHECK_EQ_INT(bxh_uprobe_resolve(self, "0x40", &off2, &size, &tlog), 0);
	CHECK_EQ_U64(off2, 0x40);
	CHECK_EQ_INT(size, 0);
	CHECK_EQ_INT(bxh_uprobe_resolve(self, "64", &off2, NULL, &tlog), 0);
	CHECK_EQ_U64(off2, 64);
	/* missing symbol: -ENOENT, logged with file and name */
	last_msg[0] = 0;
	CHECK_EQ_INT(bxh_uprobe_resolve(self, "no_such_function_xyz", &off2, NULL, &tlog), -ENOENT);
	CHECK(strstr(last_msg, "no symbol 'no_such_function_xyz'") && strstr(last_msg, self));
	/* a prefix of a name is not the name */
	CHECK_EQ_INT(bxh_uprobe_resolve(self, "bx_test_uprobe", &off2, NULL, &tlog), -ENOENT);
	/* bad specs */
	CHECK_EQ_INT(bxh_uprobe_resolve(self, "main+zz", &off2, NULL, &tlog), -EINVAL);
	CHECK_EQ_INT(bxh_uprobe_resolve(self, "+4", &off2, NULL, &tlog), -EINVAL);
	CHECK_EQ_INT(bxh_uprobe_resolve(self, "", &off2, NULL, &tlog), -EINVAL);
	CHECK_EQ_INT(bxh_uprobe_resolve(self, "0xffffffffff", &off2, NULL, &tlog), -EINVAL);
	CHECK_EQ_INT(bxh_uprobe_resolve(NULL, "main", &off2, NULL, &tlog), -EINVAL);
}

/* libc: found by name through our own maps, symbols from .dynsym. */
static void test_libc(void)
{
	char libc[4096], p2[4096];
	uint64_t off = 0, addr = 0;

	if (bxh_uprobe_find_path(getpid(), "libc.so.6", libc, sizeof(libc), &tlog)) {
		TL_SKIP("libc.so.6 is not mapped (static build?)");
		return;
	}
	CHECK(libc[0] == '/');
	CHECK_EQ_INT(bxh_uprobe_find_path(getpid(), "libc", p2, sizeof(p2), &tlog), 0);
	CHECK_STR(p2, libc);
	CHECK_EQ_INT(bxh_uprobe_find_path(0, "libc.so.6", p2, sizeof(p2), &tlog), 0);
	CHECK(access(p2, R_OK) == 0);
	CHECK_EQ_INT(bxh_uprobe_resolve(libc, "getpid", &off, NULL, &tlog), 0);
	CHECK_EQ_INT(bxh_uprobe_addr(getpid(), libc, off, &addr, &tlog), 0);
	CHECK_EQ_U64(addr, (uint64_t)(uintptr_t)&getpid);
	/* the same file through the search-path copy (same inode) */
	CHECK_EQ_INT(bxh_uprobe_addr(getpid(), p2, off, &addr, &tlog), 0);
	CHECK_EQ_U64(addr, (uint64_t)(uintptr_t)&getpid);
	CHECK_EQ_INT(bxh_uprobe_resolve(libc, "malloc", &off, NULL, &tlog), 0);
	CHECK_EQ_INT(bxh_uprobe_resolve(libc, "no_such_libc_fn", &off, NULL, &tlog), -ENOENT);
	/* an offset past the mapped part */
	CHECK_EQ_INT(bxh_uprobe_addr(getpid(), libc, 1ull << 40, &addr, &tlog), -ENOENT);
	CHECK(strstr(last_msg, "not mapped"));
}

/* find_path and addr errors. */
static void test_paths(void)
{
	char out[4096];
	uint64_t addr;

	CHECK_EQ_INT(bxh_uprobe_find_path(0, "sh", out, sizeof(out), &tlog), 0);
	CHECK(out[0] == '/' && access(out, X_OK) == 0);
	CHECK_EQ_INT(bxh_uprobe_find_path(0, "/x/y", out, sizeof(out), &tlog), 0);
	CHECK_STR(out, "/x/y");
	CHECK_EQ_INT(bxh_uprobe_find_path(getpid(), "no_such_lib_zz.so", out, sizeof(out), &tlog),
		     -ENOENT);
	CHECK(strstr(last_msg, "no_such_lib_zz.so"));
	CHECK_EQ_INT(bxh_uprobe_find_path(0, "", out, sizeof(out), &tlog), -EINVAL);
	CHECK_EQ_INT(bxh_uprobe_find_path(0, "/abc", out, 3, &tlog), -ENAMETOOLONG);
	/* a binary not mapped in this process */
	CHECK_EQ_INT(bxh_uprobe_addr(getpid(), "/bin/sh", 0x1000, &addr, &tlog), -ENOENT);
	CHECK(strstr(last_msg, "is not mapped"));
	/* no such process */
	CHECK_EQ_INT(bxh_uprobe_addr(999999999, self, 0, &addr, &tlog), -ESRCH);
	CHECK_EQ_INT(bxh_uprobe_addr(-1, self, 0, &addr, &tlog), -ESRCH);
}

/* Write n bytes to a temp file; its path into path. */
static int write_tmp(char *path, const void *b, size_t n)
{
	int fd;

	strcpy(path, "/tmp/bx_usym_XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, b, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Not ELF, missing, and corrupted ELF files: errors, never a crash. */
static void test_bad_files(void)
{
	char path[64];
	uint64_t off;
	uint8_t *buf;
	size_t n;
	FILE *f;
	unsigned errs = 0, oks = 0, seed = 12345;

	CHECK_EQ_INT(bxh_uprobe_resolve("/nonexistent/bin", "main", &off, NULL, &tlog), -ENOENT);
	CHECK(strstr(last_msg, "cannot open"));
	CHECK_EQ_INT(bxh_uprobe_resolve("/tmp", "main", &off, NULL, &tlog), -ENOEXEC);
	if (write_tmp(path, "hello, this is text, not an ELF file at all, really it is not....\n",
		      66) == 0) {
		CHECK_EQ_INT(bxh_uprobe_resolve(path, "main", &off, NULL, &tlog), -ENOEXEC);
		CHECK(strstr(last_msg, "not a 64-bit"));
		unlink(path);
	}
	/* mutate the headers of a copy of this binary in place (pwrite the
	 * flipped bytes, resolve, put them back), sometimes truncated */
	f = fopen(self, "rb");
	if (!f) {
		TL_SKIP("cannot read %s", self);
		return;
	}
	fseek(f, 0, SEEK_END);
	n = (size_t)ftell(f);
	rewind(f);
	buf = n >= 4096 ? malloc(n) : NULL;
	if (!buf || fread(buf, 1, n, f) != n || write_tmp(path, buf, n)) {
		fclose(f);
		free(buf);
		TL_SKIP("cannot copy the test binary for mutation");
		return;
	}
	fclose(f);
	for (int it = 0; it < 300; it++) {
		size_t pos[4], len = n;
		uint64_t shoff;
		int fd = open(path, O_RDWR), r;

		if (fd < 0)
			break;
		memcpy(&shoff, buf + 40, 8);
		for (int k = 0; k < 4; k++) {
			seed = seed * 1103515245u + 12345u;
			pos[k] = (seed >> 8) % 64;  /* ELF header */
			if (k == 3) {
				/* somewhere in the section headers / tables */
				pos[k] = (shoff < n ? shoff : 0) + (seed >> 4) % 4096;
				if (pos[k] >= n)
					pos[k] = (seed >> 8) % n;
			}
			uint8_t b = buf[pos[k]] ^ (uint8_t)(1u << ((seed >> 20) % 8));
			if (pwrite(fd, &b, 1, (off_t)pos[k]) != 1)
				break;
		}
		if (it % 30 == 0) {
			len = (seed >> 5) % n;  /* truncated */
			if (ftruncate(fd, (off_t)len))
				len = n;
		}
		r = bxh_uprobe_resolve(path, "bx_test_uprobe_target", &off, NULL, NULL);
		if (r == 0)
			oks++;
		else if (r == -ENOENT || r == -ENOEXEC || r == -EINVAL)
			errs++;
		/* restore */
		if (len < n && pwrite(fd, buf + len, n - len, (off_t)len) != (ssize_t)(n - len))
			it = 1000;
		for (int k = 0; k < 4; k++)
			if (pwrite(fd, buf + pos[k], 1, (off_t)pos[k]) != 1)
				it = 1000;
		close(fd);
	}
	unlink(path);
	free(buf);
	CHECK_EQ_INT(oks + errs, 300);
	printf("  mutated ELF files: %u resolved, %u clean errors\n", oks, errs);
}

int main(void)
{
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0) {
		TL_SKIP("no /proc/self/exe");
		return tl_summary();
	}
	self[n] = 0;
	test_split();
	test_self();
	test_libc();
	test_paths();
	test_bad_files();
	return tl_summary();
}

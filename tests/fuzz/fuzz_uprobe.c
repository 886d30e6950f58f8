/*
 * fuzz_uprobe.c - libFuzzer target for the uprobe symbol resolver
 * (src/trace/uprobe_sym.c, bxh_uprobe_resolve): ELF64 section headers,
 * .symtab/.dynsym and PT_LOAD program headers of an executable or shared
 * library, turned into a file offset.
 *
 * The resolver takes a path, so the input is written to a memfd (made once,
 * rewritten for each input) and resolved through /proc/self/fd/N with a
 * few symbol names, NAME+OFF, NAME@VERSION and bare-offset forms. The file
 * is never truncated while mapped (the resolver unmaps before returning),
 * so the SIGBUS of a file shrinking under its mapping is out of scope.
 * Seeds: small ELF executables and a shared library (tests/fuzz/run.sh).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "trace/uprobe_sym.h"

/* Drop log messages, but only after they were formatted. */
static void sink_log(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const specs[] = { "main", "_start", "f", "f+4", "main+0x10",
					     "malloc@GLIBC_2.2.5", "_init", "0x0", "0x40", "64",
					     "0xffffffffffffffff" };
	static int fd = -1;
	static char path[64];
	const struct bx_log log = { .fn = sink_log };
	volatile uint64_t sink = 0;

	if (fd < 0) {
		fd = memfd_create("fuzz_uprobe", MFD_CLOEXEC);
		if (fd < 0)
			return 0;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || ftruncate(fd, (off_t)size) ||
	    (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		return 0;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		uint64_t off = 0, sz = 0;

		if (bxh_uprobe_resolve(path, specs[i], &off, &sz, &log) == 0)
			sink += off + sz;
	}
	(void)sink;
	return 0;
}

/*
 * fuzz_btf.c - libFuzzer target for the BTF reader as a CO-RE target and
 * the CO-RE relocator resolving against it (src/elf/btf.c,
 * src/elf/core_reloc.c).
 *
 * The input is a target BTF (raw BTF as /sys/kernel/btf/vmlinux; an ELF
 * with a .BTF section works too). It is written to a memfd and given as
 * bpfbox_object_opts.target_btf_path to the open of a fixed object with
 * CO-RE relocations of every kind, build/bpf/core_local.o (`make bpf`;
 * BPFBOX_FUZZ_OBJ overrides the path), read once at start-up. Then the
 * relocated programs and every target type are walked, and the first types
 * are formatted from a zeroed buffer. Seeds: the .BTF sections of
 * build/bpf/core_*.o (tests/fuzz/run.sh).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bpfbox/object.h"

static uint8_t *obj_buf;
static size_t obj_len;

/* Drop log messages, but only after they were formatted. */
static void sink_log(void *ctx, enum bpfbox_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read the fixed object once. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = getenv("BPFBOX_FUZZ_OBJ");
	FILE *f;
	long n;

	(void)argc;
	(void)argv;
	if (!path)
		path = "build/bpf/core_local.o";
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) ||
	    !(obj_buf = malloc((size_t)n)) || fread(obj_buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "fuzz_btf: cannot read %s (run `make bpf` first)\n", path);
		exit(1);
	}
	obj_len = (size_t)n;
	fclose(f);
	return 0;
}

/* Touch the relocated instructions and every type of the target BTF. */
static size_t walk(const struct bpfbox_object *obj)
{
	const struct bpfbox_btf *btf = bpfbox_object__target_btf(obj);
	static const uint8_t zero[256];
	char text[512];
	size_t sink = 0;

	for (struct bpfbox_program *p = NULL; (p = bpfbox_object__next_program(obj, p));) {
		const char *r;
		for (size_t i = 0; i < bpfbox_program__insn_cnt(p); i++)
			sink += bpfbox_program__insns(p)[i].code + (size_t)bpfbox_program__insns(p)[i].imm;
		sink += bpfbox_program__loadable(p, &r) + strlen(r);
	}
	if (!btf)
		return sink;
	sink += strlen(bpfbox_object__target_btf_path(obj));
	for (uint32_t id = 0; id < bpfbox_btf__type_cnt(btf); id++) {
		struct bpfbox_btf_type t;
		struct bpfbox_btf_member m;

		if (bpfbox_btf__type(btf, id, &t))
			continue;
		sink += strlen(t.name) + (size_t)bpfbox_btf__resolve_size(btf, id) +
			bpfbox_btf__skip_mods(btf, id);
		for (uint32_t k = 0; k < t.vlen && k < 4096; k++)
			if (!bpfbox_btf__member(btf, id, k, &m))
				sink += strlen(m.name) + m.type + m.offset;
		if (id < 16) {
			sink += (size_t)bpfbox_btf__dump_value(btf, id, zero, sizeof(zero), 0, text,
							       sizeof(text));
			sink += (size_t)bpfbox_btf__dump_value(btf, id, zero, sizeof(zero),
							       BPFBOX_BTF_DUMP_JSON, text, sizeof(text));
		}
	}
	sink += (size_t)bpfbox_btf__find_by_name_kind(btf, "cr_s", 0);
	return sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct bpfbox_object *obj = NULL;
	volatile size_t sink;

	if (fd < 0) {
		fd = memfd_create("fuzz_btf", MFD_CLOEXEC);
		if (fd < 0)
			return 0;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || ftruncate(fd, (off_t)size) ||
	    (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		return 0;
	BPFBOX_OPTS(bpfbox_object_opts, oo, .target_btf_path = path, .log = sink_log,
		    .no_host_kconfig = true);
	if (bpfbox_object__open_mem(obj_buf, obj_len, &oo, &obj) == 0) {
		sink = walk(obj);
		(void)sink;
		bpfbox_object__close(obj);
	}
	return 0;
}

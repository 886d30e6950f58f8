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
#include <sys/syscall.h>
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
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = key;
	a.value_size = value;
	a.max_entries = max;
	return (int)kb_sys(BPF_MAP_CREATE, &a);
}

/* BPF_PROG_LOAD. */
int kb_prog_load(uint32_t type, uint32_t eat, const struct bpfbox_insn *insns, size_t cnt,
		 uint32_t flags, char *log, size_t log_sz, uint32_t log_level)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.expected_attach_type = eat;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = (uint32_t)cnt;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.prog_flags = flags;
	if (log && log_sz) {
		log[0] = 0;
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = (uint32_t)log_sz;
		a.log_level = log_level ? log_level : 1;
	}
	return (int)kb_sys(BPF_PROG_LOAD, &a);
}

/* BPF_PROG_LOAD with func_info. */
int kb_prog_load_btf(uint32_t type, const struct bpfbox_insn *insns, size_t cnt, char *log,
		     size_t log_sz, int btf_fd, const uint32_t *fi, size_t fi_cnt)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = (uint32_t)cnt;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.prog_btf_fd = (uint32_t)btf_fd;
	a.func_info_rec_size = 8;
	a.func_info = (uint64_t)(uintptr_t)fi;
	a.func_info_cnt = (uint32_t)fi_cnt;
	if (log && log_sz) {
		log[0] = 0;
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = (uint32_t)log_sz;
		a.log_level = 1;
	}
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
